//! The goal's conditions on how an answer is written (`require:` and
//! `statements:`), checked on the parsed answer, each unmet one explained.

use std::collections::BTreeSet;

use super::miss::Miss;
use crate::lesson::{Require, UsedMember};
use crate::script::{
    Action, Arg, BroadcastAction, Expr, Room, Scope, SocketAction, Statement, StatementKind,
};

/// The conditions `answer` does not meet, of `require` and of at most
/// `max` statements.
pub fn unmet(require: &[Require], max: usize, answer: &[Statement]) -> Vec<Miss> {
    let mut misses = Vec::new();
    if answer.len() > max {
        misses.push(Miss::Condition(format!(
            "the goal allows {max} statement{}; your answer has {}",
            if max == 1 { "" } else { "s" },
            answer.len()
        )));
    }
    for condition in require {
        if let Some(why) = why_unmet(condition, answer) {
            misses.push(Miss::Condition(why));
        }
    }
    misses
}

/// A handler as the goal names it: `on "ping"` or `on /orders "ping"`.
fn handler_code(ns: &str, event: &str) -> String {
    let event = serde_json::Value::String(event.to_owned());
    if ns == "/" {
        format!("`on {event}: …`")
    } else {
        format!("`on {ns} {event}: …`")
    }
}

fn why_unmet(condition: &Require, answer: &[Statement]) -> Option<String> {
    let handlers: Vec<(&String, &String)> = answer
        .iter()
        .filter_map(|s| match &s.kind {
            StatementKind::On { ns, event, .. } => Some((ns, event)),
            _ => None,
        })
        .collect();
    match condition {
        Require::Handler { ns, event } => {
            if handlers.iter().any(|(n, e)| *n == ns && *e == event) {
                return None;
            }
            let wanted = handler_code(ns, event);
            let runs = match event.as_str() {
                "connection" => format!("runs for each socket that connects to {ns} from now on"),
                "disconnect" => format!("runs for each socket of {ns} that leaves"),
                _ => format!("runs each time a client emits {event:?}"),
            };
            Some(match handlers.first() {
                Some((n, e)) => format!(
                    "the goal asks for the handler {wanted}, which {runs}; yours is {}",
                    handler_code(n, e)
                ),
                None => format!(
                    "the goal asks for the handler {wanted}, which {runs}; your answer is no handler: it runs once, now"
                ),
            })
        }
        Require::NoHandler => handlers.first().map(|(n, e)| {
            format!(
                "the goal asks for a statement that acts now, not a handler; yours is {}",
                handler_code(n, e)
            )
        }),
        Require::Server(label) => {
            let io_lines: Vec<&Statement> = answer
                .iter()
                .filter(|s| matches!(s.kind, StatementKind::Server { socket: None, .. }))
                .collect();
            match io_lines.iter().find(|s| s.server.as_deref() != Some(label)) {
                Some(s) => Some(format!(
                    "the goal asks for code on server {label} (`@{label} io.…`); `{}` runs on server {}",
                    s.code,
                    s.server.as_deref().unwrap_or("?")
                )),
                None if io_lines.is_empty() => Some(format!(
                    "the goal asks for code on server {label} (`@{label} io.…`); your answer has no `io.…` line"
                )),
                None => None,
            }
        }
        Require::Socket(name) => {
            let sockets: BTreeSet<Option<&String>> = answer
                .iter()
                .filter_map(|s| match &s.kind {
                    StatementKind::Server { socket, .. } | StatementKind::Ask { socket, .. } => {
                        Some(socket.as_ref())
                    }
                    _ => None,
                })
                .collect();
            if sockets.iter().all(|s| *s == Some(name)) && !sockets.is_empty() {
                return None;
            }
            let yours = match sockets.iter().find(|s| **s != Some(name)) {
                Some(Some(other)) => format!("yours runs on {other}'s socket"),
                Some(None) => "yours runs on the server as a whole (`io.…`)".to_owned(),
                None => "your answer has no `NAME: socket.…` line".to_owned(),
            };
            Some(format!(
                "the goal asks for code on {name}'s socket (`{name}: socket.…`); {yours}"
            ))
        }
        Require::Client(name) => {
            let clients: Vec<&String> = answer
                .iter()
                .filter_map(|s| match &s.kind {
                    StatementKind::Connect { name, .. }
                    | StatementKind::Disconnect { name }
                    | StatementKind::ClientEmit { name, .. }
                    | StatementKind::Listen { name, .. } => Some(name),
                    StatementKind::Link(link) => Some(link.name()),
                    _ => None,
                })
                .collect();
            if clients.contains(&name) && clients.iter().all(|c| *c == name) {
                return None;
            }
            Some(format!(
                "the goal asks for what {name}'s client does (`connect {name} …` or `{name}> …`); {}",
                match clients.iter().find(|c| **c != name) {
                    Some(other) => format!("yours is {other}'s client"),
                    None => "your answer is server code".to_owned(),
                }
            ))
        }
        Require::Uses(members) => {
            let used = used_members(answer);
            let missing: Vec<&str> = members
                .iter()
                .filter(|m| !used.contains(m))
                .map(|m| m.code())
                .collect();
            (!missing.is_empty()).then(|| {
                format!(
                    "the goal asks for {}; your answer does not use {}",
                    members
                        .iter()
                        .map(|m| m.code())
                        .collect::<Vec<_>>()
                        .join(" and "),
                    missing.join(" nor ")
                )
            })
        }
    }
}

/// Every member the answer's code uses.
pub fn used_members(answer: &[Statement]) -> BTreeSet<UsedMember> {
    let mut used = BTreeSet::new();
    for s in answer {
        match &s.kind {
            StatementKind::Server { expr, .. } | StatementKind::Ask { expr, .. } => {
                expr_members(expr, &s.code, &mut used)
            }
            // v3: a client's listener answers with `callback(…)`.
            StatementKind::Listen { answer, .. } => {
                used.insert(UsedMember::Callback);
                args_members(answer, &mut used);
            }
            StatementKind::On { action, .. } => match action {
                Action::Expr(expr) => expr_members(expr, &s.code, &mut used),
                Action::Callback(args) => {
                    used.insert(UsedMember::Callback);
                    args_members(args, &mut used);
                }
            },
            _ => {}
        }
    }
    used
}

fn args_members<T>(args: &[Arg<T>], used: &mut BTreeSet<UsedMember>) {
    if args.iter().any(|a| matches!(a, Arg::Msg)) {
        used.insert(UsedMember::Msg);
    }
    if args.iter().any(|a| matches!(a, Arg::Reason)) {
        used.insert(UsedMember::Reason);
    }
}

fn rooms_members(rooms: &[Arg<Vec<Room>>], used: &mut BTreeSet<UsedMember>) {
    for arg in rooms {
        match arg {
            Arg::Msg => {
                used.insert(UsedMember::Msg);
            }
            Arg::Reason => {
                used.insert(UsedMember::Reason);
            }
            Arg::Auth(_) => {}
            Arg::Lit(list) => {
                if list
                    .iter()
                    .any(|r| matches!(r, Room::IdOf(_) | Room::OwnId))
                {
                    used.insert(UsedMember::Id);
                }
            }
        }
    }
}

fn expr_members(expr: &Expr, code: &str, used: &mut BTreeSet<UsedMember>) {
    match expr {
        Expr::Socket(action) => match action {
            SocketAction::Emit { event, args } => {
                used.insert(UsedMember::Emit);
                args_members(std::slice::from_ref(event), used);
                args_members(args, used);
            }
            SocketAction::Join(arg) => {
                used.insert(UsedMember::Join);
                args_members(std::slice::from_ref(arg), used);
            }
            SocketAction::Leave(arg) => {
                used.insert(UsedMember::Leave);
                args_members(std::slice::from_ref(arg), used);
            }
            SocketAction::Disconnect { .. } => {}
        },
        Expr::Broadcast {
            scope,
            to,
            except,
            action,
        } => {
            if !to.is_empty() {
                used.insert(UsedMember::To);
            }
            if !except.is_empty() {
                used.insert(UsedMember::Except);
            }
            rooms_members(to, used);
            rooms_members(except, used);
            match scope {
                Scope::Namespace(ns) if ns != "/" => {
                    used.insert(UsedMember::Of);
                }
                Scope::SenderExcluded
                    if (to.is_empty() && except.is_empty()) || code.contains(".broadcast") =>
                {
                    used.insert(UsedMember::Broadcast);
                }
                _ => {}
            }
            match action {
                BroadcastAction::Emit { event, args } => {
                    used.insert(UsedMember::Emit);
                    args_members(std::slice::from_ref(event), used);
                    args_members(args, used);
                }
                BroadcastAction::SocketsJoin(arg) => {
                    used.insert(UsedMember::SocketsJoin);
                    args_members(std::slice::from_ref(arg), used);
                }
                BroadcastAction::SocketsLeave(arg) => {
                    used.insert(UsedMember::SocketsLeave);
                    args_members(std::slice::from_ref(arg), used);
                }
                BroadcastAction::DisconnectSockets { .. } => {
                    used.insert(UsedMember::DisconnectSockets);
                }
                BroadcastAction::FetchSockets => {
                    used.insert(UsedMember::FetchSockets);
                }
            }
        }
    }
}
