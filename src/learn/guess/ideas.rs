//! The ideas behind wrong guesses: one table of what each is called and
//! how it is said, and which idea a server's reason or a statement's form
//! points at.

use std::fmt;

use crate::report::Reason;
use crate::script::{BroadcastAction, Expr, SocketAction, Statement, StatementKind};

/// The idea a wrong guess was about, from the server's reason (or, for a
/// client that received against the guess, from the statement's form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Idea {
    SenderLeftOut,
    Rooms,
    Except,
    Namespaces,
    OneClient,
    NotConnected,
    Everyone,
    Handlers,
    /// A client's event that no handler answers with an emit.
    Unanswered,
    Middleware,
    /// A connect to a namespace the server has not declared.
    NoNamespace,
    Servers,
    /// What comes back to a client's `ack`.
    Ack,
    /// A client that was away gets nothing of what went out meanwhile.
    AtMostOnce,
    /// Who answers a server's ask (v3).
    Answers,
}

/// Each idea and how it is said: one table for the words and the JSON key.
pub(super) const IDEAS: [(Idea, &str, &str); 15] = [
    (
        Idea::SenderLeftOut,
        "sender",
        "a broadcast from a socket (`socket.to`, `socket.broadcast`) leaves the sender out",
    ),
    (
        Idea::Rooms,
        "rooms",
        "a broadcast to rooms reaches every socket in any of them, once, and no one else",
    ),
    (
        Idea::Except,
        "except",
        "`except(room)` takes that room's sockets out, even when `to` named them",
    ),
    (
        Idea::Namespaces,
        "namespaces",
        "an emit stays inside its namespace",
    ),
    (
        Idea::OneClient,
        "one-client",
        "`socket.emit` reaches that socket's own client, and only it",
    ),
    (
        Idea::NotConnected,
        "not-connected",
        "a refused or disconnected client receives nothing",
    ),
    (
        Idea::Everyone,
        "everyone",
        "a broadcast without rooms reaches every client of its namespace",
    ),
    (
        Idea::Handlers,
        "handlers",
        "a handler's emit reaches whom its own form says, like any server statement",
    ),
    (
        Idea::Unanswered,
        "unanswered",
        "a client's event reaches other clients only through a handler that emits: with no handler, or one that emits nothing, nobody gets anything",
    ),
    (
        Idea::Middleware,
        "middleware",
        "a connection is admitted when every middleware of its namespace calls `next()` without an error (the tour's `require` line is one such middleware)",
    ),
    (
        Idea::NoNamespace,
        "no-namespace",
        "a connect to a namespace the server has not declared is refused: the namespace does not exist, and a client cannot create it",
    ),
    (
        Idea::Servers,
        "servers",
        "without an adapter, a server reaches only its own sockets; an adapter forwards to the others",
    ),
    (
        Idea::Ack,
        "ack",
        "an acknowledgement comes back only when the server's handler calls `callback(…)`, with exactly its arguments",
    ),
    (
        Idea::AtMostOnce,
        "at-most-once",
        "the server keeps nothing for a client that is away: connecting again, it is a new socket that gets none of what it missed",
    ),
    (
        Idea::Answers,
        "answers",
        "a server's ask is answered only by a client it reached whose own listener for the event calls `callback(…)`; a broadcast's callback gets one response per client that answered",
    ),
];

impl Idea {
    fn entry(self) -> &'static (Idea, &'static str, &'static str) {
        IDEAS
            .iter()
            .find(|(idea, _, _)| *idea == self)
            .expect("every idea is in IDEAS")
    }

    /// A short key, for JSON.
    pub fn key(self) -> &'static str {
        self.entry().1
    }

    /// The idea in a sentence.
    pub fn sentence(self) -> &'static str {
        self.entry().2
    }

    /// Why a client missed an emit, as an idea.
    pub fn of_reason(reason: &Reason) -> Idea {
        match reason {
            Reason::Sender { .. } => Idea::SenderLeftOut,
            Reason::NotInRooms { .. } => Idea::Rooms,
            Reason::Excepted { .. } => Idea::Except,
            Reason::OtherNamespace { .. } => Idea::Namespaces,
            Reason::NotTheTarget { .. } => Idea::OneClient,
            Reason::NotConnected(_) => Idea::NotConnected,
            Reason::NotDelivered => Idea::Everyone,
            Reason::OtherServer { .. } => Idea::Servers,
        }
    }

    /// Why a client received an emit: what the statement's form reaches.
    pub fn of_reach(statement: &Statement) -> Idea {
        match &statement.kind {
            StatementKind::Server { expr, .. } => match expr {
                Expr::Socket(SocketAction::Emit { .. }) => Idea::OneClient,
                Expr::Broadcast {
                    to,
                    except,
                    action: BroadcastAction::Emit { .. } | BroadcastAction::FetchSockets,
                    ..
                } => {
                    // Whoever got it was reached by the form's rooms, or by
                    // no rooms at all (everyone in the namespace, but the
                    // sender for a broadcast from a socket).
                    if !to.is_empty() {
                        Idea::Rooms
                    } else if !except.is_empty() {
                        Idea::Except
                    } else {
                        Idea::Everyone
                    }
                }
                _ => Idea::Everyone,
            },
            _ => Idea::Handlers,
        }
    }
}

impl fmt::Display for Idea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sentence())
    }
}
