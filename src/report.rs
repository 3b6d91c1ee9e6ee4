//! What a step did, as plain data: who received what, who did not and why,
//! and any disagreement between what the server's state predicted and what
//! the clients observed. The renderers turn this into text or JSON.

use std::collections::BTreeMap;

use serde_json::Value;

pub use crate::script::{Hook, Room};

/// Every connected client's namespace and rooms at one moment, by name.
pub type RoomsNow = BTreeMap<String, (String, std::collections::BTreeSet<String>)>;

/// The outcome of one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    /// 1-based line number of the statement in its file.
    pub line: usize,
    /// The statement as written.
    pub code: String,
    /// What the statement itself did.
    pub outcome: Outcome,
    /// For a client emit with `ack`: what each acknowledgement callback
    /// received (empty when none came); `None` for every other step.
    pub ack: Option<BTreeMap<String, Vec<Value>>>,
    /// With `ack` (v3): the callback's error, who did not answer a
    /// server's ask, and whether a promise got the answer.
    pub ack_detail: AckDetail,
    /// What the connection and disconnect handlers that this step set off
    /// did: their emits that reached someone, their errors, and the
    /// disconnections they caused, in the order they ran.
    pub hooks: Vec<HookRun>,
    /// The events each client received in this step, as observed, in the
    /// order they came (empty for a step that waits for no delivery, such
    /// as a run of connects without handlers).
    pub received: BTreeMap<String, Vec<String>>,
    /// Where the prediction from the server's state and the observation
    /// disagree: empty exactly when they agree.
    pub mismatches: Vec<String>,
}

/// What a step's `ack` line says besides who got what (v3).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AckDetail {
    /// For a form whose callback takes an error first (`.timeout(MS)`, a
    /// broadcast): `Some(None)` when it got `null`, else the error's
    /// message; `None` for a form without one.
    pub error: Option<Option<String>>,
    /// For a server's ask: each target that did not answer, and why not,
    /// from its client's listeners; `None` for a client's emit.
    pub unanswered: Option<BTreeMap<String, String>>,
    /// A client's `await socket.emitWithAck(…)`: a promise got the answer.
    pub promise: bool,
    /// A broadcast's ask: its callback got one response per client, the
    /// first argument of each answer.
    pub responses: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Connect {
        name: String,
        ns: String,
        /// The server it connected to, on a cluster.
        server: Option<String>,
        /// `None` when admitted, else the `connect_error` message.
        error: Option<String>,
        /// v3: the refusal's `err.data`, if its middleware gave one.
        error_data: Option<serde_json::Value>,
        /// Refused because the server has no such namespace (`Invalid namespace`).
        no_namespace: bool,
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
    /// `use /ns packet …` (v3): a per-packet middleware for later sockets.
    PacketMiddleware {
        ns: String,
    },
    /// `servers A B`: fresh servers with these labels; `bus` says what
    /// they share.
    Servers {
        labels: Vec<String>,
        bus: String,
    },
    /// `io.of("/ns")` declared a namespace.
    Namespace {
        ns: String,
    },
    /// A handler answered the client's acknowledgement and did nothing else:
    /// the step's `ack` says what came back.
    Answered,
    Handler {
        ns: String,
        event: String,
    },
    /// `NAME> on "EVENT": callback(…)` (v3): client NAME now answers the
    /// server's acknowledgements for EVENT.
    Listener {
        name: String,
        event: String,
    },
    /// A client's packet that a per-packet middleware refused (v3): the
    /// server socket got an `error` with the message; no handler ran.
    Refused {
        ns: String,
        event: String,
        message: String,
    },
    /// A client emitted an event that no handler listens to.
    Unhandled {
        /// The sender's namespace, whose handlers were looked up.
        ns: String,
        event: String,
    },
    Error(String),
    /// `reconnect NAME`: a new socket for a dropped client (or the
    /// `connect_error` that refused it), then the emits its client had
    /// buffered, sent in order (v3).
    Reconnected {
        name: String,
        ns: String,
        error: Option<String>,
        flushed: Vec<(String, Vec<Value>)>,
    },
    /// A client emit while the client's connection is lost: buffered by the
    /// client, or dropped since it was volatile (v3).
    Offline {
        name: String,
        event: String,
        buffered: bool,
    },
    /// `io[.of(…)][.in(…)].fetchSockets()` (v3): the sockets found, by
    /// client name, and why each other client of the run was not found.
    Sockets {
        found: BTreeMap<String, Fetched>,
        missed: BTreeMap<String, Reason>,
    },
}

/// A socket that `fetchSockets()` found (v3).
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// The server that holds it, on a cluster.
    pub server: Option<String>,
    /// Its rooms, without its own id room.
    pub rooms: Vec<String>,
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
        /// Not a sender at all: the socket whose connection handler ran the
        /// broadcast (it sent nothing; the chain started at its socket).
        connecting: bool,
    },
    /// In a room that `except` names.
    Excepted {
        room: Room,
    },
    /// On another server than the broadcast's, and the servers share nothing.
    OtherServer {
        server: String,
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
    /// Refused: the server has no such namespace.
    NoNamespace { ns: String },
    /// Disconnected by this statement (its code as written).
    Disconnected { code: String },
    /// Its connection was lost by this statement (`drop NAME`), and it has
    /// not reconnected yet (v3).
    Lost { code: String },
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

/// What a connection or disconnect handler did during a step.
#[derive(Debug, Clone, PartialEq)]
pub struct HookRun {
    /// `Connection` or `Disconnect`.
    pub hook: Hook,
    /// The namespace whose handler ran.
    pub ns: String,
    /// An emit that reached someone, an error, or a disconnection.
    pub outcome: Outcome,
}

/// One line of a step's report, as both formats order them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReportLine<'a> {
    Outcome(&'a Outcome),
    Ack(&'a BTreeMap<String, Vec<Value>>),
    Hook(&'a HookRun),
}

impl<'a> ReportLine<'a> {
    /// The outcome the line shows, if it is one.
    pub fn outcome(self) -> Option<&'a Outcome> {
        match self {
            ReportLine::Outcome(outcome) => Some(outcome),
            ReportLine::Hook(run) => Some(&run.outcome),
            ReportLine::Ack(_) => None,
        }
    }
}

impl StepReport {
    /// A report of `outcome` alone.
    pub fn new(line: usize, code: String, outcome: Outcome) -> StepReport {
        StepReport {
            line,
            code,
            outcome,
            ack: None,
            ack_detail: AckDetail::default(),
            hooks: Vec::new(),
            received: BTreeMap::new(),
            mismatches: Vec::new(),
        }
    }

    pub fn has_mismatch(&self) -> bool {
        !self.mismatches.is_empty()
    }

    /// The step's lines in the contract's order: the statement's own line,
    /// then the ack, then what handlers did, then any disconnection.
    pub fn lines(&self) -> Vec<ReportLine<'_>> {
        let gone = |o: &&Outcome| matches!(o, Outcome::Disconnected(_));
        let own = std::iter::once(&self.outcome);
        let mut lines: Vec<ReportLine<'_>> = own
            .clone()
            .filter(|o| !gone(o) && **o != Outcome::Answered)
            .map(ReportLine::Outcome)
            .collect();
        lines.extend(self.ack.iter().map(ReportLine::Ack));
        let (ended, ran): (Vec<&HookRun>, Vec<&HookRun>) =
            self.hooks.iter().partition(|run| gone(&&run.outcome));
        lines.extend(ran.into_iter().map(ReportLine::Hook));
        lines.extend(ended.into_iter().map(ReportLine::Hook));
        lines.extend(own.filter(gone).map(ReportLine::Outcome));
        lines
    }

    /// Every outcome of the step: the statement's, then its handlers'.
    pub fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        std::iter::once(&self.outcome).chain(self.hooks.iter().map(|run| &run.outcome))
    }
}

/// The server as the playground's `:state` shows it: per namespace, its
/// connected clients with their rooms, its handlers and middlewares; and
/// the clients that are gone, with why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    pub namespaces: BTreeMap<String, NamespaceState>,
    pub gone: BTreeMap<String, Absence>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamespaceState {
    /// Connected clients and their rooms (without the own-id room).
    pub clients: BTreeMap<String, Vec<String>>,
    /// The events with an `on` handler (`connection` and `disconnect` too).
    pub handlers: Vec<String>,
    /// Each `use` middleware, as `KEY = "VALUE"`, in order.
    pub middlewares: Vec<String>,
}

/// A room of `.to/.in/.except` as a script writes it: `"lobby"`, `bob.id`.
pub fn room_name(room: &Room) -> String {
    match room {
        Room::Name(name) => quoted(name),
        Room::IdOf(name) => format!("{name}.id"),
        Room::OwnId => "socket.id".to_owned(),
        Room::OwnRooms => "...socket.rooms".to_owned(),
    }
}

pub fn room_list(rooms: &[Room]) -> String {
    rooms.iter().map(room_name).collect::<Vec<_>>().join(", ")
}

/// A name as a JSON string: quotes, escapes and control characters are
/// shown, never interpreted by the terminal.
pub fn quoted(name: &str) -> String {
    Value::String(name.to_owned()).to_string()
}

/// Why a client did not receive an emit, in a learner's words.
pub fn explain(reason: &Reason) -> String {
    match reason {
        Reason::NotConnected(Absence::Rejected(message)) => {
            format!(
                "not connected: a middleware refused it ({})",
                quoted(message)
            )
        }
        Reason::NotConnected(Absence::NoNamespace { ns }) => {
            format!("not connected: the server had no namespace {ns}")
        }
        Reason::NotConnected(Absence::Disconnected { code }) => {
            format!("not connected: disconnected by `{code}`")
        }
        Reason::NotConnected(Absence::Lost { code }) => {
            format!("its connection was lost (`{code}`) and has not come back yet")
        }
        Reason::NotConnected(Absence::Vanished) => {
            "not connected: the server lost its socket".to_owned()
        }
        Reason::NotDelivered => "did not arrive, though it should have".to_owned(),
        Reason::OtherServer { server } => {
            format!("on server {server}; the servers share nothing")
        }
        Reason::OtherNamespace { own, target } => {
            format!("is in namespace {own}; this emit goes to {target} only")
        }
        Reason::NotTheTarget { target } => {
            format!("socket.emit goes to {target}'s own client only")
        }
        Reason::Sender {
            despite_rooms,
            connecting: false,
        } if despite_rooms.is_empty() => {
            "the sender: broadcasting from a socket leaves the sender out".to_owned()
        }
        Reason::Sender {
            despite_rooms,
            connecting: false,
        } => format!(
            "the sender: left out even though it is in {}",
            room_list(despite_rooms)
        ),
        Reason::Sender {
            despite_rooms,
            connecting: true,
        } if despite_rooms.is_empty() => {
            "the connecting socket: a broadcast from its socket leaves it out".to_owned()
        }
        Reason::Sender {
            despite_rooms,
            connecting: true,
        } => format!(
            "the connecting socket: a broadcast from its socket leaves it out, even though it is in {}",
            room_list(despite_rooms)
        ),
        Reason::Excepted { room } => format!("in {}, which except() leaves out", room_name(room)),
        Reason::NotInRooms { rooms } if rooms.len() == 1 => {
            format!("not in {}", room_name(&rooms[0]))
        }
        Reason::NotInRooms { rooms } => format!("in none of {}", room_list(rooms)),
    }
}
