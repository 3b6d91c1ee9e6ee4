//! Nothing lost, nothing leaked, never a panic: links the program did not
//! make are never written through, names of any length, no Redis password
//! on screen, impostors of the tour's clients, control characters in error
//! snippets, CR line endings, the scale refusal that fits no client, and
//! silent connections counted against the outside cap.

use crate::environment::wait_for_line;
use std::process::{Output, Stdio};

use crate::tmux::{Launch, Tmux, text};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the binary with `input` on stdin (written from a thread of its own,
/// so that a long input and the program's output never wait on each other).
fn with_stdin(args: &[&str], input: impl Into<Vec<u8>>) -> Output {
    use std::io::Write as _;
    let mut child = crate::sockets_tour()
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.into();
    let writer = std::thread::spawn(move || {
        // The program may stop reading early (a refused line): not our concern here.
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

#[cfg(unix)]
#[test]
fn play_never_writes_its_history_through_a_link() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmux = Tmux::start("history-link", 80, 24, &["play"]);
    tmux.wait_for("the prompt", |s| s.iter().any(|l| l.starts_with("tour>")));
    tmux.wait_for_raw_mode();
    // The history's place in the pane's data directory ($XDG_DATA_HOME).
    let dir = tmux.file("data").join("sockets-tour");
    std::fs::create_dir_all(&dir).unwrap();
    let target = tmux.file("precious.txt");
    std::fs::write(&target, "not the playground's\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("play-history.txt")).unwrap();
    tmux.type_text("connect alice");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("connected to /");
    tmux.wait_for("the next prompt", |s| {
        s.iter().filter(|l| l.starts_with("tour>")).count() >= 2
    });
    tmux.wait_for_raw_mode();
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "not the playground's\n"
    );
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "the link's target was chmodded");
    let screen = text(&tmux.transcript());
    assert!(
        screen.contains("history is not saved") && screen.contains("symbolic link"),
        "{screen}"
    );
}

/// A fresh, empty data directory of a test's own, and a launch that puts
/// the program's saves there.
fn own_data_dir(name: &str) -> (std::path::PathBuf, Launch) {
    let data = std::env::temp_dir().join(format!(
        "sockets-tour-history-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let launch = Launch {
        env: vec![("SOCKETS_TOUR_DATA_DIR", data.display().to_string())],
        ..Launch::default()
    };
    (data, launch)
}

/// rustyline writes no history when no line was added: a session that
/// typed nothing must leave the history as it was, not an empty file.
#[cfg(unix)]
#[test]
fn a_play_session_that_adds_no_line_keeps_the_history() {
    let (data, launch) = own_data_dir("kept");
    let history = data.join("play-history.txt");
    let kept = "#V2\nconnect alice\nio.emit(\"hi\")\n";
    std::fs::write(&history, kept).unwrap();
    let tmux = Tmux::start_with("history-kept", 80, 24, &launch, &["play"]);
    tmux.wait_for("the prompt", |s| s.iter().any(|l| l.starts_with("tour>")));
    tmux.wait_for_raw_mode();
    // The history was read: Up recalls its last line.
    tmux.keys(&["Up"]);
    tmux.wait_for_text("io.emit(\"hi\")");
    tmux.keys(&["C-u", "C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    assert_eq!(std::fs::read_to_string(&history).unwrap(), kept);
    let left: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["play-history.txt"], "a temporary file stayed behind");
    std::fs::remove_dir_all(&data).unwrap();
}

/// Two playgrounds open at once: each line is saved as it is entered,
/// merged with what the other session saved, so neither loses the other's
/// lines whichever ends last; and a session ended by a signal keeps its own.
#[cfg(unix)]
#[test]
fn two_play_sessions_at_once_keep_each_others_history() {
    let (data, launch) = own_data_dir("two");
    let first = Tmux::start_with("history-first", 80, 24, &launch, &["play"]);
    let second = Tmux::start_with("history-second", 80, 24, &launch, &["play"]);
    for (tmux, line) in [(&first, "connect alice"), (&second, "connect bob")] {
        tmux.wait_for("the prompt", |s| s.iter().any(|l| l.starts_with("tour>")));
        tmux.wait_for_raw_mode();
        tmux.type_text(line);
        tmux.keys(&["Enter"]);
        tmux.wait_for_text("connected to /");
    }
    first.keys(&["C-d"]);
    assert_eq!(first.exit_status(), 0, "{}", text(&first.screen()));
    // The second session ends by a signal: no chance to save at the end.
    second.wait_for("the next prompt", |s| {
        s.iter().filter(|l| l.starts_with("tour>")).count() >= 2
    });
    second.signal("TERM");
    assert_eq!(second.exit_status(), 128 + 15, "{}", text(&second.screen()));
    let history = std::fs::read_to_string(data.join("play-history.txt")).unwrap();
    let lines: Vec<&str> = history.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines, ["connect alice", "connect bob"], "{history}");
    std::fs::remove_dir_all(&data).unwrap();
}

/// `format!` panics on a padding width past 65,535 ("Formatting argument
/// out of range", exit 101): the name column is at most 32 wide.
#[test]
fn a_connect_name_of_65536_characters_runs_and_plays_without_a_panic() {
    let long = "a".repeat(65_536);
    let script = format!("connect {long}\nconnect bob\nio.emit(\"hi\")\n");
    for args in [
        &["run", "-", "--color", "never"][..],
        &["play", "--color", "never"],
    ] {
        let o = with_stdin(args, script.clone());
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains(&format!("✔ {}", &long[..40])), "{args:?}");
        // The others are aligned in a column of their own, not 65,536 wide.
        let bob = format!("  ✔ bob{}  got \"hi\"", " ".repeat(29));
        assert!(out.lines().any(|l| l == bob), "{args:?}");
    }
}

/// A Redis that wants a password, and the `--redis` URL that carries it.
fn redis_with_password(password: &str) -> (crate::cluster::RedisServer, String) {
    let redis = crate::cluster::RedisServer::start_with(&["--requirepass", password]);
    let url = format!(
        "redis://default:{password}@127.0.0.1:{}/?protocol=resp3",
        redis.port()
    );
    (redis, url)
}

#[test]
fn the_redis_password_is_never_shown() {
    let (redis, url) = redis_with_password("s3cr3t");
    let shown = format!(
        "redis://default:***@127.0.0.1:{}/?protocol=resp3",
        redis.port()
    );
    // The transcript's `servers` line.
    let o = crate::sockets_tour()
        .args(["cluster", "--color", "never", "--redis", &url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(out.contains("on Redis at") && out.contains(&shown), "{out}");
    assert!(
        !out.contains("s3cr3t") && !err.contains("s3cr3t"),
        "{out}{err}"
    );
    // The JSON line of `servers`.
    let script = "servers A B with adapter\nconnect alice @A\nconnect bob @B\n@A io.emit(\"hi\")\n";
    let o = with_stdin(&["run", "-", "--json", "--redis", &url], script);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (out, err) = (stdout(&o), stderr(&o));
    let servers: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let adapter = servers.to_string();
    assert!(
        adapter.contains("redis://default:***@127.0.0.1:"),
        "{adapter}"
    );
    assert!(
        !out.contains("s3cr3t") && !err.contains("s3cr3t"),
        "{out}{err}"
    );
    // Errors: a wrong password, and a URL without RESP3.
    let wrong = url.replace("s3cr3t", "wr0ng-s3cr3t");
    let no_resp3 = url.replace("?protocol=resp3", "");
    for url in [wrong, no_resp3] {
        let o = crate::sockets_tour()
            .args(["cluster", "--color", "never", "--redis", &url])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{url}: {}", stderr(&o));
        let (out, err) = (stdout(&o), stderr(&o));
        assert!(err.contains("redis://default:***@127.0.0.1:"), "{err}");
        assert!(
            !out.contains("s3cr3t") && !err.contains("s3cr3t"),
            "{out}{err}"
        );
    }
}

/// An outside client (rust_socketio, as any program could be) that sends the
/// tour's private client header, naming a tour client, with a made-up
/// secret or none, and its place in the order; it is only an outside client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_impostor_sending_the_client_header_is_only_an_outside_client() {
    use futures_util::FutureExt as _;
    use rust_socketio::asynchronous::ClientBuilder;
    use rust_socketio::{Event, TransportType};
    use std::io::Write as _;

    let (port, mut child, mut stdin, out, err) = crate::environment::play_listening(&[]);
    let listen = format!("127.0.0.1:{port}");
    writeln!(stdin, "connect alice").unwrap();
    let mut printed = wait_for_line(&out, "connected to /");

    let mut impostors = Vec::new();
    for secret in [None, Some("00000000000000000000000000000000")] {
        let (opened, open) = tokio::sync::mpsc::unbounded_channel();
        let mut builder = ClientBuilder::new(format!("http://{listen}"))
            .opening_header("x-sockets-tour-client", "alice")
            .opening_header("x-sockets-tour-order", "0")
            .transport_type(TransportType::Websocket)
            .reconnect(false)
            .on(Event::Connect, move |_, _| {
                let _ = opened.send(());
                async {}.boxed()
            });
        if let Some(secret) = secret {
            builder = builder.opening_header("x-sockets-tour-secret", secret);
        }
        let impostor = tokio::time::timeout(std::time::Duration::from_secs(20), builder.connect())
            .await
            .expect("the impostor connects within 20 s")
            .expect("the impostor connects");
        let mut open = open;
        tokio::time::timeout(std::time::Duration::from_secs(20), open.recv())
            .await
            .expect("the impostor is admitted within 20 s");
        wait_for_line(&err, "an outside client connected");
        impostors.push(impostor);
    }

    writeln!(
        stdin,
        "connect bob\nio.emit(\"hi\")\nalice: socket.emit(\"x\")"
    )
    .unwrap();
    drop(stdin);
    printed.extend(wait_for_line(&out, "✔ bob    got \"hi\""));
    let exited = tokio::task::spawn_blocking(move || child.wait());
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), exited)
        .await
        .expect("play ends within 20 s of its input's end")
        .unwrap()
        .unwrap();
    printed.extend(out.try_iter());
    let printed = printed.join("\n");
    assert!(!printed.contains("MISMATCH"), "{printed}");
    assert!(printed.contains("✔ alice  got \"hi\""), "{printed}");
    assert_eq!(status.code(), Some(0), "{printed}");
    for impostor in impostors {
        let _ = impostor.disconnect().await;
    }
}

#[test]
fn an_error_snippet_shows_esc_and_nul_escaped() {
    for args in [&["run", "-"][..], &["play"]] {
        let o = with_stdin(args, "connect alice\n  \u{1b}[31mfoo\0 bar\n");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            !err.contains('\u{1b}') && !err.contains('\0'),
            "{args:?}: {err:?}"
        );
        assert!(
            err.contains("2 |   \\u{1b}[31mfoo\\0 bar"),
            "{args:?}: {err}"
        );
    }
}

/// `scale` under a descriptor limit too small for even one client: the
/// refusal used to say "at most 0 clients fit here. Ask for fewer".
#[cfg(unix)]
#[test]
fn scale_under_a_tiny_limit_says_no_client_fits_and_not_ask_for_fewer() {
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 60 && exec \"$0\" scale --clients 3")
        .arg(env!("CARGO_BIN_EXE_sockets-tour"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("not even one client fits here"), "{err}");
    assert!(
        !err.contains("at most 0") && !err.contains("fewer"),
        "{err}"
    );
}

/// A file with CR-only line endings (old Mac): `run` used to see one line
/// (a comment, so "no statements"), `play` the same line and exit 0 silently.
#[test]
fn cr_only_line_endings_are_lines_for_run_and_play_alike() {
    let script = "# a comment\rconnect alice\rconnect bob\ralice: socket.emit(\"hi\")\r\n";
    let dir = std::env::temp_dir().join(format!("sockets-tour-cr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("old-mac.tour");
    std::fs::write(&file, script).unwrap();
    let run = crate::sockets_tour()
        .args(["run", file.to_str().unwrap(), "--color", "never"])
        .output()
        .unwrap();
    let piped = with_stdin(&["run", "-", "--color", "never"], script);
    let play = with_stdin(&["play", "--color", "never"], script);
    for (what, o) in [("run FILE", &run), ("run -", &piped), ("play", &play)] {
        assert_eq!(o.status.code(), Some(0), "{what}: {}", stderr(o));
        let out = stdout(o);
        assert!(out.contains("✔ bob    connected to /"), "{what}: {out}");
        assert!(out.contains("✔ alice  got \"hi\""), "{what}: {out}");
    }
    assert_eq!(stdout(&run), stdout(&piped));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 17, continued: a connection that never sends a request holds a
/// descriptor as a client does, so it counts against the outside cap from
/// its accept; one accepted past the cap that stays silent is closed within
/// the wait bound (those under the cap are kept); the tour's own clients,
/// accepted past the cap too, still connect.
#[test]
fn silent_connections_count_against_the_outside_cap_and_the_tour_still_connects() {
    use crate::environment::{PATIENCE, play_listening, refused_past_the_cap};
    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;

    let (port, mut child, mut stdin, out, err) = play_listening(&["--max-outside", "2"]);
    writeln!(stdin, "connect alice").unwrap();
    let mut printed = wait_for_line(&out, "alice  connected to /");
    // Accepted in the order they connected: these two take the cap.
    let silent: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connects"))
        .collect();
    refused_past_the_cap(port, 2, &err);

    writeln!(stdin, "connect bob\nio.emit(\"hi\")").unwrap();
    printed.extend(wait_for_line(&out, "bob    got \"hi\""));

    let mut late = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    late.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut byte = [0u8; 1];
    // A signal another test of this process handles may interrupt the read.
    let read = loop {
        match late.read(&mut byte) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            read => break read,
        }
    };
    assert!(
        matches!(read, Ok(0)),
        "a silent connection past the cap is closed within the wait bound: {read:?}"
    );
    for kept in &silent {
        kept.set_nonblocking(true).unwrap();
        let read = (&*kept).read(&mut byte);
        assert!(
            matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "a silent connection under the cap is kept (it counts instead): {read:?}"
        );
    }
    drop(stdin);
    let status = child.wait().unwrap();
    printed.extend(out.try_iter());
    let printed = printed.join("\n");
    assert!(printed.contains("✔ alice  got \"hi\""), "{printed}");
    assert!(!printed.contains("MISMATCH"), "{printed}");
    assert_eq!(status.code(), Some(0), "{printed}");
}
