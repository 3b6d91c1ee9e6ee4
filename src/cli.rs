//! The command line: one subcommand per built-in lesson, plus `list`,
//! `all`, `run FILE` and `check`; errors become exit codes (0 ok, 1 the
//! run found a problem, 2 bad usage or bad input).

use std::ffi::OsString;
use std::io::{IsTerminal as _, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{
    ArgMatches, Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum,
};

use crate::lesson::{self, BUILTIN, Lesson};
use crate::script::SyntaxError;
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
    after_help = "Write your own: `sockets-tour run my-lesson.md` runs a Markdown lesson \
        (```tour blocks are its steps) or a bare .tour script."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct Global {
    /// When to colour the output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Pause before each block of steps until Enter is pressed (for a classroom demo)
    #[arg(long, global = true)]
    step: bool,
    /// Address the embedded server listens on (loopback unless you say otherwise)
    #[arg(
        long,
        global = true,
        value_name = "ADDR",
        default_value = "127.0.0.1:0"
    )]
    listen: SocketAddr,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
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
    All,
    /// Run a lesson (.md) or a bare script (.tour) from a file
    Run {
        /// The lesson or script to run
        file: PathBuf,
        /// Print one JSON object per statement (the format of tour-script.md) and nothing else
        #[arg(long)]
        json: bool,
    },
    /// Check lessons: they parse, have a title, summary and narration, use only
    /// clients connected earlier, and run with every outcome as predicted
    Check {
        /// Lessons or scripts to check (default: the built-in lessons)
        files: Vec<PathBuf>,
    },
}

/// A failure that is the user's input, not the run: exit status 2.
#[derive(Debug)]
struct BadInput(String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Runs the command line and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let command = BUILTIN
        .iter()
        .fold(Cli::command(), |command, (name, text)| {
            let about = lesson::parse_markdown(text)
                .ok()
                .and_then(|l| l.summary)
                .unwrap_or_default();
            command.subcommand(
                clap::Command::new(*name).about(about).arg(
                    clap::Arg::new("json")
                        .long("json")
                        .action(clap::ArgAction::SetTrue)
                        .help("Print one JSON object per statement and nothing else"),
                ),
            )
        });
    let matches = match command.try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            // clap prints help and version to stdout (exit 0), errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(&matches) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let code = if e.downcast_ref::<BadInput>().is_some() {
                2
            } else {
                1
            };
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn dispatch(matches: &ArgMatches) -> anyhow::Result<ExitCode> {
    let global = Global::from_arg_matches(matches)?;
    let color = match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    if color {
        colored::control::set_override(true);
    }
    let options = |json: bool| Options {
        json,
        color: color && !json,
        pause: global.step,
    };
    if let Some((name, sub)) = matches.subcommand()
        && let Some(text) = lesson::builtin(name)
    {
        let lesson = parse_builtin(name, text)?;
        let summary = run_lessons(&[lesson], options(sub.get_flag("json")), global.listen)?;
        return Ok(exit_code(&summary));
    }
    let cli = Cli::from_arg_matches(matches)?;
    match cli.command {
        None | Some(Command::List) => {
            list(&mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::All) => {
            let lessons = BUILTIN
                .iter()
                .map(|(name, text)| parse_builtin(name, text))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let summary = run_lessons(&lessons, options(false), global.listen)?;
            Ok(exit_code(&summary))
        }
        Some(Command::Check { files }) => check(&files),
        Some(Command::Run { file, json }) => {
            let lesson = load_file(&file)?;
            let summary = run_lessons(&[lesson], options(json), global.listen)?;
            Ok(exit_code(&summary))
        }
    }
}

fn exit_code(summary: &Summary) -> ExitCode {
    if summary.mismatched > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn parse_builtin(name: &str, text: &str) -> anyhow::Result<Lesson> {
    lesson::parse_markdown(text).map_err(|e| syntax_error(&e, &format!("lessons/{name}.md")))
}

fn syntax_error(e: &SyntaxError, file: &str) -> anyhow::Error {
    // The rendered error ends in a newline; the final `error:` line adds its own.
    anyhow::Error::new(BadInput(
        e.render(file)
            .trim_end()
            .trim_start_matches("error: ")
            .to_owned(),
    ))
}

/// Reads and parses a lesson or script file.
pub fn load_file(path: &Path) -> anyhow::Result<Lesson> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        BadInput(format!(
            "cannot read {}: {e}; give the path of a .md lesson or a .tour script",
            path.display()
        ))
    })?;
    let name = path.display().to_string();
    lesson::load(&name, &text).map_err(|e| syntax_error(&e, &name))
}

/// Runs lessons one after another on a fresh server each, on one runtime.
fn run_lessons(
    lessons: &[Lesson],
    options: Options,
    listen: SocketAddr,
) -> anyhow::Result<Summary> {
    let runtime = runtime()?;
    let mut stdout = std::io::stdout().lock();
    runtime.block_on(async {
        let mut total = Summary::default();
        for (i, lesson) in lessons.iter().enumerate() {
            if i > 0 && !options.json {
                writeln!(stdout)?;
            }
            let summary = tour::run_with(lesson, &mut stdout, options, listen)
                .await
                .map_err(|e| match e.downcast_ref::<std::io::Error>() {
                    Some(io) if io.kind() == std::io::ErrorKind::AddrInUse
                        || io.kind() == std::io::ErrorKind::AddrNotAvailable
                        || io.kind() == std::io::ErrorKind::PermissionDenied => {
                        anyhow::Error::new(BadInput(format!("{e:#}; choose another address with --listen, or leave it out to let the system pick a free port")))
                    }
                    _ => e,
                })?;
            total.steps += summary.steps;
            total.mismatched += summary.mismatched;
        }
        if total.mismatched > 0 {
            eprintln!(
                "sockets-tour: {} of {} steps disagreed with the server's state (see MISMATCH above)",
                total.mismatched, total.steps
            );
        }
        Ok(total)
    })
}

/// `check`: 0 when every lesson is valid and runs as predicted, 2 when one is
/// malformed (or missing), 1 when one runs with a disagreement.
fn check(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let sources: Vec<crate::check::Source> = if files.is_empty() {
        BUILTIN
            .iter()
            .map(|(name, text)| crate::check::Source {
                name: format!("lessons/{name}.md"),
                text: (*text).to_owned(),
            })
            .collect()
    } else {
        files
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| BadInput(format!("cannot read {}: {e}", path.display())))?;
                Ok(crate::check::Source {
                    name: path.display().to_string(),
                    text,
                })
            })
            .collect::<anyhow::Result<_>>()?
    };
    let runtime = runtime()?;
    let findings =
        runtime.block_on(crate::check::check(&sources, &mut std::io::stdout().lock()))?;
    Ok(if findings.iter().any(|f| !f.invalid.is_empty()) {
        ExitCode::from(2)
    } else if findings.iter().any(|f| f.mismatched > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
    for (name, text) in BUILTIN {
        let summary = lesson::parse_markdown(text)
            .ok()
            .and_then(|l| l.summary)
            .unwrap_or_default();
        writeln!(out, "  {name:<width$}  {summary}")?;
    }
    writeln!(
        out,
        "\n`sockets-tour all` runs them all; `sockets-tour run FILE` runs your own lesson or script."
    )?;
    Ok(())
}
