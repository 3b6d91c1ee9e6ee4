//! The binary itself: help, exit codes, bad input, and `run --json` on the
//! shared examples against what the official server did with them.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

fn tour(args: &[&str]) -> Output {
    crate::sockets_tour()
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

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sockets-tour-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `help` has a command-list (or option-list) line for `name`.
fn lists(help: &str, name: &str) -> bool {
    help.lines().any(|l| {
        l.strip_prefix("  ")
            .is_some_and(|rest| rest.split_whitespace().next() == Some(name))
    })
}

#[test]
fn help_lists_every_lesson_and_command() {
    let o = tour(&["--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for name in ["list", "all", "run", "check", "help"] {
        assert!(lists(&text, name), "--help does not list {name}:\n{text}");
    }
    for (name, markdown) in sockets_tour::BUILTIN {
        let summary = sockets_tour::parse_markdown(markdown)
            .unwrap()
            .summary
            .unwrap_or_else(|| panic!("{name} has no summary"));
        // clap may wrap a long summary: its first words are on the name's line.
        let start: String = summary
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("  {name} ")) && l.contains(&start)),
            "--help does not list {name} with its summary:\n{text}"
        );
    }
}

#[test]
fn run_options_are_on_the_commands_that_run() {
    for command in ["rooms", "run", "all"] {
        let help = stdout(&tour(&[command, "--help"]));
        for option in ["--color", "--step", "--listen", "--redis"] {
            assert!(
                help.contains(&format!("  {option} ")) || help.contains(&format!("  {option}\n")),
                "`{command} --help` does not list {option}:\n{help}"
            );
        }
        assert_eq!(help.contains("  --json"), command != "all", "{help}");
    }
    let o = tour(&["rooms", "--color", "never"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for command in ["check", "list"] {
        for option in [
            &["--color", "never"][..],
            &["--step"],
            &["--listen", "127.0.0.1:0"],
        ] {
            let args: Vec<&str> = [command].iter().chain(option).copied().collect();
            let o = tour(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?} was accepted");
            assert!(stderr(&o).contains(option[0]), "{args:?}: {}", stderr(&o));
        }
    }
}

/// Exit 2 before anything runs, with `says` on stderr.
fn assert_bad_usage(args: &[&str], says: &str) {
    let o = tour(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
}

#[test]
fn step_with_json_is_bad_usage() {
    assert_bad_usage(&["rooms", "--step", "--json"], "cannot be used with");
}

/// Stdin stays open and silent: a run that waited for Enter would never end.
#[test]
fn step_does_not_wait_when_stdin_is_not_a_terminal() {
    let mut child = crate::sockets_tour()
        .args(["rooms", "--step"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stdin = child.stdin.take();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    let o = match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("the binary runs"),
        Err(_) => {
            drop(stdin); // lets the run go on and end
            panic!("`rooms --step` waited for Enter on a stdin that is not a terminal");
        }
    };
    drop(stdin);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("press Enter"), "{}", stdout(&o));
    assert_eq!(
        stdout(&o),
        stdout(&tour(&["rooms"])),
        "--step changed the transcript"
    );
    assert!(stderr(&o).contains("not pausing"), "{}", stderr(&o));
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
fn a_file_that_is_not_utf8_is_bad_input_and_says_so() {
    let file = scratch("utf8").join("latin1.md");
    std::fs::write(&file, b"# Caf\xe9\n\n```tour\nconnect alice\n```\n").unwrap();
    for command in ["run", "check"] {
        let o = tour(&[command, file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        // `check` reports each file on stdout and goes on with the others.
        let err = if command == "check" {
            stdout(&o)
        } else {
            stderr(&o)
        };
        assert!(err.contains("line 1 is not UTF-8"), "{command}: {err}");
        assert!(!err.contains("give the path"), "{command}: {err}");
    }
}

#[test]
fn run_on_a_file_without_statements_is_bad_input() {
    let dir = scratch("empty");
    for (name, text) in [
        ("empty.md", ""),
        ("prose.md", "# Title\n\n> Summary.\n\nOnly prose.\n"),
        ("empty.tour", "# only a comment\n"),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let o = tour(&["run", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("no statements in {}", file.display())),
            "{name}: {err}"
        );
        assert!(stdout(&o).is_empty(), "{name}");
    }
    let err = stderr(&tour(&["run", dir.join("empty.md").to_str().unwrap()]));
    assert!(err.contains("```tour blocks"), "{err}");
}

#[test]
fn markdown_extensions_are_case_insensitive() {
    let file = scratch("ext").join("LESSON.MD");
    std::fs::write(
        &file,
        "# Title\n\n> Summary.\n\nSay hi.\n\n```Tour\nconnect alice\n```\n",
    )
    .unwrap();
    let o = tour(&["run", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Title"), "{}", stdout(&o));
    let o = tour(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn syntax_error_names_file_line_and_column_before_running() {
    let file = scratch("cli").join("bad.tour");
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

/// Whether `auto` colours a terminal, and heeds NO_COLOR, is unit-tested in
/// `cli.rs`: a test's pipe is never a terminal.
#[test]
fn piped_output_has_no_colour_and_always_colour_does() {
    let plain = stdout(&tour(&["rooms"]));
    assert!(!plain.contains('\u{1b}'), "escape codes in piped output");
    let coloured = stdout(&tour(&["rooms", "--color", "always"]));
    assert!(
        coloured.contains('\u{1b}'),
        "no escape codes with --color always"
    );
}

#[test]
fn list_names_the_lessons_in_order() {
    let o = tour(&["list"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let positions: Vec<usize> = sockets_tour::BUILTIN
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
    let folders = [examples(), examples().join("v2")];
    let entries = folders
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).expect("../shared/examples and its v2/ exist"));
    for entry in entries {
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
    assert!(compared >= 6, "only {compared} examples found (v1 and v2)");
}

#[test]
fn json_output_is_only_json() {
    let o = tour(&["rooms", "--json"]);
    assert!(o.status.success());
    let markdown = sockets_tour::builtin("rooms").unwrap();
    let statements: Vec<usize> = sockets_tour::parse_markdown(markdown)
        .unwrap()
        .statements()
        .map(|s| s.line)
        .collect();
    let text = stdout(&o);
    let mut steps: Vec<usize> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert!(value["code"].is_string(), "no code: {line}");
            value["step"]
                .as_u64()
                .unwrap_or_else(|| panic!("no step: {line}")) as usize
        })
        .collect();
    // A step whose handlers emit has a line more per emit (the rooms
    // lesson's `disconnecting` handler): the same step, in a row.
    steps.dedup();
    assert_eq!(steps, statements, "not one step per statement:\n{text}");
}

#[test]
fn check_passes_on_the_built_in_lessons() {
    let o = tour(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    for (name, _) in sockets_tour::BUILTIN {
        assert!(text.contains(&format!("ok   lessons/{name}.md")), "{text}");
    }
}

#[test]
fn check_refuses_a_lesson_without_title_summary_or_narration() {
    let file = scratch("check").join("bare.md");
    std::fs::write(&file, "```tour\nconnect alice\n```\n").unwrap();
    let o = tour(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    for problem in ["no `# Title`", "no one-line `> summary`", "no narration"] {
        assert!(text.contains(problem), "{problem} not reported:\n{text}");
    }
}

#[test]
fn check_notes_run_time_errors_without_failing() {
    let file = scratch("notes").join("errors.md");
    std::fs::write(
        &file,
        "# Errors\n\n> Shows an error.\n\nA reserved name is refused.\n\n```tour\nconnect alice\nio.emit(\"connect\")\n```\n",
    )
    .unwrap();
    let o = tour(&["check", file.to_str().unwrap()]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    assert!(text.contains(&format!("ok   {}", file.display())), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("     note: line 9: `io.emit(\"connect\")`: error: ")),
        "{text}"
    );
}

#[test]
fn listen_on_an_address_not_of_this_machine_is_bad_input() {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: binding it fails.
    let o = tour(&["rooms", "--listen", "192.0.2.1:9"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--listen"), "{}", stderr(&o));
}

#[test]
fn play_runs_piped_lines_and_refuses_bad_ones_with_exit_2() {
    use std::io::Write as _;
    let mut child = crate::sockets_tour()
        .args(["play", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"connect alice\nalice: socket.jion(\"r\")\nalice: socket.join(\"r\")\nio.to(\"r\").emit(\"hi\")\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("<stdin>:2:15"), "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{}", stdout(&o));
    assert!(
        lines[2].contains(r#""receivers":["alice"]"#),
        "{}",
        lines[2]
    );
}

#[test]
fn check_goes_on_after_a_file_it_cannot_read() {
    let dir = scratch("check-missing");
    let good = dir.join("good.tour");
    std::fs::write(&good, "connect alice\nio.emit(\"x\")\n").unwrap();
    let o = tour(&["check", "no/such.md", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    assert!(text.contains("FAIL no/such.md"), "{text}");
    assert!(text.contains("good.tour (2 steps"), "{text}");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_script() {
    let file = scratch("bom").join("bom.tour");
    std::fs::write(&file, "\u{feff}connect alice\nio.emit(\"x\")\n").unwrap();
    let o = tour(&["run", file.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2);
}

/// Runs the binary with `input` on stdin.
fn tour_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = crate::sockets_tour()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn show_prints_a_lessons_markdown_and_names_the_lessons_when_wrong() {
    let o = tour(&["show", "rooms"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), sockets_tour::builtin("rooms").unwrap());
    let o = tour(&["show", "rom"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("rooms"), "{}", stderr(&o));
}

#[test]
fn the_language_explains_every_form_from_help_script_too() {
    for args in [
        &["language"][..],
        &["help", "script"],
        &["help", "language"],
    ] {
        let o = tour(args);
        assert!(o.status.success(), "{args:?}");
        let text = stdout(&o);
        for form in [
            "alice: socket.join",
            "bob> socket.emit",
            "# three clients",
            "use /admin require",
            "on \"chat message\"",
            ", ack)",
            "callback(",
            "bob.id",
        ] {
            assert!(text.contains(form), "{args:?} lacks {form}:\n{text}");
        }
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    }
}

#[test]
fn completions_and_the_man_page_name_every_command_and_lesson() {
    for shell in ["bash", "zsh", "fish"] {
        let o = tour(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let text = stdout(&o);
        for name in ["play", "rooms", "--step"] {
            assert!(text.contains(name), "{shell} lacks {name}");
        }
    }
    assert_eq!(tour(&["completions", "tcsh"]).status.code(), Some(2));
    let o = tour(&["man"]);
    assert!(o.status.success());
    let page = stdout(&o);
    assert!(page.contains(".TH sockets-tour 1"), "{page}");
    assert!(page.contains(".SH COMMANDS"), "{page}");
    for (name, _) in sockets_tour::BUILTIN {
        assert!(page.contains(&format!("\\fB{name}\\fR")), "{name}");
    }
}

#[test]
fn run_dash_reads_a_script_or_a_lesson_from_stdin() {
    let o = tour_with_stdin(&["run", "-", "--json"], "connect alice\nio.emit(\"x\")\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    let lesson = "# T\n\n> S.\n\nText.\n\n```tour\nconnect alice\n```\n";
    let o = tour_with_stdin(&["run", "-", "--color", "never"], lesson);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("  T\n"), "{}", stdout(&o));
    let o = tour_with_stdin(&["run", "-"], "alice: socket.join(\"r\")\n");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bad_width_pace_and_from_are_bad_usage_never_a_panic() {
    for args in [
        &["rooms", "--width", "5"][..],
        &["rooms", "--width", "wide"],
        &["rooms", "--pace", "0"],
        &["rooms", "--pace", "soon"],
        &["rooms", "--from", "nowhere at all"],
        &["all", "--from", "nowhere at all"],
    ] {
        let o = tour(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
    let o = tour(&["rooms", "--from", "nowhere at all"]);
    assert!(stderr(&o).contains("Joining a room"), "{}", stderr(&o));
}

#[test]
fn from_starts_at_a_section_having_run_the_steps_before_it_silently() {
    let o = tour(&["rooms", "--from", "except", "--color", "never"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("── "), "{text}");
    assert!(!text.contains("› connect alice"), "{text}");
    // The clients connected before still receive: the steps ran.
    assert!(text.contains("✔ "), "{text}");
}

#[test]
fn width_wraps_the_transcript_and_the_list_fits_80_columns() {
    let o = tour(&["rooms", "--width", "40", "--color", "never"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
    let o = tour(&["list"]);
    assert!(
        stdout(&o).lines().all(|l| l.chars().count() <= 80),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_unclosed_tour_fence_is_bad_input_naming_its_line() {
    let dir = scratch("unclosed");
    let file = dir.join("open.md");
    std::fs::write(&file, "# T\n\n> S.\n\nText.\n\n```tour\nconnect alice\n").unwrap();
    let o = tour(&["run", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("open.md:7:1"), "{}", stderr(&o));
    assert!(stderr(&o).contains("never closed"), "{}", stderr(&o));
}

#[test]
fn play_commands_work_on_piped_input_and_bare_words_get_a_pointer() {
    let dir = scratch("play-save");
    let saved = dir.join("s.tour");
    let input = format!(
        "connect alice\nhelp\nalice: socket.join(\"r\")\n:state\n:save {}\n:reset\n:state\n:load {}\n:quit\nconnect never\n",
        saved.display(),
        saved.display()
    );
    let o = tour_with_stdin(&["play", "--color", "never"], &input);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(stderr(&o).contains("type :help"), "{}", stderr(&o));
    assert!(out.contains("alice  connected, in \"r\""), "{out}");
    assert!(
        !out.contains("connect never"),
        ":quit ends the session: {out}"
    );
    assert_eq!(
        out.matches("› connect alice").count(),
        2,
        "loaded again: {out}"
    );
    let replay = tour(&["run", saved.to_str().unwrap(), "--json"]);
    assert!(replay.status.success(), "{}", stderr(&replay));
}

/// Exit 0; its stdout.
fn succeeds(args: &[&str]) -> String {
    let o = tour(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn scale_prints_what_a_small_fan_out_cost() {
    let text = succeeds(&["scale", "--clients", "40"]);
    assert!(text.starts_with("40 clients on one server;"), "{text}");
    for line in [
        "  connect ",
        "  broadcast ",
        "  peak memory ",
        "  shutdown ",
    ] {
        assert!(text.contains(line), "no {line:?} line:\n{text}");
    }
    let spread = succeeds(&["scale", "--clients", "40", "--servers", "2"]);
    let over = "40 clients spread over 2 servers sharing the Redis adapter";
    assert!(spread.starts_with(over), "{spread}");
}

#[test]
fn scale_refuses_at_once_what_cannot_fit_naming_the_limit_and_the_largest_n() {
    let started = std::time::Instant::now();
    let o = tour(&["scale", "--clients", "4000000000"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let err = stderr(&o);
    assert!(err.contains("RLIMIT_NOFILE"), "{err}");
    assert!(
        err.contains("at most ") && err.contains(" clients fit here"),
        "{err}"
    );
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn scale_with_a_bad_count_is_bad_usage() {
    for args in [
        &["scale", "--clients", "0"][..],
        &["scale", "--clients", "many"],
        &["scale"],
        &["scale", "--clients", "5", "--servers", "0"],
    ] {
        let o = tour(args);
        assert_eq!(o.status.code(), Some(2), "{args:?} was accepted");
    }
}

#[test]
fn redis_without_resp3_is_bad_usage_and_says_what_to_add() {
    let args = ["cluster", "--redis", "redis://127.0.0.1:6379"];
    assert_bad_usage(&args, "?protocol=resp3");
}

#[test]
fn the_cluster_lesson_says_where_each_client_is_and_what_the_servers_share() {
    let text = succeeds(&["cluster", "--color", "never"]);
    assert!(text.contains("alice  connected to / on server A"), "{text}");
    // Receipts wrap to the width: the rest is compared word by word.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("on server B; the servers share nothing"),
        "{text}"
    );
    assert!(
        text.contains("over an in-process bus, no Redis server"),
        "{text}"
    );
}
