//! Opening clients: a run of `connect` statements at once, each reported
//! as if run alone, and each admission checked against the server's.

use std::collections::BTreeSet;

use anyhow::Context as _;
use futures_util::StreamExt as _;
use serde_json::Value;

use super::trace::Trace;
use super::{Engine, Member};
use crate::client::{Admission, SimClient};
use crate::report::{Absence, Outcome, StepReport};
use crate::script::{Statement, StatementKind};
use crate::server::Notice;

/// The connection handler's log line (the chat example's `console.log`).
pub(super) const CONNECTED_LOG: &str = "a user connected";
/// How many connections a run of `connect` statements opens at once.
pub(super) const CONNECTS_AT_ONCE: usize = 64;

impl Engine {
    /// Runs `connect` statements, opening their clients at once. Each is
    /// reported as if run alone: a connect waits only for its own admission,
    /// and middlewares cannot change in between. A repeated name starts a
    /// new batch, since its outcome depends on the first one's.
    pub(super) async fn connect_all(
        &mut self,
        statements: &[Statement],
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
    async fn connect_batch(&mut self, statements: &[Statement]) -> anyhow::Result<Vec<StepReport>> {
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
        let mut traces: Vec<Trace> = statements.iter().map(Trace::new).collect();
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

    /// Records an opened client as connected or refused, checking the
    /// client's view against the server's.
    pub(super) async fn admit(
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
