//! The engine against the official Socket.IO server (tests/reference), in
//! version 2 of the tour-script language.
//!
//! Seeded random tour scripts over the whole language (see `generator.rs`),
//! seeded scripts on several servers (`generator::cluster_script`, with and
//! without `with adapter`), issue 16's cluster cases, and every lesson in
//! `lessons/` (`cluster` included), run through both the Rust binary
//! (`sockets-tour run FILE --json`) and the reference runner
//! (`node tests/reference/run.mjs --batch FILE…`, socket.io 4.8.4: one Node
//! process per worker, each file on fresh servers; `servers … with adapter`
//! on the official `@socket.io/redis-adapter` and a redis-server the runner
//! starts, while the engine uses its in-process bus), compared line by
//! line under the rules of `../shared/examples/README.md`:
//! `step`, `code`, `event`, `receivers`, `payloads`, `rooms`, `connected`,
//! `middleware`, `handler`, `handled`, `namespace`, `ack`, `ackError` and
//! `listener` (v3's acknowledgements), `servers` and a
//! connect's `server` must be equal, and of `adapter` whether one is shared;
//! `disconnected` with both sides' reasons, and v3's `reconnected` (with
//! `flushed`), `buffered` and `dropped`, exactly; of an error line only that it is
//! one, except a connect's `connect_error` message (a middleware's, or the
//! server's "Invalid namespace"), which must be equal too. A `mismatch` in
//! the Rust output (its prediction and observation disagree) is always a
//! failure.
//!
//! The shared examples, `../shared/examples/*.tour` and
//! `../shared/examples/v2/*.tour` beside the checkout (as in CI), are run
//! through the binary and compared under the same rules with their
//! `*.expected.ndjson`, what the official server did with them.
//!
//! Node.js, `npm ci` in `tests/reference` and `redis-server` (7 or newer)
//! are required: without them the
//! differential test fails and says so, it never skips. An ignored test,
//! `generated_scripts_suit_the_official_server`, checks the generator alone
//! against the reference runner (valid, deterministic, a healthy mix of
//! every kind of line): `cargo test generated_scripts -- --ignored --nocapture`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::generator;

/// How many generated scripts, from which seed.
const SCRIPTS: u64 = 60;
const FIRST_SEED: u64 = 1;
/// Statements per generated script (comments and blank lines come on top).
const STATEMENTS: usize = 80;
/// Generated scripts on several servers (`generator::cluster_script`): the
/// official servers share the official Redis adapter on a redis-server of
/// the reference runner, the engine's the socketioxide-redis adapter on its
/// in-process bus (without `with adapter` neither shares anything).
const CLUSTER_SCRIPTS: u64 = 6;
const CLUSTER_STATEMENTS: usize = 60;
/// Scripts on several servers whose steps once ended too early in the
/// engine (issue 16): a disconnect handler's emit after a cross-server
/// disconnect, and a `connect` after another server's broadcast.
const CLUSTER_CASES: &[(&str, &str)] = &[
    (
        "cross-server-disconnect-handler-emits",
        "servers A B with adapter\non \"disconnect\": io.emit(\"user left\", msg)\n\
         connect alice @A\nconnect bob @B\n@A io.in(bob.id).disconnectSockets()\n",
    ),
    (
        "cross-server-disconnect-handler-closes-then-a-step",
        "servers A B with adapter\non \"disconnect\": io.emit(\"close\", \"\")\n\
         connect alice @A\nconnect bob @B\n@A io.in(bob.id).disconnectSockets()\n\
         @B io.emit(\"after\")\n",
    ),
    (
        "connect-after-another-servers-broadcast",
        "servers A B with adapter\nconnect bob @B\nbob: socket.join(\"r\")\n\
         connect erin @A\n@A io.emit(\"x\")\n",
    ),
];
/// Workers: each runs its share of the files through the Rust binary one by
/// one while one Node process runs the same share (`run.mjs --batch`).
const THREADS: usize = 2;
/// A run is killed and reported as a hang after this much time per file.
const DEADLINE_PER_FILE: Duration = Duration::from_secs(60);
/// Differences printed per script; the first is usually the cause.
const SHOWN_PER_SCRIPT: usize = 5;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/differential`, where the generated scripts are kept.
fn scripts_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("differential")
}

/// Node and the reference runner's packages must be there: fail, never skip.
fn preflight(reference: &Path) {
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`node --version` failed ({}): the differential test needs Node.js 18 or newer on PATH, \
             then `npm ci` in tests/reference",
            out.status
        ),
        Err(e) => panic!(
            "cannot run `node` ({e}): the differential test needs Node.js 18 or newer on PATH, \
             then run `npm ci` in tests/reference"
        ),
    }
    let installed = |package: &str| {
        reference
            .join("node_modules")
            .join(package)
            .join("package.json")
            .is_file()
    };
    let packages = [
        "socket.io",
        "socket.io-client",
        "@socket.io/redis-adapter",
        "redis",
    ];
    if !packages.iter().all(|p| installed(p)) {
        // A fresh checkout: install the pinned packages, as `.ci/run` does.
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(reference)
            .status()
            .unwrap_or_else(|e| {
                panic!("cannot run `npm` ({e}): install Node.js and npm, then `npm ci` in tests/reference")
            });
        assert!(
            status.success(),
            "`npm ci` in tests/reference failed ({status})"
        );
    }
    for package in packages {
        let manifest = reference
            .join("node_modules")
            .join(package)
            .join("package.json");
        assert!(
            manifest.is_file(),
            "{} is missing: run `npm ci` in tests/reference (it installs the pinned socket.io 4.8.4 \
             and @socket.io/redis-adapter 8.3.0)",
            manifest.display()
        );
    }
    // `servers … with adapter` scripts: the reference runner starts its own redis-server.
    match Command::new("redis-server").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        other => panic!(
            "`redis-server --version` failed ({other:?}): the differential test runs scripts on \
             several official servers sharing the Redis adapter; install redis-server 7 or newer \
             (Debian: `apt-get install redis-server`, as .ci/run does)"
        ),
    }
}

/// What a process printed, or why it could not finish.
struct Run {
    status: std::process::ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs `command` to its end, killing it after `deadline`.
fn run(mut command: Command, deadline: Duration) -> Result<Run, String> {
    let shown = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let reader = |mut pipe: Box<dyn Read + Send>| {
        let (done, text) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            // A read error leaves what was read; the comparison shows the rest.
            let _ = pipe.read_to_string(&mut text);
            // The receiver is gone only if the run already failed.
            let _ = done.send(text);
        });
        text
    };
    let stdout = reader(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = reader(Box::new(child.stderr.take().expect("piped stderr")));
    // Standard output closes when the process ends: wait for that, bounded.
    let stdout = match stdout.recv_timeout(deadline) {
        Ok(text) => text,
        Err(_) => {
            // Ours to stop: the child we started, by its handle.
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{shown} did not finish within {deadline:?}"));
        }
    };
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {shown}: {e}"))?;
    Ok(Run {
        status,
        stdout,
        stderr: stderr.recv_timeout(deadline).unwrap_or_default(),
    })
}

/// One script's comparison.
struct Compared {
    path: PathBuf,
    statements: usize,
    differences: Vec<String>,
}

/// A line as the comparison sees it: error wording left out (a connect's
/// error is the middleware's message and stays).
fn normalize(line: &str) -> Result<Value, String> {
    let mut value: Value =
        serde_json::from_str(line).map_err(|e| format!("not a JSON line ({e}): {line}"))?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| format!("not a JSON object: {line}"))?;
    if object.contains_key("error") && !object.contains_key("connected") {
        object.insert("error".to_owned(), Value::from("<run-time error>"));
    }
    // A `servers` line: whether they share an adapter, not which one, nor where.
    if let Some(Value::String(adapter)) = object.get_mut("adapter") {
        let shared = !adapter.starts_with("no adapter");
        *adapter = (if shared { "<shared>" } else { "<none>" }).to_owned();
    }
    Ok(canonical(value))
}

/// Objects with sorted keys, so that equality ignores key order.
fn canonical(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, canonical(v)))
                    .collect(),
            )
        }
        other => other,
    }
}

fn step_of(line: &str) -> String {
    serde_json::from_str::<Value>(line)
        .ok()
        .and_then(|v| v.get("step").map(Value::to_string))
        .unwrap_or_else(|| "?".to_owned())
}

/// What the reference runner printed for one file of a batch.
struct Reference {
    /// The status `node run.mjs FILE` would have exited with.
    exit: i64,
    lines: Vec<String>,
    stderr: String,
}

/// Runs `files` through `node run.mjs --batch` (one Node start-up for all)
/// and splits its output per file; a file it did not finish gets an `Err`.
fn reference_batch(files: &[PathBuf], reference: &Path) -> Vec<Result<Reference, String>> {
    let mut node = Command::new("node");
    node.arg(reference.join("run.mjs"))
        .arg("--batch")
        .args(files)
        .current_dir(reference);
    let deadline = DEADLINE_PER_FILE * files.len().max(1) as u32;
    let output = match run(node, deadline) {
        Ok(output) => output,
        Err(e) => return files.iter().map(|_| Err(e.clone())).collect(),
    };
    let mut done: Vec<(String, Reference)> = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in output.stdout.lines().filter(|l| !l.trim().is_empty()) {
        let frame: Option<Value> = serde_json::from_str::<Value>(line)
            .ok()
            .filter(|v| v.get("file").is_some());
        match frame {
            Some(frame) => {
                let file = frame["file"].as_str().unwrap_or_default().to_owned();
                match frame.get("exit").and_then(Value::as_i64) {
                    None => current = Some((file, Vec::new())),
                    Some(exit) => {
                        let lines = current.take().map(|(_, l)| l).unwrap_or_default();
                        let stderr = frame
                            .get("stderr")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        done.push((
                            file,
                            Reference {
                                exit,
                                lines,
                                stderr,
                            },
                        ));
                    }
                }
            }
            None => {
                if let Some((_, lines)) = current.as_mut() {
                    lines.push(line.to_owned());
                }
            }
        }
    }
    let failure = format!(
        "the reference runner stopped before finishing this file ({}):\n{}",
        output.status,
        output.stderr.trim_end()
    );
    files
        .iter()
        .map(|path| {
            let name = path.to_string_lossy();
            match done.iter().position(|(file, _)| *file == name) {
                Some(i) => Ok(done.remove(i).1),
                None => Err(failure.clone()),
            }
        })
        .collect()
}

/// `sockets-tour run FILE --json`.
fn run_rust(path: &Path) -> Result<Run, String> {
    let mut rust = crate::sockets_tour();
    rust.arg("run").arg(path).arg("--json").env("NO_COLOR", "1");
    run(rust, DEADLINE_PER_FILE)
}

/// Lists every difference between what the Rust binary and the official
/// server did with `path`.
fn compare(path: &Path, rust: Result<Run, String>, node: Result<Reference, String>) -> Compared {
    let mut differences = Vec::new();
    let (rust, node) = match (rust, node) {
        (Ok(r), Ok(n)) => (r, n),
        (r, n) => {
            for e in [r.err(), n.err()].into_iter().flatten() {
                differences.push(e);
            }
            return Compared {
                path: path.to_owned(),
                statements: 0,
                differences,
            };
        }
    };
    if node.exit != 0 {
        differences.push(format!(
            "the reference runner failed (exit {}):\n{}",
            node.exit,
            node.stderr.trim_end()
        ));
    }
    // 0, or 1 when a step disagreed with its prediction (shown below as a mismatch).
    if !matches!(rust.status.code(), Some(0 | 1)) || rust.stdout.is_empty() {
        differences.push(format!(
            "sockets-tour failed ({}):\n{}",
            rust.status,
            rust.stderr.trim_end()
        ));
        if rust.status.code() == Some(2) {
            // A syntax error: nothing ran, so every line would be listed as missing.
            return Compared {
                path: path.to_owned(),
                statements: 0,
                differences,
            };
        }
    }
    let rust_lines: Vec<&str> = rust
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let node_lines: Vec<&str> = node.lines.iter().map(String::as_str).collect();
    for i in 0..rust_lines.len().max(node_lines.len()) {
        let (r, n) = (rust_lines.get(i).copied(), node_lines.get(i).copied());
        let step = step_of(r.or(n).unwrap_or_default());
        let problem = match (r, n) {
            (Some(r), Some(n)) => match (normalize(r), normalize(n)) {
                (Ok(rv), _) if rv.get("mismatch").is_some() => Some(
                    "sockets-tour reports a mismatch (its prediction and observation disagree)",
                ),
                (Ok(rv), Ok(nv)) if rv == nv => None,
                (Ok(_), Ok(_)) => Some("the lines differ"),
                (Err(_), _) | (_, Err(_)) => Some("a line is not valid JSON"),
            },
            (Some(_), None) => Some("only sockets-tour printed this line"),
            (None, Some(_)) => Some("only the official server printed this line"),
            (None, None) => None,
        };
        if let Some(problem) = problem {
            differences.push(format!(
                "step {step}: {problem}\n    rust: {}\n    node: {}",
                r.unwrap_or("(nothing)"),
                n.unwrap_or("(nothing)")
            ));
        }
    }
    Compared {
        path: path.to_owned(),
        statements: node_lines.len().min(rust_lines.len()),
        differences,
    }
}

/// The lessons, `lessons/*.md`, sorted; those on several servers (`cluster`)
/// too: the reference runner starts several official servers.
fn lessons() -> Vec<PathBuf> {
    let dir = manifest_dir().join("lessons");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    found.sort();
    found
}

/// Whether a lesson uses `servers` or a server label.
fn runs_on_several_servers(path: &Path) -> bool {
    let markdown = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let lesson = sockets_tour::parse_markdown(&markdown)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    lesson.statements().any(|s| {
        s.server.is_some() || matches!(s.kind, sockets_tour::StatementKind::Servers { .. })
    })
}

#[test]
fn the_engine_agrees_with_the_official_server() {
    let started = Instant::now();
    let reference = manifest_dir().join("tests/reference");
    preflight(&reference);
    let dir = scripts_dir();
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    // Scripts of other seeds (an earlier, wider run) would only confuse.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if (name.starts_with("seed-") || name.starts_with("cluster-")) && name.ends_with(".tour") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let mut files = Vec::new();
    for seed in FIRST_SEED..FIRST_SEED + SCRIPTS {
        let path = dir.join(format!("seed-{seed}.tour"));
        std::fs::write(&path, generator::script(seed, STATEMENTS))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        files.push(path);
    }
    // A wider run on several servers: DIFFERENTIAL_CLUSTER_SCRIPTS=N.
    let cluster_scripts = std::env::var("DIFFERENTIAL_CLUSTER_SCRIPTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CLUSTER_SCRIPTS);
    for seed in FIRST_SEED..FIRST_SEED + cluster_scripts {
        let path = dir.join(format!("cluster-seed-{seed}.tour"));
        std::fs::write(&path, generator::cluster_script(seed, CLUSTER_STATEMENTS))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        files.push(path);
    }
    for (name, script) in CLUSTER_CASES {
        let path = dir.join(format!("cluster-{name}.tour"));
        std::fs::write(&path, script)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        files.push(path);
    }
    let lessons = lessons();
    assert!(!lessons.is_empty(), "no lessons/*.md to compare");
    assert!(
        lessons.iter().any(|l| runs_on_several_servers(l)),
        "no lesson on several servers among {lessons:?}"
    );
    files.extend(lessons.iter().cloned());

    // Worker w takes files w, w + THREADS, …: its Node batch runs alongside
    // its Rust runs, then each file is compared.
    let results: Mutex<Vec<(usize, Compared)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for worker in 0..THREADS {
            let (results, files, reference) = (&results, &files, &reference);
            scope.spawn(move || {
                let share: Vec<(usize, PathBuf)> = files
                    .iter()
                    .cloned()
                    .enumerate()
                    .skip(worker)
                    .step_by(THREADS)
                    .collect();
                let paths: Vec<PathBuf> = share.iter().map(|(_, p)| p.clone()).collect();
                let (rust, node) = std::thread::scope(|inner| {
                    let node = inner.spawn(|| reference_batch(&paths, reference));
                    let rust: Vec<_> = paths.iter().map(|p| run_rust(p)).collect();
                    (
                        rust,
                        node.join().expect("the reference batch thread panicked"),
                    )
                });
                for (((i, path), rust), node) in share.into_iter().zip(rust).zip(node) {
                    let compared = compare(&path, rust, node);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((i, compared));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(i, _)| *i);

    let statements: usize = results.iter().map(|(_, c)| c.statements).sum();
    let on_clusters = |c: &Compared| {
        let name = c.path.file_name().unwrap_or_default().to_string_lossy();
        name.starts_with("cluster")
    };
    let cluster_statements: usize = results
        .iter()
        .filter(|(_, c)| on_clusters(c))
        .map(|(_, c)| c.statements)
        .sum();
    let mut report = String::new();
    let mut failing = 0;
    for (_, compared) in &results {
        if compared.differences.is_empty() {
            continue;
        }
        failing += 1;
        report.push_str(&format!(
            "\n{}: {} difference(s)\n",
            compared.path.display(),
            compared.differences.len()
        ));
        for d in compared.differences.iter().take(SHOWN_PER_SCRIPT) {
            report.push_str(&format!("  {d}\n"));
        }
        if compared.differences.len() > SHOWN_PER_SCRIPT {
            report.push_str(&format!(
                "  … and {} more\n",
                compared.differences.len() - SHOWN_PER_SCRIPT
            ));
        }
    }
    println!(
        "differential: {} scripts ({} generated with {} statements each, {} on several servers \
         with {} statements each, {} fixed cases on several servers, {} lessons), \
         {statements} statements compared ({cluster_statements} of them on several servers, \
         lessons aside), {failing} with differences, in {:.1} s",
        results.len(),
        SCRIPTS,
        STATEMENTS,
        cluster_scripts,
        CLUSTER_STATEMENTS,
        CLUSTER_CASES.len(),
        lessons.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failing == 0,
        "{failing} of {} scripts differ from the official server \
         (generated scripts are kept in {}):{report}",
        results.len(),
        dir.display()
    );
}

/// `../shared/examples` and `../shared/examples/v2`, beside the checkout
/// (as in CI): each folder's `*.tour` files, sorted.
fn shared_examples() -> Vec<PathBuf> {
    let root = manifest_dir().join("../shared/examples");
    let mut found = Vec::new();
    for dir in [root.clone(), root.join("v2")] {
        let mut here: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "tour"))
            .collect();
        assert!(
            here.len() >= 3,
            "only {} examples in {}",
            here.len(),
            dir.display()
        );
        here.sort();
        found.extend(here);
    }
    found
}

#[test]
fn the_engine_agrees_with_the_shared_examples() {
    let mut report = String::new();
    let examples = shared_examples();
    for path in &examples {
        let expected_path = path.with_extension("expected.ndjson");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", expected_path.display()));
        // What the official server printed, as the reference runner would.
        let official = Reference {
            exit: 0,
            lines: expected
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            stderr: String::new(),
        };
        let compared = compare(path, run_rust(path), Ok(official));
        if !compared.differences.is_empty() {
            report.push_str(&format!(
                "\n{}: {} difference(s)\n",
                path.display(),
                compared.differences.len()
            ));
            for d in &compared.differences {
                report.push_str(&format!("  {d}\n"));
            }
        }
    }
    assert!(
        report.is_empty(),
        "sockets-tour differs from what the official server did with the shared examples \
         ({} compared):{report}",
        examples.len()
    );
}

/// A run-time error message with the client's name taken out.
fn error_kind(message: &str) -> String {
    for tail in [" is not connected", " is already connected"] {
        if message.starts_with("client ") && message.ends_with(tail) {
            return format!("client NAME{tail}");
        }
    }
    // v3: `reconnect NAME` of a client that is connected, or left deliberately.
    for (middle, kind) in [
        (
            " is connected: `reconnect`",
            "client NAME is connected: `reconnect` …",
        ),
        (
            " left by a deliberate disconnect",
            "NAME left by a deliberate disconnect …",
        ),
        (
            "'s connection was not lost",
            "client NAME's connection was not lost …",
        ),
        (
            "'s connection is lost: the tour buffers",
            "NAME's connection is lost: … ack …",
        ),
    ] {
        if message.contains(middle) {
            return kind.to_owned();
        }
    }
    message.to_owned()
}

/// The generator alone against the official server, no Rust engine needed:
/// every generated script parses (exit 0), two runs print the same bytes,
/// and each kind of line, v1's and v2's, occurs. Prints the counts.
#[test]
#[ignore = "checks the generator on the reference runner; run it after changing generator.rs"]
fn generated_scripts_suit_the_official_server() {
    let reference = manifest_dir().join("tests/reference");
    preflight(&reference);
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("generator-check");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let files: Vec<PathBuf> = (FIRST_SEED..FIRST_SEED + SCRIPTS)
        .map(|seed| {
            let path = dir.join(format!("seed-{seed}.tour"));
            let text = generator::script(seed, STATEMENTS);
            assert_eq!(text, generator::script(seed, STATEMENTS), "seed {seed}");
            std::fs::write(&path, text)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            path
        })
        .collect();
    // Two whole runs side by side, one Node process each.
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| reference_batch(&files, &reference));
        let second = reference_batch(&files, &reference);
        (first.join().expect("the first run panicked"), second)
    });
    let mut problems = Vec::new();
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let mut count = |kind: String| *counts.entry(kind).or_default() += 1;
    for ((path, a), b) in files.iter().zip(first).zip(second) {
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                for e in [a.err(), b.err()].into_iter().flatten() {
                    problems.push(format!("{}: {e}", path.display()));
                }
                continue;
            }
        };
        for run in [&a, &b] {
            if run.exit != 0 {
                problems.push(format!(
                    "{}: exit {}: {}",
                    path.display(),
                    run.exit,
                    run.stderr.trim_end()
                ));
            }
        }
        if a.lines != b.lines {
            let i = (0..a.lines.len().max(b.lines.len()))
                .find(|&i| a.lines.get(i) != b.lines.get(i))
                .unwrap_or_default();
            problems.push(format!(
                "{}: the two runs differ from line {}:\n    first:  {}\n    second: {}",
                path.display(),
                i + 1,
                a.lines.get(i).map_or("(nothing)", String::as_str),
                b.lines.get(i).map_or("(nothing)", String::as_str)
            ));
        }
        // Lines grouped by step: handler event lines are those of a connect
        // step (connection handlers) or of a step that disconnected someone
        // (disconnect handlers: one action never both emits and disconnects).
        let lines: Vec<Value> = a
            .lines
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let mut i = 0;
        while i < lines.len() {
            let step = lines[i]["step"].clone();
            let group: Vec<&Value> = lines[i..]
                .iter()
                .take_while(|l| l["step"] == step)
                .collect();
            i += group.len();
            let code = group[0]["code"].as_str().unwrap_or_default();
            let hooks = code.starts_with("connect ")
                || group.iter().any(|l| l.get("disconnected").is_some());
            for line in group {
                count("lines".to_owned());
                let has = |key: &str| line.get(key).is_some();
                if has("namespace") {
                    count("namespace (bare io.of)".to_owned());
                }
                if let Some(ack) = line.get("ack").and_then(Value::as_object) {
                    count(
                        if ack.is_empty() {
                            "ack {}"
                        } else {
                            "ack with arguments"
                        }
                        .to_owned(),
                    );
                }
                if has("event") {
                    count("event".to_owned());
                    if hooks {
                        count("event from a connection/disconnect handler".to_owned());
                    }
                    if code.contains(".id") {
                        count("event of a line with NAME.id/socket.id".to_owned());
                    }
                    // v3: `reason` in a disconnect handler's emit.
                    let payloads = line.get("payloads").map(Value::to_string);
                    if payloads
                        .is_some_and(|p| p.contains(" disconnect\"") || p.contains(" close\""))
                    {
                        count("event with a disconnect reason".to_owned());
                    }
                }
                if let Some(handler) = line.get("handler").and_then(Value::as_str) {
                    for hook in [" connection", " disconnect", " disconnecting"] {
                        if handler.ends_with(hook) {
                            count(format!("handler:{hook} hook"));
                        }
                    }
                }
                if has("middleware") {
                    count("middleware".to_owned());
                    if line["middleware"] == "*" {
                        count("middleware: every namespace".to_owned());
                    }
                }
                // v3: acknowledgements in depth.
                match line.get("ackError") {
                    Some(Value::Null) => count("ackError null".to_owned()),
                    Some(_) => count("ackError: timed out".to_owned()),
                    None => {}
                }
                if has("listener") {
                    count("listener".to_owned());
                }
                if has("ack") && !code.contains(">") {
                    count("ack of a server's ask".to_owned());
                }
                if has("disconnected") {
                    count("disconnected".to_owned());
                }
                // v3: cluster queries.
                if let Some(found) = line.get("sockets").and_then(Value::as_object) {
                    count("sockets (fetchSockets)".to_owned());
                    if found
                        .values()
                        .any(|s| s["rooms"].as_array().is_some_and(|r| !r.is_empty()))
                    {
                        count("sockets: a socket in a room".to_owned());
                    }
                }
                count_link_line(line, code, &mut count);
                match (line.get("connected"), line.get("error")) {
                    (Some(Value::Bool(true)), _) => count("connect: admitted".to_owned()),
                    (Some(_), Some(Value::String(e))) if e == "Invalid namespace" => {
                        count("connect: Invalid namespace".to_owned())
                    }
                    (Some(_), Some(Value::String(e))) => count(format!("connect: refused {e:?}")),
                    (None, Some(Value::String(e))) => {
                        count("error, run-time".to_owned());
                        count(format!("error: {}", error_kind(e)));
                    }
                    _ => {}
                }
            }
        }
    }
    let mut table = String::new();
    for (kind, n) in &counts {
        table.push_str(&format!("{n:>7}  {kind}\n"));
    }
    println!(
        "generator check: {} scripts of {STATEMENTS} statements, run twice\n{table}",
        files.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for kind in [
        "namespace (bare io.of)",
        "ack {}",
        "ack with arguments",
        "event from a connection/disconnect handler",
        "event of a line with NAME.id/socket.id",
        "handler: connection hook",
        "handler: disconnect hook",
        "handler: disconnecting hook",
        "middleware: every namespace",
        "error: socket.handshake.auth.user is undefined: the client connected without \"user\" in its auth",
        "connect: Invalid namespace",
        "error: callback is not a function",
        "ackError null",
        "ackError: timed out",
        "listener",
        "ack of a server's ask",
        "error: client NAME is not connected",
        "disconnected",
        "sockets (fetchSockets)",
        "sockets: a socket in a room",
    ]
    .into_iter()
    .chain(LINK_KINDS)
    {
        assert!(
            counts.contains_key(kind),
            "no line of kind {kind:?}:\n{table}"
        );
    }
}

/// The v3 kinds of line every generator check must see (`drop`,
/// `reconnect`, buffered and volatile emits).
const LINK_KINDS: [&str; 6] = [
    "drop",
    "reconnected",
    "reconnected: flushed emits",
    "event of a reconnect's flushed emit",
    "buffered",
    "dropped: volatile",
];

/// Counts a line of the v3 forms by its kind.
fn count_link_line(line: &Value, code: &str, count: &mut impl FnMut(String)) {
    if code.starts_with("drop ") && line.get("disconnected").is_some() {
        count("drop".to_owned());
    }
    if line.get("reconnected") == Some(&Value::Bool(true)) {
        count("reconnected".to_owned());
        if line["flushed"].as_array().is_some_and(|f| !f.is_empty()) {
            count("reconnected: flushed emits".to_owned());
        }
    }
    if code.starts_with("reconnect ") && line.get("event").is_some() {
        count("event of a reconnect's flushed emit".to_owned());
    }
    if line.get("buffered").is_some() {
        count("buffered".to_owned());
    }
    if line.get("dropped").is_some() {
        count("dropped: volatile".to_owned());
    }
}

/// Steps whose outcome depends on the order the server disconnects a
/// selection in, which the generator leaves out: a namespace's disconnect
/// handler emitting (or disconnecting) while several sockets leave. The
/// official server disconnects them one after another, in connection
/// order, each handler running before the next socket goes.
const DISCONNECT_HANDLER_CASES: &[(&str, &str)] = &[
    (
        "several-leave-a-room-each-handler-emits",
        "connect a\nconnect b\nconnect c\na: socket.join(\"r\")\nb: socket.join(\"r\")\n\
         on \"disconnect\": io.emit(\"left\", msg)\nio.in(\"r\").disconnectSockets()\n",
    ),
    (
        "everyone-leaves-each-handler-emits-twice-over",
        "on \"disconnect\": io.emit(\"left\", msg)\nconnect c1\nconnect c2\nconnect c3\n\
         io.disconnectSockets()\nconnect c1\nconnect c2\nconnect c3\nio.disconnectSockets()\n",
    ),
    (
        "a-users-tabs-leave-each-disconnecting-handler-tells-its-rooms",
        "on \"connection\": socket.join(socket.handshake.auth.user)\n\
         on \"disconnecting\": socket.to([...socket.rooms]).emit(\"left\", msg)\n\
         on \"disconnect\": socket.to([...socket.rooms]).emit(\"gone\", msg)\n\
         connect a1 {\"user\":\"alice\"}\nconnect a2 {\"user\":\"alice\"}\n\
         connect a3 {\"user\":\"alice\"}\nconnect b {\"user\":\"bob\"}\n\
         io.in(\"alice\").disconnectSockets()\n",
    ),
    (
        "each-handler-says-why-its-socket-left",
        "on \"disconnecting\": socket.broadcast.emit(\"going\", msg, reason)\n\
         on \"disconnect\": io.emit(\"left\", reason, msg)\n\
         connect a\nconnect b\nconnect c\nconnect d\nconnect e\n\
         disconnect a\nb: socket.disconnect()\ndrop c\nio.in(d.id).disconnectSockets(true)\n\
         reconnect c\n",
    ),
    (
        // The client that reconnects is the same JavaScript object: its
        // listeners answer again (a fresh connect has none).
        "a-listener-answers-again-after-a-reconnect",
        "connect a\nconnect b\na> on \"poll\": callback(\"yes\", msg)\n\
         b> on \"poll\": callback(\"no\")\ndrop a\nreconnect a\n\
         a: socket.emit(\"poll\", 1, ack)\nio.timeout(100).emit(\"poll\", 2, ack)\n\
         disconnect b\nconnect b\nb: socket.timeout(100).emit(\"poll\", 3, ack)\n",
    ),
    (
        "a-handler-disconnects-everyone-else",
        "connect a\nconnect b\nconnect c\non \"disconnect\": io.disconnectSockets()\n\
         disconnect a\nio.emit(\"x\")\nconnect b\nio.disconnectSockets()\nconnect a\n",
    ),
];

#[test]
fn disconnect_handlers_run_in_turn_as_on_the_official_server() {
    let reference = manifest_dir().join("tests/reference");
    preflight(&reference);
    let dir = scripts_dir().join("disconnect-handlers");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let files: Vec<PathBuf> = DISCONNECT_HANDLER_CASES
        .iter()
        .map(|(name, script)| {
            let path = dir.join(format!("{name}.tour"));
            std::fs::write(&path, script)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            path
        })
        .collect();
    let official = reference_batch(&files, &reference);
    let mut report = String::new();
    for (path, node) in files.iter().zip(official) {
        let compared = compare(path, run_rust(path), node);
        for d in &compared.differences {
            report.push_str(&format!("\n{}: {d}", path.display()));
        }
    }
    assert!(report.is_empty(), "differences:{report}");
}
