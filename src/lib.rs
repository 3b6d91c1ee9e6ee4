//! sockets-tour: see how Socket.IO delivers messages, on a real embedded
//! server with real clients, one narrated step at a time.
//!
//! # Layout
//! Each folder is one phase, each file one idea; a folder's `mod.rs` lists
//! its files.
//! - [`script`]: the tour-script language: syntax tree, the stateful
//!   [`script::ScriptParser`], statement forms, the chain member table, JSON
//!   rules, `msg` resolution, syntax errors.
//! - [`lesson`]: Markdown lessons (narration + `tour` blocks), embedded.
//! - [`learn`]: exercises graded by the live server, predictions, progress.
//! - [`source`]: lesson and script files as the command line names them.
//! - [`protocol`]: the engine's private wire protocol: its events, header,
//!   wait bound and the event names a script may not use.
//! - [`server`]: the embedded socketioxide server: its named handlers, the
//!   actions it performs, its TCP listener.
//! - [`client`]: a simulated rust_socketio client and its inbox.
//! - [`cluster`]: several servers, with or without the Redis adapter.
//! - [`engine`]: runs blocks of statements ([`engine::Engine::run_block`]):
//!   connects, client acts, observation, outcomes; [`engine::predict`] says
//!   who an action should reach, and why not.
//! - [`report`]: a step's outcome as plain data.
//! - [`render`]: one [`render::Format`] per output: the transcript (with
//!   narration wrapping) and the NDJSON.
//! - [`term`]: the terminal: its width and wrapping, single keys, the line
//!   editor and its completion, the colours.
//! - [`tour`]: runs a whole lesson.
//! - [`present`]: the presenter's `--step`, a page at a time.
//! - [`scale`]: N clients, one broadcast, and what it cost.
//! - [`play`]: the playground, one typed line at a time.
//! - [`check`]: validates lessons, then runs them.
//! - [`language`]: the language in brief (`help script`, `:help`).
//! - [`manual`]: shell completions and the man page.
//! - [`data_dir`]: where progress and the playground's history are kept,
//!   and how a save writes there (a lock, a fresh temporary file, no link).
//! - [`cli`]: the command line: flags, colour and exit codes, each decided once.

pub mod check;
pub mod cli;
pub mod client;
pub mod cluster;
pub mod data_dir;
pub mod engine;
pub mod language;
pub mod learn;
pub mod lesson;
pub mod manual;
pub mod play;
pub mod present;
pub mod protocol;
pub mod render;
pub mod report;
pub mod scale;
pub mod script;
pub mod server;
pub mod source;
pub mod term;
pub mod tour;
