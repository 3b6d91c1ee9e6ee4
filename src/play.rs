//! The playground: statements typed (or piped) one line at a time, each run
//! at once on a live server, with the same report as a lesson's steps.

pub mod commands;

use std::io::Write;
use std::net::SocketAddr;

use tokio::sync::mpsc;

use crate::engine::Engine;
use crate::render::{Transcript, json_line};
use crate::script::{self, StatementKind};
use crate::tour::{Options, Summary};

/// What a playground session found.
#[derive(Debug, Default)]
pub struct Played {
    pub summary: Summary,
    /// Lines refused as malformed (each reported, and the session went on).
    pub refused: usize,
}

/// Reads lines from `input` until it ends, running each statement as it
/// comes. A malformed line is reported (as `<stdin>:LINE:COL`) and skipped.
/// `prompt` is called before each line is read (to show `tour> ` on a terminal).
pub async fn play(
    mut input: mpsc::Receiver<Line>,
    out: &mut impl Write,
    errors: &mut impl Write,
    options: Options,
    listen: SocketAddr,
    mut prompt: impl FnMut(),
) -> anyhow::Result<Played> {
    // `/` only: the others are created as lines name them.
    let namespaces = std::collections::BTreeSet::from(["/".to_owned()]);
    Engine::run(listen, &namespaces, async |engine| {
        session(engine, &mut input, out, errors, options, &mut prompt).await
    })
    .await
}

async fn session(
    engine: &mut Engine,
    input: &mut mpsc::Receiver<Line>,
    out: &mut impl Write,
    errors: &mut impl Write,
    options: Options,
    prompt: &mut impl FnMut(),
) -> anyhow::Result<Played> {
    let mut played = Played::default();
    // The `connect` lines accepted so far: all that the parser's check that
    // a name was connected on an earlier line needs.
    let mut connects: Vec<(usize, String)> = Vec::new();
    let mut width = 0;
    let mut number = 0;
    let mut transcript = Transcript::new(&mut *out, options.color);
    loop {
        prompt();
        let Some(line) = input.recv().await else {
            break;
        };
        number += 1;
        let Ok(line) = line else {
            writeln!(
                errors,
                "error: <stdin>:{number}: the line is not UTF-8 text"
            )?;
            played.refused += 1;
            continue;
        };
        // Some editors start UTF-8 files with a byte-order mark; it is not text.
        let line = match line.strip_prefix('\u{feff}') {
            Some(rest) if number == 1 => rest.to_owned(),
            _ => line,
        };
        let lines = connects
            .iter()
            .map(|(n, l)| (*n, l.as_str()))
            .chain(std::iter::once((number, line.as_str())));
        let statement = match script::parse_lines(lines) {
            Ok(mut statements) => match statements.pop() {
                Some(last) if last.line == number => last,
                // A blank line or a comment.
                _ => continue,
            },
            Err(e) => {
                write!(errors, "{}", e.render("<stdin>"))?;
                played.refused += 1;
                continue;
            }
        };
        if let StatementKind::Connect { name, .. } = &statement.kind {
            width = width.max(name.chars().count());
            connects.push((number, line));
        }
        let report = engine
            .step(&statement)
            .await
            .map_err(|e| e.context(format!("<stdin>: line {number}: `{}`", statement.code)))?;
        if options.json {
            transcript.line(&json_line(&report))?;
        } else {
            transcript.step(&report, width)?;
        }
        transcript.flush()?;
        played.summary.steps += 1;
        played.summary.mismatched += usize::from(report.has_mismatch());
    }
    Ok(played)
}

/// A line of input: its text, or an error for a line that is not UTF-8.
pub type Line = Result<String, std::string::FromUtf8Error>;

/// Feeds the lines of standard input to a channel, from a thread of its own
/// (reading a terminal blocks).
pub fn stdin_lines() -> mpsc::Receiver<Line> {
    use std::io::BufRead as _;
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        loop {
            let mut bytes = Vec::new();
            // A read error ends the input like its end does.
            match stdin.read_until(b'\n', &mut bytes) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if bytes.ends_with(b"\n") {
                bytes.pop();
            }
            // A closed channel means the session is over.
            if tx.blocking_send(String::from_utf8(bytes)).is_err() {
                break;
            }
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    //! The playground on piped lines: runs good ones, reports bad ones, goes on.
    use std::net::Ipv4Addr;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_each_line_and_reports_a_bad_one_without_stopping() {
        let (tx, rx) = mpsc::channel(16);
        for line in [
            "connect alice",
            "connect bob /orders",
            "# a comment",
            "alice: socket.jion(\"r\")",
            "alice: socket.join(\"r\")",
            "io.of(\"/orders\").emit(\"hi\")",
            "dave: socket.emit(\"x\")",
        ] {
            tx.send(Ok(line.to_owned())).await.unwrap();
        }
        drop(tx);
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let options = Options {
            json: true,
            ..Options::default()
        };
        let played = play(rx, &mut out, &mut errors, options, listen, || {})
            .await
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        let errors = String::from_utf8(errors).unwrap();
        assert_eq!(played.refused, 2, "{errors}");
        assert!(errors.contains("<stdin>:4:15"), "{errors}");
        assert!(errors.contains("<stdin>:7:1"), "{errors}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        // /orders did not exist when the session started: the server made it.
        assert!(lines[3].contains(r#""receivers":["bob"]"#), "{out}");
        assert_eq!(played.summary.mismatched, 0);
    }
}
