//! Version 3's values of the handler's own socket: its handshake's auth
//! (`socket.handshake.auth.KEY`) where `msg` may stand, and its rooms
//! (`...socket.rooms`) inside a room list.

use super::ast::{Arg, Room};
use super::cursor::{Cursor, Parsed};
use super::error::excerpt;

/// What `...socket.rooms` is written as, for messages.
pub(super) const OWN_ROOMS: &str = "...socket.rooms";

impl Cursor<'_> {
    /// `msg` or `socket.handshake.auth.KEY`, where a whole argument may be one.
    pub(super) fn eat_ref<T>(&mut self) -> Parsed<Option<Arg<T>>> {
        if self.eat_msg() {
            return Ok(Some(Arg::Msg));
        }
        if let Some(reason) = self.eat_reason()? {
            return Ok(Some(reason));
        }
        Ok(self.eat_auth()?.map(Arg::Auth))
    }

    /// `socket.handshake.auth.KEY`, if the cursor is at `socket.handshake`.
    pub(super) fn eat_auth(&mut self) -> Parsed<Option<String>> {
        self.skip_ws();
        let at = self.pos;
        let handshake = self.ident(false) == Some("socket") && self.eat('.') && {
            self.skip_ws();
            self.ident(false) == Some("handshake")
        };
        if !handshake {
            self.pos = at;
            return Ok(None);
        }
        if !(self.eat('.') && {
            self.skip_ws();
            self.ident(false) == Some("auth")
        }) {
            return Err(self.error_at(
                at,
                "after `socket.handshake` comes `.auth.KEY`: the auth the client connected \
                 with, as in `socket.handshake.auth.user`",
            ));
        }
        if !self.eat('.') {
            return Err(self.error(format!(
                "expected `.KEY` after `socket.handshake.auth`, as in \
                 `socket.handshake.auth.user`{}",
                self.found()
            )));
        }
        self.skip_ws();
        let key_at = self.pos;
        let Some(key) = self.ident(false) else {
            return Err(self.error_at(
                key_at,
                format!(
                    "expected the auth key (letters, digits and `_`){}",
                    self.found()
                ),
            ));
        };
        if !self.msg_allowed {
            return Err(self.error_at(
                at,
                "`socket.handshake.auth.KEY` is the auth of a handler's socket: it stands \
                 only inside an `on` action, as in `on \"connection\": \
                 socket.join(socket.handshake.auth.user)`",
            ));
        }
        Ok(Some(key.to_owned()))
    }

    /// `...socket.rooms` as one element of a room list, if the cursor is at `...`.
    pub(super) fn eat_own_rooms(&mut self) -> Parsed<Option<Room>> {
        self.skip_ws();
        let at = self.pos;
        if !self.rest().starts_with("...") {
            return Ok(None);
        }
        self.pos += 3;
        let ok = self.ident(false) == Some("socket") && self.eat('.') && {
            self.skip_ws();
            self.ident(false) == Some("rooms")
        };
        if !ok {
            return Err(self.error_at(
                at,
                format!(
                    "a room list spreads only `{OWN_ROOMS}` (the rooms the handler's socket \
                     is in), as in `socket.to([{OWN_ROOMS}]).emit(\"left\", msg)`"
                ),
            ));
        }
        if !self.msg_allowed {
            return Err(self.error_at(
                at,
                format!(
                    "`{OWN_ROOMS}` is the rooms of a handler's socket when it runs: it stands \
                     only inside an `on` action, as in \
                     `on \"disconnecting\": socket.to([{OWN_ROOMS}]).emit(\"left\", msg)`"
                ),
            ));
        }
        Ok(Some(Room::OwnRooms))
    }
}

/// The auth value `key` names, or why it cannot be used: a key the client's
/// auth lacks is `undefined` in JavaScript, which the tour refuses (the
/// official server would `join(undefined)`: a room that no name reaches).
pub(super) fn auth_value(auth: &serde_json::Value, key: &str) -> Result<serde_json::Value, String> {
    auth.get(key).cloned().ok_or_else(|| {
        format!(
            "socket.handshake.auth.{key} is undefined: the client connected without \"{}\" in its auth",
            excerpt(key)
        )
    })
}

/// A `disconnecting` handler may not disconnect: its socket is leaving
/// already, and the official server, asked to disconnect it again, runs the
/// handler again, and again, until its stack overflows ("Maximum call stack
/// size exceeded", measured with socket.io 4.8.4).
pub(super) fn refuse_disconnect_while_disconnecting(
    action: &super::ast::Action,
) -> Result<(), &'static str> {
    use super::ast::{Action, BroadcastAction, Expr, SocketAction};
    match action {
        Action::Expr(
            Expr::Socket(SocketAction::Disconnect { .. })
            | Expr::Broadcast {
                action: BroadcastAction::DisconnectSockets { .. },
                ..
            },
        ) => Err(
            "a `disconnecting` handler cannot disconnect: its socket is leaving already, \
             and disconnecting it again would run this handler again (the official server \
             recurses until its stack overflows)",
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    //! The forms, and the exact messages and columns of their mistakes.
    use serde_json::json;

    use crate::script::{Action, Arg, Env, Expr, Room, SocketAction, StatementKind, parse_line};

    fn action(line: &str) -> Action {
        match parse_line(1, line)
            .expect("parses")
            .expect("a statement")
            .kind
        {
            StatementKind::On { action, .. } => action,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn error(line: &str) -> (usize, String) {
        let e = parse_line(1, line).expect_err(line);
        (e.column, e.message)
    }

    #[test]
    fn auth_values_and_own_rooms_parse_and_resolve() {
        let join = action(r#"on "connection": socket.join(socket.handshake.auth.user)"#);
        assert_eq!(
            join,
            Action::Expr(Expr::Socket(SocketAction::Join(Arg::Auth(
                "user".to_owned()
            ))))
        );
        let auth = json!({"name": "a", "user": "alice"});
        let rooms = [Room::OwnId, Room::Name("alice".to_owned())];
        let env = Env {
            msg: &json!("a"),
            auth: &auth,
            rooms: &rooms,
            reason: None,
        };
        assert_eq!(
            join.resolve_in(&env).unwrap(),
            Action::Expr(Expr::Socket(SocketAction::Join(Arg::Lit(vec![
                "alice".to_owned()
            ]))))
        );
        let left =
            action(r#"on "disconnecting": socket.to([ ...socket.rooms ]).emit("left", msg)"#);
        let Action::Expr(Expr::Broadcast { to, .. }) = left.resolve_in(&env).unwrap() else {
            panic!("not a broadcast");
        };
        assert_eq!(to, [Arg::Lit(rooms.to_vec())]);
        let answer = action(r#"on "ask": callback(socket.handshake.auth.user, msg)"#);
        assert_eq!(
            answer.resolve_in(&env).unwrap(),
            Action::Callback(vec![Arg::Lit(json!("alice")), Arg::Lit(json!("a"))])
        );
        let missing = action(r#"on "x": socket.emit("e", socket.handshake.auth.team)"#);
        assert_eq!(
            missing.resolve_in(&env).unwrap_err(),
            "socket.handshake.auth.team is undefined: the client connected without \"team\" in its auth"
        );
        let number = Env {
            auth: &json!({"user": 5}),
            ..env
        };
        assert_eq!(
            join.resolve_in(&number).unwrap_err(),
            "socket.handshake.auth.user must be a room name or an array of room names here, but it is 5"
        );
    }

    #[test]
    fn mistakes_are_refused_at_their_column() {
        assert_eq!(
            error(r#"on "x": socket.join(socket.handshake.user)"#),
            (
                21,
                "after `socket.handshake` comes `.auth.KEY`: the auth the client connected \
                 with, as in `socket.handshake.auth.user`"
                    .to_owned()
            )
        );
        assert_eq!(
            error(r#"on "x": socket.join(socket.handshake.auth.)"#).0,
            43
        );
        assert_eq!(
            error(r#"alice: socket.join(socket.handshake.auth.user)"#),
            (
                20,
                "`socket.handshake.auth.KEY` is the auth of a handler's socket: it stands only \
                 inside an `on` action, as in `on \"connection\": \
                 socket.join(socket.handshake.auth.user)`"
                    .to_owned()
            )
        );
        let (column, message) = error(r#"alice: socket.to([...socket.rooms]).emit("x")"#);
        assert_eq!(column, 19);
        assert!(message.starts_with("`...socket.rooms` is the rooms of a handler's socket"));
        let (column, message) = error(r#"on "x": socket.to(...socket.rooms).emit("x")"#);
        assert_eq!(column, 19);
        assert!(message.starts_with("spread `...socket.rooms` inside an array"));
        let (column, message) = error(r#"on "x": socket.to([...socket.room]).emit("x")"#);
        assert_eq!(column, 20);
        assert!(message.starts_with("a room list spreads only `...socket.rooms`"));
        assert_eq!(
            error(r#"on "disconnecting": io.in(socket.id).disconnectSockets()"#),
            (
                21,
                "a `disconnecting` handler cannot disconnect: its socket is leaving already, \
                 and disconnecting it again would run this handler again (the official server \
                 recurses until its stack overflows)"
                    .to_owned()
            )
        );
        assert!(parse_line(1, r#"on "disconnecting": socket.leave("r")"#).is_ok());
    }
}

#[cfg(test)]
mod every_namespace {
    //! `use *`: a middleware of every namespace, which declares none.
    use crate::script::{EVERY_NAMESPACE, StatementKind, parse_line};

    #[test]
    fn use_star_is_every_namespace_and_declares_none() {
        let statement = parse_line(1, r#"use * require token "s3cret" else "bad token""#)
            .unwrap()
            .unwrap();
        assert!(statement.declares().is_empty());
        match statement.kind {
            StatementKind::Use { ns, message, .. } => {
                assert_eq!(
                    (ns.as_str(), message.as_str()),
                    (EVERY_NAMESPACE, "bad token")
                );
            }
            other => panic!("{other:?}"),
        }
        let e = parse_line(1, r#"use ** require token "x""#).unwrap_err();
        assert_eq!(e.column, 6);
    }
}
