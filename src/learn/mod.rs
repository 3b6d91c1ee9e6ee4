//! Making the learner think: exercises graded by the live server,
//! predictions checked against what clients observed, and saved progress.
//!
//! - [`attempt`]: one try at an exercise, as statements tagged by part.
//! - [`live`]: a try run on a fresh live server and graded; sound exercises.
//! - [`grade`]: did a try achieve the goal, and if not, why not.
//! - [`guess`]: a learner's guess of who receives, graded per client.
//! - [`overview`]: progress per lesson, as `list` and `progress` show it.
//! - [`progress`]: what a learner has read, solved and scored, on disk.
//! - [`prompt`]: one answer per line, from a line editor or from a pipe.
//! - [`variants`]: the starts an answer is graded on, besides its own.
//! - [`javascript`]: a statement as real Socket.IO JavaScript.

pub mod attempt;
pub mod grade;
pub mod guess;
pub mod javascript;
pub mod live;
pub mod overview;
pub mod progress;
pub mod prompt;
pub mod variants;
