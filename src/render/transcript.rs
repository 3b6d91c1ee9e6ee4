//! The transcript a learner reads: each step's code, then one aligned
//! line per client (who got what, and why the others did not), with
//! colour or without.

use std::io::{self, Write};

use serde_json::Value;

use super::Format;
use crate::learn::guess::{Graded, Idea, Prediction, Question, Score};
use crate::lesson::Prose;
use std::collections::BTreeMap;

use crate::report::{
    Delivery, Hook, Outcome, Reason, ReportLine, State, StepReport, explain, quoted,
};
use crate::script::hook;
use crate::term::palette::{Palette, Role};
use crate::term::width;

/// Writes the human transcript, wrapped to a width.
pub struct Transcript<W> {
    pub(super) out: W,
    pub(super) palette: Palette,
    /// The columns every line fits in (a single token longer than a line
    /// runs over rather than being cut).
    pub(super) width: usize,
    /// Whether a step starts with its statement (`› …`); not at a prompt,
    /// where the typed line is still on screen.
    echo: bool,
}

impl<W: Write> Transcript<W> {
    /// A transcript `width::DEFAULT` columns wide.
    pub fn new(out: W, color: bool) -> Self {
        Transcript {
            out,
            palette: Palette::new(color),
            width: width::DEFAULT,
            echo: true,
        }
    }

    /// The same, without the statement above each receipt (the playground's
    /// prompt line already shows it).
    pub fn without_echo(mut self) -> Self {
        self.echo = false;
        self
    }

    /// The same, `columns` wide.
    pub fn with_width(mut self, columns: usize) -> Self {
        self.width = columns;
        self
    }

    pub(super) fn paint(&self, role: Role, text: &str) -> String {
        self.palette.paint(role, text)
    }

    pub fn title(&mut self, title: &str) -> io::Result<()> {
        let lines = width::wrap(title, self.width, "  ", "  ");
        let widest = lines.iter().map(|l| width::columns(l)).max().unwrap_or(0);
        let rule = "═".repeat((widest + 2).min(self.width));
        writeln!(self.out, "{}", self.paint(Role::Title, &rule))?;
        for line in &lines {
            writeln!(self.out, "{}", self.paint(Role::Title, line))?;
        }
        writeln!(self.out, "{}", self.paint(Role::Title, &rule))?;
        writeln!(self.out)
    }

    /// Writes `text` after `prefix` (already painted, `prefix_columns`
    /// wide), wrapped, its later lines indented under its first word.
    pub(super) fn hanging(
        &mut self,
        prefix: &str,
        prefix_columns: usize,
        text: &str,
        role: Option<Role>,
    ) -> io::Result<()> {
        let indent = " ".repeat(prefix_columns);
        for (i, line) in width::wrap(text, self.width, &indent, &indent)
            .iter()
            .enumerate()
        {
            let body = line.get(prefix_columns..).unwrap_or("");
            let body = match role {
                Some(role) => self.paint(role, body),
                None => body.to_owned(),
            };
            let lead = if i == 0 { prefix } else { &indent };
            writeln!(self.out, "{lead}{body}")?;
        }
        Ok(())
    }

    /// A line of the receipt that concerns no one client, indented by four.
    pub(super) fn note(&mut self, text: &str) -> io::Result<()> {
        self.hanging("    ", 4, text, None)
    }

    /// A step: its code as written, then one aligned line per client.
    pub fn step(&mut self, report: &StepReport, name_width: usize) -> io::Result<()> {
        if self.echo {
            self.statement(&report.code)?;
        }
        for line in report.lines() {
            match line {
                ReportLine::Outcome(outcome) => self.outcome(outcome, name_width)?,
                ReportLine::Ack(ack) => self.ack(ack, &report.ack_detail, name_width)?,
                ReportLine::Hook(run) => {
                    let label = match run.hook {
                        Hook::Connection => format!("↳ the connection handler of {}:", run.ns),
                        Hook::Disconnecting => {
                            format!("↳ the disconnecting handler of {}:", run.ns)
                        }
                        Hook::Disconnect => format!("↳ the disconnect handler of {}:", run.ns),
                        Hook::Event => format!("↳ a buffered emit's handler, on {}:", run.ns),
                    };
                    let label = self.paint(Role::Label, &label);
                    writeln!(self.out, "  {label}")?;
                    self.outcome(&run.outcome, name_width)?;
                }
            }
        }
        for mismatch in &report.mismatches {
            let text =
                format!("MISMATCH: {mismatch} (the server's state and the clients disagree)");
            self.hanging("    ", 4, &text, Some(Role::Mismatch))?;
        }
        writeln!(self.out)
    }

    /// The statement as written, after `› `; a statement wider than the
    /// line is broken between tokens, its continuation indented.
    fn statement(&mut self, code: &str) -> io::Result<()> {
        let prompt = self.paint(Role::Statement, "›");
        for (i, line) in width::wrap_code(code, self.width, "  ").iter().enumerate() {
            let body = self.paint(Role::Statement, line.get(2..).unwrap_or(""));
            let lead = if i == 0 {
                format!("{prompt} ")
            } else {
                "  ".to_owned()
            };
            writeln!(self.out, "{lead}{body}")?;
        }
        Ok(())
    }

    /// What a step did, one line per client it concerns.
    fn outcome(&mut self, outcome: &Outcome, w: usize) -> io::Result<()> {
        match outcome {
            Outcome::Connect {
                name,
                ns,
                server,
                error,
                error_data,
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
                        "refused by the middleware of {ns}: connect_error {}{}",
                        quoted(message),
                        error_data
                            .as_ref()
                            .map(|d| format!(", err.data {d}"))
                            .unwrap_or_default()
                    ),
                )?,
            },
            Outcome::Emit { event, deliveries } => {
                for (name, delivery) in deliveries {
                    match delivery {
                        Delivery::Received(args) => {
                            self.mark(true, name, w, &received(event, args))?;
                        }
                        // The reason is the most important text on screen: plain, never dim.
                        Delivery::Missed(reason) => self.mark(false, name, w, &explain(reason))?,
                    }
                }
                if deliveries.is_empty() {
                    self.note("(no clients yet)")?;
                }
            }
            Outcome::Rooms(rooms) => {
                for (name, rooms) in rooms {
                    let list = if rooms.is_empty() {
                        "in no room (besides its own-id room)".to_owned()
                    } else {
                        format!("in {}", quoted_list(rooms))
                    };
                    let prefix = format!("    {}  ", pad(name, w));
                    let columns = width::columns(&prefix);
                    self.hanging(&prefix, columns, &list, None)?;
                }
            }
            Outcome::Disconnected(gone) => {
                if gone.is_empty() {
                    self.note("nobody was disconnected")?;
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
            Outcome::Middleware { ns } if ns == "*" => self.note(
                "middleware added to every namespace, and to each one declared later: \
                 it checks every later connection",
            )?,
            Outcome::Middleware { ns } => {
                self.note(&format!("middleware added to {ns}: it checks every later connection"))?
            }
            Outcome::PacketMiddleware { ns } => self.note(&format!(
                "packet middleware added to {ns}: each socket that connects from now on \
                 checks every packet its client sends"
            ))?,
            Outcome::Namespace { ns } => self.note(&format!(
                "namespace {ns} declared: clients may connect to it from now on"
            ))?,
            Outcome::Servers { labels, bus } => {
                let names = match labels.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                    None => String::new(),
                };
                self.note(&format!(
                    "servers {names} started, fresh (no clients, handlers or middlewares \
                     yet), each on its own port; {bus}"
                ))?
            }
            Outcome::Answered => {}
            Outcome::Listener { name, event } => self.note(&format!(
                "{name}'s client now answers every acknowledgement the server asks for with {}",
                quoted(event)
            ))?,
            Outcome::Handler { ns, event } => match hook(event) {
                Hook::Connection => self.note(&format!(
                    "connection handler of {ns} installed: it runs for each socket admitted from now on"
                ))?,
                Hook::Disconnect => self.note(&format!(
                    "disconnect handler of {ns} installed: it runs for each socket of {ns} that leaves"
                ))?,
                Hook::Disconnecting => self.note(&format!(
                    "disconnecting handler of {ns} installed: it runs for each socket of {ns} \
                     that leaves, while it is still in its rooms"
                ))?,
                Hook::Event => {
                    self.note(&format!("handler for {} on {ns} installed", quoted(event)))?
                }
            },
            Outcome::Refused { ns, event, message } => self.note(&format!(
                "a packet middleware of {ns} refused {}: error {} on the server, \
                 and no handler ran",
                quoted(event),
                quoted(message)
            ))?,
            Outcome::Unhandled { ns, event } => self.note(&format!(
                "{ns} has no handler for {}: the server ignores it",
                quoted(event)
            ))?,
            Outcome::Error(message) => {
                self.hanging("    ", 4, &format!("error: {message}"), Some(Role::Error))?
            }
            Outcome::Reconnected {
                name,
                ns,
                error,
                flushed,
            } => self.reconnected(name, ns, error.as_deref(), flushed, w)?,
            Outcome::Offline {
                name,
                event,
                buffered,
            } => self.offline(name, event, *buffered, w)?,
            Outcome::Sockets { found, missed } => self.fetched(found, missed, w)?,
        }
        Ok(())
    }

    /// What the acknowledgement callback (or promise) received, if
    /// anything, and who did not answer the server's ask.
    fn ack(
        &mut self,
        ack: &BTreeMap<String, Vec<Value>>,
        detail: &crate::report::AckDetail,
        w: usize,
    ) -> io::Result<()> {
        for line in super::acks::ack_texts(ack, detail) {
            match &line.name {
                None => self.note(&line.text)?,
                Some(name) if line.answered => {
                    self.marked("↩", Role::Received, name, w, &line.text)?
                }
                Some(name) => self.mark(false, name, w, &line.text)?,
            }
        }
        Ok(())
    }

    pub(super) fn mark(
        &mut self,
        ok: bool,
        name: &str,
        width: usize,
        text: &str,
    ) -> io::Result<()> {
        if ok {
            self.marked("✔", Role::Received, name, width, text)
        } else {
            self.marked("✘", Role::Missed, name, width, text)
        }
    }

    /// `  ✔ alice  text`: the text wrapped, its later lines under its first
    /// word, so that the names and the receipts stay in columns.
    fn marked(
        &mut self,
        mark: &str,
        role: Role,
        name: &str,
        w: usize,
        text: &str,
    ) -> io::Result<()> {
        let plain = format!("  {mark} {}  ", pad(name, w));
        let prefix = format!("  {} {}  ", self.paint(role, mark), pad(name, w));
        self.hanging(&prefix, width::columns(&plain), text, None)
    }

    /// The playground's `:state`: per namespace, its clients and their
    /// rooms, its handlers and middlewares; then the clients that are gone.
    pub fn state(&mut self, state: &State) -> io::Result<()> {
        let w = state
            .namespaces
            .values()
            .flat_map(|n| n.clients.keys())
            .chain(state.gone.keys())
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0);
        for (ns, n) in &state.namespaces {
            let heading = self.paint(Role::Heading, &format!("── namespace {ns}"));
            writeln!(self.out, "{heading}")?;
            for (name, rooms) in &n.clients {
                let text = if rooms.is_empty() {
                    "connected, in no room (besides its own-id room)".to_owned()
                } else {
                    format!("connected, in {}", quoted_list(rooms))
                };
                self.mark(true, name, w, &text)?;
            }
            if n.clients.is_empty() {
                self.note("no clients connected")?;
            }
            let handlers: Vec<String> = n.handlers.iter().map(|e| quoted(e)).collect();
            self.note(&if handlers.is_empty() {
                "handlers: none".to_owned()
            } else {
                format!("handlers: {}", handlers.join(", "))
            })?;
            self.note(&if n.middlewares.is_empty() {
                "middlewares: none".to_owned()
            } else {
                format!("middlewares: require {}", n.middlewares.join(", then "))
            })?;
            writeln!(self.out)?;
        }
        if !state.gone.is_empty() {
            let heading = self.paint(Role::Heading, "── gone");
            writeln!(self.out, "{heading}")?;
            for (name, why) in &state.gone {
                self.mark(false, name, w, &explain(&Reason::NotConnected(why.clone())))?;
            }
            writeln!(self.out)?;
        }
        Ok(())
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

    fn question(&mut self, code: Option<&str>, question: &Question) -> io::Result<()> {
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

/// Names are aligned in a column at most this wide: a longer name (legal,
/// if unlikely) is not padded against, so the others stay readable.
const NAME_COLUMN_AT_MOST: usize = 32;

/// `name`, then spaces up to `width` (at most [`NAME_COLUMN_AT_MOST`])
/// characters. The bound also keeps `format!` from panicking: a width past
/// 65,535 is "out of range".
pub(super) fn pad(name: &str, width: usize) -> String {
    let width = width.min(NAME_COLUMN_AT_MOST);
    format!("{name:<width$}")
}

pub(super) fn quoted_list(rooms: &[String]) -> String {
    rooms
        .iter()
        .map(|r| quoted(r))
        .collect::<Vec<_>>()
        .join(", ")
}

fn received(event: &str, args: &[Value]) -> String {
    if args.is_empty() {
        format!("got {}", quoted(event))
    } else {
        let args: Vec<String> = args.iter().map(Value::to_string).collect();
        format!("got {}: {}", quoted(event), args.join(", "))
    }
}
