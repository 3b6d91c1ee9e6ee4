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
    /// `use /ns require KEY "VALUE"`
    Use {
        ns: String,
        key: String,
        value: String,
    },
    /// `on [/ns] "EVENT": ACTION`
    On {
        ns: String,
        event: String,
        action: Expr,
    },
    /// `NAME> socket.emit("EVENT", ARGS…)`
    ClientEmit {
        name: String,
        event: String,
        args: Vec<Value>,
    },
}

impl Statement {
    /// The namespaces this statement names (the server must have them).
    pub fn namespaces(&self) -> Vec<&str> {
        match &self.kind {
            StatementKind::Connect { ns, .. } | StatementKind::Use { ns, .. } => vec![ns],
            StatementKind::On { ns, action, .. } => std::iter::once(ns.as_str())
                .chain(namespace_of(action))
                .collect(),
            StatementKind::Server { expr, .. } => namespace_of(expr).into_iter().collect(),
            StatementKind::Disconnect { .. } | StatementKind::ClientEmit { .. } => Vec::new(),
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

/// A value that is either written in the script or, inside an `on` handler,
/// the bare word `msg` (the first argument the client sent).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<T> {
    Lit(T),
    Msg,
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
        to: Vec<Arg<Vec<String>>>,
        /// Each `.except(R)`, in order.
        except: Vec<Arg<Vec<String>>>,
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
}

impl<T> Arg<T> {
    /// The literal, for an expression that has been resolved (or has no `msg`).
    pub fn lit(&self) -> Option<&T> {
        match self {
            Arg::Lit(v) => Some(v),
            Arg::Msg => None,
        }
    }
}
