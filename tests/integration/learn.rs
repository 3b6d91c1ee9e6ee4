//! Exercises, predictions and progress: `practice` graded by the live
//! server, with piped answers.

use std::net::{Ipv4Addr, SocketAddr};

use sockets_tour::learn::practice::{self, Ending, Session};
use sockets_tour::learn::prompt::Piped;
use sockets_tour::lesson;
use sockets_tour::render::Transcript;

const LESSON: &str = include_str!("../lessons/practice-rooms.md");

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn loopback() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

/// Runs the test lesson's exercises with `answers` piped in.
fn practise(answers: &str) -> (String, Vec<Ending>) {
    let lesson = lesson::parse_markdown(LESSON).unwrap();
    let exercises = practice::exercises_of(LESSON, &lesson).unwrap();
    let mut out = Vec::new();
    let mut prompt = Piped::new(answers.as_bytes());
    let endings = runtime()
        .block_on(async {
            let mut session = Session {
                out: Transcript::new(&mut out, false),
                prompt: &mut prompt,
                listen: loopback(),
            };
            session
                .practice("Practice rooms", &exercises, &mut |_, _| {})
                .await
        })
        .unwrap();
    (String::from_utf8(out).unwrap(), endings)
}

#[test]
fn every_exercise_of_the_test_lesson_is_sound() {
    let lesson = lesson::parse_markdown(LESSON).unwrap();
    let exercises = practice::exercises_of(LESSON, &lesson).unwrap();
    assert_eq!(exercises.len(), 3);
    let runtime = runtime();
    for placed in &exercises {
        let problems = runtime
            .block_on(practice::verify(placed, loopback()))
            .unwrap();
        assert!(
            problems.is_empty(),
            "line {}: {problems:?}",
            placed.exercise.line
        );
    }
}

#[test]
fn practice_with_wrong_tries_a_hint_and_a_different_right_answer() {
    let (text, endings) = practise(
        "io.to(\"lobby\").emit(\"news\", \"x\")\nhint\nio.to(\"lobby\").emt(1)\nalice: socket.to([\"lobby\", \"games\"]).emit(\"news\", \"x\")\nsolution\nskip\n",
    );
    assert_eq!(endings, [Ending::Solved, Ending::Shown, Ending::Skipped]);
    insta::assert_snapshot!(text);
}
