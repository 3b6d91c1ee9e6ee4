//! The binary as a person uses it: in a tmux pane of a given size, driven with
//! `send-keys`, read with `capture-pane`. Each test has a tmux server of its
//! own (its own socket), so tests run in parallel and leave nothing behind.

use std::cell::RefCell;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The line the shell around the program prints after it.
const SENTINEL: &str = "[the program exited]";

/// How long a screen may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// How to start the program beyond its arguments.
#[derive(Default)]
pub struct Launch {
    /// Variables set for it (`TERM=dumb`).
    pub env: Vec<(&'static str, String)>,
    /// Its standard output goes to this file instead of the pane.
    pub stdout: Option<PathBuf>,
}

/// A tmux server with one pane running one command.
pub struct Tmux {
    socket: PathBuf,
    /// Where the shell around the program writes its exit status (tmux's own
    /// `pane_dead_status` is sometimes never set when a program exits fast).
    status: PathBuf,
    /// What the pane's program writes, as it comes (`pipe-pane`): each chunk
    /// is a moment when the screen may have changed.
    output: mpsc::Receiver<Vec<u8>>,
    /// Every byte that came through `output` so far.
    written: RefCell<Vec<u8>>,
    pub width: usize,
    pub height: usize,
}

impl Tmux {
    /// Starts `args` (the binary's arguments) in a pane of `width` × `height`,
    /// with history in a scratch data directory and the pane kept after the
    /// program exits, so that its exit status and last screen can be read.
    pub fn start(name: &str, width: usize, height: usize, args: &[&str]) -> Tmux {
        Tmux::start_with(name, width, height, &Launch::default(), args)
    }

    /// [`Tmux::start`], with the environment and output `launch` says.
    pub fn start_with(
        name: &str,
        width: usize,
        height: usize,
        launch: &Launch,
        args: &[&str],
    ) -> Tmux {
        let dir = std::env::temp_dir().join(format!(
            "sockets-tour-tmux-{name}-{width}x{height}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("output");
        let made = Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
            status: dir.join("status"),
            output: crate::terminal::stream(&fifo),
            written: RefCell::default(),
            width,
            height,
        };
        // After the program: the terminal's modes (is it left as found?),
        // the status (written last and whole), then a sentinel line: tmux
        // draws output in order, so once the sentinel shows, so does all of
        // the program's output (tmux may mark a pane dead before it has read
        // all of it, so the pane stays alive, idle, until the test ends).
        // The program waits for a first Enter, so that the pipe is in place
        // before it writes anything.
        let script = format!(
            "read _; \"$0\" \"$@\"{2}; s=$?; stty -a > '{1}' 2>&1; echo $s > '{0}.tmp' && mv '{0}.tmp' '{0}'; \
             printf '\\n%s\\n' '{SENTINEL}'; exec cat > /dev/null",
            tmux.status.display(),
            tmux.stty().display(),
            launch
                .stdout
                .as_ref()
                .map_or(String::new(), |file| format!(" > '{}'", file.display())),
        );
        let mut command = vec!["sh".to_owned(), "-c".to_owned(), script, "env".to_owned()];
        command.extend(launch.env.iter().map(|(k, v)| format!("{k}={v}")));
        command.push(env!("CARGO_BIN_EXE_sockets-tour").to_owned());
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
        let pipe = format!("cat >> '{}'", fifo.display());
        let o = tmux.run(&["pipe-pane", "-o", "-t", "t", &pipe]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        tmux.keys(&["Enter"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        let ran = self.try_run(args);
        ran.unwrap_or_else(|e| panic!("tmux could not run ({e}): install it (./test.sh does)"))
    }

    /// `tmux ARGS`, never a panic: `Drop` runs while a failed test unwinds.
    fn try_run(&self, args: &[&str]) -> std::io::Result<Output> {
        let mut tmux = Command::new("tmux");
        tmux.arg("-S").arg(&self.socket).args(["-f", "/dev/null"]);
        for name in ["TMUX", "COLUMNS", "LINES", "NO_COLOR"] {
            tmux.env_remove(name);
        }
        tmux.args(args).output()
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
        if let Some(end) = lines.iter().position(|l| l == SENTINEL) {
            lines.truncate(end);
        }
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

    /// Waits until the screen satisfies `ready`, and returns it: the screen
    /// is read again each time the program writes (tmux has drawn a chunk
    /// by the time `pipe-pane` passes it on); fails with the screen when
    /// nothing satisfying comes within [`PATIENCE`].
    pub fn wait_for(&self, what: &str, ready: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                // Whatever else came meanwhile is seen by the next look.
                Ok(bytes) => {
                    let mut written = self.written.borrow_mut();
                    written.extend(bytes);
                    while let Ok(bytes) = self.output.try_recv() {
                        written.extend(bytes);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    let screen = self.screen();
                    assert!(
                        ready(&screen),
                        "timed out waiting for {what}; the screen:\n{}",
                        screen.join("\n")
                    );
                    return screen;
                }
            }
        }
    }

    /// Waits until some row of the screen contains `text`.
    pub fn wait_for_text(&self, text: &str) -> Vec<String> {
        self.wait_for(&format!("{text:?}"), |s| s.iter().any(|l| l.contains(text)))
    }

    /// Every byte the program wrote to the pane, escape codes and all, once
    /// it has exited (up to the shell's sentinel line after it).
    pub fn written(&self) -> Vec<u8> {
        self.exit_status();
        let deadline = Instant::now() + PATIENCE;
        let mut written = self.written.borrow_mut();
        while !String::from_utf8_lossy(&written).contains(SENTINEL) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => written.extend(bytes),
                Err(_) => panic!("the pane's output never reached the sentinel"),
            }
        }
        written.clone()
    }

    /// Waits for the program to exit and returns its exit status.
    pub fn exit_status(&self) -> i32 {
        // The sentinel follows the status: all output is on screen by then.
        self.wait_for("the program to exit", |_| self.status.exists());
        self.wait_for_text(SENTINEL);
        let status = std::fs::read_to_string(&self.status).unwrap();
        status.trim().parse().expect("the shell wrote a number")
    }

    /// Waits until the program reads single keys (the pane's terminal is in
    /// raw mode): a line editor's prompt may show a moment before that, and
    /// keys typed in between are the terminal's, not the editor's.
    pub fn wait_for_raw_mode(&self) {
        let tty = self.pane("#{pane_tty}");
        self.wait_for("the program to read keys", |_| {
            std::fs::File::open(&tty)
                .ok()
                .and_then(|input| Command::new("stty").arg("-a").stdin(input).output().ok())
                .is_some_and(|o| String::from_utf8_lossy(&o.stdout).contains("-icanon"))
        });
    }

    fn stty(&self) -> PathBuf {
        self.status.with_file_name("stty")
    }

    /// The terminal's modes after the program exited (`stty -a`).
    pub fn modes_after(&self) -> String {
        std::fs::read_to_string(self.stty()).unwrap_or_default()
    }

    /// A scratch file's path in this test's directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.status.with_file_name(name)
    }

    /// Pastes `text` as a terminal does (`paste-buffer`): with bracketed
    /// paste (`-p`) when the program asked for it, else as typed keys.
    pub fn paste(&self, text: &str) {
        let o = self.run(&["set-buffer", "-b", "paste", text]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = self.run(&["paste-buffer", "-p", "-b", "paste", "-t", "t"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    /// Resizes the pane's window, and waits until its terminal has the new
    /// size (tmux passes it on a moment later; the program gets SIGWINCH).
    pub fn resize(&self, width: usize, height: usize) {
        let (w, h) = (width.to_string(), height.to_string());
        let o = self.run(&["resize-window", "-t", "t", "-x", &w, "-y", &h]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let size = format!("{height} {width}");
        let tty = self.pane("#{pane_tty}");
        let deadline = Instant::now() + PATIENCE;
        let size_now = || {
            let input = std::fs::File::open(&tty).ok()?;
            let o = Command::new("stty")
                .arg("size")
                .stdin(input)
                .output()
                .ok()?;
            Some(String::from_utf8_lossy(&o.stdout).trim().to_owned())
        };
        while size_now().as_deref() != Some(size.as_str()) {
            // Each look is a process run: bounded, never a sleep.
            assert!(
                Instant::now() < deadline,
                "the pane never became {width}x{height}"
            );
        }
    }

    /// Sends `signal` (`TERM`, `INT`) to the program (the pane's shell's child).
    pub fn signal(&self, signal: &str) {
        let shell = self.pane("#{pane_pid}");
        let program = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .find(|pid| {
                // `stat` is `pid (name) state ppid …`; the name may hold spaces.
                std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                    stat.rsplit_once(')')
                        .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                        == Some(shell.as_str())
                })
            })
            .expect("the program runs under the pane's shell");
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &program])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{signal} {program}");
    }

    /// A tmux format (`#{pane_pid}`) for the pane.
    pub fn pane(&self, format: &str) -> String {
        let o = self.run(&["display-message", "-p", "-t", "t", format]);
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // A panic here would abort every test (issue 18): each fails once.
        let _ = self.try_run(&["kill-server"]);
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

/// The transcript of `args` run outside the terminal, very wide and
/// without colour: what the terminal run must show, only wrapped.
fn wide(args: &[&str]) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sockets-tour"));
    let o = command
        .args(args)
        .args(["--width", "1000", "--color", "never"])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap()
}

/// The text without its spaces and line breaks, and without the `//` that
/// starts a code comment's continuation line again.
fn without_spaces(text: &str) -> String {
    text.replace("//", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn every_lesson_fits_60_and_80_columns_without_losing_a_character() {
    for (name, _) in sockets_tour::BUILTIN {
        let reference = without_spaces(&wide(&[name]));
        for width in [60, 80] {
            let tmux = Tmux::start("lesson", width, 24, &[name, "--color", "never"]);
            assert_eq!(tmux.exit_status(), 0, "{name} at {width}");
            let wide = too_wide(&tmux);
            assert!(wide.is_empty(), "{name} at {width}: {wide:#?}");
            // Only the line breaks differ: no word, token or receipt was cut or lost.
            let shown = without_spaces(&tmux.transcript().join("\n"));
            let same = shown
                .chars()
                .zip(reference.chars())
                .take_while(|(a, b)| a == b)
                .count();
            assert!(
                shown == reference,
                "{name} at {width} differs after {same} characters: …{}… instead of …{}…",
                shown
                    .chars()
                    .skip(same.saturating_sub(40))
                    .take(120)
                    .collect::<String>(),
                reference
                    .chars()
                    .skip(same.saturating_sub(40))
                    .take(120)
                    .collect::<String>()
            );
        }
    }
}

/// The pause line's marker (`3/9`), if the screen shows one.
pub fn marker(screen: &[String]) -> Option<String> {
    let line = screen.iter().rev().find(|l| l.starts_with("── "))?;
    let marker = line.trim_start_matches("── ").split(' ').next()?;
    marker.contains('/').then(|| marker.to_owned())
}

#[test]
fn step_advances_goes_back_and_quits_with_q_leaving_the_terminal_as_found() {
    let tmux = Tmux::start("step", 80, 24, &["rooms", "--step"]);
    let first = tmux.wait_for("the first pause", |s| marker(s).is_some());
    let (page, total) = marker(&first)
        .unwrap()
        .split_once('/')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    assert_eq!(page, "1");
    assert!(total.parse::<usize>().unwrap() > 3, "{total}");
    tmux.keys(&["Enter"]);
    // The pause comes after the block's results: they are on screen with it.
    let second = tmux.wait_for("page 2", |s| marker(s) == Some(format!("2/{total}")));
    assert!(
        text(&second).contains("✔ carol  connected to /"),
        "{}",
        text(&second)
    );
    tmux.keys(&["Space"]);
    let third = tmux.wait_for("page 3", |s| marker(s) == Some(format!("3/{total}")));
    assert!(text(&third).contains("in \"lobby\""), "{}", text(&third));
    tmux.keys(&["b"]);
    // Back re-runs the lesson to page 2 and shows that page alone.
    let back = tmux.wait_for("back to page 2", |s| {
        marker(s) == Some(format!("2/{total}"))
    });
    assert!(
        text(&back).contains("✔ carol  connected to /"),
        "{}",
        text(&back)
    );
    assert!(!text(&back).contains("in \"lobby\""), "{}", text(&back));
    tmux.keys(&["?"]);
    // The pause line shows again below the help once keys count again (a
    // key pressed before that is dropped, as typed ahead).
    tmux.wait_for("the help, then the pause line", |s| {
        text(s).contains("back to the previous pause") && s.last_non_blank().starts_with("── 2/")
    });
    tmux.keys(&["q"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    let modes = tmux.modes_after();
    assert!(
        modes.contains(" icanon") && modes.contains(" echo "),
        "raw mode left on: {modes}"
    );
}

#[test]
fn pace_goes_on_by_itself_to_the_end() {
    let tmux = Tmux::start("pace", 60, 24, &["broadcast", "--pace", "0.05"]);
    assert_eq!(tmux.exit_status(), 0, "{}", text(&tmux.screen()));
    let wide = too_wide(&tmux);
    assert!(wide.is_empty(), "{wide:#?}");
}
