//! Cutting a tour client's connection under it, as a network loss does
//! (`drop NAME`): no DISCONNECT packet, no websocket close frame; the
//! server's side of the TCP connection reads end-of-stream and is shut
//! down, and socketioxide finds the transport gone.
//!
//! Each accepted connection has a [`Switch`]; the first request that proves
//! it is a tour client files it under the client's name (its
//! `CLIENT_HEADER`) in the server's [`Cuts`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::Context;

use futures_util::task::AtomicWaker;

/// One connection's switch: once cut, its reads end.
#[derive(Debug, Default)]
pub struct Switch {
    cut: AtomicBool,
    /// The task reading the connection, woken by the cut.
    reader: AtomicWaker,
}

impl Switch {
    fn cut(&self) {
        self.cut.store(true, Ordering::Release);
        self.reader.wake();
    }

    /// Whether the connection is cut; if not, the reader is woken when it is.
    pub fn is_cut(&self, cx: &mut Context<'_>) -> bool {
        if self.cut.load(Ordering::Acquire) {
            return true;
        }
        self.reader.register(cx.waker());
        self.cut.load(Ordering::Acquire)
    }
}

/// A server's tour connections, by client name (the latest of each name).
#[derive(Debug, Default)]
pub struct Cuts(Mutex<HashMap<String, Weak<Switch>>>);

impl Cuts {
    /// Files `switch` under `name`, replacing the name's earlier connection
    /// (a closed connection's entry stays until then: one small entry per
    /// name, where sweeping them at every connect would cost a scan each).
    pub fn file(&self, name: &str, switch: &Arc<Switch>) {
        self.lock().insert(name.to_owned(), Arc::downgrade(switch));
    }

    /// Cuts `name`'s connection; whether it had one still open.
    pub fn cut(&self, name: &str) -> bool {
        match self.lock().remove(name).and_then(|s| s.upgrade()) {
            Some(switch) => {
                switch.cut();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Weak<Switch>>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    //! A cut reaches the connection filed under the name, and only it.
    use super::*;

    #[test]
    fn a_cut_ends_the_named_connection_once() {
        let cuts = Cuts::default();
        let (old, new) = (Arc::new(Switch::default()), Arc::new(Switch::default()));
        cuts.file("bob", &old);
        cuts.file("bob", &new);
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        assert!(!cuts.cut("alice"), "nobody is filed as alice");
        assert!(cuts.cut("bob"));
        assert!(new.is_cut(&mut cx), "the latest connection is cut");
        assert!(!old.is_cut(&mut cx), "an earlier one is not");
        assert!(!cuts.cut("bob"), "a connection is cut once");
        drop(new);
        cuts.file("carol", &old);
        drop(old);
        assert!(!cuts.cut("carol"), "a closed connection cannot be cut");
    }
}
