//! `cluster`: two servers in one process, driven by the engine from a
//! tour script with server labels. Without an adapter they share nothing;
//! with socketioxide-redis (in-process bus, and a real `redis-server`
//! started here) `io.emit`, `io.to(room)`, `socketsJoin` and
//! `socket.to(room)` span both, observed by real clients with exact syncs,
//! and every step's outcome agrees with the servers' state.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use sockets_tour::Output;
use sockets_tour::Setup;
use sockets_tour::json_line;
use sockets_tour::parse_script;
use sockets_tour::{Engine, Servers};

/// The scenario, after its `servers` line.
const SCENARIO: &str = r#"connect a1 @A
connect a2 @A
connect b1 @B
connect b2 @B
a1: socket.join("lobby")
b1: socket.join("lobby")
@A io.emit("hello", "from A")
@B io.to("lobby").emit("news", "from B")
@A io.in("lobby").socketsJoin("club")
@B io.to("club").emit("club", "from B")
on "chat": socket.to("lobby").emit("chat", msg)
a1> socket.emit("chat", "hi lobby")
@B io.except("lobby").emit("quiet", "from B")
"#;

fn setup(redis: Option<String>) -> Servers {
    Servers {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        redis,
        chosen: None,
    }
}

/// The scenario's NDJSON, one line per step after the `servers` line (which
/// names the Redis URL), every step checked against the servers' state.
async fn run(adapter: bool, redis: Option<String>) -> Vec<Value> {
    let servers = if adapter {
        "servers A B with adapter\n"
    } else {
        "servers A B\n"
    };
    let script = parse_script(&format!("{servers}{SCENARIO}")).expect("the scenario parses");
    Engine::run(setup(redis), async |engine| {
        let mut lines = Vec::new();
        engine
            .run_block(&script, |report| {
                assert!(!report.has_mismatch(), "{report:?}");
                lines.push(serde_json::from_str(&json_line(report))?);
                Ok(())
            })
            .await?;
        Ok(lines)
    })
    .await
    .expect("the scenario runs")
    .split_off(1)
}

/// Who received `step`'s event.
fn receivers(lines: &[Value], step: &str) -> String {
    let line = lines
        .iter()
        .find(|l| l["code"].as_str().is_some_and(|c| c.starts_with(step)))
        .unwrap_or_else(|| panic!("no step {step}"));
    let names: Vec<&str> = line["receivers"]
        .as_array()
        .unwrap_or_else(|| panic!("{step} has no receivers: {line}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    names.join(" ")
}

fn rooms_after(lines: &[Value], step: &str) -> Value {
    let line = lines
        .iter()
        .find(|l| l["code"].as_str().is_some_and(|c| c.starts_with(step)))
        .unwrap_or_else(|| panic!("no step {step}"));
    line["rooms"].clone()
}

fn assert_shared_outcomes(lines: &[Value]) {
    assert_eq!(receivers(lines, "@A io.emit"), "a1 a2 b1 b2");
    assert_eq!(receivers(lines, "@B io.to(\"lobby\")"), "a1 b1");
    // socketsJoin from A reached b1 on B.
    assert_eq!(
        rooms_after(lines, "@A io.in")["b1"],
        serde_json::json!(["club", "lobby"])
    );
    assert_eq!(receivers(lines, "@B io.to(\"club\")"), "a1 b1");
    // socket.to(room) from a1 on A reached b1 on B (not a1, the sender).
    assert_eq!(receivers(lines, "a1>"), "b1");
    assert_eq!(receivers(lines, "@B io.except"), "a2 b2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_adapter_each_server_reaches_only_its_own_clients() {
    let lines = run(false, None).await;
    assert_eq!(receivers(&lines, "@A io.emit"), "a1 a2");
    assert_eq!(receivers(&lines, "@B io.to(\"lobby\")"), "b1");
    assert_eq!(
        rooms_after(&lines, "@A io.in")["b1"],
        serde_json::json!(["lobby"])
    );
    assert_eq!(receivers(&lines, "@B io.to(\"club\")"), "");
    assert_eq!(receivers(&lines, "a1>"), "");
    assert_eq!(receivers(&lines, "@B io.except"), "b2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_process_adapter_spans_both_servers() {
    assert_shared_outcomes(&run(true, None).await);
}

/// Observation must not race with the adapter: 100 runs, one outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_runs_on_the_in_process_adapter_observe_the_same() {
    let mut distinct = BTreeMap::new();
    for _ in 0..100 {
        let lines: Vec<String> = run(true, None).await.iter().map(Value::to_string).collect();
        *distinct.entry(lines).or_insert(0) += 1;
    }
    assert_eq!(distinct.len(), 1, "outcomes differ: {distinct:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_and_the_in_process_bus_observe_the_same() {
    let redis = RedisServer::start();
    let in_process = run(true, None).await;
    for _ in 0..RUNS_ON_REDIS {
        let on_redis = run(true, Some(redis.url())).await;
        assert_shared_outcomes(&on_redis);
        assert_eq!(on_redis, in_process);
    }
}

/// The cluster lesson's transcript, on the in-process bus or on `redis`.
async fn cluster_lesson(redis: Option<String>) -> String {
    let (_, markdown) = sockets_tour::BUILTIN
        .iter()
        .find(|(name, _)| *name == "cluster")
        .expect("the cluster lesson is built in");
    let lesson = sockets_tour::parse_markdown(markdown).expect("the lesson parses");
    let mut out = Vec::new();
    let run = Setup {
        servers: setup(redis),
        output: Output::default(),
    };
    let summary = sockets_tour::run_lesson(&lesson, &mut out, &run)
        .await
        .expect("the lesson runs");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(summary.mismatched, 0, "{text}");
    assert!(summary.errors.is_empty(), "{:?}\n{text}", summary.errors);
    text
}

/// The cluster lesson on a real Redis: the same transcript as on the
/// in-process bus, but for the line that says which one ran.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cluster_lesson_on_redis_matches_the_in_process_bus() {
    let redis = RedisServer::start();
    let in_process = cluster_lesson(None).await;
    let on_redis = cluster_lesson(Some(redis.url())).await;
    let bus = "the Redis adapter (socketioxide-redis) over an in-process bus, no Redis server";
    // The transcript wraps to its width: compare the words.
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (in_process, on_redis) = (words(&in_process), words(&on_redis));
    assert!(in_process.contains(bus), "{in_process}");
    let on = format!(
        "the Redis adapter (socketioxide-redis) on Redis at {}",
        redis.url()
    );
    assert!(on_redis.contains(&on), "{on_redis}");
    assert_eq!(on_redis.replace(&on, bus), in_process);
}

/// Runs on one Redis: each cluster's channels have their own prefix, so
/// runs never hear each other.
const RUNS_ON_REDIS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_without_resp3_is_refused_with_advice() {
    let redis = RedisServer::start();
    let url = redis.url().replace("?protocol=resp3", "");
    let script = parse_script("servers A B with adapter\n").expect("parses");
    let err = Engine::run(setup(Some(url)), async |engine| {
        engine.run_block(&script, |_| Ok(())).await
    })
    .await
    .expect_err("RESP2 cannot carry the adapter's pushes");
    assert!(
        matches!(err, sockets_tour::Error::Environment(_)),
        "a Redis that cannot be used mid-run is the environment's failure: {err:?}"
    );
    let err = format!("{err:#}");
    assert!(err.contains("?protocol=resp3"), "{err}");
}

/// A `redis-server` of our own on a free loopback port, killed on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts it and waits (at most 5 s) until its log says it accepts
    /// connections. Fails the test when `redis-server` is not installed:
    /// CI installs it.
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// [`RedisServer::start`] with more of `redis-server`'s options
    /// (`--requirepass`).
    pub fn start_with(options: &[&str]) -> RedisServer {
        // Redis cannot listen on port 0: take a free port and release it.
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start redis-server ({e}): this test needs Redis 7 or newer \
                     (Debian: apt-get install -y redis-server; .ci/run installs it)"
                )
            });
        let log = child.stdout.take().expect("redis-server's log");
        let mut server = RedisServer { child, port };
        let (ready_tx, ready) = mpsc::channel();
        std::thread::spawn(move || {
            let mut log_text = Vec::new();
            for line in BufReader::new(log).lines().map_while(Result::ok) {
                if line.contains("Ready to accept connections") {
                    let _ = ready_tx.send(Ok(()));
                    // Keep reading, so that its log never fills the pipe.
                    continue;
                }
                log_text.push(line);
            }
            let _ = ready_tx.send(Err(log_text.join("\n")));
        });
        match ready.recv_timeout(Duration::from_secs(5)) {
            Ok(Ok(())) => server,
            Ok(Err(log)) => {
                let status = server
                    .child
                    .wait()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                panic!("redis-server on port {port} stopped at start ({status}):\n{log}")
            }
            Err(_) => {
                let _ = server.child.kill();
                panic!("redis-server on port {port} was not ready within 5 s")
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/?protocol=resp3", self.port)
    }

    /// Sends one command (inline form) and returns the first line of its
    /// reply: `SHUTDOWN NOSAVE` (no reply: the connection closes),
    /// `CLIENT PAUSE 2000 ALL` (`+OK` once every other client is paused).
    pub fn command(&self, command: &str) -> String {
        use std::io::Write as _;
        let mut redis = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, self.port))
            .expect("connects to our redis-server");
        redis
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("a read bound");
        redis
            .write_all(format!("{command}\r\n").as_bytes())
            .expect("sends the command");
        let mut reply = String::new();
        // A closed connection (after SHUTDOWN) is an empty reply.
        let _ = BufReader::new(redis).read_line(&mut reply);
        reply.trim_end().to_owned()
    }

    /// Stops (`SIGSTOP`) or resumes (`SIGCONT`) the process: a Redis that
    /// stalls, its connections open.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("runs kill");
        assert!(status.success(), "kill {signal} failed: {status}");
    }

    /// How many `PUBLISH` commands it has served: what the adapter sends
    /// for each broadcast (trying a connection publishes nothing).
    pub fn publishes(&self) -> u64 {
        use std::io::{Read as _, Write as _};
        let mut redis = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, self.port))
            .expect("connects to our redis-server");
        redis
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("a read bound");
        redis
            .write_all(b"INFO commandstats\r\n")
            .expect("asks for its stats");
        // A bulk string: `$LEN\r\n`, then LEN bytes and `\r\n`.
        let mut reader = BufReader::new(redis);
        let mut header = String::new();
        reader.read_line(&mut header).expect("the reply's length");
        let len: usize = header
            .trim_start_matches('$')
            .trim()
            .parse()
            .expect("a bulk reply");
        let mut body = vec![0; len];
        reader.read_exact(&mut body).expect("the reply");
        String::from_utf8_lossy(&body)
            .lines()
            .find_map(|l| l.strip_prefix("cmdstat_publish:calls="))
            .and_then(|rest| rest.split(',').next()?.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // It may have died already, or be stopped (SIGKILL ends it all the
        // same); either way it must not outlive the test.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a script on the in-process bus; every step must agree with the
/// servers' state. Returns the NDJSON lines.
async fn run_clean(script: &str) -> Vec<Value> {
    let script = parse_script(script).expect("the script parses");
    Engine::run(setup(None), async |engine| {
        let mut lines = Vec::new();
        engine
            .run_block(&script, |report| {
                assert!(!report.has_mismatch(), "{report:?}");
                // A step with handler emits prints several lines.
                for line in json_line(report).lines() {
                    lines.push(serde_json::from_str(line)?);
                }
                Ok(())
            })
            .await?;
        Ok(lines)
    })
    .await
    .expect("the script runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_disconnection_is_seen_within_its_step_and_never_hangs_a_later_one() {
    let round = "connect alice @A\nconnect bob @B\nbob: socket.join(\"rb\")\n\
                 @A io.in(\"rb\").disconnectSockets()\ndisconnect alice\n";
    let lines = run_clean(&format!("servers A B with adapter\n{}", round.repeat(5))).await;
    let gone: Vec<&Value> = lines
        .iter()
        .filter(|l| l["code"] == "@A io.in(\"rb\").disconnectSockets()")
        .collect();
    assert_eq!(gone.len(), 5);
    for line in gone {
        assert_eq!(
            line["disconnected"]["bob"]["client"], "io server disconnect",
            "{line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_id_names_it_on_any_server() {
    let shared = run_clean(
        "servers A B with adapter\nconnect alice @A\nconnect bob @B\n@A io.to(bob.id).emit(\"q\")\n",
    )
    .await;
    assert_eq!(
        shared[3]["receivers"],
        serde_json::json!(["bob"]),
        "{shared:?}"
    );
    let apart =
        run_clean("servers A B\nconnect alice @A\nconnect bob @B\n@A io.to(bob.id).emit(\"q\")\n")
            .await;
    assert_eq!(apart[3]["receivers"], serde_json::json!([]), "{apart:?}");
    assert!(apart[3].get("error").is_none(), "{apart:?}");
}

/// Issue 16's first case, repeated: a disconnect handler that runs on the
/// server of a socket another server disconnected emits within that step
/// (the official servers deliver "user left" in step 5), and a handler that
/// emits `close` with `""` (what rust_socketio cannot tell from a
/// DISCONNECT packet) neither hangs nor aborts the next step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disconnect_handlers_emit_after_a_remote_disconnection_is_that_steps() {
    for _ in 0..25 {
        let lines = run_clean(
            "servers A B with adapter\non \"disconnect\": io.emit(\"user left\", msg)\n\
             connect alice @A\nconnect bob @B\n@A io.in(bob.id).disconnectSockets()\n",
        )
        .await;
        let step5: Vec<&Value> = lines.iter().filter(|l| l["step"] == 5).collect();
        assert_eq!(step5.len(), 2, "{lines:?}");
        assert_eq!(step5[0]["event"], "user left", "{lines:?}");
        assert_eq!(
            step5[0]["payloads"],
            serde_json::json!({"alice": ["bob"]}),
            "{lines:?}"
        );
        assert_eq!(
            step5[1]["disconnected"]["bob"]["client"], "io server disconnect",
            "{lines:?}"
        );
    }
    for _ in 0..25 {
        let lines = run_clean(
            "servers A B with adapter\non \"disconnect\": io.emit(\"close\", \"\")\n\
             connect alice @A\nconnect bob @B\n@A io.in(bob.id).disconnectSockets()\n\
             @A io.emit(\"x\")\n",
        )
        .await;
        assert_eq!(lines[4]["event"], "close", "{lines:?}");
        assert_eq!(lines[4]["payloads"], serde_json::json!({"alice": [""]}));
        assert_eq!(lines[6]["receivers"], serde_json::json!(["alice"]));
    }
}

/// Issue 16's second case, repeated: a broadcast that server A applies
/// late must never reach a client that connected to A after the step that
/// sent it, nor leave a stale marker for a later step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_connected_after_a_remote_step_meets_nothing_of_it() {
    for _ in 0..50 {
        let lines = run_clean(
            "servers A B with adapter\nconnect bob @B\nbob: socket.join(\"r\")\n\
             @B io.emit(\"early\")\nconnect erin @A\n@A io.emit(\"x\")\n",
        )
        .await;
        assert_eq!(lines[3]["receivers"], serde_json::json!(["bob"]));
        assert_eq!(
            lines[5]["receivers"],
            serde_json::json!(["bob", "erin"]),
            "{lines:?}"
        );
    }
}
