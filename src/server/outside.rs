//! Outside clients (real Socket.IO clients on the `--listen` port) as
//! participants: each is named (its `auth.name`, or `outside1`…), and each
//! of its events waits until the engine runs it as a step of its own, so
//! that the tour's own steps see only what the tour did.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;
use socketioxide::socket::DisconnectReason;
use tokio::sync::oneshot;

use super::{Notice, OutsideEvent, Shared, lock, rooms_of};

/// The longest name an outside client may choose.
pub const MAX_OUTSIDE_NAME: usize = 32;

/// How many outside clients' events may wait for their turn at once (on
/// one server); one more is dropped, its handler never run, so that a
/// client that emits without pause cannot make the process hold ever more.
pub const MAX_WAITING: usize = 256;

/// Counts one waiting event until it has run or is dropped.
pub(super) struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Names `socket`, an outside client, and says its coming and going aside
/// (above the prompt in `play`); returns its name. Its events wait for
/// their turn (see [`turn`]).
pub(super) fn outside_client<A: Adapter>(
    shared: Arc<Shared<A>>,
    socket: &SocketRef<A>,
    auth: Option<&Value>,
) -> String {
    let (name, note) = name_for(&shared, socket, auth);
    crate::runtime::say_aside(format!(
        "sockets-tour: an outside client connected to {} as {name}{note}: its emits run the \
         handlers, each as a step of its own; the tour's steps do not count it among their \
         receivers",
        socket.ns()
    ));
    let leaving = name.clone();
    socket.on_disconnect(move |socket: SocketRef<A>, _: DisconnectReason| {
        lock(&shared.outside).remove(&socket.id);
        lock(&shared.auths).remove(&socket.id);
        crate::runtime::say_aside(format!(
            "sockets-tour: the outside client {leaving} left {}",
            socket.ns()
        ));
        std::future::ready(())
    });
    name
}

/// Tells the engine of an outside client's event at once (so that the
/// events of one client keep their order); the future ends when the engine
/// says that its turn has come (`Some`: run its handler now, then drop the
/// count), or with `None` when it is dropped (too many wait, or the run is
/// over before the engine came to it).
pub(super) fn turn<A: Adapter>(
    shared: &Shared<A>,
    socket: &SocketRef<A>,
    name: &str,
    event: &str,
    msg: &Value,
    ack: bool,
) -> impl Future<Output = Option<Waiting>> + Send + use<A> {
    static SAID: AtomicBool = AtomicBool::new(false);
    let waiting = Waiting(shared.outside_waiting.clone());
    if waiting.0.fetch_add(1, Ordering::Relaxed) >= MAX_WAITING {
        if !SAID.swap(true, Ordering::Relaxed) {
            crate::runtime::say_aside(format!(
                "sockets-tour: {MAX_WAITING} events of outside clients wait for their turn; \
                 {name}'s {event:?} was dropped, and others past that many are dropped too, \
                 without another word"
            ));
        }
        return futures_util::future::Either::Left(std::future::ready(None));
    }
    let (go, went) = oneshot::channel();
    let of = socket.clone();
    let held = OutsideEvent {
        name: name.to_owned(),
        ns: socket.ns().to_owned(),
        event: event.to_owned(),
        msg: msg.clone(),
        ack,
        go,
        rooms: Box::new(move || rooms_of(&of)),
    };
    // The engine is gone (the run is over): then `went` fails below too.
    let _ = shared.notices.send(Notice::Outside(held));
    futures_util::future::Either::Right(async move { went.await.ok().map(|()| waiting) })
}

/// The outside client's name: the one it asked for with `auth.name` if it
/// is a client name no one holds, else the next `outsideN` free; and,
/// when it asked for a name it did not get, why (to say aside).
fn name_for<A: Adapter>(
    shared: &Shared<A>,
    socket: &SocketRef<A>,
    auth: Option<&Value>,
) -> (String, String) {
    let mut outside = lock(&shared.outside);
    let taken = |name: &str, outside: &std::collections::BTreeMap<_, String>| {
        lock(&shared.sockets).contains_key(name)
            || lock(&shared.directory).contains_key(name)
            || outside.values().any(|held| held == name)
    };
    let asked = auth.and_then(|auth| auth.get("name"));
    let refused = match asked {
        None => None,
        Some(Value::String(asked)) => match name_refusal(asked) {
            Some(why) => Some(why),
            None if taken(asked, &outside) => {
                Some(format!("{} is taken", Value::String(asked.clone())))
            }
            None => {
                outside.insert(socket.id, asked.clone());
                return (asked.clone(), String::new());
            }
        },
        Some(_) => Some("auth.name is not a string".to_owned()),
    };
    let name = loop {
        let n = shared.outside_given.fetch_add(1, Ordering::Relaxed) + 1;
        let given = format!("outside{n}");
        if !taken(&given, &outside) {
            break given;
        }
    };
    outside.insert(socket.id, name.clone());
    let note = refused.map_or_else(String::new, |why| format!(" ({why})"));
    (name, note)
}

/// Why `asked` cannot name an outside client, if it cannot: a client name
/// is letters, digits, `_` and `-`, not starting with a digit or `-`, of
/// at most [`MAX_OUTSIDE_NAME`] characters.
pub fn name_refusal(asked: &str) -> Option<String> {
    let count = asked.chars().count();
    if count > MAX_OUTSIDE_NAME {
        return Some(format!(
            "a name of {count} characters is longer than {MAX_OUTSIDE_NAME}"
        ));
    }
    let mut chars = asked.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if first_ok && rest_ok {
        None
    } else {
        Some(format!(
            "{} is not a client name (letters, digits, `_` and `-`, not starting with a digit)",
            Value::String(asked.to_owned())
        ))
    }
}

#[cfg(test)]
mod tests {
    //! The names an outside client may choose.
    use super::*;

    #[test]
    fn a_client_name_of_at_most_32_characters_is_taken_as_asked() {
        assert_eq!(name_refusal("nodey"), None);
        assert_eq!(name_refusal("_a-1"), None);
        assert_eq!(name_refusal(&"a".repeat(32)), None);
        let long = name_refusal(&"a".repeat(33)).expect("too long");
        assert!(long.contains("33 characters is longer than 32"), "{long}");
        for bad in ["", "1abc", "-a", "a b", "a\u{1b}[2J", "é"] {
            let why = name_refusal(bad).expect(bad);
            assert!(why.contains("is not a client name"), "{bad}: {why}");
            assert!(!why.contains('\u{1b}'), "escaped: {why}");
        }
    }
}
