//! Grading a guess against what the clients observed, client by client,
//! and adding the grades of a lesson up into a score.

use std::collections::{BTreeMap, BTreeSet};

use super::answer::Prediction;
use super::ideas::Idea;
use crate::report::{Delivery, Outcome, Reason, StepReport, explain};
use crate::script::Statement;

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
            Graded::Skipped | Graded::Ungradable => false,
        }
    }

    /// Whether it counts in the score (a guess on a step that did what was asked).
    pub fn counts(&self) -> bool {
        matches!(self, Graded::Receivers(_) | Graded::Admission { .. })
    }

    /// The ideas behind the wrong parts of the guess, each once.
    pub fn ideas(&self, statement: &Statement) -> BTreeSet<Idea> {
        match self {
            Graded::Receivers(clients) => clients
                .iter()
                .filter(|c| !c.right())
                .map(|c| match &c.reason {
                    Some(reason) => Idea::of_reason(reason),
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
            _ => BTreeSet::new(),
        }
    }
}

/// Grades `prediction` against what a step did: the first of its
/// outcomes (its own, then its handlers') that the question was about.
pub fn grade(prediction: &Prediction, report: &StepReport) -> Graded {
    if *prediction == Prediction::Skipped {
        return Graded::Skipped;
    }
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
        (Some(reason), true) => format!("you said {name}: {}", explain(reason)),
        (None, true) => format!("you said {name}, but the step emitted nothing"),
        (_, false) => format!("you left {name} out, but {name} got it"),
    })
}
