//! Exercises, predictions and progress: `practice` graded by the live
//! server, with piped answers.

use std::net::{Ipv4Addr, SocketAddr};

use sockets_tour::Piped;
use sockets_tour::Placed;
use sockets_tour::Servers;
use sockets_tour::Transcript;
use sockets_tour::{Ending, Practice};

const LESSON: &str = include_str!("../lessons/practice-rooms.md");

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn loopback() -> Servers {
    Servers::from(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
}

/// Runs the test lesson's exercises with `answers` piped in.
fn practise(answers: &str) -> (String, Vec<Ending>) {
    let lesson = sockets_tour::parse_markdown(LESSON).unwrap();
    let exercises = Placed::all_of(&lesson).unwrap();
    let mut out = Vec::new();
    let mut prompt = Piped::new(answers.as_bytes());
    let endings = runtime()
        .block_on(async {
            let mut session = Practice {
                out: Transcript::new(&mut out, false),
                prompt: &mut prompt,
                servers: loopback(),
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
    let lesson = sockets_tour::parse_markdown(LESSON).unwrap();
    let exercises = Placed::all_of(&lesson).unwrap();
    assert_eq!(exercises.len(), 3);
    let runtime = runtime();
    for placed in &exercises {
        let problems = runtime
            .block_on(sockets_tour::verify(placed, &loopback()))
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

/// A fresh data directory for one test's progress file.
fn data_dir(test: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sockets-tour-learn-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs the binary with `stdin` piped in and its progress in `data`.
fn tour_with_input(args: &[&str], stdin: &str, data: &std::path::Path) -> std::process::Output {
    use std::io::Write as _;
    let mut child = crate::sockets_tour()
        .args(args)
        .env("SOCKETS_TOUR_DATA_DIR", data)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn test_lesson() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/lessons/practice-rooms.md"
    )
    .to_owned()
}

#[test]
fn predict_run_with_piped_answers_some_right_some_wrong() {
    let data = data_dir("predict");
    // Right; wrong (the sender); an unknown name, which counts as a skip
    // (piped answers do not shift); right (dave is admitted); wrong (erin
    // is refused).
    let out = tour_with_input(
        &["run", &test_lesson(), "--predict"],
        "alice bob\nalice bob\nzed\na\na\n",
        &data,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "  no client is named `zed`; the clients are alice, bob, carol (or `-` for nobody) (taken as `?`)\n"
    );
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn predict_asks_on_silent_steps_on_acks_and_on_a_return() {
    let data = data_dir("predict-silence");
    let lesson = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/lessons/predict-silence-and-ack.md"
    );
    // An unhandled emit: bob (wrong, nothing was sent); an empty room: `-`
    // (right); the answered ack: nobody, then its arguments (both right);
    // the forgotten ack: alice bob (right), then a value (wrong: none came);
    // the news while bob is away: alice (right); bob's return: y (wrong).
    let out = tour_with_input(
        &["run", lesson, "--predict"],
        "bob\n-\n-\n{\"ok\": true}, 7\nalice bob\n{\"ok\": true}\nalice\ny\n",
        &data,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "every answer reads");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("5 of 8 right."), "{stdout}");
    insta::assert_snapshot!(stdout);
    // The same answers as JSON lines: the ack and the return graded from
    // what the clients observed.
    let out = tour_with_input(
        &["run", lesson, "--predict", "--json"],
        "bob\n-\n-\n{\"ok\": true}, 7\nalice bob\n{\"ok\": true}\nalice\ny\n",
        &data,
    );
    let stdout = text(&out.stdout);
    let graded: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("\"predicted\":{"))
        .collect();
    assert_eq!(
        graded,
        [
            r#"{"step":24,"code":"alice> socket.emit(\"order\", 7, ack)","predicted":{"ack":[{"ok":true},7]},"right":true}"#,
            r#"{"step":31,"code":"alice> socket.emit(\"order\", 8, ack)","predicted":{"ack":[{"ok":true}]},"right":false,"wrong":{"alice":"no acknowledgement came back: nothing called callback()"},"ideas":["ack"]}"#,
            r#"{"step":39,"code":"connect bob","predicted":{"gets_missed":true},"right":false,"wrong":{"bob":"bob got none of \"news\" on connecting again: a new socket, and the server kept nothing for it"},"ideas":["at-most-once"]}"#,
        ]
    );
}

#[test]
fn predict_with_json_reports_each_prediction_and_its_grade() {
    let data = data_dir("predict-json");
    let out = tour_with_input(
        &["run", &test_lesson(), "--predict", "--json"],
        "alice bob\nalice bob\n-\n?\nr\n",
        &data,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let predictions: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("\"predicted\"") || l.contains("\"score\""))
        .collect();
    assert_eq!(
        predictions,
        [
            r#"{"step":18,"code":"io.to(\"lobby\").emit(\"news\", \"lobby is open\")","predicted":["alice","bob"],"right":true}"#,
            r#"{"step":26,"code":"alice: socket.to(\"lobby\").emit(\"chat\", \"hi lobby\")","predicted":["alice","bob"],"right":false,"wrong":{"alice":"you said alice: the sender: left out even though it is in \"lobby\""},"ideas":["sender"]}"#,
            r#"{"step":35,"code":"io.except(\"lobby\").emit(\"outside\", \"not for the lobby\")","predicted":[],"right":false,"wrong":{"carol":"you left carol out, but carol got it"},"ideas":["except"]}"#,
            r#"{"step":43,"code":"connect dave /admin {\"token\": \"s3cret\"}","predicted":null}"#,
            r#"{"step":44,"code":"connect erin /admin","predicted":"refused","right":true}"#,
            r#"{"score":{"right":2,"graded":4,"skipped":1,"ideas":{"except":1,"sender":1}}}"#,
        ]
    );
    assert!(
        stdout
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
}

#[test]
fn predict_at_end_of_input_goes_on_without_asking() {
    let data = data_dir("predict-eof");
    let out = tour_with_input(&["run", &test_lesson(), "--predict"], "bob\n", &data);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // Asked twice: the second question met the end of input.
    assert_eq!(
        stdout.matches("`-` for nobody, `?` to skip").count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("Dave is in, erin is refused."), "{stdout}");
    assert!(stdout.contains("0 of 1 right."), "{stdout}");
}

#[test]
fn every_lesson_predicted_with_nobody_everywhere() {
    // One snapshot per built-in lesson; answering `-` to every question
    // is right for some steps and wrong for others, in every lesson.
    let data = data_dir("predict-all");
    insta::glob!("../../lessons", "*.md", |path| {
        let out = tour_with_input(
            &["run", path.to_str().unwrap(), "--predict"],
            &"-\n".repeat(200),
            &data,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        insta::assert_snapshot!(text(&out.stdout));
    });
}

#[test]
fn practice_saves_progress_that_list_and_progress_read_back() {
    let data = data_dir("progress");
    let lesson = test_lesson();
    let out = tour_with_input(
        &["practice", &lesson],
        "alice: socket.to([\"lobby\", \"games\"]).emit(\"news\", 1)\nsolution\nskip\n",
        &data,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with("Solved 1 of 3 exercises this time.\n"));
    // A lesson run from a file is not a built-in lesson: nothing is saved.
    assert!(!data.join("progress.json").exists());

    // Built-in lessons are: a read lesson and its best predict score.
    let out = tour_with_input(&["chat", "--predict"], &"-\n".repeat(50), &data);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let saved = std::fs::read_to_string(data.join("progress.json")).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(saved["lessons"]["chat"]["read"], true);
    assert!(
        saved["lessons"]["chat"]["best_predict"]["graded"]
            .as_u64()
            .unwrap()
            > 0
    );
    // A built-in lesson's exercise, solved with an answer of one's own.
    let out = tour_with_input(
        &["practice", "rooms"],
        "io.in([\"games\", \"lobby\"]).except(\"mods\").emit(\"news\", 1)\n",
        &data,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("✔ Solved"),
        "{}",
        text(&out.stdout)
    );
    let out = tour_with_input(&["list"], "", &data);
    let list = text(&out.stdout);
    let status = |lesson: &str| {
        let mut lines = list.lines();
        lines.find(|l| l.trim_start().starts_with(lesson));
        // The summary may wrap; the status is the line after it.
        lines
            .map(str::trim)
            .find(|l| l.starts_with("read") || l.starts_with("exercises"))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        status("chat").starts_with("read · exercises 0/5 · predict "),
        "{list}"
    );
    assert_eq!(status("rooms"), "exercises 1/6", "{list}");
    let out = tour_with_input(&["progress"], "", &data);
    let progress = text(&out.stdout);
    assert!(
        progress.contains("  chat: read\n    exercises: 0 of 5 solved\n    best --predict run: "),
        "{progress}"
    );
    assert!(
        progress.contains("  rooms: not read yet\n    exercises: 1 of 6 solved\n"),
        "{progress}"
    );
    assert!(
        progress.contains("Next: `sockets-tour broadcast`"),
        "{progress}"
    );
}

#[test]
fn a_corrupt_progress_file_is_kept_aside_under_a_free_name_and_said_where() {
    let data = data_dir("corrupt");
    std::fs::create_dir_all(&data).unwrap();
    let corrupt = "{\"version\": 1, \"lessons\": [";
    std::fs::write(data.join("progress.json"), corrupt).unwrap();
    // An earlier file kept aside is never written over.
    std::fs::write(data.join("progress.json.bad"), "earlier").unwrap();
    let out = tour_with_input(&["chat"], "", &data);
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("is not a progress file"), "{stderr}");
    let aside = data.join("progress.json.bad.2");
    assert!(
        stderr.contains(&format!("is kept as {};", aside.display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), corrupt);
    let earlier = std::fs::read_to_string(data.join("progress.json.bad")).unwrap();
    assert_eq!(earlier, "earlier");
    // The run wrote a new one.
    let out = tour_with_input(&["progress"], "", &data);
    assert_eq!(text(&out.stderr), "");
    assert!(text(&out.stdout).contains("  chat: read\n"));
}

#[test]
fn reset_progress_asks_and_a_piped_y_deletes() {
    let data = data_dir("reset");
    let _ = tour_with_input(&["chat"], "", &data);
    assert!(data.join("progress.json").exists());
    let out = tour_with_input(&["reset-progress"], "n\n", &data);
    assert!(text(&out.stdout).ends_with("Kept your progress.\n"));
    assert!(data.join("progress.json").exists());
    let out = tour_with_input(&["reset-progress"], "y\n", &data);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("[y/N]"));
    assert!(text(&out.stdout).ends_with("Progress deleted.\n"));
    assert!(!data.join("progress.json").exists());
}

#[test]
fn practice_bad_input_is_exit_2_with_advice() {
    let data = data_dir("bad");
    let out = tour_with_input(&["practice", "nosuch"], "", &data);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no lesson named `nosuch`; the lessons are chat"));
    let dir = data_dir("bad-file");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.md");
    std::fs::write(
        &file,
        "# B\n\n> b\n\nSay.\n\n```tour\nconnect a\n```\n\n```exercise\ngoal: g\nexpect receivers: a\nhint h\n```\n",
    )
    .unwrap();
    let out = tour_with_input(&["practice", file.to_str().unwrap()], "", &data);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("exercise block, line 14: `hint h` is not `KEY: VALUE`"),
        "{}",
        text(&out.stderr)
    );
    let out = tour_with_input(&["check", file.to_str().unwrap()], "", &data);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).contains("exercise block, line 14"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_fails_an_exercise_whose_solution_does_not_pass() {
    let dir = data_dir("unsound");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("unsound.md");
    std::fs::write(
        &file,
        "# U\n\n> u\n\nSay.\n\n```tour\nconnect a\nconnect b\n```\n\n```exercise\ngoal: reach b\nexpect receivers: b\nhint: h\nsolution: io.emit(\"x\")\n```\n\n```exercise\ngoal: reach nobody\nexpect receivers: -\nhint: h\nsolution: a: socket.to(\"r\").emit(\"x\")\n```\n",
    )
    .unwrap();
    let out = tour_with_input(&["check", file.to_str().unwrap()], "", &dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2 of 2 exercises are not sound"),
        "{stdout}"
    );
    assert!(
        stdout.contains("exercise at line 12: its solution does not pass on the live server: a got \"x\", but the goal leaves a out (a is in no room)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("exercise at line 19: an empty answer already passes"),
        "{stdout}"
    );
}

#[test]
fn practice_rooms_with_wrong_tries_a_hint_and_an_answer_of_ones_own() {
    let data = data_dir("practice-rooms");
    let answers = [
        // Exercise 1: two wrong tries, a hint, then a right answer that
        // is not the reference solution.
        "io.to(\"lobby\").emit(\"news\", \"hi\")",
        "io.to([\"lobby\", \"games\"]).emit(\"news\", \"hi\")",
        "hint",
        "io.in([\"games\", \"lobby\"]).except(\"mods\").emit(\"news\", 1)",
        // Exercise 2: the trap itself, then the solution shown.
        "alice: socket.to(socket.id).emit(\"note\", \"buy milk\")",
        "solution",
        // Exercise 3: skipped; exercise 4: a right answer.
        "skip",
        "on \"leave\": socket.leave(msg)",
    ];
    let out = tour_with_input(&["practice", "rooms"], &(answers.join("\n") + "\n"), &data);
    assert!(out.status.success(), "{}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stdout));
    let saved = std::fs::read_to_string(data.join("progress.json")).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&saved).unwrap();
    let statuses: Vec<&str> = saved["lessons"]["rooms"]["exercises"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_str())
        .collect();
    let mut statuses = statuses;
    statuses.sort_unstable();
    assert_eq!(statuses, ["shown", "solved", "solved"]);
}

#[test]
fn a_lesson_started_at_a_section_is_not_read_and_a_whole_one_is() {
    let data = data_dir("from");
    // Piped, --step presents without pausing: the run reaches the end.
    let out = tour_with_input(&["rooms", "--step", "--from", "recap"], "", &data);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let progress = text(&tour_with_input(&["progress"], "", &data).stdout);
    assert!(progress.contains("  rooms: not read yet\n"), "{progress}");
    let out = tour_with_input(&["rooms", "--step"], "", &data);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let progress = text(&tour_with_input(&["progress"], "", &data).stdout);
    assert!(progress.contains("  rooms: read\n"), "{progress}");
}

#[test]
fn predict_asks_who_answers_a_broadcasts_ask_graded_from_who_did() {
    let data = data_dir("predict-answerers");
    let lesson = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/lessons/predict-broadcast-ask.md"
    );
    // dave: refused (right); who receives: alice bob (right); who
    // answers: alice bob carol (wrong: alice has no listener for it, the
    // ask never reached carol).
    let answers = "r\nalice bob\nalice bob carol\n";
    let out = tour_with_input(&["run", lesson, "--predict"], answers, &data);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "every answer reads");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("2 of 3 right."), "{stdout}");
    insta::assert_snapshot!(stdout);
    let out = tour_with_input(&["run", lesson, "--predict", "--json"], answers, &data);
    let stdout = text(&out.stdout);
    let graded: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("\"answerers\""))
        .collect();
    assert_eq!(
        graded,
        [
            r#"{"step":20,"code":"io.to(\"lobby\").timeout(100).emit(\"question\", 1, ack)","predicted":{"answerers":["alice","bob","carol"]},"right":false,"wrong":{"alice":"you said alice: no acknowledgement within 100 ms: alice has no listener with a callback for \"question\"","carol":"you said carol: it never got the ask (not in \"lobby\")"},"ideas":["answers"]}"#,
        ]
    );
    // Right: only bob answers.
    let out = tour_with_input(
        &["run", lesson, "--predict", "--json"],
        "r\nalice bob\nbob\n",
        &data,
    );
    assert!(
        text(&out.stdout).contains(r#""predicted":{"answerers":["bob"]},"right":true}"#),
        "{}",
        text(&out.stdout)
    );
}
