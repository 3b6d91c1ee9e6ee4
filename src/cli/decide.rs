//! From the arguments as typed to what a run is: colour, width, pausing,
//! where the servers are. Each flag is decided here, once, into one value
//! that every mode receives whole ([`Setup`]), so that no mode can take one
//! flag and miss another.

use std::io::IsTerminal as _;

use super::args::{ColorChoice, Look, RunFlags, ServerFlags};
use super::say;
use std::net::{Ipv4Addr, SocketAddr};

use crate::engine::{Chosen, Servers};
use crate::present::Presenting;
use crate::render::Output;
use crate::setup::Setup;
use crate::term::{palette, width};

/// What the flags of a lesson, `run` or `all` mean.
#[derive(Debug, Clone)]
pub struct Decided {
    /// Its servers and its output.
    pub setup: Setup,
    /// Present a page at a time (`--step`, `--pace`), or start later (`--from`).
    pub presenting: Option<Presenting>,
    /// Ask the learner before each step (`--predict`).
    pub predict: bool,
    /// How many outside clients may be connected at once (`--max-outside`).
    pub max_outside: usize,
}

impl RunFlags {
    /// Decides colour, width, pausing and the servers from the flags and
    /// the terminal.
    pub fn decide(&self, json: bool) -> Decided {
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
            screen: crate::term::screen::Screen::detect(self.look.width.is_some()),
        });
        Decided {
            setup: setup(json, &self.look, &self.place),
            presenting,
            predict: self.predict,
            max_outside: self.place.max_outside as usize,
        }
    }
}

/// A run's setup: its output from `json` and `look`, its servers from `place`.
pub fn setup(json: bool, look: &Look, place: &ServerFlags) -> Setup {
    Setup {
        servers: Servers {
            listen: place
                .listen
                .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            redis: place.redis.clone(),
            chosen: place.listen.map(|_| Chosen::default()),
        },

        output: output(json, look),
    }
}

/// The output format, with colour and width decided from the flags and the
/// terminal.
pub fn output(json: bool, look: &Look) -> Output {
    if json {
        return Output::Ndjson;
    }
    Output::Transcript {
        color: palette::detect(look.color.into()),
        width: width::detect(look.width.map(usize::from)),
    }
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

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::super::args::{Cli, Command};
    use super::*;

    /// The setup `sockets-tour ARGS…` decides for a run, a playground or
    /// practice.
    fn decided(args: &[&str]) -> Setup {
        let cli = Cli::try_parse_from(["sockets-tour"].iter().chain(args)).expect("parses");
        match cli.command.expect("a command") {
            Command::Run { flags, .. } => flags.run.decide(flags.json).setup,
            Command::All { flags } => flags.decide(false).setup,
            Command::Play { json, look, place } => setup(json, &look, &place),
            Command::Practice { look, place, .. } => setup(false, &look, &place),
            other => panic!("not a run: {other:?}"),
        }
    }

    #[test]
    fn redis_and_listen_reach_every_mode_with_every_flag() {
        let url = "redis://127.0.0.1:6390/?protocol=resp3";
        for args in [
            vec!["run", "x.md", "--step"],
            vec!["run", "x.md", "--pace", "2"],
            vec!["run", "x.md", "--from", "rooms"],
            vec!["run", "x.md", "--predict"],
            vec!["all", "--step"],
            vec!["play"],
            vec!["practice", "rooms"],
        ] {
            let args: Vec<&str> = args
                .into_iter()
                .chain(["--redis", url, "--listen", "127.0.0.1:4999"])
                .collect();
            let setup = decided(&args);
            assert_eq!(setup.servers.redis.as_deref(), Some(url), "{args:?}");
            assert_eq!(setup.servers.listen.port(), 4999, "{args:?}");
        }
    }

    #[test]
    fn width_and_colour_are_decided_for_practice_too() {
        let setup = decided(&["practice", "--width", "61", "--color", "always"]);
        assert_eq!(
            setup.output,
            Output::Transcript {
                color: true,
                width: 61
            }
        );
    }
}
