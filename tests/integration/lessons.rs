//! Every lesson's plain transcript, snapshotted (a new lesson gets a snapshot
//! by itself), and the same bytes on every run of every built-in lesson.

use sockets_tour::Output;
use sockets_tour::Setup;
use sockets_tour::Summary;

/// Runs a lesson's Markdown and returns its plain transcript.
fn transcript(runtime: &tokio::runtime::Runtime, markdown: &str) -> (String, Summary) {
    let lesson = sockets_tour::parse_markdown(markdown).expect("the lesson parses");
    let mut out = Vec::new();
    let summary = runtime
        .block_on(sockets_tour::run_lesson(
            &lesson,
            &mut out,
            &Setup::loopback(Output::default()),
        ))
        .expect("the lesson runs");
    (
        String::from_utf8(out).expect("the transcript is UTF-8"),
        summary,
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn every_lesson_transcript() {
    let runtime = runtime();
    insta::glob!("../../lessons", "*.md", |path| {
        let markdown = std::fs::read_to_string(path).unwrap();
        let (text, summary) = transcript(&runtime, &markdown);
        assert_eq!(
            summary.mismatched,
            0,
            "{}: prediction and observation disagree:\n{text}",
            path.display()
        );
        assert!(summary.steps > 0, "{} has no steps", path.display());
        insta::assert_snapshot!(text);
    });
}

#[test]
fn every_lesson_is_identical_twenty_times() {
    let runtime = runtime();
    assert!(!sockets_tour::BUILTIN.is_empty());
    for (name, markdown) in sockets_tour::BUILTIN {
        let (first, _) = transcript(&runtime, markdown);
        for run in 2..=20 {
            let (again, _) = transcript(&runtime, markdown);
            assert_eq!(
                first, again,
                "run {run} of the {name} lesson differs from run 1"
            );
        }
    }
}

/// A presenter on a 24-row projector: no page of `--step` is taller than
/// the screen less its pause line, at 60 or 80 columns.
#[test]
fn every_step_page_fits_a_24_row_screen() {
    let runtime = runtime();
    for (name, markdown) in sockets_tour::BUILTIN {
        let lesson = sockets_tour::parse_markdown(markdown).unwrap();
        for width in [60, 80] {
            let output = sockets_tour::Output::Transcript {
                color: false,
                width,
            };
            let heights = runtime
                .block_on(sockets_tour::page_heights(&lesson, output, 24))
                .unwrap();
            assert!(heights.len() > 3, "{name}: {heights:?}");
            for (page, rows) in heights.iter().enumerate() {
                assert!(
                    *rows <= 23,
                    "{name} at {width}: page {} has {rows} rows: {heights:?}",
                    page + 1
                );
            }
        }
    }
}
