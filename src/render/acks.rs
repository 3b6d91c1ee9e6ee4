//! A step's acknowledgement in a learner's words (v3 forms included): what
//! each callback or promise got, who did not answer the server and why.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::report::{AckDetail, quoted};

/// One line about an acknowledgement: about a client (`Some` name, with
/// whether it is good news) or about the step as a whole.
pub(super) struct AckText {
    pub(super) name: Option<String>,
    pub(super) answered: bool,
    pub(super) text: String,
}

fn values(args: &[Value]) -> String {
    args.iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the step's `ack` line says, line by line.
pub(super) fn ack_texts(ack: &BTreeMap<String, Vec<Value>>, detail: &AckDetail) -> Vec<AckText> {
    let about = |name: &str, answered: bool, text: String| AckText {
        name: Some(name.to_owned()),
        answered,
        text,
    };
    let step = |text: String| AckText {
        name: None,
        answered: false,
        text,
    };
    let error = |e: &Option<String>| match e {
        None => "null".to_owned(),
        Some(message) => format!("Error {}", quoted(message)),
    };
    let mut lines = Vec::new();
    if let Some(unanswered) = &detail.unanswered {
        // The server asked: one line per client that answered, one per target that did not.
        for (name, args) in ack {
            let text = match (detail.responses, args.as_slice()) {
                (false, []) => "answered: it called callback() with no arguments".to_owned(),
                (false, args) => format!("answered {}", values(args)),
                (true, []) => {
                    "answered: it called callback() with no arguments (its response: undefined)"
                        .to_owned()
                }
                (true, args) => format!("answered; its response: {}", values(args)),
            };
            lines.push(about(name, true, text));
        }
        for (name, why) in unanswered {
            lines.push(about(name, false, why.clone()));
        }
        match &detail.error {
            Some(e) => lines.push(step(format!(
                "the server's callback got err = {}{}",
                error(e),
                if ack.is_empty() && unanswered.is_empty() {
                    " (nobody was asked)"
                } else {
                    ""
                }
            ))),
            None if ack.is_empty() => lines.push(step(
                "no acknowledgement came back: the server's callback never runs".to_owned(),
            )),
            None => {}
        }
        return lines;
    }
    // A client's own emit.
    if ack.is_empty() {
        lines.push(step(match (&detail.error, detail.promise) {
            (Some(e), true) => format!(
                "no acknowledgement came back: the promise rejected with {}",
                error(e)
            ),
            (Some(e), false) => format!(
                "no acknowledgement came back: the ack callback got err = {}",
                error(e)
            ),
            (None, true) => {
                "no acknowledgement came back: the promise never settles (nothing called callback())"
                    .to_owned()
            }
            (None, false) => "no acknowledgement came back: nothing called callback()".to_owned(),
        }));
    }
    for (name, args) in ack {
        let err = match &detail.error {
            Some(e) => format!("err = {}, then ", error(e)),
            None => String::new(),
        };
        let text = match (detail.promise, args.as_slice()) {
            (true, []) => {
                "its promise resolved with undefined (callback() had no arguments)".to_owned()
            }
            (true, args) => format!("its promise resolved with {}", values(args)),
            (false, []) => format!("its ack callback ran, with {err}no arguments"),
            (false, args) => format!("its ack callback got {err}{}", values(args)),
        };
        lines.push(about(name, true, text));
    }
    lines
}
