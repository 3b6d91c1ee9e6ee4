//! The embedded Socket.IO server: socketioxide on axum, on a loopback port,
//! with the script's middlewares and handlers, and the bridges that make it
//! behave as the official server does (see `tour-script.md`, "Known
//! differences").
//!
//! - `handlers`: the namespaces' middleware and connection, event and
//!   disconnect handlers, as named functions.
//! - `acks`: a client's answer to the server's acknowledgement, bridged.
//! - `perform`: server-side actions carried out on the live server.
//! - `outside`: outside clients (real Socket.IO clients on the `--listen`
//!   port) as participants: named, their events held for the engine.
//! - `net`: the TCP listener, tuned so that no write waits on a delayed ACK,
//!   and the layer that tells tour clients from outside ones and closes
//!   outside connections past the cap.
//! - `cut`: a tour client's connection cut under it (`drop NAME`).
//! - `head`: the request head each socket keeps: its own copy, and only
//!   the headers read later.
//! - `descriptors`: the process's file-descriptor budget: the limit raised,
//!   how many clients fit, the share kept for outside clients.
//!
//! The server is generic over socketioxide's adapter: the default local
//! adapter for one server, socketioxide-redis for the servers of a cluster
//! (`crate::cluster`), which runs this same code on each of them.

mod acks;
mod cut;
pub(crate) mod descriptors;
mod handlers;
mod head;
pub(crate) mod net;
mod notice;
mod outside;
mod own;
mod packet;
mod perform;
mod query;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context as _;
use socketioxide::SocketIo;
use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::extract::SocketRef;
use socketioxide::layer::SocketIoLayer;
use socketioxide::socket::Sid;
use socketioxide_core::adapter::DefinedAdapter;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::protocol::{SYNC_EVENT, WAIT_BOUND, wait_bound};
use crate::script::{Action, Expr, Hook};
use handlers::add_namespace;
pub use notice::{Handled, HookResult, Notice, OutsideEvent};
use perform::{Actor, bounded, perform};
pub use query::Found;

/// The handshake header with a simulated client's place in the script's
/// order of connections: the order its socket was admitted in, as far as
/// the server's selections go (see `perform::disconnect_in_turn`).
pub const ORDER_HEADER: &str = "x-sockets-tour-order";

/// A `use /ns require KEY "VALUE" [else "MESSAGE"]` middleware.
#[derive(Debug, Clone)]
pub(super) struct Requirement {
    key: String,
    value: String,
    message: String,
    /// v3: the refusal's `err.data`.
    data: Option<serde_json::Value>,
}

/// A socketioxide adapter the server can run on: its namespaces say when
/// they are ready (the local adapter at once, the Redis adapter once it has
/// subscribed to its channels).
pub trait ServerAdapter: Adapter<InitRes: Ready> + DefinedAdapter {}

impl<A: Adapter<InitRes: Ready> + DefinedAdapter> ServerAdapter for A {}

/// What `io.ns(…)` returns, awaited until the namespace is ready.
pub trait Ready: Send {
    fn ready(self) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
}

impl Ready for () {
    fn ready(self) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> {
        Box::pin(async { Ok(()) })
    }
}

impl<D: socketioxide_redis::drivers::Driver> Ready for socketioxide_redis::InitRes<D> {
    fn ready(self) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> {
        Box::pin(async move {
            self.await
                .map_err(|e| anyhow::anyhow!("the adapter could not subscribe: {e}"))
        })
    }
}

/// State shared by the server's handlers and the engine.
struct Shared<A: Adapter> {
    /// Per namespace, the `use` middlewares in the order they were added.
    middlewares: Mutex<HashMap<String, Vec<Requirement>>>,
    /// v3: per client name, the `err.data` of the middleware that last
    /// refused it (socketioxide cannot send it: the engine reads it here).
    refusals: Mutex<HashMap<String, serde_json::Value>>,
    /// v3: the per-packet middlewares.
    packet_rules: packet::PacketRules,
    /// `(namespace, event)` → the `on` handler's action (the events
    /// `connection` and `disconnect` name the namespace's hooks).
    handlers: Mutex<HashMap<(String, String), Action>>,
    /// Every admitted, still connected socket, by client name.
    sockets: Mutex<BTreeMap<String, SocketRef<A>>>,
    /// Every namespace the server has.
    namespaces: Mutex<BTreeSet<String>>,
    notices: mpsc::UnboundedSender<Notice>,
    /// Every socket's admission number, in the order the server admitted
    /// them: the order the official server disconnects a selection in.
    admitted: Mutex<HashMap<Sid, u64>>,
    next_admission: AtomicU64,
    /// Sockets whose disconnect handler someone waits for (see
    /// `perform::disconnect_in_turn`): told when their handler is done.
    hook_waiters: Mutex<HashMap<Sid, oneshot::Sender<()>>>,
    /// Each connected socket's handshake auth (v3: `socket.handshake.auth`).
    auths: Mutex<HashMap<Sid, serde_json::Value>>,
    /// Client name → socket id, on every server of the cluster, for `NAME.id`.
    directory: Directory,
    /// The names of the outside clients connected now, by socket.
    outside: Mutex<BTreeMap<Sid, String>>,
    /// How many outside clients have been named `outsideN` so far.
    outside_given: AtomicU64,
    /// Outside clients' events told to the engine and not run (or dropped) yet.
    outside_waiting: Arc<std::sync::atomic::AtomicUsize>,
    /// The first time the adapter could not reach the other servers (on a
    /// real Redis: the Redis stopped answering), as said; see
    /// [`Server::adapter_failure`].
    adapter_failure: Mutex<Option<String>>,
}

impl<A: Adapter> Shared<A> {
    /// Remembers that the adapter failed (the first failure is kept), and
    /// returns the message to report with the step.
    fn adapter_failed(&self, message: String) -> String {
        lock(&self.adapter_failure).get_or_insert_with(|| message.clone());
        message
    }
}

/// Client name → its socket's id, shared by the servers of a cluster: a
/// room named after an id exists on the socket's own server only, but
/// `NAME.id` is the same string wherever the action runs.
pub type Directory = Arc<Mutex<BTreeMap<String, String>>>;

/// Locks a mutex, taking the data even if a handler panicked holding it:
/// every critical section here leaves the data consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running server. Dropping it without `shutdown` aborts its task.
pub struct Server<A: Adapter = LocalAdapter> {
    io: SocketIo<A>,
    addr: SocketAddr,
    /// Its label in a cluster (`A`, `B`…); `None` for the one server of a
    /// script without servers.
    label: Option<String>,
    shared: Arc<Shared<A>>,
    /// Its tour clients' connections, to cut one (`drop NAME`).
    cuts: Arc<cut::Cuts>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl<A: ServerAdapter> Server<A> {
    /// Serves `io` on `listener` with the namespace `/`, its handlers
    /// telling `notices` what they did. `label` names it in a cluster,
    /// whose servers share one `directory` of client ids.
    pub async fn serve(
        listener: TcpListener,
        (layer, io): (SocketIoLayer<A>, SocketIo<A>),
        label: Option<String>,
        notices: mpsc::UnboundedSender<Notice>,
        directory: Directory,
    ) -> anyhow::Result<Server<A>> {
        let addr = listener.local_addr().context("reading the server's port")?;
        let shared = Arc::new(Shared {
            middlewares: Mutex::default(),
            refusals: Mutex::default(),
            packet_rules: packet::PacketRules::default(),
            handlers: Mutex::default(),
            sockets: Mutex::default(),
            namespaces: Mutex::default(),
            notices,
            admitted: Mutex::default(),
            next_admission: AtomicU64::new(0),
            hook_waiters: Mutex::default(),
            auths: Mutex::default(),
            directory,
            outside: Mutex::default(),
            outside_given: AtomicU64::new(0),
            outside_waiting: Arc::default(),
            adapter_failure: Mutex::default(),
        });
        // socketioxide creates no `/` by itself; the official server always has it.
        add_namespace(&io, &shared, "/".to_owned()).await?;
        let app = axum::Router::new()
            .layer(layer)
            .layer(axum::middleware::from_fn(net::admit))
            .layer(axum::middleware::map_request(head::own_request_head))
            .into_make_service_with_connect_info::<net::Conn>();
        let cuts = Arc::new(cut::Cuts::default());
        let listener = net::QuickListener(listener, cuts.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender means the engine is gone: stop too.
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Server {
            io,
            addr,
            label,
            shared,
            cuts,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Per namespace the server has: the events with a handler, and the
    /// middlewares as `KEY = "VALUE"`, for the playground's `:state`.
    pub fn setup(&self) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
        let mut setup: BTreeMap<String, (Vec<String>, Vec<String>)> = lock(&self.shared.namespaces)
            .iter()
            .map(|ns| (ns.clone(), Default::default()))
            .collect();
        for (ns, event) in lock(&self.shared.handlers).keys() {
            setup.entry(ns.clone()).or_default().0.push(event.clone());
        }
        for (ns, requirements) in lock(&self.shared.middlewares).iter() {
            let entry = &mut setup.entry(ns.clone()).or_default().1;
            for r in requirements {
                entry.push(format!(
                    "{} = {}",
                    r.key,
                    serde_json::Value::String(r.value.clone())
                ));
            }
        }
        for (handlers, _) in setup.values_mut() {
            handlers.sort();
        }
        setup
    }

    /// Its label in a cluster.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Declares `ns` (as `io.of()` does) if the server does not have it
    /// yet, and waits until it is ready.
    pub async fn declare(&self, ns: &str) -> anyhow::Result<()> {
        if !self.has_namespace(ns) {
            add_namespace(&self.io, &self.shared, ns.to_owned()).await?;
        }
        Ok(())
    }

    /// Whether a client may connect to `ns`.
    pub fn has_namespace(&self, ns: &str) -> bool {
        self.io.of(ns).is_some()
    }

    /// Adds a `use` middleware to `ns`, after those already there; `*`
    /// (v3) adds it to every namespace the server has, and keeps it for
    /// every one declared later (the official idiom: `nsp.use(fn)` on each,
    /// and in `io.on("new_namespace", …)`).
    pub fn add_middleware(
        &self,
        ns: &str,
        (key, value): (&str, &str),
        message: &str,
        data: Option<&serde_json::Value>,
    ) {
        let rule = Requirement {
            key: key.to_owned(),
            value: value.to_owned(),
            message: message.to_owned(),
            data: data.cloned(),
        };
        let mut middlewares = lock(&self.shared.middlewares);
        if ns == crate::script::EVERY_NAMESPACE {
            for ns in lock(&self.shared.namespaces).iter() {
                middlewares
                    .entry(ns.clone())
                    .or_default()
                    .push(rule.clone());
            }
        }
        middlewares.entry(ns.to_owned()).or_default().push(rule);
    }

    /// v3: the `err.data` of the middleware that refused client `name`'s
    /// last connection, taken (it answers once).
    pub fn take_refusal_data(&self, name: &str) -> Option<serde_json::Value> {
        lock(&self.shared.refusals).remove(name)
    }

    /// v3: a per-packet middleware of `ns` for every later connection.
    pub fn add_packet_rule(&self, ns: &str, event: &str, message: &str) {
        self.shared.packet_rules.add(ns, event, message);
    }

    /// Sets (or replaces) the handler of `event` in `ns`.
    pub fn set_handler(&self, ns: &str, event: &str, action: Action) {
        lock(&self.shared.handlers).insert((ns.to_owned(), event.to_owned()), action);
    }

    /// Whether `ns` has a handler for this hook.
    pub fn has_hook(&self, ns: &str, hook: Hook) -> bool {
        let event = match hook {
            Hook::Connection => crate::script::CONNECTION,
            Hook::Disconnect => crate::script::DISCONNECT,
            Hook::Disconnecting => crate::script::DISCONNECTING,
            Hook::Event => return false,
        };
        lock(&self.shared.handlers).contains_key(&(ns.to_owned(), event.to_owned()))
    }

    /// Cuts `name`'s connection under it, as a network loss does; whether
    /// this server had it.
    pub fn cut(&self, name: &str) -> bool {
        self.cuts.cut(name)
    }

    /// The server-side socket of a connected client.
    pub fn socket(&self, name: &str) -> Option<SocketRef<A>> {
        lock(&self.shared.sockets).get(name).cloned()
    }

    /// Every connected client's namespace and rooms (without its own-id room).
    pub fn rooms(&self) -> BTreeMap<String, (String, BTreeSet<String>)> {
        lock(&self.shared.sockets)
            .iter()
            .map(|(name, socket)| (name.clone(), (socket.ns().to_owned(), rooms_of(socket))))
            .collect()
    }

    /// Sends the sync event `seq` to every connected socket. Each connection
    /// delivers in order, so what a client gets before this is everything
    /// the step sent it. Returns the names it was sent to, and those it
    /// could not be sent to.
    pub fn sync(&self, seq: u64) -> (Vec<String>, Vec<String>) {
        let sockets = lock(&self.shared.sockets).clone();
        let (sent, failed): (Vec<_>, Vec<_>) = sockets
            .into_iter()
            .map(|(name, socket)| (name, socket.emit(SYNC_EVENT, &seq).is_ok()))
            .partition(|(_, sent)| *sent);
        let names = |list: Vec<(String, bool)>| list.into_iter().map(|(name, _)| name).collect();
        (names(sent), names(failed))
    }

    /// The server half of a cluster's sync: asks every other server, in
    /// every namespace, for its sockets (`io.of(ns).fetchSockets()`), and
    /// returns once all have answered. Each answers after applying every
    /// request this server published before (see `crate::cluster`).
    pub async fn barrier(&self) -> anyhow::Result<()> {
        let label = self.label.as_deref().unwrap_or_default();
        for op in self.io.nsps() {
            let failure = match tokio::time::timeout(WAIT_BOUND, op.fetch_sockets()).await {
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => format!("server {label}: the adapter's round-trip failed: {e}"),
                Err(_) => format!(
                    "server {label}: the other servers did not answer within {}",
                    wait_bound()
                ),
            };
            anyhow::bail!(self.shared.adapter_failed(failure));
        }
        Ok(())
    }

    /// The first failure of the adapter to reach the other servers (a
    /// broadcast, a join, a round-trip), if there was one: on a real Redis,
    /// the Redis stopped answering.
    pub fn adapter_failure(&self) -> Option<String> {
        lock(&self.shared.adapter_failure).clone()
    }

    /// Runs a server-side expression, with `socket` as the sender.
    pub async fn perform(&self, socket: Option<&SocketRef<A>>, expr: &Expr) -> Result<(), String> {
        let actor = Actor::new(&self.io, &self.shared, socket);
        bounded(perform(&actor, expr)).await
    }

    /// Closes every socket, then the HTTP server, and waits for both.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        // Graceful shutdown alone would leave websocket sessions alive.
        let closed = tokio::time::timeout(WAIT_BOUND, self.io.close()).await;
        lock(&self.shared.sockets).clear();
        if let Some(stop) = self.stop.take() {
            // The task may be gone already; nothing is left to stop then.
            let _ = stop.send(());
        }
        closed.map_err(|_| {
            anyhow::anyhow!("closing the server's sockets took over {}", wait_bound())
        })?;
        if let Some(mut task) = self.task.take() {
            match tokio::time::timeout(WAIT_BOUND, &mut task).await {
                Ok(stopped) => stopped
                    .context("the server task failed")?
                    .context("the server stopped with an error")?,
                Err(_) => {
                    task.abort();
                    anyhow::bail!(
                        "the server still had open connections after {}",
                        wait_bound()
                    )
                }
            }
        }
        Ok(())
    }
}

impl<A: Adapter> Drop for Server<A> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The builder every server of the tour starts from. The websocket read
/// buffer is 512 bytes instead of 4 KB: tungstenite 0.30 zero-fills it
/// whole before each read, so every connection kept 4 KB resident for
/// frames of a few dozen bytes; a larger frame still grows it as needed.
pub fn io_builder() -> socketioxide::SocketIoBuilder {
    SocketIo::builder().ws_read_buffer_size(WS_READ_BUFFER)
}

/// See [`io_builder`].
const WS_READ_BUFFER: usize = 512;

/// A socket's rooms, without the room named after its own id.
pub fn rooms_of<A: Adapter>(socket: &SocketRef<A>) -> BTreeSet<String> {
    let own = socket.id.to_string();
    socket
        .rooms()
        .into_iter()
        .map(|r| r.into_owned())
        .filter(|r| *r != own)
        .collect()
}
