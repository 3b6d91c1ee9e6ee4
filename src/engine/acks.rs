//! Acknowledgements in depth (v3): a client's listener that answers the
//! server, a server's emit that asks for answers, and what a client's
//! `emitWithAck` or `.timeout(MS)` makes of the answer it got (or did not).
//!
//! No timeout is waited for: handlers and listeners are synchronous, so
//! once the step's ordered sync is over (and every answer has reached the
//! server) no answer can come any more, and a form with a timeout reports
//! the error the official API raises.

use std::collections::BTreeMap;

use serde_json::Value;

use super::trace::Trace;
use super::{Engine, Participant, not_connected};
use crate::report::{AckDetail, Delivery, Outcome, quoted};
use crate::script::{AckForm, Arg, Expr, Statement};
use crate::server::Notice;

/// The error the official client and server give a callback (or a
/// promise) when no acknowledgement came within the timeout.
pub const TIMED_OUT: &str = "operation has timed out";

/// The error the official client gives a callback with a timeout whose
/// socket disconnected before any acknowledgement came.
pub const CUT_OFF: &str = "socket has been disconnected";

/// What a server's ask got back.
#[derive(Debug, Default)]
pub(super) struct Answers {
    /// By client: the arguments that reached the server's callback.
    ack: BTreeMap<String, Vec<Value>>,
    /// The callback's error, for a form that takes one.
    error: Option<Option<String>>,
    /// Each target that did not answer, and why not.
    unanswered: BTreeMap<String, String>,
    /// A broadcast asked: one response per client.
    broadcast: bool,
}

/// A step's `ack`, its error and its unanswered targets: a server's ask as
/// it was observed, or a client's acknowledgement (`ack`) as its `form`
/// hands it over: a promise keeps the first argument only, and a timeout
/// turns "none came" into the error (`cut`: the sender's socket left in
/// the step, so the client failed it at once).
pub(super) fn finish(
    ack: Option<BTreeMap<String, Vec<Value>>>,
    (form, cut): (AckForm, bool),
    asked: Option<Answers>,
) -> (Option<BTreeMap<String, Vec<Value>>>, AckDetail) {
    if let Some(asked) = asked {
        let detail = AckDetail {
            error: asked.error,
            unanswered: Some(asked.unanswered),
            promise: false,
            responses: asked.broadcast,
        };
        return (Some(asked.ack), detail);
    }
    let Some(mut ack) = ack else {
        return (None, AckDetail::default());
    };
    if form.promise {
        for args in ack.values_mut() {
            args.truncate(1);
        }
    }
    let error = form.timeout.map(|_| {
        ack.is_empty()
            .then(|| (if cut { CUT_OFF } else { TIMED_OUT }).to_owned())
    });
    let detail = AckDetail {
        error,
        unanswered: None,
        promise: form.promise,
        responses: false,
    };
    (Some(ack), detail)
}

impl Engine {
    /// `NAME> on "EVENT": callback(…)`: NAME's client answers EVENT from now on.
    pub(super) fn client_listener(
        &mut self,
        name: &str,
        event: &str,
        answer: &[Arg<Value>],
    ) -> Outcome {
        let Some(Participant::Connected(client)) = self.members.get_mut(name) else {
            return not_connected(name);
        };
        client.listen(event, answer.to_vec());
        Outcome::Listener {
            name: name.to_owned(),
            event: event.to_owned(),
        }
    }

    /// A server's emit that asks for acknowledgements: the emit runs as any
    /// other; then each client that received it answers if its listeners
    /// say so, over the engine's private event, and the server's callback
    /// gets what reached the server.
    pub(super) async fn server_ask(
        &mut self,
        statement: &Statement,
        socket: Option<&str>,
        expr: &Expr,
        timeout: Option<u64>,
        trace: &mut Trace,
    ) -> anyhow::Result<Outcome> {
        if let Some(name) = socket
            && !self.is_connected(name)
        {
            return Ok(not_connected(name));
        }
        let before = self.snapshot(trace);
        let label = statement.server.as_deref();
        let result = self.cluster.perform(label, socket, expr).await;
        let origin = self.origin(label, socket);
        let outcome = self
            .outcome_of((socket, None), origin, expr, &before, result, trace)
            .await?;
        // An emit that failed (a reserved name) never asked anyone.
        let Outcome::Emit { event, deliveries } = &outcome else {
            return Ok(outcome);
        };
        // A broadcast's callback gets one response per client: its first argument.
        let broadcast = matches!(expr, Expr::Broadcast { .. });
        let mut answers = Answers {
            broadcast,
            ..Answers::default()
        };
        for (name, delivery) in deliveries {
            let Delivery::Received(args) = delivery else {
                continue;
            };
            let Some(Participant::Connected(client)) = self.members.get(name) else {
                continue;
            };
            let Some(answer) = client.answer_to(event, args) else {
                answers
                    .unanswered
                    .insert(name.clone(), why_unanswered(name, event, timeout));
                continue;
            };
            client.answer(event, &answer).await?;
            let mut got = self.answer_from(name, event, trace).await?;
            if broadcast {
                got.truncate(1);
            }
            answers.ack.insert(name.clone(), got);
        }
        answers.error = (timeout.is_some() || broadcast)
            .then(|| (!answers.unanswered.is_empty()).then(|| TIMED_OUT.to_owned()));
        trace.asked = Some(answers);
        Ok(outcome)
    }

    /// Waits for the server to get `name`'s answer to `event`.
    async fn answer_from(
        &mut self,
        name: &str,
        event: &str,
        trace: &mut Trace,
    ) -> anyhow::Result<Vec<Value>> {
        loop {
            match self
                .next_notice(name, "'s answer to reach the server")
                .await?
            {
                Notice::Answer {
                    name: by,
                    event: answered,
                    args,
                } => {
                    if by != name || answered != event {
                        trace.mismatch(format!(
                            "the server got {by}'s answer for {answered:?}, \
                             not {name}'s for {event:?}"
                        ));
                    }
                    return Ok(args);
                }
                other => self.absorb(other, trace),
            }
        }
    }
}

/// Why a client that received an ask did not answer, from its listeners.
fn why_unanswered(name: &str, event: &str, timeout: Option<u64>) -> String {
    let why = format!(
        "{name} has no listener with a callback for {}",
        quoted(event)
    );
    match timeout {
        Some(ms) => format!("no acknowledgement within {ms} ms: {why}"),
        None => format!("{why}: the callback never runs"),
    }
}

#[cfg(test)]
mod tests {
    //! What each client form makes of the answer it got.
    use super::*;
    use serde_json::json;

    #[test]
    fn a_promise_keeps_the_first_argument_and_a_timeout_reports_silence() {
        let got = BTreeMap::from([("a".to_owned(), vec![json!(1), json!(2)])]);
        let promise = AckForm {
            promise: true,
            timeout: Some(50),
        };
        let (ack, detail) = finish(Some(got), (promise, false), None);
        assert_eq!(ack.unwrap()["a"], vec![json!(1)]);
        assert_eq!(detail.error, Some(None));
        assert!(detail.promise);
        let (ack, detail) = finish(Some(BTreeMap::new()), (promise, false), None);
        assert!(ack.unwrap().is_empty());
        assert_eq!(detail.error, Some(Some(TIMED_OUT.to_owned())));
        let (_, detail) = finish(Some(BTreeMap::new()), (AckForm::default(), false), None);
        assert_eq!(
            detail.error, None,
            "no timeout: the callback never runs, no error"
        );
    }
}
