//! The learner's answer before a step: the questions a step can ask (who
//! will receive? admitted or refused? what comes back to the ack? does a
//! returning client get what it missed?) and how an answer is read.

use std::collections::BTreeSet;

use serde_json::Value;

/// What the learner answered before a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prediction {
    /// These clients will receive the event (empty: nobody).
    Receivers(BTreeSet<String>),
    /// The connect will be admitted (`true`) or refused.
    Admitted(bool),
    /// The ack callback will receive these arguments (`None`: no
    /// acknowledgement comes back).
    Ack(Option<Vec<Value>>),
    /// The returning client will (`true`) get what was sent while it was away.
    GetsMissed(bool),
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
    /// What will `name`'s ack callback receive for its emit of `event`
    /// (quoted)?
    Ack { name: String, event: String },
    /// What will `name`'s promise resolve with, for its
    /// `await socket.emitWithAck(event…)` (quoted; v3)?
    Promise { name: String, event: String },
    /// What will the server's callback get from `name`'s answer to its
    /// ask with `event` (quoted; v3)?
    Answer { name: String, event: String },
    /// Who will answer a broadcast's ask with `event` (quoted; v3)?
    Answerers { event: String },
    /// `events` were sent while `name` was away: will it get them now
    /// that it connects again?
    Missed { name: String, events: Vec<String> },
    /// Whose sockets will this `fetchSockets()` find (v3)? `server`: the
    /// server that asks, on a cluster.
    Found { server: Option<String> },
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
            Question::Ack { name, event } => format!(
                "What will {name}'s ack callback for {event} receive? (its arguments as JSON, \
                 e.g. `{{\"ok\": true}}`; `-` if no acknowledgement comes back; `?` to skip)"
            ),
            Question::Promise { name, event } => format!(
                "What will {name}'s promise for {event} resolve with? (the value as JSON, \
                 e.g. `{{\"ok\": true}}`; `-` if it never resolves or rejects; `?` to skip)"
            ),
            Question::Answer { name, event } => format!(
                "What will the server's callback get from {name}'s answer to {event}? (the \
                 arguments as JSON, e.g. `\"yes\"`; `-` if no answer comes back; `?` to skip)"
            ),
            Question::Found { server } => {
                let who = server
                    .as_ref()
                    .map_or("the server".to_owned(), |label| format!("server {label}"));
                format!("Whose sockets will {who} find? (client names, `-` for none, `?` to skip)")
            }
            Question::Answerers { event } => format!(
                "Who will answer the server's ask with {event}? (names, `-` for nobody, \
                 `?` to skip)"
            ),
            Question::Missed { name, events } => {
                let (events, it) = match events.as_slice() {
                    [one] => (quoted(one), "it"),
                    many => (
                        many.iter()
                            .map(|e| quoted(e))
                            .collect::<Vec<_>>()
                            .join(", "),
                        "them",
                    ),
                };
                format!(
                    "{events} went out while {name} was away. Will {name} get {it} now, on \
                     connecting again? (`y`, `n`, `?` to skip)"
                )
            }
        }
    }

    /// Reads an answer; `Err` says why it cannot be read (ask again).
    pub fn parse(&self, answer: &str, clients: &BTreeSet<String>) -> Result<Prediction, String> {
        match self {
            Question::Receivers { .. } | Question::Found { .. } | Question::Answerers { .. } => {
                parse_receivers(answer, clients)
            }
            Question::Admission { .. } => parse_admission(answer),
            Question::Ack { .. } | Question::Promise { .. } | Question::Answer { .. } => {
                parse_ack(answer)
            }
            Question::Missed { .. } => parse_yes_no(answer),
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

/// The ack's arguments as JSON, separated by commas as in `callback(…)`
/// (`{"status": "ok"}`, `1, "x"`); `-` when no acknowledgement comes back,
/// `?` to skip.
pub fn parse_ack(answer: &str) -> Result<Prediction, String> {
    let advice = "type the arguments as JSON, as `callback(…)` would get them (e.g. \
                  `{\"status\": \"ok\"}` or `1, \"x\"`); `-` if no acknowledgement comes back, \
                  `?` to skip";
    match answer.trim() {
        "" => Err(advice.to_owned()),
        "?" => Ok(Prediction::Skipped),
        "-" => Ok(Prediction::Ack(None)),
        args => match serde_json::from_str::<Vec<Value>>(&format!("[{args}]")) {
            Ok(args) => Ok(Prediction::Ack(Some(args))),
            Err(_) => Err(format!("`{args}` is not JSON: {advice}")),
        },
    }
}

/// `y`/`yes` or `n`/`no`, or `?` to skip.
pub fn parse_yes_no(answer: &str) -> Result<Prediction, String> {
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(Prediction::GetsMissed(true)),
        "n" | "no" => Ok(Prediction::GetsMissed(false)),
        "?" => Ok(Prediction::Skipped),
        _ => Err("answer `y` (yes) or `n` (no), or `?` to skip".to_owned()),
    }
}

/// An event name as JSON writes it.
pub(super) fn quoted(event: &str) -> String {
    Value::String(event.to_owned()).to_string()
}
