//! verify's receipt: each step's client action, then one ✔/✘ line per
//! client; the variants one line each (a failing one with its steps); the
//! server's own output when it failed to start or crashed.

use std::io::{self, Write};

use super::compare::Line;
use super::run::CaseResult;
use crate::term::palette::{Palette, Role};
use crate::term::width;

pub struct Receipt<W> {
    out: W,
    palette: Palette,
    width: usize,
}

impl<W: Write> Receipt<W> {
    pub fn new(out: W, color: bool, width: usize) -> Self {
        Receipt {
            out,
            palette: Palette::new(color),
            width,
        }
    }

    pub fn title(&mut self, title: &str) -> io::Result<()> {
        let rule = "═".repeat((width::columns(title) + 4).min(self.width));
        let rule = self.palette.paint(Role::Title, &rule);
        writeln!(self.out, "{rule}")?;
        writeln!(self.out, "  {}", self.palette.paint(Role::Title, title))?;
        writeln!(self.out, "{rule}\n")
    }

    /// A paragraph of its own.
    pub fn note(&mut self, text: &str) -> io::Result<()> {
        for line in width::wrap(text, self.width, "", "") {
            writeln!(self.out, "{line}")?;
        }
        writeln!(self.out)
    }

    /// Every step of a case with its receipt.
    pub fn case_steps(&mut self, case: &CaseResult, receipts: bool) -> io::Result<()> {
        let w = case
            .clients
            .iter()
            .map(|n| width::columns(n))
            .max()
            .unwrap_or(0);
        let last = case.steps.len().saturating_sub(1);
        for (i, step) in case.steps.iter().enumerate() {
            let prompt = self.palette.paint(Role::Statement, "›");
            writeln!(
                self.out,
                "{prompt} {}",
                self.palette.paint(Role::Statement, &step.code)
            )?;
            if !receipts && i < last {
                continue;
            }
            for line in &step.lines {
                self.line(line, w)?;
            }
            if step.lines.is_empty() {
                writeln!(self.out, "    nothing delivered, as in the reference")?;
            }
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// A variant: one line when it passed, else its steps up to the
    /// difference (the receipt of the last one only).
    pub fn variant(&mut self, label: &str, case: &CaseResult) -> io::Result<()> {
        let ok = case.passed();
        let mark = match ok {
            true => self.palette.paint(Role::Received, "✔"),
            false => self.palette.paint(Role::Missed, "✘"),
        };
        let text = width::wrap(label, self.width, "  ? ", "    ");
        for (i, line) in text.iter().enumerate() {
            let body = line.get(4..).unwrap_or("");
            match i {
                0 => writeln!(self.out, "  {mark} {body}")?,
                _ => writeln!(self.out, "    {body}")?,
            }
        }
        if ok {
            return Ok(());
        }
        writeln!(self.out)?;
        self.case_steps(case, false)
    }

    fn line(&mut self, line: &Line, w: usize) -> io::Result<()> {
        let (mark, role) = match line.ok {
            true => ("✔", Role::Received),
            false => ("✘", Role::Missed),
        };
        let pad = w.saturating_sub(width::columns(&line.name));
        let plain = format!("  {mark} {}{}  ", line.name, " ".repeat(pad));
        let columns = width::columns(&plain);
        let indent = " ".repeat(columns);
        let prefix = format!(
            "  {} {}{}  ",
            self.palette.paint(role, mark),
            line.name,
            " ".repeat(pad)
        );
        for (i, text) in width::wrap(&line.text, self.width, &indent, &indent)
            .iter()
            .enumerate()
        {
            let body = text.get(columns..).unwrap_or("");
            match i {
                0 => writeln!(self.out, "{prefix}{body}")?,
                _ => writeln!(self.out, "{indent}{body}")?,
            }
        }
        Ok(())
    }

    /// A server that could not be used: why, what to check, and its output.
    pub fn failure(&mut self, why: &str, output: &[String], verdict: &str) -> io::Result<()> {
        let mark = self.palette.paint(Role::Missed, "✘");
        for (i, line) in width::wrap(why, self.width, "  ", "  ").iter().enumerate() {
            let body = line.get(2..).unwrap_or("");
            match i {
                0 => writeln!(self.out, "{mark} {body}")?,
                _ => writeln!(self.out, "  {body}")?,
            }
        }
        if output.is_empty() {
            writeln!(self.out, "  (it printed nothing)")?;
        } else {
            writeln!(self.out, "  Its last output:")?;
            for line in output {
                writeln!(self.out, "  │ {line}")?;
            }
        }
        writeln!(self.out)?;
        self.verdict(false, verdict)
    }

    /// The last line: PASS or FAIL, and why.
    pub fn verdict(&mut self, pass: bool, text: &str) -> io::Result<()> {
        let word = match pass {
            true => self.palette.paint(Role::Received, "PASS"),
            false => self.palette.paint(Role::Missed, "FAIL"),
        };
        writeln!(self.out, "\n{word}: {text}\n")?;
        self.out.flush()
    }
}
