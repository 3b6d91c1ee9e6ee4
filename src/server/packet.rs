//! v3: per-packet middlewares (`use /ns packet "EVENT" refuse "MESSAGE"`).
//! socketioxide has no `socket.use`: the server keeps each socket's rules,
//! as its connection handler would have added them, and its event dispatch
//! asks them before any handler runs.

use std::collections::HashMap;
use std::sync::Mutex;

use socketioxide::socket::Sid;

use super::lock;

/// One rule: packets of `event` are refused with `message`.
#[derive(Debug, Clone)]
struct Rule {
    event: String,
    message: String,
}

/// The namespaces' rules, and each socket's (those of its namespace when
/// it connected: the official connection handler calls `socket.use`).
#[derive(Debug, Default)]
pub(super) struct PacketRules {
    by_ns: Mutex<HashMap<String, Vec<Rule>>>,
    by_socket: Mutex<HashMap<Sid, Vec<Rule>>>,
}

impl PacketRules {
    /// A rule for every socket that connects to `ns` from now on.
    pub(super) fn add(&self, ns: &str, event: &str, message: &str) {
        lock(&self.by_ns)
            .entry(ns.to_owned())
            .or_default()
            .push(Rule {
                event: event.to_owned(),
                message: message.to_owned(),
            });
    }

    /// Socket `id` is admitted to `ns`: it gets the namespace's rules.
    pub(super) fn admitted(&self, ns: &str, id: Sid) {
        let rules = lock(&self.by_ns).get(ns).cloned().unwrap_or_default();
        if !rules.is_empty() {
            lock(&self.by_socket).insert(id, rules);
        }
    }

    /// Socket `id` is gone.
    pub(super) fn forget(&self, id: Sid) {
        lock(&self.by_socket).remove(&id);
    }

    /// The message of the first of socket `id`'s rules that refuses a
    /// packet of `event`, in the order they were added.
    pub(super) fn refusal(&self, id: Sid, event: &str) -> Option<String> {
        lock(&self.by_socket)
            .get(&id)?
            .iter()
            .find(|rule| rule.event == event)
            .map(|rule| rule.message.clone())
    }
}
