//! Version 3's forms about a client's connection (`drop`, `reconnect`,
//! buffered and volatile emits): how they parse, the exact messages of
//! malformed ones, and what a run prints for each (the differential test
//! holds the same lines against the official server).

use serde_json::{Value, json};
use sockets_tour::{Link, StatementKind, parse_line, parse_script};

fn kind(line: &str) -> StatementKind {
    parse_line(1, line)
        .unwrap_or_else(|e| panic!("{line:?} should parse: {}", e.render("t.tour")))
        .expect("a statement")
        .kind
}

#[test]
fn drop_reconnect_and_volatile_emit_parse() {
    let name = || "bob".to_owned();
    assert_eq!(
        kind("drop bob"),
        StatementKind::Link(Link::Drop { name: name() })
    );
    assert_eq!(
        kind("  reconnect bob ;"),
        StatementKind::Link(Link::Reconnect { name: name() })
    );
    assert_eq!(
        kind(r#"bob > socket . volatile . emit ( "typing" , 1 , {"a": [true]} )"#),
        StatementKind::Link(Link::VolatileEmit {
            name: name(),
            event: "typing".into(),
            args: vec![json!(1), json!({"a": [true]})],
        })
    );
}

/// Each malformed line after `connect alice`, with its message and column.
#[test]
fn malformed_connection_lines_say_what_to_write() {
    for (line, column, says) in [
        ("drop", 5, "expected a client name after `drop`"),
        (
            "reconnect 1x",
            11,
            "expected a client name after `reconnect`",
        ),
        (
            "drop alice now",
            12,
            "unexpected text after the end of the statement",
        ),
        (
            "reconnect zed",
            11,
            "no client named `zed` is connected on an earlier line",
        ),
        (
            r#"alice> socket.volatile.emit("x", ack)"#,
            34,
            "a volatile emit takes no `ack`",
        ),
        (
            r#"alice> socket.volatile.send("x")"#,
            23,
            "expected `.emit(\"EVENT\", …)` after `socket.volatile`",
        ),
        (
            r#"alice> socket.volatile.emit("__tour:sync")"#,
            29,
            "sockets-tour's own",
        ),
        ("dorp alice", 1, "did you mean `drop`?"),
    ] {
        let err = parse_script(&format!("connect alice\n{line}\n")).expect_err(line);
        let shown = err.render("t.tour");
        assert_eq!((err.line, err.column), (2, column), "{shown}");
        assert!(err.message.contains(says), "{line}: {shown}");
    }
}

/// `sockets-tour run - --json` on `script`, its lines parsed.
fn run(script: &str) -> Vec<Value> {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = crate::sockets_tour()
        .args(["run", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sockets-tour runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(script.as_bytes())
        .expect("the script is written");
    let out = child.wait_with_output().expect("sockets-tour ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The lines of step `step`, without their `step` and `code` keys.
fn lines_of(lines: &[Value], step: u64) -> Vec<Value> {
    lines
        .iter()
        .filter(|l| l["step"] == step)
        .map(|l| {
            let mut l = l.clone();
            let object = l.as_object_mut().expect("an object");
            object.remove("step");
            object.remove("code");
            l
        })
        .collect()
}

#[test]
fn a_dropped_client_buffers_drops_volatile_and_comes_back_as_a_new_socket() {
    let lines = run(concat!(
        "on \"connection\": socket.join(\"lobby\")\n",
        "on \"disconnect\": io.emit(\"left\", msg)\n",
        "on \"chat\": io.to(\"lobby\").emit(\"chat\", msg)\n",
        "connect alice\n",
        "connect bob\n",
        "drop bob\n",
        "io.to(\"lobby\").emit(\"news\", 1)\n",
        "bob> socket.emit(\"chat\", \"hi\")\n",
        "bob> socket.volatile.emit(\"typing\")\n",
        "bob> socket.emit(\"chat\", \"again\", ack)\n",
        "reconnect bob\n",
        "bob> socket.volatile.emit(\"chat\", \"live\")\n",
    ));
    let transport_close = json!({"client": "transport close", "server": "transport close"});
    assert_eq!(
        lines_of(&lines, 6),
        [
            json!({"event": "left", "receivers": ["alice"], "payloads": {"alice": ["bob"]}}),
            json!({"disconnected": {"bob": transport_close}}),
        ]
    );
    assert_eq!(lines_of(&lines, 7)[0]["receivers"], json!(["alice"]));
    assert_eq!(lines_of(&lines, 8), [json!({"buffered": true})]);
    assert_eq!(lines_of(&lines, 9), [json!({"dropped": "volatile"})]);
    assert!(
        lines_of(&lines, 10)[0]["error"]
            .as_str()
            .unwrap()
            .contains("`ack`")
    );
    let back = lines_of(&lines, 11);
    assert_eq!(
        back[0],
        json!({"reconnected": true, "error": null, "flushed": [["chat", "hi"]]})
    );
    // The connection handler put the new socket in the lobby first.
    assert_eq!(back[1]["receivers"], json!(["alice", "bob"]));
    assert_eq!(back.len(), 2, "{back:?}");
    // Connected, a volatile emit is an ordinary emit.
    assert_eq!(
        lines_of(&lines, 12)[0]["receivers"],
        json!(["alice", "bob"])
    );
}

#[test]
fn only_a_dropped_client_reconnects_and_the_error_says_why() {
    let lines = run(concat!(
        "connect alice\n",
        "connect bob\n",
        "connect carol\n",
        "reconnect alice\n",
        "disconnect bob\n",
        "reconnect bob\n",
        "carol: socket.disconnect(true)\n",
        "reconnect carol\n",
        "use / require role \"x\"\n",
        "drop alice\n",
        "reconnect alice\n",
        "reconnect alice\n",
    ));
    let error = |step| {
        lines_of(&lines, step)[0]["error"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        error(4),
        "client alice is connected: `reconnect` brings back a connection that `drop alice` cut"
    );
    assert_eq!(
        error(6),
        "bob left by a deliberate disconnect (`disconnect bob`), which does not reconnect: \
         `connect bob` opens a new connection"
    );
    assert!(
        error(8).contains("(`carol: socket.disconnect(true)`)"),
        "{}",
        error(8)
    );
    assert_eq!(
        lines_of(&lines, 5)[0]["disconnected"]["bob"],
        json!({"client": "io client disconnect", "server": "client namespace disconnect"})
    );
    assert_eq!(
        lines_of(&lines, 7)[0]["disconnected"]["carol"],
        json!({"client": "io server disconnect", "server": "server namespace disconnect"})
    );
    // A middleware added while alice was away refuses her new socket.
    assert_eq!(
        lines_of(&lines, 11),
        [json!({"reconnected": false, "error": "unauthorized", "flushed": []})]
    );
    assert_eq!(
        error(12),
        "client alice's connection was not lost: `reconnect alice` follows `drop alice`"
    );
}
