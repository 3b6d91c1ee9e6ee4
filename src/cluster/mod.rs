//! Several embedded socketioxide servers in one process, each on its own
//! loopback port, sharing nothing or sharing a socketioxide-redis adapter
//! (over an in-process bus or a real Redis), with exact observation of who
//! received what after each step.
//!
//! # Observing a step across servers
//! On one server the engine closes a step with a private sync event sent to
//! every socket: each connection delivers in order, so what a client got
//! before it is what the step sent it. Across servers that is not enough:
//! an adapter `emit().await` returns once the request is *published*, and
//! the other servers apply it later, each from its own subscription. A sync
//! sent straight to B's sockets could overtake a packet that A published
//! for them a moment earlier.
//!
//! So [`Cluster::sync`] sends the marker *through the same path as the
//! step*: every server broadcasts `io.of(ns).emit(SYNC, [seq, label])` in
//! every namespace, and a step is over for a client once it has the marker
//! of every server whose broadcasts can reach it (every server when the bus
//! is shared, its own otherwise). Why that cannot race:
//! - A server publishes the step's requests and then its marker on the same
//!   namespace channel (`{prefix}-request#{ns}#`), one awaited publish after
//!   the other.
//! - Each channel is first-in first-out from one publisher to one
//!   subscriber. In-process: [`driver::InProcessDriver::publish`] queues to
//!   every subscriber before returning, into FIFO queues. Redis: both
//!   publishes go over the server's one multiplexed connection in order,
//!   Redis runs one connection's commands in order and appends each PUBLISH
//!   to the subscribers' output buffers at once, and the receiving driver
//!   hands each push message, in the order read, to the channel's queue
//!   (socketioxide-redis `drivers/redis.rs`, redis `PipelineSink::send_result`).
//! - The receiving adapter reads that queue in one task and applies each
//!   request before reading the next (socketioxide-redis `pipe_stream`,
//!   socketioxide-core `RemoteRequestHandler::recv_req`: broadcast, join,
//!   leave and disconnect are applied inline), so the step's packets are
//!   queued on B's sockets before A's marker is.
//! - Each socket's packets leave in the order they were queued, over one
//!   websocket.
//!
//! A marker emitted by B itself reaches B's sockets at once, possibly ahead
//! of A's packets; waiting for *every* server's marker is what covers them.
//! A request that targets nobody on a server (no socket of that namespace
//! there) changes nothing that any client could observe, so no client has
//! to witness it.

pub mod driver;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{Context as _, anyhow, bail};
use serde::Serialize;
use serde_json::Value;
use socketioxide::adapter::{Adapter, Emitter, LocalAdapter};
use socketioxide::extract::{Event, SocketRef, TryData};
use socketioxide::operators::BroadcastOperators;
use socketioxide::socket::DisconnectReason;
use socketioxide::{BroadcastError, SocketIo};
use socketioxide_core::adapter::DefinedAdapter;
use socketioxide_redis::drivers::Driver;
use socketioxide_redis::drivers::redis::redis_client;
use socketioxide_redis::{CustomRedisAdapter, RedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::timeout;

use crate::client::{Admission, Inbound, SimClient, WAIT_BOUND};
use crate::script::{
    Arg, BroadcastAction, ENGINE_EVENT_PREFIX, Expr, Scope, SocketAction, is_reserved,
};
use crate::server::{CLIENT_HEADER, Handled, Notice, SYNC_EVENT, WELCOME_EVENT};

use driver::{InProcessBus, InProcessDriver};

/// What the servers of a cluster share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bus {
    /// Nothing: socketioxide's default local adapter on each server.
    None,
    /// The socketioxide-redis adapter over a bus inside this process.
    InProcess,
    /// The socketioxide-redis adapter over a real Redis (7 or newer) at this
    /// URL. RESP3 is required: the URL needs `?protocol=resp3`.
    Redis(String),
}

impl Bus {
    /// A sentence saying what the servers share, for the transcript.
    pub fn describe(&self) -> String {
        match self {
            Bus::None => "no adapter: the servers share nothing".to_owned(),
            Bus::InProcess => {
                "the Redis adapter (socketioxide-redis) over an in-process bus, no Redis server"
                    .to_owned()
            }
            Bus::Redis(url) => format!("the Redis adapter (socketioxide-redis) on Redis at {url}"),
        }
    }

    /// Whether a broadcast on one server reaches the sockets of the others.
    pub fn is_shared(&self) -> bool {
        !matches!(self, Bus::None)
    }
}

/// Who performs a server-side expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// `io.…` on the server with this label.
    Server(&'a str),
    /// `socket.…` (or `io.…` inside a handler) on the server this client is on.
    Client(&'a str),
}

/// A connected client of the cluster.
struct Member {
    server: String,
    client: SimClient,
}

/// N servers and their clients. Dropping it without [`Cluster::shutdown`]
/// aborts the servers' tasks.
pub struct Cluster {
    bus: Bus,
    nodes: Nodes,
    members: BTreeMap<String, Member>,
    notices: mpsc::UnboundedReceiver<Notice>,
    /// Notices that arrived while waiting for another one, oldest first.
    pending: Vec<Notice>,
    seq: u64,
}

type InProcessAdapter = CustomRedisAdapter<Emitter, InProcessDriver>;

/// The servers, typed by their adapter.
enum Nodes {
    Local(Vec<Node<LocalAdapter>>),
    InProcess(Vec<Node<InProcessAdapter>>),
    Redis(Vec<Node<RedisAdapter<Emitter>>>),
}

/// Runs `$body` with `$nodes` bound to the servers, whatever their adapter.
macro_rules! with_nodes {
    ($cluster_nodes:expr, |$nodes:ident| $body:expr) => {
        match $cluster_nodes {
            Nodes::Local($nodes) => $body,
            Nodes::InProcess($nodes) => $body,
            Nodes::Redis($nodes) => $body,
        }
    };
}

impl Cluster {
    /// Starts one server per label (each on `127.0.0.1:0`), every one with
    /// `/` and `namespaces`, sharing `bus`.
    pub async fn start(
        bus: Bus,
        labels: &[&str],
        namespaces: &BTreeSet<String>,
    ) -> anyhow::Result<Cluster> {
        let distinct: BTreeSet<&&str> = labels.iter().collect();
        if labels.is_empty() || distinct.len() != labels.len() {
            bail!("a cluster needs one or more servers with distinct labels, got {labels:?}");
        }
        let mut all = namespaces.clone();
        // socketioxide creates no `/` by itself; the official server always has it.
        all.insert("/".to_owned());
        let (tx, notices) = mpsc::unbounded_channel();
        let nodes = match &bus {
            Bus::None => {
                let mut nodes = Vec::new();
                for label in labels {
                    let built = SocketIo::builder().build_layer();
                    nodes.push(Node::start(label, built, &all, tx.clone()).await?);
                }
                Nodes::Local(nodes)
            }
            Bus::InProcess => {
                let shared = InProcessBus::new();
                let config = adapter_config();
                let mut nodes = Vec::new();
                for label in labels {
                    let ctr = RedisAdapterCtr::new_with_driver(shared.driver(), config.clone());
                    let built = SocketIo::builder()
                        .with_adapter::<InProcessAdapter>(ctr)
                        .build_layer();
                    nodes.push(Node::start(label, built, &all, tx.clone()).await?);
                }
                Nodes::InProcess(nodes)
            }
            Bus::Redis(url) => {
                let config = adapter_config();
                let mut nodes = Vec::new();
                for label in labels {
                    // One connection per server, as separate processes would have.
                    let ctr = redis_adapter(url, config.clone())
                        .await
                        .with_context(|| format!("server {label}: connecting to Redis at {url}"))?;
                    let built = SocketIo::builder()
                        .with_adapter::<RedisAdapter<Emitter>>(ctr)
                        .build_layer();
                    nodes.push(Node::start(label, built, &all, tx.clone()).await?);
                }
                Nodes::Redis(nodes)
            }
        };
        Ok(Cluster {
            bus,
            nodes,
            members: BTreeMap::new(),
            notices,
            pending: Vec::new(),
            seq: 0,
        })
    }

    /// What the servers share.
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// The servers' labels, in the order they were started.
    pub fn servers(&self) -> Vec<String> {
        with_nodes!(&self.nodes, |nodes| nodes
            .iter()
            .map(|n| n.shared.label.clone())
            .collect())
    }

    /// The URL clients of server `label` connect to.
    pub fn url(&self, label: &str) -> Option<String> {
        with_nodes!(&self.nodes, |nodes| nodes
            .iter()
            .find(|n| n.shared.label == label)
            .map(|n| format!("http://{}", n.addr)))
    }

    /// The label of the server `client` is connected to.
    pub fn server_of(&self, client: &str) -> Option<&str> {
        self.members.get(client).map(|m| m.server.as_str())
    }

    /// Every connected client: its server, namespace and rooms (without its
    /// own-id room), as the servers know them.
    pub fn rooms(&self) -> BTreeMap<String, (String, String, BTreeSet<String>)> {
        with_nodes!(&self.nodes, |nodes| nodes
            .iter()
            .flat_map(|n| {
                lock(&n.shared.sockets)
                    .iter()
                    .map(|(name, socket)| {
                        let place = (n.shared.label.clone(), socket.ns().to_owned());
                        (name.clone(), (place.0, place.1, rooms_of(socket)))
                    })
                    .collect::<Vec<_>>()
            })
            .collect())
    }

    /// Opens `client`'s connection to `ns` on server `label` and waits until
    /// that server admits or refuses it. An admitted client is observed by
    /// every later [`Cluster::sync`].
    pub async fn connect(
        &mut self,
        client: &str,
        label: &str,
        ns: &str,
        auth: Value,
    ) -> anyhow::Result<Admission> {
        if self.members.contains_key(client) {
            bail!("client {client} is already connected");
        }
        let url = self
            .url(label)
            .ok_or_else(|| anyhow!("no server is labelled {label}"))?;
        let (sim, admission) = SimClient::connect(&url, client, ns, auth)
            .await
            .with_context(|| format!("connecting {client} to server {label}"))?;
        if admission == Admission::Admitted {
            self.members.insert(
                client.to_owned(),
                Member {
                    server: label.to_owned(),
                    client: sim,
                },
            );
        } else {
            // Its connection stays open after a refusal; close it.
            sim.disconnect().await.ok();
        }
        Ok(admission)
    }

    /// Sets (or replaces) the handler of `event` in `ns`, on every server.
    pub fn set_handler(&self, ns: &str, event: &str, action: Expr) {
        with_nodes!(&self.nodes, |nodes| for node in nodes {
            lock(&node.shared.handlers).insert((ns.to_owned(), event.to_owned()), action.clone());
        })
    }

    /// Runs a server-side expression as `actor`. An `Err` is the script's
    /// error (as the official server would throw it), not the cluster's.
    pub async fn perform(&self, actor: Actor<'_>, expr: &Expr) -> Result<(), String> {
        let (label, client) = match actor {
            Actor::Server(label) => (label, None),
            Actor::Client(name) => {
                let label = self
                    .server_of(name)
                    .ok_or_else(|| format!("client {name} is not connected"))?;
                (label, Some(name))
            }
        };
        with_nodes!(&self.nodes, |nodes| {
            let node = nodes
                .iter()
                .find(|n| n.shared.label == label)
                .ok_or_else(|| format!("no server is labelled {label}"))?;
            let socket = match client {
                Some(name) => Some(
                    lock(&node.shared.sockets)
                        .get(name)
                        .cloned()
                        .ok_or_else(|| format!("server {label} has no socket for {name}"))?,
                ),
                None => None,
            };
            bounded(perform(&node.io, socket.as_ref(), expr)).await
        })
    }

    /// `NAME> socket.emit(event, …args)`: the client emits, and this waits
    /// until its server's handler (if any) has finished.
    pub async fn client_emit(
        &mut self,
        client: &str,
        event: &str,
        args: &[Value],
    ) -> anyhow::Result<Handled> {
        let member = self
            .members
            .get(client)
            .ok_or_else(|| anyhow!("client {client} is not connected"))?;
        member.client.emit(event, args).await?;
        loop {
            let notice = match timeout(WAIT_BOUND, self.notices.recv()).await {
                Ok(Some(notice)) => notice,
                Ok(None) => bail!("the servers stopped while {client}'s event was handled"),
                Err(_) => bail!(
                    "waited {} s for the server to handle {client}'s {event:?}",
                    WAIT_BOUND.as_secs()
                ),
            };
            match notice {
                Notice::Handled { name, outcome } if name == client => return Ok(outcome),
                other => self.pending.push(other),
            }
        }
    }

    /// The servers' notices (connections, disconnections) not yet taken.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        while let Ok(notice) = self.notices.try_recv() {
            self.pending.push(notice);
        }
        std::mem::take(&mut self.pending)
    }

    /// Closes a step: sends the sync marker from every server through the
    /// adapter (see the module comment for why this cannot race) and returns
    /// what each connected client received before it, in order. A client
    /// the step disconnected ends with its `Close` and leaves the cluster.
    pub async fn sync(&mut self) -> anyhow::Result<BTreeMap<String, Vec<Inbound>>> {
        self.seq += 1;
        let seq = self.seq;
        let labels = self.servers();
        with_nodes!(&self.nodes, |nodes| for node in nodes {
            node.broadcast_sync(seq).await?;
        });
        let shared = self.bus.is_shared();
        let waits = self.members.iter_mut().map(|(name, member)| {
            let expected: BTreeSet<String> = if shared {
                labels.iter().cloned().collect()
            } else {
                BTreeSet::from([member.server.clone()])
            };
            async move {
                let got = until_synced(&mut member.client, seq, expected)
                    .await
                    .with_context(|| format!("waiting for {name} to see sync {seq}"))?;
                anyhow::Ok((name.clone(), got))
            }
        });
        let observed: BTreeMap<String, (Vec<Inbound>, bool)> =
            futures_util::future::try_join_all(waits)
                .await?
                .into_iter()
                .collect();
        let mut out = BTreeMap::new();
        for (name, (events, closed)) in observed {
            if closed && let Some(member) = self.members.remove(&name) {
                // Close its transport too; its server already let go.
                member.client.disconnect().await.ok();
            }
            out.insert(name, events);
        }
        Ok(out)
    }

    /// Disconnects every client, then stops every server and waits for it.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let members = std::mem::take(&mut self.members);
        // Best effort, each bounded: the servers close whatever a client did not.
        let _ =
            futures_util::future::join_all(members.values().map(|m| m.client.disconnect())).await;
        let nodes = std::mem::replace(&mut self.nodes, Nodes::Local(Vec::new()));
        let mut first_error = None;
        with_nodes!(nodes, |nodes| for node in nodes {
            if let Err(e) = node.shutdown().await {
                first_error.get_or_insert(e);
            }
        });
        first_error.map_or(Ok(()), Err)
    }
}

/// Channels named for this cluster alone, so that two runs sharing one
/// Redis never hear each other.
fn adapter_config() -> RedisAdapterConfig {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    RedisAdapterConfig::new()
        .with_prefix(format!("sockets-tour-{}-{run}-{nanos}", std::process::id()))
}

/// A Redis adapter constructor on its own connection to `url`.
async fn redis_adapter(
    url: &str,
    config: RedisAdapterConfig,
) -> anyhow::Result<RedisAdapterCtr<socketioxide_redis::drivers::redis::RedisDriver>> {
    let client = redis_client::Client::open(url).context("the Redis URL is not valid")?;
    let connecting = RedisAdapterCtr::new_with_redis_config(&client, config);
    match timeout(WAIT_BOUND, connecting).await {
        Ok(Ok(ctr)) => Ok(ctr),
        Ok(Err(e)) if e.to_string().contains("RESP3") => Err(anyhow!(
            "{e}: the adapter needs Redis 7 or newer with RESP3; add ?protocol=resp3 to the URL"
        )),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => bail!("no answer from Redis within {} s", WAIT_BOUND.as_secs()),
    }
}

/// Reads `client`'s events until it has seen sync `seq` from every server
/// in `expected`, or the server closed it. Returns the events before the
/// last marker, in order, and whether the client was closed.
async fn until_synced(
    client: &mut SimClient,
    seq: u64,
    mut expected: BTreeSet<String>,
) -> anyhow::Result<(Vec<Inbound>, bool)> {
    let mut got = Vec::new();
    while !expected.is_empty() {
        match client.next().await? {
            Inbound::Custom(name, args) if name == SYNC_EVENT => {
                let marker = (args.first().and_then(Value::as_u64), args.get(1));
                match marker {
                    (Some(s), Some(Value::String(label))) if s == seq => {
                        if !expected.remove(label) {
                            bail!("sync {seq} from server {label} came twice or unexpectedly");
                        }
                    }
                    _ => bail!("sync {seq} expected, got {args:?}"),
                }
            }
            // The server's DISCONNECT: nothing more will reach this client.
            Inbound::Close(args) if args == [Value::String(String::new())] => {
                got.push(Inbound::Close(args));
                return Ok((got, true));
            }
            other => got.push(other),
        }
    }
    Ok((got, false))
}

/// What a server's handlers share with the cluster.
struct Shared<A: Adapter> {
    label: String,
    /// `(namespace, event)` → the `on` handler's action.
    handlers: Mutex<HashMap<(String, String), Expr>>,
    /// Every admitted, still connected socket on this server, by client name.
    sockets: Mutex<BTreeMap<String, SocketRef<A>>>,
    notices: mpsc::UnboundedSender<Notice>,
}

/// One server of the cluster.
struct Node<A: Adapter> {
    io: SocketIo<A>,
    addr: SocketAddr,
    shared: Arc<Shared<A>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Waits until a namespace's adapter is ready: the local adapter is at
/// once; the Redis adapter once it has subscribed to its channels.
trait AdapterReady {
    fn ready(self) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
}

impl AdapterReady for () {
    fn ready(self) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> {
        Box::pin(async { Ok(()) })
    }
}

impl<D: Driver> AdapterReady for socketioxide_redis::InitRes<D> {
    fn ready(self) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> {
        Box::pin(async move {
            self.await
                .map_err(|e| anyhow!("the adapter could not subscribe: {e}"))
        })
    }
}

impl<A: Adapter + DefinedAdapter> Node<A>
where
    A::InitRes: AdapterReady,
{
    /// Serves `io` on a fresh loopback port with `namespaces`.
    async fn start(
        label: &str,
        (layer, io): (socketioxide::layer::SocketIoLayer<A>, SocketIo<A>),
        namespaces: &BTreeSet<String>,
        notices: mpsc::UnboundedSender<Notice>,
    ) -> anyhow::Result<Node<A>> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .with_context(|| format!("server {label}: could not listen on a loopback port"))?;
        let addr = listener.local_addr().context("reading the server's port")?;
        let shared = Arc::new(Shared {
            label: label.to_owned(),
            handlers: Mutex::default(),
            sockets: Mutex::default(),
            notices,
        });
        for ns in namespaces {
            let on_connect = {
                let shared = shared.clone();
                move |socket: SocketRef<A>| on_connect(shared.clone(), socket)
            };
            let ready = io.ns(ns.clone(), on_connect).ready();
            timeout(WAIT_BOUND, ready)
                .await
                .map_err(|_| anyhow!("server {label}: namespace {ns} was not ready within 5 s"))?
                .with_context(|| format!("server {label}: namespace {ns}"))?;
        }
        let app = axum::Router::new().layer(layer);
        let listener = crate::net::QuickListener(listener);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender means the cluster is gone: stop too.
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Node {
            io,
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

impl<A: Adapter> Node<A> {
    /// Broadcasts sync `seq`, labelled with this server, in every namespace.
    async fn broadcast_sync(&self, seq: u64) -> anyhow::Result<()> {
        for op in self.io.nsps() {
            match op.emit(SYNC_EVENT, &(seq, &self.shared.label)).await {
                // A socket closing but not yet removed: the others got it.
                Ok(()) | Err(BroadcastError::Socket(_)) => {}
                Err(e) => bail!("server {}: sending sync {seq}: {e}", self.shared.label),
            }
        }
        Ok(())
    }

    async fn shutdown(mut self) -> anyhow::Result<()> {
        let label = self.shared.label.clone();
        // Graceful shutdown alone would leave websocket sessions alive.
        let closed = timeout(WAIT_BOUND, self.io.close()).await;
        lock(&self.shared.sockets).clear();
        if let Some(stop) = self.stop.take() {
            // The task may be gone already; nothing is left to stop then.
            let _ = stop.send(());
        }
        closed.map_err(|_| anyhow!("server {label}: closing its sockets took over 5 s"))?;
        if let Some(mut task) = self.task.take() {
            match timeout(WAIT_BOUND, &mut task).await {
                Ok(stopped) => stopped
                    .with_context(|| format!("server {label}: its task failed"))?
                    .with_context(|| format!("server {label}: stopped with an error"))?,
                Err(_) => {
                    task.abort();
                    bail!("server {label} still had open connections after 5 s")
                }
            }
        }
        Ok(())
    }
}

impl<A: Adapter> Drop for Node<A> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Locks a mutex, taking the data even if a handler panicked holding it:
/// every critical section here leaves the data consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A socket's rooms, without the room named after its own id.
fn rooms_of<A: Adapter>(socket: &SocketRef<A>) -> BTreeSet<String> {
    let own = socket.id.to_string();
    socket
        .rooms()
        .into_iter()
        .map(|r| r.into_owned())
        .filter(|r| *r != own)
        .collect()
}

/// The connection handler of every namespace of every server.
fn on_connect<A: Adapter>(
    shared: Arc<Shared<A>>,
    socket: SocketRef<A>,
) -> impl Future<Output = ()> {
    let name = client_name(&socket);
    // Socket.IO puts every socket in a room named after its id; socketioxide does not.
    socket.join(socket.id.to_string());
    {
        let shared = shared.clone();
        let name = name.clone();
        socket.on_fallback(
            move |io: SocketIo<A>,
                  socket: SocketRef<A>,
                  Event(event): Event,
                  TryData(first): TryData<Value>| {
                on_event(
                    shared.clone(),
                    io,
                    socket,
                    name.clone(),
                    event,
                    first.unwrap_or(Value::Null),
                )
            },
        );
    }
    {
        let shared = shared.clone();
        let name = name.clone();
        socket.on_disconnect(move |socket: SocketRef<A>, reason: DisconnectReason| {
            let registered = {
                let mut sockets = lock(&shared.sockets);
                let holds = sockets.get(&name).is_some_and(|s| s.id == socket.id);
                if holds {
                    sockets.remove(&name);
                }
                holds
            };
            if registered {
                // The cluster may have stopped listening during shutdown.
                let _ = shared.notices.send(Notice::Disconnected {
                    name: name.clone(),
                    reason: reason_text(reason),
                    rooms: rooms_of(&socket).into_iter().collect(),
                });
            }
            async {}
        });
    }
    lock(&shared.sockets).insert(name.clone(), socket.clone());
    let _ = shared.notices.send(Notice::Connected { name });
    // The last line: the client may act once it has this.
    let _ = socket.emit(WELCOME_EVENT, &());
    async {}
}

/// The simulated client's name, from its handshake header.
fn client_name<A: Adapter>(socket: &SocketRef<A>) -> String {
    socket
        .req_parts()
        .headers
        .get(CLIENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(unnamed)")
        .to_owned()
}

/// Every event a client emits: look up the handler and run it.
async fn on_event<A: Adapter>(
    shared: Arc<Shared<A>>,
    io: SocketIo<A>,
    socket: SocketRef<A>,
    name: String,
    event: String,
    msg: Value,
) {
    let handler = lock(&shared.handlers)
        .get(&(socket.ns().to_owned(), event.clone()))
        .cloned();
    let outcome = match handler {
        None => Handled::NoHandler { event },
        Some(action) => match action.resolve(&msg) {
            Err(e) => Handled::Ran {
                action,
                result: Err(e),
            },
            Ok(action) => {
                let result = bounded(perform(&io, Some(&socket), &action)).await;
                Handled::Ran { action, result }
            }
        },
    };
    let _ = shared.notices.send(Notice::Handled { name, outcome });
}

/// An action, bounded like every other wait.
async fn bounded(action: impl Future<Output = Result<(), String>>) -> Result<(), String> {
    timeout(WAIT_BOUND, action)
        .await
        .unwrap_or_else(|_| Err("the server took over 5 s to carry this out".to_owned()))
}

/// socketioxide's disconnect reasons, in the official server's words.
fn reason_text(reason: DisconnectReason) -> &'static str {
    match reason {
        DisconnectReason::ServerNSDisconnect => "server namespace disconnect",
        DisconnectReason::ClientNSDisconnect => "client namespace disconnect",
        DisconnectReason::TransportClose => "transport close",
        DisconnectReason::TransportError => "transport error",
        DisconnectReason::HeartbeatTimeout => "ping timeout",
        DisconnectReason::ClosingServer => "server shutting down",
        DisconnectReason::PacketParsingError => "parse error",
        DisconnectReason::MultipleHttpPollingError => "forced close",
    }
}

/// Arguments of an emit, as separate Socket.IO arguments.
struct Args<'a>(&'a [Value]);

impl Serialize for Args<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut tuple = serializer.serialize_tuple(self.0.len())?;
        for arg in self.0 {
            tuple.serialize_element(arg)?;
        }
        tuple.end()
    }
}

fn lit<T: Clone>(arg: &Arg<T>) -> Result<T, String> {
    arg.lit()
        .cloned()
        .ok_or_else(|| "`msg` is only known inside a handler".to_owned())
}

fn lits<T: Clone>(args: &[Arg<T>]) -> Result<Vec<T>, String> {
    args.iter().map(lit).collect()
}

fn check_event(event: &str) -> Result<(), String> {
    if is_reserved(event) {
        return Err(format!("\"{event}\" is a reserved event name"));
    }
    if event.starts_with(ENGINE_EVENT_PREFIX) {
        return Err(format!(
            "event names starting with \"{ENGINE_EVENT_PREFIX}\" are sockets-tour's own"
        ));
    }
    Ok(())
}

/// Runs a resolved expression on one server, whatever its adapter. The same
/// rules as the single server's (`server.rs`), made generic over the adapter;
/// fold the two together when the server module becomes generic.
async fn perform<A: Adapter>(
    io: &SocketIo<A>,
    sender: Option<&SocketRef<A>>,
    expr: &Expr,
) -> Result<(), String> {
    match expr {
        Expr::Socket(action) => {
            let socket = sender.ok_or("`socket` needs a client")?;
            match action {
                SocketAction::Emit { event, args } => {
                    let event = lit(event)?;
                    check_event(&event)?;
                    socket
                        .emit(&event, &Args(&lits(args)?))
                        .map_err(|e| format!("emit failed: {e}"))
                }
                // Local to this server, as in socketioxide (and Socket.IO).
                SocketAction::Join(rooms) => {
                    socket.join(lit(rooms)?);
                    Ok(())
                }
                SocketAction::Leave(room) => {
                    socket.leave(lit(room)?);
                    Ok(())
                }
                SocketAction::Disconnect { close: _ } => socket
                    .clone()
                    .disconnect()
                    .map_err(|e| format!("disconnect failed: {e}")),
            }
        }
        Expr::Broadcast {
            scope,
            to,
            except,
            action,
        } => {
            let mut op: BroadcastOperators<A> = match scope {
                Scope::Namespace(ns) => io
                    .of(ns)
                    .ok_or_else(|| format!("namespace {ns} does not exist"))?,
                Scope::SenderNamespace => {
                    let socket = sender.ok_or("`socket` needs a client")?;
                    io.of(socket.ns())
                        .ok_or_else(|| format!("namespace {} does not exist", socket.ns()))?
                }
                // `socket.to`/`broadcast` leave the sender out, on every server.
                Scope::SenderExcluded => sender.ok_or("`socket` needs a client")?.broadcast(),
            };
            for rooms in to {
                op = op.to(lit(rooms)?);
            }
            for rooms in except {
                op = op.except(lit(rooms)?);
            }
            match action {
                BroadcastAction::Emit { event, args } => {
                    let event = lit(event)?;
                    check_event(&event)?;
                    match op.emit(&event, &Args(&lits(args)?)).await {
                        Ok(()) | Err(BroadcastError::Socket(_)) => Ok(()),
                        Err(e) => Err(format!("emit failed: {e}")),
                    }
                }
                // Across servers: the adapter forwards the join to every server.
                BroadcastAction::SocketsJoin(rooms) => op
                    .join(lit(rooms)?)
                    .await
                    .map_err(|e| format!("socketsJoin failed: {e}")),
                BroadcastAction::SocketsLeave(rooms) => op
                    .leave(lit(rooms)?)
                    .await
                    .map_err(|e| format!("socketsLeave failed: {e}")),
                BroadcastAction::DisconnectSockets { close: _ } => match op.disconnect().await {
                    Ok(()) | Err(BroadcastError::Socket(_)) => Ok(()),
                    Err(e) => Err(format!("disconnectSockets failed: {e}")),
                },
            }
        }
    }
}
