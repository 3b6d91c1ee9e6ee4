//! The integration tests, one module per feature (one test binary).

mod differential;
