//! The conditions an exercise puts on the answer's form (`require:` lines),
//! checked on the parsed answer: which server, which socket or client,
//! which handler, which members.

use std::fmt;

use super::expect::shorten;

/// One `require:` line: a condition on how the answer is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Require {
    /// `require: on "EVENT"` / `require: on /ns "EVENT"`: the answer installs
    /// this handler (`connection` and `disconnect` included).
    Handler { ns: String, event: String },
    /// `require: no handler`: the answer runs now; it installs no handler.
    NoHandler,
    /// `require: server B`: every `io.…` line of the answer runs on server B.
    Server(String),
    /// `require: socket alice`: the answer is server code on alice's socket.
    Socket(String),
    /// `require: client bob`: the answer is what bob's client does
    /// (`connect bob`, `bob> …`, `disconnect bob`).
    Client(String),
    /// `require: uses to except`: the answer uses each of these members.
    Uses(Vec<UsedMember>),
}

/// A member of the answer's code that `require: uses` can ask for. One
/// table, [`MEMBERS`], gives the word of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UsedMember {
    /// `.to(…)` or `.in(…)`.
    To,
    Except,
    /// `socket.broadcast`.
    Broadcast,
    /// `io.of("/ns")`, a namespace other than `/`.
    Of,
    /// A socket's own id room: `NAME.id` or `socket.id`.
    Id,
    /// `msg`: what the client sent.
    Msg,
    Emit,
    Join,
    Leave,
    SocketsJoin,
    SocketsLeave,
    DisconnectSockets,
    /// `fetchSockets()` (v3).
    FetchSockets,
    /// `callback(…)`: a handler's answer to an acknowledgement.
    Callback,
    /// `reason` (v3): why a disconnect handler's socket left.
    Reason,
}

/// Every member `require: uses` knows, by its word.
pub const MEMBERS: [(&str, UsedMember); 15] = [
    ("to", UsedMember::To),
    ("except", UsedMember::Except),
    ("broadcast", UsedMember::Broadcast),
    ("of", UsedMember::Of),
    ("id", UsedMember::Id),
    ("msg", UsedMember::Msg),
    ("emit", UsedMember::Emit),
    ("join", UsedMember::Join),
    ("leave", UsedMember::Leave),
    ("socketsJoin", UsedMember::SocketsJoin),
    ("socketsLeave", UsedMember::SocketsLeave),
    ("disconnectSockets", UsedMember::DisconnectSockets),
    ("fetchSockets", UsedMember::FetchSockets),
    ("callback", UsedMember::Callback),
    ("reason", UsedMember::Reason),
];

impl UsedMember {
    /// The member as the answer writes it.
    pub fn code(self) -> &'static str {
        match self {
            UsedMember::To => ".to(…)",
            UsedMember::Except => ".except(…)",
            UsedMember::Broadcast => "socket.broadcast",
            UsedMember::Of => "io.of(…)",
            UsedMember::Id => "a socket's id room (`NAME.id` or `socket.id`)",
            UsedMember::Msg => "`msg` (what the client sent)",
            UsedMember::Emit => ".emit(…)",
            UsedMember::Join => ".join(…)",
            UsedMember::Leave => ".leave(…)",
            UsedMember::SocketsJoin => ".socketsJoin(…)",
            UsedMember::SocketsLeave => ".socketsLeave(…)",
            UsedMember::DisconnectSockets => ".disconnectSockets()",
            UsedMember::FetchSockets => ".fetchSockets()",
            UsedMember::Callback => "callback(…)",
            UsedMember::Reason => "`reason` (why the socket left)",
        }
    }
}

impl fmt::Display for Require {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Require::Handler { ns, event } if ns == "/" => write!(f, "on {event:?}"),
            Require::Handler { ns, event } => write!(f, "on {ns} {event:?}"),
            Require::NoHandler => f.write_str("no handler"),
            Require::Server(label) => write!(f, "server {label}"),
            Require::Socket(name) => write!(f, "socket {name}"),
            Require::Client(name) => write!(f, "client {name}"),
            Require::Uses(members) => {
                f.write_str("uses")?;
                for m in members {
                    let word = MEMBERS.iter().find(|(_, x)| x == m).map_or("?", |(w, _)| w);
                    write!(f, " {word}")?;
                }
                Ok(())
            }
        }
    }
}

const USAGE: &str = "`require:` takes `on \"EVENT\"` (or `on /ns \"EVENT\"`), `no handler`, \
                     `server LABEL`, `socket NAME`, `client NAME` or `uses MEMBER…`";

/// Reads a `require:` value.
pub fn parse(value: &str) -> Result<Require, String> {
    let (word, rest) = value
        .split_once(char::is_whitespace)
        .map_or((value, ""), |(w, r)| (w, r.trim()));
    let one_word = |what: &str| -> Result<String, String> {
        if rest.is_empty() || rest.contains(char::is_whitespace) {
            Err(format!("`require: {word}` takes one {what}; {USAGE}"))
        } else {
            Ok(rest.to_owned())
        }
    };
    match word {
        "on" => handler(rest),
        "no" if rest == "handler" => Ok(Require::NoHandler),
        "server" => Ok(Require::Server(one_word("server label")?)),
        "socket" => Ok(Require::Socket(one_word("client name")?)),
        "client" => Ok(Require::Client(one_word("client name")?)),
        "uses" => {
            let mut members = Vec::new();
            for w in rest.split_whitespace() {
                match MEMBERS.iter().find(|(word, _)| *word == w) {
                    Some((_, m)) => members.push(*m),
                    None => {
                        let known: Vec<&str> = MEMBERS.iter().map(|(w, _)| *w).collect();
                        return Err(format!(
                            "`require: uses` does not know `{}`; the members are {}",
                            shorten(w),
                            known.join(", ")
                        ));
                    }
                }
            }
            if members.is_empty() {
                return Err(format!("`require: uses` names no member; {USAGE}"));
            }
            Ok(Require::Uses(members))
        }
        _ => Err(format!(
            "`require: {}` is not a condition; {USAGE}",
            shorten(value)
        )),
    }
}

/// `"EVENT"` or `/ns "EVENT"`, after `on`.
fn handler(rest: &str) -> Result<Require, String> {
    let (ns, event) = match rest.strip_prefix('/') {
        Some(_) => rest
            .split_once(char::is_whitespace)
            .map(|(ns, ev)| (ns.to_owned(), ev.trim()))
            .ok_or_else(|| format!("`require: on {}` names no event; {USAGE}", shorten(rest)))?,
        None => ("/".to_owned(), rest),
    };
    match serde_json::from_str::<serde_json::Value>(event) {
        Ok(serde_json::Value::String(event)) => Ok(Require::Handler { ns, event }),
        _ => Err(format!(
            "`require: on` takes the event as a JSON string, e.g. `on \"ping\"`, not `{}`",
            shorten(event)
        )),
    }
}
