//! Resolving `msg`: an `on` handler's action with the client's first
//! argument put in place of every `msg`, or why it cannot stand there.

use serde_json::Value;

use super::ast::{Action, Arg, BroadcastAction, Expr, Room, SocketAction};
use super::error::excerpt;
use super::handshake::auth_value;

/// What a handler's values stand for when it runs (v3): `msg`, the
/// socket's handshake auth, and the rooms `...socket.rooms` spreads.
pub struct Env<'a> {
    pub msg: &'a Value,
    pub auth: &'a Value,
    /// The socket's rooms now, its own id room as [`Room::OwnId`].
    pub rooms: &'a [Room],
    /// Why the socket leaves, in a disconnect handler (v3's `reason`).
    pub reason: Option<&'a str>,
}

impl<'a> Env<'a> {
    /// Only `msg` known: no auth, no rooms.
    pub fn msg(msg: &'a Value) -> Env<'a> {
        Env {
            msg,
            auth: &Value::Null,
            rooms: &[],
            reason: None,
        }
    }

    /// The value `arg` stands for, when it is `msg` or an auth value.
    fn value(&self, arg: &Arg<impl Sized>) -> Result<Value, String> {
        match arg {
            Arg::Auth(key) => auth_value(self.auth, key),
            // The parser lets `reason` stand only in a disconnect handler.
            Arg::Reason => self
                .reason
                .map(Value::from)
                .ok_or_else(|| "`reason` is known only in a disconnect handler".to_owned()),
            _ => Ok(self.msg.clone()),
        }
    }

    /// How `arg` is named in a message.
    fn name(arg: &Arg<impl Sized>) -> String {
        match arg {
            Arg::Auth(key) => format!("socket.handshake.auth.{key}"),
            Arg::Reason => "reason".to_owned(),
            _ => "msg".to_owned(),
        }
    }
}

impl Action {
    /// The action with every `msg` replaced by `msg`'s value.
    pub fn resolve(&self, msg: &Value) -> Result<Action, String> {
        self.resolve_in(&Env::msg(msg))
    }

    /// The action with every `msg`, auth value and `...socket.rooms`
    /// replaced by what `env` says.
    pub fn resolve_in(&self, env: &Env) -> Result<Action, String> {
        Ok(match self {
            Action::Expr(expr) => Action::Expr(expr.resolve_in(env)?),
            Action::Callback(args) => Action::Callback(resolve_args(args, env)?),
        })
    }
}

impl Expr {
    /// The expression with every `msg` replaced by `msg`'s value.
    pub fn resolve(&self, msg: &Value) -> Result<Expr, String> {
        self.resolve_in(&Env::msg(msg))
    }

    /// The expression with every `msg`, auth value and `...socket.rooms`
    /// replaced by what `env` says.
    pub fn resolve_in(&self, msg: &Env) -> Result<Expr, String> {
        Ok(match self {
            Expr::Socket(action) => Expr::Socket(match action {
                SocketAction::Emit { event, args } => SocketAction::Emit {
                    event: Arg::Lit(resolve_name(event, msg, "an event name")?),
                    args: resolve_args(args, msg)?,
                },
                SocketAction::Join(rooms) => {
                    SocketAction::Join(Arg::Lit(resolve_rooms(rooms, msg)?))
                }
                SocketAction::Leave(room) => {
                    SocketAction::Leave(Arg::Lit(resolve_name(room, msg, "a room name")?))
                }
                SocketAction::Disconnect { close } => SocketAction::Disconnect { close: *close },
            }),
            Expr::Broadcast {
                scope,
                to,
                except,
                action,
            } => Expr::Broadcast {
                scope: scope.clone(),
                to: to
                    .iter()
                    .map(|r| resolve_targets(r, msg).map(Arg::Lit))
                    .collect::<Result<_, _>>()?,
                except: except
                    .iter()
                    .map(|r| resolve_targets(r, msg).map(Arg::Lit))
                    .collect::<Result<_, _>>()?,
                action: match action {
                    BroadcastAction::Emit { event, args } => BroadcastAction::Emit {
                        event: Arg::Lit(resolve_name(event, msg, "an event name")?),
                        args: resolve_args(args, msg)?,
                    },
                    BroadcastAction::SocketsJoin(r) => {
                        BroadcastAction::SocketsJoin(Arg::Lit(resolve_rooms(r, msg)?))
                    }
                    BroadcastAction::SocketsLeave(r) => {
                        BroadcastAction::SocketsLeave(Arg::Lit(resolve_rooms(r, msg)?))
                    }
                    BroadcastAction::DisconnectSockets { close } => {
                        BroadcastAction::DisconnectSockets { close: *close }
                    }
                    BroadcastAction::FetchSockets => BroadcastAction::FetchSockets,
                },
            },
        })
    }
}

/// The name `arg` stands for; `noun` ("a room name") says what it must be.
pub(super) fn resolve_name(arg: &Arg<String>, env: &Env, noun: &str) -> Result<String, String> {
    match arg {
        Arg::Lit(name) => Ok(name.clone()),
        _ => match env.value(arg)? {
            Value::String(s) => Ok(s),
            other => Err(format!(
                "{} must be {noun} (a string) here, but it is {}",
                Env::name(arg),
                excerpt(&other.to_string())
            )),
        },
    }
}

pub(super) fn resolve_args(args: &[Arg<Value>], env: &Env) -> Result<Vec<Arg<Value>>, String> {
    args.iter()
        .map(|a| match a {
            Arg::Lit(v) => Ok(Arg::Lit(v.clone())),
            _ => env.value(a).map(Arg::Lit),
        })
        .collect()
}

pub(super) fn resolve_rooms(rooms: &Arg<Vec<String>>, env: &Env) -> Result<Vec<String>, String> {
    match rooms {
        Arg::Lit(r) => Ok(r.clone()),
        _ => {
            let value = env.value(rooms)?;
            room_list(&value).ok_or_else(|| {
                format!(
                    "{} must be a room name or an array of room names here, but it is {}",
                    Env::name(rooms),
                    excerpt(&value.to_string())
                )
            })
        }
    }
}

/// The rooms of `.to/.in/.except` that `rooms` stands for: `msg` names
/// rooms by name only (ids are random; a client cannot know one), and
/// `...socket.rooms` spreads the socket's rooms as they are now.
fn resolve_targets(rooms: &Arg<Vec<Room>>, env: &Env) -> Result<Vec<Room>, String> {
    match rooms {
        Arg::Lit(r) => Ok(r
            .iter()
            .flat_map(|room| match room {
                Room::OwnRooms => env.rooms.to_vec(),
                other => vec![other.clone()],
            })
            .collect()),
        Arg::Msg => {
            resolve_rooms(&Arg::Msg, env).map(|names| names.into_iter().map(Room::Name).collect())
        }
        Arg::Auth(key) => resolve_rooms(&Arg::Auth(key.clone()), env)
            .map(|names| names.into_iter().map(Room::Name).collect()),
        Arg::Reason => resolve_rooms(&Arg::Reason, env)
            .map(|names| names.into_iter().map(Room::Name).collect()),
    }
}

/// The rooms a value names: a string is one room, an array of strings several.
pub(super) fn room_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(room) => Some(vec![room.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    //! `msg` resolved to names and rooms, or a message saying what it must be.
    use super::*;
    use crate::script::{StatementKind, parse_line};

    #[test]
    fn msg_resolves_to_names_and_rooms_or_says_what_it_must_be() {
        let on = |line: &str| match parse_line(1, line).unwrap().unwrap().kind {
            StatementKind::On {
                action: Action::Expr(action),
                ..
            } => action,
            other => panic!("{line}: {other:?}"),
        };
        let leave = on(r#"on "x": socket.leave(msg)"#);
        let join = on(r#"on "x": io.to(msg).socketsJoin(msg)"#);
        assert_eq!(
            leave.resolve(&Value::from("r")).unwrap(),
            Expr::Socket(SocketAction::Leave(Arg::Lit("r".into())))
        );
        let Expr::Broadcast { to, .. } = join.resolve(&serde_json::json!(["a", "b"])).unwrap()
        else {
            panic!("not a broadcast");
        };
        assert_eq!(
            to,
            [Arg::Lit(vec![
                Room::Name("a".to_owned()),
                Room::Name("b".to_owned())
            ])]
        );
        let huge = Value::from(vec![1; 100_000]);
        let err = leave.resolve(&huge).unwrap_err();
        assert!(
            err.starts_with("msg must be a room name (a string) here, but it is [1,1,")
                && err.ends_with('…')
                && err.len() < 120,
            "{err}"
        );
        let err = join.resolve(&serde_json::json!(["a", 2])).unwrap_err();
        assert_eq!(
            err,
            "msg must be a room name or an array of room names here, but it is [\"a\",2]"
        );
    }
}
