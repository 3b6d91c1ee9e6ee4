//! The command line: one subcommand per built-in lesson, plus `list`,
//! `all`, `run FILE` and `check`; errors become exit codes (0 ok, 1 the
//! run found a problem, 2 bad usage or bad input).

use std::ffi::{OsStr, OsString};
use std::io::{IsTerminal as _, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{
    ArgMatches, Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum,
};

use crate::engine::Setup;
use crate::learn::overview;
use crate::learn::practice::{self, Session};
use crate::learn::progress::{PredictScore, Store};
use crate::learn::prompt;
use crate::lesson::{self, BUILTIN, Lesson};
use crate::render::Output;
use crate::source::{BadInput, builtin_file, load_file, parse_builtin, read_source};
use crate::tour::{self, Options, Summary};

#[derive(Debug, Parser)]
#[command(
    name = "sockets-tour",
    version,
    about = "See how Socket.IO delivers messages: narrated lessons run on a real embedded server with real clients",
    long_about = "See how Socket.IO delivers messages.\n\n\
        Each lesson runs on a real Socket.IO server (socketioxide) embedded in this program, \
        bound to a loopback port, with simulated clients (rust_socketio) on real connections. \
        For every event it prints who received it, and why each other client did not.\n\n\
        Start with `sockets-tour list`, then run a lesson by name, e.g. `sockets-tour rooms`.",
    after_help = "A lesson, `run` and `all` take --color, --step, --listen and --redis after their name \
        (a lesson and `run` also take --json), e.g. `sockets-tour rooms --step`; \
        `sockets-tour rooms --help` lists them.\n\n\
        Write your own: `sockets-tour run my-lesson.md` runs a Markdown lesson \
        (```tour blocks are its steps) or a bare .tour script."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// The options of anything that runs lessons: a lesson, `run` and `all`.
#[derive(Debug, Args)]
struct RunFlags {
    /// When to colour the output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Pause before each block of steps until Enter is pressed, for a classroom
    /// demo (the prompt goes to stderr; no pause when stdin is not a terminal)
    #[arg(long)]
    step: bool,
    /// Address the embedded server listens on (loopback unless you say otherwise)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Run `servers … with adapter` on this Redis (7 or newer, RESP3: e.g.
    /// redis://127.0.0.1:6379/?protocol=resp3) instead of the in-process bus
    #[arg(long, value_name = "URL", value_parser = redis_url)]
    redis: Option<String>,
    /// Before each step that delivers events, guess who will receive them
    /// (names, `-` for nobody, `?` to skip); the receipt grades the guess.
    /// Piped stdin gives one answer per line
    #[arg(long, conflicts_with = "step")]
    predict: bool,
}

/// The options of a single lesson or file: those of any run, and `--json`.
#[derive(Debug, Args)]
struct OneRunFlags {
    /// Print one JSON object per statement (the format of tour-script.md) and
    /// nothing else
    #[arg(long, conflicts_with = "step")]
    json: bool,
    #[command(flatten)]
    run: RunFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the lessons, in learning order
    List,
    /// Run every lesson, in learning order
    All {
        #[command(flatten)]
        flags: RunFlags,
    },
    /// Run a lesson (.md) or a bare script (.tour) from a file
    Run {
        /// The lesson or script to run
        file: PathBuf,
        #[command(flatten)]
        flags: OneRunFlags,
    },
    /// The playground: type statements (or pipe a script), each runs at once
    Play {
        /// Print one JSON object per statement and nothing else
        #[arg(long)]
        json: bool,
        /// When to colour the output
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Address the embedded server listens on (loopback unless you say otherwise)
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
    /// Fan-out at scale: N clients, one broadcast, and what it cost (connect
    /// time, broadcast to last delivery, peak memory)
    Scale {
        /// How many simulated clients connect
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        clients: u32,
        /// Spread them over this many servers sharing the Redis adapter (on
        /// the in-process bus); 1: one server, no adapter
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u32).range(1..=64))]
        servers: u32,
    },
    /// Practise a lesson's exercises, each graded by the live server (every
    /// lesson's, in order, without LESSON)
    Practice {
        /// A lesson's name, or the path of a Markdown lesson
        lesson: Option<String>,
        /// When to colour the output
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Address the embedded server listens on (loopback unless you say otherwise)
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
    /// Show your progress: lessons read, exercises solved, predict scores
    Progress,
    /// Delete your saved progress (asks first)
    ResetProgress,
    /// Check lessons: they parse, have a title, summary and narration, use only
    /// clients connected earlier, run with every outcome as predicted, and
    /// every exercise's solution passes on the live server
    Check {
        /// Lessons or scripts to check (default: the built-in lessons)
        files: Vec<PathBuf>,
    },
}

/// What a command found, as its exit status says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Everything ran as predicted (or help was asked for).
    Ok,
    /// The run found a problem: a step disagreed, or the engine failed.
    Problem,
    /// Bad usage or bad input.
    BadInput,
}

impl From<Verdict> for ExitCode {
    /// The one mapping from what happened to an exit status.
    fn from(verdict: Verdict) -> ExitCode {
        ExitCode::from(match verdict {
            Verdict::Ok => 0,
            Verdict::Problem => 1,
            Verdict::BadInput => 2,
        })
    }
}

/// Runs the command line and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            // clap prints help and version to stdout (exit 0), errors to stderr (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                Verdict::BadInput
            } else {
                Verdict::Ok
            }
            .into();
        }
    };
    let verdict = match dispatch(&matches) {
        Ok(verdict) => verdict,
        Err(e) if is_broken_pipe(&e) => Verdict::Ok,
        Err(e) => {
            say(&format!("error: {e:#}"));
            if e.downcast_ref::<BadInput>().is_some() {
                Verdict::BadInput
            } else {
                Verdict::Problem
            }
        }
    };
    verdict.into()
}

/// The whole command line: the fixed subcommands, and one per built-in lesson.
fn command() -> clap::Command {
    BUILTIN
        .iter()
        .fold(Cli::command(), |command, (name, text)| {
            let about = lesson::summary(text);
            // After the flags, whose doc comment would otherwise be the about.
            command.subcommand(
                OneRunFlags::augment_args(clap::Command::new(*name))
                    .about(about)
                    .long_about(None),
            )
        })
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn dispatch(matches: &ArgMatches) -> anyhow::Result<Verdict> {
    if let Some((name, sub)) = matches.subcommand()
        && let Some(text) = lesson::builtin(name)
    {
        let flags = OneRunFlags::from_arg_matches(sub)?;
        let lesson = parse_builtin(name, text)?;
        let summary = run_lessons(
            &[(builtin_file(name), Some(name), lesson)],
            flags.run.options(flags.json),
            &flags.run,
        )?;
        return Ok(verdict(&summary));
    }
    match Cli::from_arg_matches(matches)?.command {
        None | Some(Command::List) => {
            list(&mut std::io::stdout().lock())?;
            Ok(Verdict::Ok)
        }
        Some(Command::All { flags }) => {
            let lessons = BUILTIN
                .iter()
                .map(|(name, text)| {
                    Ok((builtin_file(name), Some(*name), parse_builtin(name, text)?))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let summary = run_lessons(&lessons, flags.options(false), &flags)?;
            Ok(verdict(&summary))
        }
        Some(Command::Practice {
            lesson,
            color,
            listen,
        }) => practice(lesson.as_deref(), color, listen),
        Some(Command::Progress) => {
            let store = Store::locate();
            let progress = store.load(&mut std::io::stderr());
            let rows = overview::rows(&progress, BUILTIN);
            let path = store.path().map(|p| p.display().to_string());
            overview::write_detail(&mut std::io::stdout().lock(), &rows, path.as_deref())?;
            Ok(Verdict::Ok)
        }
        Some(Command::ResetProgress) => reset_progress(),
        Some(Command::Check { files }) => check(&files),
        Some(Command::Scale { clients, servers }) => scale(clients, servers),
        Some(Command::Play {
            json,
            color,
            listen,
        }) => play(json, color, listen),
        Some(Command::Run { file, flags }) => {
            let lesson = load_file(&file)?;
            let summary = run_lessons(
                &[(file.display().to_string(), None, lesson)],
                flags.run.options(flags.json),
                &flags.run,
            )?;
            Ok(verdict(&summary))
        }
    }
}

impl RunFlags {
    /// Where the run's servers are.
    fn setup(&self) -> Setup {
        Setup {
            listen: self.listen,
            redis: self.redis.clone(),
        }
    }

    /// How to show the run: decides the output and pausing from the terminal.
    fn options(&self, json: bool) -> Options {
        // Waiting for an Enter that no one can press would hang the run.
        let pause = self.step && !json && std::io::stdin().is_terminal();
        if self.step && !pause {
            say("sockets-tour: not pausing (--step): stdin is not a terminal");
        }
        Options {
            output: output(json, self.color),
            pause,
        }
    }
}

/// The output format, with colour decided here, once, from the flags and
/// the terminal.
fn output(json: bool, choice: ColorChoice) -> Output {
    if json {
        return Output::Ndjson;
    }
    let color = use_color(
        choice,
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    if color {
        colored::control::set_override(true);
    }
    Output::Transcript { color }
}

/// Whether to colour: `auto` colours a terminal unless `NO_COLOR` is set to
/// something (<https://no-color.org>).
fn use_color(choice: ColorChoice, stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && no_color.is_none_or(OsStr::is_empty),
    }
}

/// `play`: 0, or 1 if a step disagreed, or 2 if a line was refused.
fn play(json: bool, color: ColorChoice, listen: SocketAddr) -> anyhow::Result<Verdict> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        say(
            "sockets-tour playground: one statement per line, Ctrl-D to end. For example:\n  \
             connect alice\n  connect bob\n  alice: socket.join(\"room1\")\n  \
             io.to(\"room1\").emit(\"hello\", \"room1\")",
        );
    }
    let options = Options {
        output: output(json, color),
        pause: false,
    };
    let prompt = || {
        if interactive {
            // The prompt only; a closed stderr is no reason to stop.
            let _ = write!(std::io::stderr(), "tour> ");
        }
    };
    let played = runtime()?
        .block_on(crate::play::play(
            crate::play::stdin_lines(),
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
            options,
            listen,
            prompt,
        ))
        .map_err(|e| run_error(e, "<stdin>", listen))?;
    Ok(if played.summary.mismatched > 0 {
        Verdict::Problem
    } else if played.refused > 0 && !interactive {
        Verdict::BadInput
    } else {
        Verdict::Ok
    })
}

/// `--redis URL`: the adapter needs RESP3, which the URL must ask for.
fn redis_url(url: &str) -> Result<String, String> {
    if !url.contains("protocol=resp3") {
        return Err(format!(
            "the Redis adapter needs RESP3 (Redis 7 or newer): add ?protocol=resp3 to the URL, \
             as in {}{}protocol=resp3",
            url,
            if url.contains('?') { "&" } else { "/?" }
        ));
    }
    Ok(url.to_owned())
}

/// `scale`: 0, or 2 (bad input) when the clients cannot fit.
fn scale(clients: u32, servers: u32) -> anyhow::Result<Verdict> {
    let (clients, servers) = (clients as usize, servers as usize);
    let report = runtime()?
        .block_on(crate::scale::scale(clients, servers))
        .map_err(|e| match e.downcast::<crate::scale::TooManyClients>() {
            Ok(refusal) => BadInput(refusal.to_string()).into(),
            Err(e) => e,
        })?;
    print!("{report}");
    Ok(Verdict::Ok)
}

/// `practice [LESSON]`: a lesson's exercises (or every lesson's), saving
/// each exercise's ending as it comes.
fn practice(
    lesson: Option<&str>,
    color: ColorChoice,
    listen: SocketAddr,
) -> anyhow::Result<Verdict> {
    let color = matches!(output(false, color), Output::Transcript { color: true });
    let store = Store::locate();
    let progress = store.load(&mut std::io::stderr());
    let all = practice::lessons_for(lesson, &progress)?;
    let mut answers = prompt::for_stdin()?;
    let mut stdout = std::io::stdout().lock();
    let mut session = Session {
        out: crate::render::Transcript::new(&mut stdout, color),
        prompt: answers.as_mut(),
        listen,
    };
    runtime()?
        .block_on(session.practise_lessons(&all, &store))
        .map_err(|e| run_error(e, "practice", listen))?;
    Ok(Verdict::Ok)
}

/// `reset-progress`: deletes the progress file after a `y` (typed or piped).
fn reset_progress() -> anyhow::Result<Verdict> {
    let store = Store::locate();
    let Some(path) = store.path().map(|p| p.display().to_string()) else {
        say("sockets-tour: no data directory, so there is no progress to delete");
        return Ok(Verdict::Ok);
    };
    let mut answers = prompt::for_stdin()?;
    let question = format!("Delete your progress ({path})? [y/N] ");
    if !std::io::stdin().is_terminal() {
        // Piped: the question is still shown, so a script's log reads whole.
        print!("{question}");
    }
    let answer = answers.answer(&question)?.unwrap_or_default();
    if !std::io::stdin().is_terminal() {
        println!();
    }
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        let deleted = store
            .delete()
            .map_err(|e| anyhow::anyhow!("cannot delete {path}: {e}"))?;
        println!(
            "{}",
            if deleted {
                "Progress deleted."
            } else {
                "There was no progress to delete."
            }
        );
    } else {
        println!("Kept your progress.");
    }
    Ok(Verdict::Ok)
}

fn verdict(summary: &Summary) -> Verdict {
    if summary.mismatched > 0 {
        Verdict::Problem
    } else {
        Verdict::Ok
    }
}

/// Runs lessons, each named by its file (and, if built in, by its name,
/// under which its progress is saved), one after another on a fresh
/// server each, on one runtime.
fn run_lessons(
    lessons: &[(String, Option<&str>, Lesson)],
    options: Options,
    flags: &RunFlags,
) -> anyhow::Result<Summary> {
    let listen = flags.listen;
    let runtime = runtime()?;
    let mut stdout = std::io::stdout().lock();
    let mut prompt = if flags.predict {
        Some(prompt::for_stdin()?)
    } else {
        None
    };
    let store = Store::locate();
    runtime.block_on(async {
        let mut total = Summary::default();
        for (i, (file, name, lesson)) in lessons.iter().enumerate() {
            if i > 0 && options.output != Output::Ndjson {
                writeln!(stdout)?;
            }
            let answers = prompt.as_deref_mut();
            let summary = tour::run_with(lesson, &mut stdout, options, flags.setup(), answers)
                .await
                .map_err(|e| run_error(e, file, listen))?;
            if let Some(name) = name {
                let mut progress = store.load(&mut std::io::stderr());
                progress.mark_read(name);
                if let Some(score) = &summary.predictions {
                    let score = PredictScore {
                        right: score.right,
                        graded: score.graded,
                    };
                    progress.record_predict(name, score);
                }
                store.save(&progress, &mut std::io::stderr());
            }
            total.steps += summary.steps;
            total.mismatched += summary.mismatched;
            total.errors.extend(summary.errors);
        }
        if total.mismatched > 0 {
            let where_ = if options.output == Output::Ndjson {
                "the \"mismatch\" keys"
            } else {
                "MISMATCH above"
            };
            say(&format!(
                "sockets-tour: {} of {} steps disagreed with the server's state (see {where_})",
                total.mismatched, total.steps
            ));
        }
        Ok(total)
    })
}

/// Why a run failed: the address given with `--listen` (bad input), or the
/// engine, in the file being run.
fn run_error(e: anyhow::Error, file: &str, listen: SocketAddr) -> anyhow::Error {
    use std::io::ErrorKind::{AddrInUse, AddrNotAvailable, PermissionDenied};
    let cannot_bind = e
        .downcast_ref::<std::io::Error>()
        .is_some_and(|io| matches!(io.kind(), AddrInUse | AddrNotAvailable | PermissionDenied));
    let default = listen.ip().is_loopback() && listen.port() == 0;
    if cannot_bind && default {
        anyhow::Error::new(BadInput(format!(
            "{e:#}; no loopback port is free for the embedded server: check this machine's \
             network settings, or pick an address with --listen"
        )))
    } else if cannot_bind {
        anyhow::Error::new(BadInput(format!(
            "{e:#}; choose another address than {listen} with --listen, or leave it out to let \
             the system pick a free port"
        )))
    } else {
        e.context(file.to_owned())
    }
}

/// `check`: 0 when every lesson is valid and runs as predicted, 2 when one is
/// malformed (or missing), 1 when one runs with a disagreement or cannot run.
fn check(files: &[PathBuf]) -> anyhow::Result<Verdict> {
    let mut unreadable = 0;
    let sources: Vec<crate::check::Source> = if files.is_empty() {
        BUILTIN
            .iter()
            .map(|(name, text)| crate::check::Source {
                name: builtin_file(name),
                text: (*text).to_owned(),
            })
            .collect()
    } else {
        let mut readable = Vec::new();
        for path in files {
            match read_source(path) {
                Ok(text) => readable.push(crate::check::Source {
                    name: path.display().to_string(),
                    text,
                }),
                // Reported, and the other files are still checked.
                Err(e) => {
                    unreadable += 1;
                    let _ = writeln!(std::io::stdout(), "FAIL {}\n     {e}", path.display());
                }
            }
        }
        readable
    };
    let runtime = runtime()?;
    let findings =
        runtime.block_on(crate::check::check(&sources, &mut std::io::stdout().lock()))?;
    Ok(
        if unreadable > 0 || findings.iter().any(|f| !f.invalid.is_empty()) {
            Verdict::BadInput
        } else if findings
            .iter()
            .any(|f| f.mismatched > 0 || f.run_error.is_some() || !f.unsound.is_empty())
        {
            Verdict::Problem
        } else {
            Verdict::Ok
        },
    )
}

/// A line on stderr; a closed stderr (`2>&-`) is no reason to panic.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("could not start the async runtime: {e}"))
}

/// Writes the lessons, in learning order, with their summaries.
fn list(out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "Lessons, in learning order (run one with `sockets-tour NAME`):\n"
    )?;
    let width = BUILTIN.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let progress = Store::locate().load(&mut std::io::stderr());
    let rows = overview::rows(&progress, BUILTIN);
    for ((name, text), row) in BUILTIN.iter().zip(&rows) {
        let summary = lesson::summary(text);
        writeln!(out, "  {name:<width$}  {summary}")?;
        let status = row.status();
        if !status.is_empty() {
            writeln!(out, "  {:width$}  {status}", "")?;
        }
    }
    writeln!(
        out,
        "\n`sockets-tour all` runs them all; `sockets-tour run FILE` runs your own lesson or script;\n\
         add --predict to guess each step first; `sockets-tour practice NAME` for the exercises."
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The command line's definition and its decisions, without running it.
    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn colour_is_automatic_only_on_a_terminal_without_no_color() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        for (choice, terminal, no_color, expected) in [
            (ColorChoice::Auto, true, None, true),
            (ColorChoice::Auto, true, empty, true),
            (ColorChoice::Auto, true, set, false),
            (ColorChoice::Auto, false, None, false),
            (ColorChoice::Always, false, set, true),
            (ColorChoice::Never, true, None, false),
        ] {
            assert_eq!(
                use_color(choice, terminal, no_color),
                expected,
                "{choice:?}, terminal: {terminal}, NO_COLOR: {no_color:?}"
            );
        }
    }

    #[test]
    fn an_engine_error_names_the_file_and_a_bind_error_the_address() {
        let listen = SocketAddr::from(([127, 0, 0, 1], 0));
        let engine = anyhow::anyhow!("no reply within 5 s").context("line 7: `io.emit(\"x\")`");
        assert_eq!(
            format!("{:#}", run_error(engine, "lessons/rooms.md", listen)),
            "lessons/rooms.md: line 7: `io.emit(\"x\")`: no reply within 5 s"
        );
        let bind = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::AddrInUse))
            .context("could not listen");
        let e = run_error(bind, "lessons/rooms.md", listen);
        assert!(e.downcast_ref::<BadInput>().is_some(), "{e:#}");
        assert!(format!("{e}").contains("--listen"), "{e:#}");
    }

    #[test]
    fn reserved_lesson_names_are_exactly_the_subcommands() {
        let mut subcommands: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .chain(["help".to_owned()])
            .collect();
        subcommands.sort();
        let mut reserved: Vec<&str> = lesson::RESERVED_NAMES.to_vec();
        reserved.sort_unstable();
        assert_eq!(
            subcommands, reserved,
            "build.rs's RESERVED_NAMES must list every subcommand of the command line"
        );
    }
}
