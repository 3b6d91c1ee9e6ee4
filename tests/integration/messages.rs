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
