// v3, cluster queries: `io[.of("/ns")][.in(…)].fetchSockets()` on the
// official server. With the Redis adapter it asks every server for its
// sockets (RedisAdapter#fetchSockets: its own at once, the others' by a
// request over Redis, answered with each socket's id, handshake, rooms and
// data); without an adapter the in-memory adapter returns the server's own.
// The step's line names each socket by its client, with its rooms (its own
// id room left out) and, on several servers, the server that holds it.

const FETCH_LIMIT_MS = 5000; // the adapter's own requestsTimeout is 5000 ms too

/** The parser's checks of `.fetchSockets()` (head: `io` or `socket`; members: the chain so far). */
export function checkFetch(p, head, members, col) {
  if (head !== "io") {
    p.fail("`fetchSockets()` stands after `io` in the tour, as in `io.in(\"room1\").fetchSockets()`: it is a server's query, not a socket's", col);
  }
  if (!p.allowAsk) {
    p.fail("`fetchSockets()` is a query: it stands only in a statement of its own, as in `@A io.fetchSockets()`, not in an `on` action", col);
  }
  const timeout = members.find((m) => m.name === "timeout");
  if (timeout) p.fail("the tour's `fetchSockets()` takes no `.timeout(MS)`: leave it out", col);
  const args = p.args(false);
  if (args.length > 0) p.fail("`fetchSockets()` takes no arguments", args[0].col);
}

/**
 * Awaits a fetchSockets() promise (bounded) and returns the step's outcome:
 * {kind: "sockets", sockets: {NAME: {rooms, server?}}}, or {error}.
 */
export async function fetched(fetching, clients, step) {
  let timer;
  const bound = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fetchSockets() of step ${step} did not settle within ${FETCH_LIMIT_MS} ms`)), FETCH_LIMIT_MS);
  });
  let found;
  try {
    found = await Promise.race([fetching, bound]);
  } catch (e) {
    return { error: e.message };
  } finally {
    clearTimeout(timer);
  }
  const byId = new Map();
  for (const c of clients.values()) if (c.ss) byId.set(c.ss.id, c);
  const entries = [];
  for (const s of found) {
    const c = byId.get(s.id);
    if (!c) throw new Error(`internal: fetchSockets() found socket ${s.id}, which no client of the run holds`);
    const rooms = [...s.rooms].filter((r) => r !== s.id).sort(codepoints);
    const entry = { rooms };
    if (c.srv && c.srv.label) entry.server = c.srv.label;
    entries.push([c.name, entry]);
  }
  entries.sort((a, b) => codepoints(a[0], b[0]));
  return { kind: "sockets", sockets: Object.fromEntries(entries) };
}

function codepoints(a, b) {
  const x = [...a].map((ch) => ch.codePointAt(0));
  const y = [...b].map((ch) => ch.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
