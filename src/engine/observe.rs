//! Observing the server: its handlers' notices, the ordered sync that ends
//! each step, and the snapshot of its state that predictions start from.

use anyhow::{Context as _, anyhow};
use serde_json::Value;

use super::outcome::hook_emits;
use super::predict::{Snapshot, View};
use super::trace::{HookSeen, Trace};
use super::{Engine, Participant};
use crate::protocol::{WAIT_BOUND, wait_bound};
use crate::report::{Absence, Disconnection};
use crate::server::{Handled, Notice};

impl Engine {
    /// Every client of the run as the server knows it now: its namespace
    /// and rooms come from the server's sockets, not from the script.
    pub(super) fn snapshot(&self, trace: &mut Trace) -> Snapshot {
        let mut on_server = self.cluster.places();
        let mut snapshot = Snapshot::new();
        for (name, member) in &self.members {
            let view = match member {
                Participant::Connected(_) => match on_server.remove(name) {
                    Some(place) => View::Connected {
                        ns: place.ns,
                        rooms: place.rooms,
                        server: place.server,
                    },
                    None => {
                        trace.mismatch(format!(
                            "{name} is connected on its side, but the server has no socket for it"
                        ));
                        View::Absent(Absence::Vanished)
                    }
                },
                Participant::Absent(why) => View::Absent(why.clone()),
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

    /// Waits for the server to finish handling `name`'s event.
    pub(super) async fn handled(
        &mut self,
        name: &str,
        trace: &mut Trace,
    ) -> anyhow::Result<Handled> {
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

    /// The next notice of the server's handlers, those read early first;
    /// an outside client's event is held for later, never returned.
    pub(super) async fn next_notice(&mut self, name: &str, what: &str) -> anyhow::Result<Notice> {
        if let Some(notice) = self.early.pop_front() {
            return Ok(notice);
        }
        let deadline = tokio::time::Instant::now() + WAIT_BOUND;
        loop {
            match tokio::time::timeout_at(deadline, self.notices.recv()).await {
                Ok(Some(Notice::Outside(event))) => self.held.push_back(event),
                Ok(Some(notice)) => return Ok(notice),
                Ok(None) => {
                    return Err(anyhow!("the server stopped while waiting for {name}{what}"));
                }
                Err(_) => {
                    return Err(anyhow!(
                        "waited {} for {name}{what}; the server never said",
                        wait_bound()
                    ));
                }
            }
        }
    }

    /// Takes in the notices already sent by the server's handlers.
    pub(super) fn absorb_notices(&mut self, trace: &mut Trace) {
        while let Some(notice) = self.early.pop_front() {
            self.absorb(notice, trace);
        }
        while let Ok(notice) = self.notices.try_recv() {
            self.absorb(notice, trace);
        }
    }

    pub(super) fn absorb(&mut self, notice: Notice, trace: &mut Trace) {
        match notice {
            Notice::Connected { name, .. } => {
                trace.mismatch(format!("the server admitted {name} outside a connect"));
            }
            Notice::DisconnectHook {
                name,
                ns,
                hook,
                run,
            } => {
                trace.pending_hooks = trace.pending_hooks.saturating_sub(1);
                let departed = trace.departures.len();
                trace.disconnect_hooks.push(HookSeen {
                    name,
                    ns,
                    hook,
                    run,
                    departed,
                });
            }
            Notice::Disconnected {
                name,
                ns,
                reason,
                rooms,
                hooks,
            } => {
                trace.pending_hooks += hooks;
                if !self.is_connected(&name) {
                    trace.mismatch(format!(
                        "the server disconnected {name}, which is not connected on its side"
                    ));
                    return;
                }
                let absent = Participant::Absent(Absence::Disconnected {
                    code: trace.code.clone(),
                });
                if let Some(Participant::Connected(client)) =
                    self.members.insert(name.clone(), absent)
                {
                    // Kept until its own side of the disconnection is observed.
                    self.departing.insert(name.clone(), client);
                }
                trace.departures.push((name.clone(), ns));
                trace.disconnected.insert(
                    name,
                    Disconnection {
                        client: String::new(),
                        server: reason.to_owned(),
                        rooms_left: rooms,
                    },
                );
            }
            // Run later, as a step of its own.
            Notice::Outside(event) => self.held.push_back(event),
            Notice::Answer { name, event, .. } => trace.mismatch(format!(
                "the server got an answer from {name} for {event:?}, which no emit asked for"
            )),
            // Only one client event is in flight at a time; see `handled`.
            Notice::Handled { name, .. } => {
                trace.mismatch(format!(
                    "the server handled an event of {name} nobody waited for"
                ));
            }
        }
    }

    /// Waits until every disconnect handler this step set off has run.
    pub(super) async fn await_hooks(&mut self, trace: &mut Trace) -> anyhow::Result<()> {
        while trace.pending_hooks > 0 {
            let notice = self
                .next_notice("a disconnect handler", " to finish")
                .await?;
            self.absorb(notice, trace);
        }
        Ok(())
    }

    /// The ordered sync. The server half first: on a cluster, rounds of
    /// [`crate::cluster::Cluster::barrier`] until one brings no new
    /// disconnection, each round letting the disconnect handlers it set off
    /// finish, so that their requests are applied by the next round's
    /// barrier. Then the client half: every server sends each of its
    /// sockets a fresh sequence number; what a client got before it is this
    /// step's. `emitted` is every event the step's code and handlers sent
    /// (a handler the rounds found adds its own).
    pub(super) async fn settle(
        &mut self,
        emitted: &[(String, Vec<Value>)],
        trace: &mut Trace,
    ) -> anyhow::Result<()> {
        loop {
            let departed = trace.departures.len();
            self.cluster
                .barrier()
                .await
                .context("the step's sync between the servers")?;
            self.absorb_notices(trace);
            self.await_hooks(trace).await?;
            if trace.departures.len() == departed {
                break;
            }
        }
        let mut emitted = emitted.to_vec();
        for event in hook_emits(trace) {
            if !emitted.contains(&event) {
                emitted.push(event);
            }
        }
        self.seq += 1;
        let seq = self.seq;
        let sync = self.cluster.sync(seq);
        for name in sync.failed {
            trace.mismatch(format!("the server could not send its sync to {name}"));
        }
        for name in sync.sent {
            let Some(Participant::Connected(client)) = self.members.get_mut(&name) else {
                // A socket the server let go of while sending: its side is
                // seen below, with the other departures.
                if self.departing.contains_key(&name) {
                    continue;
                }
                trace.mismatch(format!(
                    "the server has a socket for {name}, which is not connected on its side"
                ));
                continue;
            };
            // Nothing is in flight between servers now, so nobody can be
            // disconnected during the sync: a `close` with `""` is an event.
            let (got, _) = client
                .until_syncs(seq, None, false)
                .await
                .with_context(|| format!("waiting for {name} to receive the step's sync {seq}"))?;
            trace.record(&name, &got, &emitted);
        }
        self.absorb_notices(trace);
        self.await_hooks(trace).await?;
        self.see_departures(&emitted, trace).await
    }

    /// Clients still departing when a step ends: the server let go of
    /// them, but their side was never seen in the step. Flagged, and
    /// closed, so that no later step waits on them.
    pub(super) async fn unseen_departures(&mut self, trace: &mut Trace) {
        for (name, client) in std::mem::take(&mut self.departing) {
            trace.mismatch(format!(
                "the server disconnected {name}, but {name} never saw it in this step"
            ));
            client.disconnect().await.ok();
        }
    }

    /// Each client the server disconnected in this step, seen from its own
    /// side: what it got before the server's DISCONNECT packet.
    pub(super) async fn see_departures(
        &mut self,
        emitted: &[(String, Vec<Value>)],
        trace: &mut Trace,
    ) -> anyhow::Result<()> {
        for (name, mut client) in std::mem::take(&mut self.departing) {
            let before_close = client
                .until_closed()
                .await
                .with_context(|| format!("waiting for {name} to see its disconnection"))?;
            trace.record(&name, &before_close, emitted);
            if let Some(d) = trace.disconnected.get_mut(&name) {
                d.client = "io server disconnect".to_owned();
            }
            // Close the client's transport too; the server already let go.
            client.disconnect().await.ok();
        }
        Ok(())
    }
}
