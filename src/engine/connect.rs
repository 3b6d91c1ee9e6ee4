//! Opening clients: a run of `connect` statements at once, each reported
//! as if run alone, and each admission checked against the server's.

use std::collections::BTreeSet;

use anyhow::Context as _;
use futures_util::StreamExt as _;
use serde_json::Value;

use super::outcome::{emitted, hook_emits, hook_outcome};
use super::trace::Trace;
use super::{Engine, Participant};
use crate::client::{Admission, SimClient};
use crate::report::{Absence, Hook, HookRun, Outcome, StepReport};
use crate::script::{Action, Statement, StatementKind};
use crate::server::{HookResult, Notice};

/// How many connections a run of `connect` statements opens at once.
pub(super) const CONNECTS_AT_ONCE: usize = 64;

impl Engine {
    /// Runs `connect` statements, opening their clients at once. Each is
    /// reported as if run alone: a connect waits only for its own admission,
    /// and middlewares cannot change in between. A repeated name starts a
    /// new batch, since its outcome depends on the first one's; a namespace
    /// with a connection handler, whose effects are the step's, and a name
    /// connecting again (what it gets on coming back is the step's
    /// observation) each run alone.
    pub(super) async fn connect_all(
        &mut self,
        statements: &[Statement],
    ) -> anyhow::Result<Vec<StepReport>> {
        // Clients that cannot fit in the descriptor limit are refused now,
        // in words, rather than left waiting on sockets that never open.
        use crate::server::descriptors::{Demand, ensure_room};
        if let Err(refusal) = ensure_room(statements.len(), Demand::More) {
            let refused = |s| Trace::new(s).report(Outcome::Error(refusal.to_string()));
            return Ok(statements.iter().map(refused).collect());
        }
        for statement in statements {
            if !self.is_connected(connect_parts(statement).0) {
                self.links.remember(statement);
            }
        }
        let mut reports = Vec::with_capacity(statements.len());
        let mut rest = statements;
        while !rest.is_empty() {
            let mut names = BTreeSet::new();
            let hooked = |s: &Statement| {
                let (name, ns, _) = connect_parts(s);
                self.cluster.has_hook(ns, Hook::Connection)
                    || matches!(self.members.get(name), Some(Participant::Absent(_)))
            };
            if hooked(&rest[0]) {
                reports.push(self.connect_alone(&rest[0]).await?);
                rest = &rest[1..];
                continue;
            }
            let distinct = rest
                .iter()
                .take_while(|s| names.insert(connect_parts(s).0) && !hooked(s))
                .count();
            let (now, later) = rest.split_at(distinct.max(1));
            reports.extend(self.connect_batch(now).await?);
            rest = later;
        }
        Ok(reports)
    }

    /// Opens a client, unless its name is connected already.
    async fn open(
        &self,
        statement: &Statement,
        order: u64,
    ) -> Option<anyhow::Result<(SimClient, Admission)>> {
        let (name, ns, auth) = connect_parts(statement);
        if self.is_connected(name) {
            return None;
        }
        let label = statement.server.as_deref();
        let Some(url) = self.cluster.url(label) else {
            return Some(Err(anyhow::anyhow!(
                "line {}: no server is labelled {}",
                statement.line,
                label.unwrap_or_default()
            )));
        };
        let auth = handshake_auth(name, auth);
        let opened = SimClient::connect_in_order(&url, name, ns, auth, Some(order))
            .await
            .with_context(|| format!("line {}: connecting {name}", statement.line));
        Some(opened)
    }

    /// `connect_all` for statements with distinct names, in namespaces
    /// without a connection handler.
    async fn connect_batch(&mut self, statements: &[Statement]) -> anyhow::Result<Vec<StepReport>> {
        let first = self.opened;
        self.opened += statements.len() as u64;
        let opened: Vec<Option<anyhow::Result<(SimClient, Admission)>>> =
            futures_util::stream::iter(
                (first..)
                    .zip(statements)
                    .map(|(order, s)| self.open(s, order)),
            )
            .buffered(CONNECTS_AT_ONCE)
            .collect()
            .await;
        let mut traces: Vec<Trace> = statements.iter().map(Trace::new).collect();
        let admitted: BTreeSet<&str> = statements
            .iter()
            .zip(&opened)
            .filter(|(_, o)| matches!(o, Some(Ok((_, Admission::Admitted)))))
            .map(|(s, _)| connect_parts(s).0)
            .collect();
        // Each admitted socket's connection handler says when it is done.
        let mut heard = BTreeSet::new();
        while heard.len() < admitted.len() {
            match self.next_notice("the clients", " to be admitted").await? {
                Notice::Connected { name, .. } if admitted.contains(name.as_str()) => {
                    heard.insert(name);
                }
                Notice::Connected { name, .. } => traces[0].mismatch(format!(
                    "the server admitted {name}, which nobody connected"
                )),
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
                    let server = statement.server.clone();
                    self.admit(name, ns, server, client, admission, &mut trace)
                        .await
                }
            };
            reports.push(trace.report(outcome));
        }
        Ok(reports)
    }

    /// One `connect` on its own, with the step's sync: what its namespace's
    /// connection handler did (its emits, an error, a disconnection), and
    /// whatever reached a client meanwhile, are this step's.
    pub(super) async fn connect_alone(
        &mut self,
        statement: &Statement,
    ) -> anyhow::Result<StepReport> {
        let (name, ns, _) = connect_parts(statement);
        let mut trace = Trace::new(statement);
        self.opened += 1;
        let (client, admission) = match self.open(statement, self.opened - 1).await {
            None => {
                let outcome = Outcome::Error(format!("client {name} is already connected"));
                return Ok(trace.report(outcome));
            }
            Some(opened) => opened?,
        };
        let server = statement.server.clone();
        if admission != Admission::Admitted {
            let outcome = self
                .admit(name, ns, server, client, admission, &mut trace)
                .await;
            return Ok(trace.report(outcome));
        }
        // The handler runs after the welcome: the member exists before its
        // notices (a disconnection, say) arrive.
        self.members
            .insert(name.to_owned(), Participant::Connected(client));
        if let Some(label) = &server {
            self.homes.insert(name.to_owned(), label.clone());
        }
        let hook = loop {
            match self
                .next_notice(name, "'s connection handler to finish")
                .await?
            {
                Notice::Connected { name: by, hook, .. } if by == name => break hook,
                other => self.absorb(other, &mut trace),
            }
        };
        self.absorb_notices(&mut trace);
        self.await_hooks(&mut trace).await?;
        let mut sent: Vec<(String, Vec<Value>)> = match &hook {
            Some(HookResult {
                action: Action::Expr(expr),
                result: Ok(()),
            }) => emitted(expr).into_iter().collect(),
            _ => Vec::new(),
        };
        sent.extend(hook_emits(&trace));
        self.see_departures(&sent, &mut trace).await?;
        self.settle(&sent, &mut trace).await?;
        let mut outcome = Outcome::Connect {
            name: name.to_owned(),
            ns: ns.to_owned(),
            server,
            error: None,
            error_data: None,
            no_namespace: false,
        };
        if let Some(run) = &hook {
            if let Err(message) = &run.result {
                // The client stays connected; the error takes the connect's line.
                outcome = Outcome::Error(message.clone());
            } else {
                let state = self.snapshot(&mut trace);
                let origin = self.origin(None, Some(name));
                let hook = (Hook::Connection, name, ns);
                if let Some(done) = hook_outcome(hook, origin, run, &state, &mut trace) {
                    trace.hooks.push(HookRun {
                        hook: Hook::Connection,
                        ns: ns.to_owned(),
                        outcome: done,
                    });
                }
            }
        }
        self.hook_outcomes(&mut trace);
        if !trace.disconnected.is_empty() {
            let gone = Outcome::Disconnected(trace.disconnected.clone());
            trace.hooks.push(HookRun {
                hook: Hook::Connection,
                ns: ns.to_owned(),
                outcome: gone,
            });
        }
        self.unseen_departures(&mut trace).await;
        Ok(trace.report(outcome))
    }

    /// Records an opened client as connected or refused, checking the
    /// client's view against the server's.
    pub(super) async fn admit(
        &mut self,
        name: &str,
        ns: &str,
        server: Option<String>,
        client: SimClient,
        admission: Admission,
        trace: &mut Trace,
    ) -> Outcome {
        let on_server = self.cluster.has_socket(name);
        let no_namespace = !self.cluster.has_namespace(ns);
        let mut error_data = None;
        let error = match admission {
            Admission::Admitted => {
                if !on_server {
                    trace.mismatch(format!(
                        "{name} was welcomed, but the server has no socket for it"
                    ));
                }
                self.members
                    .insert(name.to_owned(), Participant::Connected(client));
                if let Some(label) = &server {
                    self.homes.insert(name.to_owned(), label.clone());
                }
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
                // v3: socketioxide sends no `err.data`; the server kept it.
                error_data = self.cluster.take_refusal_data(name);
                let why = if no_namespace {
                    Absence::NoNamespace { ns: ns.to_owned() }
                } else {
                    Absence::Rejected(message.clone())
                };
                self.members
                    .insert(name.to_owned(), Participant::Absent(why));
                Some(message)
            }
        };
        Outcome::Connect {
            name: name.to_owned(),
            ns: ns.to_owned(),
            server,
            error,
            error_data,
            no_namespace,
        }
    }
}

/// The name, namespace and extra auth of a `connect` statement.
pub(super) fn connect_parts(
    statement: &Statement,
) -> (&str, &str, &serde_json::Map<String, Value>) {
    match &statement.kind {
        StatementKind::Connect { name, ns, auth } => (name, ns, auth),
        other => unreachable!("connect_all is given connects only, not {other:?}"),
    }
}

/// The handshake auth of `connect NAME {extra}`: `{name: NAME, ...extra}`,
/// as JavaScript's spread writes it (so `extra` may override `name`).
pub(super) fn handshake_auth(name: &str, extra: &serde_json::Map<String, Value>) -> Value {
    let mut auth = serde_json::Map::new();
    auth.insert("name".to_owned(), Value::String(name.to_owned()));
    auth.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    Value::Object(auth)
}
