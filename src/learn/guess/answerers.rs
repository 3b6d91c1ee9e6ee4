//! A broadcast ask's guess (v3): who will answer
//! `io.timeout(MS).emit(…, ack)`, graded from who really answered, each
//! other client's "why not" from the step's report: the server's reason
//! for a target that did not answer, the delivery's reason for a client
//! the ask never reached.

use std::collections::BTreeSet;

use crate::report::{Delivery, Outcome, StepReport, explain};

/// One client of a graded "who will answer" guess.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerGrade {
    pub name: String,
    /// The learner said it would answer.
    pub said: bool,
    /// Its answer reached the server's callback.
    pub answered: bool,
    /// Why it did not answer, from the report.
    pub why_not: Option<String>,
}

impl AnswerGrade {
    pub fn right(&self) -> bool {
        self.said == self.answered
    }

    /// Its line in a predict receipt: `None` when the guess was right.
    pub fn wrong_because(&self) -> Option<String> {
        let name = &self.name;
        match (self.right(), &self.why_not) {
            (true, _) => None,
            (false, Some(why)) => Some(format!("you said {name}: {why}")),
            (false, None) if self.said => Some(format!("you said {name}, but it did not answer")),
            (false, None) => Some(format!("you left {name} out, but {name} answered")),
        }
    }
}

/// Grades `said` against the step's ask: every client of the run, in name
/// order; `None` when the step asked nobody (it failed, or emitted nothing).
pub fn grade(said: &BTreeSet<String>, report: &StepReport) -> Option<Vec<AnswerGrade>> {
    let answered = report.ack.as_ref()?;
    let unanswered = report.ack_detail.unanswered.as_ref()?;
    let Outcome::Emit { deliveries, .. } = &report.outcome else {
        return None;
    };
    Some(
        deliveries
            .iter()
            .map(|(name, delivery)| {
                let why_not = match (unanswered.get(name), delivery) {
                    (Some(why), _) => Some(why.clone()),
                    (None, Delivery::Missed(reason)) => {
                        Some(format!("it never got the ask ({})", explain(reason)))
                    }
                    (None, Delivery::Received(_)) => None,
                };
                AnswerGrade {
                    name: name.clone(),
                    said: said.contains(name),
                    answered: answered.contains_key(name),
                    why_not: why_not.filter(|_| !answered.contains_key(name)),
                }
            })
            .collect(),
    )
}
