//! Acknowledgements in depth (v3): a client's listener that answers the
//! server, a server's emit that asks for answers, and what a client's
//! `emitWithAck` or `.timeout(MS)` makes of the answer it got (or did not).
//!
//! No timeout is waited for: handlers and listeners are synchronous, so
//! once the step's ordered sync is over (and every answer has reached the
//! server) no answer can come any more, and a form with a timeout reports
//! the error the official API raises.

use serde_json::Value;

use super::answers::Answers;
use super::answers::TIMED_OUT;
use super::trace::Trace;
use super::{Engine, Participant, not_connected};
use crate::report::{Delivery, Outcome, quoted};
use crate::script::{Arg, Expr, Statement};
use crate::server::Notice;

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
