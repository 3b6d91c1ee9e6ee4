//! The binary as a person uses it: in a tmux pane of a given size, driven with
//! `send-keys`, read with `capture-pane`. Each test has a tmux server of its
//! own (its own socket), so tests run in parallel and leave nothing behind.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long a screen may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// A tmux server with one pane running one command.
pub struct Tmux {
    socket: PathBuf,
    /// Where the shell around the program writes its exit status (tmux's own
    /// `pane_dead_status` is sometimes never set when a program exits fast).
    status: PathBuf,
    pub width: usize,
    pub height: usize,
}

impl Tmux {
    /// Starts `args` (the binary's arguments) in a pane of `width` × `height`,
    /// with history in a scratch data directory and the pane kept after the
    /// program exits, so that its exit status and last screen can be read.
    pub fn start(name: &str, width: usize, height: usize, args: &[&str]) -> Tmux {
        let dir = std::env::temp_dir().join(format!(
            "sockets-tour-tmux-{name}-{width}x{height}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
            status: dir.join("status"),
            width,
            height,
        };
        let script = format!(
            "\"$0\" \"$@\"; echo $? > '{0}.tmp' && mv '{0}.tmp' '{0}'",
            tmux.status.display()
        );
        let mut command = vec![
            "sh".to_owned(),
            "-c".to_owned(),
            script,
            env!("CARGO_BIN_EXE_sockets-tour").to_owned(),
        ];
        command.extend(args.iter().map(|a| a.to_string()));
        let data = dir.join("data");
        let (w, h) = (width.to_string(), height.to_string());
        let xdg = format!("XDG_DATA_HOME={}", data.display());
        // The options must hold before the program starts (it may exit at
        // once): the pane starts idle, and the program is respawned into it.
        let mut all = vec![
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &w,
            "-y",
            &h,
            "-e",
            &xdg,
            "-e",
            "LANG=C.UTF-8",
            "cat",
        ];
        all.extend([";", "set-option", "-g", "remain-on-exit", "on"]);
        all.extend([";", "set-option", "-g", "window-size", "manual"]);
        all.extend([";", "set-option", "-g", "history-limit", "10000"]);
        all.extend([";", "respawn-pane", "-k", "-t", "t"]);
        all.extend(command.iter().map(String::as_str));
        let o = tmux.run(&all);
        assert!(
            o.status.success(),
            "tmux did not start (is it installed? CI installs it): {}",
            String::from_utf8_lossy(&o.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .env_remove("COLUMNS")
            .env_remove("LINES")
            .env_remove("NO_COLOR")
            .output()
            .expect("tmux runs: install it (CI's .ci/run does)")
    }

    /// Types keys, as `tmux send-keys` names them (`Enter`, `Up`, `C-c`, or text).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        let o = self.run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    /// Types text literally (no key names).
    pub fn type_text(&self, text: &str) {
        let o = self.run(&["send-keys", "-t", "t", "-l", text]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    /// The visible screen, one string per row, trailing spaces trimmed.
    pub fn screen(&self) -> Vec<String> {
        self.capture(&["-p"])
    }

    /// Everything the pane printed (scrollback too), with the lines that
    /// tmux wrapped joined back into the lines the program wrote.
    pub fn transcript(&self) -> Vec<String> {
        let mut lines = self.capture(&["-p", "-J", "-S", "-"]);
        lines.retain(|l| !l.starts_with("Pane is dead"));
        lines
    }

    fn capture(&self, flags: &[&str]) -> Vec<String> {
        let mut args = vec!["capture-pane", "-t", "t"];
        args.extend(flags);
        let o = self.run(&args);
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| l.trim_end().to_owned())
            .collect()
    }

    /// Waits until the screen satisfies `ready`, polling the screen with a
    /// bound (no fixed sleep decides anything: a slow machine only polls
    /// longer), and returns it; fails with the screen after [`PATIENCE`].
    pub fn wait_for(&self, what: &str, ready: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the screen:\n{}",
                screen.join("\n")
            );
            // The interval between two looks at the screen, not a wait for an event.
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until some row of the screen contains `text`.
    pub fn wait_for_text(&self, text: &str) -> Vec<String> {
        self.wait_for(&format!("{text:?}"), |s| s.iter().any(|l| l.contains(text)))
    }

    /// Waits for the program to exit and returns its exit status.
    pub fn exit_status(&self) -> i32 {
        // tmux marks the pane dead once it has read all of the output.
        self.wait_for("the program to exit", |_| {
            self.status.exists() && self.pane("#{pane_dead}") == "1"
        });
        let status = std::fs::read_to_string(&self.status).unwrap();
        status.trim().parse().expect("the shell wrote a number")
    }

    fn pane(&self, format: &str) -> String {
        let o = self.run(&["display-message", "-p", "-t", "t", format]);
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        if let Some(dir) = self.socket.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The last row with text on it.
pub trait LastRow {
    fn last_non_blank(&self) -> &str;
}

impl LastRow for [String] {
    fn last_non_blank(&self) -> &str {
        self.iter()
            .rev()
            .find(|l| !l.is_empty())
            .map_or("", String::as_str)
    }
}

/// The screen's rows that are not blank, for assertions that read well.
pub fn text(screen: &[String]) -> String {
    screen
        .iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_playground_runs_a_typed_statement_in_a_terminal() {
    let tmux = Tmux::start("play-basic", 80, 24, &["play"]);
    let screen = tmux.wait_for_text("tour>");
    assert_eq!(screen.len(), tmux.height, "the pane has the size asked for");
    tmux.type_text("connect alice");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("connected to /");
    // The next prompt shows once the report is written.
    tmux.wait_for("the next prompt", |s| s.last_non_blank() == "tour>");
    tmux.keys(&["C-d"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
}

/// Lines of a whole run (scrollback too) that are wider than the pane: a
/// line tmux had to wrap comes back joined, so it shows here.
pub fn too_wide(tmux: &Tmux) -> Vec<String> {
    tmux.transcript()
        .into_iter()
        .filter(|l| l.chars().count() > tmux.width)
        .collect()
}

#[test]
fn help_fits_60_and_80_columns() {
    for width in [60, 80] {
        for args in [&["--help"][..], &["rooms", "--help"]] {
            let tmux = Tmux::start("help", width, 24, args);
            assert_eq!(tmux.exit_status(), 0);
            let all = tmux.transcript();
            assert!(all.iter().any(|l| l.contains("--help")), "{all:#?}");
            let wide = too_wide(&tmux);
            assert!(wide.is_empty(), "{args:?} at {width}: {wide:#?}");
        }
    }
}
