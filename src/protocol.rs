//! The engine's private wire protocol between its server and its clients:
//! the events and header it adds to Socket.IO's, the bound on every wait,
//! and the event names a script may not use.

use std::fmt;
use std::sync::OnceLock;
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

/// The private event with which a client answers the server's
/// acknowledgement (v3): rust_socketio cannot send an ACK packet itself.
pub const ANSWER_EVENT: &str = concat!(engine_prefix!(), "answer");

/// The argument of the acknowledgement with which the server releases a
/// tour client's callback that its handler left unanswered: rust_socketio
/// keeps an unanswered ack for ever, and a later ack that draws the same
/// random id then makes it panic. The client drops this answer unseen.
pub const UNANSWERED: &str = concat!(engine_prefix!(), "unanswered");

/// The handshake header that names a simulated client, so that the
/// handshake auth stays exactly what the script says.
pub const CLIENT_HEADER: &str = "x-sockets-tour-client";

/// The handshake header with which a simulated client proves it is one:
/// [`client_secret`]. A client that sends [`CLIENT_HEADER`] without it is
/// an outside client like any other.
pub const SECRET_HEADER: &str = "x-sockets-tour-secret";

/// This run's secret: 128 random bits in hex, made once per process, sent
/// only by the engine's own clients to its own servers, never printed.
pub fn client_secret() -> &'static str {
    static SECRET: OnceLock<String> = OnceLock::new();
    SECRET.get_or_init(fresh_secret)
}

/// Whether `offered` is this run's secret (in constant time: how much of
/// it matched does not show in how long the answer took).
pub fn is_client_secret(offered: &[u8]) -> bool {
    let secret = client_secret().as_bytes();
    offered.len() == secret.len()
        && offered
            .iter()
            .zip(secret)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

fn fresh_secret() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness from the system (very rare): std's hasher keys are
        // random per process too (and the time and pid vary the words).
        use std::hash::{BuildHasher as _, RandomState};
        let now = std::time::SystemTime::now();
        for (i, word) in bytes.chunks_mut(8).enumerate() {
            let hashed = RandomState::new().hash_one((i, std::process::id(), now));
            word.copy_from_slice(&hashed.to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
        for event in [SYNC_EVENT, WELCOME_EVENT, ANSWER_EVENT, UNANSWERED] {
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

    #[test]
    fn the_secret_is_128_bits_stays_the_same_and_only_it_is_accepted() {
        let secret = client_secret();
        assert_eq!(secret.len(), 32);
        assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()), "{secret}");
        assert_eq!(client_secret(), secret);
        assert_ne!(fresh_secret(), secret, "a fresh secret each run");
        assert!(is_client_secret(secret.as_bytes()));
        let mut wrong = secret.as_bytes().to_vec();
        wrong[31] = if wrong[31] == b'0' { b'1' } else { b'0' };
        assert!(!is_client_secret(&wrong));
        assert!(!is_client_secret(&secret.as_bytes()[..31]));
        assert!(!is_client_secret(b""));
    }
}
