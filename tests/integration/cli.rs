//! The binary itself: help, exit codes, bad input, and `run --json` on the
//! shared examples against what the official server did with them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tour(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sockets-tour"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `../shared/examples`, beside the checkout (as in CI).
fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/examples")
}

#[test]
fn help_lists_every_lesson_and_command() {
    let o = tour(&["--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for name in ["rooms", "list", "all", "run", "--color", "--step"] {
        assert!(
            text.contains(name),
            "--help does not mention {name}:\n{text}"
        );
    }
}

#[test]
fn unknown_subcommand_is_bad_usage() {
    let o = tour(&["roms"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unrecognized subcommand 'roms'"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("rooms"),
        "no suggestion: {}",
        stderr(&o)
    );
}

#[test]
fn missing_file_is_bad_input() {
    let o = tour(&["run", "no/such/lesson.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read no/such/lesson.md"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn syntax_error_names_file_line_and_column_before_running() {
    let dir = std::env::temp_dir().join(format!("sockets-tour-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.tour");
    std::fs::write(
        &file,
        "connect alice\nio.emit(\"ok\")\nalice: socket.jion(\"r\")\n",
    )
    .unwrap();
    let o = tour(&["run", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad.tour:3:15"), "{err}");
    assert!(err.contains("alice: socket.jion(\"r\")"), "{err}");
    assert!(err.contains("^"), "{err}");
    // Nothing ran: not even the valid first lines.
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn piped_output_has_no_colour_and_always_colour_does() {
    let plain = stdout(&tour(&["rooms"]));
    assert!(!plain.contains('\u{1b}'), "escape codes in piped output");
    let coloured = stdout(&tour(&["rooms", "--color", "always"]));
    assert!(
        coloured.contains('\u{1b}'),
        "no escape codes with --color always"
    );
    let no_color = Command::new(env!("CARGO_BIN_EXE_sockets-tour"))
        .args(["rooms"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&no_color).contains('\u{1b}'));
}

#[test]
fn list_names_the_lessons_in_order() {
    let o = tour(&["list"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let positions: Vec<usize> = sockets_tour::lesson::BUILTIN
        .iter()
        .map(|(name, _)| {
            text.find(&format!("  {name} "))
                .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(
        stdout(&tour(&[])),
        text,
        "no arguments should list the lessons"
    );
}

#[test]
fn run_json_matches_the_official_server_on_the_shared_examples() {
    let mut compared = 0;
    for entry in std::fs::read_dir(examples()).expect("../shared/examples exists") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "tour") {
            continue;
        }
        let expected = std::fs::read_to_string(path.with_extension("expected.ndjson")).unwrap();
        let o = tour(&["run", path.to_str().unwrap(), "--json"]);
        assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
        let ours = stdout(&o);
        for (i, (a, b)) in ours.lines().zip(expected.lines()).enumerate() {
            assert_eq!(a, b, "{} line {}", path.display(), i + 1);
        }
        assert_eq!(
            ours.lines().count(),
            expected.lines().count(),
            "{}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared >= 3, "only {compared} examples found");
}

#[test]
fn json_output_is_only_json() {
    let o = tour(&["rooms", "--json"]);
    assert!(o.status.success());
    for line in stdout(&o).lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
}

#[test]
fn check_passes_on_the_built_in_lessons() {
    let o = tour(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    for (name, _) in sockets_tour::lesson::BUILTIN {
        assert!(text.contains(&format!("ok   lessons/{name}.md")), "{text}");
    }
}

#[test]
fn check_refuses_a_lesson_without_title_summary_or_narration() {
    let dir = std::env::temp_dir().join(format!("sockets-tour-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bare.md");
    std::fs::write(&file, "```tour\nconnect alice\n```\n").unwrap();
    let o = tour(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    for problem in ["no `# Title`", "no one-line `> summary`", "no narration"] {
        assert!(text.contains(problem), "{problem} not reported:\n{text}");
    }
}
