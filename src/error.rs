//! The one error type of what the program reports, and the exit status
//! each kind of failure gets (`Error::code`). Where a failure is known for
//! what it is (a file that cannot be read, an address that cannot be
//! bound, a Redis that stopped answering), it is made as its kind there,
//! so that no caller has to guess it back from a message or a type inside.

use std::process::ExitCode;

/// What a command ended with, when it did not fail: the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything ran as predicted (or help was asked for): 0.
    Done,
    /// A step disagreed with the server's state (MISMATCH): 1.
    Mismatch,
    /// Bad input, reported on the way (a piped playground line, a lesson
    /// `check` found malformed): 2.
    BadInput,
    /// The user pressed Ctrl-C: 130, as a shell reports SIGINT.
    Interrupted,
}

impl From<Status> for ExitCode {
    /// The one mapping from what happened to an exit status.
    fn from(status: Status) -> ExitCode {
        ExitCode::from(match status {
            Status::Done => 0,
            Status::Mismatch => 1,
            Status::BadInput => 2,
            Status::Interrupted => 130,
        })
    }
}

/// A failure, by whose it is.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input: a file, a flag, a script line, an address, a
    /// Redis URL. Exit status 2.
    #[error("{0}")]
    BadInput(String),
    /// The machine around the run failed it after it started: the Redis
    /// stopped answering, a port was taken. Exit status 3.
    #[error("{0}")]
    Environment(String),
    /// The run itself could not go on: the engine failed a step (a hang, a
    /// lost connection). Exit status 1, as a MISMATCH: the run found a
    /// problem.
    #[error(transparent)]
    Run(#[from] anyhow::Error),
}

/// Bad input, said in a sentence.
pub fn bad_input(message: impl Into<String>) -> Error {
    Error::BadInput(message.into())
}

impl Error {
    /// The exit status this failure ends the program with.
    pub fn code(&self) -> ExitCode {
        ExitCode::from(match self {
            Error::Run(_) => 1,
            Error::BadInput(_) => 2,
            Error::Environment(_) => 3,
        })
    }

    /// The same failure, said as happening in `place` (the file being
    /// run) when the engine failed there; bad input and the environment
    /// say where they went wrong themselves.
    pub fn context(self, place: &str) -> Error {
        match self {
            Error::Run(e) => Error::Run(e.context(place.to_owned())),
            other => other,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Run(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_own_status() {
        let codes = [
            bad_input("x").code(),
            Error::Environment("x".into()).code(),
            Error::Run(anyhow::anyhow!("x")).code(),
        ];
        assert_eq!(
            codes,
            [ExitCode::from(2), ExitCode::from(3), ExitCode::from(1)]
        );
        assert_eq!(ExitCode::from(Status::Interrupted), ExitCode::from(130));
    }

    #[test]
    fn only_a_run_failure_is_placed_in_its_file() {
        let run = Error::Run(anyhow::anyhow!("no reply within 5 s")).context("lessons/rooms.md");
        assert_eq!(format!("{run:#}"), "lessons/rooms.md: no reply within 5 s");
        let flag = bad_input("could not listen on 8.8.8.8:80").context("lessons/rooms.md");
        assert_eq!(flag.to_string(), "could not listen on 8.8.8.8:80");
    }
}
