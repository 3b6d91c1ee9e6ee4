//! Reading answers, grading them per client, and the ideas and score.

use std::collections::{BTreeMap, BTreeSet};

use super::answer::{parse_ack, parse_admission, parse_receivers, parse_yes_no};
use super::ideas::IDEAS;
use super::*;
use crate::report::{Delivery, Outcome, Reason, Room, StepReport};
use crate::script::{Statement, parse_line};

fn clients() -> BTreeSet<String> {
    ["alice", "bob", "carol"].map(str::to_owned).into()
}

/// A "who will receive" question (its words do not matter to grading).
fn who() -> Question {
    Question::Receivers {
        what: "\"x\"".to_owned(),
    }
}

fn admitted() -> Question {
    Question::Admission {
        name: "dave".to_owned(),
    }
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn answers_are_names_a_dash_or_a_question_mark() {
    let c = clients();
    assert_eq!(
        parse_receivers(" bob,carol ", &c),
        Ok(Prediction::Receivers(names(&["bob", "carol"])))
    );
    assert_eq!(
        parse_receivers("-", &c),
        Ok(Prediction::Receivers(names(&[])))
    );
    assert_eq!(parse_receivers("?", &c), Ok(Prediction::Skipped));
    assert_eq!(
        parse_receivers("bob dave", &c).unwrap_err(),
        "no client is named `dave`; the clients are alice, bob, carol (or `-` for nobody)"
    );
    assert!(
        parse_receivers("  ", &c)
            .unwrap_err()
            .contains("`-` for nobody")
    );
    assert_eq!(parse_admission("R"), Ok(Prediction::Admitted(false)));
    assert!(parse_admission("yes").is_err(), "yes does not say which");
    assert!(parse_admission("no").is_err());
    assert!(parse_admission("maybe").is_err());
}

fn sender_step() -> (Statement, StepReport) {
    let statement = parse_line(1, "alice: socket.to(\"lobby\").emit(\"chat\", \"hi\")")
        .unwrap()
        .unwrap();
    let report = StepReport::new(
        1,
        statement.code.clone(),
        Outcome::Emit {
            event: "chat".into(),
            deliveries: BTreeMap::from([
                (
                    "alice".to_owned(),
                    Delivery::Missed(Reason::Sender {
                        despite_rooms: vec![Room::Name("lobby".into())],
                        connecting: false,
                    }),
                ),
                ("bob".to_owned(), Delivery::Received(vec!["hi".into()])),
                (
                    "carol".to_owned(),
                    Delivery::Missed(Reason::NotInRooms {
                        rooms: vec![Room::Name("lobby".into())],
                    }),
                ),
            ]),
        },
    );
    (statement, report)
}

#[test]
fn a_wrong_guess_is_graded_per_client_with_the_real_reason() {
    let (statement, report) = sender_step();
    let graded = grade(
        &who(),
        &Prediction::Receivers(names(&["alice", "bob"])),
        &report,
    );
    assert!(!graded.right());
    let Graded::Receivers(clients) = &graded else {
        panic!("{graded:?}")
    };
    let wrong: Vec<String> = clients.iter().filter_map(wrong_because).collect();
    assert_eq!(
        wrong,
        ["you said alice: the sender: left out even though it is in \"lobby\""]
    );
    assert_eq!(
        graded.ideas(&statement),
        BTreeSet::from([Idea::SenderLeftOut])
    );

    let right = grade(&who(), &Prediction::Receivers(names(&["bob"])), &report);
    assert!(right.right());
    let mut score = Score::default();
    score.add(&graded, &statement);
    score.add(&right, &statement);
    score.add(&grade(&who(), &Prediction::Skipped, &report), &statement);
    assert_eq!((score.graded, score.right, score.skipped), (2, 1, 1));
    assert_eq!(score.ideas, BTreeMap::from([(Idea::SenderLeftOut, 1)]));
}

#[test]
fn leaving_out_a_receiver_points_at_what_the_form_reaches() {
    let (_, report) = sender_step();
    let to_rooms = parse_line(1, "io.to(\"lobby\").emit(\"chat\")")
        .unwrap()
        .unwrap();
    let graded = grade(&who(), &Prediction::Receivers(names(&[])), &report);
    let Graded::Receivers(clients) = &graded else {
        panic!()
    };
    let wrong: Vec<String> = clients.iter().filter_map(wrong_because).collect();
    assert_eq!(wrong, ["you left bob out, but bob got it"]);
    assert_eq!(graded.ideas(&to_rooms), BTreeSet::from([Idea::Rooms]));
}

#[test]
fn admission_guesses_are_graded_and_point_at_middleware() {
    let statement = parse_line(1, "connect gus /admin").unwrap().unwrap();
    let report = StepReport::new(
        1,
        statement.code.clone(),
        Outcome::Connect {
            name: "gus".into(),
            ns: "/admin".into(),
            server: None,
            error: Some("not allowed".into()),
            error_data: None,
            no_namespace: false,
        },
    );
    let graded = grade(&admitted(), &Prediction::Admitted(true), &report);
    assert!(!graded.right());
    assert_eq!(graded.ideas(&statement), BTreeSet::from([Idea::Middleware]));
    assert!(grade(&admitted(), &Prediction::Admitted(false), &report).right());
    // A receivers guess on a connect that emitted nothing: `-` is right,
    // a name is wrong.
    assert!(grade(&who(), &Prediction::Receivers(names(&[])), &report).right());
    assert!(!grade(&who(), &Prediction::Receivers(names(&["gus"])), &report).right());
}

#[test]
fn asks_before_emits_handled_emits_and_connects_that_may_be_refused() {
    let script = [
        "connect alice",                // 1: nothing to ask
        "connect bob",                  // 2
        "alice: socket.join(\"r\")",    // 3
        "io.to(\"r\").emit(\"x\")",     // 4: who receives?
        "alice> socket.emit(\"ping\")", // 5: no handler yet, asked all the same
        "on \"ping\": socket.emit(\"pong\")",
        "on \"join\": socket.join(msg)",
        "alice> socket.emit(\"ping\")",      // 8: its handler emits
        "bob> socket.emit(\"join\", \"r\")", // 9: its handler joins
        "use /admin require token \"t\"",
        "connect carol /admin", // 11: guarded
        "connect dave /other",  // 12: not declared
        "io.of(\"/other\")",
        "connect dave /other", // 14: declared, open
        "on \"connection\": socket.emit(\"hi\")",
        "connect erin", // 16: the connection handler emits
        "on \"disconnect\": io.emit(\"bye\", msg)",
        "disconnect bob", // 18: the disconnect handler emits
    ]
    .join("\n");
    let statements = crate::script::parse_script(&script).unwrap();
    let mut asker = Asker::default();
    let asked: Vec<(usize, Question)> = statements
        .iter()
        .flat_map(|s| asker.questions(s).into_iter().map(|q| (s.line, q)))
        .collect();
    let admission = |name: &str| Question::Admission {
        name: name.to_owned(),
    };
    let receivers = |what: &str| Question::Receivers {
        what: what.to_owned(),
    };
    assert_eq!(
        asked,
        [
            (4, receivers("\"x\"")),
            (5, receivers("anything from this \"ping\"")),
            (8, receivers("anything from this \"ping\"")),
            (9, receivers("anything from this \"join\"")),
            (11, admission("carol")),
            (12, admission("dave")),
            (16, receivers("\"hi\"")),
            (18, receivers("\"bye\"")),
        ]
    );
}

#[test]
fn every_idea_has_words() {
    for (idea, key, sentence) in IDEAS {
        assert_eq!(idea.key(), key);
        assert!(!sentence.is_empty());
    }
}

#[test]
fn names_read_in_any_case_with_commas_and_an_undeclared_namespace_is_its_own_idea() {
    let clients = names(&["alice", "bob"]);
    assert_eq!(
        parse_receivers("Alice,BOB", &clients),
        Ok(Prediction::Receivers(names(&["alice", "bob"])))
    );
    let statement = parse_line(1, "connect dave /nowhere").unwrap().unwrap();
    let report = StepReport::new(
        1,
        statement.code.clone(),
        Outcome::Connect {
            name: "dave".into(),
            ns: "/nowhere".into(),
            server: None,
            error: Some("Invalid namespace".into()),
            error_data: None,
            no_namespace: true,
        },
    );
    let graded = grade(&admitted(), &Prediction::Admitted(true), &report);
    assert_eq!(
        graded.ideas(&statement),
        BTreeSet::from([Idea::NoNamespace])
    );
}

#[test]
fn an_ack_is_asked_after_who_receives_and_a_return_after_what_went_out_meanwhile() {
    let script = [
        "connect alice",
        "connect bob",
        "on \"order\": callback(msg)",
        "alice> socket.emit(\"order\", 1, ack)", // 4: who, then the ack
        "disconnect bob",
        "io.emit(\"order\", 2)",
        "alice> socket.emit(\"order\", 3)", // 7: its handler sends nothing
        "connect bob",                      // 8: "order" went out meanwhile
        "disconnect bob",
        "connect bob", // 10: nothing went out meanwhile: no question
        "alice: socket.disconnect()",
        "bob> socket.emit(\"order\", 9, ack)", // 12: who, then the ack
        "connect alice",                       // 13: the ack's emit sent nothing on
        "bob: socket.disconnect()",
        "io.emit(\"news\", 1)",
        "io.emit(\"order\", 2)",
        "connect bob", // 17: both went out meanwhile
    ]
    .join("\n");
    let statements = crate::script::parse_script(&script).unwrap();
    let mut asker = Asker::default();
    let asked: Vec<(usize, Question)> = statements
        .iter()
        .flat_map(|s| asker.questions(s).into_iter().map(|q| (s.line, q)))
        .collect();
    let anything = Question::Receivers {
        what: "anything from this \"order\"".to_owned(),
    };
    assert_eq!(
        asked,
        [
            (4, anything.clone()),
            (
                4,
                Question::Ack {
                    name: "alice".to_owned(),
                    event: "\"order\"".to_owned(),
                }
            ),
            (
                6,
                Question::Receivers {
                    what: "\"order\"".to_owned(),
                }
            ),
            (7, anything),
            (
                8,
                Question::Missed {
                    name: "bob".to_owned(),
                    events: vec!["order".to_owned()],
                }
            ),
            (
                12,
                Question::Receivers {
                    what: "anything from this \"order\"".to_owned(),
                }
            ),
            (
                12,
                Question::Ack {
                    name: "bob".to_owned(),
                    event: "\"order\"".to_owned(),
                }
            ),
            (
                15,
                Question::Receivers {
                    what: "\"news\"".to_owned(),
                }
            ),
            (
                16,
                Question::Receivers {
                    what: "\"order\"".to_owned(),
                }
            ),
            (
                17,
                Question::Missed {
                    name: "bob".to_owned(),
                    events: vec!["news".to_owned(), "order".to_owned()],
                }
            ),
        ]
    );
}

#[test]
fn ack_answers_are_json_arguments_or_a_dash_and_returns_are_yes_or_no() {
    assert_eq!(
        parse_ack(r#"{"status": "ok"}, 2"#),
        Ok(Prediction::Ack(Some(vec![
            serde_json::json!({"status": "ok"}),
            serde_json::json!(2)
        ])))
    );
    assert_eq!(parse_ack(" - "), Ok(Prediction::Ack(None)));
    assert_eq!(parse_ack("?"), Ok(Prediction::Skipped));
    assert!(parse_ack("ok").unwrap_err().contains("not JSON"));
    assert_eq!(parse_yes_no("Yes"), Ok(Prediction::GetsMissed(true)));
    assert_eq!(parse_yes_no("n"), Ok(Prediction::GetsMissed(false)));
    assert!(parse_yes_no("a").is_err());
}

#[test]
fn an_ack_guess_is_graded_against_what_the_callback_got() {
    let statement = parse_line(1, "alice> socket.emit(\"order\", 1, ack)")
        .unwrap()
        .unwrap();
    let ack = Question::Ack {
        name: "alice".to_owned(),
        event: "\"order\"".to_owned(),
    };
    let mut report = StepReport::new(1, statement.code.clone(), Outcome::Answered);
    report.ack = Some(BTreeMap::from([(
        "alice".to_owned(),
        vec![serde_json::json!({"ok": true})],
    )]));
    let said_ok = Prediction::Ack(Some(vec![serde_json::json!({"ok": true})]));
    assert!(grade(&ack, &said_ok, &report).right());
    let none = grade(&ack, &Prediction::Ack(None), &report);
    assert!(none.counts() && !none.right());
    assert_eq!(none.ideas(&statement), BTreeSet::from([Idea::Ack]));
    assert_eq!(
        what_came(&none).map(|(_, why)| why).as_deref(),
        Some(r#"alice's ack callback got {"ok":true}"#)
    );
    // No acknowledgement came: `-` is right, a value is wrong.
    report.ack = Some(BTreeMap::new());
    assert!(grade(&ack, &Prediction::Ack(None), &report).right());
    assert!(!grade(&ack, &said_ok, &report).right());
    // The emit never left (an error): nothing to grade.
    report.ack = None;
    assert_eq!(grade(&ack, &said_ok, &report), Graded::Ungradable);
}

#[test]
fn a_returning_clients_guess_is_graded_against_what_it_received() {
    let statement = parse_line(1, "connect bob").unwrap().unwrap();
    let missed = Question::Missed {
        name: "bob".to_owned(),
        events: vec!["order".to_owned()],
    };
    let mut report = StepReport::new(
        1,
        statement.code.clone(),
        Outcome::Connect {
            name: "bob".into(),
            ns: "/".into(),
            server: None,
            error: None,
            error_data: None,
            no_namespace: false,
        },
    );
    let no = Prediction::GetsMissed(false);
    let yes = Prediction::GetsMissed(true);
    assert!(grade(&missed, &no, &report).right());
    let wrong = grade(&missed, &yes, &report);
    assert!(!wrong.right());
    assert_eq!(wrong.ideas(&statement), BTreeSet::from([Idea::AtMostOnce]));
    // Had the server sent it again, the observation would say so.
    report
        .received
        .insert("bob".to_owned(), vec!["order".to_owned()]);
    assert!(grade(&missed, &yes, &report).right());
    assert!(!grade(&missed, &no, &report).right());
    assert_eq!(
        what_came(&grade(&missed, &no, &report))
            .map(|(_, why)| why)
            .as_deref(),
        Some("bob got \"order\" on connecting again")
    );
}

#[test]
fn a_receiver_named_for_an_event_nothing_answered_points_at_the_missing_handler() {
    let statement = parse_line(1, "alice> socket.emit(\"hello\")")
        .unwrap()
        .unwrap();
    let report = StepReport::new(
        1,
        statement.code.clone(),
        Outcome::Unhandled {
            ns: "/".into(),
            event: "hello".into(),
        },
    );
    let graded = grade(&who(), &Prediction::Receivers(names(&["bob"])), &report);
    assert!(!graded.right());
    assert_eq!(graded.ideas(&statement), BTreeSet::from([Idea::Unanswered]));
    assert!(grade(&who(), &Prediction::Receivers(names(&[])), &report).right());
}
