//! One step in progress: what the clients observed, what the server
//! logged, and where the two disagreed; then its report.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::client::{Inbound, decode_any};
use crate::report::{Disconnection, HookRun, Outcome, StepReport};
use crate::script::Statement;

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
    /// What connection and disconnect handlers did, in order.
    pub(super) hooks: Vec<HookRun>,
    /// Disconnect handlers announced but not yet heard from.
    pub(super) pending_hooks: usize,
    /// Disconnect handlers that ran: whose socket, its namespace, and what they did.
    pub(super) disconnect_hooks: Vec<(String, String, crate::server::HookResult)>,
    /// Handler emits that reached nobody: no line, but their event is the step's.
    pub(super) silent: Vec<Outcome>,
    /// Disconnections the server's handlers reported.
    pub(super) disconnected: BTreeMap<String, Disconnection>,
    pub(super) mismatches: Vec<String>,
}

impl Trace {
    pub(super) fn new(statement: &Statement) -> Trace {
        Trace {
            line: statement.line,
            code: statement.code.clone(),
            events: BTreeMap::new(),
            acks: BTreeMap::new(),
            ack_from: None,
            hooks: Vec::new(),
            silent: Vec::new(),
            pending_hooks: 0,
            disconnect_hooks: Vec::new(),
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
        let mut acks = std::mem::take(&mut self.acks);
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
        for name in acks.into_keys() {
            self.mismatches.push(format!(
                "{name} got an acknowledgement it did not ask for in this step"
            ));
        }
        StepReport {
            line: self.line,
            code: self.code,
            outcome,
            ack,
            hooks: self.hooks,
            mismatches: self.mismatches,
        }
    }
}
