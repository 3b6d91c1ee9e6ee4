//! How a run is set up: decided once by the command line from its flags
//! and the terminal, and handed whole to every mode (a lesson, the
//! presenter, `--predict`, the playground, practice), so that no mode can
//! honour one flag and drop another.

use std::net::{Ipv4Addr, SocketAddr};

use crate::engine::Servers;
use crate::render::Output;

#[derive(Debug, Clone)]
pub struct Setup {
    /// Where the servers run: the first one's address, and the Redis of
    /// `servers … with adapter`.
    pub servers: Servers,
    /// The transcript (with colour or without, at a width) or NDJSON.
    pub output: Output,
}

impl Setup {
    /// A run on a free loopback port and the in-process bus, written as
    /// `output`: what tests, benches and `check` use.
    pub fn loopback(output: Output) -> Setup {
        Setup {
            servers: Servers::from(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            output,
        }
    }

    /// The same servers written another way (e.g. into a buffer that is
    /// measured, or as text for a prompt's receipts).
    pub fn with_output(&self, output: Output) -> Setup {
        Setup {
            servers: self.servers.clone(),
            output,
        }
    }
}
