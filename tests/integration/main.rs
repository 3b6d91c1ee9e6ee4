//! The integration tests, one module per feature (one test binary).

mod cli;
mod cluster;
mod differential;
mod generator;
mod lessons;
mod parser;
mod scale;
