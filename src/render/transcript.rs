//! The transcript a learner reads: each step's code, then one aligned
//! line per client (who got what, and why the others did not), with
//! colour or without.

use std::io::{self, Write};

use colored::{ColoredString, Colorize as _};
use serde_json::Value;

use super::Format;
use crate::learn::predict::{Graded, Idea, Prediction, Question, Score};
use crate::lesson::Prose;
use std::collections::BTreeMap;

use crate::report::{Absence, Delivery, Hook, Outcome, Reason, ReportLine, Room, StepReport};
use crate::script::hook;

/// Writes the human transcript.
pub struct Transcript<W> {
    pub(super) out: W,
    pub(super) color: bool,
}

impl<W: Write> Transcript<W> {
    pub fn new(out: W, color: bool) -> Self {
        Transcript { out, color }
    }

    pub(super) fn paint(&self, text: &str, style: fn(&str) -> ColoredString) -> String {
        if self.color {
            style(text).to_string()
        } else {
            text.to_owned()
        }
    }

    pub fn title(&mut self, title: &str) -> io::Result<()> {
        let rule = "═".repeat(title.chars().count() + 4);
        let line = format!("  {title}");
        writeln!(self.out, "{}", self.paint(&rule, |s| s.bold()))?;
        writeln!(self.out, "{}", self.paint(&line, |s| s.bold()))?;
        writeln!(self.out, "{}", self.paint(&rule, |s| s.bold()))?;
        writeln!(self.out)
    }

    /// A step: its code as written, then one aligned line per client.
    pub fn step(&mut self, report: &StepReport, name_width: usize) -> io::Result<()> {
        let prompt = self.paint("›", |s| s.bold());
        writeln!(
            self.out,
            "{prompt} {}",
            self.paint(&report.code, |s| s.cyan().bold())
        )?;
        for line in report.lines() {
            match line {
                ReportLine::Outcome(outcome) => self.outcome(outcome, name_width)?,
                ReportLine::Ack(ack) => self.ack(ack, name_width)?,
                ReportLine::Hook(run) => {
                    let which = match run.hook {
                        Hook::Connection => "connection",
                        _ => "disconnect",
                    };
                    let label = format!("↳ the {which} handler of {}:", run.ns);
                    writeln!(self.out, "  {}", self.paint(&label, |s| s.yellow()))?;
                    self.outcome(&run.outcome, name_width)?;
                }
            }
        }
        for mismatch in &report.mismatches {
            let text =
                format!("MISMATCH: {mismatch} (the server's state and the clients disagree)");
            writeln!(self.out, "    {}", self.paint(&text, |s| s.red().bold()))?;
        }
        writeln!(self.out)
    }

    /// What a step did, one line per client it concerns.
    fn outcome(&mut self, outcome: &Outcome, w: usize) -> io::Result<()> {
        match outcome {
            Outcome::Connect {
                name,
                ns,
                server,
                error,
                no_namespace,
            } => match error {
                None => {
                    let on = server
                        .as_ref()
                        .map(|s| format!(" on server {s}"))
                        .unwrap_or_default();
                    self.mark(true, name, w, &format!("connected to {ns}{on}"))?
                }
                Some(message) if *no_namespace => self.mark(
                    false,
                    name,
                    w,
                    &format!(
                        "refused: the server has no namespace {ns} (connect_error {})",
                        quoted(message)
                    ),
                )?,
                Some(message) => self.mark(
                    false,
                    name,
                    w,
                    &format!(
                        "refused by the middleware of {ns}: connect_error {}",
                        quoted(message)
                    ),
                )?,
            },
            Outcome::Emit { event, deliveries } => {
                for (name, delivery) in deliveries {
                    match delivery {
                        Delivery::Received(args) => {
                            self.mark(true, name, w, &received(event, args))?;
                        }
                        Delivery::Missed(reason) => {
                            let why = self.paint(&explain(reason), |s| s.dimmed());
                            self.mark(false, name, w, &why)?;
                        }
                    }
                }
                if deliveries.is_empty() {
                    writeln!(self.out, "    (no clients yet)")?;
                }
            }
            Outcome::Rooms(rooms) => {
                for (name, rooms) in rooms {
                    let list = if rooms.is_empty() {
                        "in no room (besides its own-id room)".to_owned()
                    } else {
                        format!("in {}", quoted_list(rooms))
                    };
                    writeln!(self.out, "    {}  {list}", pad(name, w))?;
                }
            }
            Outcome::Disconnected(gone) => {
                if gone.is_empty() {
                    writeln!(self.out, "    nobody was disconnected")?;
                }
                for (name, d) in gone {
                    let left = if d.rooms_left.is_empty() {
                        String::new()
                    } else {
                        format!("; left {} automatically", quoted_list(&d.rooms_left))
                    };
                    let why = format!("disconnected ({}){left}", d.server);
                    self.mark(false, name, w, &why)?;
                }
            }
            Outcome::Middleware { ns } => writeln!(
                self.out,
                "    middleware added to {ns}: it checks every later connection"
            )?,
            Outcome::Namespace { ns } => writeln!(
                self.out,
                "    namespace {ns} declared: clients may connect to it from now on"
            )?,
            Outcome::Servers { labels, bus } => {
                let names = match labels.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                    None => String::new(),
                };
                writeln!(
                    self.out,
                    "    servers {names} started, each on its own port; {bus}"
                )?
            }
            Outcome::Answered => {}
            Outcome::Handler { ns, event } => match hook(event) {
                Hook::Connection => writeln!(
                    self.out,
                    "    connection handler of {ns} installed: it runs for each socket admitted from now on"
                )?,
                Hook::Disconnect => writeln!(
                    self.out,
                    "    disconnect handler of {ns} installed: it runs for each socket of {ns} that leaves"
                )?,
                Hook::Event => writeln!(
                    self.out,
                    "    handler for {} on {ns} installed",
                    quoted(event)
                )?,
            },
            Outcome::Unhandled { ns, event } => writeln!(
                self.out,
                "    {ns} has no handler for {}: the server ignores it",
                quoted(event)
            )?,
            Outcome::Error(message) => {
                let text = self.paint(&format!("error: {message}"), |s| s.red());
                writeln!(self.out, "    {text}")?
            }
        }
        Ok(())
    }

    /// What the client's acknowledgement callback received, if anything.
    fn ack(&mut self, ack: &BTreeMap<String, Vec<Value>>, w: usize) -> io::Result<()> {
        if ack.is_empty() {
            return writeln!(
                self.out,
                "    no acknowledgement came back: nothing called callback()"
            );
        }
        for (name, args) in ack {
            let args: Vec<String> = args.iter().map(Value::to_string).collect();
            let text = if args.is_empty() {
                "its ack callback ran, with no arguments".to_owned()
            } else {
                format!("its ack callback got {}", args.join(", "))
            };
            let mark = self.paint("↩", |s| s.green());
            writeln!(self.out, "  {mark} {}  {text}", pad(name, w))?;
        }
        Ok(())
    }

    fn mark(&mut self, ok: bool, name: &str, width: usize, text: &str) -> io::Result<()> {
        let mark = if ok {
            self.paint("✔", |s| s.green())
        } else {
            self.paint("✘", |s| s.red())
        };
        writeln!(self.out, "  {mark} {}  {text}", pad(name, width))
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> Format for Transcript<W> {
    fn title(&mut self, title: &str) -> io::Result<()> {
        Transcript::title(self, title)
    }

    fn narration(&mut self, prose: &[Prose]) -> io::Result<()> {
        Transcript::narration(self, prose)
    }

    fn step(&mut self, report: &StepReport, name_width: usize) -> io::Result<()> {
        Transcript::step(self, report, name_width)
    }

    fn question(&mut self, code: &str, question: &Question) -> io::Result<()> {
        Transcript::question(self, code, question)
    }

    fn prediction(
        &mut self,
        report: &StepReport,
        prediction: &Prediction,
        graded: &Graded,
        _ideas: &[Idea],
    ) -> io::Result<()> {
        // The ideas are summed up once, under the score.
        Transcript::prediction(self, report, prediction, graded)
    }

    fn score(&mut self, score: &Score) -> io::Result<()> {
        Transcript::score(self, score)
    }

    fn is_transcript(&self) -> bool {
        true
    }

    fn flush(&mut self) -> io::Result<()> {
        Transcript::flush(self)
    }
}

fn pad(name: &str, width: usize) -> String {
    format!("{name:<width$}")
}

fn quoted_list(rooms: &[String]) -> String {
    rooms
        .iter()
        .map(|r| quoted(r))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A room of `.to/.in/.except` as a script writes it: `"lobby"`, `bob.id`.
fn room_name(room: &Room) -> String {
    match room {
        Room::Name(name) => quoted(name),
        Room::IdOf(name) => format!("{name}.id"),
        Room::OwnId => "socket.id".to_owned(),
    }
}

fn room_list(rooms: &[Room]) -> String {
    rooms.iter().map(room_name).collect::<Vec<_>>().join(", ")
}

/// A name as a JSON string: quotes, escapes and control characters are
/// shown, never interpreted by the terminal.
fn quoted(name: &str) -> String {
    Value::String(name.to_owned()).to_string()
}

fn received(event: &str, args: &[Value]) -> String {
    if args.is_empty() {
        format!("got {}", quoted(event))
    } else {
        let args: Vec<String> = args.iter().map(Value::to_string).collect();
        format!("got {}: {}", quoted(event), args.join(", "))
    }
}

/// Why a client did not receive an emit, in a learner's words.
pub fn explain(reason: &Reason) -> String {
    match reason {
        Reason::NotConnected(Absence::Rejected(message)) => {
            format!(
                "not connected: a middleware refused it ({})",
                quoted(message)
            )
        }
        Reason::NotConnected(Absence::NoNamespace { ns }) => {
            format!("not connected: the server had no namespace {ns}")
        }
        Reason::NotConnected(Absence::Disconnected { code }) => {
            format!("not connected: disconnected by `{code}`")
        }
        Reason::NotConnected(Absence::Vanished) => {
            "not connected: the server lost its socket".to_owned()
        }
        Reason::NotDelivered => "did not arrive, though it should have".to_owned(),
        Reason::OtherServer { server } => {
            format!("on server {server}; the servers share nothing")
        }
        Reason::OtherNamespace { own, target } => {
            format!("is in namespace {own}; this emit goes to {target} only")
        }
        Reason::NotTheTarget { target } => {
            format!("socket.emit goes to {target}'s own client only")
        }
        Reason::Sender { despite_rooms } if despite_rooms.is_empty() => {
            "the sender: broadcasting from a socket leaves the sender out".to_owned()
        }
        Reason::Sender { despite_rooms } => format!(
            "the sender: left out even though it is in {}",
            room_list(despite_rooms)
        ),
        Reason::Excepted { room } => format!("in {}, which except() leaves out", room_name(room)),
        Reason::NotInRooms { rooms } if rooms.len() == 1 => {
            format!("not in {}", room_name(&rooms[0]))
        }
        Reason::NotInRooms { rooms } => format!("in none of {}", room_list(rooms)),
    }
}
