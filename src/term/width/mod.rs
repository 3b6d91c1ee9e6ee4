//! How wide the output is and how text fits it: at word boundaries, with
//! hanging indents, and never cutting a code token.
//!
//! - `size`: the screen's columns and rows, and a string's columns and rows.
//! - `fill`: prose filled into lines, words wrapped with hanging indents.
//! - `code`: where JavaScript may be broken, and code lines wrapped.

mod code;
mod fill;
mod size;

pub use code::wrap_code;
pub use fill::{Token, fill, wrap, wrap_message};
pub use size::{DEFAULT, MIN, columns, detect, detect_rows, rows, stderr_columns};
