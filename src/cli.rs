//! The command line: one subcommand per built-in lesson, plus `list`,
//! `all`, `run FILE`, `play`, `check`, `show`, `language`, `completions` and
//! `man`; the flags are read once into `Decided` (colour, width, pausing),
//! and errors become exit codes (0 ok, 1 the run found a problem, 2 bad
//! usage or bad input).

use std::ffi::OsString;
use std::io::{IsTerminal as _, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{
    ArgMatches, Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum,
};

use crate::engine::Setup;
use crate::learn::overview;
use crate::learn::practice::{self, Session};
use crate::learn::progress::{PredictScore, Store};
use crate::learn::prompt;
use crate::lesson::{self, BUILTIN, Lesson};
use crate::manual::CompletionShell;
use crate::present::{self, Ended, Presenting};
use crate::render::Output;
use crate::source::{BadInput, builtin_file, load_file, parse_builtin, read_source};
use crate::term::{palette, width};
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
    after_help = "A lesson, `run` and `all` take --step, --pace, --from, --width, --color, \
        --listen and --redis after their name (a lesson and `run` also take --json), e.g. \
        `sockets-tour rooms --step`; `sockets-tour rooms --help` lists them.\n\n\
        Write your own: `sockets-tour show rooms > my-lesson.md` gives a lesson to adapt, \
        `sockets-tour language` the statements, and `sockets-tour run my-lesson.md` runs it \
        (```tour blocks are its steps), or a bare .tour script (`-` reads standard input)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// How output looks: colour and width.
#[derive(Debug, Args)]
struct Look {
    /// When to colour the output (auto: on a terminal, unless NO_COLOR is set
    /// or TERM is dumb)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Wrap the output to this many columns (default: COLUMNS, then the
    /// terminal's width, else 80)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(width::MIN as i64..=1000))]
    width: Option<u16>,
}

/// The options of anything that runs lessons: a lesson, `run` and `all`.
#[derive(Debug, Args)]
struct RunFlags {
    #[command(flatten)]
    look: Look,
    /// Present a page at a time, for a classroom: pause after each block's
    /// results (keys: Enter/space next, b back, r replay, q quit, ? help)
    #[arg(long)]
    step: bool,
    /// With --step, go on by itself after this many seconds at each pause
    /// (a key still works); implies --step
    #[arg(long, value_name = "SECONDS", value_parser = parse_pace)]
    pace: Option<Duration>,
    /// Start at the section whose heading contains these words (or its
    /// number, from 1); the steps before it run silently
    #[arg(long, value_name = "SECTION")]
    from: Option<String>,
    /// Address the embedded server listens on (loopback unless you say
    /// otherwise); a real Socket.IO client may connect to it
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Run `servers … with adapter` on this Redis (7 or newer, RESP3: e.g.
    /// redis://127.0.0.1:6379/?protocol=resp3) instead of the in-process bus
    #[arg(long, value_name = "URL", value_parser = RedisUrl)]
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
    #[arg(long, conflicts_with_all = ["step", "pace"])]
    json: bool,
    #[command(flatten)]
    run: RunFlags,
}

/// `--pace`: a positive number of seconds.
fn parse_pace(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds (e.g. 5 or 2.5)"))?;
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err(format!(
            "{text} seconds: give a pace between 0 and 3600 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Colour when writing to a terminal, unless NO_COLOR is set or TERM is dumb
    Auto,
    Always,
    Never,
}

impl From<ColorChoice> for palette::When {
    fn from(choice: ColorChoice) -> palette::When {
        match choice {
            ColorChoice::Auto => palette::When::Auto,
            ColorChoice::Always => palette::When::Always,
            ColorChoice::Never => palette::When::Never,
        }
    }
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
    /// The playground: type statements (or pipe a script), each runs at once;
    /// :help inside it shows the language and its commands
    Play {
        /// Print one JSON object per statement and nothing else
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        look: Look,
        /// Address the embedded server listens on (loopback unless you say
        /// otherwise); a real Socket.IO client may connect to it
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
    /// Print a built-in lesson's Markdown, to adapt it into your own
    Show {
        /// The lesson (see `sockets-tour list`)
        lesson: String,
    },
    /// The statement language, every form with an example (also: `help script`)
    Language {
        #[command(flatten)]
        look: Look,
    },
    /// Print a shell completion script (bash, zsh or fish) to save where your
    /// shell reads completions
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print the man page (roff), e.g. `sockets-tour man | man -l -`
    Man,
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
    let mut args: Vec<OsString> = args.into_iter().collect();
    // `help script` and `help language` are the language, as a newcomer guesses.
    if args.len() == 3 && args[1] == "help" && (args[2] == "script" || args[2] == "language") {
        args = vec![args[0].clone(), "language".into()];
    }
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
        let decided = flags.run.decide(flags.json);
        let summary = run_lessons(
            &[(builtin_file(name), Some(name), lesson)],
            &decided,
            flags.run.predict,
        )?;
        return Ok(verdict(&summary));
    }
    match Cli::from_arg_matches(matches)?.command {
        None | Some(Command::List) => {
            list(&mut std::io::stdout().lock(), width::detect(None))?;
            Ok(Verdict::Ok)
        }
        Some(Command::All { flags }) => {
            let lessons = BUILTIN
                .iter()
                .map(|(name, text)| {
                    Ok((builtin_file(name), Some(*name), parse_builtin(name, text)?))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let summary = run_lessons(&lessons, &flags.decide(false), flags.predict)?;
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
        Some(Command::Play { json, look, listen }) => {
            crate::play::terminal::play(output(json, &look), listen)
                .map_err(|e| run_error(e, "<stdin>", listen))
                .map(|outcome| match outcome {
                    crate::play::terminal::Outcome::Ok => Verdict::Ok,
                    crate::play::terminal::Outcome::Mismatched => Verdict::Problem,
                    crate::play::terminal::Outcome::Refused => Verdict::BadInput,
                })
        }
        Some(Command::Run { file, flags }) => {
            let lesson = load_file(&file)?;
            let decided = flags.run.decide(flags.json);
            let summary = run_lessons(
                &[(file.display().to_string(), None, lesson)],
                &decided,
                flags.run.predict,
            )?;
            Ok(verdict(&summary))
        }
        Some(Command::Show { lesson: name }) => {
            let text = lesson::builtin(&name).ok_or_else(|| {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                BadInput(format!(
                    "no built-in lesson is called {name:?}; the lessons are {}",
                    names.join(", ")
                ))
            })?;
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(Verdict::Ok)
        }
        Some(Command::Language { look }) => {
            let lesson = lesson::parse_markdown(crate::language::MARKDOWN)
                .map_err(|e| anyhow::anyhow!("the built-in language help: {e}"))?;
            let Output::Transcript { color, width } = output(false, &look) else {
                unreachable!("not json")
            };
            let mut out = std::io::stdout().lock();
            let mut transcript = crate::render::Transcript::new(&mut out, color).with_width(width);
            if let Some(title) = &lesson.title {
                transcript.title(title)?;
            }
            for section in &lesson.sections {
                if let lesson::Section::Narration(prose) = section {
                    transcript.narration(prose)?;
                }
            }
            transcript.flush()?;
            Ok(Verdict::Ok)
        }
        Some(Command::Completions { shell }) => {
            crate::manual::completions(shell, &mut command(), &mut std::io::stdout().lock())?;
            Ok(Verdict::Ok)
        }
        Some(Command::Man) => {
            crate::manual::man_page(command(), &mut std::io::stdout().lock())?;
            Ok(Verdict::Ok)
        }
    }
}

/// What the flags of a run mean, decided once: the output, the presenter,
/// the server's address.
#[derive(Debug, Clone)]
struct Decided {
    options: Options,
    /// Present a page at a time (`--step`, `--pace`), or start later (`--from`).
    presenting: Option<Presenting>,
    listen: SocketAddr,
    /// Where the servers are: `listen`, and `--redis` for a cluster's adapter.
    setup: Setup,
}

impl RunFlags {
    /// Where the run's servers are.
    fn setup(&self) -> Setup {
        Setup {
            listen: self.listen,
            redis: self.redis.clone(),
        }
    }

    /// Decides colour, width and pausing from the flags and the terminal.
    fn decide(&self, json: bool) -> Decided {
        let step = self.step || self.pace.is_some();
        // Waiting for a key no one can press would hang the run.
        let pause = step && !json && std::io::stdin().is_terminal();
        if step && !pause && !json {
            say("sockets-tour: not pausing (--step): stdin is not a terminal");
        }
        let presenting = (pause || self.from.is_some()).then(|| Presenting {
            pause,
            pace: self.pace,
            from: self.from.clone(),
            rows: width::detect_rows(),
        });
        Decided {
            options: Options {
                output: output(json, &self.look),
            },
            presenting,
            listen: self.listen,
            setup: self.setup(),
        }
    }
}

/// The output format, with colour and width decided here, once, from the
/// flags and the terminal.
fn output(json: bool, look: &Look) -> Output {
    if json {
        return Output::Ndjson;
    }
    Output::Transcript {
        color: palette::detect(look.color.into()),
        width: width::detect(look.width.map(usize::from)),
    }
}

/// `--redis URL`: the adapter needs RESP3, which the URL must ask for. A
/// refusal shows the URL without its password (clap's own "invalid value"
/// message would quote it whole).
#[derive(Clone)]
struct RedisUrl;

impl clap::builder::TypedValueParser for RedisUrl {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        use clap::error::ErrorKind;
        let Some(url) = value.to_str() else {
            return Err(clap::Error::new(ErrorKind::InvalidUtf8).with_cmd(cmd));
        };
        if !url.contains("protocol=resp3") {
            let shown = crate::cluster::redact(url);
            let message = format!(
                "invalid value '{shown}' for '--redis <URL>': the Redis adapter needs RESP3 \
                 (Redis 7 or newer): add ?protocol=resp3 to the URL, as in {shown}{}protocol=resp3\n",
                match (url.contains('?'), url.ends_with('/')) {
                    (true, _) => "&",
                    (false, true) => "?",
                    (false, false) => "/?",
                }
            );
            return Err(clap::Error::raw(ErrorKind::ValueValidation, message).with_cmd(cmd));
        }
        Ok(url.to_owned())
    }
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
    let look = Look { color, width: None };
    let color = matches!(output(false, &look), Output::Transcript { color: true, .. });
    let store = Store::locate();
    let progress = store.load(&mut std::io::stderr());
    let all = practice::lessons_for(lesson, &progress)?;
    let mut answers = prompt::for_stdin()?;
    let mut stdout = std::io::stdout().lock();
    let mut session = Session {
        out: crate::render::Transcript::new(&mut stdout, color)
            .with_width(crate::term::width::detect(None)),
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
/// server each, on one runtime; presented a page at a time if asked, or
/// with the learner's predictions asked before each step (`predict`).
fn run_lessons(
    lessons: &[(String, Option<&str>, Lesson)],
    decided: &Decided,
    predict: bool,
) -> anyhow::Result<Summary> {
    let runtime = runtime()?;
    let mut stdout = std::io::stdout().lock();
    let options = decided.options;
    let listen = decided.listen;
    // Said only of an address that can be bound: the run itself reports
    // one that cannot, and says what to do.
    if listen.port() != 0 && std::net::TcpListener::bind(listen).is_ok() {
        say(&crate::play::listening(&format!("http://{listen}")));
    }
    if let Some(url) = &decided.setup.redis {
        runtime
            .block_on(crate::cluster::check_redis(url))
            .map_err(|e| redis_advice(&e))?;
    }
    let mut prompt = if predict {
        Some(prompt::for_stdin()?)
    } else {
        None
    };
    let store = Store::locate();
    let skip = match decided.presenting.as_ref().and_then(|p| p.from.as_deref()) {
        Some(from) if lessons.len() > 1 => first_lesson_with(lessons, from)?,
        _ => 0,
    };
    runtime.block_on(async {
        let mut total = Summary::default();
        for (i, (file, name, lesson)) in lessons.iter().enumerate().skip(skip) {
            if i > skip && options.output != Output::Ndjson {
                if let Some(p) = decided.presenting.as_ref().filter(|p| p.pause) {
                    let title = lesson.title.as_deref().unwrap_or(file);
                    stdout.flush()?;
                    if present::between_lessons(title, p.pace, options.output)? == Ended::Quit {
                        break;
                    }
                }
                writeln!(stdout)?;
            }
            let (summary, ended) = match (&decided.presenting, prompt.as_deref_mut()) {
                (_, Some(answers)) => tour::run_with(
                    lesson,
                    &mut stdout,
                    options,
                    decided.setup.clone(),
                    Some(answers),
                )
                .await
                .map(|summary| (summary, Ended::Finished)),
                (Some(presenting), None) => {
                    // `--from` names a section of the first lesson presented only.
                    let mut presenting = presenting.clone();
                    if i > skip || lesson_matches(lesson, presenting.from.as_deref()) {
                        presenting.from = None;
                    }
                    present::present(lesson, &mut stdout, options.output, &presenting, listen).await
                }
                (None, None) => {
                    tour::run_with(lesson, &mut stdout, options, decided.setup.clone(), None)
                        .await
                        .map(|summary| (summary, Ended::Finished))
                }
            }
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
            if ended == Ended::Quit {
                break;
            }
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

/// Whether `--from` names the lesson itself (its title or file), not a section.
fn lesson_matches(lesson: &Lesson, from: Option<&str>) -> bool {
    let Some(from) = from else { return false };
    let from = from.trim().to_lowercase();
    lesson
        .title
        .as_deref()
        .is_some_and(|t| t.to_lowercase().contains(&from))
}

/// `all --from`: the first lesson whose title, or one of whose section
/// headings, contains the words.
fn first_lesson_with(
    lessons: &[(String, Option<&str>, Lesson)],
    from: &str,
) -> Result<usize, BadInput> {
    let wanted = from.trim().to_lowercase();
    lessons
        .iter()
        .position(|(file, _, lesson)| {
            file.to_lowercase().contains(&wanted)
                || lesson_matches(lesson, Some(from))
                || present::pieces::pieces(lesson)
                    .iter()
                    .filter_map(|p| p.heading())
                    .any(|h| h.to_lowercase().contains(&wanted))
        })
        .ok_or_else(|| {
            BadInput(format!(
                "--from {from}: no lesson has a section called that"
            ))
        })
}

/// Why a run failed: the address given with `--listen` (bad input), or the
/// engine, in the file being run.
/// A Redis that cannot be used is bad input (the machine or the URL), with
/// what to do about it.
fn redis_advice(e: &crate::cluster::RedisUnavailable) -> BadInput {
    BadInput(format!(
        "{e}; start a Redis 7 server (redis-server) at that address, fix the URL, or leave \
         out --redis to run the adapter over the in-process bus"
    ))
}

fn run_error(e: anyhow::Error, file: &str, listen: SocketAddr) -> anyhow::Error {
    use std::io::ErrorKind::{AddrInUse, AddrNotAvailable, PermissionDenied};
    if let Some(redis) = e
        .chain()
        .find_map(|c| c.downcast_ref::<crate::cluster::RedisUnavailable>())
    {
        return anyhow::Error::new(redis_advice(redis));
    }
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

/// Writes the lessons, in learning order, with their summaries wrapped
/// to `columns` under their first word, and each one's progress.
fn list(out: &mut impl Write, columns: usize) -> anyhow::Result<()> {
    for line in width::wrap(
        "Lessons, in learning order (run one with `sockets-tour NAME`):",
        columns,
        "",
        "",
    ) {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    let names = BUILTIN.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let progress = Store::locate().load(&mut std::io::stderr());
    let rows = overview::rows(&progress, BUILTIN);
    for ((name, text), row) in BUILTIN.iter().zip(&rows) {
        let summary = lesson::summary(text);
        let first = format!("  {name:<names$}  ");
        let rest = " ".repeat(first.len());
        for line in width::wrap(&summary, columns, &first, &rest) {
            writeln!(out, "{line}")?;
        }
        let status = row.status();
        if !status.is_empty() {
            for line in width::wrap(&status, columns, &rest, &rest) {
                writeln!(out, "{line}")?;
            }
        }
    }
    writeln!(out)?;
    let after = "`sockets-tour all` runs them all; `sockets-tour run FILE` runs your own \
        lesson or script; `sockets-tour play` runs statements as you type them; add \
        --predict to guess each step first; `sockets-tour practice NAME` for the exercises.";
    for line in width::wrap(after, columns, "", "") {
        writeln!(out, "{line}")?;
    }
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
    fn the_lesson_list_fits_60_and_80_columns() {
        for columns in [60, 80] {
            let mut out = Vec::new();
            list(&mut out, columns).unwrap();
            let text = String::from_utf8(out).unwrap();
            for line in text.lines() {
                assert!(width::columns(line) <= columns, "{columns}: {line:?}");
            }
            for (name, _) in BUILTIN {
                assert!(text.contains(&format!("  {name} ")), "{text}");
            }
        }
    }

    #[test]
    fn pace_takes_positive_seconds() {
        assert_eq!(parse_pace("2.5"), Ok(Duration::from_millis(2500)));
        assert!(parse_pace("0").is_err());
        assert!(parse_pace("-1").is_err());
        assert!(parse_pace("soon").unwrap_err().contains("seconds"));
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
