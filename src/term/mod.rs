//! The terminal: how wide it is, single keys for `--step`, the line editor
//! for prompts and its completion, and the colours. The engine never sees
//! any of it.

pub mod complete;
pub mod editor;
pub mod keys;
pub mod palette;
pub mod width;
