//! A client's connection itself (v3): `drop NAME` cuts it under the client
//! (a network loss: no DISCONNECT packet), `reconnect NAME` brings the
//! client back as a new socket that then sends what it buffered, and an
//! emit while the connection is lost is buffered, or dropped if volatile.
//!
//! rust_socketio runs with `.reconnect(false)` (see `client.rs`): the
//! engine plays the JavaScript client's part, opening a fresh client at
//! `reconnect` and keeping its send buffer meanwhile, as the official
//! client keeps its `sendBuffer` until the CONNECT.

use std::collections::BTreeMap;

use serde_json::Value;

use super::act::{ClientEmit, disconnects};
use super::outcome::hook_emits;
use super::trace::Trace;
use super::{Engine, Participant, not_connected};
use crate::client::Listeners;
use crate::protocol;
use crate::report::{Absence, Delivery, Hook, HookRun, Outcome, StepReport};
use crate::script::{Link, Statement, StatementKind};

/// What the engine keeps of a client's connections: how each name last
/// connected, and, for a client whose connection was lost, its buffer.
#[derive(Debug, Default)]
pub(super) struct Links {
    /// Each name's latest `connect` that found it not connected.
    connects: BTreeMap<String, Statement>,
    /// The emits of each client whose connection is lost, in order.
    buffers: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    /// The listeners of each client whose connection is lost: the client
    /// that reconnects still has them (a fresh `connect` has none).
    listeners: BTreeMap<String, Listeners>,
}

impl Links {
    /// Remembers how `statement` (a `connect`) connects its client, so that
    /// a reconnection opens the same connection (namespace, auth, server).
    pub(super) fn remember(&mut self, statement: &Statement) {
        if let StatementKind::Connect { name, .. } = &statement.kind {
            self.connects.insert(name.clone(), statement.clone());
            self.buffers.remove(name);
            self.listeners.remove(name);
        }
    }
}

/// Reported for `reconnect NAME` when NAME's connection was not lost.
fn cannot_reconnect(name: &str, member: Option<&Participant>) -> Outcome {
    Outcome::Error(match member {
        Some(Participant::Connected(_)) => format!(
            "client {name} is connected: `reconnect` brings back a connection that `drop {name}` cut"
        ),
        Some(Participant::Absent(Absence::Disconnected { code })) => format!(
            "{name} left by a deliberate disconnect (`{code}`), which does not reconnect: \
             `connect {name}` opens a new connection"
        ),
        _ => format!(
            "client {name}'s connection was not lost: `reconnect {name}` follows `drop {name}`"
        ),
    })
}

impl Engine {
    /// Runs a `drop`, `reconnect` or volatile emit statement.
    pub(super) async fn link(
        &mut self,
        statement: &Statement,
        link: &Link,
    ) -> anyhow::Result<StepReport> {
        let mut trace = Trace::new(statement);
        let outcome = match link {
            Link::Reconnect { name } => return self.reconnect(statement, name).await,
            Link::Drop { name } => self.drop_connection(name, &mut trace).await?,
            Link::VolatileEmit { name, event, args } if self.is_connected(name) => {
                let emit = ClientEmit {
                    name,
                    event,
                    args,
                    ack: false,
                };
                self.client_emit(emit, &mut trace).await?
            }
            Link::VolatileEmit { name, event, .. } => self
                .offline_emit(name, event, &[], false, false)
                .unwrap_or_else(|| not_connected(name)),
        };
        self.unseen_departures(&mut trace).await;
        Ok(trace.report(outcome))
    }

    /// A client emit by a client that is not connected: `None` unless its
    /// connection is lost; then the JavaScript client's answer: an error
    /// for a reserved name, else buffered (`buffer`), or dropped.
    pub(super) fn offline_emit(
        &mut self,
        name: &str,
        event: &str,
        args: &[Value],
        ack: bool,
        buffer: bool,
    ) -> Option<Outcome> {
        let Some(Participant::Absent(Absence::Lost { .. })) = self.members.get(name) else {
            return None;
        };
        if let Some(refusal) = protocol::refusal(event) {
            return Some(Outcome::Error(refusal.to_string()));
        }
        if ack {
            return Some(Outcome::Error(format!(
                "{name}'s connection is lost: the tour buffers emits without `ack` only"
            )));
        }
        if buffer {
            let buffered = self.links.buffers.entry(name.to_owned()).or_default();
            buffered.push((event.to_owned(), args.to_vec()));
        }
        Some(Outcome::Offline {
            name: name.to_owned(),
            event: event.to_owned(),
            buffered: buffer,
        })
    }

    /// `drop NAME`: the connection is cut under the client, from the
    /// server's side of its TCP connection; the server finds the transport
    /// gone, as it does when a network fails.
    async fn drop_connection(&mut self, name: &str, trace: &mut Trace) -> anyhow::Result<Outcome> {
        if !self.is_connected(name) {
            return Ok(not_connected(name));
        }
        if !self.cluster.cut(name) {
            anyhow::bail!("the server has no connection of {name} to cut");
        }
        while !trace.disconnected.contains_key(name) {
            let notice = self.next_notice(name, "'s connection to be lost").await?;
            self.absorb(notice, trace);
        }
        // Its connection is gone: no DISCONNECT packet will come to it.
        if let Some(mut client) = self.departing.remove(name) {
            let listeners = client.take_listeners();
            self.links.listeners.insert(name.to_owned(), listeners);
            client.disconnect().await.ok();
        }
        self.await_hooks(trace).await?;
        let by_handler = trace
            .disconnect_hooks
            .iter()
            .any(|hook| disconnects(&hook.run.action));
        if !by_handler {
            for other in trace.disconnected.keys().filter(|n| *n != name) {
                trace.mismatches.push(format!(
                    "{other} was disconnected too, though only {name}'s connection was cut"
                ));
            }
        }
        if let Some(d) = trace.disconnected.get_mut(name) {
            // The JavaScript client's reason for a connection that ended.
            d.client = "transport close".to_owned();
            // socketioxide takes a TCP connection that ends without a
            // websocket close frame for a transport error; the official
            // server calls that "transport close" (README, differences).
            if d.server == "transport error" {
                d.server = "transport close".to_owned();
            }
        }
        let code = trace.code.clone();
        self.members
            .insert(name.to_owned(), Participant::Absent(Absence::Lost { code }));
        self.links.buffers.insert(name.to_owned(), Vec::new());
        let sent = hook_emits(trace);
        self.see_departures(&sent, trace).await?;
        self.settle(&sent, trace).await?;
        self.hook_outcomes(trace);
        Ok(Outcome::Disconnected(trace.disconnected.clone()))
    }

    /// `reconnect NAME`: the client opens its connection again, the way its
    /// `connect` did, and is admitted as a new socket (the connection
    /// handler runs again); then it sends what it buffered, in order, each
    /// emit's handler reported as a line of the step.
    async fn reconnect(&mut self, statement: &Statement, name: &str) -> anyhow::Result<StepReport> {
        let member = self.members.get(name);
        let lost = matches!(member, Some(Participant::Absent(Absence::Lost { .. })));
        let Some(connect) = self.links.connects.get(name).filter(|_| lost) else {
            let outcome = cannot_reconnect(name, member);
            return Ok(Trace::new(statement).report(outcome));
        };
        let again = Statement {
            line: statement.line,
            code: statement.code.clone(),
            ..connect.clone()
        };
        let buffered = self.links.buffers.remove(name).unwrap_or_default();
        let mut report = self.connect_alone(&again).await?;
        let listeners = self.links.listeners.remove(name).unwrap_or_default();
        if let Some(Participant::Connected(client)) = self.members.get_mut(name) {
            client.restore_listeners(listeners);
        }
        let ns = match report.outcome.clone() {
            Outcome::Connect { ns, error, .. } => {
                let flushed = match error {
                    None => buffered.clone(),
                    Some(_) => Vec::new(),
                };
                report.outcome = Outcome::Reconnected {
                    name: name.to_owned(),
                    ns: ns.clone(),
                    error,
                    flushed,
                };
                ns
            }
            // A connection handler's error: the client is connected all the same.
            _ => self
                .cluster
                .places()
                .remove(name)
                .map_or_else(|| "/".to_owned(), |place| place.ns),
        };
        for (event, args) in &buffered {
            // A handler of an earlier one may have disconnected it: the
            // server drops what comes after on that connection.
            if !self.is_connected(name) {
                break;
            }
            let mut trace = Trace::new(statement);
            let emit = ClientEmit {
                name,
                event,
                args,
                ack: false,
            };
            let outcome = self.client_emit(emit, &mut trace).await?;
            self.unseen_departures(&mut trace).await;
            fold_flushed(&mut report, trace.report(outcome), &ns);
        }
        Ok(report)
    }
}

/// Adds a flushed emit's step to the reconnection's report: the lines its
/// handler would print (an emit that reached someone, an error, a
/// disconnection), and what the clients received.
fn fold_flushed(report: &mut StepReport, flushed: StepReport, ns: &str) {
    let shows = match &flushed.outcome {
        Outcome::Emit { deliveries, .. } => deliveries
            .values()
            .any(|d| matches!(d, Delivery::Received(_))),
        Outcome::Error(_) | Outcome::Disconnected(_) => true,
        _ => false,
    };
    if shows {
        report.hooks.push(HookRun {
            hook: Hook::Event,
            ns: ns.to_owned(),
            outcome: flushed.outcome,
        });
    }
    report.hooks.extend(flushed.hooks);
    for (name, got) in flushed.received {
        report.received.entry(name).or_default().extend(got);
    }
    report.mismatches.extend(flushed.mismatches);
}
