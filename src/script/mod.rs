//! The tour-script language: its statements, and the parser that turns a
//! line of text into one (see `tour-script.md`, the contract).
//!
//! - `acks`: the acknowledgement forms of version 3 (`emitWithAck`,
//!   `.timeout(MS)`, a client's `on`, a server's `ack`).
//! - `ast`: the statements and expressions a script is made of.
//! - `parser`: whole scripts, and the check that names were connected earlier.
//! - `statement`: each statement form, one line at a time.
//! - `link`: a client's connection itself: `drop`, `reconnect`, volatile emits.
//! - `chain`: the members after `io` and `socket`, up to the action.
//! - `cursor`: words, names, strings and `msg` at a column of one line.
//! - `json`: JSON literals as a script writes them.
//! - `scan`: where the string literals are in a line (JSON's and JavaScript's).
//! - `reason`: `reason`, why a socket leaves, in a disconnect handler (v3).
//! - `resolve`: `msg` replaced by the client's first argument.
//! - `error`: syntax errors, rendered as a compiler would.
//! - `suggest`: "did you mean", the nearest word by edit distance.

mod acks;
mod ast;
mod chain;
mod cursor;
mod error;
mod handshake;
mod json;
mod link;
mod middleware;
mod packet;
mod parser;
mod query;
mod reason;
mod resolve;
mod scan;
mod statement;
mod suggest;
mod targets;

pub use acks::{answer_args, client_emit_code, socket_ask_code};
pub use ast::{
    AckForm, Action, Arg, BroadcastAction, CONNECTION, DISCONNECT, DISCONNECTING, EVERY_NAMESPACE,
    Expr, Hook, Link, Room, Scope, SocketAction, Statement, StatementKind, hook,
};
pub use chain::{After, members_after};
pub use error::SyntaxError;
pub use parser::{ScriptParser, parse_line, parse_lines, parse_script};
pub use query::is_fetch;
pub use reason::uses_reason;
pub use resolve::Env;
pub use scan::{Quotes, Region, scan};
