//! `cluster`: two servers in one process. Without an adapter they share
//! nothing; with socketioxide-redis (in-process bus, and a real
//! `redis-server` started here) `io.emit`, `io.to(room)`, `socketsJoin` and
//! `socket.to(room)` span both, observed by real clients with exact syncs.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead as _, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use sockets_tour::client::{Admission, decode};
use sockets_tour::cluster::{Actor, Bus, Cluster};
use sockets_tour::script::{StatementKind, parse_line};

/// The scenario: each line runs on a server (`A`/`B`) or as its client.
/// `connect` goes to the server named; `io.…` runs on it; `NAME: socket.…`
/// and `NAME> socket.emit` run on the client's own server.
const SCENARIO: &[(&str, &str)] = &[
    ("A", "connect a1"),
    ("A", "connect a2"),
    ("B", "connect b1"),
    ("B", "connect b2"),
    ("-", "a1: socket.join(\"lobby\")"),
    ("-", "b1: socket.join(\"lobby\")"),
    ("A", "io.emit(\"hello\", \"from A\")"),
    ("B", "io.to(\"lobby\").emit(\"news\", \"from B\")"),
    ("A", "io.in(\"lobby\").socketsJoin(\"club\")"),
    ("B", "io.to(\"club\").emit(\"club\", \"from B\")"),
    ("-", "on \"chat\": socket.to(\"lobby\").emit(\"chat\", msg)"),
    ("-", "a1> socket.emit(\"chat\", \"hi lobby\")"),
    ("B", "io.except(\"lobby\").emit(\"quiet\", \"from B\")"),
];

/// One line per step: the step, then who got what (sorted by client), then
/// every client's server and rooms once the step is over.
async fn run(bus: Bus) -> Vec<String> {
    let mut cluster = Cluster::start(bus, &["A", "B"], &BTreeSet::new())
        .await
        .expect("the servers start");
    let mut transcript = Vec::new();
    for (i, (server, line)) in SCENARIO.iter().enumerate() {
        let statement = parse_line(i + 1, line)
            .expect("the scenario parses")
            .expect("a statement");
        match statement.kind {
            StatementKind::Connect { name, ns, auth } => {
                let admission = cluster
                    .connect(&name, server, &ns, Value::Object(auth))
                    .await
                    .expect("the client connects");
                assert_eq!(admission, Admission::Admitted);
            }
            StatementKind::Server { socket, expr } => {
                let actor = match &socket {
                    Some(name) => Actor::Client(name),
                    None => Actor::Server(server),
                };
                cluster
                    .perform(actor, &expr)
                    .await
                    .expect("the action runs");
            }
            StatementKind::On { ns, event, action } => cluster.set_handler(&ns, &event, action),
            StatementKind::ClientEmit { name, event, args } => {
                cluster
                    .client_emit(&name, &event, &args)
                    .await
                    .expect("the event is handled");
            }
            other => panic!("not in this scenario: {other:?}"),
        }
        let observed = cluster.sync().await.expect("every client syncs");
        let got: Vec<String> = observed
            .iter()
            .filter(|(_, events)| !events.is_empty())
            .map(|(name, events)| {
                let events: Vec<String> = events
                    .iter()
                    .map(|e| {
                        let (event, args) = decode(e, None);
                        format!("{event}{}", Value::from(args))
                    })
                    .collect();
                format!("{name}: {}", events.join(" "))
            })
            .collect();
        let rooms: Vec<String> = cluster
            .rooms()
            .into_iter()
            .map(|(name, (server, _, rooms))| format!("{name}@{server}{rooms:?}"))
            .collect();
        transcript.push(format!(
            "{line} => [{}] rooms {}",
            got.join("; "),
            rooms.join(" ")
        ));
    }
    cluster.shutdown().await.expect("the servers stop");
    transcript
}

/// Who got `step`'s event, from a transcript line.
fn receivers(transcript: &[String], step: &str) -> String {
    let line = transcript
        .iter()
        .find(|l| l.starts_with(step))
        .unwrap_or_else(|| panic!("no step {step}"));
    let got = &line[line.find("=> [").expect("a result") + 4..line.find("] rooms").unwrap()];
    got.split("; ")
        .filter(|s| !s.is_empty())
        .map(|s| s.split(':').next().unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_shared_outcomes(transcript: &[String]) {
    let joined = transcript.join("\n");
    assert_eq!(receivers(transcript, "io.emit"), "a1 a2 b1 b2", "{joined}");
    assert_eq!(
        receivers(transcript, "io.to(\"lobby\")"),
        "a1 b1",
        "{joined}"
    );
    // socketsJoin from A reached b1 on B.
    assert!(
        joined.contains("b1@B{\"club\", \"lobby\"}"),
        "b1 joined club on B: {joined}"
    );
    assert_eq!(
        receivers(transcript, "io.to(\"club\")"),
        "a1 b1",
        "{joined}"
    );
    // socket.to(room) from a1 on A reached b1 on B (not a1, the sender).
    assert_eq!(receivers(transcript, "a1>"), "b1", "{joined}");
    assert_eq!(receivers(transcript, "io.except"), "a2 b2", "{joined}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_adapter_each_server_reaches_only_its_own_clients() {
    let transcript = run(Bus::None).await;
    let joined = transcript.join("\n");
    assert_eq!(receivers(&transcript, "io.emit"), "a1 a2", "{joined}");
    assert_eq!(receivers(&transcript, "io.to(\"lobby\")"), "b1", "{joined}");
    assert!(joined.contains("b1@B{\"lobby\"}"), "{joined}");
    assert!(!joined.contains("b1@B{\"club\""), "{joined}");
    assert_eq!(receivers(&transcript, "io.to(\"club\")"), "", "{joined}");
    assert_eq!(receivers(&transcript, "a1>"), "", "{joined}");
    assert_eq!(receivers(&transcript, "io.except"), "b2", "{joined}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_process_adapter_spans_both_servers() {
    let transcript = run(Bus::InProcess).await;
    assert_shared_outcomes(&transcript);
}

/// Observation must not race with the adapter: 100 runs, one outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_runs_on_the_in_process_adapter_observe_the_same() {
    let mut distinct = BTreeMap::new();
    for _ in 0..100 {
        *distinct.entry(run(Bus::InProcess).await).or_insert(0) += 1;
    }
    assert_eq!(distinct.len(), 1, "outcomes differ: {distinct:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_and_the_in_process_bus_observe_the_same() {
    let redis = RedisServer::start();
    let in_process = run(Bus::InProcess).await;
    for _ in 0..RUNS_ON_REDIS {
        let on_redis = run(Bus::Redis(redis.url())).await;
        assert_shared_outcomes(&on_redis);
        assert_eq!(on_redis, in_process);
    }
}

/// Runs on one Redis: each cluster's channels have their own prefix, so
/// runs never hear each other.
const RUNS_ON_REDIS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_without_resp3_is_refused_with_advice() {
    let redis = RedisServer::start();
    let url = redis.url().replace("?protocol=resp3", "");
    let err = match Cluster::start(Bus::Redis(url), &["A"], &BTreeSet::new()).await {
        Ok(_) => panic!("RESP2 cannot carry the adapter's pushes"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("?protocol=resp3"), "{err}");
}

/// A `redis-server` of our own on a free loopback port, killed on drop.
struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts it and waits (at most 5 s) until its log says it accepts
    /// connections. Fails the test when `redis-server` is not installed:
    /// CI installs it.
    fn start() -> RedisServer {
        // Redis cannot listen on port 0: take a free port and release it.
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
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

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/?protocol=resp3", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // It may have died already; either way it must not outlive the test.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
