//! A client's answer to the server's acknowledgement, bridged: rust_socketio
//! cannot send an ACK packet for an event the server emitted, so a tour
//! client answers with the private [`ANSWER_EVENT`], whose one argument is
//! `{"event": EVENT, "args": [ARGS…]}`; the server hands what it got to
//! the engine as [`Notice::Answer`]. And the other way: an acknowledgement
//! a tour client asked for and no handler answered is released.

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::AckSender;

use super::{Notice, Shared};
use crate::protocol::{ANSWER_EVENT, UNANSWERED};

/// Whether `event` is a tour client's answer; if it is, the engine is told.
pub(super) fn is_answer<A: Adapter>(
    shared: &Shared<A>,
    name: &str,
    event: &str,
    first: Option<&Value>,
) -> bool {
    if event != ANSWER_EVENT {
        return false;
    }
    let answered = first.and_then(|answer| {
        let event = answer.get("event")?.as_str()?.to_owned();
        let args = answer.get("args")?.as_array()?.clone();
        Some((event, args))
    });
    let (event, args) = answered.unwrap_or_else(|| (String::new(), Vec::new()));
    // The engine may have stopped listening during shutdown; nothing to tell then.
    let _ = shared.notices.send(Notice::Answer {
        name: name.to_owned(),
        event,
        args,
    });
    true
}

/// Answers a tour client's acknowledgement that its handler left
/// unanswered with [`UNANSWERED`], which the client drops unseen: rust_socketio
/// 0.6 never forgets an unanswered ack (its ids are random in 0..999), and
/// when a later ack draws the same id, its `handle_ack` removes both
/// entries by index and panics (seen once in 100 runs of the acks lesson).
/// Nothing is observed from it: "no acknowledgement" is still decided by
/// the step's sync, which comes after this packet on the same connection.
pub(super) fn release<A: Adapter>(ack: AckSender<A>) {
    // A client that left meanwhile has nothing to release.
    let _ = ack.send(&UNANSWERED);
}
