//! One step in progress: what the clients observed, what the server
//! logged, and where the two disagreed; then its report.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::client::{Inbound, decode_any};
use crate::report::{Disconnection, HookRun, Outcome, StepReport};
use crate::script::Statement;

/// A disconnect handler's run: whose socket, its namespace, what it did,
/// and how many of the step's departures had happened when it finished
/// (the sockets disconnected after it were still there while it ran).
pub(super) struct HookSeen {
    pub(super) name: String,
    pub(super) ns: String,
    /// `disconnect`, or `disconnecting` (v3).
    pub(super) hook: crate::script::Hook,
    pub(super) run: crate::server::HookResult,
    pub(super) departed: usize,
}

/// One step in progress: what it observed, and where that disagreed.
pub(super) struct Trace {
    pub(super) line: usize,
    pub(super) code: String,
    /// Decoded events per client, in arrival order.
    pub(super) events: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    /// Acknowledgements each client's callback received, in order.
    pub(super) acks: BTreeMap<String, Vec<Vec<Value>>>,
    /// The client whose emit asked for an acknowledgement, if one did.
    pub(super) ack_from: Option<String>,
    /// How that client waits for it (v3).
    pub(super) ack_form: crate::script::AckForm,
    /// What a server's ask got back (v3), for the report as it is.
    pub(super) asked: Option<super::answers::Answers>,
    /// What connection and disconnect handlers did, in order.
    pub(super) hooks: Vec<HookRun>,
    /// Disconnect handlers announced but not yet heard from.
    pub(super) pending_hooks: usize,
    /// Disconnect handlers that ran, in the order they finished.
    pub(super) disconnect_hooks: Vec<HookSeen>,
    /// The sockets the server let go of in this step, with their namespace,
    /// in the order it did.
    pub(super) departures: Vec<(String, String)>,
    /// Per client, which of its `events` an outcome has accounted for.
    pub(super) claimed: BTreeMap<String, BTreeSet<usize>>,
    /// Handler emits that reached nobody: no line, but their event is the step's.
    pub(super) silent: Vec<Outcome>,
    /// Disconnections the server's handlers reported.
    pub(super) disconnected: BTreeMap<String, Disconnection>,
    pub(super) mismatches: Vec<String>,
}

impl Trace {
    pub(super) fn new(statement: &Statement) -> Trace {
        Trace::at(statement.line, statement.code.clone())
    }

    /// A step of `code` at `line`, which no statement wrote (an outside
    /// client's event).
    pub(super) fn at(line: usize, code: String) -> Trace {
        Trace {
            line,
            code,
            events: BTreeMap::new(),
            acks: BTreeMap::new(),
            ack_from: None,
            ack_form: Default::default(),
            asked: None,
            hooks: Vec::new(),
            silent: Vec::new(),
            pending_hooks: 0,
            disconnect_hooks: Vec::new(),
            departures: Vec::new(),
            claimed: BTreeMap::new(),
            disconnected: BTreeMap::new(),
            mismatches: Vec::new(),
        }
    }

    /// Adds what `name` got, decoded as Socket.IO names it.
    pub(super) fn record(&mut self, name: &str, got: &[Inbound], emitted: &[(String, Vec<Value>)]) {
        for inbound in got {
            match inbound {
                Inbound::Ack(args) => self
                    .acks
                    .entry(name.to_owned())
                    .or_default()
                    .push(args.clone()),
                _ => self
                    .events
                    .entry(name.to_owned())
                    .or_default()
                    .push(decode_any(inbound, emitted)),
            }
        }
    }

    /// Takes the first receipt of `event` by `name` that no outcome has
    /// accounted for yet: one with these arguments if there is one (each
    /// handler run claims its own), else any.
    pub(super) fn claim(
        &mut self,
        name: &str,
        event: &str,
        args: Option<&[Value]>,
    ) -> Option<Vec<Value>> {
        let events = self.events.get(name)?;
        let claimed = self.claimed.entry(name.to_owned()).or_default();
        let free = |i: &usize| !claimed.contains(i);
        let of_event = |(i, (e, _)): &(usize, &(String, Vec<Value>))| *e == event && free(i);
        let found = events
            .iter()
            .enumerate()
            .filter(of_event)
            .find(|(_, (_, a))| args.is_some_and(|args| a.as_slice() == args))
            .or_else(|| events.iter().enumerate().find(of_event))
            .map(|(i, (_, a))| (i, a.clone()));
        let (i, args) = found?;
        claimed.insert(i);
        Some(args)
    }

    pub(super) fn mismatch(&mut self, text: String) {
        self.mismatches.push(text);
    }

    /// The report, after flagging any event a client got that is not the step's own.
    pub(super) fn report(mut self, outcome: Outcome) -> StepReport {
        // Only a disconnect (by the step or by a handler it set off) may
        // disconnect anyone, and each checks whom itself.
        let disconnects = std::iter::once(&outcome)
            .chain(self.hooks.iter().map(|run| &run.outcome))
            .any(|o| matches!(o, Outcome::Disconnected(_)));
        if !disconnects {
            let unexpected: Vec<String> = self
                .disconnected
                .keys()
                .map(|name| format!("{name} was disconnected, which this step did not ask for"))
                .collect();
            self.mismatches.extend(unexpected);
        }
        let expected: Vec<&String> = std::iter::once(&outcome)
            .chain(self.hooks.iter().map(|run| &run.outcome))
            .chain(&self.silent)
            .filter_map(|o| match o {
                Outcome::Emit { event, .. } => Some(event),
                _ => None,
            })
            .collect();
        let stray: Vec<String> = self
            .events
            .iter()
            .flat_map(|(name, events)| {
                events
                    .iter()
                    .filter(|(event, _)| !expected.contains(&event))
                    .map(move |(event, _)| {
                        format!("{name} also received {event:?}, which this step did not send")
                    })
            })
            .collect();
        self.mismatches.extend(stray);
        // An expected event received more often than the outcomes claimed it.
        let mut extra = Vec::new();
        for (name, events) in &self.events {
            let claimed = self.claimed.get(name);
            let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
            for (i, (event, _)) in events.iter().enumerate() {
                let count = counts.entry(event).or_default();
                count.0 += 1;
                if claimed.is_some_and(|c| c.contains(&i)) {
                    count.1 += 1;
                }
            }
            for (event, (got, sent)) in counts {
                if got > sent && sent > 0 {
                    let sent = if sent == 1 {
                        "once".to_owned()
                    } else {
                        format!("{sent} times")
                    };
                    extra.push(format!("{name} received {event:?} {got} times, not {sent}"));
                }
            }
        }
        self.mismatches.extend(extra);
        let mut acks = std::mem::take(&mut self.acks);
        // v3: the client's pending acks fail when its socket leaves
        let cut = (self.ack_from.as_ref()).is_some_and(|n| self.disconnected.contains_key(n));
        let ack = self.ack_from.take().map(|from| {
            let mut answers = acks.remove(&from).unwrap_or_default();
            if answers.len() > 1 {
                self.mismatches.push(format!(
                    "{from}'s ack callback ran {} times, not once",
                    answers.len()
                ));
            }
            answers
                .drain(..)
                .next()
                .map(|args| BTreeMap::from([(from, args)]))
                .unwrap_or_default()
        });
        let (ack, ack_detail) = super::answers::finish(ack, (self.ack_form, cut), self.asked);
        for name in acks.into_keys() {
            self.mismatches.push(format!(
                "{name} got an acknowledgement it did not ask for in this step"
            ));
        }
        let received = self
            .events
            .into_iter()
            .map(|(name, events)| (name, events.into_iter().map(|(event, _)| event).collect()))
            .collect();
        StepReport {
            line: self.line,
            code: self.code,
            outcome,
            ack,
            ack_detail,
            hooks: self.hooks,
            received,
            mismatches: self.mismatches,
        }
    }
}
