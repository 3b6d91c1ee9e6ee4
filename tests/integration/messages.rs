//! What the program says when a line or a flag is wrong, as a person reads
//! it: at a terminal, a typed line's error shows the line with its caret
//! and no made-up file, and messages wrap at the width; a misspelt word
//! gets "did you mean"; a flag's range is said as it is.

use crate::tmux::{Tmux, text, too_wide};

/// Waits for the playground's prompt, ready for keys.
fn prompt(tmux: &Tmux) {
    tmux.wait_for("the prompt", |s| {
        s.iter().rev().find(|l| !l.is_empty()).map(String::as_str) == Some("tour>")
    });
    tmux.wait_for_raw_mode();
}

#[test]
fn play_errors_at_a_terminal_name_no_file_and_wrap_at_the_width() {
    let tmux = Tmux::start("play-errors", 60, 40, &["play", "--listen", "0.0.0.0:0"]);
    prompt(&tmux);
    for line in ["io.emt(\"x\")", ":frob", "quit"] {
        tmux.type_text(line);
        tmux.keys(&["Enter"]);
        prompt(&tmux);
    }
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    let all = tmux.transcript();
    let shown = all.join("\n");
    // The typed line, its caret under `emt`, and no location.
    assert!(all.iter().any(|l| l == "  | io.emt(\"x\")"), "{shown}");
    assert!(all.iter().any(|l| l == "  |    ^"), "{shown}");
    assert!(
        !shown.contains("<stdin>") && !shown.contains("-->"),
        "{shown}"
    );
    assert!(
        shown.contains("error: `emt` is not available here"),
        "{shown}"
    );
    // The notices about --listen, the errors and the pointer: each wrapped
    // at words by the program, none left for the terminal to break.
    assert!(shown.contains("is not a loopback address"), "{shown}");
    assert!(
        shown.contains("the server listens on http://0.0.0.0:"),
        "{shown}"
    );
    assert!(shown.contains("no command :frob"), "{shown}");
    let wide = too_wide(&tmux);
    assert!(wide.is_empty(), "{wide:#?}");
}

#[test]
fn a_misspelt_word_gets_did_you_mean() {
    let mut child = crate::sockets_tour()
        .arg("play")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"emitt x\nio.emitt(\"x\")\nconnect a\na: socket.jion(\"r\")\nio.frob()\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // At a statement's start, and as a member after `io` and `socket`.
    assert!(
        stderr.contains("found `emitt`; did you mean `emit`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`emitt` is not available here: did you mean `emit`? After `io` come"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `join`?"), "{stderr}");
    // A word near nothing gets no guess.
    assert_eq!(stderr.matches("did you mean").count(), 3, "{stderr}");
}

#[test]
fn pace_says_the_range_it_takes() {
    for pace in ["0", "-1", "3601"] {
        let out = crate::sockets_tour()
            .args(["rooms", "--step", &format!("--pace={pace}")])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("give a pace of more than 0 and at most 3600 seconds"),
            "{stderr}"
        );
        assert!(!stderr.contains("between 0 and"), "{stderr}");
    }
}

/// `all --step`, paced so that it goes on by itself: each lesson's pointer
/// to `practice` once, however its exercises are paged, and no lesson's
/// own "Next: `sockets-tour …`" line beside the pause that names the next.
#[test]
fn all_step_says_next_once_and_points_to_practice_once_a_lesson() {
    let args = [
        "all", "--step", "--pace", "0.05", "--color", "never", "--from", "rooms",
    ];
    let tmux = Tmux::start("all-step", 100, 40, &args);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    let written = String::from_utf8_lossy(&tmux.written()).into_owned();
    // rooms, namespaces, middleware, delivery, acks, reconnect and cluster:
    // one run of exercises each.
    let pointers = written.matches("(graded by the live server").count();
    assert_eq!(pointers, 7, "{written}");
    assert!(!written.contains("Next: `sockets-tour"), "{written}");
    assert!(!written.contains("Next, beyond one server"), "{written}");
    assert_eq!(written.matches("── next: ").count(), 6, "{written}");
}
