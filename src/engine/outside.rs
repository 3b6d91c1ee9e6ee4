//! An outside client's event (a real Socket.IO client on the `--listen`
//! port), run as a step of its own between two of the tour's: its handler
//! runs only then, so that no step of the tour's clients sees what it does,
//! and the tour's clients' receipts are observed as in any step.

use serde_json::Value;

use super::Engine;
use super::trace::Trace;
use crate::report::{Outcome, StepReport};
use crate::server::{Notice, OutsideEvent};

impl Engine {
    /// Waits for the next outside client's event (forever when none
    /// comes). Cancel-safe: the notices it reads meanwhile are kept for
    /// the next step.
    pub async fn next_outside(&mut self) -> OutsideEvent {
        if let Some(event) = self.held.pop_front() {
            return event;
        }
        loop {
            match self.notices.recv().await {
                Some(Notice::Outside(event)) => return event,
                Some(other) => self.early.push_back(other),
                // The servers are gone: no outside client can emit.
                None => return std::future::pending().await,
            }
        }
    }

    /// The next outside client's event that has come already, if any.
    pub fn held_outside(&mut self) -> Option<OutsideEvent> {
        if let Some(event) = self.held.pop_front() {
            return Some(event);
        }
        while let Ok(notice) = self.notices.try_recv() {
            match notice {
                Notice::Outside(event) => return Some(event),
                other => self.early.push_back(other),
            }
        }
        None
    }

    /// Runs an outside client's event as a step numbered `line`: its
    /// handler runs now, and the report says what it did, as for a tour
    /// client's emit (the outside client's own receipts are not observed:
    /// only the tour's clients are receivers).
    pub async fn outside_step(
        &mut self,
        line: usize,
        held: OutsideEvent,
    ) -> anyhow::Result<StepReport> {
        let OutsideEvent {
            name,
            ns,
            event,
            msg,
            ack,
            go,
            rooms,
        } = held;
        // Told apart from a tour client of the same name.
        let shown = if self.members.contains_key(&name) {
            format!("{name}(outside)")
        } else {
            name.clone()
        };
        let mut code = format!("{shown}> socket.emit({}", Value::String(event));
        if !msg.is_null() {
            code.push_str(&format!(", {msg}"));
        }
        code.push_str(if ack { ", ack)" } else { ")" });
        let mut trace = Trace::at(line, code);
        let before = self.snapshot(&mut trace);
        if go.send(()).is_err() {
            let left = format!("{shown} left before its event could run");
            return Ok(trace.report(Outcome::Error(left)));
        }
        let handled = self.handled(&name, &mut trace).await?;
        let mut outcome = self
            .after_handling(&shown, Some(&ns), handled, &before, &mut trace)
            .await?;
        // Its own join or leave: its rooms are its socket's.
        if let Outcome::Rooms(now) = &mut outcome
            && let Some(own) = now.get_mut(&shown)
        {
            *own = rooms().into_iter().collect();
        }
        self.unseen_departures(&mut trace).await;
        Ok(trace.report(outcome))
    }
}

#[cfg(test)]
mod tests {
    //! A lesson's statements and an outside client's event: the event runs
    //! after the statement it came during, as a step of its own.
    use std::net::{Ipv4Addr, SocketAddr};

    use futures_util::FutureExt as _;
    use rust_socketio::asynchronous::ClientBuilder;
    use rust_socketio::{Event, TransportType};
    use serde_json::json;

    use super::*;
    use crate::protocol::WAIT_BOUND;
    use crate::report::Delivery;
    use crate::script::parse_script;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_outside_event_runs_after_the_statement_it_came_during() {
        let script =
            parse_script("on \"chat\": socket.broadcast.emit(\"chat\", msg)\nconnect alice\nconnect bob\nio.emit(\"x\")\n")
                .unwrap();
        let mut engine = Engine::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .unwrap();
        engine.run_block(&script[..3], |_| Ok(())).await.unwrap();

        let (opened, mut open) = tokio::sync::mpsc::unbounded_channel();
        let outside = ClientBuilder::new(engine.url())
            .auth(json!({"name": "nodey"}))
            .transport_type(TransportType::Websocket)
            .reconnect(false)
            .on(Event::Connect, move |_, _| {
                let _ = opened.send(());
                async {}.boxed()
            })
            .connect()
            .await
            .unwrap();
        tokio::time::timeout(WAIT_BOUND, open.recv()).await.unwrap();
        outside.emit("chat", json!("hi")).await.unwrap();
        // It came while no statement ran: held, as if during the next one.
        let held = tokio::time::timeout(WAIT_BOUND, engine.next_outside())
            .await
            .expect("the outside client's event reaches the engine");
        assert_eq!((held.name.as_str(), held.event.as_str()), ("nodey", "chat"));
        engine.held.push_front(held);

        let mut reports = Vec::new();
        engine
            .run_block(&script[3..], |report| {
                reports.push(report.clone());
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(reports.len(), 2, "{reports:?}");
        assert_eq!(reports[0].code, "io.emit(\"x\")");
        let step = &reports[1];
        assert_eq!(step.code, "nodey> socket.emit(\"chat\", \"hi\")");
        assert!(!step.has_mismatch(), "{step:?}");
        let Outcome::Emit { event, deliveries } = &step.outcome else {
            panic!("{step:?}");
        };
        assert_eq!(event, "chat");
        // Only the tour's clients are receivers: both, since the sender is
        // the outside client.
        let got = |name: &str| matches!(deliveries.get(name), Some(Delivery::Received(args)) if args == &[json!("hi")]);
        assert!(got("alice") && got("bob"), "{deliveries:?}");
        assert_eq!(deliveries.len(), 2, "{deliveries:?}");
        let _ = outside.disconnect().await;
        engine.shutdown().await.unwrap();
    }
}
