//! The syntax tree: a statement, and the server-side expressions it may
//! carry, reduced to what they do and to whom.

use serde_json::Value;

/// One statement of a script, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// 1-based line number in its file.
    pub line: usize,
    /// The statement as written, trimmed.
    pub code: String,
    pub kind: StatementKind,
    /// `@A`: the server a `connect` connects to, or an `io.…` line runs on,
    /// in a script with `servers`.
    pub server: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `connect NAME [/ns] [{auth}]`
    Connect {
        name: String,
        ns: String,
        auth: serde_json::Map<String, Value>,
    },
    /// `disconnect NAME`: the client disconnects itself.
    Disconnect { name: String },
    /// `NAME: socket.…` (with `socket` = NAME's server-side socket) or `io.…`.
    Server { socket: Option<String>, expr: Expr },
    /// `use /ns require KEY "VALUE" [else "MESSAGE"] [data JSON]`
    Use {
        ns: String,
        key: String,
        value: String,
        /// The `connect_error` message of a refusal (`unauthorized` unless
        /// `else` says otherwise).
        message: String,
        /// v3: the refusal's `err.data`, if `data JSON` gives one.
        data: Option<Value>,
    },
    /// `use /ns packet "EVENT" refuse "MESSAGE"` (v3): every socket that
    /// connects to `/ns` from here on refuses its client's EVENT packets
    /// (`socket.use`): their handler never runs.
    UsePacket {
        ns: String,
        event: String,
        message: String,
    },
    /// `on [/ns] "EVENT": ACTION`; the events `connection` and `disconnect`
    /// install the namespace's connection and disconnect handlers.
    On {
        ns: String,
        event: String,
        action: Action,
    },
    /// `io.of("/ns")` alone: declares the namespace, and does nothing else.
    Declare { ns: String },
    /// `servers A B [with adapter]`: from here on the script runs on these
    /// servers, fresh (every client of the run is gone), sharing nothing or
    /// a Redis adapter.
    Servers { labels: Vec<String>, adapter: bool },
    /// `NAME> socket.emit("EVENT", ARGS…[, ack])`
    ClientEmit {
        name: String,
        event: String,
        args: Vec<Value>,
        /// The client passes an acknowledgement callback.
        ack: bool,
        /// How it waits for the answer (v3): a callback or a promise, with
        /// or without `.timeout(MS)`.
        form: AckForm,
    },
    /// `NAME> on "EVENT": callback(ARGS…)` (v3): client NAME answers every
    /// acknowledgement the server asks for with EVENT.
    Listen {
        name: String,
        event: String,
        answer: Vec<Arg<Value>>,
    },
    /// A server emit that asks for acknowledgements (v3):
    /// `NAME: socket[.timeout(MS)].emit(…, ack)` or a broadcast
    /// `….timeout(MS).emit(…, ack)`; `expr` is the emit itself.
    Ask {
        socket: Option<String>,
        expr: Expr,
        timeout: Option<u64>,
    },
    /// `drop NAME`, `reconnect NAME`, `NAME> socket.volatile.emit(…)` (v3).
    Link(Link),
}

/// How a client's emit waits for its acknowledgement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AckForm {
    /// `await socket.emitWithAck(…)`: a promise of the answer's first
    /// argument; else a callback given every argument.
    pub promise: bool,
    /// `.timeout(MS)`: when no answer comes, the callback gets an error
    /// first (the promise rejects) instead of never running.
    pub timeout: Option<u64>,
}

/// What an `on` handler's event starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// A client's event of this name.
    Event,
    /// `on "connection"`: each socket the namespace admits.
    Connection,
    /// `on "disconnect"`: each socket of the namespace that leaves.
    Disconnect,
    /// `on "disconnecting"`: each socket of the namespace that leaves,
    /// while it is still in its rooms (v3).
    Disconnecting,
}

/// The event name a connection handler is declared under.
pub const CONNECTION: &str = "connection";
/// The event name a disconnect handler is declared under.
pub const DISCONNECT: &str = "disconnect";
/// `use *`: a middleware of every namespace, those to come too (v3).
pub const EVERY_NAMESPACE: &str = "*";
/// The event name a disconnecting handler is declared under (v3).
pub const DISCONNECTING: &str = "disconnecting";

/// Which hook an `on` line's event names.
pub fn hook(event: &str) -> Hook {
    match event {
        CONNECTION => Hook::Connection,
        DISCONNECT => Hook::Disconnect,
        DISCONNECTING => Hook::Disconnecting,
        _ => Hook::Event,
    }
}

impl Statement {
    /// The namespaces this statement declares: those its server-side code
    /// names (`io.of(…)`, `use /ns`, `on /ns`, also an `io.of(…)` inside an
    /// `on` action), which exist from this line on. A `connect` declares
    /// nothing: connecting to a namespace the server lacks is refused.
    pub fn declares(&self) -> Vec<&str> {
        match &self.kind {
            StatementKind::Use { ns, .. } if ns == EVERY_NAMESPACE => Vec::new(),
            StatementKind::Use { ns, .. }
            | StatementKind::UsePacket { ns, .. }
            | StatementKind::Declare { ns } => vec![ns],
            StatementKind::On { ns, action, .. } => std::iter::once(ns.as_str())
                .chain(match action {
                    Action::Expr(expr) => namespace_of(expr),
                    Action::Callback(_) => None,
                })
                .collect(),
            StatementKind::Server { expr, .. } | StatementKind::Ask { expr, .. } => {
                namespace_of(expr).into_iter().collect()
            }
            StatementKind::Connect { .. }
            | StatementKind::Servers { .. }
            | StatementKind::Disconnect { .. }
            | StatementKind::ClientEmit { .. }
            | StatementKind::Link(_)
            | StatementKind::Listen { .. } => Vec::new(),
        }
    }
}

/// The namespace an `io.of(…)` expression names, if it does.
fn namespace_of(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Broadcast {
            scope: Scope::Namespace(ns),
            ..
        } => Some(ns),
        _ => None,
    }
}

/// A room in `.to/.in/.except`: a name, or a socket's own id room.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Room {
    Name(String),
    /// `NAME.id`: the id of client NAME's current socket.
    IdOf(String),
    /// `socket.id`: the id of the statement's own socket.
    OwnId,
    /// `...socket.rooms` (v3, in an `on` action): every room the handler's
    /// socket is in when it runs, its own id room included.
    OwnRooms,
}

/// An `on` handler's action.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Server code with `socket` = the sender's socket.
    Expr(Expr),
    /// `callback(ARGS…)`: answers the client's acknowledgement.
    Callback(Vec<Arg<Value>>),
}

/// A value that is either written in the script or, inside an `on` handler,
/// the bare word `msg` (the first argument the client sent).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<T> {
    Lit(T),
    Msg,
    /// `socket.handshake.auth.KEY` (v3): the handler's socket's auth value.
    Auth(String),
    /// `reason` (v3): in a disconnect handler, why its socket leaves.
    Reason,
}

/// A server-side expression, reduced to what it does and to whom.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// An action on one socket: `socket.emit`, `.join`, `.leave`, `.disconnect`.
    Socket(SocketAction),
    /// An action on a set of sockets chosen by namespace and rooms.
    Broadcast {
        scope: Scope,
        /// Each `.to(R)`/`.in(R)`, in order; their union is the target.
        to: Vec<Arg<Vec<Room>>>,
        /// Each `.except(R)`, in order.
        except: Vec<Arg<Vec<Room>>>,
        action: BroadcastAction,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum SocketAction {
    Emit {
        event: Arg<String>,
        args: Vec<Arg<Value>>,
    },
    Join(Arg<Vec<String>>),
    Leave(Arg<String>),
    Disconnect {
        close: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// `io.…` or `io.of("/ns").…`: every socket of the namespace.
    Namespace(String),
    /// `socket.nsp.…`: the sender's namespace, sender included.
    SenderNamespace,
    /// `socket.broadcast`/`.to`/`.in`/`.except`: the sender's namespace
    /// without the sender.
    SenderExcluded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BroadcastAction {
    Emit {
        event: Arg<String>,
        args: Vec<Arg<Value>>,
    },
    SocketsJoin(Arg<Vec<String>>),
    SocketsLeave(Arg<Vec<String>>),
    DisconnectSockets {
        close: bool,
    },
    /// `io[.of(…)][.in(…)].fetchSockets()` (v3, a statement of its own):
    /// lists the sockets found, every server's with an adapter.
    FetchSockets,
}

impl<T> Arg<T> {
    /// The literal, for an expression that has been resolved (or has no `msg`).
    pub fn lit(&self) -> Option<&T> {
        match self {
            Arg::Lit(v) => Some(v),
            Arg::Msg | Arg::Auth(_) | Arg::Reason => None,
        }
    }
}

/// A statement about a client's connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// `drop NAME`: NAME's connection is cut under it (no DISCONNECT
    /// packet), as a lost network does.
    Drop { name: String },
    /// `reconnect NAME`: a dropped client comes back, as a new socket, and
    /// sends the emits it buffered meanwhile.
    Reconnect { name: String },
    /// `NAME> socket.volatile.emit("EVENT", ARGS…)`: sent if the client is
    /// connected, dropped (not buffered) if its connection is down.
    VolatileEmit {
        name: String,
        event: String,
        args: Vec<Value>,
    },
}

impl Link {
    /// The client the statement is about.
    pub fn name(&self) -> &String {
        match self {
            Link::Drop { name } | Link::Reconnect { name } | Link::VolatileEmit { name, .. } => {
                name
            }
        }
    }
}
