//! Acknowledgements in depth (v3), through the built binary: every form's
//! `--json` lines as the official server printed them
//! (`node tests/reference/run.mjs`), and the guard against rust_socketio's
//! ack-id collision.

use std::io::Write as _;

/// Runs `script` from standard input with `--json`, returning stdout (the
/// run must succeed).
fn run_json(script: &str) -> String {
    let mut child = crate::sockets_tour()
        .args(["run", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// What socket.io 4.8.4 and socket.io-client 4.8.4 printed for `FORMS`
/// (the reference runner waited each timeout out; the engine does not).
const FORMS: &str = r#"on "ask": callback("a", "b")
connect alice
connect bob
connect carol
alice> await socket.emitWithAck("ask", 1)
alice> await socket.timeout(50).emitWithAck("silent")
alice> socket.timeout(50).emit("ask", ack)
bob> on "q": callback("yes", msg)
alice> on "q": callback()
carol: socket.emit("q", 7, ack)
carol: socket.timeout(50).emit("q", 7, ack)
bob: socket.timeout(50).emit("q", 7, ack)
io.timeout(100).emit("q", 1, ack)
io.to("nobody").timeout(100).emit("q", 1, ack)
"#;

const OFFICIAL: &str = r#"{"step":1,"code":"on \"ask\": callback(\"a\", \"b\")","handler":"/ ask"}
{"step":2,"code":"connect alice","connected":true,"error":null}
{"step":3,"code":"connect bob","connected":true,"error":null}
{"step":4,"code":"connect carol","connected":true,"error":null}
{"step":5,"code":"alice> await socket.emitWithAck(\"ask\", 1)","ack":{"alice":["a"]}}
{"step":6,"code":"alice> await socket.timeout(50).emitWithAck(\"silent\")","handled":false}
{"step":6,"code":"alice> await socket.timeout(50).emitWithAck(\"silent\")","ack":{},"ackError":"operation has timed out"}
{"step":7,"code":"alice> socket.timeout(50).emit(\"ask\", ack)","ack":{"alice":["a","b"]},"ackError":null}
{"step":8,"code":"bob> on \"q\": callback(\"yes\", msg)","listener":"bob q"}
{"step":9,"code":"alice> on \"q\": callback()","listener":"alice q"}
{"step":10,"code":"carol: socket.emit(\"q\", 7, ack)","event":"q","receivers":["carol"],"payloads":{"carol":[7]}}
{"step":10,"code":"carol: socket.emit(\"q\", 7, ack)","ack":{}}
{"step":11,"code":"carol: socket.timeout(50).emit(\"q\", 7, ack)","event":"q","receivers":["carol"],"payloads":{"carol":[7]}}
{"step":11,"code":"carol: socket.timeout(50).emit(\"q\", 7, ack)","ack":{},"ackError":"operation has timed out"}
{"step":12,"code":"bob: socket.timeout(50).emit(\"q\", 7, ack)","event":"q","receivers":["bob"],"payloads":{"bob":[7]}}
{"step":12,"code":"bob: socket.timeout(50).emit(\"q\", 7, ack)","ack":{"bob":["yes",7]},"ackError":null}
{"step":13,"code":"io.timeout(100).emit(\"q\", 1, ack)","event":"q","receivers":["alice","bob","carol"],"payloads":{"alice":[1],"bob":[1],"carol":[1]}}
{"step":13,"code":"io.timeout(100).emit(\"q\", 1, ack)","ack":{"alice":[],"bob":["yes"]},"ackError":"operation has timed out"}
{"step":14,"code":"io.to(\"nobody\").timeout(100).emit(\"q\", 1, ack)","event":"q","receivers":[],"payloads":{}}
{"step":14,"code":"io.to(\"nobody\").timeout(100).emit(\"q\", 1, ack)","ack":{},"ackError":null}
"#;

#[test]
fn every_ack_form_prints_what_the_official_server_printed() {
    assert_eq!(run_json(FORMS), OFFICIAL);
}

/// rust_socketio keeps an unanswered ack for ever; a later ack that drew
/// the same random id (0..999) made it panic in `handle_ack`, and the step
/// hung. 150 unanswered acks then 150 answered ones met that almost surely.
#[test]
fn unanswered_acks_are_released_so_that_later_ids_never_collide() {
    let mut script = String::from("on \"answered\": callback(1)\nconnect alice\n");
    for _ in 0..150 {
        script.push_str("alice> socket.emit(\"silent\", ack)\n");
    }
    for _ in 0..150 {
        script.push_str("alice> socket.emit(\"answered\", ack)\n");
    }
    let out = run_json(&script);
    let answered = out.matches(r#""ack":{"alice":[1]}"#).count();
    let unanswered = out.matches(r#""ack":{}"#).count();
    assert_eq!((answered, unanswered), (150, 150), "{out}");
}
