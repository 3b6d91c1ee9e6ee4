//! Fan-out at scale: N simulated clients on one embedded server (or spread
//! over a cluster sharing the Redis adapter on its in-process bus), one
//! broadcast, and what it cost (connect time, delivery time, peak memory).
//! How large N may be is the process's one descriptor budget
//! (`server::descriptors`).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::client::{Admission, Inbound, SimClient};
use crate::cluster::{Bus, Cluster};
use crate::error::Error;
use crate::script::{Arg, BroadcastAction, Expr, Scope};
pub use crate::server::descriptors::ensure_fits;

/// The event the scale run broadcasts.
pub const SCALE_EVENT: &str = "hello";

/// What one scale run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleReport {
    /// Clients connected (and admitted).
    pub clients: usize,
    /// Servers they were spread over (1: one server, no adapter).
    pub servers: usize,
    /// From the first connection attempt until the last client was admitted.
    pub connect: Duration,
    /// From the broadcast until the last client had received it.
    pub broadcast_to_last_delivery: Duration,
    /// Peak resident memory of the whole process so far (VmHWM), if known,
    /// read at the very end, after the shutdown: the run's own peak, which
    /// closing 9,000 connections raises by a few MiB above the reading
    /// right after the broadcast.
    pub peak_rss_bytes: Option<u64>,
    /// Disconnecting every client and stopping the server, after that.
    pub shutdown: Duration,
}

impl std::fmt::Display for ScaleReport {
    /// A few lines a class can read: what ran, and what it cost.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.servers == 1 {
            writeln!(
                f,
                "{} clients on one server; one io.emit to all of them",
                self.clients
            )?;
        } else {
            writeln!(
                f,
                "{} clients spread over {} servers sharing the Redis adapter (in-process bus); \
                 one io.emit on the first, to all of them",
                self.clients, self.servers
            )?;
        }
        let per_client = self.connect.as_secs_f64() * 1e3 / self.clients.max(1) as f64;
        writeln!(
            f,
            "  connect      {:>8.3} s   all {} admitted, {per_client:.2} ms a client",
            self.connect.as_secs_f64(),
            self.clients
        )?;
        writeln!(
            f,
            "  broadcast    {:>8.3} s   from the emit until the last client had it",
            self.broadcast_to_last_delivery.as_secs_f64()
        )?;
        match self.peak_rss_bytes {
            Some(bytes) => writeln!(
                f,
                "  peak memory  {:>8.0} MiB resident, the whole process (clients and servers)",
                bytes as f64 / f64::from(1 << 20)
            ),
            None => writeln!(f, "  peak memory  unknown here (no /proc/self/status)"),
        }?;
        writeln!(
            f,
            "  shutdown     {:>8.3} s   every client and server closed",
            self.shutdown.as_secs_f64()
        )
    }
}

/// Peak resident memory of this process so far, from /proc (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// How many connections are opened at once. Measured at 9,000 clients on
/// 2 cores: 16, 32 and 64 in flight cost the same CPU (about 3.2 s, 60 % of
/// it in the kernel: loopback TCP for the eight frames of each handshake,
/// and page faults), 256 and 1,024 cost more; one, two workers or a
/// current-thread runtime also cost the same. Unordered, so that one slow
/// handshake does not hold up the window.
const CONNECTS_AT_ONCE: usize = 64;

/// Starts an embedded server on a loopback port (or `servers` of them
/// sharing the Redis adapter on its in-process bus, the clients spread
/// round-robin), connects `clients` simulated clients, broadcasts one
/// `io.emit` from the first server and waits until every client has
/// received it (observed on each client, not assumed), then shuts down.
/// Refuses at once with `TooManyClients` when the clients cannot fit.
pub async fn scale(clients: usize, servers: usize) -> Result<ScaleReport, Error> {
    ensure_fits(clients)?;
    Ok(run(clients, servers).await?)
}

async fn run(clients: usize, servers: usize) -> anyhow::Result<ScaleReport> {
    if servers == 0 {
        bail!("scale needs one server or more");
    }
    // Nothing here waits on the servers' notices: let them go.
    let (tx, notices) = tokio::sync::mpsc::unbounded_channel();
    drop(notices);
    let cluster = if servers == 1 {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .context("could not listen on a loopback port")?;
        Cluster::single(listener, tx).await?
    } else {
        let labels: Vec<String> = (1..=servers).map(|i| format!("S{i}")).collect();
        Cluster::start(Bus::InProcess, &labels, &Default::default(), tx).await?
    };
    let labels = cluster.labels();
    let urls: Vec<String> = if labels.is_empty() {
        cluster.url(None).into_iter().collect()
    } else {
        labels.iter().filter_map(|l| cluster.url(Some(l))).collect()
    };

    let started = Instant::now();
    let mut opened = futures_util::stream::iter((0..clients).map(|i| {
        let url = urls[i % urls.len()].clone();
        async move { SimClient::connect(&url, &format!("c{i}"), "/", Value::Null).await }
    }))
    .buffer_unordered(CONNECTS_AT_ONCE);
    let mut sims = Vec::with_capacity(clients);
    while let Some(opened) = opened.next().await {
        let (sim, admission) = opened?;
        if admission != Admission::Admitted {
            bail!("a client was refused: {admission:?}");
        }
        sims.push(sim);
    }
    let connect = started.elapsed();

    let broadcast = Expr::Broadcast {
        scope: Scope::Namespace("/".to_owned()),
        to: Vec::new(),
        except: Vec::new(),
        action: BroadcastAction::Emit {
            event: Arg::Lit(SCALE_EVENT.to_owned()),
            args: vec![Arg::Lit(json!("everyone"))],
        },
    };
    let sent = Instant::now();
    cluster
        .perform(labels.first().map(String::as_str), None, &broadcast)
        .await
        .map_err(anyhow::Error::msg)
        .context("broadcasting")?;
    // One client after the other: every inbox fills meanwhile, so this ends
    // when the last one has it, without a future a client kept alive.
    for sim in &mut sims {
        match sim.next().await? {
            Inbound::Custom(name, _) if name == SCALE_EVENT => {}
            other => bail!("expected {SCALE_EVENT:?}, got {other:?}"),
        }
    }
    let broadcast_to_last_delivery = sent.elapsed();

    let stopping = Instant::now();
    // Best effort: the server closes whatever a client did not.
    // As many at once as connected at once: a future for every client at
    // once would raise the peak (about 1 KB a client). Each client is
    // dropped as soon as it has disconnected, so that what the closing
    // connections allocate reuses its memory.
    futures_util::stream::iter(sims.into_iter().map(|sim| async move {
        let _ = sim.disconnect().await;
    }))
    .buffer_unordered(CONNECTS_AT_ONCE)
    .for_each(|()| async {})
    .await;
    cluster.shutdown().await?;
    let shutdown = stopping.elapsed();
    let peak = peak_rss_bytes();
    Ok(ScaleReport {
        clients,
        servers,
        connect,
        broadcast_to_last_delivery,
        peak_rss_bytes: peak,
        shutdown,
    })
}
