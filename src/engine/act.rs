//! What a client does by itself: `disconnect NAME` and `NAME> socket.emit(…)`.

use serde_json::Value;

use super::predict::View;
use super::trace::Trace;
use super::{Engine, Member, not_connected};
use crate::protocol;
use crate::report::Outcome;
use crate::server::Handled;

impl Engine {
    /// `disconnect NAME`: the client leaves by itself.
    pub(super) async fn client_disconnect(
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
    pub(super) async fn client_emit(
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
}
