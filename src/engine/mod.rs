//! The engine: runs statements one by one on the live server with real
//! clients, and reports for each what the clients observed, why the others
//! got nothing, and where that disagrees with the server's own state.
//!
//! - `connect`: opening clients, a run of `connect`s at once.
//! - `acks`: acknowledgements in depth: a client's listener that answers,
//!   a server's emit that asks, the forms' errors (v3).
//! - `act`: what a client does by itself (disconnect, emit).
//! - `observe`: the server's notices, the ordered sync, the state snapshot.
//! - `outcome`: a step's outcome, held against the prediction.
//! - `outside`: an outside client's event, run as a step of its own.
//! - `predict`: who an action should reach, and why not.
//! - `query`: `fetchSockets()`, the sockets a server finds (v3).
//! - `reconnect`: `drop`, `reconnect`, buffered and volatile emits (v3).
//! - `trace`: one step in progress.

mod acks;
mod act;
mod answers;
mod connect;
mod listen;
mod observe;
mod outcome;
mod outside;
pub mod predict;
mod query;
mod reconnect;
mod trace;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::client::SimClient;
use crate::cluster::{Bus, Cluster};
use crate::report::{Absence, Outcome, StepReport};
use crate::script::{Statement, StatementKind};
use crate::server::{Notice, OutsideEvent};

use crate::error::Error;
use act::ClientEmit;
pub use listen::Chosen;
use trace::Trace;

/// Where a run's servers are: the address of its one server (a script
/// without `servers`), and the Redis that `servers … with adapter` uses
/// (`None`: the in-process bus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Servers {
    pub listen: SocketAddr,
    pub redis: Option<String>,
    /// `Some` when the user chose the address (`--listen`): the listener
    /// bound for it before the run.
    pub chosen: Option<Chosen>,
}

impl From<SocketAddr> for Servers {
    fn from(listen: SocketAddr) -> Servers {
        Servers {
            listen,
            redis: None,
            chosen: None,
        }
    }
}

/// A client of the run: every name some `connect` has used.
enum Participant {
    Connected(SimClient),
    Absent(Absence),
}

pub struct Engine {
    cluster: Cluster,
    notices: mpsc::UnboundedReceiver<Notice>,
    /// The Redis of `servers … with adapter`; `None`: the in-process bus.
    redis: Option<String>,
    /// The machine around the run has failed it (the Redis could not be
    /// used): the run's failure is then the environment's, not the engine's.
    environment_failed: bool,
    members: BTreeMap<String, Participant>,
    /// On a cluster: each client's server, by label, as its `connect` said.
    homes: BTreeMap<String, String>,
    /// Clients the server disconnected in this step, until their side is seen.
    departing: BTreeMap<String, SimClient>,
    seq: u64,
    /// How many statements the run has started: the number of the step a
    /// failure is said to happen in.
    steps: usize,
    /// How many clients the run has opened: the next one's place in the
    /// order of connections.
    opened: u64,
    /// Outside clients' events not run yet, in the order they came.
    held: VecDeque<OutsideEvent>,
    /// Notices read while waiting for an outside client's event, for the
    /// next step to take in first.
    early: VecDeque<Notice>,
    /// How each client connected, and the buffers of those whose
    /// connection is lost (`drop`, `reconnect`).
    links: reconnect::Links,
    /// Whether `run_block` runs the outside clients' events that came
    /// during a statement right after it (a lesson); `false`: its caller
    /// runs them (the playground, which shows them with their statement).
    outside_in_blocks: bool,
}

impl Engine {
    /// Starts a server listening on `addr` (loopback port 0 unless the user
    /// asked otherwise), with the namespace `/`; the script declares others.
    pub async fn start(servers: impl Into<Servers>) -> Result<Engine, Error> {
        let Servers {
            listen,
            redis,
            chosen,
        } = servers.into();
        let listener = match chosen.and_then(|chosen| chosen.take(listen)) {
            Some(listener) => listener,
            None => TcpListener::bind(listen)
                .await
                .map_err(|e| cannot_listen(listen, &e))?,
        };
        let (tx, notices) = mpsc::unbounded_channel();
        let cluster = Cluster::single(listener, tx).await?;
        Ok(Engine {
            cluster,
            notices,
            redis,
            environment_failed: false,
            members: BTreeMap::new(),
            homes: BTreeMap::new(),
            departing: BTreeMap::new(),
            seq: 0,
            steps: 0,
            opened: 0,
            held: VecDeque::new(),
            early: VecDeque::new(),
            links: Default::default(),
            outside_in_blocks: true,
        })
    }

    /// Runs a block of statements in order, handing each report to `show`
    /// as soon as it is known. A run of `connect`s opens its clients at
    /// once (see `connect_all`). The outside clients' events that came
    /// meanwhile run after each statement, each a step of its own (unless
    /// [`Engine::leave_outside_to_caller`]). An `Err` means the engine
    /// itself failed (a hang, a lost connection), not the script, and names
    /// the statement.
    pub async fn run_block(
        &mut self,
        statements: &[Statement],
        mut show: impl FnMut(&StepReport) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut rest = statements;
        while let Some(first) = rest.first() {
            let is_connect = |s: &Statement| matches!(s.kind, StatementKind::Connect { .. });
            let together = rest.iter().take_while(|s| is_connect(s)).count().max(1);
            let (now, later) = rest.split_at(together);
            rest = later;
            let number = self.steps + 1;
            self.steps += now.len();
            let result = if is_connect(first) {
                self.connect_all(now).await
            } else {
                self.step(first).await.map(|report| vec![report])
            };
            if let Some(stopped) = self.redis_stopped(number, first) {
                self.environment_failed = true;
                return Err(stopped);
            }
            let reports =
                result.map_err(|e| e.context(format!("line {}: `{}`", first.line, first.code)))?;
            for report in &reports {
                show(report)?;
            }
            while self.outside_in_blocks
                && let Some(held) = self.held_outside()
            {
                let who = held.name.clone();
                let report = self
                    .outside_step(first.line, held)
                    .await
                    .map_err(|e| e.context(format!("{who}'s event after line {}", first.line)))?;
                show(&report)?;
            }
        }
        Ok(())
    }

    /// `run_block` leaves the outside clients' events to its caller, who
    /// runs them with [`Engine::outside_step`].
    pub fn leave_outside_to_caller(&mut self) {
        self.outside_in_blocks = false;
    }

    /// The Redis of the servers' adapter failed the step that began with
    /// `statement`, the run's step `number`: the adapter could not reach
    /// it (a dead Redis, or one that stalled longer than the adapter
    /// waits). What the step observed is then no test of Socket.IO: the run
    /// stops as the environment's failure, never as a MISMATCH.
    fn redis_stopped(&self, number: usize, statement: &Statement) -> Option<anyhow::Error> {
        let Some(Bus::Redis(url)) = self.cluster.bus() else {
            return None;
        };
        let failure = self.cluster.adapter_failure()?;
        Some(anyhow::anyhow!(
            "Redis at {} stopped answering during step {number} (line {}: `{}`): {failure}",
            crate::cluster::redact(url),
            statement.line,
            statement.code
        ))
    }

    /// Whether the machine around the run has failed it (its Redis stopped
    /// answering): the run's error is then the environment's.
    pub fn environment_failed(&self) -> bool {
        self.environment_failed
    }

    /// Runs one statement and reports what happened. An `Err` means the
    /// engine itself failed (a hang, a lost connection), not the script.
    async fn step(&mut self, statement: &Statement) -> anyhow::Result<StepReport> {
        // A namespace exists from the first server-side line that names it.
        for ns in statement.declares() {
            self.cluster.declare(ns).await?;
        }
        if let StatementKind::Connect { .. } = statement.kind {
            let mut reports = self.connect_all(std::slice::from_ref(statement)).await?;
            return Ok(reports.remove(0));
        }
        if let StatementKind::Link(link) = &statement.kind {
            return self.link(statement, link).await;
        }
        if let StatementKind::Server { socket: None, expr } = &statement.kind
            && crate::script::is_fetch(expr)
        {
            return self.fetch_sockets(statement, expr).await;
        }
        let mut trace = Trace::new(statement);
        let outcome = match &statement.kind {
            StatementKind::Connect { .. } | StatementKind::Link(_) => {
                unreachable!("handled above")
            }
            StatementKind::Disconnect { name } => self.client_disconnect(name, &mut trace).await?,
            StatementKind::Use {
                ns,
                key,
                value,
                message,
                data,
            } => {
                self.cluster
                    .add_middleware(ns, (key, value), message, data.as_ref());
                Outcome::Middleware { ns: ns.clone() }
            }
            StatementKind::UsePacket { ns, event, message } => {
                self.cluster.add_packet_rule(ns, event, message);
                Outcome::PacketMiddleware { ns: ns.clone() }
            }
            StatementKind::Declare { ns } => Outcome::Namespace { ns: ns.clone() },
            StatementKind::On { ns, event, action } => {
                self.cluster.set_handler(ns, event, action.clone());
                Outcome::Handler {
                    ns: ns.clone(),
                    event: event.clone(),
                }
            }
            StatementKind::Servers { labels, adapter } => self.restart(labels, *adapter).await?,
            StatementKind::Server { socket, expr } => match socket {
                Some(name) if !self.is_connected(name) => not_connected(name),
                _ => {
                    let before = self.snapshot(&mut trace);
                    let label = statement.server.as_deref();
                    let sender = socket.as_deref();
                    let result = self.cluster.perform(label, sender, expr).await;
                    let origin = self.origin(label, sender);
                    self.outcome_of((sender, None), origin, expr, &before, result, &mut trace)
                        .await?
                }
            },
            StatementKind::Listen {
                name,
                event,
                answer,
            } => self.client_listener(name, event, answer),
            StatementKind::Ask {
                socket,
                expr,
                timeout,
            } => {
                self.server_ask(statement, socket.as_deref(), expr, *timeout, &mut trace)
                    .await?
            }
            StatementKind::ClientEmit {
                name,
                event,
                args,
                ack,
                form,
            } => {
                trace.ack_form = *form;
                let emit = ClientEmit {
                    name,
                    event,
                    args,
                    ack: *ack,
                };
                self.client_emit(emit, &mut trace).await?
            }
        };
        self.unseen_departures(&mut trace).await;
        Ok(trace.report(outcome))
    }

    /// Every connected client's namespace and rooms (without its own-id
    /// room), from the server's state: what an exercise's `expect rooms`
    /// is graded against, since a handler's join shows in no report.
    pub fn rooms(&self) -> crate::report::RoomsNow {
        self.cluster
            .places()
            .into_iter()
            .map(|(name, place)| (name, (place.ns, place.rooms)))
            .collect()
    }

    /// Starts an engine, runs `work` on it, and shuts it down even when the
    /// work failed, so that no task or connection outlives a run. The work's
    /// own error, if any, is the one returned.
    pub async fn run<T>(
        servers: impl Into<Servers>,
        work: impl AsyncFnOnce(&mut Engine) -> anyhow::Result<T>,
    ) -> Result<T, Error> {
        let mut engine = Engine::start(servers).await?;
        let result = work(&mut engine).await;
        let environment_failed = engine.environment_failed;
        let shutdown = engine.shutdown().await;
        let value = result.map_err(|e| match environment_failed {
            true => Error::Environment(format!("{e:#}")),
            false => Error::Run(e),
        })?;
        shutdown?;
        Ok(value)
    }

    /// The (first) server's address, as a client connects to it (`http://…`).
    pub fn url(&self) -> String {
        self.cluster.url(None).unwrap_or_default()
    }

    /// What the servers hold now, for the playground's `:state`.
    pub fn state(&self) -> crate::report::State {
        let mut state = crate::report::State::default();
        for (ns, (handlers, middlewares)) in self.cluster.setup() {
            let entry = state.namespaces.entry(ns).or_default();
            entry.handlers = handlers;
            entry.middlewares = middlewares;
        }
        for (name, place) in self.cluster.places() {
            let entry = state.namespaces.entry(place.ns).or_default();
            entry
                .clients
                .insert(name, place.rooms.into_iter().collect());
        }
        for (name, member) in &self.members {
            if let Participant::Absent(why) = member {
                state.gone.insert(name.clone(), why.clone());
            }
        }
        state
    }

    /// Disconnects every client and stops the servers.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.disconnect_all().await;
        self.cluster.shutdown().await
    }

    /// `servers A B [with adapter]`: every client disconnects, the servers
    /// stop, and fresh ones start with these labels, sharing nothing or the
    /// Redis adapter (on `--redis`, else on the in-process bus).
    async fn restart(&mut self, labels: &[String], adapter: bool) -> anyhow::Result<Outcome> {
        self.disconnect_all().await;
        self.homes.clear();
        let bus = match (adapter, &self.redis) {
            (false, _) => Bus::None,
            (true, None) => Bus::InProcess,
            (true, Some(url)) => Bus::Redis(url.clone()),
        };
        // A fresh channel: nothing the old servers said can reach this run.
        let (tx, notices) = mpsc::unbounded_channel();
        let fresh = match Cluster::start(bus.clone(), labels, &Default::default(), tx).await {
            Ok(fresh) => fresh,
            Err(e) => {
                self.environment_failed = matches!(bus, Bus::Redis(_));
                return Err(e);
            }
        };
        let old = std::mem::replace(&mut self.cluster, fresh);
        self.notices = notices;
        old.shutdown().await?;
        Ok(Outcome::Servers {
            labels: labels.to_vec(),
            bus: bus.describe(),
        })
    }

    /// The server whose sockets alone a server-side action can reach: the
    /// sender's (or the labelled one) when the servers share nothing;
    /// `None` when every socket can be reached (one server, or an adapter).
    fn origin(&self, label: Option<&str>, sender: Option<&str>) -> Option<String> {
        if self.cluster.bus() != Some(&Bus::None) {
            return None;
        }
        sender
            .and_then(|name| self.homes.get(name).cloned())
            .or_else(|| label.map(str::to_owned))
    }

    /// Disconnects every client of the run (best effort, each bounded: the
    /// servers close whatever a client did not).
    async fn disconnect_all(&mut self) {
        let departing = std::mem::take(&mut self.departing).into_values();
        let clients: Vec<SimClient> = std::mem::take(&mut self.members)
            .into_values()
            .filter_map(|m| match m {
                Participant::Connected(client) => Some(client),
                Participant::Absent(_) => None,
            })
            .chain(departing)
            .collect();
        let _ = futures_util::future::join_all(clients.iter().map(SimClient::disconnect)).await;
    }

    fn is_connected(&self, name: &str) -> bool {
        matches!(self.members.get(name), Some(Participant::Connected(_)))
    }
}

pub(super) fn not_connected(name: &str) -> Outcome {
    Outcome::Error(format!("client {name} is not connected"))
}

/// The address given (or the free loopback port asked for) cannot be
/// bound: the user's choice of address (exit 2), or the machine, when the
/// user chose nothing (exit 3); either way, what to do about it.
fn cannot_listen(listen: SocketAddr, e: &std::io::Error) -> Error {
    if listen.ip().is_loopback() && listen.port() == 0 {
        Error::Environment(format!(
            "could not listen on {listen}: {e}; no loopback port is free for the embedded \
             server: check this machine's network settings, or pick an address with --listen"
        ))
    } else {
        Error::BadInput(format!(
            "could not listen on {listen}: {e}; choose another address than {listen} with \
             --listen, or leave it out to let the system pick a free port"
        ))
    }
}

#[cfg(test)]
mod tests {
    //! A disagreement between the server's state and the clients is
    //! reported, never hidden: provoked here behind the engine's back.
    use std::net::Ipv4Addr;

    use super::*;
    use crate::render::{Transcript, json_line};
    use crate::script::parse_script;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_socket_dropped_behind_the_engines_back_is_a_mismatch() {
        let script = parse_script("connect alice\nconnect bob\nio.emit(\"x\")\n").unwrap();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let mut engine = Engine::start(addr).await.unwrap();
        for statement in &script[..2] {
            assert!(!engine.step(statement).await.unwrap().has_mismatch());
        }
        // The server lets go of alice without the engine asking.
        engine.cluster.drop_socket("alice");
        let report = engine.step(&script[2]).await.unwrap();
        assert!(report.has_mismatch(), "{report:?}");
        assert!(
            report.mismatches.iter().any(|m| m.contains("alice")),
            "{:?}",
            report.mismatches
        );
        let mut text = Vec::new();
        Transcript::new(&mut text, false).step(&report, 5).unwrap();
        assert!(String::from_utf8(text).unwrap().contains("MISMATCH"));
        assert!(json_line(&report).contains("\"mismatch\":["));
        engine.shutdown().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_address_in_use_is_bad_input_that_names_the_flag() {
        let taken = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let address = taken.local_addr().unwrap();
        let Err(e) = Engine::start(address).await else {
            panic!("{address} is taken");
        };
        assert!(matches!(e, Error::BadInput(_)), "{e:?}");
        assert!(e.to_string().contains("--listen"), "{e}");
        assert!(e.to_string().contains(&address.to_string()), "{e}");
    }
}
