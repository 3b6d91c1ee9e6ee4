//! The Redis behind `servers … with adapter`: an adapter constructor on a
//! connection of its own, on channels named for one run, and the check
//! that a `--redis` URL can be used before a run starts.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context as _, anyhow, bail};
use socketioxide_redis::drivers::redis::redis_client;
use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};
use tokio::time::timeout;

use super::redact;
use crate::protocol::{WAIT_BOUND, wait_bound};

/// Channels named for this cluster alone, so that two runs sharing one
/// Redis never hear each other.
pub(super) fn adapter_config() -> RedisAdapterConfig {
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
/// Redis could not be used for the adapter: a problem with the machine or
/// the `--redis` URL, not with the script (the command line exits 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RedisUnavailable(pub String);

/// Tries `url` before a run starts, so that a Redis that cannot be used is
/// said at once rather than halfway through a lesson.
pub async fn check_redis(url: &str) -> Result<(), RedisUnavailable> {
    redis_adapter(url, adapter_config())
        .await
        .map(drop)
        .map_err(|e| RedisUnavailable(format!("connecting to Redis at {}: {e}", redact(url))))
}

pub(super) async fn redis_adapter(
    url: &str,
    config: RedisAdapterConfig,
) -> anyhow::Result<RedisAdapterCtr<socketioxide_redis::drivers::redis::RedisDriver>> {
    if !url.contains("protocol=resp3") {
        bail!(
            "the Redis adapter needs RESP3 (Redis 7 or newer): add ?protocol=resp3 to the URL, \
             as in redis://127.0.0.1:6379/?protocol=resp3"
        );
    }
    let client = redis_client::Client::open(url).context("the Redis URL is not valid")?;
    let connecting = RedisAdapterCtr::new_with_redis_config(&client, config);
    match timeout(WAIT_BOUND, connecting).await {
        Ok(Ok(ctr)) => Ok(ctr),
        Ok(Err(e)) if e.to_string().contains("RESP3") => Err(anyhow!(
            "{e}: the adapter needs Redis 7 or newer with RESP3; add ?protocol=resp3 to the URL"
        )),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => bail!("no answer from Redis within {}", wait_bound()),
    }
}
