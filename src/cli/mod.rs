//! The command line, in the manner of ripgrep's flags: `args` reads the
//! arguments as typed (clap), `decide` turns them into what a run is (one
//! [`Setup`] every mode receives whole), and the commands run on that:
//! `lessons` (a lesson, `run`, `all`), `progress` (`list`, `progress`,
//! `reset-progress`), and the short ones below. Every failure is one
//! [`Error`] whose `code()` is the exit status: 0 done, 1 MISMATCH (or the
//! engine failed), 2 bad input, 3 the environment failed, 130 Ctrl-C.

mod args;
mod decide;
mod lessons;
mod progress;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, FromArgMatches as _};

use crate::error::{Error, Status, bad_input};
use crate::learn::progress::Store;
use crate::learn::prompt;
use crate::lesson::{self, BUILTIN};
use crate::practice::{self, Practice};
use crate::render::{Output, Transcript};
use crate::setup::Setup;
use crate::source::{builtin_file, load_file, parse_builtin, read_source};
use crate::term::stdout::Out;
use crate::term::width;
use args::{Cli, Command, OneRunFlags, command};

/// Runs the command line and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    crate::term::signals::restore_on_signal();
    let mut args: Vec<OsString> = args.into_iter().collect();
    // `help script` and `help language` are the language, as a newcomer guesses.
    if args.len() == 3 && args[1] == "help" && (args[2] == "script" || args[2] == "language") {
        args = vec![args[0].clone(), "language".into()];
    }
    // `help --help` asks what `help` does: the help it gives, then.
    if args.len() == 3 && args[1] == "help" && (args[2] == "--help" || args[2] == "-h") {
        args = vec![args[0].clone(), "--help".into()];
    }
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            // clap prints help and version to stdout (exit 0), errors to stderr (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                Status::BadInput
            } else {
                Status::Done
            }
            .into();
        }
    };
    match dispatch(&matches, &mut Out::stdout()) {
        Ok(status) => status.into(),
        Err(e) => {
            say(&format!("error: {e:#}"));
            e.code()
        }
    }
}

fn dispatch(matches: &ArgMatches, out: &mut Out) -> Result<Status, Error> {
    if let Some((name, sub)) = matches.subcommand()
        && let Some(text) = lesson::builtin(name)
    {
        let flags = OneRunFlags::from_arg_matches(sub).map_err(|e| bad_input(e.to_string()))?;
        let lesson = parse_builtin(name, text)?;
        let decided = flags.run.decide(flags.json);
        return lessons::run_lessons(&[(builtin_file(name), Some(name), lesson)], &decided, out);
    }
    let cli = Cli::from_arg_matches(matches).map_err(|e| bad_input(e.to_string()))?;
    match cli.command {
        None | Some(Command::List) => progress::list(out, width::detect(None)),
        Some(Command::All { flags }) => {
            let lessons = BUILTIN
                .iter()
                .map(|(name, text)| {
                    Ok((builtin_file(name), Some(*name), parse_builtin(name, text)?))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            lessons::run_lessons(&lessons, &flags.decide(false), out)
        }
        Some(Command::Run { file, flags }) => {
            let lesson = load_file(&file)?;
            let decided = flags.run.decide(flags.json);
            lessons::run_lessons(&[(file.display().to_string(), None, lesson)], &decided, out)
        }
        Some(Command::Play { json, look, place }) => {
            let mut setup = decide::setup(json, &look, &place);
            // The playground says where it listens itself, once it does.
            let before = Before {
                max_outside: place.max_outside as usize,
                announce: false,
            };
            prepare(&crate::runtime::build()?, &mut setup, before)?;
            // Each failed line names its file itself (none when typed at the prompt).
            crate::play::terminal::play(&setup)
        }
        Some(Command::Practice {
            lesson,
            look,
            place,
        }) => {
            let before = Before {
                max_outside: place.max_outside as usize,
                announce: true,
            };
            let setup = decide::setup(false, &look, &place);
            practise(lesson.as_deref(), setup, before, out)
        }
        Some(Command::Progress) => progress::show(out),
        Some(Command::ResetProgress) => progress::reset(out),
        Some(Command::Check { files }) => check(&files, out),
        Some(Command::Scale { clients, servers }) => {
            let runtime = crate::runtime::build()?;
            let report =
                runtime.block_on(crate::scale::scale(clients as usize, servers as usize))?;
            write!(out, "{report}")?;
            Ok(Status::Done)
        }
        Some(Command::Show { lesson: name }) => {
            let text = lesson::builtin(&name).ok_or_else(|| {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                bad_input(format!(
                    "no built-in lesson is called {name:?}; the lessons are {}",
                    names.join(", ")
                ))
            })?;
            out.write_all(text.as_bytes())?;
            Ok(Status::Done)
        }
        Some(Command::Language { look }) => language(decide::output(false, &look), out),
        Some(Command::Completions { shell }) => {
            let lessons: Vec<&str> = BUILTIN.iter().map(|(name, _)| *name).collect();
            let takers = ["show", "practice"];
            crate::manual::completions(shell, &mut command(), &lessons, &takers, out)?;
            Ok(Status::Done)
        }
        Some(Command::Man) => {
            crate::manual::man_page(command(), out)?;
            Ok(Status::Done)
        }
        Some(Command::Workshop) => crate::workshop::list(out),
        Some(Command::Starter(args)) => crate::workshop::starter(&args, out),
        Some(Command::Verify { args, look }) => {
            crate::workshop::verify_command(&args, decide::output(false, &look), out)
        }
    }
}

/// What [`prepare`] needs besides the setup.
#[derive(Debug, Clone, Copy)]
pub struct Before {
    /// How many outside clients may be connected at once (`--max-outside`).
    pub max_outside: usize,
    /// Say where the server listens (the playground says it itself).
    pub announce: bool,
}

/// Before a run: raises the descriptor limit and sets the cap on outside
/// clients; when the user chose the address, picks the port now (so that
/// `--listen 0.0.0.0:0` can say which it took), says where the server
/// listens, and that other machines can connect when that is so; and tries
/// the Redis, so that one that cannot be used is said at once, with what to
/// do, rather than halfway through a lesson.
fn prepare(
    runtime: &tokio::runtime::Runtime,
    setup: &mut Setup,
    before: Before,
) -> Result<(), Error> {
    crate::server::descriptors::set_max_outside(before.max_outside);
    // A limit that cannot be raised is no reason to stop: the budget
    // checks later refuse what does not fit, in words.
    let _ = crate::server::descriptors::raise_fd_limit();
    let listen = setup.servers.listen;
    if let Some(chosen) = &setup.servers.chosen {
        // An address that cannot be bound is reported by the run itself.
        if let Ok(bound) = chosen.bind(listen) {
            setup.servers.listen = bound;
            if before.announce {
                say(&crate::play::listening(&format!("http://{bound}")));
            }
        }
        if !listen.ip().is_loopback() {
            say(&format!(
                "sockets-tour: {listen} is not a loopback address: other machines that can \
                 reach this one can now connect to the server (at most {} at once: \
                 --max-outside)",
                before.max_outside
            ));
        }
    }
    if let Some(url) = &setup.servers.redis {
        runtime
            .block_on(crate::cluster::check_redis(url))
            .map_err(|e| {
                bad_input(format!(
                    "{e}; start a Redis 7 server (redis-server) at that address, fix the URL, \
                     or leave out --redis to run the adapter over the in-process bus"
                ))
            })?;
    }
    Ok(())
}

/// `practice [LESSON]`: a lesson's exercises (or every lesson's), saving
/// each exercise's ending as it comes.
fn practise(
    lesson: Option<&str>,
    mut setup: Setup,
    before: Before,
    out: &mut Out,
) -> Result<Status, Error> {
    let runtime = crate::runtime::build()?;
    prepare(&runtime, &mut setup, before)?;
    let Output::Transcript { color, width } = setup.output else {
        unreachable!("practice writes a transcript")
    };
    let store = Store::locate();
    let progress = store.load(&mut std::io::stderr());
    let all = practice::lessons_for(lesson, &progress)?;
    let mut answers = prompt::for_stdin("practice")?;
    let mut session = Practice {
        out: Transcript::new(out, color).with_width(width),
        prompt: answers.as_mut(),
        servers: setup.servers.clone(),
    };
    match runtime.block_on(session.practise_lessons(&all, &store)) {
        Ok(_) => Ok(Status::Done),
        Err(_) if prompt::was_interrupted() => Ok(Status::Interrupted),
        Err(e) => Err(Error::Run(e.context("practice"))),
    }
}

/// `check`: done when every lesson is valid and runs as predicted, bad
/// input when one is malformed (or missing), a MISMATCH when one runs with
/// a disagreement or cannot run.
fn check(files: &[PathBuf], out: &mut Out) -> Result<Status, Error> {
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
                    writeln!(out, "FAIL {}\n     {e}", path.display())?;
                }
            }
        }
        readable
    };
    let findings = crate::runtime::build()?.block_on(crate::check::check(&sources, out))?;
    Ok(
        if unreadable > 0 || findings.iter().any(|f| !f.invalid.is_empty()) {
            Status::BadInput
        } else if findings
            .iter()
            .any(|f| f.mismatched > 0 || f.run_error.is_some() || !f.unsound.is_empty())
        {
            Status::Mismatch
        } else {
            Status::Done
        },
    )
}

/// `language`: the language in brief, as a lesson's narration.
fn language(output: Output, out: &mut Out) -> Result<Status, Error> {
    let lesson = lesson::parse_markdown(crate::language::MARKDOWN)
        .map_err(|e| Error::Run(anyhow::anyhow!("the built-in language help: {e}")))?;
    let Output::Transcript { color, width } = output else {
        unreachable!("not json")
    };
    let mut transcript = Transcript::new(out, color).with_width(width);
    if let Some(title) = &lesson.title {
        transcript.title(title)?;
    }
    for section in &lesson.sections {
        if let lesson::Section::Narration(prose) = section {
            transcript.narration(prose)?;
        }
    }
    transcript.flush()?;
    Ok(Status::Done)
}

/// Says `line` on standard error: at a terminal, wrapped at its width (the
/// lines after the first, a snippet, as they are). A closed stderr (`2>&-`)
/// is no reason to panic.
fn say(line: &str) {
    let line = match width::stderr_columns() {
        Some(columns) => width::wrap_message(line, columns, "  "),
        None => line.to_owned(),
    };
    let _ = writeln!(std::io::stderr(), "{line}");
}
