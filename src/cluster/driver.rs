//! An in-process pub/sub bus for socketioxide-redis: the same adapter code
//! that runs on Redis, with channels kept in a map in this process, so that
//! a cluster runs on a fresh machine with no Redis server.
//!
//! Modelled on the crate's own test fixture (`tests/fixture.rs`), with two
//! differences: the server count is the channel's real subscriber count
//! (as Redis's `PUBSUB NUMSUB` gives), and a full subscriber queue makes
//! `publish` wait instead of panicking (the Redis driver drops the message).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use tokio::sync::mpsc;

/// One subscription: which driver (server) holds it, and its queue.
struct Subscriber {
    driver: u64,
    queue: mpsc::Sender<ChanItem>,
}

/// The shared bus: channel name to subscribers. Clones share the bus.
#[derive(Clone, Default)]
pub struct InProcessBus {
    channels: Arc<Mutex<HashMap<String, Vec<Subscriber>>>>,
    next_driver: Arc<AtomicU64>,
}

/// One server's connection to an [`InProcessBus`], as a socketioxide-redis
/// [`Driver`]. Clones (the adapter clones it per namespace) are the same
/// connection, as clones of a Redis connection are.
#[derive(Clone)]
pub struct InProcessDriver {
    bus: InProcessBus,
    id: u64,
}

impl InProcessBus {
    /// A new, empty bus.
    pub fn new() -> InProcessBus {
        InProcessBus::default()
    }

    /// A new connection to this bus, for one server.
    pub fn driver(&self) -> InProcessDriver {
        InProcessDriver {
            bus: self.clone(),
            id: self.next_driver.fetch_add(1, Ordering::Relaxed),
        }
    }

    fn channels(&self) -> MutexGuard<'_, HashMap<String, Vec<Subscriber>>> {
        // Every critical section leaves the map consistent: take it even if
        // a panicking thread held the lock.
        self.channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Driver for InProcessDriver {
    type Error = std::convert::Infallible;

    /// Queues the message for every subscriber of `chan` (its own publisher
    /// included, as Redis does; the adapter ignores its own requests).
    ///
    /// Ordering: one `publish` finishes queueing to every subscriber before
    /// it returns, and each queue is FIFO, so two publishes awaited one
    /// after the other by the same server reach every subscriber in that
    /// order. The cluster's sync marker relies on this.
    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        let queues: Vec<mpsc::Sender<ChanItem>> = self
            .bus
            .channels()
            .get(&chan)
            .map(|subs| subs.iter().map(|s| s.queue.clone()).collect())
            .unwrap_or_default();
        for queue in queues {
            // A closed queue is a subscriber that went away: nothing to deliver.
            let _ = queue.send((chan.clone(), val.clone())).await;
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        let (queue, rx) = mpsc::channel(size.max(1));
        self.bus
            .channels()
            .entry(chan)
            .or_default()
            .push(Subscriber {
                driver: self.id,
                queue,
            });
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        let mut channels = self.bus.channels();
        if let Some(subs) = channels.get_mut(&chan) {
            subs.retain(|s| s.driver != self.id);
            if subs.is_empty() {
                channels.remove(&chan);
            }
        }
        Ok(())
    }

    /// The number of servers subscribed to `chan`.
    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        let channels = self.bus.channels();
        let mut drivers: Vec<u64> = channels
            .get(chan)
            .map(|subs| subs.iter().map(|s| s.driver).collect())
            .unwrap_or_default();
        drivers.sort_unstable();
        drivers.dedup();
        Ok(u16::try_from(drivers.len()).unwrap_or(u16::MAX))
    }
}

#[cfg(test)]
mod tests {
    //! The bus on its own: fan-out, order, unsubscribe, server count.
    use super::*;
    use futures_util::StreamExt as _;

    #[tokio::test]
    async fn every_subscriber_gets_every_message_in_publish_order() {
        let bus = InProcessBus::new();
        let (a, b) = (bus.driver(), bus.driver());
        let mut on_a = a.subscribe("req".into(), 8).await.unwrap();
        let mut on_b = b.subscribe("req".into(), 8).await.unwrap();
        for i in 0..20u8 {
            // More messages than a queue holds: publish waits, never drops.
            let publishing = a.publish("req".into(), vec![i]);
            let draining = async {
                let got_a = on_a.next().await.unwrap();
                let got_b = on_b.next().await.unwrap();
                (got_a, got_b)
            };
            let (_, (got_a, got_b)) = tokio::join!(publishing, draining);
            assert_eq!(got_a, ("req".to_owned(), vec![i]));
            assert_eq!(got_b, ("req".to_owned(), vec![i]));
        }
    }

    #[tokio::test]
    async fn server_count_and_unsubscribe() {
        let bus = InProcessBus::new();
        let (a, b) = (bus.driver(), bus.driver());
        let _on_a = a.subscribe("req".into(), 8).await.unwrap();
        let mut on_b = b.subscribe("req".into(), 8).await.unwrap();
        assert_eq!(a.num_serv("req").await.unwrap(), 2);
        b.unsubscribe("req".into()).await.unwrap();
        assert_eq!(a.num_serv("req").await.unwrap(), 1);
        a.publish("req".into(), vec![1]).await.unwrap();
        assert!(on_b.next().await.is_none(), "b's queue is closed");
        assert_eq!(a.num_serv("other").await.unwrap(), 0);
    }
}
