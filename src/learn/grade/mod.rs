//! Grading a try: compares what the clients observed (the step reports of
//! the answer and the `then:` lines) with an exercise's expectations, and
//! explains each miss in the receipt's terms.
//!
//! - `miss`: each way a try falls short, in words.
//! - `compare`: a run observed, and compared with the reference's.
//! - `conditions`: the goal's conditions on the parsed answer.
//! - `hint`: a hint about the last miss, before the exercise's own.

mod compare;
mod conditions;
mod hint;
mod miss;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::learn::attempt::Part;
use crate::lesson::Expect;
use crate::report::{Delivery, Outcome, Reason, RoomsNow, StepReport};

pub use compare::{Observed, compare, observe};
pub use conditions::unmet;
pub use hint::about as hint_about;
pub use miss::Miss;
use miss::room_set;

/// The result of one try: it passed exactly when nothing was missed.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub misses: Vec<Miss>,
    /// The variant the misses were found on, with the answer's run there
    /// (`None`: on the exercise's own start, or no miss).
    pub variant: Option<VariantRun>,
}

/// An answer's run on a variant: where it started and what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantRun {
    pub label: String,
    pub start: Vec<String>,
    pub then: Vec<String>,
    /// The graded steps (the answer's, then the `then:` lines').
    pub reports: Vec<StepReport>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.misses.is_empty()
    }
}

/// Grades a try: `reports` are every step of it, with the part each
/// statement belongs to; only the answer and the `then:` lines are graded.
/// `before` and `after` are the server's clients and rooms after the start
/// and at the end.
pub fn grade(
    expect: &Expect,
    reports: &[(Part, StepReport)],
    before: &RoomsNow,
    after: &RoomsNow,
) -> Verdict {
    let mut seen = Seen::default();
    for (part, report) in reports {
        let graded = *part != Part::Start;
        // The statement's own outcome, then what its handlers did.
        if graded {
            for outcome in report.outcomes() {
                grade_outcome(outcome, &report.code, expect, before, &mut seen);
            }
        }
    }
    let Seen {
        mut misses,
        got,
        missed,
        mut unwanted_rooms,
        emitted,
        admissions,
    } = seen;
    let event_name = || {
        expect
            .event
            .clone()
            .or_else(|| emitted.clone())
            .unwrap_or_else(|| "the event".to_owned())
    };
    if let Some(want) = &expect.receivers {
        if emitted.is_none() && !want.is_empty() {
            misses.push(Miss::NoEmit {
                event: expect.event.clone(),
            });
        } else {
            for (name, events) in got.iter().filter(|(n, _)| !want.contains(*n)) {
                misses.push(Miss::Unwanted {
                    name: name.clone(),
                    event: events[0].0.clone(),
                    rooms: unwanted_rooms.remove(name).unwrap_or_default(),
                });
            }
            for name in want.iter().filter(|n| !got.contains_key(*n)) {
                misses.push(Miss::Missing {
                    name: name.clone(),
                    event: event_name(),
                    reason: missed.get(name).cloned(),
                });
            }
        }
    }
    if let Some(want) = &expect.payload {
        if emitted.is_none() && expect.receivers.is_none() {
            misses.push(Miss::NoEmit {
                event: expect.event.clone(),
            });
        }
        for (name, events) in &got {
            if expect.receivers.as_ref().is_some_and(|r| !r.contains(name)) {
                continue; // Already a miss of its own.
            }
            if let Some((event, args)) = events.iter().find(|(_, args)| args != want) {
                misses.push(Miss::Payload {
                    name: name.clone(),
                    event: event.clone(),
                    got: args.clone(),
                    want: want.clone(),
                });
            }
        }
    }
    for (name, want) in &expect.rooms {
        let now = after.get(name).map(|(_, rooms)| rooms.clone());
        if now.as_ref() != Some(want) {
            misses.push(Miss::Rooms {
                name: name.clone(),
                got: now,
                want: want.clone(),
            });
        }
    }
    for name in expect.admitted.iter().flatten() {
        match admissions.get(name) {
            Some(None) => {}
            Some(Some(message)) => misses.push(Miss::NotAdmitted {
                name: name.clone(),
                refused: Some(message.clone()),
            }),
            None => misses.push(Miss::NotAdmitted {
                name: name.clone(),
                refused: None,
            }),
        }
    }
    for name in expect.refused.iter().flatten() {
        match admissions.get(name) {
            Some(Some(_)) => {}
            Some(None) => misses.push(Miss::NotRefused {
                name: name.clone(),
                admitted: true,
            }),
            None => misses.push(Miss::NotRefused {
                name: name.clone(),
                admitted: false,
            }),
        }
    }
    if let Some(want) = &expect.found {
        let got = observed_found(reports);
        if got.as_ref() != Some(want) {
            misses.push(Miss::Found {
                got,
                want: want.clone(),
            });
        }
    }
    if let Some(want) = &expect.ack {
        let got = observed_ack(reports);
        if got.as_ref() != Some(want) {
            misses.push(Miss::Ack {
                got,
                want: want.clone(),
            });
        }
    }
    Verdict {
        misses,
        variant: None,
    }
}

/// What the graded outcomes showed, gathered before it is compared.
#[derive(Default)]
struct Seen {
    misses: Vec<Miss>,
    /// Per client: the events that count that it got, with their arguments.
    got: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    /// Per client: why it missed the first emit that counts.
    missed: BTreeMap<String, Reason>,
    /// Per receiver: its rooms before the answer.
    unwanted_rooms: BTreeMap<String, Vec<String>>,
    /// The first event that counts that was emitted.
    emitted: Option<String>,
    /// Per client: `None` when admitted, else the refusal.
    admissions: BTreeMap<String, Option<String>>,
}

/// Takes in one graded outcome of the statement `code`.
fn grade_outcome(
    outcome: &Outcome,
    code: &str,
    expect: &Expect,
    before: &RoomsNow,
    seen: &mut Seen,
) {
    match outcome {
        Outcome::Emit { event, deliveries } if counts(expect, event) => {
            seen.emitted.get_or_insert_with(|| event.clone());
            for (name, delivery) in deliveries {
                match delivery {
                    Delivery::Received(args) => {
                        seen.got
                            .entry(name.clone())
                            .or_default()
                            .push((event.clone(), args.clone()));
                        seen.unwanted_rooms
                            .entry(name.clone())
                            .or_insert_with(|| rooms_of(before, name));
                    }
                    Delivery::Missed(reason) => {
                        seen.missed
                            .entry(name.clone())
                            .or_insert_with(|| reason.clone());
                    }
                }
            }
        }
        Outcome::Connect { name, error, .. } => {
            seen.admissions.insert(name.clone(), error.clone());
        }
        Outcome::Error(message) => seen.misses.push(Miss::Failed {
            code: code.to_owned(),
            message: message.clone(),
        }),
        _ => {}
    }
}

/// Whether an emit of `event` is the one the goal is about.
fn counts(expect: &Expect, event: &str) -> bool {
    expect.event.as_deref().is_none_or(|e| e == event)
}

/// The arguments of the last acknowledgement the graded lines observed
/// (`None` when none came).
fn observed_ack(reports: &[(Part, StepReport)]) -> Option<Vec<Value>> {
    reports
        .iter()
        .filter(|(part, _)| *part != Part::Start)
        .filter_map(|(_, report)| report.ack.as_ref())
        .next_back()
        .and_then(|acks| acks.values().next().cloned())
}

/// Who the last `fetchSockets()` of the graded lines found (`None`: the
/// lines fetched nothing) (v3).
fn observed_found(reports: &[(Part, StepReport)]) -> Option<BTreeSet<String>> {
    reports
        .iter()
        .filter(|(part, _)| *part != Part::Start)
        .filter_map(|(_, report)| match &report.outcome {
            Outcome::Sockets { found, .. } => Some(found.keys().cloned().collect()),
            _ => None,
        })
        .next_back()
}

/// `name`'s rooms in `rooms` (empty if it is not connected).
fn rooms_of(rooms: &RoomsNow, name: &str) -> Vec<String> {
    rooms
        .get(name)
        .map(|(_, r)| r.iter().cloned().collect())
        .unwrap_or_default()
}

/// One line per connected client: its namespace (unless `/`) and rooms.
pub fn describe(rooms: &RoomsNow) -> Vec<String> {
    if rooms.is_empty() {
        return vec!["no client is connected".to_owned()];
    }
    rooms
        .iter()
        .map(|(name, (ns, rooms))| {
            let ns = if ns == "/" {
                String::new()
            } else {
                format!(" (namespace {ns})")
            };
            format!("{name}{ns} in {}", room_set(rooms))
        })
        .collect()
}

#[cfg(test)]
mod tests;
