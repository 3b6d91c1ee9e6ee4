//! sockets-tour: see how Socket.IO delivers messages, on a real embedded
//! server with real clients, one narrated step at a time.
//!
//! # Layout
//! Each folder is one phase, each file one idea; a folder's `mod.rs` lists
//! its files. From the bottom up (a module imports only those above it in
//! this list):
//! - `error`: the one error type, and the exit status of each kind.
//! - `protocol`: the engine's private wire protocol: its events, header,
//!   wait bound and the event names a script may not use.
//! - `script`: the tour-script language: syntax tree, the stateful
//!   `ScriptParser`, statement forms, the chain member table, JSON rules,
//!   the one string scanner, `msg` resolution, syntax errors.
//! - `runtime`: the async runtime, and the one way to wait for a person in it.
//! - `lesson`: a Markdown lesson read once: narration, `tour` blocks, and
//!   its exercises as parsed data; the built-in lessons.
//! - `report`: a step's outcome as plain data.
//! - `server`: the embedded socketioxide server: its named handlers, the
//!   actions it performs, its TCP listener.
//! - `term`: the terminal: its width and wrapping, single keys, the line
//!   editor and its completion, the colours, standard output.
//! - `client`: a simulated rust_socketio client and its inbox.
//! - `cluster`: several servers, with or without the Redis adapter.
//! - `source`: lesson and script files as the command line names them.
//! - `engine`: runs blocks of statements (`Engine::run_block`): connects,
//!   client acts, observation, outcomes; `engine::predict` says who an
//!   action should reach, and why not.
//! - `scale`: N clients, one broadcast, and what it cost.
//! - `learn`: a try graded by the live server, predictions, progress.
//! - `render`: one `Format` per output: the transcript and the NDJSON.
//! - `setup`: what the command line decided a run is (servers and output).
//! - the run modes: `tour` (a whole lesson), `practice` (its exercises),
//!   `present` (`--step`, a page at a time), `play` (the playground),
//!   `check` (validates lessons, then runs them).
//! - `language`, `manual`, `data_dir`: the language in brief, completions
//!   and the man page, where progress and history are kept and how a save
//!   writes there (a lock, a fresh temporary file, never through a link).
//! - `workshop`: the learner's own server (JavaScript or Rust), started,
//!   probed by plain clients and compared with the reference, step by step.
//! - `cli`: the command line: arguments, one decision, the commands.
//!
//! What the binary, the tests and the benches use is re-exported below;
//! everything else is the crate's own.

mod check;
mod cli;
mod client;
mod cluster;
mod data_dir;
mod engine;
mod error;
mod language;
mod learn;
mod lesson;
mod manual;
mod play;
mod practice;
mod present;
mod protocol;
mod render;
mod report;
mod runtime;
mod scale;
mod script;
mod server;
mod setup;
mod source;
mod term;
mod tour;
mod workshop;

pub use cli::main;
pub use engine::{Engine, Servers};
pub use error::{Error, Status};
pub use learn::attempt::Placed;
pub use learn::live::verify;
pub use learn::prompt::Piped;
pub use lesson::{BUILTIN, Lesson, builtin, load as load_lesson, parse_markdown};
pub use practice::{Ending, Practice};
pub use present::page_heights;
pub use protocol::RESERVED_EVENTS;
pub use render::{Output, Transcript, json_line};
pub use scale::{ScaleReport, ensure_fits, scale};
pub use script::{
    Action, Arg, BroadcastAction, Expr, Link, Room, Scope, SocketAction, Statement, StatementKind,
    SyntaxError, parse_line, parse_script,
};
pub use setup::Setup;
pub use tour::{Summary, run as run_lesson};
