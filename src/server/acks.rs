//! A client's answer to the server's acknowledgement, bridged: rust_socketio
//! cannot send an ACK packet for an event the server emitted, so a tour
//! client answers with the private [`ANSWER_EVENT`], whose one argument is
//! `{"event": EVENT, "args": [ARGS…]}`; the server hands what it got to
//! the engine as [`Notice::Answer`].

use serde_json::Value;
use socketioxide::adapter::Adapter;

use super::{Notice, Shared};
use crate::protocol::ANSWER_EVENT;

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
