//! The playground: statements typed (or piped) one line at a time, each run
//! at once on a live server, with the same report as a lesson's steps; and
//! its own commands (`:help`, `:state`, `:save`, `:load`, `:reset`, `:quit`).
//!
//! - `commands`: which lines are commands.
//! - `terminal`: the prompt on a terminal (line editing, history, Tab).

pub mod commands;
pub mod terminal;

use std::io::Write;
use std::path::Path;

use tokio::sync::mpsc;

use crate::engine::Engine;
use crate::error::Error;
use crate::render::{Output, Transcript};
use crate::script::{ScriptParser, Statement, StatementKind};
use crate::setup::Setup;
use crate::term::editor::SharedWords;
use crate::tour::Summary;
use commands::{MetaCommand, Typed};

/// What a playground session found.
#[derive(Debug, Default)]
pub struct Played {
    pub summary: Summary,
    /// Lines refused as malformed (each reported, and the session went on).
    pub refused: usize,
}

/// What `--listen` is for, said once the server listens on `url`.
pub fn listening(url: &str) -> String {
    format!(
        "sockets-tour: the server listens on {url}; a real Socket.IO client may connect \
         there as an outside client (named by its auth's `name`, else outside1…): its emits \
         run the handlers, each as a step of its own"
    )
}

/// What a session keeps across `:reset`: the counts, and the line numbers.
struct Playground<'a, O, E> {
    out: &'a mut O,
    errors: &'a mut E,
    output: Output,
    words: Option<SharedWords>,
    played: Played,
    number: usize,
}

/// What came first at the prompt.
enum Next {
    Line(Option<InputLine>),
    Outside(crate::server::OutsideEvent),
}

/// What a session does after a line.
enum Flow {
    Go,
    Reset,
    Quit,
}

/// What the current server has been told: the parser's state, the names'
/// width, and the statements so far (what `:save` writes).
#[derive(Default)]
struct Told {
    parser: ScriptParser,
    width: usize,
    lines: Vec<String>,
}

/// Reads lines from `input` until it ends (or `:quit`), running each
/// statement as it comes. A malformed line is reported (as
/// `<stdin>:LINE:COL`) and skipped. `prompt` is called before each line is
/// read (to show the prompt on a terminal); `words`, if given (a prompt on a
/// terminal), learns the names, rooms and namespaces that Tab completes, and
/// the receipts leave out the statement, which the prompt line shows.
pub async fn play(
    mut input: mpsc::Receiver<InputLine>,
    out: &mut impl Write,
    errors: &mut impl Write,
    setup: &Setup,
    mut prompt: impl FnMut(),
    words: Option<SharedWords>,
) -> Result<Played, Error> {
    let mut session = Playground {
        out,
        errors,
        output: setup.output,
        words,
        played: Played::default(),
        number: 0,
    };
    let asked_for = setup.servers.chosen.is_some();
    let mut announced = false;
    loop {
        // `/` only: the others are declared as lines name them.
        let after = Engine::run(setup.servers.clone(), async |engine| {
            if asked_for && !announced {
                announced = true;
                session.tell(&crate::play::listening(&engine.url()))?;
            }
            session.run(engine, &mut input, &mut prompt).await
        })
        .await?;
        match after {
            Flow::Reset => {
                session.tell("a fresh server: no clients, rooms or handlers")?;
            }
            Flow::Go | Flow::Quit => return Ok(session.played),
        }
    }
}

impl<O: Write, E: Write> Playground<'_, O, E> {
    async fn run(
        &mut self,
        engine: &mut Engine,
        input: &mut mpsc::Receiver<InputLine>,
        prompt: &mut impl FnMut(),
    ) -> anyhow::Result<Flow> {
        let mut server = Told::default();
        // Shown here, with their statement, above the prompt at a terminal.
        engine.leave_outside_to_caller();
        self.learn(engine);
        // Whether the prompt shows (or was asked for) since the last line:
        // asked once per line, however many outside events come meanwhile.
        let mut prompted = false;
        loop {
            while let Some(held) = engine.held_outside() {
                self.outside(engine, server.width, held).await?;
            }
            if !prompted {
                prompt();
                prompted = true;
            }
            let next = tokio::select! {
                line = input.recv() => Next::Line(line),
                held = engine.next_outside() => Next::Outside(held),
            };
            let line = match next {
                Next::Outside(held) => {
                    self.outside(engine, server.width, held).await?;
                    continue;
                }
                Next::Line(line) => line,
            };
            prompted = false;
            let Some(line) = line else {
                return Ok(Flow::Go);
            };
            self.number += 1;
            // At a prompt the typed line stays on screen: no echo; the
            // lines of a paste after its first are echoed with their receipt.
            let echo = !line.shown;
            let Ok(line) = line.text else {
                let number = self.number;
                self.tell(&format!(
                    "error: <stdin>:{number}: the line is not UTF-8 text"
                ))?;
                self.played.refused += 1;
                continue;
            };
            // Some editors start UTF-8 files with a byte-order mark; it is not text.
            let line = match line.strip_prefix('\u{feff}') {
                Some(rest) if self.number == 1 => rest.to_owned(),
                _ => line,
            };
            match commands::classify(&line) {
                Err(message) => {
                    self.tell(&format!("error: {message}"))?;
                    self.played.refused += 1;
                }
                Ok(Typed::Pointer(pointer)) => self.tell(&pointer)?,
                Ok(Typed::MetaCommand(command)) => {
                    match self.command(engine, &mut server, command).await? {
                        Flow::Go => {}
                        after => return Ok(after),
                    }
                }
                Ok(Typed::Statement) => {
                    let number = self.number;
                    // A line typed at the prompt is in no file; a piped one is standard input's.
                    let file = self.words.is_none().then_some("<stdin>");
                    self.statement(engine, &mut server, number, &line, file, echo)
                        .await?;
                }
            }
        }
    }

    /// Parses and runs one line of `file` (`None`: typed at the prompt); a
    /// bad one is reported and skipped.
    async fn statement(
        &mut self,
        engine: &mut Engine,
        server: &mut Told,
        number: usize,
        line: &str,
        file: Option<&str>,
        echo: bool,
    ) -> anyhow::Result<()> {
        let statement: Statement = match server.parser.line(number, line) {
            Ok(Some(statement)) => statement,
            // A blank line or a comment.
            Ok(None) => return Ok(()),
            Err(e) => {
                match file {
                    Some(file) => self.tell(&e.render(file))?,
                    None => self.tell(&e.render_typed())?,
                }
                self.played.refused += 1;
                return Ok(());
            }
        };
        if let StatementKind::Connect { name, .. } = &statement.kind {
            server.width = server.width.max(name.chars().count());
        }
        server.lines.push(line.trim().to_owned());
        let summary = &mut self.played.summary;
        let width = server.width;
        let mut format: Box<dyn crate::render::Format + '_> = match self.output {
            Output::Transcript { color, width } if !echo => Box::new(
                Transcript::new(&mut *self.out, color)
                    .with_width(width)
                    .without_echo(),
            ),
            output => output.format(&mut *self.out),
        };
        engine
            .run_block(std::slice::from_ref(&statement), |report| {
                format.step(report, width)?;
                format.flush()?;
                summary.count(report);
                Ok(())
            })
            .await
            .map_err(|e| match file {
                Some(file) => e.context(file.to_owned()),
                None => e,
            })?;
        drop(format);
        self.learn(engine);
        Ok(())
    }

    /// Runs an outside client's event as a step, and shows its report
    /// with its statement (above the prompt, at a terminal).
    async fn outside(
        &mut self,
        engine: &mut Engine,
        width: usize,
        held: crate::server::OutsideEvent,
    ) -> anyhow::Result<()> {
        let report = engine.outside_step(self.number, held).await?;
        let mut shown = Vec::new();
        {
            let mut format = self.output.format(&mut shown);
            format.step(&report, width)?;
        }
        self.played.summary.count(&report);
        if let Err(text) =
            crate::runtime::print_above_prompt(String::from_utf8_lossy(&shown).into_owned())
        {
            self.out.write_all(text.as_bytes())?;
            self.out.flush()?;
        }
        self.learn(engine);
        Ok(())
    }

    async fn command(
        &mut self,
        engine: &mut Engine,
        server: &mut Told,
        command: MetaCommand,
    ) -> anyhow::Result<Flow> {
        match command {
            MetaCommand::Help => self.help()?,
            MetaCommand::State => {
                let state = engine.state();
                let (color, width) = self.look();
                Transcript::new(&mut *self.out, color)
                    .with_width(width)
                    .state(&state)?;
            }
            MetaCommand::Save(file) => self.save(&file, &server.lines)?,
            MetaCommand::Load(file) => {
                let text = match crate::source::read_source(&file) {
                    Ok(text) => text,
                    Err(e) => {
                        self.tell(&format!("error: {e}"))?;
                        self.played.refused += 1;
                        return Ok(Flow::Go);
                    }
                };
                let name = file.display().to_string();
                for (i, line) in text.lines().enumerate() {
                    self.statement(engine, server, i + 1, line, Some(&name), true)
                        .await?;
                }
            }
            MetaCommand::Reset => return Ok(Flow::Reset),
            MetaCommand::Quit => return Ok(Flow::Quit),
        }
        self.out.flush()?;
        Ok(Flow::Go)
    }

    /// `:help`: the language in brief, then the commands.
    fn help(&mut self) -> anyhow::Result<()> {
        let (color, width) = self.look();
        let lesson = crate::lesson::parse_markdown(crate::language::MARKDOWN)
            .map_err(|e| anyhow::anyhow!("the built-in language help: {e}"))?;
        let mut transcript = Transcript::new(&mut *self.out, color).with_width(width);
        for section in &lesson.sections {
            if let crate::lesson::Section::Narration(prose) = section {
                transcript.narration(prose)?;
            }
        }
        let mut commands = String::from("# Commands\n\n");
        for (usage, what) in commands::COMMANDS {
            commands.push_str(&format!("- `{usage}`: {what}\n"));
        }
        commands.push_str("\nTab completes; Up recalls a line; Ctrl-C clears the line.\n");
        let lesson = crate::lesson::parse_markdown(&commands)
            .map_err(|e| anyhow::anyhow!("the commands' help: {e}"))?;
        transcript.title("Commands")?;
        for section in &lesson.sections {
            if let crate::lesson::Section::Narration(prose) = section {
                transcript.narration(prose)?;
            }
        }
        Ok(())
    }

    /// `:save FILE`: the statements so far, as a script `run` replays.
    fn save(&mut self, file: &Path, lines: &[String]) -> anyhow::Result<()> {
        let mut text = String::from(
            "# Saved from the sockets-tour playground; replay it with `sockets-tour run FILE`.\n",
        );
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        match std::fs::write(file, text) {
            Ok(()) => self.tell(&format!(
                "saved {} statements to {}; `sockets-tour run {}` replays them",
                lines.len(),
                file.display(),
                file.display()
            ))?,
            Err(e) => {
                self.tell(&format!("error: cannot write {}: {e}", file.display()))?;
                self.played.refused += 1;
            }
        }
        Ok(())
    }

    /// Says `text` (a message, and a snippet after it) on the error
    /// stream: at the prompt, the message wrapped at the width.
    fn tell(&mut self, text: &str) -> std::io::Result<()> {
        let text = text.trim_end_matches('\n');
        match self.words {
            Some(_) => {
                let wrapped = crate::term::width::wrap_message(text, self.look().1, "  ");
                writeln!(self.errors, "{wrapped}")
            }
            None => writeln!(self.errors, "{text}"),
        }
    }

    fn look(&self) -> (bool, usize) {
        match self.output {
            Output::Transcript { color, width } => (color, width),
            Output::Ndjson => (false, crate::term::width::DEFAULT),
        }
    }

    /// Tells completion the names, rooms and namespaces the server has now.
    fn learn(&self, engine: &Engine) {
        let Some(words) = &self.words else { return };
        let state = engine.state();
        let mut words = words.lock().unwrap_or_else(|e| e.into_inner());
        words.namespaces.extend(state.namespaces.keys().cloned());
        for ns in state.namespaces.values() {
            words.clients.extend(ns.clients.keys().cloned());
            words.rooms.extend(ns.clients.values().flatten().cloned());
        }
        words.clients.extend(state.gone.keys().cloned());
        if words.commands.is_empty() {
            words.commands = commands::names();
        }
    }
}

/// A line of input.
#[derive(Debug)]
pub struct InputLine {
    /// Its text, or an error for a line that is not UTF-8.
    pub text: Result<String, std::string::FromUtf8Error>,
    /// The screen shows it as typed, alone at its prompt: its receipt
    /// leaves the statement out.
    pub shown: bool,
}

impl InputLine {
    /// A line that no prompt shows (piped, or one of a paste's lines).
    pub fn unseen(text: Result<String, std::string::FromUtf8Error>) -> InputLine {
        InputLine { text, shown: false }
    }
}

/// Feeds the lines of standard input to a channel, from a thread of its own
/// (reading a terminal blocks).
pub fn stdin_lines() -> mpsc::Receiver<InputLine> {
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        // Lines end as they do in a file `run` reads.
        let mut stdin = crate::source::Lines::new(std::io::stdin().lock());
        // A read error ends the input like its end does.
        while let Ok(Some(bytes)) = stdin.next_line() {
            // A closed channel means the session is over.
            if tx
                .blocking_send(InputLine::unseen(String::from_utf8(bytes)))
                .is_err()
            {
                break;
            }
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    //! The playground on piped lines: runs good ones, reports bad ones, goes on.
    use super::*;
    use crate::render::Output;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_each_line_and_reports_a_bad_one_without_stopping() {
        let (tx, rx) = mpsc::channel(16);
        for line in [
            "connect alice",
            "connect carol /orders",
            "io.of(\"/orders\")",
            "connect bob /orders",
            "# a comment",
            "alice: socket.jion(\"r\")",
            "alice: socket.join(\"r\")",
            "io.of(\"/orders\").emit(\"hi\")",
            "dave: socket.emit(\"x\")",
        ] {
            tx.send(InputLine::unseen(Ok(line.to_owned())))
                .await
                .unwrap();
        }
        drop(tx);
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        let setup = Setup::loopback(Output::Ndjson);
        let played = play(rx, &mut out, &mut errors, &setup, || {}, None)
            .await
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        let errors = String::from_utf8(errors).unwrap();
        assert_eq!(played.refused, 2, "{errors}");
        assert!(errors.contains("<stdin>:6:15"), "{errors}");
        assert!(errors.contains("<stdin>:9:1"), "{errors}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 6, "{out}");
        // /orders did not exist until a line declared it.
        assert!(lines[1].contains(r#""error":"Invalid namespace""#), "{out}");
        assert!(lines[5].contains(r#""receivers":["bob"]"#), "{out}");
        assert_eq!(played.summary.mismatched, 0);
    }
}
