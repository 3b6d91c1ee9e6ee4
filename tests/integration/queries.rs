//! Version 3's cluster queries (`io[.of(…)][.in(…)].fetchSockets()`): the
//! exact messages of malformed ones, and what a run prints for each, on
//! one server, on servers that share nothing and on servers that share the
//! adapter (the differential test holds the same lines against the
//! official server: `tests/reference/cluster/fetch-sockets.tour`).

use serde_json::{Value, json};
use sockets_tour::parse_script;

/// Each malformed line after `connect alice`, with its message and column.
#[test]
fn malformed_fetches_say_what_to_write() {
    for (line, column, says) in [
        (
            r#"alice: socket.to("r").fetchSockets()"#,
            23,
            "`fetchSockets()` stands after `io` in the tour",
        ),
        (
            r#"on "x": io.fetchSockets()"#,
            12,
            "`fetchSockets()` is a query: it stands only in a statement of its own",
        ),
        (
            "io.timeout(100).fetchSockets()",
            17,
            "the tour's `fetchSockets()` takes no `.timeout(MS)`",
        ),
        (
            "io.fetchSockets(1)",
            17,
            "`fetchSockets()` takes no arguments, found `1)`",
        ),
        ("io.fetchSockets", 16, "expected `(` after `fetchSockets`"),
        (
            "io.fetchSockets().emit(\"x\")",
            18,
            "unexpected text after the end of the statement",
        ),
    ] {
        let err = parse_script(&format!("connect alice\n{line}\n")).expect_err(line);
        let shown = err.render("t.tour");
        assert_eq!((err.line, err.column), (2, column), "{shown}");
        assert!(err.message.contains(says), "{line}: {shown}");
    }
}

/// `sockets-tour run - --json` on `script`: its `sockets` lines, by step.
fn fetched(script: &str) -> Vec<(u64, Value)> {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = crate::sockets_tour()
        .args(["run", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sockets-tour runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(script.as_bytes())
        .expect("the script is written");
    let out = child.wait_with_output().expect("sockets-tour ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .filter(|l| l.get("sockets").is_some())
        .map(|l| (l["step"].as_u64().unwrap(), l["sockets"].clone()))
        .collect()
}

#[test]
fn a_server_finds_its_own_sockets_alone_and_every_servers_with_the_adapter() {
    let script = concat!(
        "connect zoe\n",
        "zoe: socket.join(\"lobby\")\n",
        "io.fetchSockets()\n",
        "servers A B\n",
        "connect alice @A\n",
        "connect carol @B\n",
        "alice: socket.join(\"lobby\")\n",
        "carol: socket.join(\"lobby\")\n",
        "@A io.in(\"lobby\").fetchSockets()\n",
        "servers A B with adapter\n",
        "io.of(\"/chat\")\n",
        "connect alice @A\n",
        "connect carol @B\n",
        "connect dave /chat @B\n",
        "carol: socket.join([\"lobby\", \"vip\"])\n",
        "@A io.in(\"lobby\").fetchSockets()\n",
        "@A io.except(\"vip\").fetchSockets()\n",
        "@B io.of(\"/chat\").fetchSockets()\n",
        "@B io.in(alice.id).fetchSockets()\n",
    );
    assert_eq!(
        fetched(script),
        [
            (3, json!({"zoe": {"rooms": ["lobby"]}})),
            (9, json!({"alice": {"rooms": ["lobby"], "server": "A"}})),
            (
                16,
                json!({"carol": {"rooms": ["lobby", "vip"], "server": "B"}})
            ),
            (17, json!({"alice": {"rooms": [], "server": "A"}})),
            (18, json!({"dave": {"rooms": [], "server": "B"}})),
            (19, json!({"alice": {"rooms": [], "server": "A"}})),
        ]
    );
}
