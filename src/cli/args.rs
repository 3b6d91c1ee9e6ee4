//! The command line as clap reads it: the low-level arguments, exactly as
//! typed, before anything is decided from them (`decide`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory as _, Parser, Subcommand, ValueEnum};

use crate::lesson::{self, BUILTIN};
use crate::manual::CompletionShell;
use crate::server::descriptors::DEFAULT_MAX_OUTSIDE;
use crate::term::width;

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
    after_help = "A lesson, `run` and `all` take --step, --pace, --from, --predict, --width, \
        --color, --listen, --max-outside and --redis after their name (a lesson and `run` also \
        take --json), e.g. `sockets-tour rooms --step`; `sockets-tour rooms --help` lists them.\n\n\
        Check yourself: `sockets-tour rooms --predict` asks, before each step that delivers \
        events, who will receive them, and grades the guess; `sockets-tour practice rooms` \
        gives the lesson's exercises.\n\n\
        Write the real thing: `sockets-tour workshop` lists server exercises to write in \
        JavaScript or Rust; `sockets-tour starter chat --lang js` gives a project, and \
        `sockets-tour verify chat -- node server.js` checks it against the reference.\n\n\
        Write your own: `sockets-tour show rooms > my-lesson.md` gives a lesson to adapt, \
        `sockets-tour language` the statements, and `sockets-tour run my-lesson.md` runs it \
        (```tour blocks are its steps), or a bare .tour script (`-` reads standard input).\n\n\
        Exit status: 0 done, 1 a step disagreed with the server (MISMATCH) or the engine \
        failed, 2 bad input, 3 the environment failed during the run (a Redis that stopped \
        answering), 130 interrupted (Ctrl-C)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How output looks: colour and width.
#[derive(Debug, Args)]
pub struct Look {
    /// When to colour the output (auto: on a terminal, unless NO_COLOR is set
    /// or TERM is dumb)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Wrap the output to this many columns (default: COLUMNS, then the
    /// terminal's width, else 80)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(width::MIN as i64..=1000))]
    pub width: Option<u16>,
}

/// Where the servers run: the address of the first, and the Redis of
/// `servers … with adapter`.
#[derive(Debug, Args)]
pub struct ServerFlags {
    /// Address the embedded server listens on, HOST:PORT (a host name such
    /// as localhost is resolved; port 0 picks a free one, and the program
    /// says which); a real Socket.IO client may connect to it [default: a
    /// free port on 127.0.0.1, not announced]
    #[arg(long, value_name = "ADDR", value_parser = parse_listen)]
    pub listen: Option<SocketAddr>,
    /// How many outside clients (real Socket.IO clients on the server's
    /// port) may be connected at once; one past it is closed at once, so
    /// that descriptors stay for the tour's own clients
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_OUTSIDE as u32,
          value_parser = clap::value_parser!(u32).range(0..=65_536))]
    pub max_outside: u32,
    /// Run `servers … with adapter` on this Redis (7 or newer, RESP3: e.g.
    /// redis://127.0.0.1:6379/?protocol=resp3) instead of the in-process bus
    #[arg(long, value_name = "URL", value_parser = RedisUrl)]
    pub redis: Option<String>,
}

/// The options of anything that runs lessons: a lesson, `run` and `all`.
#[derive(Debug, Args)]
pub struct RunFlags {
    #[command(flatten)]
    pub look: Look,
    /// Present a page at a time, for a classroom: pause after each block's
    /// results (keys: Enter/space next, b back, r replay, q quit, ? help)
    #[arg(long)]
    pub step: bool,
    /// With --step, go on by itself after this many seconds at each pause
    /// (a key still works); implies --step
    #[arg(long, value_name = "SECONDS", value_parser = parse_pace)]
    pub pace: Option<Duration>,
    /// Start at the section whose heading contains these words (or its
    /// number, from 1); the steps before it run silently
    #[arg(long, value_name = "SECTION")]
    pub from: Option<String>,
    #[command(flatten)]
    pub place: ServerFlags,
    /// Before each step that delivers events, guess who will receive them
    /// (names, `-` for nobody, `?` to skip), what an ack brings back, and
    /// whether a client coming back gets what it missed; the receipt grades
    /// the guess. Piped stdin gives one answer per line. With --step, each
    /// question ends a page: the class answers before the receipt shows
    #[arg(long)]
    pub predict: bool,
}

/// The options of a single lesson or file: those of any run, and `--json`.
#[derive(Debug, Args)]
pub struct OneRunFlags {
    /// Print one JSON object per statement and nothing else (each
    /// statement's form: `sockets-tour language`)
    #[arg(long, conflicts_with_all = ["step", "pace"])]
    pub json: bool,
    #[command(flatten)]
    pub run: RunFlags,
}

/// `--listen`: an address, or a host name and port that resolve (a
/// loopback address first, IPv4 first, when the name has several).
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let example = "e.g. 127.0.0.1:5000, localhost:5000 or 0.0.0.0:0";
    if !text.contains(':') {
        return Err(format!("`{text}` has no port: give HOST:PORT, {example}"));
    }
    let found: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| format!("`{text}` is not an address this machine can resolve ({e}): give HOST:PORT, {example}"))?
        .collect();
    let rank = |a: &SocketAddr| (!a.ip().is_loopback(), !a.is_ipv4());
    found
        .into_iter()
        .min_by_key(rank)
        .ok_or_else(|| format!("`{text}` resolves to no address: give HOST:PORT, {example}"))
}

/// `--pace`: a positive number of seconds.
pub fn parse_pace(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds (e.g. 5 or 2.5)"))?;
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err(format!(
            "{text} seconds: give a pace of more than 0 and at most 3600 seconds (e.g. 5 or 2.5)"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal, unless NO_COLOR is set or TERM is dumb
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
        #[command(flatten)]
        place: ServerFlags,
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
        #[command(flatten)]
        look: Look,
        #[command(flatten)]
        place: ServerFlags,
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
    /// Write the real thing: the server exercises to write in JavaScript or
    /// Rust, checked by the tour's clients
    Workshop,
    /// Write a starter project for a workshop exercise (listening code done,
    /// TODOs for the handlers)
    Starter(crate::workshop::StarterArgs),
    /// Check your own Socket.IO server: start COMMAND with PORT set, run the
    /// exercise's clients on it and on the reference, compare who got what
    Verify {
        #[command(flatten)]
        args: crate::workshop::VerifyArgs,
        #[command(flatten)]
        look: Look,
    },
}

/// The whole command line: the fixed subcommands, and one per built-in lesson.
pub fn command() -> clap::Command {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn listen_takes_a_host_name_that_resolves() {
        let local = parse_listen("localhost:5000").expect("localhost resolves");
        assert!(local.ip().is_loopback(), "{local}");
        assert_eq!(local.port(), 5000);
        assert_eq!(
            parse_listen("0.0.0.0:0").unwrap(),
            SocketAddr::from(([0, 0, 0, 0], 0))
        );
        assert!(parse_listen("localhost").unwrap_err().contains("no port"));
        assert!(parse_listen("no-such-host.invalid:5000").is_err());
    }

    #[test]
    fn pace_takes_positive_seconds() {
        assert_eq!(parse_pace("2.5"), Ok(Duration::from_millis(2500)));
        assert!(parse_pace("0").is_err());
        assert!(parse_pace("-1").is_err());
        assert!(parse_pace("soon").unwrap_err().contains("seconds"));
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
