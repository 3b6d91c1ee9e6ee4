//! The engine: runs statements one by one on the live server with real
//! clients, and reports for each what the clients observed, why the others
//! got nothing, and where that disagrees with the server's own state.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use anyhow::{Context as _, anyhow};
use futures_util::StreamExt as _;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::timeout;

use crate::client::{Admission, Inbound, SimClient, decode};
use crate::explain::{self, Pick, Selection, Snapshot, View};
use crate::protocol::{self, WAIT_BOUND, wait_bound};
use crate::report::{Absence, Delivery, Disconnection, Outcome, Reason, StepReport};
use crate::script::{Arg, BroadcastAction, Expr, Scope, SocketAction, Statement, StatementKind};
use crate::server::{Handled, Notice, Server, rooms_of};

/// The connection handler's log line (the chat example's `console.log`).
const CONNECTED_LOG: &str = "a user connected";
/// The disconnect handler's log line.
const DISCONNECTED_LOG: &str = "user disconnected";
/// How many connections a run of `connect` statements opens at once.
const CONNECTS_AT_ONCE: usize = 64;

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

/// One step in progress: what it observed, and where that disagreed.
struct Trace {
    line: usize,
    code: String,
    /// Decoded events per client, in arrival order.
    events: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    server_log: Vec<String>,
    /// Disconnections the server's handlers reported.
    disconnected: BTreeMap<String, Disconnection>,
    mismatches: Vec<String>,
}

impl Trace {
    fn new(statement: &Statement) -> Trace {
        Trace {
            line: statement.line,
            code: statement.code.clone(),
            events: BTreeMap::new(),
            server_log: Vec::new(),
            disconnected: BTreeMap::new(),
            mismatches: Vec::new(),
        }
    }

    /// Adds what `name` got, decoded as Socket.IO names it.
    fn record(&mut self, name: &str, got: &[Inbound], emitted: Option<&(String, Vec<Value>)>) {
        if got.is_empty() {
            return;
        }
        let context = emitted.map(|(e, a)| (e.as_str(), a.as_slice()));
        self.events
            .entry(name.to_owned())
            .or_default()
            .extend(got.iter().map(|inbound| decode(inbound, context)));
    }

    fn mismatch(&mut self, text: String) {
        self.mismatches.push(text);
    }

    /// The report, after flagging any event a client got that is not the step's own.
    fn report(mut self, outcome: Outcome) -> StepReport {
        // Only a disconnect step may disconnect anyone (and checks whom itself).
        if !matches!(outcome, Outcome::Disconnected(_)) {
            let unexpected: Vec<String> = self
                .disconnected
                .keys()
                .map(|name| format!("{name} was disconnected, which this step did not ask for"))
                .collect();
            self.mismatches.extend(unexpected);
        }
        let expected = match &outcome {
            Outcome::Emit { event, .. } => Some(event.clone()),
            _ => None,
        };
        let stray: Vec<String> = self
            .events
            .iter()
            .flat_map(|(name, events)| {
                events
                    .iter()
                    .filter(|(event, _)| Some(event) != expected.as_ref())
                    .map(move |(event, _)| {
                        format!("{name} also received {event:?}, which this step did not send")
                    })
            })
            .collect();
        self.mismatches.extend(stray);
        StepReport {
            line: self.line,
            code: self.code,
            outcome,
            server_log: self.server_log,
            mismatches: self.mismatches,
        }
    }
}

impl Engine {
    /// Starts a server listening on `addr` (loopback port 0 unless the user
    /// asked otherwise), with these namespaces.
    pub async fn start(addr: SocketAddr, namespaces: &BTreeSet<String>) -> anyhow::Result<Engine> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("could not listen on {addr}"))?;
        let (server, notices) = Server::start(listener, namespaces).await?;
        Ok(Engine {
            url: server.url(),
            server,
            notices,
            members: BTreeMap::new(),
            departing: BTreeMap::new(),
            seq: 0,
        })
    }

    /// Runs one statement and reports what happened. An `Err` means the
    /// engine itself failed (a hang, a lost connection), not the script.
    pub async fn step(&mut self, statement: &Statement) -> anyhow::Result<StepReport> {
        for ns in statement.namespaces() {
            self.server.ensure_namespace(ns);
        }
        if let StatementKind::Connect { .. } = statement.kind {
            let mut reports = self.connect_all(&[statement]).await?;
            return Ok(reports.remove(0));
        }
        let mut trace = Trace::new(statement);
        let outcome = match &statement.kind {
            StatementKind::Connect { .. } => unreachable!("handled above"),
            StatementKind::Disconnect { name } => self.client_disconnect(name, &mut trace).await?,
            StatementKind::Use { ns, key, value } => {
                self.server.add_middleware(ns, key, value);
                Outcome::Middleware { ns: ns.clone() }
            }
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
            StatementKind::ClientEmit { name, event, args } => {
                self.client_emit(name, event, args, &mut trace).await?
            }
        };
        Ok(trace.report(outcome))
    }

    /// Runs `connect` statements, opening their clients at once. Each is
    /// reported as if run alone: a connect waits only for its own admission,
    /// and middlewares cannot change in between. A repeated name starts a
    /// new batch, since its outcome depends on the first one's.
    pub async fn connect_all(
        &mut self,
        statements: &[&Statement],
    ) -> anyhow::Result<Vec<StepReport>> {
        let mut reports = Vec::with_capacity(statements.len());
        let mut rest = statements;
        while !rest.is_empty() {
            let mut names = BTreeSet::new();
            let distinct = rest
                .iter()
                .take_while(|s| names.insert(connect_parts(s).0))
                .count();
            let (now, later) = rest.split_at(distinct.max(1));
            reports.extend(self.connect_batch(now).await?);
            rest = later;
        }
        Ok(reports)
    }

    /// `connect_all` for statements with distinct names.
    async fn connect_batch(
        &mut self,
        statements: &[&Statement],
    ) -> anyhow::Result<Vec<StepReport>> {
        for ns in statements.iter().flat_map(|s| s.namespaces()) {
            self.server.ensure_namespace(ns);
        }
        let url = self.url.clone();
        let openings = statements.iter().map(|s| {
            let (name, ns, auth) = connect_parts(s);
            let already = self.is_connected(name);
            let url = url.clone();
            async move {
                if already {
                    return None;
                }
                let opened = SimClient::connect(&url, name, ns, handshake_auth(name, auth))
                    .await
                    .with_context(|| format!("line {}: connecting {name}", s.line));
                Some(opened)
            }
        });
        let opened: Vec<Option<anyhow::Result<(SimClient, Admission)>>> =
            futures_util::stream::iter(openings)
                .buffered(CONNECTS_AT_ONCE)
                .collect()
                .await;
        let mut traces: Vec<Trace> = statements.iter().map(|s| Trace::new(s)).collect();
        // Each connection handler logs once: give the line to its own statement.
        while let Ok(notice) = self.notices.try_recv() {
            match notice {
                Notice::Connected { name } => {
                    match statements.iter().position(|s| connect_parts(s).0 == name) {
                        Some(i) => traces[i].server_log.push(CONNECTED_LOG.to_owned()),
                        None => traces[0].mismatch(format!(
                            "the server admitted {name}, which nobody connected"
                        )),
                    }
                }
                other => {
                    let what = format!("{other:?}");
                    self.absorb(other, &mut traces[0]);
                    traces[0].mismatch(format!("unexpected while connecting: {what}"));
                }
            }
        }
        let mut reports = Vec::with_capacity(statements.len());
        for ((statement, opened), mut trace) in statements.iter().zip(opened).zip(traces) {
            let (name, ns, _) = connect_parts(statement);
            let outcome = match opened {
                None => Outcome::Error(format!("client {name} is already connected")),
                Some(opened) => {
                    let (client, admission) = opened?;
                    self.admit(name, ns, client, admission, &mut trace).await
                }
            };
            reports.push(trace.report(outcome));
        }
        Ok(reports)
    }

    /// Starts an engine, runs `work` on it, and shuts it down even when the
    /// work failed, so that no task or connection outlives a run. The work's
    /// own error, if any, is the one returned.
    pub async fn run<T>(
        addr: SocketAddr,
        namespaces: &BTreeSet<String>,
        work: impl AsyncFnOnce(&mut Engine) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut engine = Engine::start(addr, namespaces).await?;
        let result = work(&mut engine).await;
        let shutdown = engine.shutdown().await;
        let value = result?;
        shutdown?;
        Ok(value)
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

    /// Every client of the run as the server knows it now: its namespace
    /// and rooms come from the server's sockets, not from the script.
    fn snapshot(&self, trace: &mut Trace) -> Snapshot {
        let mut on_server = self.server.rooms();
        let mut snapshot = Snapshot::new();
        for (name, member) in &self.members {
            let view = match member {
                Member::Connected(_) => match on_server.remove(name) {
                    Some((ns, rooms)) => View::Connected { ns, rooms },
                    None => {
                        trace.mismatch(format!(
                            "{name} is connected on its side, but the server has no socket for it"
                        ));
                        View::Absent(Absence::Vanished)
                    }
                },
                Member::Absent(why) => View::Absent(why.clone()),
            };
            snapshot.insert(name.clone(), view);
        }
        for name in on_server.into_keys() {
            trace.mismatch(format!(
                "the server has a socket for {name}, which is not connected on its side"
            ));
        }
        snapshot
    }

    /// Records an opened client as connected or refused, checking the
    /// client's view against the server's.
    async fn admit(
        &mut self,
        name: &str,
        ns: &str,
        client: SimClient,
        admission: Admission,
        trace: &mut Trace,
    ) -> Outcome {
        let on_server = self.server.socket(name).is_some();
        let error = match admission {
            Admission::Admitted => {
                if !on_server {
                    trace.mismatch(format!(
                        "{name} was welcomed, but the server has no socket for it"
                    ));
                }
                self.members
                    .insert(name.to_owned(), Member::Connected(client));
                None
            }
            Admission::Rejected(message) => {
                if on_server {
                    trace.mismatch(format!(
                        "{name} got connect_error, but the server admitted it"
                    ));
                }
                // Its connection stays open after a refusal; close it.
                client.disconnect().await.ok();
                self.members.insert(
                    name.to_owned(),
                    Member::Absent(Absence::Rejected(message.clone())),
                );
                Some(message)
            }
        };
        Outcome::Connect {
            name: name.to_owned(),
            ns: ns.to_owned(),
            error,
        }
    }

    /// `disconnect NAME`: the client leaves by itself.
    async fn client_disconnect(
        &mut self,
        name: &str,
        trace: &mut Trace,
    ) -> anyhow::Result<Outcome> {
        let Some(Member::Connected(client)) = self.members.get(name) else {
            return Ok(not_connected(name));
        };
        client.disconnect().await?;
        // The server handles the DISCONNECT packet on its own time: wait for it.
        while !trace.disconnected.contains_key(name) {
            let notice = self.next_notice(name, " to disconnect").await?;
            self.absorb(notice, trace);
        }
        // It closed its own connection: there is no server packet to wait for.
        self.departing.remove(name);
        let others: Vec<String> = trace
            .disconnected
            .keys()
            .filter(|n| *n != name)
            .cloned()
            .collect();
        for other in others {
            trace.mismatch(format!(
                "{other} was disconnected too, though only {name} left"
            ));
        }
        if let Some(d) = trace.disconnected.get_mut(name) {
            d.client = "io client disconnect".to_owned();
        }
        self.settle(None, trace).await?;
        Ok(Outcome::Disconnected(trace.disconnected.clone()))
    }

    /// `NAME> socket.emit(…)`: the client emits, the server's handler acts.
    async fn client_emit(
        &mut self,
        name: &str,
        event: &str,
        args: &[Value],
        trace: &mut Trace,
    ) -> anyhow::Result<Outcome> {
        let Some(Member::Connected(client)) = self.members.get(name) else {
            return Ok(not_connected(name));
        };
        if let Some(refusal) = protocol::refusal(event) {
            // The JavaScript client throws before sending.
            return Ok(Outcome::Error(refusal.to_string()));
        }
        let before = self.snapshot(trace);
        client.emit(event, args).await?;
        match self.handled(name, trace).await? {
            Handled::NoHandler { event } => {
                self.settle(None, trace).await?;
                let ns = match before.get(name) {
                    Some(View::Connected { ns, .. }) => ns.clone(),
                    _ => "/".to_owned(),
                };
                Ok(Outcome::Unhandled { ns, event })
            }
            Handled::Ran { action, result } => {
                self.outcome_of(Some(name), &action, &before, result, trace)
                    .await
            }
        }
    }

    /// Waits for the server to finish handling `name`'s event.
    async fn handled(&mut self, name: &str, trace: &mut Trace) -> anyhow::Result<Handled> {
        loop {
            match self.next_notice(name, "'s event to be handled").await? {
                Notice::Handled { name: by, outcome } => {
                    if by != name {
                        trace.mismatch(format!(
                            "the server handled an event of {by}, not of {name}"
                        ));
                    }
                    return Ok(outcome);
                }
                other => self.absorb(other, trace),
            }
        }
    }

    async fn next_notice(&mut self, name: &str, what: &str) -> anyhow::Result<Notice> {
        match timeout(WAIT_BOUND, self.notices.recv()).await {
            Ok(Some(notice)) => Ok(notice),
            Ok(None) => Err(anyhow!("the server stopped while waiting for {name}{what}")),
            Err(_) => Err(anyhow!(
                "waited {} for {name}{what}; the server never said",
                wait_bound()
            )),
        }
    }

    /// Takes in the notices already sent by the server's handlers.
    fn absorb_notices(&mut self, trace: &mut Trace) {
        while let Ok(notice) = self.notices.try_recv() {
            self.absorb(notice, trace);
        }
    }

    fn absorb(&mut self, notice: Notice, trace: &mut Trace) {
        match notice {
            Notice::Connected { name } => {
                trace.mismatch(format!("the server admitted {name} outside a connect"));
            }
            Notice::Disconnected {
                name,
                reason,
                rooms,
            } => {
                trace.server_log.push(DISCONNECTED_LOG.to_owned());
                if !self.is_connected(&name) {
                    trace.mismatch(format!(
                        "the server disconnected {name}, which is not connected on its side"
                    ));
                    return;
                }
                let absent = Member::Absent(Absence::Disconnected {
                    code: trace.code.clone(),
                });
                if let Some(Member::Connected(client)) = self.members.insert(name.clone(), absent) {
                    // Kept until its own side of the disconnection is observed.
                    self.departing.insert(name.clone(), client);
                }
                trace.disconnected.insert(
                    name,
                    Disconnection {
                        client: String::new(),
                        server: reason.to_owned(),
                        rooms_left: rooms,
                    },
                );
            }
            // Only one client event is in flight at a time; see `handled`.
            Notice::Handled { name, .. } => {
                trace.mismatch(format!(
                    "the server handled an event of {name} nobody waited for"
                ));
            }
        }
    }

    /// The report of a server-side action that ran (or failed) with `result`,
    /// `before` being the server's state before it.
    async fn outcome_of(
        &mut self,
        sender: Option<&str>,
        expr: &Expr,
        before: &Snapshot,
        result: Result<(), String>,
        trace: &mut Trace,
    ) -> anyhow::Result<Outcome> {
        // Disconnections happen inside the action: take their notices first.
        self.absorb_notices(trace);
        if let Err(message) = result {
            self.settle(None, trace).await?;
            return Ok(Outcome::Error(message));
        }
        let sender_ns = sender.and_then(|s| match before.get(s) {
            Some(View::Connected { ns, .. }) => Some(ns.as_str()),
            _ => None,
        });
        let selection = selection(sender, sender_ns, expr);
        let emitted = emitted(expr);
        // Each disconnected client's own side: the server's DISCONNECT packet.
        for (name, mut client) in std::mem::take(&mut self.departing) {
            let before_close = client
                .until_closed()
                .await
                .with_context(|| format!("waiting for {name} to see its disconnection"))?;
            trace.record(&name, &before_close, emitted.as_ref());
            if let Some(d) = trace.disconnected.get_mut(&name) {
                d.client = "io server disconnect".to_owned();
            }
            // Close the client's transport too; the server already let go.
            client.disconnect().await.ok();
        }
        self.settle(emitted.as_ref(), trace).await?;
        Ok(match expr {
            Expr::Socket(SocketAction::Emit { .. })
            | Expr::Broadcast {
                action: BroadcastAction::Emit { .. },
                ..
            } => {
                let event = emitted.map(|(event, _)| event).unwrap_or_default();
                deliveries(event, before, &selection, trace)
            }
            Expr::Socket(SocketAction::Join(_) | SocketAction::Leave(_)) => {
                let name = sender.unwrap_or_default().to_owned();
                let rooms = self
                    .server
                    .socket(&name)
                    .map(|s| rooms_of(&s).into_iter().collect())
                    .unwrap_or_default();
                Outcome::Rooms(BTreeMap::from([(name, rooms)]))
            }
            Expr::Broadcast {
                action: BroadcastAction::SocketsJoin(_) | BroadcastAction::SocketsLeave(_),
                ..
            } => Outcome::Rooms(
                self.server
                    .rooms()
                    .into_iter()
                    .map(|(name, (_, rooms))| (name, rooms.into_iter().collect()))
                    .collect(),
            ),
            Expr::Socket(SocketAction::Disconnect { .. })
            | Expr::Broadcast {
                action: BroadcastAction::DisconnectSockets { .. },
                ..
            } => {
                let predicted = explain::reached(before, &selection);
                let actual: BTreeSet<String> = trace.disconnected.keys().cloned().collect();
                if predicted != actual {
                    trace.mismatch(format!(
                        "the server's state predicted {predicted:?} would be disconnected, but {actual:?} were"
                    ));
                }
                Outcome::Disconnected(trace.disconnected.clone())
            }
        })
    }

    /// The ordered sync: the server sends every connected socket a fresh
    /// sequence number; what each client got before it is this step's.
    async fn settle(
        &mut self,
        emitted: Option<&(String, Vec<Value>)>,
        trace: &mut Trace,
    ) -> anyhow::Result<()> {
        self.seq += 1;
        let seq = self.seq;
        let (sent, failed) = self.server.sync(seq);
        for name in failed {
            trace.mismatch(format!("the server could not send its sync to {name}"));
        }
        for name in sent {
            let Some(Member::Connected(client)) = self.members.get_mut(&name) else {
                trace.mismatch(format!(
                    "the server has a socket for {name}, which is not connected on its side"
                ));
                continue;
            };
            let got = client
                .until_sync(seq)
                .await
                .with_context(|| format!("waiting for {name} to receive the step's sync"))?;
            trace.record(&name, &got, emitted);
        }
        self.absorb_notices(trace);
        Ok(())
    }
}

/// An emit's deliveries: every client of the run, as observed, with the
/// reason from the server's state for each one left out.
fn deliveries(
    event: String,
    before: &Snapshot,
    selection: &Selection,
    trace: &mut Trace,
) -> Outcome {
    let mut deliveries = BTreeMap::new();
    for (name, verdict) in explain::select(before, selection) {
        let got: Vec<Vec<Value>> = trace
            .events
            .get(&name)
            .into_iter()
            .flatten()
            .filter(|(e, _)| *e == event)
            .map(|(_, args)| args.clone())
            .collect();
        if got.len() > 1 {
            trace.mismatch(format!(
                "{name} received {event:?} {} times, not once",
                got.len()
            ));
        }
        let delivery = match (got.into_iter().next(), verdict) {
            (Some(args), Ok(())) => Delivery::Received(args),
            (Some(args), Err(reason)) => {
                trace.mismatch(format!(
                    "{name} received {event:?}, but the server's state says it should not have ({reason:?})"
                ));
                Delivery::Received(args)
            }
            (None, Ok(())) => {
                trace.mismatch(format!(
                    "{name} did not receive {event:?}, but the server's state says it should have"
                ));
                Delivery::Missed(Reason::NotDelivered)
            }
            (None, Err(reason)) => Delivery::Missed(reason),
        };
        deliveries.insert(name, delivery);
    }
    Outcome::Emit { event, deliveries }
}

fn not_connected(name: &str) -> Outcome {
    Outcome::Error(format!("client {name} is not connected"))
}

/// The name, namespace and extra auth of a `connect` statement.
fn connect_parts(statement: &Statement) -> (&str, &str, &serde_json::Map<String, Value>) {
    match &statement.kind {
        StatementKind::Connect { name, ns, auth } => (name, ns, auth),
        other => unreachable!("connect_all is given connects only, not {other:?}"),
    }
}

/// The handshake auth of `connect NAME {extra}`: `{name: NAME, ...extra}`,
/// as JavaScript's spread writes it (so `extra` may override `name`).
fn handshake_auth(name: &str, extra: &serde_json::Map<String, Value>) -> Value {
    let mut auth = serde_json::Map::new();
    auth.insert("name".to_owned(), Value::String(name.to_owned()));
    auth.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(auth)
}

/// The event and arguments an action emits, if it emits.
fn emitted(expr: &Expr) -> Option<(String, Vec<Value>)> {
    let (event, args) = match expr {
        Expr::Socket(SocketAction::Emit { event, args })
        | Expr::Broadcast {
            action: BroadcastAction::Emit { event, args },
            ..
        } => (event, args),
        _ => return None,
    };
    Some((
        event.lit()?.clone(),
        args.iter()
            .map(|a| a.lit().cloned().unwrap_or(Value::Null))
            .collect(),
    ))
}

/// Which sockets an expression is for, from the sender's point of view.
fn selection(sender: Option<&str>, sender_ns: Option<&str>, expr: &Expr) -> Selection {
    let sender_ns = sender_ns.unwrap_or("/").to_owned();
    match expr {
        Expr::Socket(_) => Selection {
            ns: sender_ns,
            pick: Pick::Only(sender.unwrap_or_default().to_owned()),
        },
        Expr::Broadcast {
            scope, to, except, ..
        } => {
            let rooms = |list: &Vec<Arg<Vec<String>>>| {
                list.iter()
                    .filter_map(|a| a.lit())
                    .flatten()
                    .cloned()
                    .collect::<BTreeSet<String>>()
            };
            let (ns, excluded_sender) = match scope {
                Scope::Namespace(ns) => (ns.clone(), None),
                Scope::SenderNamespace => (sender_ns, None),
                Scope::SenderExcluded => (sender_ns, sender.map(str::to_owned)),
            };
            Selection {
                ns,
                pick: Pick::Broadcast {
                    excluded_sender,
                    to: rooms(to),
                    except: rooms(except),
                },
            }
        }
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
        let mut engine = Engine::start(addr, &BTreeSet::from(["/".to_owned()]))
            .await
            .unwrap();
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
