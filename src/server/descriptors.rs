//! The process's file-descriptor budget, one for every mode: the soft
//! `RLIMIT_NOFILE` raised to the hard limit, how many tour clients fit, and
//! the descriptors kept for outside clients (at most [`max_outside`] of them).

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;

use crate::error::Error;

/// Descriptors every simulated client costs this process: the client's own
/// socket and the server's accepted socket (both ends live here).
pub const FDS_PER_CLIENT: u64 = 2;
/// Descriptors kept free for everything else: the runtime's epoll and
/// eventfd, the listener, stdio, /proc reads, a Redis connection or two.
pub const FD_HEADROOM: u64 = 64;
/// How many outside clients (real Socket.IO clients on the server's port)
/// may be connected at once unless `--max-outside` says otherwise.
pub const DEFAULT_MAX_OUTSIDE: usize = 64;

/// The cap on outside connections. One value for the whole process, as the
/// descriptor limit is: every server of a cluster draws on the same table.
static MAX_OUTSIDE: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_OUTSIDE);

/// Sets the cap on outside connections (`--max-outside`), once, at start.
pub fn set_max_outside(cap: usize) {
    MAX_OUTSIDE.store(cap, Ordering::Relaxed);
}

/// How many outside connections may be open at once.
pub fn max_outside() -> usize {
    MAX_OUTSIDE.load(Ordering::Relaxed)
}

/// Outside connections open now, on every server of the process.
static OUTSIDE_NOW: AtomicUsize = AtomicUsize::new(0);

/// Counts one more outside connection if the cap allows it; `false`: it
/// must be closed. Each one counted is [`release_outside`]d when it closes.
pub fn admit_outside() -> bool {
    let cap = max_outside();
    OUTSIDE_NOW
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |now| {
            (now < cap).then_some(now + 1)
        })
        .is_ok()
}

/// An outside connection counted by [`admit_outside`] has closed.
pub fn release_outside() {
    OUTSIDE_NOW.fetch_sub(1, Ordering::Relaxed);
}

/// How many descriptors this process may open, and how many clients fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdBudget {
    /// The soft `RLIMIT_NOFILE` in force (after [`raise_fd_limit`]).
    pub limit: u64,
    /// Descriptors already open when the budget was taken.
    pub open: u64,
    /// Descriptors kept for outside clients not connected yet.
    pub outside: u64,
    /// The largest client count that fits.
    pub max_clients: usize,
}

/// Who asks for the clients, which decides how the refusal reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demand {
    /// `scale --clients N`.
    Scale,
    /// A lesson or script with this many `connect` lines.
    Script,
    /// One more run of `connect`s, with the clients already connected.
    More,
}

/// N clients cannot fit in this process's descriptor limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct TooManyClients {
    pub demand: Demand,
    pub requested: usize,
    pub needed: u64,
    /// Descriptors kept for everything else: those open now, those kept for
    /// outside clients, plus [`FD_HEADROOM`].
    pub reserved: u64,
    pub limit: u64,
    pub max: usize,
}

impl TooManyClients {
    /// The refusal, and what to do: ask for fewer if some fit, else only a
    /// higher limit helps.
    fn describe(&self) -> String {
        let clients = match self.requested {
            1 => "1 client".to_owned(),
            n => format!("{n} clients"),
        };
        let asked = match self.demand {
            Demand::Scale => format!("{clients} need"),
            Demand::Script => format!("this script connects {clients}, which need"),
            Demand::More => match self.requested {
                1 => "1 more client needs".to_owned(),
                n => format!("{n} more clients need"),
            },
        };
        format!(
            "{asked} about {} file descriptors (two each, plus {} for the rest of the process \
             and up to {} outside clients), but this process may open only {} (RLIMIT_NOFILE, \
             already raised to the hard limit); {}",
            self.needed,
            self.reserved,
            max_outside(),
            self.limit,
            self.advice()
        )
    }

    fn advice(&self) -> String {
        let fewer = match self.demand {
            Demand::Scale => "Ask for fewer",
            Demand::Script => "Connect fewer",
            Demand::More => "Disconnect some first",
        };
        let more = match self.demand {
            Demand::Scale => "Ask for 1",
            Demand::Script | Demand::More => "Connect 1",
        };
        let also = "raise the hard limit (ulimit -Hn) first, or lower --max-outside";
        let more_ = if self.demand == Demand::More {
            " more"
        } else {
            ""
        };
        match self.max {
            0 => format!("not even one{more_} client fits here. R{}", &also[1..]),
            1 => format!("only 1{more_} client fits here. {more}, or {also}"),
            max => format!("at most {max}{more_} clients fit here. {fewer}, or {also}"),
        }
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the soft
/// limit now in force. Call once at start; calling again is harmless.
pub fn raise_fd_limit() -> std::io::Result<u64> {
    let (soft, hard) = rlimit::Resource::NOFILE.get()?;
    match rlimit::increase_nofile_limit(hard) {
        Ok(now) => Ok(now),
        // An unlimited hard limit can be above what the kernel allows
        // (fs.nr_open): keep the soft limit we had rather than fail.
        Err(_) if hard == rlimit::INFINITY => Ok(soft),
        Err(e) => Err(e),
    }
}

/// The descriptor budget now: the soft limit, what is open, and how many
/// clients fit in the rest, outside clients' share kept aside.
pub fn fd_budget() -> std::io::Result<FdBudget> {
    let (limit, _) = rlimit::Resource::NOFILE.get()?;
    let open = open_fds().unwrap_or(0);
    // Outside clients connected now are among `open` already.
    let outside = max_outside().saturating_sub(OUTSIDE_NOW.load(Ordering::Relaxed)) as u64;
    Ok(FdBudget {
        limit,
        open,
        outside,
        max_clients: clients_that_fit(limit, open + outside),
    })
}

/// The largest client count whose descriptors fit under `limit` with
/// `open` already in use (or kept) and [`FD_HEADROOM`] kept free.
pub fn clients_that_fit(limit: u64, open: u64) -> usize {
    let free = limit.saturating_sub(open).saturating_sub(FD_HEADROOM);
    usize::try_from(free / FDS_PER_CLIENT).unwrap_or(usize::MAX)
}

/// Raises the limit, then refuses at once (never by a timeout later) when
/// `clients` cannot fit: bad input, `TooManyClients` in words (exit 2).
pub fn ensure_fits(clients: usize) -> Result<FdBudget, Error> {
    ensure_room(clients, Demand::Scale)
}

/// [`ensure_fits`], with the refusal worded for `demand`.
pub fn ensure_room(clients: usize, demand: Demand) -> Result<FdBudget, Error> {
    let budget = raise_fd_limit()
        .context("raising the open-file limit (RLIMIT_NOFILE)")
        .and_then(|_| fd_budget().context("reading the open-file limit (RLIMIT_NOFILE)"))
        .map_err(|e| Error::Environment(format!("{e:#}")))?;
    if clients > budget.max_clients {
        let reserved = budget.open + budget.outside + FD_HEADROOM;
        let refusal = TooManyClients {
            demand,
            requested: clients,
            needed: clients as u64 * FDS_PER_CLIENT + reserved,
            reserved,
            limit: budget.limit,
            max: budget.max_clients,
        };
        return Err(Error::BadInput(refusal.to_string()));
    }
    Ok(budget)
}

/// Descriptors open in this process now (Linux: /proc/self/fd).
fn open_fds() -> Option<u64> {
    let entries = std::fs::read_dir("/proc/self/fd").ok()?;
    Some(entries.count() as u64)
}

#[cfg(test)]
mod tests {
    //! The descriptor budget's arithmetic and its refusal message.
    use super::*;

    #[test]
    fn two_descriptors_per_client_after_headroom() {
        // This machine's hard limit: 10,000 clients cannot fit, 9,000 can.
        let fit = clients_that_fit(20_000, 8);
        assert_eq!(fit, (20_000 - 8 - FD_HEADROOM as usize) / 2);
        assert!((9_000..10_000).contains(&fit));
    }

    #[test]
    fn a_tiny_limit_fits_no_client() {
        assert_eq!(clients_that_fit(50, 10), 0);
    }

    fn refusal(demand: Demand, max: usize) -> String {
        TooManyClients {
            demand,
            requested: 3,
            needed: 80,
            reserved: 74,
            limit: 60,
            max,
        }
        .to_string()
    }

    #[test]
    fn when_no_client_fits_the_refusal_does_not_say_ask_for_fewer() {
        let none = refusal(Demand::Scale, 0);
        assert!(none.contains("not even one client fits here"), "{none}");
        assert!(
            !none.contains("fewer") && !none.contains("at most 0"),
            "{none}"
        );
        let one = refusal(Demand::Scale, 1);
        assert!(one.contains("only 1 client fits here. Ask for 1"), "{one}");
        let two = refusal(Demand::Scale, 2);
        assert!(
            two.contains("at most 2 clients fit here. Ask for fewer"),
            "{two}"
        );
    }

    #[test]
    fn a_script_is_told_to_connect_fewer_and_the_playground_to_disconnect() {
        let script = refusal(Demand::Script, 2);
        assert!(
            script.starts_with("this script connects 3 clients"),
            "{script}"
        );
        assert!(script.contains("Connect fewer"), "{script}");
        let more = refusal(Demand::More, 2);
        assert!(more.starts_with("3 more clients need"), "{more}");
        assert!(more.contains("at most 2 more clients fit"), "{more}");
        assert!(more.contains("Disconnect some first"), "{more}");
        assert!(more.contains("only 60 (RLIMIT_NOFILE"), "{more}");
    }

    #[test]
    fn refusal_names_the_limit_and_the_largest_count_that_fits() {
        let budget = ensure_fits(0).expect("no client always fits");
        let err = ensure_fits(budget.max_clients + 1).expect_err("one too many is refused");
        assert!(matches!(err, Error::BadInput(_)), "{err}");
        let text = err.to_string();
        assert!(text.contains(&format!("only {}", budget.limit)), "{text}");
        assert!(
            text.contains(&format!("at most {} clients", budget.max_clients)),
            "{text}"
        );
    }
}
