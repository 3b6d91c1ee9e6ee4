//! The workshop: `starter` and `verify` on real servers. Every exercise's
//! JavaScript reference (`tests/workshop/NAME.js`, the official socket.io
//! 4.8.4 of `tests/reference/node_modules`) and Rust reference (this
//! crate's `workshop` example, socketioxide) pass; the starters as written
//! fail with a clear first miss; deliberately wrong servers fail with the
//! expected explanation; no process or port is left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

use super::sockets_tour;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every exercise: the folders of `workshop/`.
fn exercises() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(manifest().join("workshop"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    names
}

/// Where `require("socket.io")` finds the pinned official server.
fn node_path() -> PathBuf {
    let modules = manifest().join("tests/reference/node_modules");
    assert!(
        modules.join("socket.io/package.json").is_file(),
        "{} has no socket.io: run `npm ci` in tests/reference (./test.sh does)",
        modules.display()
    );
    modules
}

/// The `workshop` example (the Rust references and starters), built once.
fn example() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "--quiet", "--example", "workshop"])
            .current_dir(manifest());
        let exe = std::env::current_exe().unwrap();
        // target/PROFILE/deps/integration-HASH → target/PROFILE/examples/workshop
        let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
        if profile_dir.ends_with("release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("cargo runs");
        assert!(status.success(), "cargo build --example workshop failed");
        profile_dir.join("examples/workshop")
    })
}

/// `sockets-tour verify EXERCISE [flags] -- COMMAND…`, timed; with a
/// longer quiet period than the default, since a step that delivers
/// nothing (a join) is then all that orders two clients' events, and the
/// tests share the machine with the other tests.
fn verify(exercise: &str, flags: &[&str], command: &[&str]) -> (Output, f64) {
    let started = Instant::now();
    let output = sockets_tour()
        .args([
            "verify", exercise, "--color", "never", "--width", "200", "--quiet", "200",
        ])
        .args(flags)
        .arg("--")
        .args(command)
        .env("NODE_PATH", node_path())
        .current_dir(manifest())
        .output()
        .unwrap();
    (output, started.elapsed().as_secs_f64())
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_passes(output: &Output, what: &str) {
    let text = stdout(output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what} should pass:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("PASS: your server does what the reference does"),
        "{text}"
    );
    assert!(!text.contains('✘'), "{text}");
}

#[test]
fn the_javascript_references_pass() {
    for name in exercises() {
        let file = format!("tests/workshop/{name}.js");
        let (output, seconds) = verify(&name, &[], &["node", &file]);
        eprintln!("verify {name} (JavaScript reference): {seconds:.2} s");
        assert_passes(&output, &file);
    }
}

#[test]
fn the_rust_references_pass() {
    let exe = example().display().to_string();
    for name in exercises() {
        let (output, seconds) = verify(&name, &[], &[&exe, &name]);
        eprintln!("verify {name} (Rust reference): {seconds:.2} s");
        assert_passes(&output, &format!("the Rust reference of {name}"));
    }
}

/// A fresh folder for one test, in the system's temporary folder.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sockets-tour-workshop-{test}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_starters_as_written_fail_with_a_clear_first_miss() {
    let dir = scratch("starter");
    let js = dir.join("chat-js");
    let wrote = sockets_tour()
        .args(["starter", "chat", "--lang", "js"])
        .arg(&js)
        .output()
        .unwrap();
    assert!(wrote.status.success(), "{wrote:?}");
    assert!(stdout(&wrote).contains("npm install && sockets-tour verify chat -- node server.js"));
    let package = std::fs::read_to_string(js.join("package.json")).unwrap();
    let pinned = std::fs::read_to_string(manifest().join("tests/reference/package.json")).unwrap();
    assert!(
        package.contains("\"socket.io\": \"4.8.4\"") && pinned.contains("\"socket.io\": \"4.8.4\"")
    );
    let server = js.join("server.js").display().to_string();
    let exe = example().display().to_string();
    let first_miss = "✘ alice  should have got \"user joined\": \"bob\": in the reference, the connection \
                      handler runs `socket.broadcast.emit(\"user joined\", msg)`";
    for (what, command) in [
        ("the JavaScript starter", vec!["node", server.as_str()]),
        ("the Rust starter", vec![exe.as_str(), "chat", "--starter"]),
    ] {
        let (output, seconds) = verify("chat", &[], &command);
        eprintln!("verify chat ({what}): {seconds:.2} s");
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{what}:\n{text}");
        assert!(text.contains(first_miss), "{what}:\n{text}");
        assert!(
            text.contains("FAIL: the first difference is above"),
            "{text}"
        );
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    }
    // Every other starter fails too, at a ✘, never with an error.
    for name in exercises().into_iter().filter(|n| n != "chat") {
        let server = manifest().join(format!("workshop/{name}/server.js"));
        let server = server.display().to_string();
        for command in [
            vec!["node", server.as_str()],
            vec![exe.as_str(), &name, "--starter"],
        ] {
            let (output, _) = verify(&name, &[], &command);
            let text = stdout(&output);
            assert_eq!(output.status.code(), Some(1), "{name} {command:?}:\n{text}");
            assert!(
                text.contains("  ✘ ") && text.contains("FAIL: the first difference is above"),
                "{text}"
            );
        }
    }
    // Its Cargo project has this crate's versions.
    let rust = dir.join("chat-rust");
    let wrote = sockets_tour()
        .args(["starter", "chat", "--lang", "rust"])
        .arg(&rust)
        .output()
        .unwrap();
    assert!(wrote.status.success(), "{wrote:?}");
    let cargo = std::fs::read_to_string(rust.join("Cargo.toml")).unwrap();
    let ours = std::fs::read_to_string(manifest().join("Cargo.toml")).unwrap();
    for pin in ["socketioxide = \"=0.18.9\"", "axum = \"0.8\""] {
        assert!(cargo.contains(pin) && ours.contains(pin), "{pin}\n{cargo}");
    }
    let main = std::fs::read_to_string(rust.join("src/main.rs")).unwrap();
    let compiled = std::fs::read_to_string(manifest().join("workshop/chat/main.rs")).unwrap();
    assert_eq!(
        main, compiled,
        "the starter is the file the example compiles"
    );
    // Written twice: refused, nothing written over.
    let again = sockets_tour()
        .args(["starter", "chat", "--lang", "js"])
        .arg(&js)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn wrong_servers_fail_with_the_expected_explanation() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "chat-no-echo.js",
            &[],
            &[
                "✘ alice  should have got \"chat message\": \"hi everyone\": in the reference, the \"chat message\" handler runs `io.emit(\"chat message\", msg)`, which sends it to alice",
            ],
        ),
        (
            "chat-joined-to-all.js",
            &[],
            &[
                "✘ alice  got \"user joined\": \"alice\", which it should not: in the reference, the connection handler runs `socket.broadcast.emit(\"user joined\", msg)`, which sends alice no \"user joined\"",
            ],
        ),
        (
            "chat-no-handler.js",
            &[],
            &[
                "✘ bob    should have got \"chat message\": \"hi everyone\"",
                "✘ carol  should have got \"chat message\"",
            ],
        ),
        (
            "chat-hard-coded.js",
            &[],
            &[
                "✘ other values in the follow-up lines",
                "✘ alice  got \"chat message\": \"hi everyone\"; the reference sends \"chat message\": \"hi everyone2\"",
            ],
        ),
        (
            "chat-crash.js",
            &[],
            &[
                "✘ your server exited (exit status: 1) during the step above",
                "Error: cannot relay hi everyone: not written yet",
            ],
        ),
        (
            "chat-never-listens.js",
            &["--start-timeout", "2"],
            &[
                "did not listen on port",
                "within 2 s. Check that it listens on the port in the PORT environment variable",
                "│ server made; forgot to listen on PORT",
            ],
        ),
        (
            "rooms-fixed-room.js",
            &[],
            &[
                "✘ carol  got \"pong\": \"games\", which it should not: in the reference, carol gets none: not in \"games\"",
            ],
        ),
        (
            "lobby-sender-included.js",
            &[],
            &[
                "✘ alice  got \"chat\": \"hi lobby\", which it should not: in the reference, alice gets none: the sender: left out even though it is in \"lobby\"",
            ],
        ),
        (
            "private-to-everyone.js",
            &[],
            &[
                "✘ carol  got \"poked\": \"someone poked you\", which it should not: in the reference, carol gets none: not in \"bob\"",
            ],
        ),
        (
            "admin-no-message.js",
            &[],
            &[
                "✘ mallory  refused with connect_error \"\"; the reference refuses it with \"wrong token\"",
            ],
        ),
        (
            "ack-no-callback.js",
            &[],
            &[
                "✘ alice  no acknowledgement came back; the reference's handler calls callback({\"status\":\"ok\"}, \"pizza\")",
            ],
        ),
        (
            "no-such-file.js",
            &[],
            &[
                "exited (exit status: 1) before it listened on port",
                "Cannot find module",
            ],
        ),
    ];
    for (file, flags, expected) in cases {
        let path = format!("tests/workshop/wrong/{file}");
        let exercise = file
            .split('-')
            .next()
            .filter(|e| exercises().contains(&(*e).to_owned()));
        let (output, seconds) = verify(exercise.unwrap_or("chat"), flags, &["node", &path]);
        eprintln!(
            "verify {} ({file}): {seconds:.2} s",
            exercise.unwrap_or("chat")
        );
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{file}:\n{text}");
        for line in *expected {
            assert!(text.contains(line), "{file}: expected {line:?} in\n{text}");
        }
        assert!(text.contains("FAIL: "), "{file}:\n{text}");
    }
}

#[test]
fn verify_leaves_no_process_and_no_port_behind() {
    let marker = format!("workshop-leftover-{}", std::process::id());
    // A shell whose child is the server: the whole group must go.
    let script = format!(
        "node tests/workshop/chat.js {marker} & node -e 'setInterval(()=>{{}},1000)' {marker}; wait"
    );
    let (output, _) = verify("chat", &[], &["sh", "-c", &script]);
    let text = stdout(&output);
    assert!(text.contains("PASS"), "{text}");
    let port: u16 = text
        .split("listening on port ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in\n{text}"));
    std::net::TcpListener::bind(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("port {port} is still taken after verify: {e}"));
    let left: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&marker) && !c.contains("sockets-tour"))
        .collect();
    assert!(left.is_empty(), "left running after verify: {left:?}");
}

#[test]
fn verify_refuses_bad_input_in_words() {
    let unknown = sockets_tour()
        .args(["verify", "no-such-exercise", "--", "node", "x.js"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("the exercises are chat, rooms, lobby, private, admin, ack")
    );
    let no_command = sockets_tour().args(["verify", "chat"]).output().unwrap();
    assert_eq!(no_command.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_command.stderr).contains("after `--`"));
    let no_program = sockets_tour()
        .args(["verify", "chat", "--", "no-such-program-for-sockets-tour"])
        .output()
        .unwrap();
    assert_eq!(no_program.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_program.stderr).contains("could not start"));
}

#[test]
fn verify_checks_a_server_started_by_hand_with_url() {
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new("node")
        .arg("tests/workshop/chat.js")
        .env("PORT", port.to_string())
        .env("NODE_PATH", node_path())
        .current_dir(manifest())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    // --url takes a server that runs already: wait for it here, bounded.
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed().as_secs() < 10,
            "node did not listen on {port}"
        );
        std::thread::park_timeout(std::time::Duration::from_millis(50));
    }
    let output = sockets_tour()
        .args(["verify", "chat", "--color", "never", "--url", &url])
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_passes(&output, &url);
    assert!(stdout(&output).contains(&format!("Checking the server at {url}.")));
}

#[test]
fn workshop_lists_every_exercise_and_the_three_commands() {
    let output = sockets_tour().arg("workshop").output().unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    for name in exercises() {
        assert!(
            text.contains(&format!("  {name} ")),
            "{name} missing from\n{text}"
        );
    }
    for command in [
        "sockets-tour starter chat --lang js chat-js",
        "npm install",
        "sockets-tour verify chat -- node server.js",
    ] {
        assert!(text.contains(command), "{command} missing from\n{text}");
    }
}
