//! The engine's private wire protocol between its server and its clients:
//! the events and header it adds to Socket.IO's, the bound on every wait,
//! and the event names a script may not use.

use std::fmt;
use std::time::Duration;

/// The prefix of every event the engine sends on its own behalf, as a
/// literal so that the event names below can be built from it.
macro_rules! engine_prefix {
    () => {
        "__tour:"
    };
}

/// Events whose names start with this prefix are the engine's own (its
/// sync and welcome signals); a script may not use them.
pub const ENGINE_EVENT_PREFIX: &str = engine_prefix!();
/// The private event the server sends after each step to mark its end.
pub const SYNC_EVENT: &str = concat!(engine_prefix!(), "sync");
/// The private event a socket gets as the last act of its admission.
pub const WELCOME_EVENT: &str = concat!(engine_prefix!(), "welcome");

/// The handshake header that names a simulated client, so that the
/// handshake auth stays exactly what the script says.
pub const CLIENT_HEADER: &str = "x-sockets-tour-client";

/// How long any single wait may take before it is reported as a hang.
pub const WAIT_BOUND: Duration = Duration::from_secs(5);

/// [`WAIT_BOUND`] as messages write it ("5 s").
pub fn wait_bound() -> String {
    format!("{} s", WAIT_BOUND.as_secs())
}

/// Event names the official server refuses to emit (`socket.io` 4.x).
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// Why a script may not use an event name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// One of [`RESERVED_EVENTS`]: Socket.IO's own.
    Reserved(String),
    /// It starts with [`ENGINE_EVENT_PREFIX`]: the engine's own.
    EngineOwn,
}

/// The one check of an event name, wherever it is made (parser, client,
/// server); `None` when a script may use it.
pub fn refusal(event: &str) -> Option<Refusal> {
    if RESERVED_EVENTS.contains(&event) {
        Some(Refusal::Reserved(event.to_owned()))
    } else if event.starts_with(ENGINE_EVENT_PREFIX) {
        Some(Refusal::EngineOwn)
    } else {
        None
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Reserved(event) => write!(f, "\"{event}\" is a reserved event name"),
            Refusal::EngineOwn => write!(
                f,
                "event names starting with `{ENGINE_EVENT_PREFIX}` are sockets-tour's own"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The protocol's names agree with each other.
    use super::*;

    #[test]
    fn the_engines_events_start_with_the_reserved_prefix() {
        for event in [SYNC_EVENT, WELCOME_EVENT] {
            assert!(event.starts_with(ENGINE_EVENT_PREFIX), "{event}");
            assert!(event.len() > ENGINE_EVENT_PREFIX.len(), "{event}");
            assert_eq!(refusal(event), Some(Refusal::EngineOwn), "{event}");
        }
    }

    #[test]
    fn reserved_names_and_the_prefix_are_refused_with_one_wording() {
        assert_eq!(
            refusal("disconnect").unwrap().to_string(),
            "\"disconnect\" is a reserved event name"
        );
        assert_eq!(
            refusal("__tour:x").unwrap().to_string(),
            "event names starting with `__tour:` are sockets-tour's own"
        );
        assert_eq!(refusal("chat"), None);
        assert_eq!(wait_bound(), "5 s");
    }
}
