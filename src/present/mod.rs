//! The presenter's `--step`: a lesson shown a page at a time, pausing after
//! each block's results (never more than a screen between two pauses), with
//! single keys to go on, back, replay or quit; `--pace` goes on by itself and
//! `--from` starts at a section. Going back re-runs the lesson from the
//! start on a fresh server, silently up to the page shown: the engine is
//! deterministic, so the page is what it was. A resized terminal re-wraps
//! the pages from the next one shown (or the one `r` shows again).
//!
//! With `--predict` the questions cut the lesson instead (the run is
//! `tour`'s, which pages it): the prompt stops the page under its question,
//! the receipt (the reveal) opens the next one, and [`predicting_pause`]
//! waits after each block's results and before a piece that would not fit
//! the screen; a run that asks cannot be replayed, so there is no going back.
//!
//! - `pieces`: where a lesson may be cut.
//! - `plan`: which pieces make a page.

pub mod pieces;
pub mod plan;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::engine::{Engine, Servers};
use crate::error::{Error, bad_input};
use crate::lesson::Lesson;
use crate::render::{Format, Output};
use crate::setup::Setup;
use crate::term::keys::{self, Key};
use crate::term::palette::{Palette, Role};
use crate::term::screen::Screen;
use crate::term::width;
use crate::tour::{Paused, Summary, name_width};
use pieces::Piece;

/// How to present, decided once by the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Presenting {
    /// Pause between pages (only when a person can press a key).
    pub pause: bool,
    /// Go on by itself after this long at each pause.
    pub pace: Option<Duration>,
    /// Start at the first section whose heading contains this (or the
    /// section of this number, from 1).
    pub from: Option<String>,
    /// The rows of the screen: no page is taller.
    pub rows: usize,
    /// What the screen understands, and whether it may be resized.
    pub screen: Screen,
}

/// How a presentation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Finished,
    /// The presenter pressed `q`: stop, and present no further lesson.
    Quit,
    /// The presenter pressed Ctrl-C: stop as interrupted.
    Interrupted,
}

/// Where to go after a page.
enum Next {
    Page(usize),
    /// The terminal is now `columns` × `rows`: go on at the page that holds
    /// `piece`, re-wrapped (on a clear screen if `again`).
    Resized {
        piece: usize,
        columns: usize,
        rows: usize,
        again: bool,
    },
    Done,
    End(Ended),
}

/// Presents `lesson` on `out`, as `setup` says (its servers, its output).
pub async fn present(
    lesson: &Lesson,
    out: &mut impl Write,
    setup: &Setup,
    presenting: &Presenting,
) -> Result<(Summary, Ended), Error> {
    let pieces = pieces::pieces(lesson);
    let names = name_width(lesson);
    let mut setup = setup.clone();
    let (units, summary) = measure(lesson, &setup).await?;
    // `--from` starts a page at its section's heading.
    let first = match &presenting.from {
        Some(from) => start_piece(&pieces, from)?,
        None => 0,
    };
    let mut rows = presenting.rows;
    let mut pages = paged(&units, first, rows);
    let mut page = pages.iter().position(|p| p.start >= first).unwrap_or(0);
    let mut again = false;
    loop {
        let output = setup.output;
        let next = Engine::run(setup.servers.clone(), async |engine| {
            // Up to the page: silently, on this fresh server.
            let silent = pages.get(page).map_or(pieces.len(), |p| p.start);
            for piece in &pieces[..silent] {
                show(
                    engine,
                    piece,
                    &mut std::io::sink(),
                    output,
                    names,
                    &mut Summary::default(),
                )
                .await?;
            }
            if again {
                // Back or replay: the page alone on a clear screen.
                presenting.screen.clear(out)?;
            }
            for p in page..pages.len() {
                for piece in &pieces[pages[p].clone()] {
                    show(engine, piece, out, output, names, &mut Summary::default()).await?;
                }
                out.flush()?;
                if !presenting.pause || p + 1 == pages.len() {
                    continue;
                }
                let key = pause(p, pages.len(), presenting, output)?;
                let target = match key {
                    Key::Next => p + 1,
                    Key::Back => p.saturating_sub(1),
                    Key::Quit => return Ok(Next::End(Ended::Quit)),
                    Key::Interrupt => return Ok(Next::End(Ended::Interrupted)),
                    // Help is answered by pause() itself.
                    Key::Replay | Key::Help => p,
                };
                if let Output::Transcript { width, .. } = output
                    && let Some((columns, rows)) = presenting.screen.resized(width, rows)
                {
                    return Ok(Next::Resized {
                        piece: pages[target].start,
                        columns,
                        rows,
                        again: key != Key::Next,
                    });
                }
                if key != Key::Next {
                    return Ok(Next::Page(target));
                }
            }
            Ok(Next::Done)
        })
        .await?;
        match next {
            Next::Page(p) => {
                page = p;
                again = true;
            }
            Next::Resized {
                piece,
                columns,
                rows: now,
                again: clear,
            } => {
                if let Output::Transcript { color, .. } = setup.output {
                    setup.output = Output::Transcript {
                        color,
                        width: columns,
                    };
                }
                rows = now;
                let (units, _) = measure(lesson, &setup).await?;
                pages = paged(&units, first, rows);
                page = pages.iter().rposition(|p| p.start <= piece).unwrap_or(0);
                again = clear;
            }
            Next::Done => return Ok((summary, Ended::Finished)),
            Next::End(ended) => return Ok((summary, ended)),
        }
    }
}

/// The pages of `units` on a screen of `rows`; a page starts at `first`
/// (where `--from` starts).
fn paged(units: &[plan::Unit], first: usize, rows: usize) -> Vec<std::ops::Range<usize>> {
    let mut pages = plan::pages(&units[..first], rows);
    pages.extend(
        plan::pages(&units[first..], rows)
            .into_iter()
            .map(|p| p.start + first..p.end + first),
    );
    pages
}

/// A first run, into buffers, measures each piece (on a port of its own:
/// the user's address is for the run they watch; on the same Redis, if
/// any, since the run they watch uses it).
async fn measure(lesson: &Lesson, setup: &Setup) -> Result<(Vec<plan::Unit>, Summary), Error> {
    let output = setup.output;
    let pieces = pieces::pieces(lesson);
    let names = name_width(lesson);
    let servers = Servers {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        redis: setup.servers.redis.clone(),
        chosen: None,
    };
    let (rendered, summary) = Engine::run(servers, async |engine| {
        let mut rendered = Vec::new();
        let mut summary = Summary::default();
        for piece in &pieces {
            let mut buffer = Vec::new();
            show(engine, piece, &mut buffer, output, names, &mut summary).await?;
            rendered.push(buffer);
        }
        Ok((rendered, summary))
    })
    .await?;
    let units = pieces
        .iter()
        .zip(&rendered)
        .map(|(piece, text)| plan::Unit {
            rows: rows_of(text, output),
            ends_block: piece.ends_block(),
        })
        .collect();
    Ok((units, summary))
}

/// The rows each page of `lesson` takes when presented with `output` on a
/// screen of `rows` (the pause line not counted).
pub async fn page_heights(
    lesson: &Lesson,
    output: Output,
    rows: usize,
) -> Result<Vec<usize>, Error> {
    let (units, _) = measure(lesson, &Setup::loopback(output)).await?;
    Ok(plan::pages(&units, rows)
        .into_iter()
        .map(|page| units[page].iter().map(|u| u.rows).sum())
        .collect())
}

/// Runs (steps) or writes (prose) one piece.
async fn show(
    engine: &mut Engine,
    piece: &Piece<'_>,
    out: &mut dyn Write,
    output: Output,
    names: usize,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let mut format: Box<dyn Format + '_> = output.format(out);
    match piece {
        Piece::Title(title) => format.title(title)?,
        Piece::Prose(prose) => format.narration(prose)?,
        Piece::Steps { statements, .. } => {
            engine
                .run_block(statements, |report| {
                    format.step(report, names)?;
                    summary.count(report);
                    Ok(())
                })
                .await?
        }
    }
    format.flush()?;
    Ok(())
}

/// The rows some transcript text takes on a screen of the output's width.
fn rows_of(text: &[u8], output: Output) -> usize {
    let columns = match output {
        Output::Transcript { width, .. } => width,
        Output::Ndjson => width::DEFAULT,
    };
    width::rows(&String::from_utf8_lossy(text), columns)
}

/// The piece where `--from` starts: the first heading that contains `from`
/// (ignoring case), or the heading of that number.
fn start_piece(pieces: &[Piece], from: &str) -> Result<usize, Error> {
    let headings: Vec<(usize, String)> = pieces
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.heading().map(|h| (i, h)))
        .collect();
    let wanted = from.trim().to_lowercase();
    let found = match wanted.parse::<usize>() {
        Ok(n) if n >= 1 => headings.get(n - 1),
        _ => headings
            .iter()
            .find(|(_, h)| h.to_lowercase().contains(&wanted)),
    };
    if let Some((piece, _)) = found {
        return Ok(*piece);
    }
    let names: Vec<String> = headings
        .iter()
        .enumerate()
        .map(|(n, (_, h))| format!("{}. {h}", n + 1))
        .collect();
    Err(bad_input(if names.is_empty() {
        format!("--from {from}: this lesson has no sections (## headings)")
    } else {
        format!(
            "--from {from}: no section of this lesson is called that; its sections are: {}",
            names.join("; ")
        )
    }))
}

/// The pause after page `page` (0-based) of `total`: a line on stderr with
/// the position and the keys, a key, and the line erased again.
fn pause(
    page: usize,
    total: usize,
    presenting: &Presenting,
    output: Output,
) -> anyhow::Result<Key> {
    let marker = format!("{}/{total}", page + 1);
    let line = format!("── {marker} ── {}", keys::HELP);
    loop {
        let (key, columns) = wait_under(&line, presenting, output)?;
        if key != Key::Help {
            return Ok(key);
        }
        let mut err = std::io::stderr().lock();
        for (keys, what) in HELP_LINES {
            let first = format!("  {keys:<18}");
            let rest = " ".repeat(first.chars().count());
            for line in width::wrap(what, columns, &first, &rest) {
                writeln!(err, "{line}")?;
            }
        }
    }
}

/// The pause after a block's results in `--step --predict`: a line on
/// stderr with the keys, a key, and the line erased again. The answers
/// given cannot be asked again, so `b` and `r` say so and wait.
pub fn predicting_pause(presenting: &Presenting, output: Output) -> anyhow::Result<Paused> {
    loop {
        let (key, columns) = wait_under("── Enter/space next · q quit", presenting, output)?;
        match key {
            Key::Next => return Ok(Paused::Next),
            Key::Quit => return Ok(Paused::Quit),
            Key::Interrupt => return Ok(Paused::Interrupted),
            Key::Back | Key::Replay | Key::Help => {
                let note = "  (with --predict the lesson goes forward only: your answers are not asked again)";
                let mut err = std::io::stderr().lock();
                for line in width::wrap(note, columns, "", "    ") {
                    writeln!(err, "{line}")?;
                }
            }
        }
    }
}

/// Shows `line` on stderr (fitted to the width, painted as a label) until
/// a key comes, then erases it again (a pause line is no part of the
/// transcript); returns the key, and the width it was fitted to.
fn wait_under(line: &str, presenting: &Presenting, output: Output) -> anyhow::Result<(Key, usize)> {
    let (color, columns) = match output {
        Output::Transcript { color, width } => (color, width),
        Output::Ndjson => (false, width::DEFAULT),
    };
    let painted = Palette::new(color).paint(Role::Label, &fitted(line, columns));
    let mut err = std::io::stderr().lock();
    let key = keys::wait(presenting.pace, || {
        write!(err, "{painted}")?;
        err.flush()
    })?;
    presenting.screen.end_pause(&mut err)?;
    Ok((key, columns))
}

/// What `?` shows.
const HELP_LINES: [(&str, &str); 5] = [
    ("Enter, space, →", "run the next page"),
    (
        "b, ←",
        "back to the previous pause (the lesson re-runs from the start)",
    ),
    ("r", "this page again"),
    ("q, Esc, Ctrl-C", "quit"),
    ("N/M", "the marker: page N of the lesson's M pages"),
];

/// A line cut to `columns` (at a space, with `…`) if it is wider.
fn fitted(line: &str, columns: usize) -> String {
    if width::columns(line) <= columns {
        return line.to_owned();
    }
    let mut cut = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if width::columns(&cut) + 1 + width::columns(word) + 2 > columns {
            break;
        }
        // Every space is kept, leading ones too (an indent).
        if i > 0 {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    format!("{} …", cut.trim_end())
}

/// The pause between two lessons of `all --step`: the next one's title.
pub fn between_lessons(
    next_title: &str,
    presenting: &Presenting,
    output: Output,
) -> anyhow::Result<Ended> {
    let (color, columns) = match output {
        Output::Transcript { color, width } => (color, width),
        Output::Ndjson => (false, width::DEFAULT),
    };
    let line = fitted(
        &format!("── next: {next_title} ── Enter start · q quit"),
        columns,
    );
    let mut err = std::io::stderr().lock();
    let key = keys::wait(presenting.pace, || {
        write!(err, "{}", Palette::new(color).paint(Role::Label, &line))?;
        err.flush()
    })?;
    presenting.screen.end_pause(&mut err)?;
    Ok(match key {
        Key::Quit => Ended::Quit,
        Key::Interrupt => Ended::Interrupted,
        _ => Ended::Finished,
    })
}

#[cfg(test)]
mod tests {
    //! The presenter's decisions that need no terminal.
    use super::*;
    use crate::lesson::parse_markdown;

    #[test]
    fn from_finds_a_section_by_words_or_number_and_lists_them_when_not() {
        let lesson = parse_markdown(
            "# T\n\nIntro.\n\n## Joining a room\n\nText.\n\n```tour\nconnect a\n```\n\n## Leaving\n\nMore.\n\n```tour\nconnect b\n```\n",
        )
        .unwrap();
        let pieces = pieces::pieces(&lesson);
        let leaving = start_piece(&pieces, "leaving").unwrap();
        assert_eq!(pieces[leaving].heading().as_deref(), Some("Leaving"));
        assert_eq!(start_piece(&pieces, "2").unwrap(), leaving);
        let joining = start_piece(&pieces, "JOINING").unwrap();
        assert_eq!(pieces[joining].heading().as_deref(), Some("Joining a room"));
        let e = start_piece(&pieces, "nowhere").unwrap_err();
        assert!(
            e.to_string().contains("1. Joining a room; 2. Leaving"),
            "{e}"
        );
    }

    #[test]
    fn rows_count_colourless_columns_and_wrapped_lines() {
        let output = Output::Transcript {
            color: true,
            width: 10,
        };
        assert_eq!(rows_of(b"\x1b[1mabc\x1b[0m\n\nabcdefghijkl\n", output), 4);
    }

    #[test]
    fn the_pause_line_fits_the_width() {
        let line = fitted(&format!("── 3/9 ── {}", keys::HELP), 30);
        assert!(width::columns(&line) <= 30, "{line}");
        assert!(line.starts_with("── 3/9 ──"), "{line}");
    }
}
