//! Resolving `msg`: an `on` handler's action with the client's first
//! argument put in place of every `msg`, or why it cannot stand there.

use serde_json::Value;

use super::ast::{Action, Arg, BroadcastAction, Expr, Room, SocketAction};
use super::error::excerpt;

impl Action {
    /// The action with every `msg` replaced by `msg`'s value.
    pub fn resolve(&self, msg: &Value) -> Result<Action, String> {
        Ok(match self {
            Action::Expr(expr) => Action::Expr(expr.resolve(msg)?),
            Action::Callback(args) => Action::Callback(resolve_args(args, msg)),
        })
    }
}

impl Expr {
    /// The expression with every `msg` replaced by `msg`'s value.
    pub fn resolve(&self, msg: &Value) -> Result<Expr, String> {
        Ok(match self {
            Expr::Socket(action) => Expr::Socket(match action {
                SocketAction::Emit { event, args } => SocketAction::Emit {
                    event: Arg::Lit(resolve_name(event, msg, "an event name")?),
                    args: resolve_args(args, msg),
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
                        args: resolve_args(args, msg),
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
                },
            },
        })
    }
}

/// The name `arg` stands for; `noun` ("a room name") says what it must be.
pub(super) fn resolve_name(arg: &Arg<String>, msg: &Value, noun: &str) -> Result<String, String> {
    match arg {
        Arg::Lit(name) => Ok(name.clone()),
        Arg::Msg => match msg {
            Value::String(s) => Ok(s.clone()),
            other => Err(format!(
                "msg must be {noun} (a string) here, but it is {}",
                excerpt(&other.to_string())
            )),
        },
    }
}

pub(super) fn resolve_args(args: &[Arg<Value>], msg: &Value) -> Vec<Arg<Value>> {
    args.iter()
        .map(|a| match a {
            Arg::Lit(v) => Arg::Lit(v.clone()),
            Arg::Msg => Arg::Lit(msg.clone()),
        })
        .collect()
}

pub(super) fn resolve_rooms(rooms: &Arg<Vec<String>>, msg: &Value) -> Result<Vec<String>, String> {
    match rooms {
        Arg::Lit(r) => Ok(r.clone()),
        Arg::Msg => room_list(msg).ok_or_else(|| {
            format!(
                "msg must be a room name or an array of room names here, but it is {}",
                excerpt(&msg.to_string())
            )
        }),
    }
}

/// The rooms of `.to/.in/.except` that `rooms` stands for: `msg` names
/// rooms by name only (ids are random; a client cannot know one).
fn resolve_targets(rooms: &Arg<Vec<Room>>, msg: &Value) -> Result<Vec<Room>, String> {
    match rooms {
        Arg::Lit(r) => Ok(r.clone()),
        Arg::Msg => {
            resolve_rooms(&Arg::Msg, msg).map(|names| names.into_iter().map(Room::Name).collect())
        }
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
