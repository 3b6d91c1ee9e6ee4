//! Grading a try: compares what the clients observed (the step reports of
//! the answer and the `then:` lines) with an exercise's expectations, and
//! explains each miss in the receipt's terms.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::learn::exercise::{Expect, Part};
use crate::report::explain;
use crate::report::{Delivery, Outcome, Reason, RoomsNow, StepReport};

/// The result of one try: it passed exactly when nothing was missed.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub misses: Vec<Miss>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.misses.is_empty()
    }
}

/// One way a try fell short of the goal.
#[derive(Debug, Clone, PartialEq)]
pub enum Miss {
    /// Somebody should have received the event, and nothing emitted it.
    NoEmit { event: Option<String> },
    /// Received the event, which the goal keeps from it.
    Unwanted {
        name: String,
        event: String,
        /// Its rooms when the event was sent (own-id room not counted).
        rooms: Vec<String>,
    },
    /// Should have received the event, and did not.
    Missing {
        name: String,
        event: String,
        /// Why, from the server's state (none if no emit reached anyone
        /// in its namespace, e.g. it was not a client of the step).
        reason: Option<Reason>,
    },
    /// Received the event with other arguments than the goal's.
    Payload {
        name: String,
        event: String,
        got: Vec<Value>,
        want: Vec<Value>,
    },
    /// Ended in other rooms than the goal's (`None`: not connected).
    Rooms {
        name: String,
        got: Option<BTreeSet<String>>,
        want: BTreeSet<String>,
    },
    /// Should have been admitted: refused with this message, or never
    /// connected by the graded lines (`None`).
    NotAdmitted {
        name: String,
        refused: Option<String>,
    },
    /// Should have been refused: admitted, or never tried (`admitted` false).
    NotRefused { name: String, admitted: bool },
    /// The sender's acknowledgement carried other arguments (`None`: none came).
    Ack {
        got: Option<Vec<Value>>,
        want: Vec<Value>,
    },
    /// A graded statement ended in a run-time error.
    Failed { code: String, message: String },
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
    if let Some(want) = &expect.ack {
        let got = observed_ack(reports);
        if got.as_ref() != Some(want) {
            misses.push(Miss::Ack {
                got,
                want: want.clone(),
            });
        }
    }
    Verdict { misses }
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

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn quoted_rooms<'a>(rooms: impl IntoIterator<Item = &'a String>) -> String {
    rooms
        .into_iter()
        .map(|r| quoted(r))
        .collect::<Vec<_>>()
        .join(", ")
}

fn args(values: &[Value]) -> String {
    Value::Array(values.to_vec()).to_string()
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::NoEmit { event: Some(event) } => {
                write!(f, "nothing emitted {}", quoted(event))
            }
            Miss::NoEmit { event: None } => f.write_str("nothing emitted an event"),
            Miss::Unwanted { name, event, rooms } if rooms.is_empty() => write!(
                f,
                "{name} got {}, but the goal leaves {name} out ({name} is in no room)",
                quoted(event)
            ),
            Miss::Unwanted { name, event, rooms } => write!(
                f,
                "{name} got {}, but the goal leaves {name} out ({name} is in {})",
                quoted(event),
                quoted_rooms(rooms)
            ),
            Miss::Missing {
                name,
                event,
                reason: Some(reason),
            } => write!(
                f,
                "{name} should have got {}, and did not: {}",
                quoted(event),
                explain(reason)
            ),
            Miss::Missing {
                name,
                event,
                reason: None,
            } => write!(f, "{name} should have got {}, and did not", quoted(event)),
            Miss::Payload {
                name,
                event,
                got,
                want,
            } => write!(
                f,
                "{name} got {} with {}, but the goal wants {}",
                quoted(event),
                args(got),
                args(want)
            ),
            Miss::Rooms {
                name,
                got: None,
                want,
            } => write!(
                f,
                "{name} should end in {}, but {name} is not connected",
                room_set(want)
            ),
            Miss::Rooms {
                name,
                got: Some(got),
                want,
            } => write!(
                f,
                "{name} should end in {}, but is in {}",
                room_set(want),
                room_set(got)
            ),
            Miss::NotAdmitted {
                name,
                refused: Some(message),
            } => write!(
                f,
                "{name} should be admitted, but a middleware refused it ({})",
                quoted(message)
            ),
            Miss::NotAdmitted {
                name,
                refused: None,
            } => write!(f, "{name} should be admitted, but never connected"),
            Miss::NotRefused {
                name,
                admitted: true,
            } => write!(f, "{name} should be refused, but was admitted"),
            Miss::NotRefused {
                name,
                admitted: false,
            } => write!(f, "{name} should be refused, but never tried to connect"),
            Miss::Ack { got: None, want } => write!(
                f,
                "the sender should get an acknowledgement with {}, and none came",
                args(want)
            ),
            Miss::Ack {
                got: Some(got),
                want,
            } => write!(
                f,
                "the acknowledgement carried {}, but the goal wants {}",
                args(got),
                args(want)
            ),
            Miss::Failed { code, message } => write!(f, "`{code}` failed: {message}"),
        }
    }
}

fn room_set(rooms: &BTreeSet<String>) -> String {
    if rooms.is_empty() {
        "no room".to_owned()
    } else {
        quoted_rooms(rooms)
    }
}

#[cfg(test)]
mod tests {
    //! Grading from step reports built by hand: each kind of miss, and the
    //! parts of a try that are not graded.
    use super::*;
    use crate::learn::exercise::parse_block;
    use crate::report::{Absence, Room};
    use serde_json::json;

    fn expect(lines: &str) -> Expect {
        parse_block(1, &format!("goal: g\nhint: h\nsolution: s\n{lines}"))
            .unwrap()
            .expect
    }

    fn report(outcome: Outcome) -> StepReport {
        StepReport::new(1, "code".to_owned(), outcome)
    }

    fn emit(event: &str, deliveries: &[(&str, Delivery)]) -> Outcome {
        Outcome::Emit {
            event: event.to_owned(),
            deliveries: deliveries
                .iter()
                .map(|(n, d)| ((*n).to_owned(), d.clone()))
                .collect(),
        }
    }

    fn got(args: Value) -> Delivery {
        Delivery::Received(args.as_array().unwrap().clone())
    }

    fn joined(name: &str, rooms: &[&str]) -> Outcome {
        Outcome::Rooms(BTreeMap::from([(
            name.to_owned(),
            rooms.iter().map(|r| (*r).to_owned()).collect(),
        )]))
    }

    fn connected(name: &str, error: Option<&str>) -> Outcome {
        Outcome::Connect {
            name: name.to_owned(),
            ns: "/".to_owned(),
            server: None,
            error: error.map(str::to_owned),
            no_namespace: false,
        }
    }

    fn none() -> RoomsNow {
        RoomsNow::new()
    }

    /// Clients of `/` and their rooms.
    fn in_rooms(clients: &[(&str, &[&str])]) -> RoomsNow {
        clients
            .iter()
            .map(|(name, rooms)| {
                let rooms = rooms.iter().map(|r| (*r).to_owned()).collect();
                ((*name).to_owned(), ("/".to_owned(), rooms))
            })
            .collect()
    }

    fn texts(verdict: &Verdict) -> Vec<String> {
        verdict.misses.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_right_receivers_pass_and_each_miss_is_explained() {
        let e = expect("expect event: \"news\"\nexpect receivers: bob carol\n");
        let start = vec![
            (Part::Start, report(connected("alice", None))),
            (Part::Start, report(joined("alice", &["lobby"]))),
        ];
        let right = emit(
            "news",
            &[
                (
                    "alice",
                    Delivery::Missed(Reason::Excepted {
                        room: Room::Name("mods".into()),
                    }),
                ),
                ("bob", got(json!(["hi"]))),
                ("carol", got(json!(["hi"]))),
            ],
        );
        let mut reports = start.clone();
        reports.push((Part::Answer, report(right)));
        assert!(grade(&e, &reports, &none(), &none()).passed());

        let wrong = emit(
            "news",
            &[
                ("alice", got(json!(["hi"]))),
                ("bob", got(json!(["hi"]))),
                (
                    "carol",
                    Delivery::Missed(Reason::NotInRooms {
                        rooms: vec![Room::Name("lobby".into())],
                    }),
                ),
            ],
        );
        let mut reports = start;
        reports.push((Part::Answer, report(wrong)));
        assert_eq!(
            texts(&grade(
                &e,
                &reports,
                &in_rooms(&[("alice", &["lobby"])]),
                &none()
            )),
            [
                "alice got \"news\", but the goal leaves alice out (alice is in \"lobby\")",
                "carol should have got \"news\", and did not: not in \"lobby\"",
            ]
        );
    }

    #[test]
    fn emits_in_the_start_are_not_graded_and_other_events_do_not_count() {
        let e = expect("expect event: \"news\"\nexpect receivers: bob\n");
        let reports = vec![
            (
                Part::Start,
                report(emit("news", &[("bob", got(json!([])))])),
            ),
            (
                Part::Answer,
                report(emit("chat", &[("bob", got(json!([])))])),
            ),
        ];
        assert_eq!(
            texts(&grade(&e, &reports, &none(), &none())),
            ["nothing emitted \"news\""]
        );
        // Nobody expected, nothing emitted: that is the goal met.
        let nobody = expect("expect event: \"news\"\nexpect receivers: -\n");
        assert!(grade(&nobody, &reports, &none(), &none()).passed());
    }

    #[test]
    fn a_wrong_payload_is_a_miss() {
        let e = expect("expect receivers: bob\nexpect payload: [\"fire\"]\n");
        let reports = vec![(
            Part::Then,
            report(emit("news", &[("bob", got(json!(["smoke"])))])),
        )];
        assert_eq!(
            texts(&grade(&e, &reports, &none(), &none())),
            ["bob got \"news\" with [\"smoke\"], but the goal wants [\"fire\"]"]
        );
    }

    #[test]
    fn rooms_after_the_try_are_the_servers_compared_exactly() {
        let e = expect("expect rooms: carol \"games\"\nexpect rooms: alice -\n");
        // What the server holds at the end, not what the reports show: a
        // connection handler's join is in no report.
        let after = in_rooms(&[("alice", &["games"]), ("carol", &[])]);
        assert_eq!(
            texts(&grade(&e, &[], &none(), &after)),
            [
                "alice should end in no room, but is in \"games\"",
                "carol should end in \"games\", but is in no room",
            ]
        );
        let e = expect("expect rooms: carol \"games\"\n");
        assert_eq!(
            texts(&grade(&e, &[], &none(), &in_rooms(&[("alice", &[])]))),
            ["carol should end in \"games\", but carol is not connected"]
        );
        let right = in_rooms(&[("carol", &["games"])]);
        assert!(grade(&e, &[], &none(), &right).passed());
    }

    #[test]
    fn admissions_and_refusals_are_graded_from_the_connects() {
        let e = expect("expect admitted: ana max\nexpect refused: gus zed\n");
        let reports = vec![
            (Part::Then, report(connected("ana", None))),
            (Part::Then, report(connected("gus", None))),
            (Part::Then, report(connected("max", Some("not allowed")))),
        ];
        assert_eq!(
            texts(&grade(&e, &reports, &none(), &none())),
            [
                "max should be admitted, but a middleware refused it (\"not allowed\")",
                "gus should be refused, but was admitted",
                "zed should be refused, but never tried to connect",
            ]
        );
    }

    #[test]
    fn a_failed_answer_is_a_miss_even_when_nobody_is_expected() {
        let e = expect("expect receivers: -\n");
        let reports = vec![(
            Part::Answer,
            report(Outcome::Error("client bob is not connected".into())),
        )];
        assert_eq!(
            texts(&grade(&e, &reports, &none(), &none())),
            ["`code` failed: client bob is not connected"]
        );
    }

    #[test]
    fn the_senders_acknowledgement_in_the_graded_lines_is_compared() {
        let e = expect("expect ack: [{\"status\": \"ok\"}]\n");
        let mut acked = report(Outcome::Answered);
        acked.ack = Some(BTreeMap::from([(
            "alice".to_owned(),
            vec![json!({"status": "ok"})],
        )]));
        assert!(grade(&e, &[(Part::Then, acked.clone())], &none(), &none()).passed());
        // The same acknowledgement in the start does not count.
        assert!(!grade(&e, &[(Part::Start, acked)], &none(), &none()).passed());
        let mut wrong = report(Outcome::Answered);
        wrong.ack = Some(BTreeMap::from([("alice".to_owned(), vec![json!("ok")])]));
        assert_eq!(
            texts(&grade(&e, &[(Part::Then, wrong)], &none(), &none())),
            ["the acknowledgement carried [\"ok\"], but the goal wants [{\"status\":\"ok\"}]"]
        );
    }

    #[test]
    fn a_missing_acknowledgement_is_a_miss() {
        let e = expect("expect ack: [{\"status\": \"ok\"}]\n");
        assert_eq!(
            texts(&grade(&e, &[], &none(), &none())),
            ["the sender should get an acknowledgement with [{\"status\":\"ok\"}], and none came"]
        );
        // Refusals from the server's state read as the receipt does.
        let why = Reason::NotConnected(Absence::Rejected("no".into()));
        let e = expect("expect receivers: bob\n");
        let reports = vec![(
            Part::Answer,
            report(emit("x", &[("bob", Delivery::Missed(why))])),
        )];
        assert_eq!(
            texts(&grade(&e, &reports, &none(), &none())),
            [
                "bob should have got \"x\", and did not: not connected: a middleware refused it (\"no\")"
            ]
        );
    }
}
