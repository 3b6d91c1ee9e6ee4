//! The acknowledgement forms of version 3, for the generator: a client's
//! `await socket.emitWithAck(…)` and `socket.timeout(MS).emit(…, ack)`, a
//! client's listener `NAME> on "EV": callback(…)`, and a server's ask, on
//! one socket (`socket[.timeout(MS)].emit(…, ack)`) or a timed broadcast.
//!
//! Asks use a few event names of their own, so that listeners and asks
//! meet often; a listener is forgotten when its client reconnects, as on
//! the official client, which the model does not need to know: the
//! differential test compares what happened.

use super::{Gen, json_string, render_slot};

/// The events that clients listen to and servers ask with.
const ASKED: [&str; 3] = ["question", "poll", "ask"];
/// Timeouts: long enough that an answer given arrives in time on the
/// official server even on a loaded machine (a loopback round trip takes
/// about a millisecond), short, since a missing answer is waited out there.
const TIMEOUTS: [u64; 2] = [200, 250];

impl Gen {
    /// A client's emit with `ack` as written in one of the v3 forms, or
    /// `None` for the v2 form `socket.emit(…, ack)`.
    pub(super) fn client_ack_form(
        &mut self,
        name: &str,
        event: &str,
        args: &[String],
    ) -> Option<String> {
        let g = self.gap;
        let timeout = match self.rng.below(3) {
            0 => String::new(),
            _ => format!("timeout({g}{}{g}){g}.{g}", self.rng.pick(&TIMEOUTS)),
        };
        let mut call = json_string(event);
        for arg in args {
            call.push_str(self.comma());
            call.push_str(arg);
        }
        match self.rng.below(5) {
            0 | 1 => Some(format!(
                "{name}{g}> await socket{g}.{g}{timeout}emitWithAck({g}{call}{g})"
            )),
            2 if !timeout.is_empty() => {
                let comma = self.comma();
                Some(format!(
                    "{name}{g}> socket{g}.{g}{timeout}emit({g}{call}{comma}ack{g})"
                ))
            }
            _ => None,
        }
    }

    /// One of the v3 statements that ask and answer.
    pub(super) fn ack_statement(&mut self) -> String {
        let g = self.gap;
        let name = self.live_name();
        let event = *self.rng.pick(&ASKED);
        match self.rng.below(10) {
            0..=4 => {
                // A client's listener has no handshake: the server's view only.
                let answer: Vec<String> = (self.callback_args().iter())
                    .filter(|slot| !matches!(slot, super::Slot::Auth(_)))
                    .map(render_slot)
                    .collect();
                format!(
                    "{name}{g}> on {}:{g}callback({g}{}{g})",
                    json_string(event),
                    answer.join(", ")
                )
            }
            5..=7 => {
                let timeout = match self.rng.chance(60) {
                    true => format!(".{g}timeout({}){g}", self.rng.pick(&TIMEOUTS)),
                    false => String::new(),
                };
                format!(
                    "{name}{g}: socket{g}{timeout}.{g}emit({})",
                    self.ask_args(event)
                )
            }
            _ => self.broadcast_ask(&name, event),
        }
    }

    /// `"EV", ARGS…, ack` of an ask.
    fn ask_args(&mut self, event: &str) -> String {
        let mut call = json_string(event);
        for _ in 0..*self.rng.pick(&[0, 1, 1, 2]) {
            let value = self.value(0);
            call.push_str(self.comma());
            call.push_str(&value);
        }
        call.push_str(self.comma());
        call.push_str("ack");
        call
    }

    /// A broadcast that asks, with its `.timeout(MS)` somewhere in the chain.
    fn broadcast_ask(&mut self, name: &str, event: &str) -> String {
        let g = self.gap;
        let ms = *self.rng.pick(&TIMEOUTS);
        let namespaces: Vec<String> = self.model.declared.iter().cloned().collect();
        let (head, named) = match self.rng.below(6) {
            0 => ("io".to_owned(), false),
            1 => {
                let ns = self.rng.pick(&namespaces).clone();
                (format!("io{g}.{g}of({})", json_string(&ns)), false)
            }
            2 => ("socket.broadcast".to_owned(), true),
            3 => ("socket.nsp".to_owned(), true),
            _ => (
                format!("{}{g}", if self.rng.chance(50) { "io" } else { "socket" }),
                false,
            ),
        };
        let named = named || head.starts_with("socket");
        let mut links: Vec<String> = Vec::new();
        for _ in 0..self.rng.below(3) {
            let which = *self.rng.pick(&["to", "in", "except"]);
            let room = self.room();
            links.push(format!("{which}({})", json_string(&room)));
        }
        if head.trim_end() == "socket" && links.is_empty() {
            let room = self.room();
            links.push(format!("to({})", json_string(&room)));
        }
        let at = self.rng.below(links.len() + 1);
        links.insert(at, format!("timeout({ms})"));
        let chain = links
            .iter()
            .map(|link| format!(".{g}{link}{g}"))
            .collect::<String>();
        let code = format!(
            "{}{chain}.{g}emit({})",
            head.trim_end(),
            self.ask_args(event)
        );
        if named {
            format!("{name}{g}: {code}")
        } else {
            code
        }
    }
}

/// A check that some generated line passes a test, named for its message.
type Any<'a> = &'a dyn Fn(&str, &dyn Fn(&str) -> bool);

/// Every v3 form appears among `any`'s lines (white space taken out).
pub(super) fn uses_every_form(any: Any<'_>) {
    any("await emitWithAck", &|l| {
        l.contains(">awaitsocket.emitWithAck(")
    });
    any("await with a timeout", &|l| {
        l.contains(">awaitsocket.timeout(") && l.contains(").emitWithAck(")
    });
    any("a client's timeout(MS).emit(…, ack)", &|l| {
        l.contains(">socket.timeout(") && l.ends_with(",ack)")
    });
    any("a client's listener", &|l| {
        l.contains(">on\"") && l.contains(":callback(")
    });
    any("a socket's ask without a timeout", &|l| {
        l.contains(":socket.emit(") && l.ends_with(",ack)")
    });
    any("a socket's timed ask", &|l| {
        l.contains(":socket.timeout(") && l.ends_with(",ack)")
    });
    any("a broadcast ask", &|l| {
        l.starts_with("io") && l.contains("timeout(") && l.ends_with(",ack)")
    });
    any("a socket's broadcast ask", &|l| {
        l.contains(":socket.broadcast") && l.contains("timeout(") && l.ends_with(",ack)")
    });
}
