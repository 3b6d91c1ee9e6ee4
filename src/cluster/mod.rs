//! The servers a run drives: the one server of a script without servers,
//! or several embedded socketioxide servers in one process (`servers A B`),
//! each on its own loopback port, sharing nothing or sharing a
//! socketioxide-redis adapter (over an in-process bus or a real Redis).
//! Each is a [`Server`] of `crate::server`, generic over its adapter: the
//! handlers and actions are the same code on one server and on a cluster.
//!
//! # Observing a step across servers
//! On one server the engine closes a step with a private sync event sent to
//! every socket: each connection delivers in order, so what a client got
//! before it is what the step sent it. Across servers that is not enough:
//! an adapter `emit().await` returns once the request is *published*, and
//! the other servers apply it later, each from its own subscription.
//!
//! So a step's sync on a shared bus has a server half and a client half.
//!
//! **The server half: [`Cluster::barrier`].** Each server in turn, in every
//! namespace, asks the others for their sockets (`fetchSockets`) and waits
//! for every answer. Why that is a barrier:
//! - A server publishes the step's requests and then its fetch request on
//!   the same namespace channel (`{prefix}-request#{ns}#`), one awaited
//!   publish after the other (a disconnect handler's emits too: the engine
//!   hears that the handler finished only after its publishes returned).
//! - Each channel is first-in first-out from one publisher to one
//!   subscriber. In-process: `driver::InProcessDriver::publish` queues to
//!   every subscriber before returning, into FIFO queues. Redis: both
//!   publishes go over the server's one multiplexed connection in order,
//!   Redis runs one connection's commands in order and appends each PUBLISH
//!   to the subscribers' output buffers at once, and the receiving driver
//!   hands each push message, in the order read, to the channel's queue
//!   (socketioxide-redis `drivers/redis.rs`, redis `PipelineSink::send_result`).
//! - The receiving adapter reads that queue in one task and applies each
//!   request before reading the next (socketioxide-redis `pipe_stream`,
//!   socketioxide-core `RemoteRequestHandler::recv_req`: broadcast, join,
//!   leave and disconnect are applied inline, and the answer to a fetch is
//!   computed inline), so by the time it answers the fetch, the earlier
//!   packets are queued on its sockets and its joins, leaves and
//!   disconnections are done, and a disconnection has told the engine
//!   (`Notice::Disconnected` is sent inside the disconnect).
//!
//! Unlike a marker broadcast to the sockets (the design before), this needs
//! no witness: a server with no socket in a namespace still answers. That
//! closes two windows. A server that applied another's broadcast after the
//! step (nobody there to see it) could deliver it to a client that
//! connected later, with its stale marker; now nothing is in flight when a
//! step ends, so a `connect` needs no sync of its own. And a disconnect
//! handler runs on the server of the socket, after the request arrived
//! there: a round of barriers that brought a disconnection lets its handler
//! finish (`Notice::DisconnectHook` comes after the handler's publishes),
//! then runs again, until a round brings none; the handler's emits are thus
//! applied within the step that disconnected its socket, wherever it runs.
//!
//! **The client half: [`Cluster::sync`].** With nothing in flight, every
//! server sends a fresh sequence number straight to each of its sockets, as
//! one server does. Nobody can be disconnected while it travels, so a
//! `close` event with `""` (which rust_socketio reports as it reports a
//! DISCONNECT packet) is an event, as on one server. A client that meets
//! another number than the step's is an engine failure, reported with the
//! step's line and the number expected, never a silent abort.
//!
//! Servers that share nothing need no barrier: each acts on its own sockets
//! before its `perform` returns.

pub mod driver;
mod redact;
mod redis;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{Context as _, bail};
use socketioxide::SocketIo;
use socketioxide::adapter::{Emitter, LocalAdapter};
use socketioxide_redis::{CustomRedisAdapter, RedisAdapter, RedisAdapterCtr};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::script::{Action, Expr, Hook};
use crate::server::{Directory, Notice, Server, rooms_of};

use driver::{InProcessBus, InProcessDriver};
pub use redact::redact;
pub use redis::{RedisUnavailable, check_redis};
use redis::{adapter_config, redis_adapter};

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
    /// What the servers share, for the transcript.
    pub fn describe(&self) -> String {
        match self {
            Bus::None => "no adapter: the servers share nothing".to_owned(),
            Bus::InProcess => {
                "the Redis adapter (socketioxide-redis) over an in-process bus, no Redis server"
                    .to_owned()
            }
            Bus::Redis(url) => format!(
                "the Redis adapter (socketioxide-redis) on Redis at {}",
                redact(url)
            ),
        }
    }

    /// Whether a broadcast on one server reaches the sockets of the others.
    pub fn is_shared(&self) -> bool {
        !matches!(self, Bus::None)
    }
}

/// Where a connected client is, as the servers know it.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Its server's label (`None` on the one server of a script without servers).
    pub server: Option<String>,
    pub ns: String,
    /// Its rooms, without the room named after its own id.
    pub rooms: BTreeSet<String>,
}

/// The sync of one step: who it was sent to, and who it could not reach.
#[derive(Debug, Default)]
pub struct SyncSent {
    pub sent: Vec<String>,
    pub failed: Vec<String>,
}

type InProcessAdapter = CustomRedisAdapter<Emitter, InProcessDriver>;

/// The servers, typed by their adapter.
enum Nodes {
    Local(Vec<Server<LocalAdapter>>),
    InProcess(Vec<Server<InProcessAdapter>>),
    Redis(Vec<Server<RedisAdapter<Emitter>>>),
}

/// Runs `$body` with `$nodes` bound to the servers, whatever their adapter.
macro_rules! each {
    ($nodes_of:expr, |$nodes:ident| $body:expr) => {
        match $nodes_of {
            Nodes::Local($nodes) => $body,
            Nodes::InProcess($nodes) => $body,
            Nodes::Redis($nodes) => $body,
        }
    };
}

/// The servers of a run. Dropping it without [`Cluster::shutdown`] aborts
/// the servers' tasks.
pub struct Cluster {
    /// `None` for the one server of a script without servers.
    bus: Option<Bus>,
    nodes: Nodes,
}

impl Cluster {
    /// The one server of a script without servers, on `listener`.
    pub async fn single(
        listener: TcpListener,
        notices: mpsc::UnboundedSender<Notice>,
    ) -> anyhow::Result<Cluster> {
        let server = Server::serve(
            listener,
            crate::server::io_builder().build_layer(),
            None,
            notices,
            Directory::default(),
        )
        .await?;
        Ok(Cluster {
            bus: None,
            nodes: Nodes::Local(vec![server]),
        })
    }

    /// Starts one server per label, each on `127.0.0.1:0`, sharing `bus`,
    /// with `/` and the namespaces `declared`.
    pub async fn start(
        bus: Bus,
        labels: &[String],
        declared: &BTreeSet<String>,
        notices: mpsc::UnboundedSender<Notice>,
    ) -> anyhow::Result<Cluster> {
        let distinct: BTreeSet<&String> = labels.iter().collect();
        if labels.is_empty() || distinct.len() != labels.len() {
            bail!("a cluster needs one or more servers with distinct labels, got {labels:?}");
        }
        // One directory of client ids for every server of the cluster.
        let directory = Directory::default();
        let notices = (&notices, &directory);
        let nodes = match &bus {
            Bus::None => {
                let mut nodes = Vec::new();
                for label in labels {
                    let built = crate::server::io_builder().build_layer();
                    nodes.push(serve(label, built, notices).await?);
                }
                Nodes::Local(nodes)
            }
            Bus::InProcess => {
                let shared = InProcessBus::new();
                let config = adapter_config();
                let mut nodes = Vec::new();
                for label in labels {
                    let ctr = RedisAdapterCtr::new_with_driver(shared.driver(), config.clone());
                    let built = crate::server::io_builder()
                        .with_adapter::<InProcessAdapter>(ctr)
                        .build_layer();
                    nodes.push(serve(label, built, notices).await?);
                }
                Nodes::InProcess(nodes)
            }
            Bus::Redis(url) => {
                let config = adapter_config();
                let mut nodes = Vec::new();
                for label in labels {
                    // One connection per server, as separate processes would have.
                    let ctr = redis_adapter(url, config.clone()).await.map_err(|e| {
                        RedisUnavailable(format!(
                            "server {label}: connecting to Redis at {}: {e}",
                            redact(url)
                        ))
                    })?;
                    let built = crate::server::io_builder()
                        .with_adapter::<RedisAdapter<Emitter>>(ctr)
                        .build_layer();
                    nodes.push(serve(label, built, notices).await?);
                }
                Nodes::Redis(nodes)
            }
        };
        let cluster = Cluster {
            bus: Some(bus),
            nodes,
        };
        for ns in declared {
            cluster.declare(ns).await?;
        }
        Ok(cluster)
    }

    /// What the servers share; `None` for the one server of a script
    /// without servers.
    pub fn bus(&self) -> Option<&Bus> {
        self.bus.as_ref()
    }

    /// The servers' labels, in the order they were started (empty for the
    /// one server of a script without servers).
    pub fn labels(&self) -> Vec<String> {
        each!(&self.nodes, |nodes| nodes
            .iter()
            .filter_map(|n| n.label().map(str::to_owned))
            .collect())
    }

    /// The URL clients of server `label` connect to (the first server's
    /// without a label).
    pub fn url(&self, label: Option<&str>) -> Option<String> {
        each!(&self.nodes, |nodes| nodes
            .iter()
            .find(|n| label.is_none() || n.label() == label)
            .map(Server::url))
    }

    /// Declares `ns` on every server, and waits until it is ready on each.
    pub async fn declare(&self, ns: &str) -> anyhow::Result<()> {
        each!(&self.nodes, |nodes| for node in nodes {
            node.declare(ns).await?;
        });
        Ok(())
    }

    /// Whether a client may connect to `ns` (every server has the same).
    pub fn has_namespace(&self, ns: &str) -> bool {
        each!(&self.nodes, |nodes| nodes
            .first()
            .is_some_and(|n| n.has_namespace(ns)))
    }

    /// Adds a `use` middleware to `ns` on every server.
    pub fn add_middleware(
        &self,
        ns: &str,
        rule: (&str, &str),
        message: &str,
        data: Option<&serde_json::Value>,
    ) {
        each!(&self.nodes, |nodes| for node in nodes {
            node.add_middleware(ns, rule, message, data);
        })
    }

    /// v3: the `err.data` of the middleware that refused client `name`'s
    /// last connection, on whichever server refused it.
    pub fn take_refusal_data(&self, name: &str) -> Option<serde_json::Value> {
        each!(&self.nodes, |nodes| nodes
            .iter()
            .find_map(|node| node.take_refusal_data(name)))
    }

    /// v3: a per-packet middleware of `ns` on every server.
    pub fn add_packet_rule(&self, ns: &str, event: &str, message: &str) {
        each!(&self.nodes, |nodes| for node in nodes {
            node.add_packet_rule(ns, event, message);
        })
    }

    /// Sets (or replaces) the handler of `event` in `ns` on every server.
    pub fn set_handler(&self, ns: &str, event: &str, action: Action) {
        each!(&self.nodes, |nodes| for node in nodes {
            node.set_handler(ns, event, action.clone());
        })
    }

    /// Whether `ns` has a handler for this hook (on every server alike).
    pub fn has_hook(&self, ns: &str, hook: Hook) -> bool {
        each!(&self.nodes, |nodes| nodes
            .first()
            .is_some_and(|n| n.has_hook(ns, hook)))
    }

    /// What the servers hold (every server alike): per namespace, the
    /// events with a handler and the middlewares, for the playground's `:state`.
    pub fn setup(&self) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
        each!(&self.nodes, |nodes| nodes
            .first()
            .map(Server::setup)
            .unwrap_or_default())
    }

    /// Whether some server has a socket for client `name`.
    pub fn has_socket(&self, name: &str) -> bool {
        each!(&self.nodes, |nodes| nodes
            .iter()
            .any(|n| n.socket(name).is_some()))
    }

    /// Every connected client's server, namespace and rooms.
    pub fn places(&self) -> BTreeMap<String, Place> {
        each!(&self.nodes, |nodes| nodes
            .iter()
            .flat_map(|n| {
                n.rooms().into_iter().map(|(name, (ns, rooms))| {
                    let server = n.label().map(str::to_owned);
                    (name, Place { server, ns, rooms })
                })
            })
            .collect())
    }

    /// Client `name`'s rooms, if some server has its socket.
    pub fn rooms_of(&self, name: &str) -> Option<BTreeSet<String>> {
        each!(&self.nodes, |nodes| nodes
            .iter()
            .find_map(|n| n.socket(name).map(|s| rooms_of(&s))))
    }

    /// Runs a server-side expression: with `sender`, on the server that
    /// holds its socket; without, on server `label` (the first without one).
    pub async fn perform(
        &self,
        label: Option<&str>,
        sender: Option<&str>,
        expr: &Expr,
    ) -> Result<(), String> {
        each!(&self.nodes, |nodes| {
            match sender {
                Some(name) => {
                    let (node, socket) = nodes
                        .iter()
                        .find_map(|n| n.socket(name).map(|s| (n, s)))
                        .ok_or_else(|| format!("client {name} is not connected"))?;
                    node.perform(Some(&socket), expr).await
                }
                None => {
                    let node = nodes
                        .iter()
                        .find(|n| label.is_none() || n.label() == label)
                        .ok_or_else(|| format!("no server is labelled {label:?}"))?;
                    node.perform(None, expr).await
                }
            }
        })
    }

    /// Runs `io[.of(…)][.in(…)].fetchSockets()` on server `label` (the
    /// first without one): the sockets it found (v3).
    pub async fn fetch(
        &self,
        label: Option<&str>,
        expr: &Expr,
    ) -> Result<Vec<crate::server::Found>, String> {
        each!(&self.nodes, |nodes| {
            let node = nodes
                .iter()
                .find(|n| label.is_none() || n.label() == label)
                .ok_or_else(|| format!("no server is labelled {label:?}"))?;
            node.fetch(expr).await
        })
    }

    /// The server half of a step's sync on a cluster that shares a bus:
    /// returns once every server has applied every request that any server
    /// published before (see the module comment). Nothing to wait for on
    /// one server, or on servers that share nothing.
    pub async fn barrier(&self) -> anyhow::Result<()> {
        if !self.bus.as_ref().is_some_and(Bus::is_shared) {
            return Ok(());
        }
        each!(&self.nodes, |nodes| for node in nodes {
            node.barrier().await?;
        });
        Ok(())
    }

    /// The first failure of the adapter to reach the other servers, on any
    /// server: on a real Redis, the Redis stopped answering (or was slower
    /// than the adapter waits).
    pub fn adapter_failure(&self) -> Option<String> {
        each!(&self.nodes, |nodes| nodes
            .iter()
            .find_map(Server::adapter_failure))
    }

    /// The client half of a step's sync: every server sends sync `seq`
    /// straight to each of its sockets. On a cluster, only after
    /// [`Cluster::barrier`], when nothing is on its way between servers.
    pub fn sync(&self, seq: u64) -> SyncSent {
        let mut all = SyncSent::default();
        each!(&self.nodes, |nodes| for node in nodes {
            let (sent, failed) = node.sync(seq);
            all.sent.extend(sent);
            all.failed.extend(failed);
        });
        all
    }

    /// Cuts `name`'s connection under it, on whichever server has it
    /// (`drop NAME`); whether one had it.
    pub fn cut(&self, name: &str) -> bool {
        let mut found = false;
        each!(&self.nodes, |nodes| for node in nodes {
            found |= node.cut(name);
        });
        found
    }

    /// Lets go of `name`'s socket behind the engine's back (a test's
    /// provocation of a mismatch).
    #[cfg(test)]
    pub(crate) fn drop_socket(&self, name: &str) {
        each!(&self.nodes, |nodes| for node in nodes {
            if let Some(socket) = node.socket(name) {
                socket.disconnect().expect("the socket disconnects");
            }
        })
    }

    /// Stops every server and waits for each; the first error is returned.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let mut first_error = None;
        each!(self.nodes, |nodes| for node in nodes {
            if let Err(e) = node.shutdown().await {
                first_error.get_or_insert(e);
            }
        });
        first_error.map_or(Ok(()), Err)
    }
}

/// Serves a labelled server on a fresh loopback port.
async fn serve<A: crate::server::ServerAdapter>(
    label: &str,
    built: (socketioxide::layer::SocketIoLayer<A>, SocketIo<A>),
    (notices, directory): (&mpsc::UnboundedSender<Notice>, &Directory),
) -> anyhow::Result<Server<A>> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .with_context(|| format!("server {label}: could not listen on a loopback port"))?;
    Server::serve(
        listener,
        built,
        Some(label.to_owned()),
        notices.clone(),
        directory.clone(),
    )
    .await
    .with_context(|| format!("server {label}"))
}
