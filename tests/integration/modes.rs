//! Every mode receives the whole decided setup: `--redis` is honoured by a
//! plain run, by `--from`, by the presenter's `--step` and `--pace` (in a
//! terminal), by the playground and by practice. Each is seen two ways:
//! the transcript names the Redis where it shows the `servers` line, and
//! our own `redis-server` served the adapter's `PUBLISH`es (trying the
//! Redis before a run publishes nothing, so only servers on it can).
//! Exit statuses: Ctrl-C at a pause is 130, `q` is 0.

use std::io::Write as _;
use std::process::{Output, Stdio};

use crate::cluster::RedisServer;
use crate::sockets_tour;
use crate::tmux::{Tmux, text};

/// The words the transcript uses for a cluster on `redis`.
fn on(redis: &RedisServer) -> String {
    format!("on Redis at {}", redis.url())
}

/// Runs the binary with `args` and `input` on stdin.
fn run(args: &[&str], input: &str) -> Output {
    let mut child = sockets_tour()
        .args(args)
        .args(["--color", "never", "--width", "200"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input written");
    child.wait_with_output().expect("the binary ends")
}

/// Asserts that the run ended well, that its transcript names the Redis
/// when `named`, and that the Redis carried broadcasts.
fn assert_on_redis(output: &Output, redis: &RedisServer, named: bool) {
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{out}\n{err}");
    if named {
        assert!(out.contains(&on(redis)), "{out}");
    }
    assert!(
        redis.publishes() > 0,
        "nothing was published on Redis:\n{out}"
    );
}

#[test]
fn from_runs_on_the_redis_it_was_given() {
    let redis = RedisServer::start();
    let output = run(
        &[
            "cluster",
            "--redis",
            &redis.url(),
            "--from",
            "adapter forwards",
        ],
        "",
    );
    assert_on_redis(&output, &redis, true);
}

#[test]
fn the_playground_runs_on_the_redis_it_was_given() {
    let redis = RedisServer::start();
    let script = "servers A B with adapter\nconnect a @A\nconnect b @B\n@A io.emit(\"x\")\n";
    let output = run(&["play", "--redis", &redis.url()], script);
    assert_on_redis(&output, &redis, true);
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.contains("✔ b  got \"x\""), "{out}");
}

#[test]
fn practice_runs_its_tries_on_the_redis_it_was_given() {
    let redis = RedisServer::start();
    // The first exercise skipped; the second (on the adapter) shown.
    let output = run(
        &["practice", "cluster", "--redis", &redis.url()],
        "skip\nsolution\n",
    );
    assert_on_redis(&output, &redis, false);
}

#[test]
fn the_presenter_runs_on_the_redis_it_was_given_and_ctrl_c_is_130() {
    let redis = RedisServer::start();
    let url = redis.url();
    let args = [
        "cluster",
        "--step",
        "--from",
        "adapter forwards",
        "--redis",
        &url,
    ];
    let tmux = Tmux::start("step-redis", 100, 40, &args);
    let page = tmux.wait_for_text(&on(&redis));
    assert!(
        text(&page).contains("servers A B with adapter"),
        "{}",
        text(&page)
    );
    tmux.wait_for_raw_mode();
    tmux.keys(&["C-c"]);
    assert_eq!(tmux.exit_status(), 130, "{}", text(&tmux.screen()));
    let modes = tmux.modes_after();
    assert!(modes.contains(" icanon"), "raw mode left on: {modes}");
}

#[test]
fn pace_presents_to_the_end_on_the_redis_it_was_given() {
    let redis = RedisServer::start();
    let url = redis.url();
    let tmux = Tmux::start(
        "pace-redis",
        100,
        40,
        &["cluster", "--pace", "0.01", "--redis", &url],
    );
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    let all = tmux.transcript().join("\n");
    assert!(all.contains(&on(&redis)), "{all}");
}
