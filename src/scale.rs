//! Fan-out at scale: N simulated clients on one embedded server (or spread
//! over a cluster sharing the Redis adapter on its in-process bus), one
//! broadcast, and what it cost (connect time, delivery time, peak memory).
//! Also owns the file-descriptor budget that says how large N may be.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::client::{Admission, Inbound, SimClient};
use crate::cluster::{Bus, Cluster};
use crate::error::Error;
use crate::script::{Arg, BroadcastAction, Expr, Scope};

/// Descriptors every simulated client costs this process: the client's own
/// socket and the server's accepted socket (both ends live here).
pub const FDS_PER_CLIENT: u64 = 2;
/// Descriptors kept free for everything else: the runtime's epoll and
/// eventfd, the listener, stdio, /proc reads, a Redis connection or two.
pub const FD_HEADROOM: u64 = 64;
/// The event the scale run broadcasts.
pub const SCALE_EVENT: &str = "hello";

/// How many descriptors this process may open, and how many clients fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdBudget {
    /// The soft `RLIMIT_NOFILE` in force (after [`raise_fd_limit`]).
    pub limit: u64,
    /// Descriptors already open when the budget was taken.
    pub open: u64,
    /// The largest client count that fits.
    pub max_clients: usize,
}

/// N clients cannot fit in this process's descriptor limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct TooManyClients {
    pub requested: usize,
    pub needed: u64,
    /// Descriptors kept for everything else: those open now plus [`FD_HEADROOM`].
    pub reserved: u64,
    pub limit: u64,
    pub max: usize,
}

impl TooManyClients {
    /// The refusal, and what to do: ask for fewer if some fit, else only a
    /// higher limit helps.
    fn describe(&self) -> String {
        let asked = match self.requested {
            1 => "1 client needs".to_owned(),
            n => format!("{n} clients need"),
        };
        format!(
            "{asked} about {} file descriptors (two each, plus {} for the rest of the process), \
             but this process may open only {} (RLIMIT_NOFILE, already raised to the hard limit); \
             {}",
            self.needed,
            self.reserved,
            self.limit,
            self.advice()
        )
    }

    fn advice(&self) -> String {
        match self.max {
            0 => {
                "not even one client fits here. Raise the hard limit (ulimit -Hn) first".to_owned()
            }
            1 => "only 1 client fits here. Ask for 1, or raise the hard limit (ulimit -Hn) first"
                .to_owned(),
            max => format!(
                "at most {max} clients fit here. Ask for fewer, or raise the hard limit \
                 (ulimit -Hn) first"
            ),
        }
    }
}

/// What one scale run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleReport {
    /// Clients connected (and admitted).
    pub clients: usize,
    /// Servers they were spread over (1: one server, no adapter).
    pub servers: usize,
    /// From the first connection attempt until the last client was admitted.
    pub connect: Duration,
    /// From the broadcast until the last client had received it.
    pub broadcast_to_last_delivery: Duration,
    /// Peak resident memory of the whole process so far (VmHWM), if known,
    /// read once every client had the broadcast.
    pub peak_rss_bytes: Option<u64>,
    /// Disconnecting every client and stopping the server, after that.
    pub shutdown: Duration,
}

impl std::fmt::Display for ScaleReport {
    /// A few lines a class can read: what ran, and what it cost.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.servers == 1 {
            writeln!(
                f,
                "{} clients on one server; one io.emit to all of them",
                self.clients
            )?;
        } else {
            writeln!(
                f,
                "{} clients spread over {} servers sharing the Redis adapter (in-process bus); \
                 one io.emit on the first, to all of them",
                self.clients, self.servers
            )?;
        }
        let per_client = self.connect.as_secs_f64() * 1e3 / self.clients.max(1) as f64;
        writeln!(
            f,
            "  connect      {:>8.3} s   all {} admitted, {per_client:.2} ms a client",
            self.connect.as_secs_f64(),
            self.clients
        )?;
        writeln!(
            f,
            "  broadcast    {:>8.3} s   from the emit until the last client had it",
            self.broadcast_to_last_delivery.as_secs_f64()
        )?;
        match self.peak_rss_bytes {
            Some(bytes) => writeln!(
                f,
                "  peak memory  {:>8.0} MiB resident, the whole process (clients and servers)",
                bytes as f64 / f64::from(1 << 20)
            ),
            None => writeln!(f, "  peak memory  unknown here (no /proc/self/status)"),
        }?;
        writeln!(
            f,
            "  shutdown     {:>8.3} s   every client and server closed",
            self.shutdown.as_secs_f64()
        )
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
/// clients fit in the rest.
pub fn fd_budget() -> std::io::Result<FdBudget> {
    let (limit, _) = rlimit::Resource::NOFILE.get()?;
    let open = open_fds().unwrap_or(0);
    Ok(FdBudget {
        limit,
        open,
        max_clients: clients_that_fit(limit, open),
    })
}

/// The largest client count whose descriptors fit under `limit` with
/// `open` already in use and [`FD_HEADROOM`] kept free.
pub fn clients_that_fit(limit: u64, open: u64) -> usize {
    let free = limit.saturating_sub(open).saturating_sub(FD_HEADROOM);
    usize::try_from(free / FDS_PER_CLIENT).unwrap_or(usize::MAX)
}

/// Raises the limit, then refuses at once (never by a timeout later) when
/// `clients` cannot fit: bad input, `TooManyClients` in words (exit 2).
pub fn ensure_fits(clients: usize) -> Result<FdBudget, Error> {
    let budget = raise_fd_limit()
        .context("raising the open-file limit (RLIMIT_NOFILE)")
        .and_then(|_| fd_budget().context("reading the open-file limit (RLIMIT_NOFILE)"))
        .map_err(|e| Error::Environment(format!("{e:#}")))?;
    if clients > budget.max_clients {
        let refusal = TooManyClients {
            requested: clients,
            needed: clients as u64 * FDS_PER_CLIENT + budget.open + FD_HEADROOM,
            reserved: budget.open + FD_HEADROOM,
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

/// Peak resident memory of this process so far, from /proc (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// How many connections are opened at once. Measured at 9,000 clients on
/// 2 cores: 16, 32 and 64 in flight cost the same CPU (about 3.2 s, 60 % of
/// it in the kernel: loopback TCP for the eight frames of each handshake,
/// and page faults), 256 and 1,024 cost more; one, two workers or a
/// current-thread runtime also cost the same. Unordered, so that one slow
/// handshake does not hold up the window.
const CONNECTS_AT_ONCE: usize = 64;

/// Starts an embedded server on a loopback port (or `servers` of them
/// sharing the Redis adapter on its in-process bus, the clients spread
/// round-robin), connects `clients` simulated clients, broadcasts one
/// `io.emit` from the first server and waits until every client has
/// received it (observed on each client, not assumed), then shuts down.
/// Refuses at once with `TooManyClients` when the clients cannot fit.
pub async fn scale(clients: usize, servers: usize) -> Result<ScaleReport, Error> {
    ensure_fits(clients)?;
    Ok(run(clients, servers).await?)
}

async fn run(clients: usize, servers: usize) -> anyhow::Result<ScaleReport> {
    if servers == 0 {
        bail!("scale needs one server or more");
    }
    // Nothing here waits on the servers' notices: let them go.
    let (tx, notices) = tokio::sync::mpsc::unbounded_channel();
    drop(notices);
    let cluster = if servers == 1 {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .context("could not listen on a loopback port")?;
        Cluster::single(listener, tx).await?
    } else {
        let labels: Vec<String> = (1..=servers).map(|i| format!("S{i}")).collect();
        Cluster::start(Bus::InProcess, &labels, &Default::default(), tx).await?
    };
    let labels = cluster.labels();
    let urls: Vec<String> = if labels.is_empty() {
        cluster.url(None).into_iter().collect()
    } else {
        labels.iter().filter_map(|l| cluster.url(Some(l))).collect()
    };

    let started = Instant::now();
    let opened: Vec<anyhow::Result<(SimClient, Admission)>> =
        futures_util::stream::iter((0..clients).map(|i| {
            let url = urls[i % urls.len()].clone();
            async move { SimClient::connect(&url, &format!("c{i}"), "/", Value::Null).await }
        }))
        .buffer_unordered(CONNECTS_AT_ONCE)
        .collect()
        .await;
    let mut sims = Vec::with_capacity(clients);
    for opened in opened {
        let (sim, admission) = opened?;
        if admission != Admission::Admitted {
            bail!("a client was refused: {admission:?}");
        }
        sims.push(sim);
    }
    let connect = started.elapsed();

    let broadcast = Expr::Broadcast {
        scope: Scope::Namespace("/".to_owned()),
        to: Vec::new(),
        except: Vec::new(),
        action: BroadcastAction::Emit {
            event: Arg::Lit(SCALE_EVENT.to_owned()),
            args: vec![Arg::Lit(json!("everyone"))],
        },
    };
    let sent = Instant::now();
    cluster
        .perform(labels.first().map(String::as_str), None, &broadcast)
        .await
        .map_err(anyhow::Error::msg)
        .context("broadcasting")?;
    let received = futures_util::future::join_all(sims.iter_mut().map(|sim| async move {
        match sim.next().await? {
            Inbound::Custom(name, _) if name == SCALE_EVENT => Ok(()),
            other => bail!("expected {SCALE_EVENT:?}, got {other:?}"),
        }
    }))
    .await;
    let broadcast_to_last_delivery = sent.elapsed();
    for got in received {
        got?;
    }
    let peak = peak_rss_bytes();

    let stopping = Instant::now();
    // Best effort: the server closes whatever a client did not.
    let _ = futures_util::future::join_all(sims.iter().map(SimClient::disconnect)).await;
    cluster.shutdown().await?;
    let shutdown = stopping.elapsed();
    Ok(ScaleReport {
        clients,
        servers,
        connect,
        broadcast_to_last_delivery,
        peak_rss_bytes: peak,
        shutdown,
    })
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

    #[test]
    fn when_no_client_fits_the_refusal_does_not_say_ask_for_fewer() {
        let refusal = |max| TooManyClients {
            requested: 3,
            needed: 80,
            reserved: 74,
            limit: 60,
            max,
        };
        let none = refusal(0).to_string();
        assert!(none.contains("not even one client fits here"), "{none}");
        assert!(
            !none.contains("fewer") && !none.contains("at most 0"),
            "{none}"
        );
        let one = refusal(1).to_string();
        assert!(one.contains("only 1 client fits here. Ask for 1"), "{one}");
        let two = refusal(2).to_string();
        assert!(
            two.contains("at most 2 clients fit here. Ask for fewer"),
            "{two}"
        );
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
