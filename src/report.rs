//! What a step did, as plain data: who received what, who did not and why,
//! and any disagreement between what the server's state predicted and what
//! the clients observed. The renderers turn this into text or JSON.

use std::collections::BTreeMap;

use serde_json::Value;

pub use crate::script::Room;

/// The outcome of one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    /// 1-based line number of the statement in its file.
    pub line: usize,
    /// The statement as written.
    pub code: String,
    pub outcome: Outcome,
    /// What the server's own handlers logged during the step (the chat
    /// example's `console.log("a user connected")`), in order.
    pub server_log: Vec<String>,
    /// Where the prediction from the server's state and the observation
    /// disagree: empty exactly when they agree.
    pub mismatches: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Connect {
        name: String,
        ns: String,
        /// `None` when admitted, else the `connect_error` message.
        error: Option<String>,
    },
    Emit {
        event: String,
        /// Every client of the run, by name.
        deliveries: BTreeMap<String, Delivery>,
    },
    /// Rooms after a join or leave, without each socket's own-id room.
    Rooms(BTreeMap<String, Vec<String>>),
    Disconnected(BTreeMap<String, Disconnection>),
    Middleware {
        ns: String,
    },
    Handler {
        ns: String,
        event: String,
    },
    /// A client emitted an event that no handler listens to.
    Unhandled {
        /// The sender's namespace, whose handlers were looked up.
        ns: String,
        event: String,
    },
    Error(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    Received(Vec<Value>),
    Missed(Reason),
}

/// Why a client did not receive an emit, from the server's state before it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    NotConnected(Absence),
    /// Connected to another namespace than the one the emit targets.
    OtherNamespace {
        own: String,
        target: String,
    },
    /// `socket.emit` targets its own client only.
    NotTheTarget {
        target: String,
    },
    /// The sender, left out by `broadcast`/`to`/`in`/`except` on its socket.
    Sender {
        /// The rooms of the target that the sender is in nonetheless.
        despite_rooms: Vec<Room>,
    },
    /// In a room that `except` names.
    Excepted {
        room: Room,
    },
    /// In none of the rooms the emit targets.
    NotInRooms {
        rooms: Vec<Room>,
    },
    /// The server's state says it should have arrived, and it did not
    /// (always reported as a mismatch too).
    NotDelivered,
}

/// Why a client of the run has no socket on the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Absence {
    /// Refused by a middleware, with its message.
    Rejected(String),
    /// Disconnected by this statement (its code as written).
    Disconnected { code: String },
    /// The engine counted it as connected, but the server has no socket for
    /// it (always reported as a mismatch too).
    Vanished,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Disconnection {
    /// The reason the client saw, in the JavaScript client's words.
    pub client: String,
    /// The reason the server's `disconnect` handler got, in the official server's words.
    pub server: String,
    /// The rooms the socket was in when it disconnected (left automatically).
    pub rooms_left: Vec<String>,
}

impl StepReport {
    pub fn has_mismatch(&self) -> bool {
        !self.mismatches.is_empty()
    }
}
