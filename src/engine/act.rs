//! What a client does by itself: `disconnect NAME` and `NAME> socket.emit(…)`.

use serde_json::Value;

use super::outcome::hook_emits;
use super::predict::{Snapshot, View};
use super::trace::Trace;
use super::{Engine, Participant, not_connected};
use crate::protocol;
use crate::report::Outcome;
use crate::script::Action;
use crate::server::Handled;

/// Whether a disconnect handler's action disconnects other sockets (its
/// own `socket.disconnect()` does nothing: the socket has left already).
pub(super) fn disconnects(action: &Action) -> bool {
    use crate::script::{BroadcastAction, Expr};
    matches!(
        action,
        Action::Expr(Expr::Broadcast {
            action: BroadcastAction::DisconnectSockets { .. },
            ..
        })
    )
}

/// `NAME> socket.emit(EVENT, ARGS…[, ack])`, as the engine runs it.
pub(super) struct ClientEmit<'a> {
    pub(super) name: &'a str,
    pub(super) event: &'a str,
    pub(super) args: &'a [Value],
    pub(super) ack: bool,
}

impl Engine {
    /// `disconnect NAME`: the client leaves by itself.
    pub(super) async fn client_disconnect(
        &mut self,
        name: &str,
        trace: &mut Trace,
    ) -> anyhow::Result<Outcome> {
        let Some(Participant::Connected(client)) = self.members.get(name) else {
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
        self.await_hooks(trace).await?;
        // Only a disconnect handler (its own, or one that set off) may have
        // disconnected others.
        let by_handler = trace
            .disconnect_hooks
            .iter()
            .any(|hook| disconnects(&hook.run.action));
        if !by_handler {
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
        }
        if let Some(d) = trace.disconnected.get_mut(name) {
            d.client = "io client disconnect".to_owned();
        }
        let sent = hook_emits(trace);
        // The others a handler disconnected, seen from their side.
        self.see_departures(&sent, trace).await?;
        self.settle(&sent, trace).await?;
        self.hook_outcomes(trace);
        Ok(Outcome::Disconnected(trace.disconnected.clone()))
    }

    /// `NAME> socket.emit(…)`: the client emits, the server's handler acts.
    pub(super) async fn client_emit(
        &mut self,
        emit: ClientEmit<'_>,
        trace: &mut Trace,
    ) -> anyhow::Result<Outcome> {
        let ClientEmit {
            name,
            event,
            args,
            ack,
        } = emit;
        let Some(Participant::Connected(client)) = self.members.get(name) else {
            let offline = self.offline_emit(name, event, args, ack, true);
            return Ok(offline.unwrap_or_else(|| not_connected(name)));
        };
        if let Some(refusal) = protocol::refusal(event) {
            // The JavaScript client throws before sending.
            return Ok(Outcome::Error(refusal.to_string()));
        }
        let before = self.snapshot(trace);
        if ack {
            client.emit_with_ack(event, args).await?;
            trace.ack_from = Some(name.to_owned());
        } else {
            client.emit(event, args).await?;
        }
        let handled = self.handled(name, trace).await?;
        self.after_handling(name, None, handled, &before, trace)
            .await
    }

    /// What a client's event did once the server handled it: `before` is
    /// the server's state before it; `outside_ns` the namespace of a sender
    /// that is an outside client.
    pub(super) async fn after_handling(
        &mut self,
        name: &str,
        outside_ns: Option<&str>,
        handled: Handled,
        before: &Snapshot,
        trace: &mut Trace,
    ) -> anyhow::Result<Outcome> {
        match handled {
            Handled::Refused { event, message } => {
                self.settle(&[], trace).await?;
                let ns = match before.get(name) {
                    Some(View::Connected { ns, .. }) => ns.clone(),
                    _ => outside_ns.unwrap_or("/").to_owned(),
                };
                Ok(Outcome::Refused { ns, event, message })
            }
            Handled::NoHandler { event } => {
                self.settle(&[], trace).await?;
                let ns = match before.get(name) {
                    Some(View::Connected { ns, .. }) => ns.clone(),
                    _ => outside_ns.unwrap_or("/").to_owned(),
                };
                Ok(Outcome::Unhandled { ns, event })
            }
            Handled::Ran {
                action: Action::Callback(_),
                result,
            } => {
                self.settle(&[], trace).await?;
                Ok(match result {
                    Ok(()) => Outcome::Answered,
                    Err(message) => Outcome::Error(message),
                })
            }
            Handled::Ran {
                action: Action::Expr(expr),
                result,
            } => {
                let origin = self.origin(None, Some(name));
                self.outcome_of(
                    (Some(name), outside_ns),
                    origin,
                    &expr,
                    before,
                    result,
                    trace,
                )
                .await
            }
        }
    }
}
