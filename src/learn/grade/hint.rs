//! A hint about the learner's last miss, shown before the exercise's own
//! hints: the sender left out, no handler, the wrong room or namespace, a
//! name where the goal means whoever it is.

use super::{Miss, Verdict};
use crate::report::Reason;

/// What to tell about `verdict`'s first miss that explains itself best.
pub fn about(verdict: &Verdict) -> Option<String> {
    if let Some(variant) = &verdict.variant
        && (variant.label.starts_with("the clients renamed")
            || variant.label.starts_with("other clients")
            || variant.label.starts_with("other values"))
    {
        return Some(format!(
            "Your answer works for the names and values of the exercise's own start, but not on the variant \"{}\": \
             it names a client or a value the goal leaves open. In a handler, `socket` is the sender and `msg` what it sent; \
             elsewhere, name rooms rather than people.",
            variant.label
        ));
    }
    verdict.misses.iter().find_map(about_miss)
}

fn about_miss(miss: &Miss) -> Option<String> {
    match miss {
        Miss::Condition(text) if text.contains("no handler") => Some(
            "A plain statement runs once, now; the goal needs code that runs each time the event comes: \
             a handler, `on \"EVENT\": …`."
                .to_owned(),
        ),
        Miss::Missing {
            name,
            reason: Some(reason),
            ..
        }
        | Miss::Lacking {
            name,
            reason: Some(reason),
            sent: true,
            ..
        } => about_reason(name, reason),
        Miss::Lacking {
            event, sent: false, ..
        } => Some(format!(
            "Nothing sent {event:?} at that moment: a handler runs when its event arrives, a plain statement only once, when you type it."
        )),
        Miss::NoEmit { .. } => Some(
            "Nothing was emitted: if your answer is a handler, check that its event is the one the follow-up lines send."
                .to_owned(),
        ),
        _ => None,
    }
}

fn about_reason(name: &str, reason: &Reason) -> Option<String> {
    Some(match reason {
        Reason::Sender { connecting, .. } => format!(
            "{name} was left out as {}: a broadcast from a socket (`socket.broadcast`, `socket.to`) never reaches that socket; \
             send from `io` to include it.",
            if *connecting {
                "the connecting socket"
            } else {
                "the sender"
            }
        ),
        Reason::OtherNamespace { own, target } => format!(
            "{name} is in namespace {own}, and your emit went to {target}: each namespace has its own sockets, rooms and handlers (`io.of(\"{own}\")`, `on {own} …`)."
        ),
        Reason::NotInRooms { .. } => format!(
            "{name} is not in the rooms your answer targets: look at which rooms the start puts {name} in."
        ),
        Reason::Excepted { .. } => {
            format!("{name} is in a room your `except` leaves out.")
        }
        Reason::NotTheTarget { .. } => format!(
            "`socket.emit` answers one client only; {name} needs a broadcast (`io.emit`, `socket.broadcast.emit`, `io.to(…)`)."
        ),
        Reason::OtherServer { server } => format!(
            "{name} is on server {server}: without the adapter each server reaches its own sockets only."
        ),
        _ => return None,
    })
}
