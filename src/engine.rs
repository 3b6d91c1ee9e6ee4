//! The engine: runs statements one by one on the live server with real
//! clients, and reports for each what the clients observed, why the others
//! got nothing, and where that disagrees with the server's own state.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{Context as _, anyhow, bail};
use futures_util::StreamExt as _;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::timeout;

use crate::client::{Admission, Inbound, SimClient, WAIT_BOUND, decode};
use crate::explain::{self, Pick, Selection, Snapshot, View};
use crate::report::{Absence, Delivery, Disconnection, Outcome, StepReport};
use crate::script::{
    Arg, BroadcastAction, Expr, Scope, SocketAction, Statement, StatementKind, is_reserved,
};
use crate::server::{Handled, Notice, Server};

/// A client of the run: every name some `connect` has used.
enum Member {
    Connected { client: SimClient, ns: String },
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

/// What one step observed, before it becomes a report.
#[derive(Default)]
struct Observed {
    /// Decoded events per client, in arrival order.
    events: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    server_log: Vec<String>,
    /// Disconnections the server's handlers reported.
    disconnected: BTreeMap<String, Disconnection>,
}

impl Engine {
    /// Starts a server on a loopback port of its own, with these namespaces.
    pub async fn start(namespaces: &BTreeSet<String>) -> anyhow::Result<Engine> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), namespaces).await
    }

    /// Starts a server bound to `addr`.
    pub async fn start_on(
        addr: SocketAddr,
        namespaces: &BTreeSet<String>,
    ) -> anyhow::Result<Engine> {
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
        let mut observed = Observed::default();
        let mut mismatches = Vec::new();
        let outcome = match &statement.kind {
            StatementKind::Connect { name, ns, auth } => {
                self.connect(
                    name,
                    ns,
                    auth,
                    statement.line,
                    &mut observed,
                    &mut mismatches,
                )
                .await?
            }
            StatementKind::Disconnect { name } => {
                self.client_disconnect(name, statement.line, &mut observed)
                    .await?
            }
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
            StatementKind::Server { socket, expr } => {
                if let Some(name) = socket
                    && !self.is_connected(name)
                {
                    return Ok(error_report(
                        statement,
                        format!("client {name} is not connected"),
                    ));
                }
                let before = self.snapshot();
                let sender = socket.as_deref().and_then(|name| self.server.socket(name));
                let result = self.server.perform(sender.as_ref(), expr).await;
                self.outcome_of(
                    socket.as_deref(),
                    expr,
                    &before,
                    result,
                    statement.line,
                    &mut observed,
                    &mut mismatches,
                )
                .await?
            }
            StatementKind::ClientEmit { name, event, args } => {
                if !self.is_connected(name) {
                    return Ok(error_report(
                        statement,
                        format!("client {name} is not connected"),
                    ));
                }
                if is_reserved(event) {
                    // The JavaScript client throws before sending.
                    return Ok(error_report(
                        statement,
                        format!("\"{event}\" is a reserved event name"),
                    ));
                }
                let before = self.snapshot();
                self.member_client(name)?.emit(event, args).await?;
                match self.handled(name, statement.line, &mut observed).await? {
                    Handled::NoHandler { event } => {
                        self.settle(None, statement.line, &mut observed).await?;
                        let ns = match before.get(name) {
                            Some(View::Connected { ns, .. }) => ns.clone(),
                            _ => "/".to_owned(),
                        };
                        Outcome::Unhandled { ns, event }
                    }
                    Handled::Ran { action, result } => {
                        self.outcome_of(
                            Some(name),
                            &action,
                            &before,
                            result,
                            statement.line,
                            &mut observed,
                            &mut mismatches,
                        )
                        .await?
                    }
                }
            }
        };
        note_unexpected(&outcome, &observed, &mut mismatches);
        Ok(StepReport {
            line: statement.line,
            code: statement.code.clone(),
            outcome,
            server_log: observed.server_log,
            mismatches,
        })
    }

    /// Disconnects every client and stops the server.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let clients: Vec<SimClient> = std::mem::take(&mut self.members)
            .into_values()
            .filter_map(|m| match m {
                Member::Connected { client, .. } => Some(client),
                Member::Absent(_) => None,
            })
            .collect();
        let closing = clients.iter().map(|c| c.disconnect());
        // Best effort: the server closes whatever a client failed to.
        let _ = futures_util::future::join_all(closing).await;
        self.server.shutdown().await
    }

    fn is_connected(&self, name: &str) -> bool {
        matches!(self.members.get(name), Some(Member::Connected { .. }))
    }

    fn member_client(&mut self, name: &str) -> anyhow::Result<&mut SimClient> {
        match self.members.get_mut(name) {
            Some(Member::Connected { client, .. }) => Ok(client),
            _ => bail!("client {name} is not connected"),
        }
    }

    /// Every client of the run as the server knows it now.
    fn snapshot(&self) -> Snapshot {
        let mut rooms = self.server.rooms();
        self.members
            .iter()
            .map(|(name, member)| {
                let view = match member {
                    Member::Connected { ns, .. } => match rooms.remove(name) {
                        Some((_, rooms)) => View::Connected {
                            ns: ns.clone(),
                            rooms,
                        },
                        // The server dropped it without the engine noticing yet.
                        None => View::Absent(Absence::Disconnected { line: 0 }),
                    },
                    Member::Absent(why) => View::Absent(why.clone()),
                };
                (name.clone(), view)
            })
            .collect()
    }

    async fn connect(
        &mut self,
        name: &str,
        ns: &str,
        extra: &serde_json::Map<String, Value>,
        line: usize,
        observed: &mut Observed,
        mismatches: &mut Vec<String>,
    ) -> anyhow::Result<Outcome> {
        if self.is_connected(name) {
            return Ok(Outcome::Error(format!(
                "client {name} is already connected"
            )));
        }
        let (client, admission) = open(&self.url, name, ns, extra)
            .await
            .with_context(|| format!("line {line}: connecting {name}"))?;
        self.absorb_notices(line, observed);
        Ok(self.admit(name, ns, client, admission, mismatches).await)
    }

    /// Runs consecutive `connect` statements for distinct names at once, and
    /// reports each as if run alone: a connect waits only for its own
    /// admission, and middlewares cannot change in between. A statement that
    /// is not a connect, or repeats a name, is run on its own with `step`.
    pub async fn connect_all(
        &mut self,
        statements: &[&Statement],
    ) -> anyhow::Result<Vec<StepReport>> {
        const AT_ONCE: usize = 64;
        let mut names = BTreeSet::new();
        let batchable = statements.iter().all(|s| match &s.kind {
            StatementKind::Connect { name, .. } => {
                !self.is_connected(name) && names.insert(name.clone())
            }
            _ => false,
        });
        if !batchable {
            let mut reports = Vec::with_capacity(statements.len());
            for statement in statements {
                reports.push(self.step(statement).await?);
            }
            return Ok(reports);
        }
        let url = self.url.clone();
        let opened: Vec<anyhow::Result<(SimClient, Admission)>> =
            futures_util::stream::iter(statements.iter().map(|s| {
                let url = url.clone();
                async move {
                    let StatementKind::Connect { name, ns, auth } = &s.kind else {
                        unreachable!("checked above: every statement is a connect")
                    };
                    open(&url, name, ns, auth)
                        .await
                        .with_context(|| format!("line {}: connecting {name}", s.line))
                }
            }))
            .buffered(AT_ONCE)
            .collect()
            .await;
        // Each connection handler logs once; give each statement its own line.
        let mut logs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        while let Ok(notice) = self.notices.try_recv() {
            match notice {
                Notice::Connected { name, .. } => {
                    logs.entry(name).or_default().push(CONNECTED_LOG.to_owned())
                }
                other => {
                    let mut observed = Observed::default();
                    self.absorb(other, statements[0].line, &mut observed);
                }
            }
        }
        let mut reports = Vec::with_capacity(statements.len());
        for (statement, opened) in statements.iter().zip(opened) {
            let StatementKind::Connect { name, ns, .. } = &statement.kind else {
                unreachable!("checked above: every statement is a connect")
            };
            let (client, admission) = opened?;
            let mut mismatches = Vec::new();
            let outcome = self
                .admit(name, ns, client, admission, &mut mismatches)
                .await;
            reports.push(StepReport {
                line: statement.line,
                code: statement.code.clone(),
                outcome,
                server_log: logs.remove(name).unwrap_or_default(),
                mismatches,
            });
        }
        Ok(reports)
    }

    /// Records an opened client as connected or refused, checking the
    /// client's view against the server's.
    async fn admit(
        &mut self,
        name: &str,
        ns: &str,
        client: SimClient,
        admission: Admission,
        mismatches: &mut Vec<String>,
    ) -> Outcome {
        let on_server = self.server.socket(name).is_some();
        let error = match admission {
            Admission::Admitted => {
                if !on_server {
                    mismatches.push(format!(
                        "{name} was welcomed, but the server has no socket for it"
                    ));
                }
                self.members.insert(
                    name.to_owned(),
                    Member::Connected {
                        client,
                        ns: ns.to_owned(),
                    },
                );
                None
            }
            Admission::Rejected(message) => {
                if on_server {
                    mismatches.push(format!(
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

    async fn client_disconnect(
        &mut self,
        name: &str,
        line: usize,
        observed: &mut Observed,
    ) -> anyhow::Result<Outcome> {
        if !self.is_connected(name) {
            return Ok(Outcome::Error(format!("client {name} is not connected")));
        }
        self.member_client(name)?.disconnect().await?;
        // The server handles the DISCONNECT packet on its own time: wait for it.
        while !observed.disconnected.contains_key(name) {
            let notice = self.next_notice(name, "to disconnect").await?;
            self.absorb(notice, line, observed);
        }
        if let Some(d) = observed.disconnected.get_mut(name) {
            d.client = "io client disconnect".to_owned();
        }
        // It closed its own connection: there is no server packet to wait for.
        self.departing.remove(name);
        self.settle(None, line, observed).await?;
        Ok(Outcome::Disconnected(observed.disconnected.clone()))
    }

    /// Waits for the server to finish handling `name`'s event.
    async fn handled(
        &mut self,
        name: &str,
        line: usize,
        observed: &mut Observed,
    ) -> anyhow::Result<Handled> {
        loop {
            match self.next_notice(name, "'s event to be handled").await? {
                Notice::Handled { outcome, .. } => return Ok(outcome),
                other => self.absorb(other, line, observed),
            }
        }
    }

    async fn next_notice(&mut self, name: &str, what: &str) -> anyhow::Result<Notice> {
        match timeout(WAIT_BOUND, self.notices.recv()).await {
            Ok(Some(notice)) => Ok(notice),
            Ok(None) => Err(anyhow!("the server stopped while waiting for {name}{what}")),
            Err(_) => Err(anyhow!(
                "waited {} s for {name}{what}; the server never said",
                WAIT_BOUND.as_secs()
            )),
        }
    }

    /// Takes in the notices already sent by the server's handlers.
    fn absorb_notices(&mut self, line: usize, observed: &mut Observed) {
        while let Ok(notice) = self.notices.try_recv() {
            self.absorb(notice, line, observed);
        }
    }

    fn absorb(&mut self, notice: Notice, line: usize, observed: &mut Observed) {
        match notice {
            Notice::Connected { .. } => observed.server_log.push(CONNECTED_LOG.to_owned()),
            Notice::Disconnected {
                name,
                reason,
                rooms,
            } => {
                observed.server_log.push("user disconnected".to_owned());
                if self.is_connected(&name) {
                    let absent = Member::Absent(Absence::Disconnected { line });
                    if let Some(Member::Connected { client, .. }) =
                        self.members.insert(name.clone(), absent)
                    {
                        // Kept until its own side of the disconnection is observed.
                        self.departing.insert(name.clone(), client);
                    }
                }
                observed.disconnected.insert(
                    name,
                    Disconnection {
                        client: String::new(),
                        server: reason.to_owned(),
                        rooms_left: rooms,
                    },
                );
            }
            // Only one client event is in flight at a time; see `handled`.
            Notice::Handled { .. } => {}
        }
    }

    /// The report of a server-side action that ran (or failed) with `result`.
    #[allow(clippy::too_many_arguments)]
    async fn outcome_of(
        &mut self,
        sender: Option<&str>,
        expr: &Expr,
        before: &Snapshot,
        result: Result<(), String>,
        line: usize,
        observed: &mut Observed,
        mismatches: &mut Vec<String>,
    ) -> anyhow::Result<Outcome> {
        // Disconnections happen inside the action: take their notices first.
        self.absorb_notices(line, observed);
        if let Err(message) = result {
            self.settle(None, line, observed).await?;
            return Ok(Outcome::Error(message));
        }
        let sender_ns = sender.and_then(|s| match before.get(s) {
            Some(View::Connected { ns, .. }) => Some(ns.clone()),
            _ => None,
        });
        let selection = selection(sender, sender_ns.as_deref(), expr);
        let emitted = emitted(expr);
        // Observe each disconnected client's side: the server's DISCONNECT packet.
        for (name, mut client) in std::mem::take(&mut self.departing) {
            let before_close = client.until_closed().await.with_context(|| {
                format!("line {line}: waiting for {name} to see its disconnection")
            })?;
            record(
                observed,
                &name,
                &before_close,
                emitted.as_ref().map(|(e, a)| (e.as_str(), a.as_slice())),
            );
            if let Some(d) = observed.disconnected.get_mut(&name) {
                d.client = "io server disconnect".to_owned();
            }
            // Close the client's transport too; the server already let go.
            client.disconnect().await.ok();
        }
        self.settle(
            emitted.as_ref().map(|(e, a)| (e.as_str(), a.as_slice())),
            line,
            observed,
        )
        .await?;
        Ok(match expr {
            Expr::Socket(SocketAction::Emit { .. })
            | Expr::Broadcast {
                action: BroadcastAction::Emit { .. },
                ..
            } => {
                let (event, _) = emitted.clone().unwrap_or_default();
                let verdicts = explain::select(before, &selection);
                let mut deliveries = BTreeMap::new();
                for (name, verdict) in verdicts {
                    let got: Vec<&Vec<Value>> = observed
                        .events
                        .get(&name)
                        .into_iter()
                        .flatten()
                        .filter(|(e, _)| *e == event)
                        .map(|(_, args)| args)
                        .collect();
                    let delivery = match (got.first(), verdict) {
                        (Some(args), Ok(())) => Delivery::Received((*args).clone()),
                        (Some(args), Err(reason)) => {
                            mismatches.push(format!(
                                "{name} received {event:?}, but the server's state says it should not have: {reason:?}"
                            ));
                            Delivery::Received((*args).clone())
                        }
                        (None, Ok(())) => {
                            mismatches.push(format!(
                                "{name} did not receive {event:?}, but the server's state says it should have"
                            ));
                            Delivery::Missed(crate::report::Reason::NotInRooms {
                                rooms: Vec::new(),
                            })
                        }
                        (None, Err(reason)) => Delivery::Missed(reason),
                    };
                    if got.len() > 1 {
                        mismatches.push(format!(
                            "{name} received {event:?} {} times, not once",
                            got.len()
                        ));
                    }
                    deliveries.insert(name, delivery);
                }
                Outcome::Emit { event, deliveries }
            }
            Expr::Socket(SocketAction::Join(_) | SocketAction::Leave(_)) => {
                let name = sender.unwrap_or_default().to_owned();
                let rooms = self
                    .server
                    .socket(&name)
                    .map(|s| crate::server::rooms_of(&s).into_iter().collect())
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
                let actual: BTreeSet<String> = observed.disconnected.keys().cloned().collect();
                if predicted != actual {
                    mismatches.push(format!(
                        "the server's state predicted {predicted:?} would be disconnected, but {actual:?} were"
                    ));
                }
                Outcome::Disconnected(observed.disconnected.clone())
            }
        })
    }

    /// The ordered sync: the server sends every connected socket a fresh
    /// sequence number; what each client got before it is this step's.
    async fn settle(
        &mut self,
        emitted: Option<(&str, &[Value])>,
        line: usize,
        observed: &mut Observed,
    ) -> anyhow::Result<()> {
        self.seq += 1;
        let seq = self.seq;
        let synced = self.server.sync(seq);
        for name in synced {
            let Some(Member::Connected { client, .. }) = self.members.get_mut(&name) else {
                bail!(
                    "line {line}: the server has a socket for {name}, which the engine does not know as connected"
                );
            };
            let got = client.until_sync(seq).await.with_context(|| {
                format!("line {line}: waiting for {name} to receive the step's sync")
            })?;
            record(observed, &name, &got, emitted);
        }
        self.absorb_notices(line, observed);
        Ok(())
    }
}

/// The connection handler's log line (the chat example's `console.log`).
const CONNECTED_LOG: &str = "a user connected";

/// Opens `name`'s client to `ns`, with its name and `extra` as handshake auth.
async fn open(
    url: &str,
    name: &str,
    ns: &str,
    extra: &serde_json::Map<String, Value>,
) -> anyhow::Result<(SimClient, Admission)> {
    let mut auth = serde_json::Map::new();
    auth.insert("name".to_owned(), Value::String(name.to_owned()));
    for (key, value) in extra {
        if key != "name" {
            auth.insert(key.clone(), value.clone());
        }
    }
    SimClient::connect(url, ns, Value::Object(auth)).await
}

/// Adds what `name` got to the step's observations, decoded as Socket.IO names it.
fn record(observed: &mut Observed, name: &str, got: &[Inbound], context: Option<(&str, &[Value])>) {
    if got.is_empty() {
        return;
    }
    observed
        .events
        .entry(name.to_owned())
        .or_default()
        .extend(got.iter().map(|inbound| decode(inbound, context)));
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

/// Any event a client got that is not the step's own is a disagreement.
fn note_unexpected(outcome: &Outcome, observed: &Observed, mismatches: &mut Vec<String>) {
    let expected = match outcome {
        Outcome::Emit { event, .. } => Some(event.as_str()),
        _ => None,
    };
    for (name, events) in &observed.events {
        for (event, _) in events {
            if Some(event.as_str()) != expected {
                mismatches.push(format!(
                    "{name} also received {event:?}, which this step did not send"
                ));
            }
        }
    }
}

fn error_report(statement: &Statement, message: String) -> StepReport {
    StepReport {
        line: statement.line,
        code: statement.code.clone(),
        outcome: Outcome::Error(message),
        server_log: Vec::new(),
        mismatches: Vec::new(),
    }
}
