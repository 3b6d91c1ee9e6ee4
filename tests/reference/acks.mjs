// Acknowledgements in depth (tour-script version 3), on the official
// socket.io / socket.io-client: the client forms `await socket.emitWithAck`
// and `socket.timeout(MS).emit(…, ack)`, a client's listener
// `NAME> on "EV": callback(…)` that answers the server, and a server's emit
// that asks (`socket[.timeout(MS)].emit(…, ack)`, `io….timeout(MS).emit(…, ack)`).
// run.mjs parses and runs with these helpers; every call is the library's own.
//
// The official timers run for real here: a form with `.timeout(MS)` whose
// answer does not come waits MS before its callback gets the error (the
// engine does not wait: it knows after the step's sync that none can come).

const isSym = (v, name) => typeof v === "symbol" && v.description === name;
export const TIMED_OUT = "operation has timed out";
const MAX_TIMEOUT_MS = 2000;

/** `(MS)` of `timeout`, as the engine accepts it. */
export function timeoutArg(p, col) {
  const a = p.args(false);
  const ms = a.length === 1 ? a[0].v : undefined;
  if (!(Number.isInteger(ms) && ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
    p.fail(`\`timeout\` takes a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`, col);
  }
  return ms;
}

/**
 * After `NAME>`: the version 3 forms, or null (the parser where it was) for
 * a plain `socket.emit(…)`. `reserved` is the set of reserved event names.
 */
export function parseClientV3(p, name, reserved) {
  const t = p.peek();
  if (!t || t.t !== "ident") return null;
  if (t.v === "on") {
    p.next();
    const e = p.peek();
    if (!e || e.t !== "json" || typeof e.v !== "string") p.fail("expected an event name (a string)");
    if (reserved.has(e.v)) p.fail(`"${e.v}" is a reserved event name: the server cannot emit it`);
    p.next();
    p.expectPunct(":");
    p.expectIdent("`callback(…)`", "callback");
    const args = p.args(true).map((a) => a.v);
    p.expectEnd();
    return { kind: "listen", name, event: e.v, args };
  }
  const promise = t.v === "await";
  if (promise) p.next();
  const s = p.peek();
  const m1 = p.peek(2);
  const timed = m1 && m1.t === "ident" && m1.v === "timeout";
  if (!promise && !timed) return null;
  p.expectIdent("`socket`", "socket");
  p.expectPunct(".");
  let timeout = null;
  if (timed) {
    const m = p.next();
    timeout = timeoutArg(p, m.col);
    p.expectPunct(".");
  }
  const m = p.peek();
  p.expectIdent(promise ? "`emitWithAck`" : "`emit`", promise ? "emitWithAck" : "emit");
  const args = p.args(false, { allowAck: !promise });
  if (args.length < 1 || typeof args[0].v !== "string") p.fail("expected an event name (a string)", args.length ? args[0].col : m.col);
  p.expectEnd();
  const ack = isSym(args[args.length - 1].v, "ack");
  if (!promise && !ack) p.fail("`.timeout(MS)` needs `ack` last", s.col);
  return {
    kind: "client-emit",
    name,
    event: args[0].v,
    args: args.slice(1, ack ? -1 : undefined).map((a) => a.v),
    ack: true,
    promise,
    timeout,
  };
}

/** A server statement whose chain has `.timeout` or an `ack`: checked, and marked as an ask. */
export function markAsk(p, stmt) {
  const members = stmt.expr.members;
  const timeouts = members.filter((m) => m.name === "timeout");
  const emit = members[members.length - 1];
  const ack = emit.name === "emit" && emit.args.length > 0 && isSym(emit.args[emit.args.length - 1], "ack");
  if (timeouts.length === 0 && !ack) return stmt;
  if (!ack) p.fail("`.timeout(MS)` needs an emit whose last argument is `ack`");
  const broadcast = members.some((m) => ["to", "in", "except", "broadcast", "of", "sockets", "nsp"].includes(m.name)) || stmt.expr.head === "io";
  const timeout = timeouts.length > 0 ? timeouts[timeouts.length - 1].args[0] : null;
  if (broadcast && timeout === null) p.fail("a broadcast that asks for acknowledgements needs `.timeout(MS)`");
  return { ...stmt, ask: { broadcast, timeout } };
}

/** NAME's listener for `event` (v3): answers any acknowledgement the server asks for. */
export function listen(c, event, answer, msgSym) {
  if (!c.listeners) c.listeners = new Map();
  const previous = c.listeners.get(event);
  if (previous) c.cs.off(event, previous);
  const listener = (...args) => {
    const cb = args[args.length - 1];
    if (typeof cb !== "function") return;
    const data = args.slice(0, -1);
    const msg = data.length > 0 ? data[0] : null;
    const values = answer.map((v) => (v === msgSym ? msg : v));
    c.answered = values;
    cb(...values);
  };
  c.listeners.set(event, listener);
  c.cs.on(event, listener);
}

/** The callback a server's ask passes for `ack`, and what it records. */
export function askCallback(notify) {
  const record = { fired: false, got: null };
  record.callback = (...got) => {
    record.fired = true;
    record.got = got;
    notify();
  };
  return record;
}

/**
 * The ack line of a server's ask, once it is over: `target` is the asking
 * socket's client (for `socket.emit`), `stepClients` every client of the
 * step (who answered is their own record).
 */
export function askLine(ask, record, target, stepClients, fatal) {
  const error = (e) => (e ? e.message : null);
  if (ask.broadcast) {
    const [err, responses] = record.got;
    const ack = {};
    const expected = [];
    for (const c of stepClients) {
      if (c.answered === null) continue;
      ack[c.name] = c.answered.slice(0, 1);
      expected.push(JSON.stringify(c.answered[0] ?? null));
    }
    const got = responses.map((r) => JSON.stringify(r ?? null));
    if (JSON.stringify(expected.sort()) !== JSON.stringify(got.sort())) {
      fatal(`the broadcast's callback got ${JSON.stringify(responses)}, the clients answered ${expected}`);
    }
    return { ack: sortedObject(ack), ackError: error(err) };
  }
  if (ask.timeout !== null) {
    const [err, ...args] = record.got;
    return { ack: err ? {} : { [target.name]: args }, ackError: error(err) };
  }
  return { ack: record.fired ? { [target.name]: record.got } : {} };
}

/** What the step waits for before its ask is over. */
export function askOver(ask, record, target) {
  if (ask.broadcast || ask.timeout !== null) return () => record.fired;
  // Without a timeout the callback runs only if the client answered.
  return () => record.fired || target.answered === null;
}

/** The ack line of a client's emit with `.timeout(MS)` or as a promise. */
export function clientAckLine(st, ack) {
  const got = ack.got ? { [st.name]: ack.got } : {};
  if (st.timeout === null || st.timeout === undefined) return { ack: got };
  return { ack: got, ackError: ack.err ?? null };
}

/** Emits a client's v3 form: the callback or the promise records into `ack`. */
export function clientEmit(c, st, ack, notify) {
  const socket = st.timeout !== null ? c.cs.timeout(st.timeout) : c.cs;
  if (st.promise) {
    return socket.emitWithAck(st.event, ...st.args).then(
      (v) => {
        ack.got = v === undefined ? [] : [v];
        ack.fired = true;
        notify();
      },
      (e) => {
        ack.err = e.message;
        ack.fired = true;
        notify();
      },
    );
  }
  socket.emit(st.event, ...st.args, (err, ...res) => {
    if (err) ack.err = err.message;
    else ack.got = res;
    ack.fired = true;
    notify();
  });
  return null;
}

function sortedObject(o) {
  const out = {};
  for (const k of Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = o[k];
  return out;
}
