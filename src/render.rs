//! The one place that knows about the terminal: turns lessons and step
//! reports into the transcript a learner reads, with colour or without,
//! and into the NDJSON of `tour-script.md`.

use std::io::{self, Write};

use colored::{ColoredString, Colorize as _};
use serde_json::{Map, Value, json};

use crate::lesson::{Prose, Span, Style};
use crate::report::{Absence, Delivery, Outcome, Reason, StepReport};

/// Narration is wrapped to this many columns (a projector's comfortable width).
const WIDTH: usize = 78;

/// Writes the human transcript.
pub struct Transcript<W> {
    out: W,
    color: bool,
}

impl<W: Write> Transcript<W> {
    pub fn new(out: W, color: bool) -> Self {
        Transcript { out, color }
    }

    fn paint(&self, text: &str, style: fn(&str) -> ColoredString) -> String {
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

    pub fn narration(&mut self, prose: &[Prose]) -> io::Result<()> {
        for (i, block) in prose.iter().enumerate() {
            match block {
                Prose::Heading(_, spans) => {
                    let text = self.spans(spans);
                    writeln!(
                        self.out,
                        "{}",
                        self.paint(&format!("── {text}"), |s| s.bold())
                    )?;
                }
                Prose::Paragraph(spans) => self.wrapped(spans, "", "")?,
                Prose::Quote(spans) => self.wrapped(spans, "│ ", "│ ")?,
                Prose::Item(depth, number, spans) => {
                    let indent = "  ".repeat(*depth);
                    let bullet = number.map_or("• ".to_owned(), |n| format!("{n}. "));
                    let hang = " ".repeat(bullet.chars().count());
                    self.wrapped(
                        spans,
                        &format!("{indent}{bullet}"),
                        &format!("{indent}{hang}"),
                    )?;
                    // A list is one block: a blank line only after its last item.
                    if matches!(prose.get(i + 1), Some(Prose::Item(..))) {
                        continue;
                    }
                }
                Prose::Table(rows) => {
                    for row in rows {
                        let cells: Vec<String> = row.iter().map(|c| self.spans(c)).collect();
                        writeln!(self.out, "  {}", cells.join(" │ "))?;
                    }
                }
                Prose::Code { text, .. } => {
                    for line in text.lines() {
                        writeln!(self.out, "    {}", self.paint(line, |s| s.dimmed()))?;
                    }
                }
            }
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// Spans as text: code keeps its backticks when there is no colour.
    fn spans(&self, spans: &[Span]) -> String {
        spans.iter().map(|s| self.span(s)).collect()
    }

    fn span(&self, span: &Span) -> String {
        match (span.style, self.color) {
            (Style::Code, false) => format!("`{}`", span.text),
            (Style::Code, true) => span.text.cyan().to_string(),
            (Style::Strong, true) => span.text.bold().to_string(),
            (Style::Emphasis, true) => span.text.italic().to_string(),
            (Style::Link, true) => span.text.underline().to_string(),
            _ => span.text.clone(),
        }
    }

    /// Word-wraps spans to `WIDTH`, measuring the text without colour codes.
    fn wrapped(&mut self, spans: &[Span], first: &str, rest: &str) -> io::Result<()> {
        // Split into words, each keeping its style, so wrapping never breaks a code span's colour.
        let mut words: Vec<(String, usize)> = Vec::new();
        let mut glue = false;
        for span in spans {
            if span.text == "\n" {
                words.push(("\n".to_owned(), 0));
                glue = false;
                continue;
            }
            let shown = match (span.style, self.color) {
                (Style::Code, false) => format!("`{}`", span.text),
                _ => span.text.clone(),
            };
            for (i, word) in shown.split(' ').enumerate() {
                if word.is_empty() {
                    glue = false;
                    continue;
                }
                // Without colour the backticks are already in `shown`.
                let style = match (span.style, self.color) {
                    (Style::Code, false) => Style::Plain,
                    (style, _) => style,
                };
                let painted = self.span(&Span {
                    text: word.to_owned(),
                    style,
                });
                let width = word.chars().count();
                match words.last_mut() {
                    Some((text, w)) if glue && i == 0 => {
                        text.push_str(&painted);
                        *w += width;
                    }
                    _ => words.push((painted, width)),
                }
                glue = true;
            }
            glue = !shown.ends_with(' ');
        }
        let mut line = String::new();
        let mut used = 0;
        let mut prefix = first;
        for (word, width) in words {
            // A hard line break (two trailing spaces in Markdown) keeps the indent.
            if word == "\n" {
                writeln!(self.out, "{prefix}{line}")?;
                line.clear();
                used = 0;
                prefix = rest;
                continue;
            }
            if used > 0 && used + 1 + width > WIDTH.saturating_sub(prefix.chars().count()) {
                writeln!(self.out, "{prefix}{line}")?;
                line.clear();
                used = 0;
                prefix = rest;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            line.push_str(&word);
            used += width;
        }
        writeln!(self.out, "{prefix}{line}")
    }

    /// A step: its code as written, then one aligned line per client.
    pub fn step(&mut self, report: &StepReport, name_width: usize) -> io::Result<()> {
        let prompt = self.paint("›", |s| s.bold());
        writeln!(
            self.out,
            "{prompt} {}",
            self.paint(&report.code, |s| s.cyan().bold())
        )?;
        let w = name_width;
        match &report.outcome {
            Outcome::Connect { name, ns, error } => match error {
                None => self.mark(true, name, w, &format!("connected to {ns}"))?,
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
            Outcome::Handler { ns, event } => writeln!(
                self.out,
                "    handler for {} on {ns} installed",
                quoted(event)
            )?,
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
        for line in &report.server_log {
            let label = self.paint("server log:", |s| s.yellow());
            writeln!(self.out, "    {label} {line}")?;
        }
        for mismatch in &report.mismatches {
            let text =
                format!("MISMATCH: {mismatch} (the server's state and the clients disagree)");
            writeln!(self.out, "    {}", self.paint(&text, |s| s.red().bold()))?;
        }
        writeln!(self.out)
    }

    fn mark(&mut self, ok: bool, name: &str, width: usize, text: &str) -> io::Result<()> {
        let mark = if ok {
            self.paint("✔", |s| s.green())
        } else {
            self.paint("✘", |s| s.red())
        };
        writeln!(self.out, "  {mark} {}  {text}", pad(name, width))
    }

    pub fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
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
        Reason::NotConnected(Absence::Disconnected { code }) => {
            format!("not connected: disconnected by `{code}`")
        }
        Reason::NotConnected(Absence::Vanished) => {
            "not connected: the server lost its socket".to_owned()
        }
        Reason::NotDelivered => "did not arrive, though it should have".to_owned(),
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
            quoted_list(despite_rooms)
        ),
        Reason::Excepted { room } => format!("in {}, which except() leaves out", quoted(room)),
        Reason::NotInRooms { rooms } if rooms.len() == 1 => {
            format!("not in {}", quoted(&rooms[0]))
        }
        Reason::NotInRooms { rooms } => format!("in none of {}", quoted_list(rooms)),
    }
}

/// One NDJSON line, in the format of `tour-script.md`.
pub fn json_line(report: &StepReport) -> String {
    let mut line = Map::new();
    line.insert("step".to_owned(), json!(report.line));
    line.insert("code".to_owned(), json!(report.code));
    match &report.outcome {
        Outcome::Connect { error, .. } => match error {
            None => {
                line.insert("connected".to_owned(), json!(true));
                line.insert("error".to_owned(), Value::Null);
            }
            Some(message) => {
                line.insert("connected".to_owned(), json!(false));
                line.insert("error".to_owned(), json!(message));
            }
        },
        Outcome::Emit { event, deliveries } => {
            let mut receivers = Vec::new();
            let mut payloads = Map::new();
            for (name, delivery) in deliveries {
                if let Delivery::Received(args) = delivery {
                    receivers.push(json!(name));
                    payloads.insert(name.clone(), Value::Array(args.clone()));
                }
            }
            line.insert("event".to_owned(), json!(event));
            line.insert("receivers".to_owned(), Value::Array(receivers));
            line.insert("payloads".to_owned(), Value::Object(payloads));
        }
        Outcome::Rooms(rooms) => {
            line.insert("rooms".to_owned(), json!(rooms));
        }
        Outcome::Disconnected(gone) => {
            let gone: Map<String, Value> = gone
                .iter()
                .map(|(name, d)| {
                    (
                        name.clone(),
                        json!({"client": d.client, "server": d.server}),
                    )
                })
                .collect();
            line.insert("disconnected".to_owned(), Value::Object(gone));
        }
        Outcome::Middleware { ns } => {
            line.insert("middleware".to_owned(), json!(ns));
        }
        Outcome::Handler { ns, event } => {
            line.insert("handler".to_owned(), json!(format!("{ns} {event}")));
        }
        Outcome::Unhandled { .. } => {
            line.insert("handled".to_owned(), json!(false));
        }
        Outcome::Error(message) => {
            line.insert("error".to_owned(), json!(message));
        }
    }
    if report.has_mismatch() {
        line.insert("mismatch".to_owned(), json!(report.mismatches));
    }
    Value::Object(line).to_string()
}

#[cfg(test)]
mod tests {
    //! Narration layout: wrapping, lists and hard breaks.
    use super::*;
    use crate::lesson::parse_markdown;

    fn narrate(markdown: &str) -> String {
        let lesson = parse_markdown(markdown).unwrap();
        let mut out = Vec::new();
        let mut t = Transcript::new(&mut out, false);
        for section in &lesson.sections {
            if let crate::lesson::Section::Narration(prose) = section {
                t.narration(prose).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn long_paragraphs_wrap_within_the_width() {
        let text = narrate(&format!("# T\n\n{}\n", "word ".repeat(60)));
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert!(text.lines().count() > 3);
    }

    #[test]
    fn a_hard_break_in_a_list_item_keeps_the_indent() {
        let text = narrate("# T\n\n- first line  \n  second line\n");
        assert_eq!(text, "• first line\n  second line\n\n");
    }

    #[test]
    fn code_spans_keep_backticks_without_colour() {
        assert_eq!(
            narrate("# T\n\nCall `socket.join(room)` now.\n"),
            "Call `socket.join(room)` now.\n\n"
        );
    }
}
