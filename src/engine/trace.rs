//! One step in progress: what the clients observed, what the server
//! logged, and where the two disagreed; then its report.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::client::{Inbound, decode};
use crate::report::{Disconnection, Outcome, StepReport};
use crate::script::Statement;

/// One step in progress: what it observed, and where that disagreed.
pub(super) struct Trace {
    pub(super) line: usize,
    pub(super) code: String,
    /// Decoded events per client, in arrival order.
    pub(super) events: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    pub(super) server_log: Vec<String>,
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
            server_log: Vec::new(),
            disconnected: BTreeMap::new(),
            mismatches: Vec::new(),
        }
    }

    /// Adds what `name` got, decoded as Socket.IO names it.
    pub(super) fn record(
        &mut self,
        name: &str,
        got: &[Inbound],
        emitted: Option<&(String, Vec<Value>)>,
    ) {
        if got.is_empty() {
            return;
        }
        let context = emitted.map(|(e, a)| (e.as_str(), a.as_slice()));
        self.events
            .entry(name.to_owned())
            .or_default()
            .extend(got.iter().map(|inbound| decode(inbound, context)));
    }

    pub(super) fn mismatch(&mut self, text: String) {
        self.mismatches.push(text);
    }

    /// The report, after flagging any event a client got that is not the step's own.
    pub(super) fn report(mut self, outcome: Outcome) -> StepReport {
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
