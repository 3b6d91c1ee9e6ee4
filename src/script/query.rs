//! Cluster queries (version 3): `io[.of("/ns")][.in(…)].fetchSockets()`,
//! the sockets a server finds (every server's with an adapter, its own
//! without), with their rooms and their server.

use super::ast::{Arg, BroadcastAction, Expr, Room, Scope};
use super::chain::Chain;
use super::cursor::{Cursor, Parsed};

impl Cursor<'_> {
    /// `()` after `fetchSockets`, in a chain that began at `root`.
    pub(super) fn fetch_sockets(
        &mut self,
        root: Chain,
        scope: Scope,
        to: Vec<Arg<Vec<Room>>>,
        except: Vec<Arg<Vec<Room>>>,
    ) -> Parsed<Expr> {
        // At the member's name, as the reference runner points.
        let at = self.pos - "fetchSockets".len();
        if root != Chain::Io {
            return Err(self.error_at(
                at,
                "`fetchSockets()` stands after `io` in the tour, as in \
                 `io.in(\"room1\").fetchSockets()`: it is a server's query, not a socket's",
            ));
        }
        if !self.ask.allowed {
            return Err(self.error_at(
                at,
                "`fetchSockets()` is a query: it stands only in a statement of its own, as in \
                 `@A io.fetchSockets()`, not in an `on` action",
            ));
        }
        if self.ask.timeout.is_some() {
            return Err(self.error_at(
                at,
                "the tour's `fetchSockets()` takes no `.timeout(MS)`: leave it out",
            ));
        }
        self.expect('(', "after `fetchSockets`")?;
        if !self.eat(')') {
            return Err(self.error(format!(
                "`fetchSockets()` takes no arguments{}",
                self.found()
            )));
        }
        Ok(Expr::Broadcast {
            scope,
            to,
            except,
            action: BroadcastAction::FetchSockets,
        })
    }
}

/// Whether an expression is a `fetchSockets()` query.
pub fn is_fetch(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Broadcast {
            action: BroadcastAction::FetchSockets,
            ..
        }
    )
}
