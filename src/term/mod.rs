//! The terminal: how wide it is, single keys for `--step`, the line editor
//! for prompts and its completion, the colours, and standard output that
//! goes quiet once its reader has gone. The engine never sees
//! any of it.

pub mod complete;
pub mod editor;
pub mod keys;
pub mod palette;
pub mod screen;
pub mod signals;
pub mod stdout;
pub mod width;
