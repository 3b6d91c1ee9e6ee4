//! The learner's own view: the lesson list with each one's progress,
//! `progress` in detail, and `reset-progress`.

use std::io::{IsTerminal as _, Write};

use super::say;
use crate::error::{Error, Status};
use crate::learn::overview;
use crate::learn::progress::Store;
use crate::learn::prompt;
use crate::lesson::{self, BUILTIN};
use crate::term::width;

/// Writes the lessons, in learning order, with their summaries wrapped
/// to `columns` under their first word, and each one's progress.
pub fn list(out: &mut impl Write, columns: usize) -> Result<Status, Error> {
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
    Ok(Status::Done)
}

/// `progress`: every lesson's progress, and where it is kept.
pub fn show(out: &mut impl Write) -> Result<Status, Error> {
    let store = Store::locate();
    let progress = store.load(&mut std::io::stderr());
    let rows = overview::rows(&progress, BUILTIN);
    let path = store.path().map(|p| p.display().to_string());
    overview::write_detail(out, &rows, path.as_deref())?;
    Ok(Status::Done)
}

/// `reset-progress`: deletes the progress file after a `y` (typed or piped).
pub fn reset(out: &mut impl Write) -> Result<Status, Error> {
    let store = Store::locate();
    let Some(path) = store.path().map(|p| p.display().to_string()) else {
        say("sockets-tour: no data directory, so there is no progress to delete");
        return Ok(Status::Done);
    };
    let mut answers = prompt::for_stdin("reset-progress")?;
    let question = format!("Delete your progress ({path})? [y/N] ");
    let piped = !std::io::stdin().is_terminal();
    if piped {
        // Piped: the question is still shown, so a script's log reads whole.
        write!(out, "{question}")?;
        out.flush()?;
    }
    let answer = match answers.answer(&question) {
        Ok(answer) => answer.unwrap_or_default(),
        Err(_) if prompt::was_interrupted() => {
            writeln!(out, "Kept your progress.")?;
            return Ok(Status::Interrupted);
        }
        Err(e) => return Err(e.into()),
    };
    if piped {
        writeln!(out)?;
    }
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        let deleted = store
            .delete()
            .map_err(|e| Error::Environment(format!("cannot delete {path}: {e}")))?;
        let said = if deleted {
            "Progress deleted."
        } else {
            "There was no progress to delete."
        };
        writeln!(out, "{said}")?;
    } else {
        writeln!(out, "Kept your progress.")?;
    }
    Ok(Status::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
