//! Chains of members after `io` or `socket` (`io.of("/x").to("r").emit(…)`),
//! up to and including their action.

use serde_json::Value;

use super::ast::{Arg, BroadcastAction, Expr, Scope, SocketAction};
use super::cursor::{Cursor, Parsed};
use super::error::excerpt;
use super::resolve::room_list;

/// What a chain has produced so far, before its action.
pub(super) enum Chain {
    Io,
    Socket,
    Namespace(Scope),
    Operator(Scope),
}

impl Cursor<'_> {
    /// Parses `.member…` links after a root, up to and including the action.
    pub(super) fn chain(&mut self, mut chain: Chain) -> Parsed<Expr> {
        let mut to = Vec::new();
        let mut except = Vec::new();
        loop {
            if !self.eat('.') {
                return Err(self.error(format!(
                    "expected `.` and a method, {}{}",
                    expected_members(&chain),
                    self.found()
                )));
            }
            self.skip_ws();
            let at = self.pos;
            let Some(member) = self.ident(false) else {
                return Err(self.error(format!("expected a method name{}", self.found())));
            };
            chain = match (chain, member) {
                (Chain::Io, "of") => {
                    self.expect('(', "after `of`")?;
                    let ns = self.string("the namespace")?;
                    self.expect(')', "to close `of(`")?;
                    let ns = if ns.starts_with('/') {
                        ns
                    } else {
                        format!("/{ns}")
                    };
                    Chain::Namespace(Scope::Namespace(ns))
                }
                (Chain::Io, "sockets") => Chain::Namespace(Scope::Namespace("/".to_owned())),
                (Chain::Socket, "nsp") => Chain::Namespace(Scope::SenderNamespace),
                (Chain::Socket, "broadcast") => Chain::Operator(Scope::SenderExcluded),
                (
                    c @ (Chain::Io | Chain::Socket | Chain::Namespace(_) | Chain::Operator(_)),
                    "to" | "in" | "except",
                ) => {
                    self.expect('(', &format!("after `{member}`"))?;
                    let rooms = self.rooms()?;
                    self.expect(')', &format!("to close `{member}(`"))?;
                    if member == "except" {
                        except.push(rooms);
                    } else {
                        to.push(rooms);
                    }
                    Chain::Operator(match c {
                        Chain::Io => Scope::Namespace("/".to_owned()),
                        Chain::Socket => Scope::SenderExcluded,
                        Chain::Namespace(s) | Chain::Operator(s) => s,
                    })
                }
                (Chain::Socket, "emit") => {
                    let (event, args) = self.emit_args()?;
                    return Ok(Expr::Socket(SocketAction::Emit { event, args }));
                }
                (Chain::Socket, "join") => {
                    self.expect('(', "after `join`")?;
                    let rooms = self.rooms()?;
                    self.expect(')', "to close `join(`")?;
                    return Ok(Expr::Socket(SocketAction::Join(rooms)));
                }
                (Chain::Socket, "leave") => {
                    self.expect('(', "after `leave`")?;
                    let room = self.room()?;
                    self.expect(')', "to close `leave(`")?;
                    return Ok(Expr::Socket(SocketAction::Leave(room)));
                }
                (Chain::Socket, "disconnect") => {
                    let close = self.optional_bool("disconnect")?;
                    return Ok(Expr::Socket(SocketAction::Disconnect { close }));
                }
                (
                    c @ (Chain::Io | Chain::Namespace(_) | Chain::Operator(_)),
                    action @ ("emit" | "socketsJoin" | "socketsLeave" | "disconnectSockets"),
                ) => {
                    let scope = match c {
                        Chain::Io => Scope::Namespace("/".to_owned()),
                        Chain::Namespace(s) | Chain::Operator(s) => s,
                        Chain::Socket => unreachable!("matched above"),
                    };
                    let action = match action {
                        "emit" => {
                            let (event, args) = self.emit_args()?;
                            BroadcastAction::Emit { event, args }
                        }
                        "socketsJoin" | "socketsLeave" => {
                            self.expect('(', &format!("after `{action}`"))?;
                            let rooms = self.rooms()?;
                            self.expect(')', &format!("to close `{action}(`"))?;
                            if action == "socketsJoin" {
                                BroadcastAction::SocketsJoin(rooms)
                            } else {
                                BroadcastAction::SocketsLeave(rooms)
                            }
                        }
                        _ => BroadcastAction::DisconnectSockets {
                            close: self.optional_bool("disconnectSockets")?,
                        },
                    };
                    return Ok(Expr::Broadcast {
                        scope,
                        to,
                        except,
                        action,
                    });
                }
                (c, other) => {
                    return Err(self.error_at(
                        at,
                        format!(
                            "`{}` is not available here: {}",
                            excerpt(other),
                            expected_members(&c)
                        ),
                    ));
                }
            };
        }
    }

    /// `(EVENT, ARGS…)` of an emit.
    pub(super) fn emit_args(&mut self) -> Parsed<(Arg<String>, Vec<Arg<Value>>)> {
        self.expect('(', "after `emit`")?;
        self.skip_ws();
        let at = self.pos;
        let event = if self.eat_msg() {
            Arg::Msg
        } else {
            let event = self.string("the event name")?;
            self.check_event_name(&event, at)?;
            Arg::Lit(event)
        };
        let mut args = Vec::new();
        while self.eat(',') {
            args.push(if self.eat_msg() {
                Arg::Msg
            } else {
                Arg::Lit(self.json()?)
            });
        }
        self.expect(')', "to close `emit(`")?;
        Ok((event, args))
    }

    /// `()` or `(true)` / `(false)`.
    pub(super) fn optional_bool(&mut self, method: &str) -> Parsed<bool> {
        self.expect('(', &format!("after `{method}`"))?;
        if self.eat(')') {
            return Ok(false);
        }
        let at = self.pos;
        let value = self.json()?;
        let Value::Bool(close) = value else {
            return Err(self.error_at(at, format!("`{method}` takes `true`, `false` or nothing")));
        };
        self.expect(')', &format!("to close `{method}(`"))?;
        Ok(close)
    }

    /// A room name or an array of room names (or `msg`).
    pub(super) fn rooms(&mut self) -> Parsed<Arg<Vec<String>>> {
        if self.eat_msg() {
            return Ok(Arg::Msg);
        }
        self.skip_ws();
        let at = self.pos;
        room_list(&self.json()?).map(Arg::Lit).ok_or_else(|| {
            self.error_at(
                at,
                "a room is a string, or an array of strings for several rooms",
            )
        })
    }

    /// One room name (or `msg`).
    pub(super) fn room(&mut self) -> Parsed<Arg<String>> {
        if self.eat_msg() {
            return Ok(Arg::Msg);
        }
        Ok(Arg::Lit(self.string("one room name")?))
    }
}

pub(super) fn expected_members(chain: &Chain) -> &'static str {
    match chain {
        Chain::Io => {
            "after `io` come `.of(\"/ns\")`, `.sockets`, `.to(…)`, `.in(…)`, `.except(…)`, `.emit(…)`, `.socketsJoin(…)`, `.socketsLeave(…)` or `.disconnectSockets()`"
        }
        Chain::Socket => {
            "after `socket` come `.to(…)`, `.in(…)`, `.except(…)`, `.broadcast`, `.nsp`, `.emit(…)`, `.join(…)`, `.leave(…)` or `.disconnect()`"
        }
        Chain::Namespace(_) => {
            "after a namespace come `.to(…)`, `.in(…)`, `.except(…)`, `.emit(…)`, `.socketsJoin(…)`, `.socketsLeave(…)` or `.disconnectSockets()`"
        }
        Chain::Operator(_) => {
            "after `.to`, `.in`, `.except` or `.broadcast` come `.to(…)`, `.in(…)`, `.except(…)`, `.emit(…)`, `.socketsJoin(…)`, `.socketsLeave(…)` or `.disconnectSockets()`"
        }
    }
}
