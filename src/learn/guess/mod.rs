//! Guesses: what the learner says a step will do (who receives, whether a
//! connect is admitted, what an ack brings back, whether a returning client
//! gets what it missed), graded against what the clients observed, with
//! the idea behind each wrong guess.
//!
//! - `answer`: the questions, and reading an answer into a [`Prediction`].
//! - `answerers`: who will answer a broadcast's ask (v3), graded.
//! - `ask`: [`Asker`], what to ask before each statement.
//! - `ideas`: [`Idea`], the table of ideas behind wrong guesses.
//! - `score`: grading a guess (per client, or the ack, or the return), and
//!   the lesson's [`Score`].

mod answer;
mod answerers;
mod ask;
mod ideas;
mod score;

pub use answer::{Prediction, Question};
pub use answerers::AnswerGrade;
pub use ask::Asker;
pub use ideas::Idea;
pub use score::{ClientGrade, Graded, Score, grade, json_args, what_came, wrong_because};

#[cfg(test)]
mod tests;
