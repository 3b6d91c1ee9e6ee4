//! Grading from step reports built by hand: each kind of miss, and the
//! parts of a try that are not graded.

use serde_json::json;

use super::*;
use crate::report::{Absence, Room};

/// The expectations of an exercise block with these `expect` lines.
fn expect(lines: &str) -> Expect {
    let block = format!("```exercise\ngoal: g\nhint: h\nsolution: io.emit(\"x\")\n{lines}\n```\n");
    let lesson = crate::lesson::parse_markdown(&block).unwrap();
    lesson.exercises().unwrap()[0].expect.clone()
}

fn report(outcome: Outcome) -> StepReport {
    StepReport::new(1, "code".to_owned(), outcome)
}

fn emit(event: &str, deliveries: &[(&str, Delivery)]) -> Outcome {
    Outcome::Emit {
        event: event.to_owned(),
        deliveries: deliveries
            .iter()
            .map(|(n, d)| ((*n).to_owned(), d.clone()))
            .collect(),
    }
}

fn got(args: Value) -> Delivery {
    Delivery::Received(args.as_array().unwrap().clone())
}

fn joined(name: &str, rooms: &[&str]) -> Outcome {
    Outcome::Rooms(BTreeMap::from([(
        name.to_owned(),
        rooms.iter().map(|r| (*r).to_owned()).collect(),
    )]))
}

fn connected(name: &str, error: Option<&str>) -> Outcome {
    Outcome::Connect {
        name: name.to_owned(),
        ns: "/".to_owned(),
        server: None,
        error: error.map(str::to_owned),
        error_data: None,
        no_namespace: false,
    }
}

fn none() -> RoomsNow {
    RoomsNow::new()
}

/// Clients of `/` and their rooms.
fn in_rooms(clients: &[(&str, &[&str])]) -> RoomsNow {
    clients
        .iter()
        .map(|(name, rooms)| {
            let rooms = rooms.iter().map(|r| (*r).to_owned()).collect();
            ((*name).to_owned(), ("/".to_owned(), rooms))
        })
        .collect()
}

fn texts(verdict: &Verdict) -> Vec<String> {
    verdict.misses.iter().map(ToString::to_string).collect()
}

#[test]
fn the_right_receivers_pass_and_each_miss_is_explained() {
    let e = expect("expect event: \"news\"\nexpect receivers: bob carol\n");
    let start = vec![
        (Part::Start, report(connected("alice", None))),
        (Part::Start, report(joined("alice", &["lobby"]))),
    ];
    let right = emit(
        "news",
        &[
            (
                "alice",
                Delivery::Missed(Reason::Excepted {
                    room: Room::Name("mods".into()),
                }),
            ),
            ("bob", got(json!(["hi"]))),
            ("carol", got(json!(["hi"]))),
        ],
    );
    let mut reports = start.clone();
    reports.push((Part::Answer, report(right)));
    assert!(grade(&e, &reports, &none(), &none()).passed());

    let wrong = emit(
        "news",
        &[
            ("alice", got(json!(["hi"]))),
            ("bob", got(json!(["hi"]))),
            (
                "carol",
                Delivery::Missed(Reason::NotInRooms {
                    rooms: vec![Room::Name("lobby".into())],
                }),
            ),
        ],
    );
    let mut reports = start;
    reports.push((Part::Answer, report(wrong)));
    assert_eq!(
        texts(&grade(
            &e,
            &reports,
            &in_rooms(&[("alice", &["lobby"])]),
            &none()
        )),
        [
            "alice got \"news\", but the goal leaves alice out (alice is in \"lobby\")",
            "carol should have got \"news\", and did not: not in \"lobby\"",
        ]
    );
}

#[test]
fn emits_in_the_start_are_not_graded_and_other_events_do_not_count() {
    let e = expect("expect event: \"news\"\nexpect receivers: bob\n");
    let reports = vec![
        (
            Part::Start,
            report(emit("news", &[("bob", got(json!([])))])),
        ),
        (
            Part::Answer,
            report(emit("chat", &[("bob", got(json!([])))])),
        ),
    ];
    assert_eq!(
        texts(&grade(&e, &reports, &none(), &none())),
        ["nothing emitted \"news\""]
    );
    // Nobody expected, nothing emitted: that is the goal met.
    let nobody = expect("expect event: \"news\"\nexpect receivers: -\n");
    assert!(grade(&nobody, &reports, &none(), &none()).passed());
}

#[test]
fn a_wrong_payload_is_a_miss() {
    let e = expect("expect receivers: bob\nexpect payload: [\"fire\"]\n");
    let reports = vec![(
        Part::Then,
        report(emit("news", &[("bob", got(json!(["smoke"])))])),
    )];
    assert_eq!(
        texts(&grade(&e, &reports, &none(), &none())),
        ["bob got \"news\" with [\"smoke\"], but the goal wants [\"fire\"]"]
    );
}

#[test]
fn rooms_after_the_try_are_the_servers_compared_exactly() {
    let e = expect("expect rooms: carol \"games\"\nexpect rooms: alice -\n");
    // What the server holds at the end, not what the reports show: a
    // connection handler's join is in no report.
    let after = in_rooms(&[("alice", &["games"]), ("carol", &[])]);
    assert_eq!(
        texts(&grade(&e, &[], &none(), &after)),
        [
            "alice should end in no room, but is in \"games\"",
            "carol should end in \"games\", but is in no room",
        ]
    );
    let e = expect("expect rooms: carol \"games\"\n");
    assert_eq!(
        texts(&grade(&e, &[], &none(), &in_rooms(&[("alice", &[])]))),
        ["carol should end in \"games\", but carol is not connected"]
    );
    let right = in_rooms(&[("carol", &["games"])]);
    assert!(grade(&e, &[], &none(), &right).passed());
}

#[test]
fn admissions_and_refusals_are_graded_from_the_connects() {
    let e = expect("expect admitted: ana max\nexpect refused: gus zed\n");
    let reports = vec![
        (Part::Then, report(connected("ana", None))),
        (Part::Then, report(connected("gus", None))),
        (Part::Then, report(connected("max", Some("not allowed")))),
    ];
    assert_eq!(
        texts(&grade(&e, &reports, &none(), &none())),
        [
            "max should be admitted, but a middleware refused it (\"not allowed\")",
            "gus should be refused, but was admitted",
            "zed should be refused, but never tried to connect",
        ]
    );
}

#[test]
fn a_failed_answer_is_a_miss_even_when_nobody_is_expected() {
    let e = expect("expect receivers: -\n");
    let reports = vec![(
        Part::Answer,
        report(Outcome::Error("client bob is not connected".into())),
    )];
    assert_eq!(
        texts(&grade(&e, &reports, &none(), &none())),
        ["`code` failed: client bob is not connected"]
    );
}

#[test]
fn the_senders_acknowledgement_in_the_graded_lines_is_compared() {
    let e = expect("expect ack: [{\"status\": \"ok\"}]\n");
    let mut acked = report(Outcome::Answered);
    acked.ack = Some(BTreeMap::from([(
        "alice".to_owned(),
        vec![json!({"status": "ok"})],
    )]));
    assert!(grade(&e, &[(Part::Then, acked.clone())], &none(), &none()).passed());
    // The same acknowledgement in the start does not count.
    assert!(!grade(&e, &[(Part::Start, acked)], &none(), &none()).passed());
    let mut wrong = report(Outcome::Answered);
    wrong.ack = Some(BTreeMap::from([("alice".to_owned(), vec![json!("ok")])]));
    assert_eq!(
        texts(&grade(&e, &[(Part::Then, wrong)], &none(), &none())),
        ["the acknowledgement carried [\"ok\"], but the goal wants [{\"status\":\"ok\"}]"]
    );
}

#[test]
fn a_missing_acknowledgement_is_a_miss() {
    let e = expect("expect ack: [{\"status\": \"ok\"}]\n");
    assert_eq!(
        texts(&grade(&e, &[], &none(), &none())),
        ["the sender should get an acknowledgement with [{\"status\":\"ok\"}], and none came"]
    );
    // Refusals from the server's state read as the receipt does.
    let why = Reason::NotConnected(Absence::Rejected("no".into()));
    let e = expect("expect receivers: bob\n");
    let reports = vec![(
        Part::Answer,
        report(emit("x", &[("bob", Delivery::Missed(why))])),
    )];
    assert_eq!(
        texts(&grade(&e, &reports, &none(), &none())),
        ["bob should have got \"x\", and did not: not connected: a middleware refused it (\"no\")"]
    );
}
