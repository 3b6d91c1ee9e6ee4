//! The tour's clients on the learner's server: plain Socket.IO clients
//! (rust_socketio, websocket), with none of the engine's private signals,
//! whose every event lands, labelled with the client's name, in one
//! channel that a step reads for a bounded time.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::FutureExt as _;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::timeout;

use crate::client::{Inbound, args_of, connect_error_message};

/// Everything every probe received, in the order it came, with its name.
pub type Arrivals = mpsc::UnboundedReceiver<(String, Inbound)>;

/// The clients of one case, by name.
pub struct Probes {
    url: String,
    clients: BTreeMap<String, Client>,
    tx: mpsc::UnboundedSender<(String, Inbound)>,
    pub arrivals: Arrivals,
}

/// How a connect ended, as the client saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Admitted {
    Yes,
    /// `connect_error`, with its message.
    Refused(String),
    /// Neither came within the bound.
    NoAnswer,
}

impl Probes {
    pub fn new(url: &str) -> Probes {
        let (tx, arrivals) = mpsc::unbounded_channel();
        Probes {
            url: url.trim_end_matches('/').to_owned(),
            clients: BTreeMap::new(),
            tx,
            arrivals,
        }
    }

    /// Connects `name` to `ns` with `auth`; waits (within `bound`) for the
    /// server's CONNECT or `connect_error`. Every event that comes meanwhile
    /// or later, this client's own after its admission too, is read from
    /// [`Probes::arrivals`].
    pub async fn connect(
        &mut self,
        name: &str,
        ns: &str,
        auth: Value,
        bound: Duration,
    ) -> anyhow::Result<Admitted> {
        let (own_tx, mut own) = mpsc::unbounded_channel();
        let mut builder = ClientBuilder::new(self.url.as_str())
            .namespace(ns)
            .auth(auth)
            .transport_type(TransportType::Websocket)
            .reconnect(false);
        for (kind, wrap) in [
            (Event::Error, Inbound::Error as fn(Vec<Value>) -> Inbound),
            (Event::Connect, Inbound::Open),
            (Event::Close, Inbound::Close),
        ] {
            let own_tx = own_tx.clone();
            builder = builder.on(kind, move |payload, _| {
                let _ = own_tx.send(wrap(args_of(payload)));
                async {}.boxed()
            });
        }
        let (tx, label) = (self.tx.clone(), name.to_owned());
        let builder = builder.on_any(move |event, payload, _| {
            let args = args_of(payload);
            let inbound = match event {
                Event::Custom(name) => Inbound::Custom(name, args),
                _ => Inbound::Message(args),
            };
            // The probes outlive no step that reads them.
            let _ = tx.send((label.clone(), inbound));
            async {}.boxed()
        });
        let client = match timeout(bound, builder.connect()).await {
            Ok(client) => client.with_context(|| {
                format!(
                    "could not open a Socket.IO connection to {} (is it a Socket.IO server, \
                     serving /socket.io/?)",
                    self.url
                )
            })?,
            Err(_) => bail!("opening a connection to {} took over {bound:?}", self.url),
        };
        let started = Instant::now();
        let admitted = loop {
            let left = bound.saturating_sub(started.elapsed());
            match timeout(left, own.recv()).await {
                Ok(Some(Inbound::Open(_))) => break Admitted::Yes,
                Ok(Some(Inbound::Error(args))) => {
                    break Admitted::Refused(connect_error_message(&args));
                }
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => break Admitted::NoAnswer,
            };
        };
        // Its later closes and errors go to the shared channel too.
        let (tx, label) = (self.tx.clone(), name.to_owned());
        tokio::spawn(async move {
            while let Some(inbound) = own.recv().await {
                if tx.send((label.clone(), inbound)).is_err() {
                    break;
                }
            }
        });
        if admitted == Admitted::Yes {
            self.clients.insert(name.to_owned(), client);
        } else {
            // Refused or silent: nothing more to hear from it.
            let _ = timeout(bound, client.disconnect()).await;
        }
        Ok(admitted)
    }

    pub fn is_connected(&self, name: &str) -> bool {
        self.clients.contains_key(name)
    }

    /// `name`'s client emits, with an acknowledgement callback when `ack`.
    pub async fn emit(
        &self,
        name: &str,
        event: &str,
        args: &[Value],
        ack: bool,
        bound: Duration,
    ) -> anyhow::Result<()> {
        let Some(client) = self.clients.get(name) else {
            bail!("client {name} is not connected");
        };
        let payload = Payload::Text(args.to_vec());
        let event = Event::Custom(event.to_owned());
        let sending = async {
            if ack {
                let (tx, label) = (self.tx.clone(), name.to_owned());
                client
                    .emit_with_ack(event, payload, bound, move |payload, _| {
                        let args = match args_of(payload).as_slice() {
                            [Value::Array(args)] => args.clone(),
                            other => other.to_vec(),
                        };
                        let _ = tx.send((label.clone(), Inbound::Ack(args)));
                        async {}.boxed()
                    })
                    .await
            } else {
                client.emit(event, payload).await
            }
        };
        match timeout(bound, sending).await {
            Ok(sent) => sent.with_context(|| format!("{name} could not emit")),
            Err(_) => bail!("{name}'s emit took over {bound:?}"),
        }
    }

    /// `name`'s client disconnects itself.
    pub async fn disconnect(&mut self, name: &str, bound: Duration) -> anyhow::Result<()> {
        let Some(client) = self.clients.remove(name) else {
            bail!("client {name} is not connected");
        };
        match timeout(bound, client.disconnect()).await {
            Ok(done) => done.with_context(|| format!("{name} could not disconnect")),
            Err(_) => bail!("{name}'s disconnect took over {bound:?}"),
        }
    }

    /// Every client disconnects (best effort, bounded).
    pub async fn close_all(&mut self, bound: Duration) {
        let clients = std::mem::take(&mut self.clients);
        let _ = timeout(
            bound,
            futures_util::future::join_all(clients.values().map(Client::disconnect)),
        )
        .await;
    }
}
