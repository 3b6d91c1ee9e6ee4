//! Every built-in exercise, graded on the live server against its
//! reference solution and its variants: the wrong answers a learner tries
//! (no handler, a hard-coded name or value, the wrong server, socket or
//! members) fail with a reason that names the condition or the variant,
//! and at least two differently written right answers pass.

use std::net::{Ipv4Addr, SocketAddr};

use sockets_tour::{Ending, Piped, Placed, Practice, Servers, Transcript};

mod acks;
mod cases;
mod later;
mod queries;
mod reconnect;

use acks::ACKS;
use cases::{Case, EARLY};
use later::LATER;
use queries::QUERIES;
use reconnect::RECONNECT;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Practises one exercise with one answer (its lines, then an empty line
/// and `skip`): how it ended, and what practice printed.
fn try_answer(
    runtime: &tokio::runtime::Runtime,
    placed: &Placed,
    answer: &str,
) -> (Ending, String) {
    let input = format!("{}\n\nskip\n", answer.trim_end());
    let mut prompt = Piped::new(input.as_bytes());
    let mut out = Vec::new();
    let endings = runtime
        .block_on(async {
            let mut session = Practice {
                out: Transcript::new(&mut out, false),
                prompt: &mut prompt,
                servers: Servers::from(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            };
            session
                .practice("test", std::slice::from_ref(placed), &mut |_, _| {})
                .await
        })
        .expect("practice runs");
    (endings[0], String::from_utf8(out).unwrap())
}

/// Text with every run of whitespace one space, as wrapping leaves it aside.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_builtin_exercise_fails_wrong_answers_and_passes_two_right_ones() {
    let runtime = runtime();
    let mut covered = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for case in EARLY
        .iter()
        .chain(LATER)
        .chain(ACKS)
        .chain(RECONNECT)
        .chain(QUERIES)
    {
        let lesson =
            sockets_tour::parse_markdown(sockets_tour::builtin(case.lesson).unwrap()).unwrap();
        let exercises = Placed::all_of(&lesson).unwrap();
        let placed = &exercises[case.number - 1];
        covered.insert((case.lesson, case.number));
        assert!(
            case.right.len() >= 2,
            "{} {}: two right answers",
            case.lesson,
            case.number
        );
        for (answer, reason) in case.wrong {
            let (ending, text) = try_answer(&runtime, placed, answer);
            if ending == Ending::Solved || !squeezed(&text).contains(&squeezed(reason)) {
                failures.push(format!(
                    "{} {}: `{answer}` should fail with “{reason}”:\n{text}",
                    case.lesson, case.number
                ));
            }
        }
        for answer in case.right {
            let (ending, text) = try_answer(&runtime, placed, answer);
            if ending != Ending::Solved {
                failures.push(format!(
                    "{} {}: `{answer}` should pass:\n{text}",
                    case.lesson, case.number
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every built-in exercise has its row.
    for (name, text) in sockets_tour::BUILTIN {
        let lesson = sockets_tour::parse_markdown(text).unwrap();
        let count = Placed::all_of(&lesson).unwrap().len();
        assert!(count >= 4, "{name} has {count} exercises");
        for number in 1..=count {
            assert!(
                covered.contains(&(*name, number)),
                "{name} {number} has no row"
            );
        }
    }
}

/// An exercise whose reference solution does not even run on its own
/// declared variant (p is not connected there).
const FAILS_ITS_VARIANT: &str = "```exercise\ngoal: g\nsetup: connect p\nsetup: connect q\nexpect event: \"z\"\nexpect receivers: q\nhint: h\nsolution: p: socket.broadcast.emit(\"z\")\nvariant: p is gone\nvariant setup: connect q\n```\n";

#[test]
fn check_refuses_on_every_lesson_a_copied_solution_and_one_that_fails_its_variants() {
    let dir = std::env::temp_dir().join(format!("sockets-tour-copies-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in sockets_tour::BUILTIN {
        let first_step = text
            .split("```tour\n")
            .nth(1)
            .and_then(|block| block.lines().next())
            .unwrap();
        let copy = format!(
            "```exercise\ngoal: copy\nexpect receivers: -\nhint: h\nsolution: {first_step}\n```\n"
        );
        let file = dir.join(format!("{name}.md"));
        std::fs::write(&file, format!("{text}\n{copy}\n{FAILS_ITS_VARIANT}")).unwrap();
        let out = crate::sockets_tour()
            .args(["check", file.to_str().unwrap()])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{name}: {stdout}");
        assert!(
            stdout.contains(&format!(
                "its solution line `{first_step}` is in the lesson's own steps"
            )),
            "{name}: {stdout}"
        );
        assert!(
            stdout.contains("on the variant \"p is gone\", its solution does not parse"),
            "{name}: {stdout}"
        );
        // The lesson's own exercises are all sound: only the two added fail.
        assert!(stdout.contains("2 of "), "{name}: {stdout}");
    }
}

#[test]
fn ping_pong_answered_without_a_handler_then_hard_coded_then_right() {
    let lesson = sockets_tour::parse_markdown(sockets_tour::builtin("broadcast").unwrap()).unwrap();
    let exercises = Placed::all_of(&lesson).unwrap();
    let input = [
        r#"carol: socket.emit("pong")"#,
        r#"on "ping": io.to(carol.id).emit("pong", msg)"#,
        "hint",
        r#"on "ping": io.to(socket.id).emit("pong", msg)"#,
    ]
    .join("\n")
        + "\n";
    let mut prompt = Piped::new(input.as_bytes());
    let mut out = Vec::new();
    let endings = runtime()
        .block_on(async {
            let mut session = Practice {
                out: Transcript::new(&mut out, false),
                prompt: &mut prompt,
                servers: Servers::from(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            };
            session
                .practice("Broadcast", &exercises[..1], &mut |_, _| {})
                .await
        })
        .unwrap();
    assert_eq!(endings, [Ending::Solved]);
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

/// A lesson whose exercise has a `then:` line that does not parse is
/// refused when it loads, by every mode that reads it, with the file, line
/// and column of that line: not first when a learner answers.
#[test]
fn an_exercise_then_line_that_does_not_parse_is_refused_when_the_lesson_loads() {
    let dir = std::env::temp_dir().join(format!("sockets-tour-then-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("typo.md");
    std::fs::write(
        &file,
        "# Typo\n\n```tour\nconnect alice\nconnect bob\n```\n\n```exercise\ngoal: Send \"news\" to everyone.\nexpect event: \"news\"\nexpect receivers: alice bob\nthen: bob> socket.emitt(\"x\")\nhint: io.emit\nsolution: io.emit(\"news\", \"hi\")\n```\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    for args in [
        vec!["run", path],
        vec!["practice", path],
        vec!["check", path],
    ] {
        let out = crate::sockets_tour()
            .args(&args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let said = format!("{stdout}{stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert!(
            said.contains("the exercise at line 8: its `then:` line does not parse")
                && said.contains(&format!("--> {path}:12:12")),
            "{args:?}: {said}"
        );
        // Refused before anything ran: no step, no exercise prompt.
        assert!(!stdout.contains("connected to /"), "{args:?}: {stdout}");
        assert!(!stdout.contains("Type one statement"), "{args:?}: {stdout}");
    }
}
