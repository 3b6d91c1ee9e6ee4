//! What the server tells the engine: each thing its handlers did, in the
//! order they ran, and the outside clients' events waiting for their turn.

use std::collections::BTreeSet;

use tokio::sync::oneshot;

use crate::script::Action;

/// What the server's handlers tell the engine, in the order they ran.
#[derive(Debug)]
pub enum Notice {
    /// This client was admitted to `ns`, and the namespace's connection
    /// handler (if it had one) ran.
    Connected {
        name: String,
        hook: Option<HookResult>,
    },
    /// This client's socket left; the rooms are those it was in. When
    /// `hooks` is not 0, that many [`Notice::DisconnectHook`]s follow once
    /// the namespace's disconnecting and disconnect handlers have run.
    Disconnected {
        name: String,
        ns: String,
        reason: &'static str,
        rooms: Vec<String>,
        /// How many of its handlers (`disconnecting`, `disconnect`) will run.
        hooks: usize,
    },
    /// The disconnect (or disconnecting) handler ran for this client's socket.
    DisconnectHook {
        name: String,
        ns: String,
        hook: crate::script::Hook,
        run: HookResult,
    },
    /// A client's event reached the server and its handler (if any) finished.
    Handled { name: String, outcome: Handled },
    /// A client answered the server's acknowledgement for `event` (v3),
    /// over [`crate::protocol::ANSWER_EVENT`]: what the server got.
    Answer {
        name: String,
        event: String,
        args: Vec<serde_json::Value>,
    },
    /// An outside client emitted an event: its handler waits until the
    /// engine runs it as a step of its own (see [`OutsideEvent`]).
    Outside(OutsideEvent),
}

/// An event an outside client (a real Socket.IO client on the `--listen`
/// port) emitted. Its handler runs only when the engine sends `go`, between
/// two steps, so that no step of the tour's clients sees what it does; it
/// then says [`Notice::Handled`] under `name`, as a tour client's does.
pub struct OutsideEvent {
    /// The name it chose (`auth.name`) or was given (`outside1`…).
    pub name: String,
    pub ns: String,
    pub event: String,
    /// Its first argument (`msg` in a handler), `Null` without one.
    pub msg: serde_json::Value,
    /// Whether it passed an acknowledgement callback.
    pub ack: bool,
    /// Runs the handler. Dropped unsent (the run ended), the handler never runs.
    pub go: oneshot::Sender<()>,
    /// The socket's rooms now, without its own-id room.
    pub rooms: Box<dyn Fn() -> BTreeSet<String> + Send + Sync>,
}

impl std::fmt::Debug for OutsideEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutsideEvent")
            .field("name", &self.name)
            .field("ns", &self.ns)
            .field("event", &self.event)
            .field("msg", &self.msg)
            .field("ack", &self.ack)
            .finish_non_exhaustive()
    }
}

/// A connection or disconnect handler's (resolved) action and its result.
#[derive(Debug)]
pub struct HookResult {
    pub action: Action,
    pub result: Result<(), String>,
}

#[derive(Debug)]
pub enum Handled {
    /// No `on` handler for this event in this namespace: ignored.
    NoHandler { event: String },
    /// v3: a per-packet middleware refused it, with this message: no
    /// handler ran.
    Refused { event: String, message: String },
    /// The handler ran this (already resolved) action, with this result.
    Ran {
        action: Action,
        result: Result<(), String>,
    },
}
