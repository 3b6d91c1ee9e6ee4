//! Outside clients as participants (issue 18): a real `socket.io-client`
//! (Node, from tests/reference/node_modules) on `play --listen` is named by
//! its `auth.name` (or given `outsideN` when that is taken), its emit runs
//! the handler as a step of its own, and the transcript shows the step with
//! the tour's clients' receipts, exact as ever.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::environment::{free_port, lines_of, play_listening, wait_for_line};

/// Where the reference packages are; fails (never skips) without Node or them.
fn reference() -> &'static Path {
    let reference = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference"));
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "this test needs Node.js 18 or newer on PATH (./test.sh installs it)"
    );
    assert!(
        reference
            .join("node_modules/socket.io-client/package.json")
            .is_file(),
        "this test needs socket.io-client: run `npm ci` in tests/reference (./test.sh does)"
    );
    reference
}

/// A real Socket.IO client that connects with `auth: { name }`, emits
/// `chat` with `text` once connected, and exits once it gets a `chat`
/// back; its output lines, as they come.
fn node_client(port: u16, name: &str, text: &str) -> std::process::Child {
    const SCRIPT: &str = r#"
const { io } = require("socket.io-client");
const socket = io(process.env.URL, { auth: { name: process.env.NAME }, reconnection: false });
const timer = setTimeout(() => { console.log("TIMEOUT"); process.exit(2); }, 20000);
socket.on("connect_error", (e) => { console.log("CONNECT_ERROR " + e.message); process.exit(3); });
socket.on("connect", () => socket.emit("chat", process.env.TEXT));
socket.on("chat", (msg) => {
  console.log("GOT " + JSON.stringify(msg));
  clearTimeout(timer);
  socket.close();
});
"#;
    Command::new("node")
        .args(["-e", SCRIPT])
        .current_dir(reference())
        .env("URL", format!("http://127.0.0.1:{port}"))
        .env("NAME", name)
        .env("TEXT", text)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs")
}

#[test]
fn an_outside_socket_io_client_emit_runs_the_handler_and_shows_in_the_transcript() {
    let port = free_port();
    let (mut child, mut stdin, out, err) = play_listening(port, &[]);
    writeln!(stdin, "on \"chat\": io.emit(\"chat\", msg)\nconnect alice").unwrap();
    let mut printed = wait_for_line(&out, "alice  connected to /");

    let mut nodey = node_client(port, "nodey", "hi from node");
    let node_out = lines_of(nodey.stdout.take().unwrap());
    let said = wait_for_line(&err, "an outside client connected").join("\n");
    assert!(said.contains("connected to / as nodey:"), "{said}");
    printed.extend(wait_for_line(&out, "nodey> socket.emit"));
    printed.extend(wait_for_line(&out, "alice  got \"chat\""));
    let got = wait_for_line(&node_out, "GOT").join("\n");
    assert!(got.contains("GOT \"hi from node\""), "{got}");
    assert!(nodey.wait().unwrap().success());

    // A name a tour client holds is not taken: it gets one of its own.
    let mut second = node_client(port, "alice", "second");
    let second_out = lines_of(second.stdout.take().unwrap());
    let said = wait_for_line(&err, "an outside client connected").join("\n");
    assert!(said.contains("as outside1 (\"alice\" is taken)"), "{said}");
    printed.extend(wait_for_line(&out, "outside1> socket.emit"));
    printed.extend(wait_for_line(&out, "alice  got \"chat\""));
    wait_for_line(&second_out, "GOT \"second\"");
    assert!(second.wait().unwrap().success());

    // The tour's own steps go on, exact.
    writeln!(stdin, "connect bob\nio.emit(\"bye\")").unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    printed.extend(out.try_iter());
    let printed = printed.join("\n");
    assert!(
        printed.contains("› nodey> socket.emit(\"chat\", \"hi from node\")"),
        "{printed}"
    );
    assert!(
        printed.contains("✔ alice  got \"chat\": \"hi from node\""),
        "{printed}"
    );
    assert!(
        printed.contains("› outside1> socket.emit(\"chat\", \"second\")"),
        "{printed}"
    );
    assert!(
        printed.contains("✔ alice  got \"chat\": \"second\""),
        "{printed}"
    );
    assert!(printed.contains("✔ bob    got \"bye\""), "{printed}");
    assert!(!printed.contains("MISMATCH"), "{printed}");
    assert_eq!(status.code(), Some(0), "{printed}");
}
