//! The address a user chose with `--listen`, bound once before the run so
//! that the port it names (`:0` picks one) stays the run's: binding it,
//! reading the port and binding it again would leave a moment in which
//! another program could take the port.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;

/// The user's `--listen` (`None` in [`super::Servers`] when they gave
/// none): the listener bound for it, until the first engine takes it.
#[derive(Clone, Default)]
pub struct Chosen(Arc<Mutex<Option<std::net::TcpListener>>>);

impl Chosen {
    /// Binds `addr` now and keeps the listener; the address it took (the
    /// port `:0` picked), or why it could not.
    pub fn bind(&self, addr: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = std::net::TcpListener::bind(addr)?;
        let bound = listener.local_addr()?;
        *self.held() = Some(listener);
        Ok(bound)
    }

    /// The listener bound before the run, if it is still here and listens
    /// on `addr` (a later run of the playground, after `:reset`, binds the
    /// address anew).
    pub fn take(&self, addr: SocketAddr) -> Option<TcpListener> {
        let listener = self.held().take()?;
        if listener.local_addr().ok()? != addr {
            return None;
        }
        listener.set_nonblocking(true).ok()?;
        TcpListener::from_std(listener).ok()
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Option<std::net::TcpListener>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Every choice is the same choice: a run's servers compare by address.
impl PartialEq for Chosen {
    fn eq(&self, _: &Chosen) -> bool {
        true
    }
}

impl Eq for Chosen {}

impl std::fmt::Debug for Chosen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Chosen")
    }
}
