//! The integration tests, one module per feature (one test binary).

mod acks;
mod cli;
mod cluster;
mod differential;
mod environment;
mod exercises;
mod generator;
mod interactive;
mod learn;
mod lessons;
mod messages;
mod modes;
mod outside;
mod parser;
mod queries;
mod reconnect;
mod redis_stops;
mod reliability;
mod scale;
mod terminal;
mod workshop;

/// The built binary, with its progress file kept out of the user's home
/// (each test process has its own data directory).
pub fn sockets_tour() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sockets-tour"));
    command.env(
        "SOCKETS_TOUR_DATA_DIR",
        std::env::temp_dir().join(format!("sockets-tour-data-{}", std::process::id())),
    );
    command
}
mod tmux;
