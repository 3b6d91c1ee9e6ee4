//! Chains of members after `io` or `socket` (`io.of("/x").to("r").emit(…)`),
//! up to and including their action. One table, [`MEMBERS`], says which
//! member may follow where: the parser and its "come …" messages read it.

use serde_json::Value;

use super::ast::{Arg, BroadcastAction, Expr, Scope, SocketAction};
use super::cursor::{Cursor, Parsed};
use super::error::excerpt;
use super::resolve::room_list;

/// Where a chain stands: what its members so far have made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Chain {
    /// `io`: the `/` namespace.
    Io,
    /// `socket`: the sender's own socket.
    Socket,
    /// `io.of(…)`, `io.sockets`, `socket.nsp`: a whole namespace.
    Namespace,
    /// After `.to`, `.in`, `.except` or `.broadcast`: a set of sockets.
    Operator,
}

/// What a member does to the chain.
#[derive(Debug, Clone, Copy)]
enum Does {
    Of,
    AllSockets,
    Nsp,
    Broadcast,
    To,
    Except,
    /// `.timeout(MS)` (v3): how long an ask waits for acknowledgements.
    Timeout,
    /// An action on the sender's own socket: it ends the chain.
    Socket(Verb),
    /// An action on every socket the chain selects: it ends the chain.
    Sockets(Verb),
}

/// What an action does: `emit`, and the socket-level or set-level
/// `join`, `leave` and `disconnect`.
#[derive(Debug, Clone, Copy)]
enum Verb {
    Emit,
    Join,
    Leave,
    Disconnect,
    /// `fetchSockets()` (v3): a query, not an action.
    Fetch,
}

/// One member a chain accepts.
struct Member {
    name: &'static str,
    /// Its arguments as the messages show them: `(…)`, `()`, or nothing.
    args: &'static str,
    /// The points of a chain it may follow.
    after: &'static [Chain],
    does: Does,
}

const ANYWHERE: &[Chain] = &[Chain::Io, Chain::Socket, Chain::Namespace, Chain::Operator];
const IO: &[Chain] = &[Chain::Io];
const SOCKET: &[Chain] = &[Chain::Socket];
/// Where a chain stands for several sockets.
const SOCKETS: &[Chain] = &[Chain::Io, Chain::Namespace, Chain::Operator];

/// Every member, in the order the messages list them.
const MEMBERS: &[Member] = &[
    member("of", "(\"/ns\")", IO, Does::Of),
    member("sockets", "", IO, Does::AllSockets),
    member("to", "(…)", ANYWHERE, Does::To),
    member("in", "(…)", ANYWHERE, Does::To),
    member("except", "(…)", ANYWHERE, Does::Except),
    member("timeout", "(MS)", ANYWHERE, Does::Timeout),
    member("broadcast", "", SOCKET, Does::Broadcast),
    member("nsp", "", SOCKET, Does::Nsp),
    member("emit", "(…)", SOCKET, Does::Socket(Verb::Emit)),
    member("join", "(…)", SOCKET, Does::Socket(Verb::Join)),
    member("leave", "(…)", SOCKET, Does::Socket(Verb::Leave)),
    member("disconnect", "()", SOCKET, Does::Socket(Verb::Disconnect)),
    member("emit", "(…)", SOCKETS, Does::Sockets(Verb::Emit)),
    member("socketsJoin", "(…)", SOCKETS, Does::Sockets(Verb::Join)),
    member("socketsLeave", "(…)", SOCKETS, Does::Sockets(Verb::Leave)),
    member(
        "disconnectSockets",
        "()",
        SOCKETS,
        Does::Sockets(Verb::Disconnect),
    ),
    member("fetchSockets", "()", SOCKETS, Does::Sockets(Verb::Fetch)),
];

const fn member(
    name: &'static str,
    args: &'static str,
    after: &'static [Chain],
    does: Does,
) -> Member {
    Member {
        name,
        args,
        after,
        does,
    }
}

/// Where a chain may stand, for a caller that offers what may follow
/// (the playground's Tab completion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Io,
    Socket,
    /// A namespace or an operator: the same members follow both.
    Operator,
}

/// The members that may follow `after`, as typed: `emit(`, `broadcast`.
pub fn members_after(after: After) -> Vec<String> {
    let link = match after {
        After::Io => Chain::Io,
        After::Socket => Chain::Socket,
        After::Operator => Chain::Operator,
    };
    MEMBERS
        .iter()
        .filter(|m| m.after.contains(&link))
        .map(|m| {
            let call = if m.args.starts_with('(') { "(" } else { "" };
            format!("{}{call}", m.name)
        })
        .collect()
}

/// The member `name` where the chain stands at `link`, if it may follow.
fn find(link: Chain, name: &str) -> Option<&'static Member> {
    MEMBERS
        .iter()
        .find(|m| m.name == name && m.after.contains(&link))
}

/// Every member's name, for a word at a statement's start that may be one.
pub(super) fn member_names() -> impl Iterator<Item = &'static str> {
    MEMBERS.iter().map(|m| m.name)
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "after `io` come `.of("/ns")`, …": every member that may follow `link`.
fn expected_members(link: Chain) -> String {
    let after = match link {
        Chain::Io => "after `io`",
        Chain::Socket => "after `socket`",
        Chain::Namespace => "after a namespace",
        Chain::Operator => "after `.to`, `.in`, `.except` or `.broadcast`",
    };
    let shown: Vec<String> = MEMBERS
        .iter()
        .filter(|m| m.after.contains(&link))
        .map(|m| format!("`.{}{}`", m.name, m.args))
        .collect();
    let (last, rest) = shown
        .split_last()
        .expect("every point of a chain has members");
    format!("{after} come {} or {last}", rest.join(", "))
}

impl Cursor<'_> {
    /// Parses `.member…` links after a root (`io` or `socket`), up to and
    /// including the action.
    pub(super) fn chain(&mut self, root: Chain) -> Parsed<Expr> {
        let mut link = root;
        // What a broadcast from this root reaches until a member narrows it:
        // `io.to(…)` the `/` namespace, `socket.to(…)` it without the sender.
        let mut scope = match root {
            Chain::Socket => Scope::SenderExcluded,
            _ => Scope::Namespace("/".to_owned()),
        };
        let mut to = Vec::new();
        let mut except = Vec::new();
        loop {
            let member = self.member(link)?;
            link = match member.does {
                Does::Of => {
                    scope = Scope::Namespace(self.namespace_argument()?);
                    Chain::Namespace
                }
                Does::AllSockets => Chain::Namespace,
                Does::Nsp => {
                    scope = Scope::SenderNamespace;
                    Chain::Namespace
                }
                Does::Broadcast => Chain::Operator,
                Does::Timeout => {
                    self.server_timeout()?;
                    // `socket.timeout(…)` is the socket again; elsewhere an operator.
                    match link {
                        Chain::Socket => Chain::Socket,
                        _ => Chain::Operator,
                    }
                }
                Does::To => {
                    to.push(self.targets_argument(member.name)?);
                    Chain::Operator
                }
                Does::Except => {
                    except.push(self.targets_argument(member.name)?);
                    Chain::Operator
                }
                Does::Socket(verb) => return Ok(Expr::Socket(self.socket_action(verb)?)),
                Does::Sockets(Verb::Fetch) => {
                    return self.fetch_sockets(root, scope, to, except);
                }
                Does::Sockets(verb) => {
                    let action = self.broadcast_action(verb, member.name)?;
                    return Ok(Expr::Broadcast {
                        scope,
                        to,
                        except,
                        action,
                    });
                }
            };
        }
    }

    /// `.NAME`: a member that may follow `link`.
    fn member(&mut self, link: Chain) -> Parsed<&'static Member> {
        if !self.eat('.') {
            return Err(self.error(format!(
                "expected `.` and a method, {}{}",
                expected_members(link),
                self.found()
            )));
        }
        self.skip_ws();
        let at = self.pos;
        let Some(name) = self.ident(false) else {
            return Err(self.error(format!("expected a method name{}", self.found())));
        };
        find(link, name).ok_or_else(|| {
            let here = MEMBERS.iter().filter(|m| m.after.contains(&link));
            let message = match super::suggest::nearest(name, here.map(|m| m.name)) {
                Some(meant) => format!(
                    "`{}` is not available here: did you mean `{meant}`? {}",
                    excerpt(name),
                    capitalized(&expected_members(link))
                ),
                None => format!(
                    "`{}` is not available here: {}",
                    excerpt(name),
                    expected_members(link)
                ),
            };
            self.error_at(at, message)
        })
    }

    /// `("/ns")` after `of`: the namespace, with its `/` added if left out.
    pub(super) fn namespace_argument(&mut self) -> Parsed<String> {
        self.expect('(', "after `of`")?;
        let ns = self.string("the namespace")?;
        self.expect(')', "to close `of(`")?;
        Ok(if ns.starts_with('/') {
            ns
        } else {
            format!("/{ns}")
        })
    }

    /// `(ROOMS)` after `method`.
    fn rooms_argument(&mut self, method: &str) -> Parsed<Arg<Vec<String>>> {
        self.expect('(', &format!("after `{method}`"))?;
        let rooms = self.rooms()?;
        self.expect(')', &format!("to close `{method}(`"))?;
        Ok(rooms)
    }

    /// The arguments of an action on the sender's own socket.
    fn socket_action(&mut self, verb: Verb) -> Parsed<SocketAction> {
        Ok(match verb {
            Verb::Emit => {
                let (event, args) = self.emit_args()?;
                SocketAction::Emit { event, args }
            }
            Verb::Join => SocketAction::Join(self.rooms_argument("join")?),
            Verb::Leave => {
                self.expect('(', "after `leave`")?;
                let room = self.room()?;
                self.expect(')', "to close `leave(`")?;
                SocketAction::Leave(room)
            }
            Verb::Disconnect => SocketAction::Disconnect {
                close: self.optional_bool("disconnect")?,
            },
            Verb::Fetch => unreachable!("fetchSockets is no member of `socket`"),
        })
    }

    /// The arguments of an action on a set of sockets (`method` as written).
    fn broadcast_action(&mut self, verb: Verb, method: &str) -> Parsed<BroadcastAction> {
        Ok(match verb {
            Verb::Emit => {
                let (event, args) = self.emit_args()?;
                BroadcastAction::Emit { event, args }
            }
            Verb::Join => BroadcastAction::SocketsJoin(self.rooms_argument(method)?),
            Verb::Leave => BroadcastAction::SocketsLeave(self.rooms_argument(method)?),
            Verb::Disconnect => BroadcastAction::DisconnectSockets {
                close: self.optional_bool(method)?,
            },
            Verb::Fetch => BroadcastAction::FetchSockets,
        })
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
            self.skip_ws();
            let at = self.pos;
            if self.rest().starts_with("ack") && self.ident(false) == Some("ack") {
                self.server_ack(at)?;
                break;
            }
            args.push(match self.eat_ref()? {
                Some(value) => value,
                None => Arg::Lit(self.json()?),
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
        if let Some(value) = self.eat_ref()? {
            return Ok(value);
        }
        self.skip_ws();
        let at = self.pos;
        let rest = self.rest().trim_start_matches('[').trim_start();
        if rest
            .split(|c: char| !(c.is_ascii_alphanumeric() || "_-.".contains(c)))
            .next()
            .is_some_and(|word| word.ends_with(".id"))
        {
            return Err(self.error_at(
                at,
                "a socket's own id room is only a target: ids stand in `.to`, `.in` and \
                 `.except`, not in `join`, `leave`, `socketsJoin` or `socketsLeave`",
            ));
        }
        room_list(&self.json()?).map(Arg::Lit).ok_or_else(|| {
            self.error_at(
                at,
                "a room is a string, or an array of strings for several rooms",
            )
        })
    }

    /// One room name (or `msg`).
    pub(super) fn room(&mut self) -> Parsed<Arg<String>> {
        if let Some(value) = self.eat_ref()? {
            return Ok(value);
        }
        Ok(Arg::Lit(self.string("one room name")?))
    }
}

#[cfg(test)]
mod tests {
    //! The member table drives the messages: they list exactly what parses.
    use super::*;
    use crate::script::parse_script;

    #[test]
    fn the_messages_list_every_member_that_may_follow() {
        assert_eq!(
            expected_members(Chain::Io),
            "after `io` come `.of(\"/ns\")`, `.sockets`, `.to(…)`, `.in(…)`, `.except(…)`, \
             `.timeout(MS)`, `.emit(…)`, `.socketsJoin(…)`, `.socketsLeave(…)`, \
             `.disconnectSockets()` or `.fetchSockets()`"
        );
        assert_eq!(
            expected_members(Chain::Socket),
            "after `socket` come `.to(…)`, `.in(…)`, `.except(…)`, `.timeout(MS)`, \
             `.broadcast`, `.nsp`, \
             `.emit(…)`, `.join(…)`, `.leave(…)` or `.disconnect()`"
        );
        assert_eq!(
            expected_members(Chain::Namespace),
            "after a namespace come `.to(…)`, `.in(…)`, `.except(…)`, `.timeout(MS)`, \
             `.emit(…)`, \
             `.socketsJoin(…)`, `.socketsLeave(…)`, `.disconnectSockets()` or `.fetchSockets()`"
        );
        assert_eq!(
            expected_members(Chain::Operator),
            "after `.to`, `.in`, `.except` or `.broadcast` come `.to(…)`, `.in(…)`, \
             `.except(…)`, `.timeout(MS)`, `.emit(…)`, `.socketsJoin(…)`, `.socketsLeave(…)`, \
             `.disconnectSockets()` or `.fetchSockets()`"
        );
    }

    #[test]
    fn every_member_in_the_table_parses_exactly_where_the_table_allows_it() {
        let roots = [
            (Chain::Io, "io"),
            (Chain::Socket, "a: socket"),
            (Chain::Namespace, "io.of(\"/x\")"),
            (Chain::Operator, "io.to(\"r\")"),
        ];
        for (link, root) in roots {
            for m in MEMBERS {
                let args = match (m.args, m.name) {
                    ("(…)", "emit") => "(\"e\")",
                    (_, "timeout") => "(100)",
                    ("(…)", _) => "(\"r\")",
                    (other, _) => other,
                };
                // A member that does not end the chain needs an action after it.
                let action = match m.does {
                    Does::Socket(_) | Does::Sockets(_) => "",
                    // An ask: its emit ends with `ack`.
                    Does::Timeout => ".emit(\"e\", ack)",
                    _ => ".emit(\"e\")",
                };
                let script = format!("connect a\n{root}.{}{args}{action}", m.name);
                let allowed = MEMBERS
                    .iter()
                    .any(|other| other.name == m.name && other.after.contains(&link));
                let parsed = parse_script(&script);
                assert_eq!(parsed.is_ok(), allowed, "{script}: {parsed:?}");
            }
        }
    }
}
