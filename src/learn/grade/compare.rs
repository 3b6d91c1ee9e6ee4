//! Grading against the reference solution: what a run observed, in what the
//! goal asks (who got the events in the answer's own step and after each
//! `then:` line, the rooms it checks, admissions, the acknowledgement), and
//! where the answer's run and the reference's differ.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::miss::{Miss, Moment};
use crate::learn::attempt::Part;
use crate::lesson::Expect;
use crate::report::{Delivery, Outcome, Reason, RoomsNow, StepReport};

/// One graded step as observed: the answer's own (all its statements), or
/// one `then:` line's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepSeen {
    pub when: Option<String>,
    /// Per client: the events that count it got, with their arguments.
    pub got: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    /// Per client: why it missed the first emit that counts.
    pub missed: BTreeMap<String, Reason>,
    /// The events that count that were emitted at all.
    pub emitted: BTreeSet<String>,
}

/// What one run observed, in what the goal asks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    pub steps: Vec<StepSeen>,
    pub rooms: RoomsNow,
    /// Per client connected by the graded lines: `None` when admitted.
    pub admissions: BTreeMap<String, Option<String>>,
    pub ack: Option<Vec<Value>>,
    /// Who the last `fetchSockets()` found (v3).
    pub found: Option<BTreeSet<String>>,
    /// Run-time errors of the graded lines: the code, the message.
    pub errors: Vec<(String, String)>,
}

/// What `reports` (a run's steps, with their parts) observed; `end` is the
/// server's clients and rooms at the end.
pub fn observe(expect: &Expect, reports: &[(Part, StepReport)], end: &RoomsNow) -> Observed {
    let mut seen = Observed {
        rooms: end.clone(),
        steps: vec![StepSeen::default()],
        ..Observed::default()
    };
    for (part, report) in reports {
        let step = match part {
            Part::Start => continue,
            Part::Answer => 0,
            Part::Then => {
                seen.steps.push(StepSeen {
                    when: Some(report.code.clone()),
                    ..StepSeen::default()
                });
                seen.steps.len() - 1
            }
        };
        if let Some(acks) = &report.ack {
            seen.ack = acks.values().next().cloned();
        }
        if let Outcome::Sockets { found, .. } = &report.outcome {
            seen.found = Some(found.keys().cloned().collect());
        }
        for outcome in report.outcomes() {
            match outcome {
                Outcome::Emit { event, deliveries }
                    if expect.event.as_deref().is_none_or(|e| e == event) =>
                {
                    let here = &mut seen.steps[step];
                    here.emitted.insert(event.clone());
                    for (name, delivery) in deliveries {
                        match delivery {
                            Delivery::Received(args) => here
                                .got
                                .entry(name.clone())
                                .or_default()
                                .push((event.clone(), args.clone())),
                            Delivery::Missed(reason) => {
                                here.missed
                                    .entry(name.clone())
                                    .or_insert_with(|| reason.clone());
                            }
                        }
                    }
                }
                Outcome::Connect { name, error, .. } => {
                    seen.admissions.insert(name.clone(), error.clone());
                }
                Outcome::Error(message) => {
                    seen.errors.push((report.code.clone(), message.clone()));
                }
                _ => {}
            }
        }
    }
    seen
}

/// Where `answer` differs from `reference` in what `expect` names;
/// `name` maps a name of the exercise to the case's.
pub fn compare(
    expect: &Expect,
    name: &dyn Fn(&str) -> String,
    answer: &Observed,
    reference: &Observed,
) -> Vec<Miss> {
    let mut misses: Vec<Miss> = answer
        .errors
        .iter()
        .map(|(code, message)| Miss::Failed {
            code: code.clone(),
            message: message.clone(),
        })
        .collect();
    let deliveries =
        expect.receivers.is_some() || expect.event.is_some() || expect.payload.is_some();
    if deliveries {
        for (ours, theirs) in answer.steps.iter().zip(&reference.steps) {
            misses.extend(compare_step(expect.payload.is_some(), ours, theirs));
        }
    }
    for want_name in expect.rooms.keys().map(|n| name(n)) {
        let got = answer.rooms.get(&want_name).map(|(_, r)| r.clone());
        let want = reference.rooms.get(&want_name).map(|(_, r)| r.clone());
        if got != want {
            misses.push(Miss::Rooms {
                name: want_name,
                got,
                want: want.unwrap_or_default(),
            });
        }
    }
    if expect.admitted.is_some() || expect.refused.is_some() {
        let names: BTreeSet<&String> = answer
            .admissions
            .keys()
            .chain(reference.admissions.keys())
            .collect();
        for who in names {
            let got = answer.admissions.get(who);
            let want = reference.admissions.get(who);
            // Admitted or refused counts; the refusal's wording is the author's.
            let admitted = |a: Option<&Option<String>>| a.map(Option::is_none);
            if admitted(got) != admitted(want) {
                misses.push(Miss::Admission {
                    name: who.clone(),
                    got: got.cloned(),
                    want: want.cloned(),
                });
            }
        }
    }
    if expect.found.is_some() && answer.found != reference.found {
        misses.push(Miss::Found {
            got: answer.found.clone(),
            want: reference.found.clone().unwrap_or_default(),
        });
    }
    if expect.ack.is_some() && answer.ack != reference.ack {
        misses.push(Miss::Ack {
            got: answer.ack.clone(),
            want: reference.ack.clone().unwrap_or_default(),
        });
    }
    misses
}

/// The differences of one step, one miss a client at most.
fn compare_step(payload: bool, ours: &StepSeen, theirs: &StepSeen) -> Vec<Miss> {
    let when = match &theirs.when {
        None => Moment::Answer,
        Some(code) => Moment::Then(code.clone()),
    };
    let events = |seen: &StepSeen, name: &str| -> Vec<(String, Vec<Value>)> {
        let mut list: Vec<(String, Vec<Value>)> = seen
            .got
            .get(name)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|(e, a)| (e, if payload { a } else { Vec::new() }))
            .collect();
        list.sort_by_key(|(e, a)| (e.clone(), Value::Array(a.clone()).to_string()));
        list
    };
    let names: BTreeSet<&String> = ours.got.keys().chain(theirs.got.keys()).collect();
    let mut misses = Vec::new();
    for name in names {
        let got = events(ours, name);
        let want = events(theirs, name);
        if got == want {
            continue;
        }
        let lacking = want.iter().find(|w| !got.contains(w));
        let extra = got.iter().find(|g| !want.contains(g));
        let miss = match (lacking, extra) {
            (Some((event, want_args)), Some((got_event, got_args))) if event == got_event => {
                Miss::OtherArgs {
                    when: when.clone(),
                    name: name.clone(),
                    event: event.clone(),
                    got: got_args.clone(),
                    want: want_args.clone(),
                }
            }
            (Some((event, _)), _) => Miss::Lacking {
                when: when.clone(),
                name: name.clone(),
                event: event.clone(),
                reason: ours.missed.get(name).cloned(),
                sent: ours.emitted.contains(event),
            },
            (None, Some((event, _))) => Miss::Extra {
                when: when.clone(),
                name: name.clone(),
                event: event.clone(),
            },
            (None, None) => Miss::Times {
                when: when.clone(),
                name: name.clone(),
                got: got.len(),
                want: want.len(),
            },
        };
        misses.push(miss);
    }
    misses
}
