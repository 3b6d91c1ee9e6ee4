//! Lessons: Markdown documents whose ```` ```tour ```` blocks are the steps,
//! whose prose is the narration and whose ```` ```exercise ```` blocks are
//! exercises. The Markdown is read once, into a [`Lesson`].
//!
//! - `model`: the [`Lesson`]: title, summary, narration and steps, exercises.
//! - `prose`: narration as data: headings, paragraphs, lists, spans.
//! - `markdown`: reading a lesson file (Markdown or a bare script).
//! - `inline`: a block's text as styled spans.
//! - `fence`: code fences never closed, reported as syntax errors.
//! - `exercise`: the exercise block format and its table of keys.
//! - `expect`: the outcome an exercise expects, and its values.
//! - `require`: the conditions on an answer's form (`require:`).
//! - `variant`: an exercise's variants, declared and derived (`vary:`).
//! - `builtin`: the lessons embedded in the binary.

mod builtin;
mod exercise;
mod expect;
mod fence;
mod inline;
mod markdown;
mod model;
pub mod prose;
mod require;
mod variant;

#[cfg(test)]
pub(crate) use builtin::RESERVED_NAMES;
pub use builtin::{BUILTIN, builtin};
pub use exercise::{Exercise, ExerciseError, ScriptLine};
pub use expect::Expect;
pub use markdown::{is_markdown, load, parse_markdown, summary};
pub use model::{Lesson, Section};
pub use prose::{Prose, Span, Style, plain};
pub use require::{Require, UsedMember};
pub use variant::Vary;
