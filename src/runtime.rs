//! The async runtime, built in one place, and the one way to wait for a
//! person (a key, a typed answer) inside it: `block_in_place`, which hands
//! the worker's other tasks (the servers', the clients') to another worker
//! first, so that nothing stalls while the person thinks. It needs the
//! multi-threaded runtime, which is why `build` is the only builder.

use crate::error::Error;

/// The runtime every command runs on.
pub fn build() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Environment(format!("could not start the async runtime: {e}")))
}

/// Runs `wait` (reading a key, or a line a person types), which blocks,
/// from inside async code on the runtime of [`build`].
pub fn wait_for_person<T>(wait: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(wait)
}
