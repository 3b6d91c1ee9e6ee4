//! Version 3's forms about a client's connection: `drop NAME`, `reconnect
//! NAME` (with the emits its client buffered meanwhile), buffered emits and
//! `socket.volatile.emit` while connected and while the connection is lost.
//!
//! The model keeps, for each client whose connection is lost, where it was
//! connected, how (its auth, so that a middleware added since may refuse
//! the reconnection) and what it buffered. A reconnection whose flushed
//! emits would depend on timing is not written: the official server runs
//! the handlers of every packet already received even after one of them
//! disconnected the socket (socket.io dispatches on the next tick), where
//! socketioxide drops them; so only the last flushed emit's handler may
//! disconnect anyone.

use serde_json::Value;

use super::{Act, Action, Gen, Live, Need, Sender, json_string, need, uses_msg_as_event};

/// A client whose connection `drop` cut, until `reconnect` or `connect`.
#[derive(Clone, Debug)]
pub(super) struct Lost {
    ns: String,
    server: usize,
    /// The emits its client buffered: event, and the first argument.
    buffered: Vec<(String, Value)>,
}

impl Gen {
    /// One of `drop`, `reconnect`, a buffered or volatile emit.
    pub(super) fn link_statement(&mut self) -> String {
        let lost: Vec<String> = self.model.lost.keys().cloned().collect();
        if !lost.is_empty() && self.rng.chance(75) {
            let name = self.rng.pick(&lost).clone();
            return match self.rng.below(20) {
                0..=9 => self.reconnect(&name),
                10..=16 => self.offline_emit(&name, false),
                // A run-time error: the tour buffers no emit with `ack`.
                17 => format!("{name}> socket.emit(\"ask\", 1, ack)"),
                _ => self.offline_emit(&name, true),
            };
        }
        let gone = self.gone_for_good();
        if !gone.is_empty() && self.rng.chance(12) {
            // A run-time error: it left deliberately (or never got in).
            return format!("reconnect {}", self.rng.pick(&gone));
        }
        if self.model.live.is_empty() {
            return self.connect();
        }
        let name = self.live_name();
        match self.rng.below(10) {
            0..=4 => self.drop_client(&name),
            6..=8 => self.volatile_emit(&name),
            // A run-time error: connected, or never dropped.
            _ => format!("reconnect {name}"),
        }
    }

    /// Names gone for good: disconnected or refused, not dropped.
    pub(super) fn gone_for_good(&self) -> Vec<String> {
        let mut absent = self.absent();
        absent.retain(|n| !self.model.lost.contains_key(n));
        absent
    }

    fn drop_client(&mut self, name: &str) -> String {
        let live = self.model.live[name].clone();
        self.leave(name);
        self.model.lost.insert(
            name.to_owned(),
            Lost {
                ns: live.ns,
                server: live.server,
                buffered: Vec::new(),
            },
        );
        format!("drop {name}")
    }

    /// An event and its first argument for an emit by a client of `ns`: a
    /// room name, which every handler takes as `msg` (a room, rooms, an
    /// event name or an emit argument).
    fn link_emit(&mut self, ns: &str) -> (String, Value) {
        let handled: Vec<String> = self
            .model
            .handlers
            .keys()
            .filter(|(n, _)| n == ns)
            .map(|(_, e)| e.clone())
            .collect();
        let event = if !handled.is_empty() && self.rng.chance(80) {
            self.rng.pick(&handled).clone()
        } else {
            "unheard".to_owned()
        };
        (event, Value::String(self.room()))
    }

    fn emit_line(&mut self, name: &str, volatile: bool, event: &str, msg: &Value) -> String {
        let g = self.gap;
        let member = if volatile { "volatile.emit" } else { "emit" };
        let mut line = format!("{name}{g}> socket.{member}({g}{}", json_string(event));
        line.push_str(self.comma());
        line.push_str(&msg.to_string());
        if self.rng.chance(20) {
            line.push_str(self.comma());
            line.push_str(&self.value(0));
        }
        line.push_str(&format!("{g})"));
        line
    }

    /// `NAME> socket.volatile.emit(…)` while connected: an ordinary emit.
    fn volatile_emit(&mut self, name: &str) -> String {
        let Live { ns, server, .. } = self.model.live[name].clone();
        let (event, msg) = self.link_emit(&ns);
        let line = self.emit_line(name, true, &event, &msg);
        if let Some(action) = self.model.handlers.get(&(ns.clone(), event)).cloned() {
            let sender = Sender {
                name: name.to_owned(),
                ns,
                server,
            };
            self.run(&action, &sender, &msg);
        }
        line
    }

    /// An emit while the connection is lost: buffered, or dropped if volatile.
    fn offline_emit(&mut self, name: &str, volatile: bool) -> String {
        let ns = self.model.lost[name].ns.clone();
        let (event, msg) = self.link_emit(&ns);
        let line = self.emit_line(name, volatile, &event, &msg);
        if !volatile && let Some(lost) = self.model.lost.get_mut(name) {
            lost.buffered.push((event, msg));
        }
        line
    }

    /// `reconnect NAME`: admitted as a new socket (the connection handler
    /// runs), then the buffered emits' handlers in order; or refused by a
    /// middleware added since.
    fn reconnect(&mut self, name: &str) -> String {
        let lost = self.model.lost[name].clone();
        let handlers: Vec<Option<Action>> = lost
            .buffered
            .iter()
            .map(|(event, _)| {
                self.model
                    .handlers
                    .get(&(lost.ns.clone(), event.clone()))
                    .cloned()
            })
            .collect();
        let early = handlers.len().saturating_sub(1);
        if handlers[..early].iter().any(|a| disconnects(a.as_ref())) {
            self.model.hazard = true;
        }
        // What the handlers take as `msg` now (a handler may have changed).
        for (action, (_, msg)) in handlers.iter().zip(&lost.buffered) {
            if let Some(Action::Chain(chain)) = action
                && need(chain) != Need::Any
                && !msg.is_string()
            {
                self.model.hazard = true;
            }
            if let Some(Action::Chain(chain)) = action
                && uses_msg_as_event(Some(chain))
                && msg
                    .as_str()
                    .is_some_and(|s| sockets_tour::RESERVED_EVENTS.contains(&s))
            {
                self.model.hazard = true;
            }
        }
        self.model.lost.remove(name);
        let line = format!("reconnect {name}");
        if !self.admits(&lost.ns, name) {
            return line;
        }
        self.model.live.insert(
            name.to_owned(),
            Live {
                ns: lost.ns.clone(),
                rooms: Default::default(),
                server: lost.server,
            },
        );
        let sender = |g: &Gen| Sender {
            name: name.to_owned(),
            ns: lost.ns.clone(),
            server: g.model.live.get(name).map_or(lost.server, |l| l.server),
        };
        if let Some(hook) = self.model.on_connection.get(&lost.ns).cloned() {
            let s = sender(self);
            self.run(&hook, &s, &Value::String(name.to_owned()));
        }
        for (action, (_, msg)) in handlers.iter().zip(&lost.buffered) {
            if !self.model.live.contains_key(name) {
                break;
            }
            if let Some(action) = action {
                let s = sender(self);
                self.run(action, &s, msg);
            }
        }
        line
    }

    /// Whether the middlewares of `ns` admit `name` with the auth it
    /// connected with.
    fn admits(&self, ns: &str, name: &str) -> bool {
        let auth = self.model.auths.get(name).cloned().unwrap_or_default();
        let required = self.model.middlewares.get(ns).cloned().unwrap_or_default();
        required.iter().all(|(key, value)| {
            if key == "name" {
                value == name
            } else {
                auth.iter()
                    .any(|(k, v)| k == key && *v == json_string(value))
            }
        })
    }
}

/// Whether a handler disconnects a socket (its own, or a selection).
fn disconnects(action: Option<&Action>) -> bool {
    matches!(
        action,
        Some(Action::Chain(chain)) if matches!(chain.act, Act::Disconnect(_) | Act::DisconnectSockets(_))
    )
}
