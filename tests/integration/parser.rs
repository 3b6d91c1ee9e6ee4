//! The tour-script parser: every statement form, and the exact text of the
//! errors a teacher sees for malformed lines.

use serde_json::json;
use sockets_tour::{
    Action, Arg, BroadcastAction, Expr, Room, Scope, SocketAction, StatementKind, SyntaxError,
    parse_line, parse_script,
};

fn kind(line: &str) -> StatementKind {
    parse_line(1, line)
        .unwrap_or_else(|e| panic!("{line:?} should parse: {}", e.render("t.tour")))
        .expect("a statement, not a comment")
        .kind
}

fn rooms(list: &[&str]) -> Arg<Vec<String>> {
    Arg::Lit(list.iter().map(|r| r.to_string()).collect())
}

fn targets(list: &[&str]) -> Arg<Vec<Room>> {
    Arg::Lit(list.iter().map(|r| Room::Name(r.to_string())).collect())
}

#[test]
fn connect_forms() {
    assert_eq!(
        kind("connect alice"),
        StatementKind::Connect {
            name: "alice".into(),
            ns: "/".into(),
            auth: Default::default()
        }
    );
    let StatementKind::Connect { name, ns, auth } =
        kind(r#"  connect root-1 /admin {"token":"x"};  "#)
    else {
        panic!("not a connect");
    };
    assert_eq!((name.as_str(), ns.as_str()), ("root-1", "/admin"));
    assert_eq!(auth.get("token"), Some(&json!("x")));
}

#[test]
fn disconnect_use_and_on() {
    assert_eq!(
        kind("disconnect bob"),
        StatementKind::Disconnect { name: "bob".into() }
    );
    assert_eq!(
        kind(r#"use /admin require token "s3cret""#),
        StatementKind::Use {
            ns: "/admin".into(),
            key: "token".into(),
            value: "s3cret".into(),
            message: "unauthorized".into(),
            data: None
        }
    );
    assert_eq!(
        kind(r#"on /orders "join": socket.join(msg)"#),
        StatementKind::On {
            ns: "/orders".into(),
            event: "join".into(),
            action: Action::Expr(Expr::Socket(SocketAction::Join(Arg::Msg)))
        }
    );
}

#[test]
fn version_2_forms() {
    assert_eq!(
        kind(r#"io.of("orders");"#),
        StatementKind::Declare {
            ns: "/orders".into()
        }
    );
    assert_eq!(
        kind(r#"use /admin require role "admin" else "not admin""#),
        StatementKind::Use {
            ns: "/admin".into(),
            key: "role".into(),
            value: "admin".into(),
            message: "not admin".into(),
            data: None
        }
    );
    assert_eq!(
        kind(r#"on "order": callback({"ok": true}, msg)"#),
        StatementKind::On {
            ns: "/".into(),
            event: "order".into(),
            action: Action::Callback(vec![Arg::Lit(json!({"ok": true})), Arg::Msg])
        }
    );
    assert!(matches!(
        kind(r#"on "disconnect": io.emit("left", msg)"#),
        StatementKind::On { event, .. } if event == "disconnect"
    ));
    assert_eq!(
        kind(r#"bob> socket.emit("order", {"id": 1}, ack)"#),
        StatementKind::ClientEmit {
            name: "bob".into(),
            event: "order".into(),
            args: vec![json!({"id": 1})],
            ack: true,
            form: Default::default(),
        }
    );
    let script = "connect alice\nconnect bob\nalice: socket.to([\"r\", bob.id, socket.id]).except(alice.id).emit(\"x\")";
    let statements = parse_script(script).expect("parses");
    let StatementKind::Server {
        expr: Expr::Broadcast { to, except, .. },
        ..
    } = &statements[2].kind
    else {
        panic!("not a broadcast");
    };
    assert_eq!(
        to,
        &[Arg::Lit(vec![
            Room::Name("r".into()),
            Room::IdOf("bob".into()),
            Room::OwnId
        ])]
    );
    assert_eq!(except, &[Arg::Lit(vec![Room::IdOf("alice".into())])]);
}

#[test]
fn a_refusal_may_carry_data() {
    assert_eq!(
        kind(r#"use /vip require pass "gold" else "retry" data {"after": 5}"#),
        StatementKind::Use {
            ns: "/vip".into(),
            key: "pass".into(),
            value: "gold".into(),
            message: "retry".into(),
            data: Some(json!({"after": 5}))
        }
    );
    let StatementKind::Use { message, data, .. } = kind(r#"use * require k "v" data null"#) else {
        panic!("not a use");
    };
    assert_eq!(
        (message.as_str(), data),
        ("unauthorized", Some(serde_json::Value::Null))
    );
    let e = error("use / require k \"v\" data\n");
    assert_eq!(e.column, 25, "{e:?}");
}

#[test]
fn a_packet_middleware_names_its_event_and_message() {
    assert_eq!(
        kind(r#"use /shop packet "order" refuse "closed""#),
        StatementKind::UsePacket {
            ns: "/shop".into(),
            event: "order".into(),
            message: "closed".into()
        }
    );
    let e = error("use /shop packet \"order\" deny \"x\"\n");
    assert_eq!(e.column, 26, "{e:?}");
    assert!(e.message.contains("refuse"), "{e:?}");
    let e = error("use * packet \"order\" refuse \"x\"\n");
    assert_eq!(e.column, 7, "{e:?}");
}

#[test]
fn version_2_forms_out_of_place_are_refused_at_the_right_column() {
    let error = |script: &str| {
        let e = parse_script(script).expect_err(script);
        (e.line, e.column, e.message)
    };
    // An id names a client connected on an earlier line.
    let (line, column, message) = error("connect a\nio.to(bob.id).emit(\"x\")");
    assert_eq!((line, column), (2, 7));
    assert!(message.contains("no client named `bob`"), "{message}");
    // `socket.id` needs a socket: not at the top level.
    let (_, column, message) = error("io.to(socket.id).emit(\"x\")");
    assert_eq!(column, 7);
    assert!(
        message.contains("`socket.id` means the statement's own socket"),
        "{message}"
    );
    // Ids are not room names to join.
    let (_, column, _) = error("connect a\na: socket.join(a.id)");
    assert_eq!(column, 16);
    // `ack` comes last, and only from a client.
    let (_, column, message) = error("connect a\na> socket.emit(\"x\", ack, 1)");
    assert_eq!(column, 24);
    assert!(message.contains("`ack`"), "{message}");
    assert!(parse_script("io.emit(\"x\", ack)").is_err());
    // `callback` is a handler's action only.
    assert!(parse_script("callback(1)").is_err());
    assert!(parse_script("use /a require k \"v\" otherwise \"m\"").is_err());
}

#[test]
fn client_emit_takes_json_arguments() {
    assert_eq!(
        kind(r#"bob> socket.emit("chat message", "hi", 2, [true], {"a": null})"#),
        StatementKind::ClientEmit {
            name: "bob".into(),
            event: "chat message".into(),
            args: vec![json!("hi"), json!(2), json!([true]), json!({"a": null})],
            ack: false,
            form: Default::default(),
        }
    );
}

#[test]
fn socket_actions() {
    let server = |expr| StatementKind::Server {
        socket: Some("alice".into()),
        expr,
    };
    assert_eq!(
        kind(r#"alice: socket.join(["a", "b"])"#),
        server(Expr::Socket(SocketAction::Join(rooms(&["a", "b"]))))
    );
    assert_eq!(
        kind(r#"alice: socket.leave("a")"#),
        server(Expr::Socket(SocketAction::Leave(Arg::Lit("a".into()))))
    );
    assert_eq!(
        kind("alice: socket.disconnect(true)"),
        server(Expr::Socket(SocketAction::Disconnect { close: true }))
    );
    assert_eq!(
        kind(r#"alice: socket.emit("private", {"a":1})"#),
        server(Expr::Socket(SocketAction::Emit {
            event: Arg::Lit("private".into()),
            args: vec![Arg::Lit(json!({"a": 1}))]
        }))
    );
}

#[test]
fn broadcast_chains() {
    let StatementKind::Server { expr, .. } =
        kind(r#"alice: socket.to("r1").in(["r2"]).except("r3").emit("m", 1)"#)
    else {
        panic!("not server code");
    };
    assert_eq!(
        expr,
        Expr::Broadcast {
            scope: Scope::SenderExcluded,
            to: vec![targets(&["r1"]), targets(&["r2"])],
            except: vec![targets(&["r3"])],
            action: BroadcastAction::Emit {
                event: Arg::Lit("m".into()),
                args: vec![Arg::Lit(json!(1))]
            }
        }
    );
    let scope_of = |line: &str| match kind(line) {
        StatementKind::Server {
            expr: Expr::Broadcast { scope, .. },
            ..
        } => scope,
        other => panic!("{line}: {other:?}"),
    };
    assert_eq!(
        scope_of(r#"io.of("orders").emit("x")"#),
        Scope::Namespace("/orders".into())
    );
    assert_eq!(
        scope_of(r#"io.sockets.emit("x")"#),
        Scope::Namespace("/".into())
    );
    assert_eq!(
        scope_of(r#"bob: socket.nsp.emit("x")"#),
        Scope::SenderNamespace
    );
    assert_eq!(
        scope_of(r#"bob: socket.broadcast.socketsJoin("y")"#),
        Scope::SenderExcluded
    );
    assert!(matches!(
        kind(r#"io.in("y").disconnectSockets(true)"#),
        StatementKind::Server {
            expr: Expr::Broadcast {
                action: BroadcastAction::DisconnectSockets { close: true },
                ..
            },
            ..
        }
    ));
    assert!(matches!(
        kind(r#"io.to([]).socketsLeave("all")"#),
        StatementKind::Server {
            expr: Expr::Broadcast {
                action: BroadcastAction::SocketsLeave(_),
                ..
            },
            ..
        }
    ));
}

#[test]
fn numbers_follow_javascript() {
    let StatementKind::ClientEmit { args, .. } =
        kind(r#"a> socket.emit("n", -3.5e2, 1.0, 0.5, -0)"#)
    else {
        panic!("not a client emit");
    };
    assert_eq!(args, [json!(-350), json!(1), json!(0.5), json!(0)]);
}

#[test]
fn comments_and_blank_lines_are_skipped() {
    let script = "# a comment\n\n   \nconnect alice\r\n  # another\nalice: socket.join(\"r\")\n";
    let lines: Vec<usize> = parse_script(script)
        .unwrap()
        .iter()
        .map(|s| s.line)
        .collect();
    assert_eq!(lines, [4, 6]);
}

/// Malformed lines, each after a `connect alice` so that names are known.
const MALFORMED: &[&str] = &[
    "conect alice",
    "connect",
    "connect 1alice",
    "connect bob orders",
    r#"connect bob /admin ["token"]"#,
    "alice: socket.jion(\"room1\")",
    "alice: io.emit(\"x\")",
    "alice> socket.join(\"room1\")",
    "io.emit('hi')",
    "io.emit(\"hi\", {\"a\":})",
    "io.to(\"a\").join(\"b\")",
    "io.of(\"/orders\").of(\"/users\").emit(\"x\")",
    "alice: socket.broadcast.broadcast.emit(\"x\")",
    "alice: socket.to(42).emit(\"x\")",
    "alice: socket.emit(\"x\", msg)",
    "on \"connect\": io.emit(\"bye\")",
    "on \"x\" io.emit(\"y\")",
    "use /admin token \"s3cret\"",
    "io.emit(\"x\") extra",
    "bob: socket.join(\"room1\")",
    "socket.join(\"room1\")",
    "alice: socket.disconnect(1)",
    "io.emit(\"__tour:sync\", 1)",
    "alice: socket.emit(\"unterminated)",
    "disconnect dis",
    "\tio.emit(\t\"x\",\t{\"a\":})",
    "io.emit(\"x\", [\"é",
    "io.emit(\"x\", {\"日本\": é})",
    "io.emit(\"x\", [\"a long value that goes on and on and on and on\", 1, 2, oops])",
    "use /admin require token msg",
    "on \"x\": io.of(msg).emit(\"y\")",
    "on \"x\": socket.disconnect(msg)",
    // Version 2 forms, out of place.
    "io.to(socket.id).emit(\"x\")",
    "alice: socket.join(alice.id)",
    "io.to(bob.id).emit(\"x\")",
    "alice: socket.to(alice.idd).emit(\"x\")",
    "alice> socket.emit(\"x\", ack, 1)",
    "io.emit(\"x\", ack)",
    "callback({\"ok\": true})",
    "on \"x\": callback(1 2)",
    "use /admin require role \"admin\" else",
    "use /admin require role \"admin\" otherwise \"no\"",
    "io.of(\"/orders\") extra",
];

#[test]
fn malformed_lines_have_exact_messages() {
    let mut all = String::new();
    for bad in MALFORMED {
        let script = format!("connect alice\n{bad}\n");
        let err = parse_script(&script).expect_err(bad);
        assert_eq!(err.line, 2, "{bad}");
        all.push_str(&err.render("lesson.tour"));
        all.push('\n');
    }
    insta::assert_snapshot!(all);
}

fn error(script: &str) -> SyntaxError {
    parse_script(script).expect_err(script)
}

#[test]
fn a_json_error_inside_a_multibyte_character_points_at_that_character() {
    for (line, column) in [
        (r#"io.emit("x", ["é"#, 16),
        (r#"io.emit("x", "é"#, 15),
        (r#"io.emit("x", "日本"#, 16),
        (r#"io.emit("x", {"é":})"#, 19),
    ] {
        let err = error(line);
        assert_eq!(err.column, column, "{line}: {}", err.render("t.tour"));
    }
}

#[test]
fn long_values_are_shortened_in_messages_and_in_the_quoted_line() {
    let long = "x".repeat(200_000);
    let err = error(&format!(r#"io.emit("e", ["{long}", oops], "{long}")"#));
    assert!(err.message.len() < 200, "{}", err.message);
    assert!(err.message.contains("xxx…`"), "{}", err.message);
    let rendered = err.render("t.tour");
    assert!(rendered.len() < 600, "{rendered}");
    // The window keeps the caret under the bad token.
    let lines: Vec<&str> = rendered.lines().collect();
    let (source, caret) = (lines[3], lines[4]);
    let at = caret.chars().count() - 1;
    assert_eq!(source.chars().nth(at), Some('o'), "{rendered}");
    assert!(
        source.ends_with('…') && source.starts_with("1 | …"),
        "{rendered}"
    );
}

#[test]
fn the_caret_points_at_the_unknown_client_name() {
    for (line, column) in [
        ("disconnect dis", 12),
        ("  disconnect \t dis;", 16),
        ("connect_x: socket.join(\"r\")", 1),
        ("  bob> socket.emit(\"x\")", 3),
    ] {
        let err = error(line);
        assert_eq!(err.column, column, "{line}: {}", err.render("t.tour"));
        assert!(
            err.message.starts_with("no client named"),
            "{}",
            err.message
        );
    }
}

#[test]
fn tabs_before_the_error_stay_tabs_in_the_caret_line() {
    let rendered = error("connect alice\n\talice:\tsocket.jion()").render("t.tour");
    assert!(
        rendered.ends_with("2 | \talice:\tsocket.jion()\n  | \t      \t       ^\n"),
        "{rendered}"
    );
}

/// Lines that stress the parser's positions: non-ASCII text, tabs, `\r`, and
/// strings, arrays and objects left open. Every prefix of each is parsed.
const TRICKY: &[&str] = &[
    r#"io.emit("x", ["é"]"#,
    r#"io.emit("x", "é")"#,
    r#"io.emit("日本", {"日本": "語"}, [1, "🎉"])"#,
    r#"alice: socket.to(["🎉", "é"]).except("日本").emit("é", 1)"#,
    "alice:\tsocket.join(\t\"é\"\t)\t;",
    "io.emit(\"x\",\r\"y\")\r",
    "connect é",
    "connect alice /日本 {\"t\": \"é\"}",
    "disconnect é",
    r#"io.emit("x", {"a": ["b", {"c": "é"#,
    r#"io.emit("x", [[[[["#,
    r#"io.emit("x", "\"é\\"#,
    "msg",
    "io.emit(msg)",
    r#"on "é": socket.join(msg)"#,
    r#"on /日本 "x": io.to(msg).emit(msg, msg)"#,
    r#"on "x": socket.disconnect(msg)"#,
    r#"use /é require token "é""#,
    "é> socket.emit(\"x\", 1)",
    "🎉: socket.emit(\"x\")",
    "\u{3000}io.emit(\"x\")\u{3000}é",
];

fn lines_of(dir: &str, extension: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == extension) {
            let text = std::fs::read_to_string(&path).unwrap();
            lines.extend(text.lines().map(str::to_owned));
        }
    }
    assert!(
        !lines.is_empty(),
        "no .{extension} files in {}",
        dir.display()
    );
    lines
}

#[test]
fn parser_never_panics() {
    let mut lines: Vec<String> = TRICKY.iter().map(|l| l.to_string()).collect();
    lines.extend(lines_of("lessons", "md"));
    lines.extend(lines_of("../shared/examples", "tour"));
    let mut panicked = Vec::new();
    for line in &lines {
        let ends = line.char_indices().map(|(i, _)| i).chain([line.len()]);
        for prefix in ends.map(|end| &line[..end]) {
            let outcome = std::panic::catch_unwind(|| {
                // Alone, and after a `connect` so that names are known.
                for script in [prefix.to_owned(), format!("connect alice\n{prefix}")] {
                    if let Err(e) = parse_script(&script) {
                        e.render("t.tour");
                    }
                }
            });
            if outcome.is_err() {
                panicked.push(prefix.to_owned());
            }
        }
    }
    assert!(panicked.is_empty(), "the parser panicked on {panicked:#?}");
}

#[test]
fn server_labels_and_servers() {
    let script = parse_script(
        "servers A B with adapter\nconnect bob /orders @B {\"t\": 1}\n@B io.to(\"x\").emit(\"e\")\n\
         bob: socket.join(\"x\")\n",
    )
    .unwrap_or_else(|e| panic!("{}", e.render("t.tour")));
    let servers = |text: &str| parse_script(text).unwrap().remove(0);
    for (text, adapter) in [("servers A B", false), ("servers A B with adapter", true)] {
        let labels = vec!["A".into(), "B".into()];
        assert_eq!(
            servers(text).kind,
            StatementKind::Servers { labels, adapter }
        );
        assert_eq!(servers(text).server, None);
    }
    let StatementKind::Connect { name, ns, auth } = &script[1].kind else {
        panic!("not a connect: {:?}", script[1]);
    };
    assert_eq!((name.as_str(), ns.as_str()), ("bob", "/orders"));
    assert_eq!(auth.get("t"), Some(&json!(1)));
    assert_eq!(script[1].server.as_deref(), Some("B"));
    assert!(matches!(
        script[2].kind,
        StatementKind::Server { socket: None, .. }
    ));
    assert_eq!(script[2].server.as_deref(), Some("B"));
    assert_eq!(script[3].server, None);
}

#[test]
fn server_label_errors_point_at_the_label_or_the_statement() {
    // Per line: the script (its lines joined by `|`), where the caret is,
    // and what the message says, separated by ` ~ `.
    let cases = r#"
        @A io.emit("x") ~ 1:1 ~ runs on one server
        connect a @A ~ 1:11 ~ runs on one server
        servers A ~ 1:10 ~ two servers or more
        servers A A ~ 1:11 ~ named twice
        servers A B with redis ~ 1:18 ~ expected `adapter`
        servers A B|connect a ~ 2:1 ~ `connect a @A`
        servers A B|io.emit("x") ~ 2:1 ~ `@A io.emit(…)`
        servers A B|@C io.emit("x") ~ 2:1 ~ the servers are A, B
        servers A B|connect a @A|@A a: socket.join("r") ~ 3:1 ~ own server
        servers A B|@A io.of("/x") ~ 2:4 ~ on every server
        servers A B|@ A io.emit("x") ~ 2:2 ~ right after `@`
        servers A B|@A connect a ~ 2:4 ~ expected `io.…`
        connect a|servers A B|a: socket.join("r") ~ 3:1 ~ no client named `a`
    "#;
    for case in cases.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let [text, at, message] = case.split(" ~ ").collect::<Vec<_>>()[..] else {
            panic!("a case is `script ~ line:column ~ message`: {case}");
        };
        let e: SyntaxError = parse_script(&text.replace('|', "\n")).expect_err(text);
        let found = format!("{}:{}", e.line, e.column);
        assert_eq!(found, at, "{text}: {}", e.render("t.tour"));
        assert!(e.message.contains(message), "{text}: {}", e.message);
    }
}
