//! A statement as real Socket.IO code, in the lessons' sample style: server
//! code inside `io.on("connection", (socket) => { … })`, a client's lines
//! as the JavaScript client writes them.

use serde_json::Value;

use crate::script::{
    Action, Arg, BroadcastAction, CONNECTION, DISCONNECT, DISCONNECTING, EVERY_NAMESPACE, Expr,
    Room, Scope, SocketAction, Statement, StatementKind, uses_reason,
};

/// `drop`, `reconnect` and volatile emits (v3) as the client's code.
fn link_js(link: &crate::script::Link) -> Vec<String> {
    use crate::script::Link;
    match link {
        Link::Drop { name } => vec![format!(
            "// {name}'s network goes down: the server sees \"transport close\""
        )],
        Link::Reconnect { name } => vec![format!(
            "// {name}'s network is back: its client reconnects by itself, a new socket"
        )],
        Link::VolatileEmit { name, event, args } => {
            let mut parts = vec![value(&Value::String(event.clone()))];
            parts.extend(args.iter().map(value));
            vec![format!(
                "socket.volatile.emit({}); // {name}'s client",
                parts.join(", ")
            )]
        }
    }
}

/// `statement` as JavaScript, one line of code per item.
pub fn javascript(statement: &Statement) -> Vec<String> {
    let on_server = |lines: Vec<String>| -> Vec<String> {
        match &statement.server {
            Some(label) => std::iter::once(format!("// on server {label}"))
                .chain(lines)
                .collect(),
            None => lines,
        }
    };
    match &statement.kind {
        StatementKind::Connect { name, ns, auth } => {
            let mut options = serde_json::Map::new();
            options.insert("name".to_owned(), Value::String(name.clone()));
            options.extend(auth.clone());
            let path = if ns == "/" { String::new() } else { ns.clone() };
            on_server(vec![format!(
                "const socket = io(\"{path}\", {{ auth: {} }}); // {name}'s client",
                value(&Value::Object(options))
            )])
        }
        StatementKind::Disconnect { name } => {
            vec![format!("socket.disconnect(); // {name}'s client")]
        }
        StatementKind::Link(link) => link_js(link),
        StatementKind::ClientEmit {
            name,
            event,
            args,
            ack,
            form,
        } => {
            let mut parts = vec![value(&Value::String(event.clone()))];
            parts.extend(args.iter().map(value));
            let timeout = form
                .timeout
                .map_or(String::new(), |ms| format!("timeout({ms})."));
            if form.promise {
                vec![format!(
                    "const answer = await socket.{timeout}emitWithAck({}); // {name}'s client",
                    parts.join(", ")
                )]
            } else {
                if *ack {
                    parts.push(match form.timeout {
                        Some(_) => "(err, ...answer) => console.log(err, answer)".to_owned(),
                        None => "(...answer) => console.log(answer)".to_owned(),
                    });
                }
                vec![format!(
                    "socket.{timeout}emit({}); // {name}'s client",
                    parts.join(", ")
                )]
            }
        }
        StatementKind::Listen {
            name,
            event,
            answer,
        } => {
            let answer: Vec<String> = answer
                .iter()
                .map(|arg| match arg {
                    crate::script::Arg::Lit(v) => value(v),
                    crate::script::Arg::Msg => "msg".to_owned(),
                    crate::script::Arg::Auth(key) => format!("socket.handshake.auth.{key}"),
                    crate::script::Arg::Reason => "reason".to_owned(),
                })
                .collect();
            vec![format!(
                "socket.on({}, (msg, callback) => callback({})); // {name}'s client",
                value(&Value::String(event.clone())),
                answer.join(", ")
            )]
        }
        StatementKind::Ask {
            socket,
            expr,
            timeout,
        } => {
            let code = format!(
                "{};",
                ask_js(
                    &expr_js(expr),
                    *timeout,
                    matches!(expr, Expr::Broadcast { .. })
                )
            );
            match socket {
                Some(name) => vec![
                    format!("// in the connection handler, with {name}'s socket"),
                    code,
                ],
                None => on_server(vec![code]),
            }
        }
        StatementKind::Server { socket: None, expr } if crate::script::is_fetch(expr) => {
            on_server(vec![format!("const sockets = await {};", expr_js(expr))])
        }
        StatementKind::Server { socket: None, expr } => {
            on_server(vec![format!("{};", expr_js(expr))])
        }
        StatementKind::Server {
            socket: Some(name),
            expr,
        } => vec![
            format!("// in the connection handler, with {name}'s socket"),
            format!("{};", expr_js(expr)),
        ],
        StatementKind::Use {
            ns,
            key,
            value: wanted,
            message,
            data,
        } if ns == EVERY_NAMESPACE => vec![
            "const check = (socket, next) => {".to_owned(),
            format!(
                "  if (socket.handshake.auth.{key} === {}) next();",
                value(&Value::String(wanted.clone()))
            ),
            refusal(message, data.as_ref()),
            "};".to_owned(),
            "// every namespace declared so far: nsp.use(check), and each one to come:".to_owned(),
            "io.on(\"new_namespace\", (nsp) => nsp.use(check));".to_owned(),
        ],
        StatementKind::Use {
            ns,
            key,
            value: wanted,
            message,
            data,
        } => vec![
            format!("{}.use((socket, next) => {{", namespace(ns)),
            format!(
                "  if (socket.handshake.auth.{key} === {}) next();",
                value(&Value::String(wanted.clone()))
            ),
            refusal(message, data.as_ref()),
            "});".to_owned(),
        ],
        StatementKind::On { ns, event, action } => handler(ns, event, action),
        StatementKind::UsePacket { ns, event, message } => vec![
            format!("{}.on(\"connection\", (socket) => {{", namespace(ns)),
            format!(
                "  socket.use(([event], next) => event === {} ? next(new Error({})) : next());",
                value(&Value::String(event.clone())),
                value(&Value::String(message.clone()))
            ),
            "});".to_owned(),
        ],
        StatementKind::Declare { ns } => vec![format!("{};", namespace(ns))],
        StatementKind::Servers { labels, adapter } => vec![format!(
            "// servers {}{}",
            labels.join(" "),
            if *adapter {
                ", each with io.adapter(createAdapter(…)) (the Redis adapter)"
            } else {
                ", sharing nothing"
            }
        )],
    }
}

/// `io` or `io.of("/ns")`.
fn namespace(ns: &str) -> String {
    if ns == "/" {
        "io".to_owned()
    } else {
        format!("io.of({})", value(&Value::String(ns.to_owned())))
    }
}

/// An `on` line: the handler inside the namespace's connection handler.
fn handler(ns: &str, event: &str, action: &Action) -> Vec<String> {
    let body = match action {
        Action::Expr(expr) => format!("{};", expr_js(expr)),
        Action::Callback(args) => format!(
            "callback({});",
            args.iter().map(arg).collect::<Vec<_>>().join(", ")
        ),
    };
    let open = format!("{}.on(\"connection\", (socket) => {{", namespace(ns));
    let name = "  const msg = socket.handshake.auth.name;".to_owned();
    match event {
        CONNECTION => vec![open, name, format!("  {body}"), "});".to_owned()],
        DISCONNECT | DISCONNECTING => vec![
            open,
            name,
            format!(
                "  socket.on(\"{event}\", ({}) => {{",
                if uses_reason(action) { "reason" } else { "" }
            ),
            format!("    {body}"),
            "  });".to_owned(),
            "});".to_owned(),
        ],
        _ => {
            let params = match action {
                Action::Callback(_) => "(msg, callback)",
                Action::Expr(_) => "(msg)",
            };
            vec![
                open,
                format!(
                    "  socket.on({}, {params} => {{",
                    value(&Value::String(event.to_owned()))
                ),
                format!("    {body}"),
                "  });".to_owned(),
                "});".to_owned(),
            ]
        }
    }
}

/// An emit's code with `.timeout(MS)` before its `emit` and the callback
/// that `ack` stands for as its last argument.
fn ask_js(emit: &str, timeout: Option<u64>, broadcast: bool) -> String {
    let at = emit.rfind("emit(").unwrap_or(0);
    let timeout = timeout.map_or(String::new(), |ms| format!("timeout({ms})."));
    let callback = match (broadcast, timeout.is_empty()) {
        (true, _) => "(err, responses) => console.log(err, responses)",
        (false, true) => "(...answer) => console.log(answer)",
        (false, false) => "(err, ...answer) => console.log(err, answer)",
    };
    let call = emit[at..].strip_suffix(')').unwrap_or(&emit[at..]);
    format!("{}{timeout}{call}, {callback})", &emit[..at])
}

fn expr_js(expr: &Expr) -> String {
    match expr {
        Expr::Socket(action) => match action {
            SocketAction::Emit { event, args } => {
                format!("socket.emit({})", call_args(event, args))
            }
            SocketAction::Join(rooms) => format!("socket.join({})", strings(rooms)),
            SocketAction::Leave(room) => format!("socket.leave({})", string(room)),
            SocketAction::Disconnect { close } => {
                format!("socket.disconnect({})", if *close { "true" } else { "" })
            }
        },
        Expr::Broadcast {
            scope,
            to,
            except,
            action,
        } => {
            let mut code = match scope {
                Scope::Namespace(ns) => namespace(ns),
                Scope::SenderNamespace => "socket.nsp".to_owned(),
                Scope::SenderExcluded if to.is_empty() && except.is_empty() => {
                    "socket.broadcast".to_owned()
                }
                Scope::SenderExcluded => "socket".to_owned(),
            };
            for rooms in to {
                code.push_str(&format!(".to({})", rooms_js(rooms)));
            }
            for rooms in except {
                code.push_str(&format!(".except({})", rooms_js(rooms)));
            }
            let action = match action {
                BroadcastAction::Emit { event, args } => {
                    format!("emit({})", call_args(event, args))
                }
                BroadcastAction::SocketsJoin(rooms) => format!("socketsJoin({})", strings(rooms)),
                BroadcastAction::SocketsLeave(rooms) => format!("socketsLeave({})", strings(rooms)),
                BroadcastAction::DisconnectSockets { close } => {
                    format!("disconnectSockets({})", if *close { "true" } else { "" })
                }
                BroadcastAction::FetchSockets => "fetchSockets()".to_owned(),
            };
            format!("{code}.{action}")
        }
    }
}

fn call_args(event: &Arg<String>, args: &[Arg<Value>]) -> String {
    std::iter::once(string(event))
        .chain(args.iter().map(arg))
        .collect::<Vec<_>>()
        .join(", ")
}

fn arg(a: &Arg<Value>) -> String {
    match a {
        Arg::Lit(v) => value(v),
        Arg::Msg => "msg".to_owned(),
        Arg::Auth(key) => format!("socket.handshake.auth.{key}"),
        Arg::Reason => "reason".to_owned(),
    }
}

fn string(a: &Arg<String>) -> String {
    match a {
        Arg::Lit(s) => value(&Value::String(s.clone())),
        Arg::Msg => "msg".to_owned(),
        Arg::Auth(key) => format!("socket.handshake.auth.{key}"),
        Arg::Reason => "reason".to_owned(),
    }
}

fn strings(a: &Arg<Vec<String>>) -> String {
    match a {
        Arg::Lit(list) if list.len() == 1 => value(&Value::String(list[0].clone())),
        Arg::Lit(list) => value(&Value::from(list.clone())),
        Arg::Msg => "msg".to_owned(),
        Arg::Auth(key) => format!("socket.handshake.auth.{key}"),
        Arg::Reason => "reason".to_owned(),
    }
}

fn rooms_js(a: &Arg<Vec<Room>>) -> String {
    let room = |r: &Room| match r {
        Room::Name(name) => value(&Value::String(name.clone())),
        Room::IdOf(name) => format!("{name}Socket.id"),
        Room::OwnId => "socket.id".to_owned(),
        Room::OwnRooms => "...socket.rooms".to_owned(),
    };
    match a {
        Arg::Lit(list) if list.len() == 1 => room(&list[0]),
        Arg::Lit(list) => format!("[{}]", list.iter().map(room).collect::<Vec<_>>().join(", ")),
        Arg::Msg => "msg".to_owned(),
        Arg::Auth(key) => format!("socket.handshake.auth.{key}"),
        Arg::Reason => "reason".to_owned(),
    }
}

/// A JSON value as JavaScript writes it: `{ status: "ok" }`.
fn value(v: &Value) -> String {
    match v {
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let plain = k
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic() || c == '_')
                        && k.chars().all(|c| c.is_alphanumeric() || c == '_');
                    let key = if plain {
                        k.clone()
                    } else {
                        Value::String(k.clone()).to_string()
                    };
                    format!("{key}: {}", value(v))
                })
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(value).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// A middleware's `else next(new Error(…))`, with `err.data` (v3) if any.
fn refusal(message: &str, data: Option<&Value>) -> String {
    let error = format!("new Error({})", value(&Value::String(message.to_owned())));
    match data {
        None => format!("  else next({error});"),
        Some(data) => format!(
            "  else next(Object.assign({error}, {{ data: {} }}));",
            value(data)
        ),
    }
}

#[cfg(test)]
mod tests {
    //! Statements in the lessons' JavaScript style.
    use super::*;

    fn js(line: &str) -> String {
        let statements =
            crate::script::parse_script(&format!("connect alice\nconnect bob\n{line}")).unwrap();
        javascript(&statements[2]).join("\n")
    }

    #[test]
    fn handlers_and_broadcasts_read_as_socket_io_code() {
        assert_eq!(
            js(r#"on "ping": socket.emit("pong", msg)"#),
            "io.on(\"connection\", (socket) => {\n  socket.on(\"ping\", (msg) => {\n    socket.emit(\"pong\", msg);\n  });\n});"
        );
        assert_eq!(
            js(r#"on "disconnect": io.emit("left", msg, reason)"#),
            "io.on(\"connection\", (socket) => {\n  const msg = socket.handshake.auth.name;\n  \
             socket.on(\"disconnect\", (reason) => {\n    io.emit(\"left\", msg, reason);\n  });\n});"
        );
        assert_eq!(
            js(r#"io.to(["a", "b"]).except("m").emit("news", {"ok": true})"#),
            "io.to([\"a\", \"b\"]).except(\"m\").emit(\"news\", { ok: true });"
        );
        assert_eq!(
            js(r#"on /orders "order": callback({"status": "ok"}, msg)"#),
            "io.of(\"/orders\").on(\"connection\", (socket) => {\n  socket.on(\"order\", (msg, callback) => {\n    callback({ status: \"ok\" }, msg);\n  });\n});"
        );
        assert_eq!(
            js(r#"bob: socket.broadcast.emit("x")"#),
            "// in the connection handler, with bob's socket\nsocket.broadcast.emit(\"x\");"
        );
        assert_eq!(
            js(r#"io.of("/x").to("lobby").fetchSockets()"#),
            "const sockets = await io.of(\"/x\").to(\"lobby\").fetchSockets();"
        );
    }

    #[test]
    fn acknowledgement_forms_read_as_socket_io_code() {
        assert_eq!(
            js(r#"alice> await socket.timeout(100).emitWithAck("order", 1)"#),
            "const answer = await socket.timeout(100).emitWithAck(\"order\", 1); // alice's client"
        );
        assert_eq!(
            js(r#"bob> on "question": callback("yes", msg)"#),
            "socket.on(\"question\", (msg, callback) => callback(\"yes\", msg)); // bob's client"
        );
        assert_eq!(
            js(r#"io.to("r").timeout(100).emit("question", 1, ack)"#),
            "io.to(\"r\").timeout(100).emit(\"question\", 1, (err, responses) => console.log(err, responses));"
        );
        assert_eq!(
            js(r#"bob: socket.emit("question", ack)"#),
            "// in the connection handler, with bob's socket\nsocket.emit(\"question\", (...answer) => console.log(answer));"
        );
    }
}
