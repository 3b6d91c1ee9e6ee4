//! sockets-tour: see how Socket.IO delivers messages, on a real embedded
//! server with real clients, one narrated step at a time.
//!
//! # Layout
//! - [`script`]: the tour-script language and its parser.
//! - [`lesson`]: Markdown lessons (narration + `tour` blocks), embedded.
//! - [`server`]: the embedded socketioxide server and its bridges.
//! - [`net`]: its TCP listener, tuned so that no write waits on a delayed ACK.
//! - [`client`]: a simulated rust_socketio client and its inbox.
//! - [`cluster`]: several servers, with or without the Redis adapter.
//! - [`explain`]: who an action should reach, and why not.
//! - [`engine`]: runs statements, syncs, observes, compares.
//! - [`report`]: a step's outcome as plain data.
//! - [`render`]: the transcript and the NDJSON.
//! - [`tour`]: runs a whole lesson.
//! - [`scale`]: N clients, one broadcast, and what it cost.
//! - [`play`]: the playground, one typed line at a time.
//! - [`check`]: validates lessons, then runs them.
//! - [`cli`]: the command line.

pub mod check;
pub mod cli;
pub mod client;
pub mod cluster;
pub mod engine;
pub mod explain;
pub mod lesson;
pub mod net;
pub mod play;
pub mod render;
pub mod report;
pub mod scale;
pub mod script;
pub mod server;
pub mod tour;
