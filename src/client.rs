//! A simulated client: one rust_socketio connection to the embedded server,
//! whose every incoming event lands, in order, in an inbox the engine reads.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, anyhow, bail};
use futures_util::FutureExt as _;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::Value;
use tokio::sync::Notify;
use tokio::time::timeout;

use crate::protocol::{
    CLIENT_HEADER, SECRET_HEADER, SYNC_EVENT, WAIT_BOUND, WELCOME_EVENT, client_secret, wait_bound,
};
use crate::server::ORDER_HEADER;

/// An event as rust_socketio reported it. rust_socketio maps the names
/// `message`, `error`, `open` and `close` (in any case) to its own kinds,
/// and an event with no argument to `Message`; the engine decodes these in
/// the context of the step (see [`decode`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    Custom(String, Vec<Value>),
    Message(Vec<Value>),
    Error(Vec<Value>),
    Open(Vec<Value>),
    Close(Vec<Value>),
    /// The server's answer to this client's acknowledgement callback.
    Ack(Vec<Value>),
}

/// How a connection attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    Admitted,
    /// Refused, with the `connect_error` message.
    Rejected(String),
}

pub struct SimClient {
    client: Client,
    /// Shared with the client's callbacks, which push into it.
    inbox: Arc<Inbox>,
    /// Events that arrived before the welcome (a connection handler's
    /// emits), read before the inbox.
    early: VecDeque<Inbound>,
    /// `NAME> on "EVENT": callback(…)` (v3): the answer to each event
    /// with which the server asks this client for an acknowledgement.
    listeners: Listeners,
}

/// A client's listeners that answer the server's acknowledgements: the
/// answer to each event.
pub type Listeners = std::collections::BTreeMap<String, Vec<crate::script::Arg<Value>>>;

/// What a client's callbacks received, in order, until the engine reads it.
/// Not a tokio mpsc channel: that allocates a block of 32 slots (about
/// 2 KB) per client up front, a few MB at scale for queues that hold an
/// event or two; this one grows with what arrives. Callbacks never wait.
#[derive(Default)]
struct Inbox {
    queue: Mutex<VecDeque<Inbound>>,
    arrived: Notify,
}

impl Inbox {
    fn push(&self, event: Inbound) {
        self.queue().push_back(event);
        // Stores a permit when nobody waits yet, so no arrival is missed.
        self.arrived.notify_one();
    }

    async fn pop(&self) -> Inbound {
        loop {
            if let Some(event) = self.queue().pop_front() {
                return event;
            }
            self.arrived.notified().await;
        }
    }

    /// The queue, even if a callback panicked holding it: a push or a pop
    /// leaves it consistent.
    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<Inbound>> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(crate) fn args_of(payload: Payload) -> Vec<Value> {
    match payload {
        Payload::Text(values) => values,
        #[allow(deprecated)]
        Payload::String(text) => vec![Value::String(text)],
        // Nothing in a tour sends binary; show it rather than drop it.
        Payload::Binary(bytes) => vec![Value::String(format!("<{} bytes of binary>", bytes.len()))],
    }
}

impl SimClient {
    /// Opens `name`'s websocket connection to `ns` on the server at `url`,
    /// with `auth`, and waits until the server admits or refuses it.
    pub async fn connect(
        url: &str,
        name: &str,
        ns: &str,
        auth: Value,
    ) -> anyhow::Result<(SimClient, Admission)> {
        SimClient::connect_in_order(url, name, ns, auth, None).await
    }

    /// [`SimClient::connect`], telling the server the client's place in the
    /// script's order of connections (`order`): several clients connect at
    /// once, but the official server, connecting them one by one, orders
    /// its sockets by the script.
    pub async fn connect_in_order(
        url: &str,
        name: &str,
        ns: &str,
        auth: Value,
        order: Option<u64>,
    ) -> anyhow::Result<(SimClient, Admission)> {
        let inbox = Arc::new(Inbox::default());
        let mut builder = ClientBuilder::new(url)
            .namespace(ns)
            .opening_header(CLIENT_HEADER, name)
            .opening_header(SECRET_HEADER, client_secret());
        if let Some(order) = order {
            builder = builder.opening_header(ORDER_HEADER, order.to_string());
        }
        let mut builder = builder
            .auth(auth)
            .transport_type(TransportType::Websocket)
            // On by default, and it would retry after a rejection or a disconnect.
            .reconnect(false);
        for (kind, wrap) in [
            (Event::Error, Inbound::Error as fn(Vec<Value>) -> Inbound),
            (Event::Connect, Inbound::Open),
            (Event::Close, Inbound::Close),
        ] {
            let inbox = inbox.clone();
            builder = builder.on(kind, move |payload, _| {
                inbox.push(wrap(args_of(payload)));
                async {}.boxed()
            });
        }
        let callbacks = inbox.clone();
        let builder = builder.on_any(move |event, payload, _| {
            let args = args_of(payload);
            callbacks.push(match event {
                Event::Custom(name) => Inbound::Custom(name, args),
                _ => Inbound::Message(args),
            });
            async {}.boxed()
        });
        let client = match timeout(WAIT_BOUND, builder.connect()).await {
            Ok(client) => {
                client.with_context(|| format!("could not open a connection to {url}"))?
            }
            Err(_) => bail!("opening a connection to {url} took over {}", wait_bound()),
        };
        let mut sim = SimClient {
            client,
            inbox,
            early: VecDeque::new(),
            listeners: Default::default(),
        };
        let admission = sim.admission().await?;
        Ok((sim, admission))
    }

    /// `connect()` returns before the server admits the socket: wait for the
    /// welcome the server sends last, or for the `connect_error`.
    async fn admission(&mut self) -> anyhow::Result<Admission> {
        loop {
            match self.next().await? {
                Inbound::Custom(name, _) if name == WELCOME_EVENT => {
                    return Ok(Admission::Admitted);
                }
                Inbound::Error(args) => {
                    return Ok(Admission::Rejected(connect_error_message(&args)));
                }
                Inbound::Open(_) => continue,
                // The connection handler's own emits come before the welcome.
                other => self.early.push_back(other),
            }
        }
    }

    /// The next inbound event, within the wait bound.
    pub async fn next(&mut self) -> anyhow::Result<Inbound> {
        if let Some(event) = self.early.pop_front() {
            return Ok(event);
        }
        timeout(WAIT_BOUND, self.inbox.pop())
            .await
            .map_err(|_| anyhow!("nothing arrived within {}", wait_bound()))
    }

    /// Everything received before the sync event `seq`: on one server its
    /// one marker (`servers` is `None`); on a cluster, the marker of every
    /// server in `servers` (each labelled with its server), in order. The
    /// flag says the server disconnected the client first (its DISCONNECT
    /// packet came before the last marker: on a cluster, a request another
    /// server published during the step), which ends the wait, unless
    /// `closes` is false (rust_socketio reports an event `close` with the
    /// argument `""` as that packet: a step that emitted one says so).
    pub async fn until_syncs(
        &mut self,
        seq: u64,
        servers: Option<BTreeSet<String>>,
        closes: bool,
    ) -> anyhow::Result<(Vec<Inbound>, bool)> {
        let mut got = Vec::new();
        let mut expected = servers.unwrap_or_else(|| BTreeSet::from([String::new()]));
        while !expected.is_empty() {
            match self.next().await? {
                Inbound::Close(args) if closes && is_disconnect_packet(&args) => {
                    return Ok((got, true));
                }
                Inbound::Custom(name, args) if name == SYNC_EVENT => {
                    let label = match args.get(1) {
                        Some(Value::String(label)) => label.clone(),
                        _ => String::new(),
                    };
                    if args.first().and_then(Value::as_u64) != Some(seq) {
                        bail!("sync {seq} expected, got {args:?}");
                    }
                    if !expected.remove(&label) {
                        bail!("sync {seq} from server {label:?} came twice or unexpectedly");
                    }
                }
                other => got.push(other),
            }
        }
        Ok((got, false))
    }

    /// Waits for the server's DISCONNECT packet, returning what came before.
    pub async fn until_closed(&mut self) -> anyhow::Result<Vec<Inbound>> {
        let mut got = Vec::new();
        loop {
            match self.next().await? {
                Inbound::Close(args) if is_disconnect_packet(&args) => return Ok(got),
                other => got.push(other),
            }
        }
    }

    /// Emits an event to the server, each argument a separate Socket.IO argument.
    pub async fn emit(&self, event: &str, args: &[Value]) -> anyhow::Result<()> {
        // Values, never `&str`: rust_socketio would parse a string as JSON.
        let sending = self
            .client
            .emit(outgoing_event(event), Payload::Text(args.to_vec()));
        match timeout(WAIT_BOUND, sending).await {
            Ok(sent) => sent.with_context(|| format!("could not emit {event:?}")),
            Err(_) => bail!("emitting {event:?} took over {}", wait_bound()),
        }
    }

    /// Emits with an acknowledgement callback as the last argument; what
    /// the server answers arrives in the inbox as [`Inbound::Ack`], in order
    /// with the events (no answer at all is decided by the step's sync).
    pub async fn emit_with_ack(&self, event: &str, args: &[Value]) -> anyhow::Result<()> {
        let inbox = self.inbox.clone();
        let sending = self.client.emit_with_ack(
            outgoing_event(event),
            Payload::Text(args.to_vec()),
            WAIT_BOUND,
            move |payload, _| {
                // rust_socketio hands the answer's arguments as one JSON array.
                let args = match args_of(payload).as_slice() {
                    [Value::Array(args)] => args.clone(),
                    other => other.to_vec(),
                };
                // The server's release of an ack no handler answered: no answer.
                if args != [Value::from(crate::protocol::UNANSWERED)] {
                    inbox.push(Inbound::Ack(args));
                }
                async {}.boxed()
            },
        );
        match timeout(WAIT_BOUND, sending).await {
            Ok(sent) => sent.with_context(|| format!("could not emit {event:?}")),
            Err(_) => bail!("emitting {event:?} took over {}", wait_bound()),
        }
    }

    /// `on "EVENT": callback(ANSWER…)`: from now on this client answers
    /// the server's acknowledgements for EVENT (a later one replaces it).
    pub fn listen(&mut self, event: &str, answer: Vec<crate::script::Arg<Value>>) {
        self.listeners.insert(event.to_owned(), answer);
    }

    /// The client's listeners, kept when its connection is lost: the
    /// JavaScript client object that reconnects still has them.
    pub fn take_listeners(&mut self) -> Listeners {
        std::mem::take(&mut self.listeners)
    }

    /// Listeners kept from the client's lost connection.
    pub fn restore_listeners(&mut self, listeners: Listeners) {
        self.listeners = listeners;
    }

    /// What this client's listener answers to `event` received with
    /// `args`, if it has one (`msg` = the first argument).
    pub fn answer_to(&self, event: &str, args: &[Value]) -> Option<Vec<Value>> {
        let answer = self.listeners.get(event)?;
        let msg = args.first().cloned().unwrap_or(Value::Null);
        Some(crate::script::answer_args(answer, &msg))
    }

    /// Sends the answer to the server's acknowledgement for `event`, over
    /// the engine's private event (rust_socketio sends no ACK packet for
    /// an event the server emitted).
    pub async fn answer(&self, event: &str, args: &[Value]) -> anyhow::Result<()> {
        let answer = serde_json::json!({ "event": event, "args": args });
        self.emit(crate::protocol::ANSWER_EVENT, &[answer]).await
    }

    /// Client-side `socket.disconnect()`: sends DISCONNECT and closes.
    pub async fn disconnect(&self) -> anyhow::Result<()> {
        match timeout(WAIT_BOUND, self.client.disconnect()).await {
            Ok(result) => result.context("could not disconnect"),
            Err(_) => bail!("disconnecting took over {}", wait_bound()),
        }
    }
}

/// The event to hand rust_socketio for sending `name` exactly as written.
/// Its `From<&str>` lower-cases `message`/`error`/`open`/`close` into its own
/// kinds and sends `open` as `"connect"` (and `Message` as `"message"`); a
/// JavaScript client sends the name it is given, so always send a custom event.
fn outgoing_event(name: &str) -> Event {
    Event::Custom(name.to_owned())
}

/// rust_socketio reports a DISCONNECT packet as `Close` with an empty string.
fn is_disconnect_packet(args: &[Value]) -> bool {
    args == [Value::String(String::new())]
}

/// The message of a `connect_error`, from rust_socketio's error text
/// `Received an ConnectError frame: {"message":"unauthorized"}`.
pub(crate) fn connect_error_message(args: &[Value]) -> String {
    let text = args.first().and_then(Value::as_str).unwrap_or_default();
    let json = text.find('{').map(|i| &text[i..]).unwrap_or(text);
    serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| text.to_owned())
}

/// An event as the JavaScript client would name it, decoded from what
/// rust_socketio reported, knowing that the step emitted `emitted` (event
/// name and arguments). rust_socketio loses two facts on the way: the case
/// and name of `message`/`error`/`open`/`close`, and whether an event had
/// no argument (`["both"]` comes as `Message(["both"])`).
pub fn decode(inbound: &Inbound, emitted: Option<(&str, &[Value])>) -> (String, Vec<Value>) {
    let (kind, args) = match inbound {
        Inbound::Custom(name, args) => return (name.clone(), args.clone()),
        Inbound::Message(args) => ("message", args),
        Inbound::Error(args) => ("error", args),
        Inbound::Open(args) => ("open", args),
        Inbound::Close(args) => ("close", args),
        Inbound::Ack(args) => ("ack", args),
    };
    if let Some((event, sent)) = emitted {
        let alone = matches!(inbound, Inbound::Message(a) if sent.is_empty() && a.len() == 1 && a[0] == Value::String(event.to_owned()));
        if alone {
            return (event.to_owned(), Vec::new());
        }
        if event.eq_ignore_ascii_case(kind) {
            return (event.to_owned(), args.clone());
        }
    }
    (kind.to_owned(), args.clone())
}

/// [`decode`], knowing every event the step emitted: the first that
/// explains what rust_socketio reported wins.
pub fn decode_any(inbound: &Inbound, emitted: &[(String, Vec<Value>)]) -> (String, Vec<Value>) {
    let plain = decode(inbound, None);
    emitted
        .iter()
        .map(|(event, args)| decode(inbound, Some((event, args))))
        .find(|decoded| *decoded != plain)
        .unwrap_or(plain)
}

#[cfg(test)]
mod tests {
    //! Decoding rust_socketio's lossy view of events back to Socket.IO's.
    use super::*;
    use serde_json::json;

    #[test]
    fn an_event_without_arguments_is_not_a_message() {
        let got = Inbound::Message(vec![json!("both")]);
        assert_eq!(
            decode(&got, Some(("both", &[]))),
            ("both".to_owned(), vec![])
        );
    }

    #[test]
    fn a_message_event_with_one_argument_stays_a_message() {
        let got = Inbound::Message(vec![json!("both")]);
        let sent = [json!("both")];
        assert_eq!(
            decode(&got, Some(("message", &sent))),
            ("message".to_owned(), vec![json!("both")])
        );
    }

    #[test]
    fn built_in_names_keep_their_case() {
        let got = Inbound::Error(vec![json!(1)]);
        let sent = [json!(1)];
        assert_eq!(
            decode(&got, Some(("Error", &sent))),
            ("Error".to_owned(), vec![json!(1)])
        );
    }

    #[test]
    fn emitted_names_are_sent_as_written() {
        for name in [
            "open", "Open", "Message", "message", "ERROR", "close", "chat",
        ] {
            assert_eq!(outgoing_event(name).to_string(), name);
        }
    }

    #[test]
    fn connect_error_message_is_extracted() {
        let args = [json!(
            "Received an ConnectError frame: {\"message\":\"unauthorized\"}"
        )];
        assert_eq!(connect_error_message(&args), "unauthorized");
    }
}
