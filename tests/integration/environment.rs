//! The machine around a run: the descriptor limit (raised at start, and a
//! script or a playground `connect` that cannot fit refused in words),
//! outside clients past the cap closed while the tour's own still connect,
//! and what `--listen` says about where the server is.

use std::io::{BufRead as _, Read as _, Write as _};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// How long a line a test waits for may take.
pub const PATIENCE: Duration = Duration::from_secs(20);

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `sockets-tour ARGS` under `ulimit LIMIT` (e.g. `-n 200`, `-Sn 256`),
/// with `input` on stdin.
fn limited(limit: &str, args: &[&str], input: String) -> Output {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit {limit} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_sockets-tour"))
        .args(args)
        .env(
            "SOCKETS_TOUR_DATA_DIR",
            std::env::temp_dir().join(format!("sockets-tour-env-{}", std::process::id())),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // A program that stops reading early is no failure of the writer.
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("the binary runs");
    writer.join().unwrap();
    output
}

fn connects(n: usize) -> String {
    (1..=n).map(|i| format!("connect c{i}\n")).collect()
}

#[cfg(unix)]
#[test]
fn a_script_whose_connects_cannot_fit_is_refused_at_once_naming_the_limit() {
    // Issue 17: 2,000 connects at a limit of 1,024 sat idle past 100 s.
    let started = Instant::now();
    let o = limited("-n 1024", &["run", "-"], connects(2000));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("<stdin>: this script connects 2000 clients"),
        "{err}"
    );
    assert!(err.contains("may open only 1024 (RLIMIT_NOFILE"), "{err}");
    assert!(err.contains("Connect fewer"), "{err}");
    assert!(o.stdout.is_empty(), "nothing ran");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[cfg(unix)]
#[test]
fn run_raises_the_soft_descriptor_limit_so_that_300_clients_fit_under_256() {
    let hard = std::process::Command::new("sh")
        .args(["-c", "ulimit -Hn"])
        .output()
        .unwrap();
    let hard = String::from_utf8_lossy(&hard.stdout).trim().to_owned();
    assert!(
        hard == "unlimited" || hard.parse::<u64>().is_ok_and(|h| h >= 1024),
        "this test needs a hard limit of 1024 or more, not {hard}"
    );
    let script = connects(300) + "c300: socket.emit(\"x\")\nio.emit(\"all\")\n";
    let o = limited("-Sn 256", &["run", "-", "--color", "never"], script);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("c300  got \"all\""), "{out}");
}

#[cfg(unix)]
#[test]
fn play_refuses_a_connect_that_cannot_fit_in_words_and_goes_on() {
    let script = connects(60) + "c1: socket.emit(\"still here\")\n";
    let o = limited(
        "-n 200",
        &["play", "--color", "never", "--width", "1000"],
        script,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let connected = |name: &str| {
        out.lines().any(|l| {
            l.trim_start().starts_with(&format!("✔ {name} ")) && l.ends_with("connected to /")
        })
    };
    assert!(connected("c1") && connected("c20"), "{out}");
    assert!(out.contains("1 more client needs"), "{out}");
    assert!(out.contains("only 200 (RLIMIT_NOFILE"), "{out}");
    assert!(!connected("c60"), "{out}");
    // The playground went on after the refusals: c1's emit ran.
    assert!(
        out.contains("socket.emit goes to c1's own client only"),
        "{out}"
    );
}

/// The lines a child writes to `stream`, as they come.
pub fn lines_of(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

pub fn wait_for_line(lines: &Receiver<String>, text: &str) -> Vec<String> {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(text);
                seen.push(line);
                if found {
                    return seen;
                }
            }
            Err(_) => panic!(
                "no line with {text:?} within 20 s; read:\n{}",
                seen.join("\n")
            ),
        }
    }
}

/// An Engine.IO polling handshake on a fresh connection, as any outside
/// client starts; returns the connection (kept open) and what came back.
pub fn handshake(port: u16) -> (std::net::TcpStream, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        stream,
        "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
    )
    .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = stream.read(&mut answer).unwrap_or(0);
    (stream, String::from_utf8_lossy(&answer[..n]).into_owned())
}

pub fn play_listening(
    extra: &[&str],
) -> (
    u16,
    Child,
    std::process::ChildStdin,
    Receiver<String>,
    Receiver<String>,
) {
    // Port 0: the program takes a free one itself and says which (a port
    // picked here and freed could be taken by another test meanwhile).
    let mut child = crate::sockets_tour()
        .args(["play", "--listen", "127.0.0.1:0", "--color", "never"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let out = lines_of(child.stdout.take().unwrap());
    let err = lines_of(child.stderr.take().unwrap());
    let said = wait_for_line(&err, "listens on http://127.0.0.1:");
    let port = said
        .iter()
        .find_map(|line| {
            let after = line.split("listens on http://127.0.0.1:").nth(1)?;
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .expect("the port it listens on");
    (port, child, stdin, out, err)
}

/// Issue 17: 1,015 outside websocket clients used up the descriptors and
/// the tour's next `connect` failed. Past the cap, an outside connection is
/// answered 503 with the reason and closed; the tour still connects.
#[test]
fn outside_clients_past_the_cap_are_closed_and_the_tours_own_still_connect() {
    let (port, mut child, mut stdin, out, err) = play_listening(&["--max-outside", "2"]);
    writeln!(stdin, "connect alice").unwrap();
    wait_for_line(&out, "alice  connected to /");
    let mut kept = Vec::new();
    for _ in 0..2 {
        let (stream, answer) = handshake(port);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        kept.push(stream);
    }
    refused_past_the_cap(port, 2, &err);
    writeln!(stdin, "connect bob\nconnect carol\nio.emit(\"hi\")").unwrap();
    drop(stdin);
    let printed = wait_for_line(&out, "carol  got \"hi\"").join("\n");
    assert!(printed.contains("✔ bob    connected to /"), "{printed}");
    assert!(!printed.contains("MISMATCH"), "{printed}");
    drop(kept);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn listen_takes_localhost_and_says_the_port_that_0_took_and_who_can_connect() {
    let o = crate::sockets_tour()
        .args(["rooms", "--color", "never", "--listen", "localhost:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let said = err
        .split("listens on http://127.0.0.1:")
        .nth(1)
        .unwrap_or_else(|| panic!("no port said: {err}"));
    let taken: u16 = said.split(';').next().unwrap().parse().expect("a port");
    assert_ne!(taken, 0, "{err}");
    assert!(!err.contains("not a loopback address"), "{err}");

    let o = crate::sockets_tour()
        .args(["rooms", "--color", "never", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let said = err
        .split("listens on http://0.0.0.0:")
        .nth(1)
        .unwrap_or_else(|| panic!("no port said: {err}"));
    let taken: u16 = said.split(';').next().unwrap().parse().expect("a port");
    assert_ne!(taken, 0, "{err}");
    assert_eq!(
        err.matches("0.0.0.0:0 is not a loopback address: other machines")
            .count(),
        1,
        "{err}"
    );
}

#[test]
fn a_servers_line_says_that_nothing_listens_on_the_listen_address_after_it() {
    let o = crate::sockets_tour()
        .args(["cluster", "--color", "never", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let port = err
        .split("listens on http://127.0.0.1:")
        .nth(1)
        .and_then(|said| said.split(';').next()?.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("no port said: {err}"));
    assert!(
        err.contains("starts a cluster (`servers`): from that line on")
            && err.contains(&format!("nothing listens on 127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn listen_refuses_a_name_without_a_port_as_bad_input() {
    let o = crate::sockets_tour()
        .args(["rooms", "--listen", "localhost"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no port: give HOST:PORT"),
        "{}",
        stderr(&o)
    );
}

fn tour(args: &[&str]) -> Output {
    crate::sockets_tour()
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Issue 18: the man page lacked EXIT STATUS, ENVIRONMENT and FILES.
#[test]
fn the_man_page_says_exit_statuses_environment_and_files() {
    let o = tour(&["man"]);
    assert!(o.status.success());
    let page = String::from_utf8_lossy(&o.stdout);
    let section = |heading: &str| {
        let start = page
            .find(&format!("\n.SH {heading}\n"))
            .unwrap_or_else(|| panic!("no {heading}:\n{page}"));
        let rest = &page[start + 5..];
        rest[..rest.find("\n.SH ").unwrap_or(rest.len())].to_owned()
    };
    let statuses = section("EXIT STATUS");
    for status in ["0", "1", "2", "3", "130"] {
        assert!(
            statuses.contains(&format!("\\fB{status}\\fR\n")),
            "{status}: {statuses}"
        );
    }
    let environment = section("ENVIRONMENT");
    for variable in [
        "SOCKETS_TOUR_DATA_DIR",
        "NO_COLOR",
        "COLUMNS",
        "LINES",
        "TERM",
    ] {
        assert!(
            environment.contains(&format!("\\fB{variable}\\fR")),
            "{variable}"
        );
    }
    let files = section("FILES");
    assert!(
        files.contains("progress.json") && files.contains("play-history.txt"),
        "{files}"
    );
    assert!(page.contains("--predict"), "the man page names --predict");
}

#[test]
fn help_names_predict_and_json_points_at_the_language() {
    let top = String::from_utf8_lossy(&tour(&["--help"]).stdout).into_owned();
    assert!(top.contains("sockets-tour rooms --predict"), "{top}");
    let rooms = String::from_utf8_lossy(&tour(&["rooms", "--help"]).stdout).into_owned();
    // clap wraps the help: read it as words.
    let rooms = rooms.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(rooms.contains("sockets-tour language"), "{rooms}");
    assert!(!rooms.contains("tour-script.md"), "{rooms}");
    assert!(rooms.contains("--max-outside"), "{rooms}");
}

#[test]
fn help_help_is_help_not_an_error() {
    let o = tour(&["help", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Usage:"));
}

#[test]
fn bash_completes_lesson_names_after_show_and_practice() {
    let o = tour(&["completions", "bash"]);
    let script = String::from_utf8_lossy(&o.stdout);
    let names: Vec<&str> = sockets_tour::BUILTIN.iter().map(|(n, _)| *n).collect();
    for taker in ["show", "practice"] {
        let branch = format!(
            "sockets__tour__subcmd__{taker})\n            opts=\"{}",
            names.join(" ")
        );
        assert!(script.contains(&branch), "{taker}");
    }
}

/// Issue 18: on a machine with only Rust, `cargo test` failed 11 tests and
/// then aborted. `./test.sh` stops before building and names each missing
/// tool with what installs it (here: no package manager on PATH at all).
#[cfg(unix)]
#[test]
fn test_sh_names_each_missing_tool_and_builds_nothing() {
    let bin = std::env::temp_dir().join(format!("sockets-tour-bare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&bin);
    std::fs::create_dir_all(&bin).unwrap();
    // Only what the script itself runs: no cargo, node, npm, tmux or redis-server.
    for tool in [
        "bash", "sed", "sort", "id", "env", "dirname", "cat", "printf",
    ] {
        let found = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap();
        let path = String::from_utf8_lossy(&found.stdout).trim().to_owned();
        assert!(!path.is_empty(), "{tool} is not on this machine");
        std::os::unix::fs::symlink(path, bin.join(tool)).unwrap();
    }
    let o = std::process::Command::new(bin.join("bash"))
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/test.sh"))
        .env_clear()
        .env("PATH", &bin)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&bin).unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("nothing was built"), "{err}");
    for tool in [
        "cargo",
        "node",
        "npm",
        "redis-server",
        "tmux",
        "pkg-config",
        "openssl",
    ] {
        assert!(
            err.contains(&format!("test.sh:   {tool}: ")),
            "{tool}: {err}"
        );
    }
    assert!(err.contains("install: curl --proto '=https'"), "{err}");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// One more handshake on `port` is refused (503) with the cap of `cap`
/// outside clients named, and the program says so on `err`.
pub fn refused_past_the_cap(port: u16, cap: usize, err: &Receiver<String>) {
    let (_, answer) = handshake(port);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    let named = format!("at most {cap} outside clients may be connected at once (--max-outside)");
    assert!(answer.contains(&named), "{answer}");
    wait_for_line(err, "closed an outside connection");
}
