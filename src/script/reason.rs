//! `reason` (v3): inside an `on "disconnect"` or `on "disconnecting"`
//! action, the server-side reason the socket leaves for, as the official
//! server passes it to `socket.on("disconnect", (reason) => …)`.

use super::ast::{Action, Arg, BroadcastAction, Expr, SocketAction};
use super::cursor::{Cursor, Parsed};
use super::error::SyntaxError;

/// What to write instead, for `reason` where it means nothing.
const ONLY_IN_DISCONNECT: &str = "`reason` is why a socket leaves: it stands only inside an \
     `on \"disconnect\"` or `on \"disconnecting\"` action, as in \
     `on \"disconnect\": io.emit(\"left\", msg, reason)`";

/// Whether `text` starts with the bare word `reason` (not `reasons`, `reason_1`…).
fn starts_with_reason(text: &str) -> bool {
    text.strip_prefix("reason")
        .is_some_and(|after| !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
}

/// Whether `action` names `reason` anywhere (its JavaScript handler then
/// takes `(reason)`).
pub fn uses_reason(action: &Action) -> bool {
    let any = |args: &[Arg<serde_json::Value>]| args.iter().any(|a| matches!(a, Arg::Reason));
    match action {
        Action::Callback(args) => any(args),
        Action::Expr(Expr::Socket(action)) => match action {
            SocketAction::Emit { args, .. } => any(args),
            SocketAction::Join(rooms) => matches!(rooms, Arg::Reason),
            SocketAction::Leave(room) => matches!(room, Arg::Reason),
            SocketAction::Disconnect { .. } => false,
        },
        Action::Expr(Expr::Broadcast {
            to, except, action, ..
        }) => {
            to.iter().chain(except).any(|r| matches!(r, Arg::Reason))
                || match action {
                    BroadcastAction::Emit { args, .. } => any(args),
                    BroadcastAction::SocketsJoin(r) | BroadcastAction::SocketsLeave(r) => {
                        matches!(r, Arg::Reason)
                    }
                    BroadcastAction::DisconnectSockets { .. } | BroadcastAction::FetchSockets => {
                        false
                    }
                }
        }
    }
}

impl Cursor<'_> {
    /// The bare word `reason` as a whole argument, where a disconnect
    /// handler's action allows it; an error anywhere else.
    pub(super) fn eat_reason<T>(&mut self) -> Parsed<Option<Arg<T>>> {
        self.skip_ws();
        if !starts_with_reason(self.rest()) {
            return Ok(None);
        }
        if !self.reason_allowed {
            return Err(self.error(ONLY_IN_DISCONNECT));
        }
        self.pos += "reason".len();
        Ok(Some(Arg::Reason))
    }

    /// The error for a bare `reason` at the cursor, where no argument of
    /// that kind can stand (an event name, a client's values).
    pub(super) fn misplaced_reason(&self) -> Option<SyntaxError> {
        if !starts_with_reason(self.rest()) {
            return None;
        }
        Some(self.error(if self.reason_allowed {
            "`reason` cannot stand here: in a disconnect handler it may be an emit argument \
             or a room name, as in `on \"disconnect\": io.emit(\"left\", msg, reason)`"
        } else {
            ONLY_IN_DISCONNECT
        }))
    }
}

#[cfg(test)]
mod tests {
    //! `reason` where it stands, and what to write where it cannot.
    use crate::script::{Action, Arg, BroadcastAction, Expr, Statement, StatementKind, parse_line};

    fn parse(line: &str) -> Result<Statement, String> {
        parse_line(1, line)
            .map(|s| s.unwrap())
            .map_err(|e| e.message)
    }

    #[test]
    fn reason_is_an_argument_of_disconnect_handlers() {
        for event in ["disconnect", "disconnecting"] {
            let line = format!(r#"on "{event}": io.emit("left", msg, reason)"#);
            let StatementKind::On {
                action: Action::Expr(Expr::Broadcast { action, .. }),
                ..
            } = parse(&line).unwrap().kind
            else {
                panic!("{line}");
            };
            assert_eq!(
                action,
                BroadcastAction::Emit {
                    event: Arg::Lit("left".to_owned()),
                    args: vec![Arg::Msg, Arg::Reason],
                }
            );
        }
        assert!(parse(r#"on /chat "disconnect": socket.to("r").emit("bye", reason)"#).is_ok());
    }

    #[test]
    fn reason_elsewhere_says_where_it_stands() {
        for line in [
            r#"on "chat": io.emit("left", reason)"#,
            r#"on "connection": socket.join(reason)"#,
            r#"io.emit("left", reason)"#,
            r#"alice> socket.emit("x", reason)"#,
            r#"alice> on "q": callback(reason)"#,
        ] {
            let err = parse(line).unwrap_err();
            assert!(
                err.starts_with("`reason` is why a socket leaves"),
                "{line}: {err}"
            );
        }
        let err = parse(r#"on "disconnect": io.emit(reason)"#).unwrap_err();
        assert!(err.starts_with("`reason` cannot stand here"), "{err}");
        // Not the bare word: a JSON error as before.
        assert!(parse(r#"on "disconnect": io.emit("left", reasons)"#).is_err());
    }
}
