//! The terminal: how wide it is, single keys for `--step`, the line editor
//! for prompts, and the colours. The engine never sees any of it.

pub mod complete;
pub mod palette;
pub mod width;
