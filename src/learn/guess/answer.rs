//! The learner's answer before a step: the two questions a step can ask
//! (who will receive? admitted or refused?) and how an answer is read.

use std::collections::BTreeSet;

/// What the learner answered before a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prediction {
    /// These clients will receive the event (empty: nobody).
    Receivers(BTreeSet<String>),
    /// The connect will be admitted (`true`) or refused.
    Admitted(bool),
    /// `?`: no guess.
    Skipped,
}

/// What a step asks the learner, before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Who will receive what this statement emits (`what`: the event,
    /// quoted, or `anything` when the step may deliver nothing)?
    Receivers { what: String },
    /// Will this client be admitted, or refused?
    Admission { name: String },
}

impl Question {
    /// The question in words, with how to answer it.
    pub fn text(&self) -> String {
        match self {
            Question::Receivers { what } => {
                format!("Who will receive {what}? (names, `-` for nobody, `?` to skip)")
            }
            Question::Admission { name } => {
                format!("Will {name} be admitted or refused? (`a`, `r`, `?` to skip)")
            }
        }
    }

    /// Reads an answer; `Err` says why it cannot be read (ask again).
    pub fn parse(&self, answer: &str, clients: &BTreeSet<String>) -> Result<Prediction, String> {
        match self {
            Question::Receivers { .. } => parse_receivers(answer, clients),
            Question::Admission { .. } => parse_admission(answer),
        }
    }
}

/// `bob carol` (spaces or commas between names, in any case), `-` for
/// nobody, `?` to skip.
pub fn parse_receivers(answer: &str, clients: &BTreeSet<String>) -> Result<Prediction, String> {
    let words: Vec<&str> = answer
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [] => Err(
            "type who will receive it, e.g. `bob carol`; `-` for nobody, `?` to skip".to_owned(),
        ),
        ["?"] => Ok(Prediction::Skipped),
        ["-"] => Ok(Prediction::Receivers(BTreeSet::new())),
        _ => {
            let known_as = |word: &str| {
                clients
                    .iter()
                    .find(|c| c.to_lowercase() == word.to_lowercase())
                    .cloned()
            };
            if let Some(unknown) = words.iter().find(|w| known_as(w).is_none()) {
                let known = clients.iter().cloned().collect::<Vec<_>>().join(", ");
                return Err(if clients.is_empty() {
                    format!(
                        "no client is named `{unknown}`: no client has connected yet; answer `-`"
                    )
                } else {
                    format!(
                        "no client is named `{unknown}`; the clients are {known} (or `-` for nobody)"
                    )
                });
            }
            Ok(Prediction::Receivers(
                words.iter().filter_map(|w| known_as(w)).collect(),
            ))
        }
    }
}

/// `a`/`admitted`, `r`/`refused`, or `?` to skip. `yes` and `no` do not
/// say which: they are asked again.
pub fn parse_admission(answer: &str) -> Result<Prediction, String> {
    match answer.trim().to_ascii_lowercase().as_str() {
        "a" | "admitted" | "admit" => Ok(Prediction::Admitted(true)),
        "r" | "refused" | "refuse" => Ok(Prediction::Admitted(false)),
        "y" | "yes" | "n" | "no" => Err(
            "yes or no does not say which: answer `a` (admitted) or `r` (refused), or `?` to skip"
                .to_owned(),
        ),
        "?" => Ok(Prediction::Skipped),
        _ => Err("answer `a` (admitted) or `r` (refused), or `?` to skip".to_owned()),
    }
}
