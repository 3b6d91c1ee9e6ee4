//! At a real terminal, as a person uses it: `--predict` (with `--step`
//! too) and `practice` run
//! in a tmux pane; keys go in with `send-keys` (line editing included), and
//! what the program writes streams back through `pipe-pane` into a FIFO,
//! awaited on a channel with a bound; the screen is read with `capture-pane`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long any one screen may take to appear before the test fails.
const BOUND: Duration = Duration::from_secs(15);

/// One tmux server with one pane running the binary.
struct Pane {
    socket: String,
    dir: PathBuf,
    output: mpsc::Receiver<Vec<u8>>,
    seen: String,
}

impl Pane {
    /// Starts `sockets-tour ARGS` in a fresh tmux server, with its output
    /// streamed to this test before the program starts.
    fn start(test: &str, args: &str) -> Pane {
        let socket = format!("sockets-tour-{test}-{}", std::process::id());
        let dir = std::env::temp_dir().join(&socket);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("output");
        let made = Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
        let binary = env!("CARGO_BIN_EXE_sockets-tour");
        // The program waits for a first Enter, so that the pipe is in place
        // before it writes anything.
        let command = format!(
            "read _; NO_COLOR=1 SOCKETS_TOUR_DATA_DIR={data} {binary} {args}; echo \"[exit $?]\"; read _",
            data = dir.join("data").display(),
        );
        let pane = Pane {
            output: stream(&fifo),
            socket,
            dir,
            seen: String::new(),
        };
        pane.tmux(&["new-session", "-d", "-x", "100", "-y", "60", &command]);
        pane.tmux(&["pipe-pane", "-o", &format!("cat >> {}", fifo.display())]);
        pane.keys(&["Enter"]);
        pane
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs (install it: .ci/run does)");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Presses keys, as tmux names them (`Enter`, `Left`, `C-d`, or text).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend(keys);
        self.tmux(&args);
    }

    /// Types a line and presses Enter.
    fn line(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
        self.keys(&["Enter"]);
    }

    /// Waits until the program has written `text` (after what was awaited
    /// before), within the bound.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + BOUND;
        loop {
            if let Some(at) = self.seen.find(text) {
                self.seen.drain(..at + text.len());
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => self.seen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!(
                    "waited {} s for {text:?}; the screen shows:\n{}",
                    BOUND.as_secs(),
                    self.screen()
                ),
            }
        }
    }

    /// The pane's whole screen and scrollback, as text.
    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-S", "-"])
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        // Ends the program if a failed test left it running; a server
        // that is already gone is no error.
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The bytes written into `fifo`, as they come, on a channel.
pub fn stream(fifo: &Path) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    let fifo = fifo.to_path_buf();
    std::thread::spawn(move || {
        // Opening blocks until tmux's `cat` opens the other end.
        let Ok(mut file) = std::fs::File::open(&fifo) else {
            return;
        };
        let mut buffer = [0u8; 4096];
        while let Ok(n) = file.read(&mut buffer) {
            if n == 0 || tx.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn a_person_predicts_at_a_terminal_with_line_editing() {
    let lesson = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/lessons/practice-rooms.md"
    );
    let mut pane = Pane::start("predict", &format!("run {lesson} --predict"));
    pane.wait_for("? io.to(\"lobby\")");
    pane.wait_for("`-` for nobody, `?` to skip");
    // The line editor's own prompt: keys typed before it are the terminal's.
    pane.wait_for("  > ");
    // A typo, mended with the line editor: Left, Backspace, the right letter.
    pane.tmux(&["send-keys", "-l", "alice bxb"]);
    pane.keys(&["Left", "BSpace", "o", "Enter"]);
    pane.wait_for("you said: alice bob  ✔ right");
    pane.wait_for("? alice: socket.to(\"lobby\")");
    pane.wait_for("`?` to skip");
    pane.wait_for("  > ");
    pane.line("alice bob");
    pane.wait_for("✘ you said alice: the sender: left out even though it is in \"lobby\"");
    pane.wait_for("`?` to skip");
    // Ctrl-D before the line editor's prompt would reach a terminal still in
    // cooked mode (and be lost in the switch to raw mode): wait for it.
    pane.wait_for("  > ");
    // End of input: the lesson goes on unasked, and scores what was asked.
    pane.keys(&["C-d"]);
    pane.wait_for("[exit 0]");
    let screen = pane.screen();
    assert!(screen.contains("1 of 2 right."), "{screen}");
    // The idea wraps to the pane's width: compare its words.
    let words = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(
            "• a broadcast from a socket (`socket.to`, `socket.broadcast`) leaves the sender out"
        ),
        "{screen}"
    );
}

#[test]
fn step_with_predict_stops_at_each_question_and_reveals_after_it() {
    let lesson = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/lessons/predict-silence-and-ack.md"
    );
    let mut pane = Pane::start("step-predict", &format!("run {lesson} --step --predict"));
    pane.wait_for("? alice> socket.emit(\"hello\"");
    pane.wait_for("  > ");
    // The page stops under the question: nothing of the step is shown yet.
    let asked = pane.screen();
    assert!(!asked.contains("has no handler"), "revealed early: {asked}");
    pane.line("-");
    pane.wait_for("has no handler for \"hello\"");
    pane.wait_for("you said: nobody  ✔ right");
    // The block's results, then the presenter's pause; the next prose waits.
    pane.wait_for("── Enter/space next · q quit");
    let paused = pane.screen();
    assert!(!paused.contains("The lobby is empty"), "{paused}");
    // Answers cannot be asked again: back says so, and the pause stays.
    pane.keys(&["b"]);
    pane.wait_for("goes forward only");
    pane.wait_for("── Enter/space next · q quit");
    pane.keys(&["Enter"]);
    pane.wait_for("The lobby is empty");
    pane.wait_for("? io.to(\"lobby\")");
    pane.wait_for("  > ");
    pane.line("-");
    pane.wait_for("you said: nobody  ✔ right");
    pane.wait_for("── Enter/space next · q quit");
    // `q` at a pause ends the run cleanly, with no score of a lesson cut short.
    pane.keys(&["q"]);
    pane.wait_for("[exit 0]");
    let screen = pane.screen();
    assert!(!screen.contains("right."), "{screen}");
    assert!(!screen.contains("A handler answers the ack"), "{screen}");
}

#[test]
fn a_person_practises_rooms_at_a_terminal() {
    let mut pane = Pane::start("practice", "practice rooms");
    pane.wait_for("── Exercise 1 of 6 · Rooms");
    pane.wait_for("answer> ");
    pane.line("io.to(\"lobby\").emit(\"news\", \"hi\")");
    pane.wait_for("✘ Not yet:");
    pane.wait_for("answer> ");
    pane.line("hint");
    pane.wait_for("Hint 1 of 2:");
    pane.wait_for("answer> ");
    // Right, and written otherwise than the reference solution.
    pane.line("io.in([\"games\", \"lobby\"]).except(\"mods\").emit(\"news\", 1)");
    pane.wait_for("✔ Solved: the live server did what the goal asks.");
    pane.wait_for("── Exercise 2 of 6 · Rooms");
    pane.wait_for("answer> ");
    pane.keys(&["C-d"]);
    pane.wait_for("[exit 0]");
    let screen = pane.screen();
    assert!(
        screen.contains(
            "- alice got \"news\", but the goal leaves alice out (alice is in \"lobby\", \"mods\")"
        ),
        "{screen}"
    );
    assert!(
        screen.contains("- carol should have got \"news\", and did not: not in \"lobby\""),
        "{screen}"
    );
    assert!(
        screen.contains("Solved 1 of 6 exercises this time."),
        "{screen}"
    );
    // The built-in lesson's progress is saved.
    let saved = std::fs::read_to_string(pane.data().join("progress.json")).unwrap();
    assert!(saved.contains("\"solved\""), "{saved}");
}
