//! Outside clients as participants (issue 18): a real `socket.io-client`
//! (Node, from tests/reference/node_modules) on `play --listen` is named by
//! its `auth.name` (or given `outsideN` when that is taken), its emit runs
//! the handler as a step of its own, and the transcript shows the step with
//! the tour's clients' receipts, exact as ever (at a terminal, above the
//! prompt).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::environment::{lines_of, play_listening, wait_for_line};

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
    let (port, mut child, mut stdin, out, err) = play_listening(&[]);
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

/// At a terminal, an outside client's step is printed above the prompt,
/// which is redrawn below it with what was typed, never over it.
#[test]
fn an_outside_clients_step_is_printed_above_the_prompt_not_over_it() {
    use crate::tmux::{LastRow as _, Tmux, text};
    let tmux = Tmux::start(
        "outside-step",
        100,
        30,
        &["play", "--listen", "127.0.0.1:0"],
    );
    let said = tmux.wait_for("where it listens", |s| {
        s.iter().any(|l| l.contains("listens on http://127.0.0.1:"))
    });
    let port: u16 = said
        .iter()
        .find_map(|l| {
            let after = l.split("listens on http://127.0.0.1:").nth(1)?;
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .expect("the port it listens on");
    let prompt = |tmux: &Tmux| {
        tmux.wait_for("the prompt", |s| s.last_non_blank() == "tour>");
        tmux.wait_for_raw_mode();
    };
    prompt(&tmux);
    tmux.type_text("on \"chat\": io.emit(\"chat\", msg)");
    tmux.keys(&["Enter"]);
    prompt(&tmux);
    tmux.type_text("connect alice");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("✔ alice  connected to /");
    prompt(&tmux);
    tmux.type_text("io.emit(\"x");
    tmux.wait_for("the typed text", |s| {
        s.last_non_blank() == "tour> io.emit(\"x"
    });
    let mut nodey = node_client(port, "nodey", "from afar");
    tmux.wait_for_text("alice  got \"chat\": \"from afar\"");
    assert!(nodey.wait().unwrap().success());
    let screen = tmux.wait_for("the prompt redrawn", |s| {
        s.last_non_blank() == "tour> io.emit(\"x"
    });
    let step = screen
        .iter()
        .position(|l| l.contains("› nodey> socket.emit(\"chat\", \"from afar\")"));
    assert!(
        step.is_some_and(|n| !screen[n].contains("tour>")),
        "{}",
        text(&screen)
    );
    tmux.type_text("\")");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("✔ alice  got \"x\"");
    prompt(&tmux);
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
}
