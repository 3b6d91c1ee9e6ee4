//! Making the learner think: exercises graded by the live server,
//! predictions checked against what clients observed, and saved progress.
//!
//! - [`exercise`]: the ```` ```exercise ```` block format, parsed.
//! - [`grade`]: did a try achieve the goal, and if not, why not.
//! - [`predict`]: a learner's guess of who receives, graded per client.
//! - [`overview`]: progress per lesson, as `list` and `progress` show it.
//! - [`progress`]: what a learner has read, solved and scored, on disk.
//! - [`practice`]: running a lesson's exercises, one graded try at a time.
//! - [`prompt`]: one answer per line, from a line editor or from a pipe.

pub mod exercise;
pub mod grade;
pub mod overview;
pub mod practice;
pub mod predict;
pub mod progress;
pub mod prompt;
