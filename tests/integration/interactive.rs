//! The interactive modes as a person drives them in a tmux pane: the
//! playground (typed, pasted and typed-ahead lines, outside clients while
//! the prompt shows), signals and Ctrl-C at every kind of prompt, a
//! redirected run, a dumb terminal and a resized one under `--step`.

use std::process::Command;

use crate::tmux::{LastRow, Launch, Tmux, marker, text};

/// Whether `stty -a` shows the terminal as a shell wants it (line editing,
/// echo, signals from keys).
fn sane(modes: &str) -> bool {
    let flags: Vec<&str> = modes.split_whitespace().collect();
    ["icanon", "echo", "isig"]
        .iter()
        .all(|flag| flags.contains(flag))
}

/// Waits for the playground's prompt, ready for keys.
fn prompt(tmux: &Tmux) {
    tmux.wait_for("the prompt", |s| s.last_non_blank() == "tour>");
    tmux.wait_for_raw_mode();
}

/// The rows of the whole run where `what` shows, in order.
fn rows_with(tmux: &Tmux, what: &str) -> Vec<usize> {
    tmux.transcript()
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains(what))
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn the_playground_runs_a_typed_statement_in_a_terminal() {
    let tmux = Tmux::start("play-basic", 80, 24, &["play"]);
    let screen = tmux.wait_for_text("tour>");
    assert_eq!(screen.len(), tmux.height, "the pane has the size asked for");
    tmux.wait_for_raw_mode();
    tmux.type_text("connect alice");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("connected to /");
    // The next prompt shows once the report is written.
    let screen = tmux.wait_for("the next prompt", |s| s.last_non_blank() == "tour>");
    // The typed line is on screen once: the receipt does not repeat it.
    assert!(
        text(&screen).contains("tour> connect alice"),
        "{}",
        text(&screen)
    );
    assert!(
        !text(&screen).contains("› connect alice"),
        "{}",
        text(&screen)
    );
    tmux.wait_for_raw_mode();
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
}

#[test]
fn play_recalls_clears_shows_state_saves_and_the_save_replays() {
    let tmux = Tmux::start("play", 80, 30, &["play"]);
    let prompt = |tmux: &Tmux| {
        tmux.wait_for("the prompt", |s| s.last_non_blank() == "tour>");
        tmux.wait_for_raw_mode();
    };
    prompt(&tmux);
    for line in [
        "connect alice",
        "connect bob",
        "alice: socket.join(\"lobby\")",
    ] {
        tmux.type_text(line);
        // The line as typed shows at the prompt before Enter is pressed.
        let typed = format!("tour> {line}");
        tmux.wait_for("the typed line", |s| s.last_non_blank() == typed);
        tmux.keys(&["Enter"]);
        prompt(&tmux);
    }
    // Up recalls the last line; Ctrl-C clears it without ending the session.
    tmux.keys(&["Up"]);
    tmux.wait_for("the recalled line", |s| {
        s.last_non_blank() == "tour> alice: socket.join(\"lobby\")"
    });
    tmux.keys(&["C-c"]);
    prompt(&tmux);
    // Tab completes a member after a dot.
    tmux.type_text("io.to(\"lobby\").em");
    tmux.keys(&["Tab"]);
    tmux.wait_for("the completion", |s| s.last_non_blank().ends_with(".emit("));
    tmux.type_text("\"hi\")");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("✘ bob    not in \"lobby\"");
    prompt(&tmux);
    tmux.type_text(":state");
    tmux.keys(&["Enter"]);
    let state = tmux.wait_for_text("── namespace /");
    assert!(
        text(&state).contains("alice  connected, in \"lobby\""),
        "{}",
        text(&state)
    );
    prompt(&tmux);
    let saved = tmux.file("session.tour");
    tmux.type_text(&format!(":save {}", saved.display()));
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("saved 4 statements");
    prompt(&tmux);
    tmux.type_text("help");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("type :help");
    prompt(&tmux);
    tmux.type_text(":quit");
    tmux.keys(&["Enter"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    let replay = Command::new(env!("CARGO_BIN_EXE_sockets-tour"))
        .args(["run", saved.to_str().unwrap(), "--color", "never"])
        .output()
        .unwrap();
    assert!(replay.status.success());
    let out = String::from_utf8_lossy(&replay.stdout);
    assert!(out.contains("✘ bob    not in \"lobby\""), "{out}");
    assert!(out.contains("✔ alice  got \"hi\""), "{out}");
}

#[test]
fn play_runs_every_line_of_a_bracketed_paste_in_order_each_with_its_receipt() {
    let tmux = Tmux::start("paste", 80, 30, &["play", "--color", "never"]);
    prompt(&tmux);
    let names: Vec<String> = (1..=20).map(|i| format!("p{i:02}")).collect();
    let script: String = names.iter().map(|n| format!("connect {n}\n")).collect();
    tmux.paste(&script);
    // A paste is edited as one piece (as a shell does), then Enter runs it.
    tmux.wait_for_text("connect p20");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("✔ p20  connected to /");
    prompt(&tmux);
    let mut last = 0;
    for name in &names {
        let receipts = rows_with(&tmux, &format!("✔ {name}  connected to /"));
        assert_eq!(
            receipts.len(),
            1,
            "{name}: {}",
            tmux.transcript().join("\n")
        );
        assert!(receipts[0] > last, "{name} out of order");
        last = receipts[0];
        // Each receipt says which statement it is.
        assert_eq!(rows_with(&tmux, &format!("› connect {name}")).len(), 1);
    }
    assert!(!text(&tmux.transcript()).contains("error"));
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
}

#[test]
fn play_runs_three_lines_typed_ahead_in_order() {
    let tmux = Tmux::start("ahead", 80, 30, &["play", "--color", "never"]);
    prompt(&tmux);
    // One burst, as a fast typist or a paste without brackets sends it.
    tmux.type_text("connect b1\rconnect b2\rconnect b3\r");
    tmux.wait_for_text("✔ b3  connected to /");
    prompt(&tmux);
    let rows: Vec<usize> = ["b1", "b2", "b3"]
        .iter()
        .map(|name| {
            let rows = rows_with(&tmux, &format!("✔ {name}  connected to /"));
            assert_eq!(rows.len(), 1, "{name}: {}", tmux.transcript().join("\n"));
            rows[0]
        })
        .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}");
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
}

#[test]
fn an_outside_client_is_announced_above_the_prompt_not_over_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let tmux = Tmux::start("outside", 100, 30, &["play", "--listen", &listen]);
    prompt(&tmux);
    tmux.type_text("connect al");
    tmux.wait_for("the typed text", |s| {
        s.last_non_blank() == "tour> connect al"
    });
    outside_client(port);
    let screen = tmux.wait_for_text("an outside client connected");
    // The prompt, with what was typed, is redrawn below the notice.
    assert_eq!(
        screen.last_non_blank(),
        "tour> connect al",
        "{}",
        text(&screen)
    );
    let notice = screen.iter().position(|l| l.contains("an outside client"));
    assert!(
        notice.is_some_and(|n| !screen[n].contains("tour>")),
        "{}",
        text(&screen)
    );
    tmux.type_text("ice");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("✔ alice  connected to /");
    prompt(&tmux);
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
}

/// A Socket.IO client by hand, on HTTP long-polling: the engine's handshake,
/// then a connect to `/` (enough for the server to admit a socket).
fn outside_client(port: u16) {
    use std::io::{Read as _, Write as _};
    let request = |head: String| {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    };
    let path = "/socket.io/?EIO=4&transport=polling";
    let open = request(format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    ));
    let sid = open
        .split("\"sid\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no session id in {open}"));
    let reply = request(format!(
        "POST {path}&sid={sid} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n40"
    ));
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

/// Starts `args`, waits for `ready` and for raw mode, sends `signal`: the
/// program ends with 128 + its number and the terminal as it found it.
fn killed_at_a_prompt(name: &str, args: &[&str], ready: &str) {
    for (signal, status) in [("TERM", 143), ("INT", 130)] {
        let tmux = Tmux::start(&format!("{name}-{signal}"), 80, 24, args);
        tmux.wait_for_text(ready);
        tmux.wait_for_raw_mode();
        tmux.signal(signal);
        assert_eq!(tmux.exit_status(), status, "{args:?} {signal}");
        let modes = tmux.modes_after();
        assert!(sane(&modes), "{args:?} {signal} left: {modes}");
    }
}

#[test]
fn a_signal_at_steps_pause_restores_the_terminal() {
    killed_at_a_prompt("sig-step", &["rooms", "--step"], "── 1/");
    killed_at_a_prompt("sig-pace", &["rooms", "--pace", "600"], "── 1/");
}

#[test]
fn a_signal_at_the_playgrounds_prompt_restores_the_terminal() {
    let tmux = Tmux::start("sig-play", 80, 24, &["play"]);
    prompt(&tmux);
    // INT at the prompt is Ctrl-C, as in a shell: the line is cleared, and
    // the session goes on (TERM ends it).
    tmux.type_text("connect al");
    tmux.wait_for("the typed text", |s| {
        s.last_non_blank() == "tour> connect al"
    });
    tmux.signal("INT");
    prompt(&tmux);
    tmux.signal("TERM");
    assert_eq!(tmux.exit_status(), 143, "{}", text(&tmux.screen()));
    let modes = tmux.modes_after();
    assert!(sane(&modes), "TERM left: {modes}");
}

#[test]
fn a_signal_at_a_prediction_or_an_exercise_restores_the_terminal() {
    killed_at_a_prompt(
        "sig-predict",
        &["rooms", "--predict"],
        "Who will receive it?",
    );
    killed_at_a_prompt("sig-practice", &["practice", "rooms"], "answer>");
}

#[test]
fn ctrl_c_at_a_prediction_or_an_exercise_exits_130() {
    for (args, ready) in [
        (&["rooms", "--predict"][..], "Who will receive it?"),
        (&["practice", "rooms"][..], "answer>"),
    ] {
        let tmux = Tmux::start("ctrl-c", 80, 24, args);
        tmux.wait_for_text(ready);
        tmux.wait_for_raw_mode();
        tmux.keys(&["C-c"]);
        assert_eq!(
            tmux.exit_status(),
            130,
            "{args:?}: {}",
            text(&tmux.screen())
        );
        assert!(sane(&tmux.modes_after()), "{args:?}");
    }
}

#[test]
fn ctrl_d_at_the_first_prediction_ends_the_questions_once_and_scores_nothing() {
    let tmux = Tmux::start(
        "ctrl-d",
        80,
        24,
        &["rooms", "--predict", "--color", "never"],
    );
    tmux.wait_for_text("Who will receive it?");
    tmux.wait_for_raw_mode();
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    let all = text(&tmux.transcript());
    assert_eq!(all.matches("no more questions").count(), 1, "{all}");
    assert_eq!(all.matches("`?` to skip").count(), 1, "asked again: {all}");
    // The lesson went on to its end, and no "0 of 0 right" score.
    assert!(all.contains("Next: `sockets-tour namespaces`"), "{all}");
    assert!(!all.contains("right."), "{all}");
}

#[test]
fn a_prompting_mode_whose_output_is_redirected_is_refused_at_once() {
    for args in [&["rooms", "--predict"][..], &["practice", "rooms"]] {
        let file = std::env::temp_dir().join(format!("sockets-tour-out-{}", std::process::id()));
        let launch = Launch {
            stdout: Some(file.clone()),
            ..Launch::default()
        };
        let tmux = Tmux::start_with("redirected", 80, 24, &launch, args);
        assert_eq!(tmux.exit_status(), 2, "{args:?}: {}", text(&tmux.screen()));
        let screen = text(&tmux.screen());
        assert!(
            screen.contains("asks its questions at the terminal"),
            "{screen}"
        );
        let written = std::fs::read(&file).unwrap_or_default();
        let _ = std::fs::remove_file(&file);
        assert!(written.is_empty(), "{}", String::from_utf8_lossy(&written));
    }
}

#[test]
fn step_on_a_dumb_terminal_writes_no_escape_code() {
    let launch = Launch {
        env: vec![("TERM", "dumb".to_owned())],
        ..Launch::default()
    };
    let tmux = Tmux::start_with("dumb", 80, 24, &launch, &["rooms", "--step"]);
    // The pause lines stay on a dumb terminal: the nth pause is the nth
    // such line of the whole run (a key before it shows would be dropped).
    let pause = |n: usize, page: &str| {
        tmux.wait_for(&format!("pause {n}, at page {page}"), |_| {
            let pauses: Vec<String> = tmux
                .transcript()
                .into_iter()
                .filter(|l| l.starts_with("── "))
                .collect();
            pauses.len() == n && marker(&pauses).is_some_and(|m| m.starts_with(page))
        });
        tmux.wait_for_raw_mode();
    };
    pause(1, "1/");
    tmux.keys(&["Enter"]);
    pause(2, "2/");
    // Back and replay show a page again: on a clear screen elsewhere.
    tmux.keys(&["b"]);
    pause(3, "1/");
    tmux.keys(&["r"]);
    pause(4, "1/");
    tmux.keys(&["q"]);
    let written = tmux.written();
    let shown = String::from_utf8_lossy(&written);
    assert!(!shown.contains('\x1b'), "an escape code: {shown:?}");
    // The pause lines stay, as plain lines.
    assert!(shown.matches("── 1/").count() >= 3, "{shown}");
    assert_eq!(tmux.exit_status(), 0);
}

#[test]
fn a_resized_terminal_re_wraps_the_next_page_and_a_replay() {
    let tmux = Tmux::start("resize", 100, 40, &["rooms", "--step", "--color", "never"]);
    let at = |page: &str| {
        tmux.wait_for(&format!("page {page}"), |s| {
            marker(s).is_some_and(|m| m.starts_with(&format!("{page}/")))
        });
        tmux.wait_for_raw_mode();
    };
    at("1");
    let before = tmux.transcript();
    let wide = |lines: &[String], columns: usize| {
        lines
            .iter()
            .filter(|l| l.chars().count() > columns && !l.starts_with("── "))
            .count()
    };
    assert!(
        wide(&before, 50) > 0,
        "page 1 is wrapped at 100: {before:#?}"
    );
    let pause = before.iter().rposition(|l| l.starts_with("── 1/")).unwrap();
    tmux.resize(50, 40);
    tmux.keys(&["Enter"]);
    at("2");
    let after = tmux.transcript();
    let end = after.iter().rposition(|l| l.starts_with("── 2/")).unwrap();
    // A terminal that reflows (tmux does) keeps the start of the wide
    // pause line that erasing its last row left: not part of the page.
    let start = pause + usize::from(after[pause].starts_with("── 1/"));
    let page = &after[start..end];
    assert!(
        page.iter().filter(|l| !l.is_empty()).count() > 2,
        "{page:#?}"
    );
    assert_eq!(
        wide(page, 50),
        0,
        "page 2 is not re-wrapped at 50: {page:#?}"
    );
    // `r` shows the page again, wrapped to the terminal as it is now.
    tmux.resize(70, 40);
    tmux.keys(&["r"]);
    // Shown again alone, from the top of a clear screen (until then the
    // screen's first row is some of page 1).
    let top = page.iter().find(|l| !l.is_empty()).unwrap().clone();
    tmux.wait_for(&format!("page 2 again at 70 columns, from {top:?}"), |s| {
        s[0] == top && marker(s).is_some_and(|m| m.starts_with("2/"))
    });
    tmux.wait_for_raw_mode();
    let screen = tmux.screen();
    assert_eq!(wide(&screen, 70), 0, "{screen:#?}");
    assert!(wide(&screen, 50) > 0, "not re-wrapped at 70: {screen:#?}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.exit_status(), 0);
}
