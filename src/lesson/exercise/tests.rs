//! The block format: every key, the starting state, and malformed blocks
//! with the line and the message an author sees.

use std::collections::BTreeSet;

use super::*;

const EXAMPLE: &str = "goal: Send \"news\" to everyone in \"lobby\" except alice,\ngoal: in one statement.\n# a comment\n\nexpect event: \"news\"\nexpect receivers: bob carol\nhint: `io.to(room)` picks a room.\nhint: alice is the only one in \"games\".\nsolution: io.to(\"lobby\").except(\"games\").emit(\"news\", \"hi\")\n";

fn error_of(body: &str) -> (usize, String) {
    let e = parse_block(10, body).unwrap_err();
    (e.line, e.message)
}

#[test]
fn the_documented_example_parses() {
    let ex = parse_block(10, EXAMPLE).unwrap();
    assert_eq!(ex.line, 10);
    assert_eq!(
        ex.goal,
        "Send \"news\" to everyone in \"lobby\" except alice, in one statement."
    );
    assert!(ex.setup.is_empty());
    assert_eq!(ex.expect.event.as_deref(), Some("news"));
    assert_eq!(
        ex.expect.receivers,
        Some(BTreeSet::from(["bob".to_owned(), "carol".to_owned()]))
    );
    assert_eq!(ex.hints.len(), 2);
    assert_eq!(ex.solution[0].number, 19);
    assert_eq!(ex.max_statements, 1);
}

#[test]
fn every_expect_key_parses() {
    let body = "goal: g\nsetup: connect alice\nthen: connect bob\nexpect receivers: -\nexpect payload: [1, {\"a\": 2}]\nexpect rooms: alice \"lobby\" \"games\"\nexpect rooms: bob -\nexpect admitted: alice\nexpect refused: bob carol\nexpect ack: [{\"status\": \"ok\"}]\nhint: h\nsolution: a\nsolution: b\nstatements: 2\n";
    let ex = parse_block(1, body).unwrap();
    assert_eq!(ex.expect.receivers, Some(BTreeSet::new()));
    assert_eq!(
        ex.expect.payload,
        Some(vec![serde_json::json!(1), serde_json::json!({"a": 2})])
    );
    assert_eq!(ex.expect.rooms["alice"].len(), 2);
    assert!(ex.expect.rooms["bob"].is_empty());
    assert_eq!(ex.expect.refused.as_ref().map(BTreeSet::len), Some(2));
    assert_eq!(
        ex.expect.ack,
        Some(vec![serde_json::json!({"status": "ok"})])
    );
    assert_eq!(ex.setup[0].number, 3);
    assert_eq!(ex.then[0].text, "connect bob");
    assert_eq!(ex.max_statements, 2);
}

#[test]
fn malformed_blocks_name_the_line_and_say_what_to_do() {
    let base = "goal: g\nhint: h\nsolution: io.emit(\"x\")\n";
    let cases: [(&str, usize, &str); 12] = [
        (
            "goal g\n",
            11,
            "`goal g` is not `KEY: VALUE`; the keys are `goal:`",
        ),
        ("gaol: g\n", 11, "unknown key `gaol:`; the keys are `goal:`"),
        (
            "expect event: news\n",
            11,
            "`expect event:` takes the event name as a JSON string",
        ),
        (
            "expect event: \"a\"\nexpect event: \"b\"\n",
            12,
            "`expect event:` appears twice",
        ),
        (
            "expect receivers: bob -\n",
            11,
            "mixes `-` (nobody) with names",
        ),
        (
            "expect receivers: bob 2x\n",
            11,
            "`2x` is not a client name",
        ),
        ("expect receivers: bob bob\n", 11, "names a client twice"),
        (
            "expect payload: \"hi\"\n",
            11,
            "`expect payload:` takes a JSON array",
        ),
        (
            "expect rooms: bob lobby\n",
            11,
            "`expect rooms:` takes a name, then its rooms as JSON strings",
        ),
        ("expect rooms: bob\n", 11, "`expect rooms:` takes a name"),
        (
            "statements: 0\n",
            11,
            "`statements:` takes a whole number of 1 or more",
        ),
        ("hint:\n", 11, "`hint:` has no value"),
    ];
    for (extra, line, message) in cases {
        let body = format!("{extra}expect admitted: bob\n{base}");
        let (got_line, got) = error_of(&body);
        assert_eq!(got_line, line, "{extra:?}: {got}");
        assert!(got.contains(message), "{extra:?}: {got}");
    }
}

#[test]
fn a_block_without_goal_hint_solution_or_expect_is_refused() {
    let (line, message) = error_of("hint: h\nsolution: s\nexpect receivers: -\n");
    assert_eq!(line, 10);
    assert!(message.contains("no `goal:` line"), "{message}");
    let (_, message) = error_of("goal: g\nsolution: s\nexpect receivers: -\n");
    assert!(message.contains("no `hint:` line"), "{message}");
    let (_, message) = error_of("goal: g\nhint: h\nexpect receivers: -\n");
    assert!(message.contains("no `solution:` line"), "{message}");
    let (_, message) = error_of("goal: g\nhint: h\nsolution: s\nexpect event: \"x\"\n");
    assert!(message.contains("any answer would pass"), "{message}");
}

#[test]
fn a_solution_longer_than_statements_allows_is_refused() {
    let (line, message) = error_of(
        "goal: g\nhint: h\nexpect receivers: -\nsolution: connect a\nsolution: connect b\n",
    );
    assert_eq!(line, 14);
    assert!(
        message.contains("2 statements but `statements:` allows 1"),
        "{message}"
    );
}

#[test]
fn require_vary_and_variant_keys_parse() {
    let body = "goal: g\nsetup: connect alice\nexpect receivers: alice\nrequire: on /orders \"ping\"\nrequire: uses to except\nrequire: server B\nvary: rename extra\nvariant: alice in lobby\nvariant setup: connect alice\nvariant setup: alice: socket.join(\"lobby\")\nhint: h\nsolution: s\n";
    let ex = parse_block(1, body).unwrap();
    assert_eq!(ex.require.len(), 3);
    assert_eq!(ex.require[0].to_string(), "on /orders \"ping\"");
    assert_eq!(ex.require[1].to_string(), "uses to except");
    assert_eq!(ex.vary.len(), 2);
    assert_eq!(ex.variants.len(), 1);
    assert_eq!(ex.variants[0].setup.len(), 2);
    assert!(ex.variants[0].then.is_empty());
    assert_eq!(
        error_of("goal: g\nvariant then: x\n"),
        (
            12,
            "`variant then:` comes before any `variant:` line; start a variant with `variant: LABEL`"
                .to_owned()
        )
    );
    assert!(
        error_of("goal: g\nrequire: uses tu\n")
            .1
            .contains("does not know `tu`")
    );
    assert!(
        error_of("goal: g\nvary: all\n")
            .1
            .contains("the kinds are rename")
    );
}
