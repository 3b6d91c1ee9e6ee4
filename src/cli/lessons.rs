//! Running lessons from the command line: one built-in lesson, a file, or
//! all of them in order, each on fresh servers, plainly, presented a page
//! at a time, or with the learner's predictions; and what each run leaves
//! in the learner's progress.

use std::io::Write;

use super::decide::Decided;
use super::say;
use crate::error::{Error, Status, bad_input};
use crate::learn::progress::{PredictScore, Store};
use crate::learn::prompt;
use crate::lesson::Lesson;
use crate::present::{self, Ended};
use crate::render::Output;
use crate::tour::{self, Asking, Paused, Pausing, Summary};

/// A lesson to run: the file it comes from (to name it in messages), its
/// built-in name (under which its progress is saved), and the lesson.
pub type Named<'a> = (String, Option<&'a str>, Lesson);

/// Runs `lessons` one after another on fresh servers each, on one runtime,
/// as `decided` says, writing to `out`.
pub fn run_lessons(
    lessons: &[Named],
    decided: &Decided,
    out: &mut impl Write,
) -> Result<Status, Error> {
    let runtime = crate::runtime::build()?;
    let mut setup = decided.setup.clone();
    let before = super::Before {
        max_outside: decided.max_outside,
        announce: true,
    };
    super::prepare(&runtime, &mut setup, before)?;
    let setup = &setup;
    for (file, _, lesson) in lessons {
        ensure_connects_fit(lesson).map_err(|e| match e {
            Error::BadInput(why) => {
                let file = if file == "-" { "<stdin>" } else { file };
                Error::BadInput(format!("{file}: {why}"))
            }
            other => other,
        })?;
    }
    if setup.servers.chosen.is_some() {
        say_where_servers_lines_listen(lessons, setup.servers.listen);
    }
    let mut answers = if decided.predict {
        Some(prompt::for_stdin("--predict")?)
    } else {
        None
    };
    let store = Store::locate();
    let skip = match decided.presenting.as_ref().and_then(|p| p.from.as_deref()) {
        Some(from) if lessons.len() > 1 => first_lesson_with(lessons, from)?,
        _ => 0,
    };
    let mut total = Summary::default();
    let mut ended = Ended::Finished;
    for (i, (file, name, lesson)) in lessons.iter().enumerate().skip(skip) {
        let followed = i + 1 < lessons.len();
        let lesson = &if followed {
            without_next_pointer(lesson)
        } else {
            lesson.clone()
        };
        if i > skip && setup.output != Output::Ndjson {
            if let Some(p) = decided.presenting.as_ref().filter(|p| p.pause) {
                let title = lesson.title.as_deref().unwrap_or(file);
                out.flush()?;
                ended = present::between_lessons(title, p, setup.output)?;
                if ended != Ended::Finished {
                    break;
                }
            }
            writeln!(out)?;
        }
        // `--from` names a section of the first lesson presented only; a
        // lesson started there is not read, however far it is presented.
        let presenting = decided.presenting.as_ref().map(|presenting| {
            let mut presenting = presenting.clone();
            if i > skip || lesson_matches(lesson, presenting.from.as_deref()) {
                presenting.from = None;
            }
            presenting
        });
        let from_a_section =
            answers.is_none() && presenting.as_ref().is_some_and(|p| p.from.is_some());
        let run = runtime.block_on(async {
            match (&presenting, answers.as_deref_mut()) {
                (presenting, Some(prompt)) => {
                    // `--step --predict`: the questions stop each page; a
                    // pause follows each block's results.
                    let output = setup.output;
                    let presenting = presenting.as_ref().filter(|p| p.pause);
                    let mut wait = presenting.map(|p| move || present::predicting_pause(p, output));
                    let asking = Asking {
                        prompt,
                        pause: presenting.zip(wait.as_mut()).map(|(p, wait)| Pausing {
                            rows: p.rows,
                            wait: wait as &mut dyn FnMut() -> anyhow::Result<Paused>,
                        }),
                    };
                    tour::run_with(lesson, out, setup, Some(asking))
                        .await
                        .map(|summary| {
                            let ended = match summary.stopped {
                                None | Some(Paused::Next) => Ended::Finished,
                                Some(Paused::Quit) => Ended::Quit,
                                Some(Paused::Interrupted) => Ended::Interrupted,
                            };
                            (summary, ended)
                        })
                }
                (Some(presenting), None) => present::present(lesson, out, setup, presenting).await,
                (None, None) => tour::run(lesson, out, setup)
                    .await
                    .map(|summary| (summary, Ended::Finished)),
            }
        });
        let summary;
        (summary, ended) = match run {
            // Ctrl-C at a prediction's prompt: stop here, as interrupted.
            Err(_) if prompt::was_interrupted() => (Summary::default(), Ended::Interrupted),
            run => run.map_err(|e| e.context(file))?,
        };
        // A lesson interrupted (Ctrl-C), or started at a section, was not read.
        if let Some(name) = name.filter(|_| ended != Ended::Interrupted && !from_a_section) {
            save_progress(&store, name, &summary);
        }
        total.steps += summary.steps;
        total.mismatched += summary.mismatched;
        if ended != Ended::Finished {
            break;
        }
    }
    if total.mismatched > 0 {
        let where_ = if setup.output == Output::Ndjson {
            "the \"mismatch\" keys"
        } else {
            "MISMATCH above"
        };
        say(&format!(
            "sockets-tour: {} of {} steps disagreed with the server's state (see {where_})",
            total.mismatched, total.steps
        ));
        return Ok(Status::Mismatch);
    }
    Ok(if ended == Ended::Interrupted {
        Status::Interrupted
    } else {
        Status::Done
    })
}

/// Refuses at once (bad input, the limit named) a lesson whose `connect`s
/// cannot all fit in the descriptor limit, rather than let them wait on a
/// socket that never opens. Every `connect` counts, as if none ever left.
fn ensure_connects_fit(lesson: &crate::lesson::Lesson) -> Result<(), Error> {
    use crate::script::StatementKind;
    let connects = lesson
        .statements()
        .filter(|s| matches!(s.kind, StatementKind::Connect { .. }))
        .count();
    crate::server::descriptors::ensure_room(connects, crate::server::descriptors::Demand::Script)?;
    Ok(())
}

/// A `servers` line replaces the first server by servers on free loopback
/// ports: from then on nothing listens on the `--listen` address. Said
/// once, before the run, naming the line.
fn say_where_servers_lines_listen(lessons: &[Named], listen: std::net::SocketAddr) {
    use crate::script::StatementKind;
    let first = lessons.iter().find_map(|(file, _, lesson)| {
        lesson
            .statements()
            .find(|s| matches!(s.kind, StatementKind::Servers { .. }))
            .map(|s| (file, s.line))
    });
    if let Some((file, line)) = first {
        say(&format!(
            "sockets-tour: {file}:{line} starts a cluster (`servers`): from that line on, its \
             servers listen on free loopback ports and nothing listens on {listen}; an outside \
             client connected there is closed with the first server"
        ));
    }
}

/// A lesson as a run of several shows it when another follows: without
/// its closing "Next: `sockets-tour …`" paragraph (or "Next, …"), since the run goes on
/// to the next lesson by itself (and `--step` names it at its pause).
fn without_next_pointer(lesson: &Lesson) -> Lesson {
    use crate::lesson::{Prose, Section};
    let mut lesson = lesson.clone();
    if let Some(Section::Narration(prose)) = lesson.sections.last_mut()
        && let Some(Prose::Paragraph(spans)) = prose.last()
        && let text = crate::lesson::plain(spans)
        && text.starts_with("Next")
        && text.contains("sockets-tour ")
    {
        prose.pop();
        if prose.is_empty() {
            lesson.sections.pop();
        }
    }
    lesson
}

/// A lesson run to its end (or to `q`) is read; a predict score is kept.
fn save_progress(store: &Store, name: &str, summary: &Summary) {
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
fn first_lesson_with(lessons: &[Named], from: &str) -> Result<usize, Error> {
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
            bad_input(format!(
                "--from {from}: no lesson has a section called that"
            ))
        })
}
