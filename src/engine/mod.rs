//! The engine: runs statements one by one on the live server with real
//! clients, and reports for each what the clients observed, why the others
//! got nothing, and where that disagrees with the server's own state.
//!
//! - `connect`: opening clients, a run of `connect`s at once.
//! - `act`: what a client does by itself (disconnect, emit).
//! - `observe`: the server's notices, the ordered sync, the state snapshot.
//! - `outcome`: a step's outcome, held against the prediction.
//! - `predict`: who an action should reach, and why not.
//! - `trace`: one step in progress.

mod act;
mod connect;
mod observe;
mod outcome;
pub mod predict;
mod trace;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::client::SimClient;
use crate::report::{Absence, Outcome, StepReport};
use crate::script::{Statement, StatementKind};
use crate::server::{Notice, Server};
use act::ClientEmit;
use trace::Trace;

/// A client of the run: every name some `connect` has used.
enum Member {
    Connected(SimClient),
    Absent(Absence),
}

pub struct Engine {
    server: Server,
    notices: mpsc::UnboundedReceiver<Notice>,
    url: String,
    members: BTreeMap<String, Member>,
    /// Clients the server disconnected in this step, until their side is seen.
    departing: BTreeMap<String, SimClient>,
    seq: u64,
}

impl Engine {
    /// Starts a server listening on `addr` (loopback port 0 unless the user
    /// asked otherwise), with the namespace `/`; the script declares others.
    pub async fn start(addr: SocketAddr) -> anyhow::Result<Engine> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("could not listen on {addr}"))?;
        let (server, notices) = Server::start(listener).await?;
        Ok(Engine {
            url: server.url(),
            server,
            notices,
            members: BTreeMap::new(),
            departing: BTreeMap::new(),
            seq: 0,
        })
    }

    /// Runs a block of statements in order, handing each report to `show`
    /// as soon as it is known. A run of `connect`s opens its clients at
    /// once (see `connect_all`). An `Err` means the engine itself failed (a
    /// hang, a lost connection), not the script, and names the statement.
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
            let reports = if is_connect(first) {
                self.connect_all(now).await
            } else {
                self.step(first).await.map(|report| vec![report])
            }
            .map_err(|e| e.context(format!("line {}: `{}`", first.line, first.code)))?;
            for report in &reports {
                show(report)?;
            }
        }
        Ok(())
    }

    /// Runs one statement and reports what happened. An `Err` means the
    /// engine itself failed (a hang, a lost connection), not the script.
    async fn step(&mut self, statement: &Statement) -> anyhow::Result<StepReport> {
        // A namespace exists from the first server-side line that names it.
        for ns in statement.declares() {
            self.server.declare(ns);
        }
        if let StatementKind::Connect { .. } = statement.kind {
            let mut reports = self.connect_all(std::slice::from_ref(statement)).await?;
            return Ok(reports.remove(0));
        }
        let mut trace = Trace::new(statement);
        let outcome = match &statement.kind {
            StatementKind::Connect { .. } => unreachable!("handled above"),
            StatementKind::Disconnect { name } => self.client_disconnect(name, &mut trace).await?,
            StatementKind::Use {
                ns,
                key,
                value,
                message,
            } => {
                self.server.add_middleware(ns, key, value, message);
                Outcome::Middleware { ns: ns.clone() }
            }
            StatementKind::Declare { ns } => Outcome::Namespace { ns: ns.clone() },
            StatementKind::On { ns, event, action } => {
                self.server.set_handler(ns, event, action.clone());
                Outcome::Handler {
                    ns: ns.clone(),
                    event: event.clone(),
                }
            }
            StatementKind::Server { socket, expr } => match socket {
                Some(name) if !self.is_connected(name) => not_connected(name),
                _ => {
                    let before = self.snapshot(&mut trace);
                    let sender = socket.as_deref().and_then(|name| self.server.socket(name));
                    let result = self.server.perform(sender.as_ref(), expr).await;
                    self.outcome_of(socket.as_deref(), expr, &before, result, &mut trace)
                        .await?
                }
            },
            StatementKind::ClientEmit {
                name,
                event,
                args,
                ack,
            } => {
                let emit = ClientEmit {
                    name,
                    event,
                    args,
                    ack: *ack,
                };
                self.client_emit(emit, &mut trace).await?
            }
        };
        Ok(trace.report(outcome))
    }

    /// Every connected client's namespace and rooms (without its own-id
    /// room), from the server's state: what an exercise's `expect rooms`
    /// is graded against, since a handler's join shows in no report.
    pub fn rooms(&self) -> crate::report::RoomsNow {
        self.server.rooms()
    }

    /// Starts an engine, runs `work` on it, and shuts it down even when the
    /// work failed, so that no task or connection outlives a run. The work's
    /// own error, if any, is the one returned.
    pub async fn run<T>(
        addr: SocketAddr,
        work: impl AsyncFnOnce(&mut Engine) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut engine = Engine::start(addr).await?;
        let result = work(&mut engine).await;
        let shutdown = engine.shutdown().await;
        let value = result?;
        shutdown?;
        Ok(value)
    }

    /// The server's address, as a client connects to it (`http://…`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the server holds now, for the playground's `:state`.
    pub fn state(&self) -> crate::report::State {
        let mut state = crate::report::State::default();
        for (ns, (handlers, middlewares)) in self.server.setup() {
            let entry = state.namespaces.entry(ns).or_default();
            entry.handlers = handlers;
            entry.middlewares = middlewares;
        }
        for (name, (ns, rooms)) in self.server.rooms() {
            let entry = state.namespaces.entry(ns).or_default();
            entry.clients.insert(name, rooms.into_iter().collect());
        }
        for (name, member) in &self.members {
            if let Member::Absent(why) = member {
                state.gone.insert(name.clone(), why.clone());
            }
        }
        state
    }

    /// Disconnects every client and stops the server.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let clients: Vec<SimClient> = std::mem::take(&mut self.members)
            .into_values()
            .filter_map(|m| match m {
                Member::Connected(client) => Some(client),
                Member::Absent(_) => None,
            })
            .collect();
        // Best effort, each bounded: the server closes whatever a client did not.
        let _ = futures_util::future::join_all(clients.iter().map(SimClient::disconnect)).await;
        self.server.shutdown().await
    }

    fn is_connected(&self, name: &str) -> bool {
        matches!(self.members.get(name), Some(Member::Connected(_)))
    }
}

pub(super) fn not_connected(name: &str) -> Outcome {
    Outcome::Error(format!("client {name} is not connected"))
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
        let alice = engine
            .server
            .socket("alice")
            .expect("alice is on the server");
        alice.disconnect().expect("the socket disconnects");
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
}
