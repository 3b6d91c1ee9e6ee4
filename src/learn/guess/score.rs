//! Grading a guess against what the clients observed, client by client,
//! and adding the grades of a lesson up into a score.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::answer::{Prediction, Question};
use super::ideas::Idea;
use crate::report::{Delivery, Outcome, Reason, StepReport, explain};
use crate::script::{Statement, StatementKind};

/// One client of a graded receivers prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientGrade {
    pub name: String,
    /// The learner said it would receive.
    pub said: bool,
    /// It did receive.
    pub got: bool,
    /// Why it did not, from the server's state.
    pub reason: Option<Reason>,
    /// The guess was whose sockets a `fetchSockets()` finds (v3): `said`
    /// and `got` are about being found, not receiving.
    pub fetch: bool,
}

impl ClientGrade {
    pub fn right(&self) -> bool {
        self.said == self.got
    }
}

/// A prediction, graded against the step's report.
#[derive(Debug, Clone, PartialEq)]
pub enum Graded {
    /// Every client of the run, in name order.
    Receivers(Vec<ClientGrade>),
    Admission {
        name: String,
        said: bool,
        admitted: bool,
        /// Refused because the namespace does not exist (no middleware ran).
        no_namespace: bool,
    },
    /// What `name`'s ack callback got (`None`: no acknowledgement came).
    Ack {
        name: String,
        said: Option<Vec<Value>>,
        got: Option<Vec<Value>>,
    },
    /// Who answered a broadcast's ask (v3): every client of the run.
    Answerers(Vec<super::AnswerGrade>),
    /// Whether `name`, connecting again, got any of `events`.
    Missed {
        name: String,
        events: Vec<String>,
        said: bool,
        got: bool,
    },
    Skipped,
    /// The step did not do what was asked about (it failed, or did
    /// something else): nothing to grade.
    Ungradable,
}

impl Graded {
    /// Whether the guess was right (a skip or an ungraded step is not).
    pub fn right(&self) -> bool {
        match self {
            Graded::Receivers(clients) => clients.iter().all(ClientGrade::right),
            Graded::Admission { said, admitted, .. } => said == admitted,
            Graded::Ack { said, got, .. } => said == got,
            Graded::Missed { said, got, .. } => said == got,
            Graded::Answerers(clients) => clients.iter().all(super::AnswerGrade::right),
            Graded::Skipped | Graded::Ungradable => false,
        }
    }

    /// Whether it counts in the score (a guess on a step that did what was asked).
    pub fn counts(&self) -> bool {
        matches!(
            self,
            Graded::Receivers(_)
                | Graded::Admission { .. }
                | Graded::Ack { .. }
                | Graded::Missed { .. }
                | Graded::Answerers(_)
        )
    }

    /// The ideas behind the wrong parts of the guess, each once.
    pub fn ideas(&self, statement: &Statement) -> BTreeSet<Idea> {
        match self {
            Graded::Receivers(clients) => clients
                .iter()
                .filter(|c| !c.right())
                .map(|c| match &c.reason {
                    Some(reason) => Idea::of_reason(reason),
                    // Said to receive from a client's event that sent nothing on.
                    None if !c.got
                        && matches!(statement.kind, StatementKind::ClientEmit { .. }) =>
                    {
                        Idea::Unanswered
                    }
                    None => Idea::of_reach(statement),
                })
                .collect(),
            Graded::Admission {
                said,
                admitted,
                no_namespace,
                ..
            } if said != admitted => BTreeSet::from([if *no_namespace {
                Idea::NoNamespace
            } else {
                Idea::Middleware
            }]),
            Graded::Ack { said, got, .. } if said != got => BTreeSet::from([Idea::Ack]),
            Graded::Missed { said, got, .. } if said != got => BTreeSet::from([Idea::AtMostOnce]),
            Graded::Answerers(clients) if !clients.iter().all(super::AnswerGrade::right) => {
                BTreeSet::from([Idea::Answers])
            }
            _ => BTreeSet::new(),
        }
    }
}

/// Grades `prediction`, the answer to `question`, against what a step
/// did: its ack as the client got it, what a returning client received,
/// or the first of its outcomes (its own, then its handlers') that the
/// question was about.
pub fn grade(question: &Question, prediction: &Prediction, report: &StepReport) -> Graded {
    match (question, prediction) {
        (_, Prediction::Skipped) => Graded::Skipped,
        (Question::Found { .. }, Prediction::Receivers(said)) => grade_found(said, report),
        (
            Question::Ack { name, .. }
            | Question::Promise { name, .. }
            | Question::Answer { name, .. },
            Prediction::Ack(said),
        ) => {
            match &report.ack {
                // The emit never left the client: no ack was waited for.
                None => Graded::Ungradable,
                Some(acks) => Graded::Ack {
                    name: name.clone(),
                    said: said.clone(),
                    got: acks.get(name).cloned(),
                },
            }
        }
        (Question::Answerers { .. }, Prediction::Receivers(said)) => {
            super::answerers::grade(said, report).map_or(Graded::Ungradable, Graded::Answerers)
        }
        (Question::Missed { name, events }, Prediction::GetsMissed(said)) => {
            match &report.outcome {
                Outcome::Connect { error: None, .. } | Outcome::Reconnected { error: None, .. } => {
                    Graded::Missed {
                        name: name.clone(),
                        events: events.clone(),
                        said: *said,
                        got: report
                            .received
                            .get(name)
                            .is_some_and(|got| got.iter().any(|event| events.contains(event))),
                    }
                }
                _ => Graded::Ungradable,
            }
        }
        _ => grade_emit(prediction, report),
    }
}

/// A guess of whose sockets a `fetchSockets()` finds (v3): right about a
/// client when it was said exactly if it was found.
fn grade_found(said: &BTreeSet<String>, report: &StepReport) -> Graded {
    let Outcome::Sockets { found, missed } = &report.outcome else {
        return Graded::Ungradable;
    };
    let names: BTreeSet<&String> = found.keys().chain(missed.keys()).chain(said).collect();
    Graded::Receivers(
        names
            .into_iter()
            .map(|name| ClientGrade {
                name: name.clone(),
                said: said.contains(name),
                got: found.contains_key(name),
                reason: missed.get(name).cloned(),
                fetch: true,
            })
            .collect(),
    )
}

/// A receivers or admission guess, graded against the first outcome of
/// the step it was about.
fn grade_emit(prediction: &Prediction, report: &StepReport) -> Graded {
    report
        .outcomes()
        .map(|outcome| grade_outcome(prediction, outcome))
        .find(|g| *g != Graded::Ungradable)
        .unwrap_or_else(|| grade_nothing(prediction, &report.outcome))
}

fn grade_outcome(prediction: &Prediction, outcome: &Outcome) -> Graded {
    match (prediction, outcome) {
        (Prediction::Receivers(said), Outcome::Emit { deliveries, .. }) => Graded::Receivers(
            deliveries
                .iter()
                .map(|(name, delivery)| ClientGrade {
                    name: name.clone(),
                    said: said.contains(name),
                    got: matches!(delivery, Delivery::Received(_)),
                    reason: match delivery {
                        Delivery::Missed(reason) => Some(reason.clone()),
                        Delivery::Received(_) => None,
                    },
                    fetch: false,
                })
                .collect(),
        ),
        (
            Prediction::Admitted(said),
            Outcome::Connect {
                name,
                error,
                no_namespace,
                ..
            },
        ) => Graded::Admission {
            name: name.clone(),
            said: *said,
            admitted: error.is_none(),
            no_namespace: *no_namespace,
        },
        _ => Graded::Ungradable,
    }
}

/// A receivers guess on a step that emitted nothing at all: every name
/// said is wrong, and `-` is right.
fn grade_nothing(prediction: &Prediction, own: &Outcome) -> Graded {
    match (prediction, own) {
        (Prediction::Receivers(_), Outcome::Error(_)) => Graded::Ungradable,
        (Prediction::Receivers(said), _) => Graded::Receivers(
            said.iter()
                .map(|name| ClientGrade {
                    name: name.clone(),
                    said: true,
                    got: false,
                    reason: None,
                    fetch: false,
                })
                .collect(),
        ),
        _ => Graded::Ungradable,
    }
}

/// The predictions of a lesson, added up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// Guesses on steps that did what was asked about.
    pub graded: usize,
    pub right: usize,
    pub skipped: usize,
    /// How many wrong guesses each idea was behind.
    pub ideas: BTreeMap<Idea, usize>,
}

impl Score {
    pub fn add(&mut self, graded: &Graded, statement: &Statement) {
        match graded {
            Graded::Skipped => self.skipped += 1,
            g if g.counts() => {
                self.graded += 1;
                self.right += usize::from(g.right());
                for idea in g.ideas(statement) {
                    *self.ideas.entry(idea).or_default() += 1;
                }
            }
            _ => {}
        }
    }
}

/// A client's line in a predict receipt: `None` when the guess was right.
pub fn wrong_because(client: &ClientGrade) -> Option<String> {
    if client.right() {
        return None;
    }
    let name = &client.name;
    Some(match (&client.reason, client.said) {
        (Some(reason), true) if client.fetch => {
            format!("you said {name}, but it was not found: {}", explain(reason))
        }
        (None, true) if client.fetch => format!("you said {name}, but the fetch did not find it"),
        (_, false) if client.fetch => format!("you left {name} out, but the fetch found it"),
        (Some(reason), true) => format!("you said {name}: {}", explain(reason)),
        (None, true) => format!("you said {name}, but the step emitted nothing"),
        (_, false) => format!("you left {name} out, but {name} got it"),
    })
}

/// Arguments as the transcript writes them: compact JSON, comma-separated.
pub fn json_args(args: &[Value]) -> String {
    args.iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What happened instead of an ack or returning-client guess, from what
/// the client observed: the client, and the sentence. `None` when the
/// guess was right, or is of another kind.
pub fn what_came(graded: &Graded) -> Option<(&str, String)> {
    if graded.right() {
        return None;
    }
    match graded {
        Graded::Ack {
            name, got: None, ..
        } => Some((
            name,
            "no acknowledgement came back: nothing called callback()".to_owned(),
        )),
        Graded::Ack {
            name,
            got: Some(args),
            ..
        } if args.is_empty() => Some((
            name,
            format!("{name}'s ack callback ran, with no arguments"),
        )),
        Graded::Ack {
            name,
            got: Some(args),
            ..
        } => Some((
            name,
            format!("{name}'s ack callback got {}", json_args(args)),
        )),
        Graded::Missed {
            name, events, got, ..
        } => {
            let events = events
                .iter()
                .map(|e| serde_json::Value::String(e.clone()).to_string())
                .collect::<Vec<_>>()
                .join(", ");
            Some((
                name,
                if *got {
                    format!("{name} got {events} on connecting again")
                } else {
                    format!(
                        "{name} got none of {events} on connecting again: a new socket, and the server kept nothing for it"
                    )
                },
            ))
        }
        _ => None,
    }
}
