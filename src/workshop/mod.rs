//! The workshop: the learner writes a real Socket.IO server (JavaScript
//! or Rust) and the tour's clients check it against a reference.
//!
//! - `exercise`: the server exercises as data (`workshop/NAME/`), embedded.
//! - `starter`: the starter projects (`starter EXERCISE --lang js|rust`).
//! - `process`: the learner's server as a process group, started and killed.
//! - `probe`: plain Socket.IO clients on the learner's server.
//! - `reference`: the reference handlers on the embedded server, per step.
//! - `compare`: one step's ✔/✘ lines, explained from the reference.
//! - `run`: one case (the exercise's clients, or a variant) on both.
//! - `render`: verify's receipt.
//! - `verify`: the whole check, case by case.

mod compare;
pub mod exercise;
mod probe;
mod process;
mod reference;
mod render;
mod run;
pub mod starter;
mod verify;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Status, bad_input};
use crate::render::Output;
use render::Receipt;
pub use verify::{Target, Verdict};

/// `starter`'s arguments.
#[derive(Debug, clap::Args)]
pub struct StarterArgs {
    /// The exercise (`sockets-tour workshop` lists them)
    pub exercise: String,
    /// The language of the starter
    #[arg(long, value_enum)]
    pub lang: starter::Lang,
    /// The folder to write it in (default: EXERCISE-js or EXERCISE-rust);
    /// files already there are never written over
    pub dir: Option<PathBuf>,
}

/// `verify`'s arguments.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The exercise (`sockets-tour workshop` lists them)
    pub exercise: String,
    /// Check a server you started yourself at this URL (e.g.
    /// http://localhost:3000) instead of starting COMMAND
    #[arg(long, value_name = "URL", conflicts_with = "command")]
    pub url: Option<String>,
    /// How long each step waits for every delivery the reference makes, in
    /// milliseconds (more on a slow machine)
    #[arg(long, value_name = "MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub wait: u64,
    /// After those, how long nothing more may arrive before the step ends,
    /// in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub quiet: u64,
    /// How long COMMAND may take to listen on PORT, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub start_timeout: u64,
    /// The command that starts your server, after `--` (it gets PORT)
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `workshop`: the exercises, and how to start.
pub fn list(out: &mut impl Write) -> Result<Status, Error> {
    writeln!(
        out,
        "Write the real thing: a Socket.IO server of your own, in JavaScript or Rust,\n\
         checked by the tour's clients against a reference server.\n"
    )?;
    for name in exercise::names() {
        let ex = exercise::find(name)?;
        writeln!(out, "  {name:<12} {}", ex.summary)?;
    }
    writeln!(
        out,
        "\n  sockets-tour starter chat --lang js chat-js     (or --lang rust)\n  \
         cd chat-js && npm install\n  \
         sockets-tour verify chat -- node server.js      (or -- cargo run)"
    )?;
    Ok(Status::Done)
}

/// `starter EXERCISE --lang js|rust [DIR]`.
pub fn starter(args: &StarterArgs, out: &mut impl Write) -> Result<Status, Error> {
    let ex = exercise::find(&args.exercise)?;
    let (dir, next) = starter::write(&ex, args.lang, args.dir.as_deref())?;
    writeln!(
        out,
        "Wrote the {} starter of `{}` in {}: fill in its TODOs, then\n\n  {next}\n",
        match args.lang {
            starter::Lang::Js => "JavaScript",
            starter::Lang::Rust => "Rust",
        },
        ex.name,
        dir.display()
    )?;
    writeln!(out, "The goal:\n")?;
    let mut transcript = crate::render::Transcript::new(&mut *out, false);
    transcript.narration(&ex.goal)?;
    transcript.flush()?;
    Ok(Status::Done)
}

/// `verify EXERCISE -- COMMAND…` or `verify EXERCISE --url URL`.
pub fn verify_command(
    args: &VerifyArgs,
    output: Output,
    out: &mut impl Write,
) -> Result<Status, Error> {
    let ex = exercise::find(&args.exercise)?;
    let target = match (&args.url, args.command.is_empty()) {
        (Some(url), _) => Target::Url(url.clone()),
        (None, false) => Target::Command(
            args.command.clone(),
            Duration::from_secs(args.start_timeout),
        ),
        (None, true) => {
            return Err(bad_input(format!(
                "give the command that starts your server after `--` (e.g. `sockets-tour \
                 verify {0} -- node server.js` or `-- cargo run`), or --url for one you started",
                ex.name
            )));
        }
    };
    let (color, width) = match output {
        Output::Transcript { color, width } => (color, width),
        Output::Ndjson => (false, crate::term::width::DEFAULT),
    };
    let timing = run::Timing {
        wait: Duration::from_millis(args.wait),
        quiet: Duration::from_millis(args.quiet),
    };
    let mut receipt = Receipt::new(out, color, width);
    let runtime = crate::runtime::build()?;
    let verdict = runtime.block_on(verify::verify(&ex, &target, timing, &mut receipt));
    match verdict {
        Ok(Verdict::Pass) => Ok(Status::Done),
        Ok(Verdict::Fail) => Ok(Status::Mismatch),
        Err(e) => match e.downcast::<Error>() {
            Ok(error) => Err(error),
            Err(e) => Err(Error::Run(e.context(format!("verify {}", ex.name)))),
        },
    }
}
