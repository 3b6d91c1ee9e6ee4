//! The presenter's `--step`: a lesson shown a page at a time, pausing after
//! each block's results, with keys to go on, back, replay or quit.

pub mod pieces;
pub mod plan;
