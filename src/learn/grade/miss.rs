//! The ways a try falls short of an exercise's goal, each said in the
//! receipt's terms (who got the event and should not, who did not and why).

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::report::{Reason, explain};

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
    /// The answer's last `fetchSockets()` found other sockets than the
    /// goal's (`None`: it fetched nothing) (v3).
    Found {
        got: Option<BTreeSet<String>>,
        want: BTreeSet<String>,
    },
    /// A graded statement ended in a run-time error.
    Failed { code: String, message: String },
    /// Got an event in a step where the reference solution sends it none.
    Extra {
        when: Moment,
        name: String,
        event: String,
    },
    /// Did not get an event that the reference solution sends it there.
    Lacking {
        when: Moment,
        name: String,
        event: String,
        /// Why not, from the server's state.
        reason: Option<Reason>,
        /// Whether the answer sent that event at all in the step.
        sent: bool,
    },
    /// Got the event with other arguments than the reference solution's.
    OtherArgs {
        when: Moment,
        name: String,
        event: String,
        got: Vec<Value>,
        want: Vec<Value>,
    },
    /// Got the events as often as…: another number of times.
    Times {
        when: Moment,
        name: String,
        got: usize,
        want: usize,
    },
    /// Admitted or refused otherwise than with the reference solution
    /// (`None`: never connected; `Some(None)`: admitted).
    Admission {
        name: String,
        got: Option<Option<String>>,
        want: Option<Option<String>>,
    },
    /// A `require:` condition the answer does not meet, explained.
    Condition(String),
}

/// The step of a try a miss is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Moment {
    /// The answer's own statements.
    Answer,
    /// The `then:` line with this code.
    Then(String),
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Answer => f.write_str("in your answer's own step"),
            Moment::Then(code) => write!(f, "after `{code}`"),
        }
    }
}

/// An admission in words.
fn admission(state: &Option<Option<String>>) -> String {
    match state {
        None => "never connects".to_owned(),
        Some(None) => "is admitted".to_owned(),
        Some(Some(message)) => format!("is refused ({})", quoted(message)),
    }
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
            Miss::Found { got: None, want } => write!(
                f,
                "the goal wants a `fetchSockets()` that finds {}, and the answer fetched nothing",
                found_names(want)
            ),
            Miss::Found {
                got: Some(got),
                want,
            } => write!(
                f,
                "`fetchSockets()` found {}, but the goal wants {}",
                found_names(got),
                found_names(want)
            ),
            Miss::Failed { code, message } => write!(f, "`{code}` failed: {message}"),
            Miss::Extra { when, name, event } => write!(
                f,
                "{when}, {name} got {}, and the reference solution sends {name} nothing there",
                quoted(event)
            ),
            Miss::Lacking {
                when,
                name,
                event,
                reason,
                sent,
            } => {
                write!(
                    f,
                    "{when}, {name} should get {} (the reference solution sends it), and did not: ",
                    quoted(event)
                )?;
                match reason {
                    Some(reason) if *sent => f.write_str(&explain(reason)),
                    _ if *sent => write!(f, "it went to others only"),
                    _ => write!(f, "nothing sent {} then", quoted(event)),
                }
            }
            Miss::OtherArgs {
                when,
                name,
                event,
                got,
                want,
            } => write!(
                f,
                "{when}, {name} got {} with {}, where the reference solution sends {}",
                quoted(event),
                args(got),
                args(want)
            ),
            Miss::Times {
                when,
                name,
                got,
                want,
            } => write!(
                f,
                "{when}, {name} got it {got} time(s), where the reference solution sends it {want}"
            ),
            Miss::Admission { name, got, want } => write!(
                f,
                "{name} {}, where with the reference solution {name} {}",
                admission(got),
                admission(want)
            ),
            Miss::Condition(text) => f.write_str(text),
        }
    }
}

/// Rooms as a receipt names them: quoted, or "no room".
pub fn room_set(rooms: &BTreeSet<String>) -> String {
    if rooms.is_empty() {
        "no room".to_owned()
    } else {
        quoted_rooms(rooms)
    }
}

/// The sockets a `fetchSockets()` found, by client name, for a miss.
fn found_names(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "no socket".to_owned()
    } else {
        names.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}
