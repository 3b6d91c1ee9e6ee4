#!/usr/bin/env node
// Reference runner for the tour-script language, version 2 (see
// /work/shared/tour-script.md), with version 3's acknowledgement forms
// (acks.mjs).
//
// Runs a tour script on the OFFICIAL Socket.IO server (npm `socket.io`) with
// real clients (npm `socket.io-client`, one websocket connection per client)
// and prints one NDJSON line per statement, in the `--json` format of the
// sockets-tour CLI. Everything a statement does is done by the real library;
// this file only parses the script, drives the calls and observes the result.
//
// Usage: node run.mjs FILE        (FILE: a .tour script or a .md lesson)
//        node run.mjs --batch FILE…   (several files in one process; see batch())
// Exit: 0 ok; 2 usage or syntax error; 1 internal failure (e.g. a hang).

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { pathToFileURL } from "node:url";
import { RedisAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";
import { io as connectClient } from "socket.io-client";
import * as acks from "./acks.mjs"; // v3: acknowledgements in depth
import * as queries from "./cluster-queries.mjs"; // v3: fetchSockets

const RESERVED = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
const SYNC_EVENT = "__sockets_tour_sync__"; // end of a step, to every connected socket
const MARK_EVENT = "__sockets_tour_mark__"; // after each emit of tour code (see emitted())
const WAIT_LIMIT_MS = 5000;
const MSG = Symbol("msg"); // the bare word `msg` inside an `on` action
const REASON = Symbol("reason"); // v3: `reason` inside an `on "disconnect"`/`"disconnecting"` action
const ACK = Symbol("ack"); // the trailing `ack` of a client emit (v2)

// ---------------------------------------------------------------------------
// Source: which lines are statements
// ---------------------------------------------------------------------------

/** Returns [{line, text}] of candidate statement lines (1-based line numbers). */
export function statementLines(file, source) {
  const lines = source.split("\n").map((l) => l.replace(/\r$/, ""));
  const isMarkdown = /\.(md|markdown)$/i.test(file);
  const out = [];
  if (!isMarkdown) {
    lines.forEach((text, i) => out.push({ line: i + 1, text }));
    return out;
  }
  // Markdown: only lines inside fenced code blocks whose info string is `tour`.
  let fence = null; // {ch, len, tour}
  lines.forEach((text, i) => {
    if (fence === null) {
      const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
      if (m && !(m[1][0] === "`" && m[2].includes("`"))) {
        fence = { ch: m[1][0], len: m[1].length, tour: m[2].trim() === "tour" };
      }
      return;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(text);
    if (close && close[1][0] === fence.ch && close[1].length >= fence.len) {
      fence = null;
      return;
    }
    if (fence.tour) out.push({ line: i + 1, text });
  });
  return out;
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

class SyntaxErr extends Error {
  constructor(col, message) {
    super(message);
    this.col = col; // 0-based index into the raw line
  }
}

/**
 * `NAME.id` (name set) or `socket.id` (name null) standing for a room (v2):
 * resolved to the socket's real id when the statement or handler runs.
 */
class AuthRef {
  // `socket.handshake.auth.KEY` (v3): the handler's socket's auth value
  constructor(key, col) {
    this.key = key;
    this.col = col;
  }
}
/** `...socket.rooms` in a room list (v3): the handler's socket's rooms when it runs. */
const OWN_ROOMS = Symbol("...socket.rooms");

class IdRef {
  constructor(name, col) {
    this.name = name;
    this.col = col;
  }
}

const IDENT_RE = /[A-Za-z_][A-Za-z0-9_-]*/y;
const LABEL_RE = /[A-Za-z0-9_]+/y; // a server's label, after `@` or in `servers A B`
const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const PATH_RE = /\/[A-Za-z0-9_.~\/-]*/y; // a namespace, e.g. /orders

function tokenize(text, start, end) {
  const toks = [];
  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      IDENT_RE.lastIndex = i;
      const m = IDENT_RE.exec(text);
      let v = m[0];
      if (i + v.length > end) v = v.slice(0, end - i);
      toks.push({ t: "ident", v, col: i });
      i += v.length;
      continue;
    }
    if (c === "@") {
      // `@LABEL`: a server of `servers A B` (letters, digits and `_`)
      LABEL_RE.lastIndex = i + 1;
      const m = LABEL_RE.exec(text);
      if (!m || m.index !== i + 1 || i + 1 + m[0].length > end) {
        throw new SyntaxErr(i, "expected a server's label right after `@`, as in `@A`");
      }
      toks.push({ t: "at", v: m[0], col: i });
      i += 1 + m[0].length;
      continue;
    }
    if (".(),:>;*".includes(c)) {
      toks.push({ t: "punct", v: c, col: i });
      i++;
      continue;
    }
    if (c === "/") {
      PATH_RE.lastIndex = i;
      const v = PATH_RE.exec(text)[0];
      toks.push({ t: "path", v, col: i });
      i += v.length;
      continue;
    }
    if (c === '"' || c === "[" || c === "{" || c === "-" || /[0-9]/.test(c)) {
      const stop = scanJson(text, i, end);
      const src = text.slice(i, stop);
      let value;
      try {
        value = JSON.parse(src);
      } catch (e) {
        // v2: an array of rooms may hold socket ids, `["lobby", bob.id]`
        const rooms = c === "[" ? roomArray(text, i, stop) : null;
        if (rooms === null) throw new SyntaxErr(i, `invalid JSON literal: ${e.message}`);
        toks.push({ t: "rooms", v: rooms, col: i, src });
        i = stop;
        continue;
      }
      toks.push({ t: "json", v: value, col: i, src });
      i = stop;
      continue;
    }
    throw new SyntaxErr(i, `unexpected character ${JSON.stringify(c)}`);
  }
  return toks;
}

/**
 * `[…]` from i to stop (its closing bracket at stop - 1) whose elements are
 * JSON values or `NAME.id` / `socket.id`, at least one of them an id; null
 * if it is not that (the caller then reports the JSON error).
 */
function roomArray(text, i, stop) {
  const close = stop - 1;
  const out = [];
  let j = i + 1;
  const ws = () => {
    while (j < close && (text[j] === " " || text[j] === "\t")) j++;
  };
  let ids = 0;
  for (;;) {
    ws();
    if (j >= close) return null; // `[` or `,` followed by `]`
    const spread = /\.\.\.[ \t]*socket[ \t]*\.[ \t]*rooms(?![A-Za-z0-9_])/y;
    spread.lastIndex = j;
    if (spread.test(text)) {
      out.push(OWN_ROOMS);
      j = spread.lastIndex;
      ids++;
    } else if (/[A-Za-z_]/.test(text[j])) {
      IDENT_RE.lastIndex = j;
      const name = IDENT_RE.exec(text)[0];
      const col = j;
      j += name.length;
      ws();
      if (text[j] !== ".") {
        if (name === "true" || name === "false" || name === "null") {
          out.push(JSON.parse(name));
        } else return null;
      } else {
        j++;
        ws();
        IDENT_RE.lastIndex = j;
        const m = IDENT_RE.exec(text);
        if (!m || m.index !== j || m[0] !== "id") return null;
        j += 2;
        out.push(new IdRef(name === "socket" ? null : name, col));
        ids++;
      }
    } else {
      let elStop;
      try {
        elStop = scanJson(text, j, close);
        out.push(JSON.parse(text.slice(j, elStop)));
      } catch {
        return null;
      }
      j = elStop;
    }
    ws();
    if (j === close) return ids > 0 ? out : null;
    if (text[j] !== ",") return null;
    j++;
  }
}

/** Returns the end index of the JSON value starting at i (validated later by JSON.parse). */
function scanJson(text, i, end) {
  const c = text[i];
  if (c === '"') {
    let j = i + 1;
    while (j < end) {
      if (text[j] === "\\") j += 2;
      else if (text[j] === '"') return j + 1;
      else j++;
    }
    throw new SyntaxErr(i, "unterminated string");
  }
  if (c === "-" || /[0-9]/.test(c)) {
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (!m || m[0].length === 0 || m[0] === "-") throw new SyntaxErr(i, "invalid number");
    const stop = i + m[0].length;
    if (stop < end && /[A-Za-z0-9_.]/.test(text[stop])) throw new SyntaxErr(i, "invalid number");
    return stop;
  }
  // array or object: match brackets, skipping strings
  let depth = 0;
  let j = i;
  while (j < end) {
    const d = text[j];
    if (d === '"') {
      j = scanJson(text, j, end);
      continue;
    }
    if (d === "[" || d === "{") depth++;
    else if (d === "]" || d === "}") {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  throw new SyntaxErr(i, `unterminated ${c === "[" ? "array" : "object"}`);
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** `on` events that install a namespace-wide hook rather than an event handler (v2). */
const HOOK_EVENTS = new Set(["connection", "disconnect", "disconnecting"]);

function normalizeNs(name) {
  // as Server.of() does: io.of("orders") is "/orders"
  return String(name)[0] === "/" ? String(name) : "/" + name;
}

const ID_WHERE = "socket ids are random and never appear in output: `NAME.id` and `socket.id` can only stand as rooms in .to(), .in() or .except()";

/**
 * One line's parser. `ids` says whether `socket.id` has a socket to mean
 * (a `NAME:` statement or an `on` action); `names` collects every client
 * name the line uses ({name, col}), for the connected-earlier check.
 */
class Parser {
  constructor(toks, endCol) {
    this.toks = toks;
    this.i = 0;
    this.endCol = endCol;
    this.selfId = false;
    this.reasonAllowed = false; // v3: inside an `on "disconnect"`/`"disconnecting"` action
    this.names = [];
    this.serverAt = null; // {label, col} of the line's `@LABEL`, if any
  }
  peek(k = 0) {
    return this.toks[this.i + k];
  }
  colHere() {
    const t = this.peek();
    return t ? t.col : this.endCol;
  }
  fail(message, col = this.colHere()) {
    throw new SyntaxErr(col, message);
  }
  next() {
    return this.toks[this.i++];
  }
  expectPunct(v) {
    const t = this.peek();
    if (!t || t.t !== "punct" || t.v !== v) this.fail(`expected "${v}"`);
    return this.next();
  }
  expectIdent(what, v) {
    const t = this.peek();
    if (!t || t.t !== "ident" || (v !== undefined && t.v !== v)) this.fail(`expected ${what}`);
    return this.next();
  }
  expectName() {
    const t = this.peek();
    if (!t || t.t !== "ident" || !NAME_RE.test(t.v)) this.fail("expected a client name");
    this.names.push({ name: t.v, col: t.col });
    return this.next().v;
  }
  expectEnd() {
    if (this.peek()) this.fail("unexpected text after the end of the statement");
  }
  isPunct(v, k = 0) {
    const t = this.peek(k);
    return t && t.t === "punct" && t.v === v;
  }
  /** `NAME . id` at the current token? */
  isIdRef() {
    const t = this.peek();
    const d = this.peek(2);
    return t && t.t === "ident" && this.isPunct(".", 1) && d && d.t === "ident" && d.v === "id";
  }
  /** An id reference, checked against where it stands. */
  idRef(name, col, allowIds) {
    if (!allowIds) this.fail(ID_WHERE, col);
    if (name === "socket") {
      if (!this.selfId) this.fail("`socket.id` needs a socket: use it in a `NAME:` statement or an `on` action, or write `NAME.id`", col);
      return new IdRef(null, col);
    }
    if (!NAME_RE.test(name)) this.fail("expected a client name", col);
    this.names.push({ name, col });
    return new IdRef(name, col);
  }

  /**
   * `( arg, … )` → [{v, col}] with v a JSON value, MSG, an IdRef or an array
   * holding IdRefs (only if allowIds), or ACK (only last, only if allowAck).
   */
  args(allowMsg, { allowIds = false, allowAck = false } = {}) {
    this.expectPunct("(");
    const out = [];
    if (this.isPunct(")")) {
      this.next();
      return out;
    }
    for (;;) {
      const t = this.peek();
      if (!t) this.fail("expected an argument");
      if (t.t === "json") out.push({ v: t.v, col: t.col });
      else if (t.t === "rooms") {
        if (t.v.includes(OWN_ROOMS) && !(allowMsg && allowIds)) this.fail("`...socket.rooms` can only be used in a room list inside an `on` handler");
        const v = t.v.map((x) => (x instanceof IdRef ? this.idRef(x.name ?? "socket", x.col, allowIds) : x));
        out.push({ v, col: t.col });
      } else if (t.t === "ident" && t.v === "socket" && this.isPunct(".", 1) && this.peek(2)?.v === "handshake") {
        // v3: socket.handshake.auth.KEY
        this.next();
        this.next();
        this.next();
        this.expectPunct(".");
        this.expectIdent("`auth`", "auth");
        this.expectPunct(".");
        const key = this.expectIdent("an auth key").v;
        if (!allowMsg) this.fail("`socket.handshake.auth.KEY` can only be used inside an `on` handler", t.col);
        out.push({ v: new AuthRef(key, t.col), col: t.col });
        if (this.isPunct(",")) {
          this.next();
          continue;
        }
        this.expectPunct(")");
        return out;
      } else if (this.isIdRef()) {
        out.push({ v: this.idRef(t.v, t.col, allowIds), col: t.col });
        this.next();
        this.next();
      } else if (t.t === "ident" && t.v === "true") out.push({ v: true, col: t.col });
      else if (t.t === "ident" && t.v === "false") out.push({ v: false, col: t.col });
      else if (t.t === "ident" && t.v === "null") out.push({ v: null, col: t.col });
      else if (t.t === "ident" && t.v === "reason") {
        // v3: the disconnect reason socket.io passes to `socket.on("disconnect", (reason) => …)`
        if (!allowMsg || !this.reasonAllowed) this.fail("`reason` can only be used inside an `on \"disconnect\"` or `on \"disconnecting\"` action");
        out.push({ v: REASON, col: t.col });
      } else if (t.t === "ident" && t.v === "msg") {
        if (!allowMsg) this.fail("`msg` can only be used inside an `on` handler");
        out.push({ v: MSG, col: t.col });
      } else if (t.t === "ident" && t.v === "ack") {
        if (!allowAck) this.fail('`ack` can only end a client\'s emit, as in `alice> socket.emit("EVENT", 1, ack)`');
        out.push({ v: ACK, col: t.col });
      } else this.fail("expected a JSON literal");
      this.next();
      if (this.isPunct(",")) {
        if (out[out.length - 1].v === ACK) this.fail("`ack` must be the last argument", out[out.length - 1].col);
        this.next();
        continue;
      }
      this.expectPunct(")");
      return out;
    }
  }

  /**
   * Expression chain starting at `io` or `socket`; returns {head, members:[{name, args}]}.
   * With `declare`, a bare `io.of("/ns")` is accepted and returns {declare: ns}.
   */
  expr(allowMsg, heads, declare = false) {
    const h = this.peek();
    if (h && h.t === "ident" && h.v === "callback" && !heads.includes(h.v)) {
      this.fail("`callback(…)` can only be the action of an `on` handler, as in `on \"order:create\": callback({\"status\": \"ok\"})`");
    }
    if (!h || h.t !== "ident" || !heads.includes(h.v)) {
      this.fail(`expected ${heads.map((x) => "`" + x + "`").join(" or ")}`);
    }
    this.next();
    if (h.v === "callback") {
      // v2: `callback(ARGS…)` answers the client's acknowledgement
      const args = this.args(allowMsg);
      return { head: "callback", members: [], args: args.map((a) => a.v) };
    }
    let type = h.v; // io | socket | nsp | op
    const members = [];
    const checkRooms = (a, col, memberName, ids) => {
      if (a.length !== 1) this.fail(`.${memberName}() takes one room name or an array of room names`, col);
      const v = a[0].v;
      const room = (x) => typeof x === "string" || (ids && (x instanceof IdRef || x === OWN_ROOMS));
      const ok = v === MSG || v === REASON || v instanceof AuthRef || room(v) || (Array.isArray(v) && v.every(room));
      if (!ok) this.fail("expected a room name or an array of room names", a[0].col);
    };
    const checkBool = (a, col, memberName) => {
      if (a.length > 1) this.fail(`.${memberName}() takes at most one argument`, col);
      if (a.length === 1 && !(a[0].v === MSG || typeof a[0].v === "boolean")) this.fail("expected true or false", a[0].col);
    };
    for (;;) {
      if (!this.peek()) {
        if (declare && type === "nsp" && members.length === 1 && members[0].name === "of") {
          return { head: "io", members, declare: normalizeNs(members[0].args[0]) };
        }
        this.fail("expected `.` and an action (the expression must end in an action)");
      }
      this.expectPunct(".");
      const m = this.expectIdent("a member name");
      const name = m.v;
      const operatorLike = type === "io" || type === "nsp" || type === "op";
      let action = false;
      let args = null;
      if (name === "of" && type === "io") {
        args = this.args(allowMsg);
        if (args.length !== 1 || typeof args[0].v !== "string") this.fail('.of() takes one namespace name (a string literal), e.g. "/orders"', args.length === 1 ? args[0].col : m.col);
        type = "nsp";
      } else if (name === "sockets" && type === "io") {
        type = "nsp";
      } else if ((name === "to" || name === "in" || name === "except") && type !== null) {
        args = this.args(allowMsg, { allowIds: true });
        checkRooms(args, m.col, name, true);
        type = "op";
      } else if (name === "broadcast" && type === "socket") {
        type = "op";
      } else if (name === "nsp" && type === "socket") {
        type = "nsp";
      } else if (name === "timeout" && type !== null) {
        // v3: how long an ask waits for acknowledgements (a socket stays a socket)
        if (!this.allowAsk) this.fail("`.timeout(MS)` stands only in a statement of its own", m.col);
        args = [{ v: acks.timeoutArg(this, m.col) }];
        if (type !== "socket") type = "op";
      } else if (name === "emit") {
        args = this.args(allowMsg, { allowAck: this.allowAsk === true });
        if (args.length < 1) this.fail(".emit() needs an event name", m.col);
        if (!(args[0].v === MSG || typeof args[0].v === "string")) this.fail("expected an event name (a string)", args[0].col);
        action = true;
      } else if (name === "join" && type === "socket") {
        args = this.args(allowMsg);
        checkRooms(args, m.col, name, false);
        action = true;
      } else if (name === "leave" && type === "socket") {
        args = this.args(allowMsg);
        if (args.length !== 1) this.fail(".leave() takes one room name", m.col);
        if (!(args[0].v === MSG || args[0].v === REASON || args[0].v instanceof AuthRef || typeof args[0].v === "string")) this.fail("expected a room name", args[0].col);
        action = true;
      } else if (name === "disconnect" && type === "socket") {
        args = this.args(allowMsg);
        checkBool(args, m.col, name);
        action = true;
      } else if ((name === "socketsJoin" || name === "socketsLeave") && operatorLike) {
        args = this.args(allowMsg);
        checkRooms(args, m.col, name, false);
        action = true;
      } else if (name === "disconnectSockets" && operatorLike) {
        args = this.args(allowMsg);
        checkBool(args, m.col, name);
        action = true;
      } else if (name === "fetchSockets" && operatorLike) {
        // v3: a cluster query (cluster-queries.mjs)
        queries.checkFetch(this, h.v, members, m.col);
        args = [];
        action = true;
      } else {
        const what = { io: "`io`", socket: "`socket`", nsp: "a namespace", op: "a broadcast operator" }[type];
        this.fail(`unknown member .${name} on ${what}`, m.col);
      }
      members.push({ name, args: args ? args.map((a) => a.v) : null });
      if (action) return { head: h.v, members };
    }
  }

  statement() {
    const t0 = this.peek();
    const t1 = this.peek(1);
    if (!t0) this.fail("empty statement");
    if (t0.t === "at") {
      // `@LABEL io.…`: server code on the server labelled LABEL
      this.next();
      this.serverAt = { label: t0.v, col: t0.col };
      const h = this.peek();
      if (h && h.t === "ident" && this.isPunct(":", 1)) {
        this.fail(`\`${h.v}:\` and \`${h.v}>\` lines run on ${h.v}'s own server: leave out the \`@\` label`, t0.col);
      }
      if (!h || h.t !== "ident" || h.v !== "io") this.fail("expected `io.…` after the server's label, as in `@A io.emit(\"news\")`");
      this.allowAsk = true;
      const expr = this.expr(false, ["io"], true);
      this.expectEnd();
      if (expr.declare !== undefined) this.fail("`io.of(…)` alone declares a namespace on every server: leave out the `@` label", t0.col);
      return acks.markAsk(this, { kind: "server", name: null, expr, server: t0.v });
    }
    if (t0.t !== "ident") this.fail("expected a statement");
    // NAME: socket.…   /   NAME> socket.emit(…)
    if (t1 && t1.t === "punct" && (t1.v === ":" || t1.v === ">")) {
      const name = this.expectName();
      this.next();
      if (t1.v === ":") {
        this.selfId = true;
        this.allowAsk = true;
        const expr = this.expr(false, ["socket"]);
        this.expectEnd();
        return acks.markAsk(this, { kind: "server", name, expr });
      }
      const v3 = acks.parseClientV3(this, name, RESERVED);
      if (v3) return v3;
      this.expectIdent("`socket`", "socket");
      this.expectPunct(".");
      let m = this.peek();
      // v3: `NAME> socket.volatile.emit(…)`, without `ack`
      const volatile = m && m.t === "ident" && m.v === "volatile";
      if (volatile) {
        this.next();
        this.expectPunct(".");
        m = this.peek();
      }
      this.expectIdent("`emit` (a client can only emit)", "emit");
      const args = this.args(false, { allowAck: !volatile });
      if (args.length < 1 || typeof args[0].v !== "string") this.fail("expected an event name (a string)", args.length ? args[0].col : m.col);
      this.expectEnd();
      const ack = args[args.length - 1].v === ACK;
      return { kind: "client-emit", name, event: args[0].v, args: args.slice(1, ack ? -1 : undefined).map((a) => a.v), ack, volatile };
    }
    switch (t0.v) {
      case "io": {
        this.allowAsk = true;
        const expr = this.expr(false, ["io"], true);
        this.expectEnd();
        if (expr.declare !== undefined) return { kind: "declare", ns: expr.declare };
        return acks.markAsk(this, { kind: "server", name: null, expr });
      }
      case "connect": {
        this.next();
        const name = this.expectName();
        this.names.pop(); // `connect` introduces the name, it does not use it
        let ns = "/";
        let extra = {};
        if (this.peek() && this.peek().t === "path") ns = this.next().v;
        let server = null;
        if (this.peek() && this.peek().t === "at") {
          const at = this.next();
          this.serverAt = { label: at.v, col: at.col };
          server = at.v;
        }
        if (this.peek()) {
          const t = this.peek();
          if (t.t !== "json" || t.v === null || typeof t.v !== "object" || Array.isArray(t.v)) this.fail("expected a JSON object (extra auth)");
          extra = t.v;
          this.next();
        }
        this.expectEnd();
        return { kind: "connect", name, ns, extra, server };
      }
      case "servers": {
        // `servers A B [with adapter]` (fresh servers, sharing nothing or the Redis adapter)
        this.next();
        const labels = [];
        let adapter = false;
        while (this.peek() && !(this.peek().t === "ident" && this.peek().v === "with")) {
          const t = this.peek();
          if (t.t !== "ident" || !/^[A-Za-z0-9_]+$/.test(t.v)) this.fail("expected a server's label (letters, digits and `_`), or `with adapter`");
          if (labels.includes(t.v)) this.fail(`server \`${t.v}\` is named twice`);
          labels.push(t.v);
          this.next();
        }
        if (labels.length < 2) this.fail("`servers` names two servers or more, as in `servers A B`");
        if (this.peek()) {
          this.next();
          this.expectIdent("`adapter` after `with`, as in `servers A B with adapter`", "adapter");
          adapter = true;
        }
        this.expectEnd();
        return { kind: "servers", labels, adapter };
      }
      case "disconnect":
      case "drop": // v3: the client's connection is cut under it
      case "reconnect": {
        // v3: a dropped client comes back
        this.next();
        const name = this.expectName();
        this.expectEnd();
        return { kind: t0.v, name };
      }
      case "use": {
        this.next();
        const p = this.peek();
        // v3: `use *` is a middleware of every namespace, those to come too
        const every = p && p.t === "punct" && p.v === "*";
        if (!every && (!p || p.t !== "path")) this.fail("expected a namespace, e.g. /admin");
        this.next();
        const w0 = this.peek();
        if (!every && w0 && w0.t === "ident" && w0.v === "packet") {
          // v3: `use /ns packet "EVENT" refuse "MESSAGE"`, a per-packet middleware
          this.next();
          const e = this.peek();
          if (!e || e.t !== "json" || typeof e.v !== "string") this.fail("expected the event name (a string)");
          this.next();
          this.expectIdent('`refuse "MESSAGE"`', "refuse");
          const m = this.peek();
          if (!m || m.t !== "json" || typeof m.v !== "string") this.fail("expected the error message (a string)");
          this.next();
          this.expectEnd();
          return { kind: "use-packet", ns: p.v, event: e.v, message: m.v };
        }
        this.expectIdent("`require`", "require");
        const key = this.expectIdent("an auth key").v;
        const v = this.peek();
        if (!v || v.t !== "json" || typeof v.v !== "string") this.fail("expected a string value");
        this.next();
        let message = "unauthorized";
        const w = this.peek();
        if (w && !(w.t === "ident" && w.v === "data")) {
          // v2: `else "MESSAGE"`
          this.expectIdent('`else "MESSAGE"`, `data JSON` or the end of the statement', "else");
          const e = this.peek();
          if (!e || e.t !== "json" || typeof e.v !== "string") this.fail("expected the error message (a string)");
          message = e.v;
          this.next();
        }
        let data; // v3: `data JSON`, the refusal's err.data
        if (this.peek()) {
          this.expectIdent('`data JSON` or the end of the statement', "data");
          const d = this.peek();
          const literal = d && d.t === "ident" && ["true", "false", "null"].includes(d.v);
          if (!d || (d.t !== "json" && !literal)) this.fail("expected a JSON value");
          data = literal ? JSON.parse(d.v) : d.v;
          this.next();
        }
        this.expectEnd();
        return { kind: "use", ns: every ? "*" : p.v, key, value: v.v, message, data };
      }
      case "on": {
        this.next();
        let ns = "/";
        if (this.peek() && this.peek().t === "path") ns = this.next().v;
        const e = this.peek();
        if (!e || e.t !== "json" || typeof e.v !== "string") this.fail("expected an event name (a string)");
        if (RESERVED.has(e.v) && !HOOK_EVENTS.has(e.v)) this.fail(`"${e.v}" is a reserved event name`);
        this.next();
        this.expectPunct(":");
        this.selfId = true;
        this.reasonAllowed = e.v === "disconnect" || e.v === "disconnecting";
        const at = this.peek();
        const expr = this.expr(true, ["socket", "io", "callback"]);
        this.expectEnd();
        const last = expr.members.length > 0 ? expr.members[expr.members.length - 1].name : null;
        if (e.v === "disconnecting" && (last === "disconnect" || last === "disconnectSockets")) {
          // v3: socket.io 4.8.4 runs `disconnecting` again for a socket disconnected inside it, until its stack overflows
          this.fail("a `disconnecting` handler cannot disconnect: its socket is leaving already", at.col);
        }
        return { kind: "on", ns, event: e.v, expr };
      }
      case "callback":
        return this.expr(false, ["io"]); // fails with the message about where callback goes
      default:
        this.fail(`unknown statement \`${t0.v}\``);
    }
  }
}

/**
 * Parses a whole file; throws {line, col, text, message} on the first syntax
 * error, including a client name (also in `NAME.id`) that no earlier line connects.
 */
export function parseFile(file, source) {
  const stmts = [];
  const connected = new Set();
  let labels = null; // the labels of the last `servers` line; null before any
  for (const { line, text } of statementLines(file, source)) {
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const start = text.indexOf(trimmed[0]);
    let end = start + trimmed.length;
    try {
      let toks = tokenize(text, start, end);
      const last = toks[toks.length - 1];
      if (last && last.t === "punct" && last.v === ";") {
        toks = toks.slice(0, -1);
        end = last.col;
      }
      const p = new Parser(toks, end);
      const stmt = p.statement();
      if (stmt.kind === "servers") {
        // fresh servers: every client of the run is gone
        connected.clear();
        labels = stmt.labels;
      }
      checkServer(stmt, p.serverAt, labels, start);
      for (const { name, col } of p.names) {
        if (!connected.has(name)) {
          throw new SyntaxErr(col, `no client named \`${name}\` is connected on an earlier line; add \`connect ${name}\` before this line`);
        }
      }
      if (stmt.kind === "connect") connected.add(stmt.name);
      stmt.step = line;
      stmt.code = trimmed;
      stmts.push(stmt);
    } catch (e) {
      if (e instanceof SyntaxErr) {
        const err = new Error(e.message);
        err.syntax = { line, col: e.col, text, message: e.message };
        throw err;
      }
      throw e;
    }
  }
  return stmts;
}

/** A statement's `@LABEL` (or its lack) against the servers declared before it, as the engine checks it. */
function checkServer(stmt, at, labels, start) {
  const needsLabel = stmt.kind === "connect" || (stmt.kind === "server" && stmt.name === null);
  if (labels === null && at) {
    throw new SyntaxErr(at.col, `\`@${at.label}\` names a server, but this script runs on one server: declare several first, as in \`servers A B\``);
  }
  if (labels !== null && at && !labels.includes(at.label)) {
    throw new SyntaxErr(at.col, `no server is labelled \`${at.label}\`: the servers are ${labels.join(", ")}`);
  }
  if (labels !== null && !at && needsLabel) {
    throw new SyntaxErr(start, stmt.kind === "connect"
      ? `which server does ${stmt.name} connect to? Add its label, as in \`connect ${stmt.name} @${labels[0]}\` (the servers are ${labels.join(", ")})`
      : `which server runs this? Put its label first, as in \`@${labels[0]} io.emit(…)\` (the servers are ${labels.join(", ")})`);
  }
}

/** The namespaces other than `/` that a server-side statement names (v2: they exist from it on). */
function namespacesNamed(st) {
  const out = [];
  const fromExpr = (expr) => {
    for (const m of expr.members) if (m.name === "of") out.push(normalizeNs(m.args[0]));
  };
  if (st.kind === "declare" || (st.kind === "use" && st.ns !== "*") || st.kind === "use-packet") out.push(normalizeNs(st.ns));
  if (st.kind === "on") {
    out.push(st.ns);
    fromExpr(st.expr);
  }
  if (st.kind === "server") fromExpr(st.expr);
  return out;
}

// ---------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------

/** Sorts by Unicode code point (the order of UTF-8 bytes, as Rust sorts strings). */
function cpCompare(a, b) {
  const x = String(a);
  const y = String(b);
  const xa = Array.from(x);
  const ya = Array.from(y);
  for (let i = 0; i < Math.min(xa.length, ya.length); i++) {
    const d = xa[i].codePointAt(0) - ya[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return xa.length - ya.length;
}
const sorted = (it) => [...it].sort(cpCompare);

function fatal(message) {
  process.stderr.write(`run.mjs: ${message}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------
// Several servers: the official Redis adapter on a redis-server of our own
// ---------------------------------------------------------------------------

/** What the servers share, for the `servers` line (the differential compares only "shared or not"). */
function describeAdapter(adapter) {
  return adapter
    ? "the Redis adapter (@socket.io/redis-adapter) on a redis-server of the reference runner"
    : "no adapter: the servers share nothing";
}

/** A connect line's `server` key, on several servers. */
const where = (st) => (st.server ? { server: st.server } : {});

/** Request types of the adapter whose messages every server applies (RequestType in its source). */
const REMOTE_JOIN = 2;
const REMOTE_LEAVE = 3;
const REMOTE_DISCONNECT = 4;

/**
 * The official RedisAdapter, observed: it counts, per namespace, every
 * message it publishes that every server applies (a broadcast, or the
 * request of socketsJoin / socketsLeave / disconnectSockets), and every
 * such message it receives, once the library has applied it. Everything
 * else is the library's own code (each method calls `super`).
 *
 * Why counting is exact: every server subscribes to its namespaces' channels
 * (a pattern for packets, one channel for requests) and receives every
 * message published there, its own included (it then ignores its own
 * packets, and applies its own requests: the adapter's join, leave and
 * disconnect act only when the request comes back from Redis). `onmessage`
 * applies a packet synchronously (Adapter#broadcast writes it to the
 * sockets); `onrequest` is async but applies these three requests before
 * its first `await` (Adapter#addSockets/delSockets/disconnectSockets, each
 * synchronous; a disconnect runs the socket's `disconnect` listeners, and so
 * the script's disconnect handler, right there). So when a server's count
 * for a namespace equals the number published there, it has applied all of
 * it, and what a disconnect handler published meanwhile is already counted.
 */
class CountingRedisAdapter extends RedisAdapter {
  constructor(nsp, pubClient, subClient, opts, tally) {
    super(nsp, pubClient, subClient, opts);
    this.tally = tally;
  }
  broadcast(packet, opts) {
    if (!opts?.flags?.local) this.tally.published(this.nsp.name);
    return super.broadcast(packet, opts);
  }
  addSockets(opts, rooms) {
    if (!opts?.flags?.local) this.tally.published(this.nsp.name);
    return super.addSockets(opts, rooms);
  }
  delSockets(opts, rooms) {
    if (!opts?.flags?.local) this.tally.published(this.nsp.name);
    return super.delSockets(opts, rooms);
  }
  disconnectSockets(opts, close) {
    if (!opts?.flags?.local) this.tally.published(this.nsp.name);
    return super.disconnectSockets(opts, close);
  }
  onmessage(pattern, channel, msg) {
    try {
      return super.onmessage(pattern, channel, msg);
    } finally {
      if (String(channel).startsWith(this.channel)) this.tally.received(this.nsp.name);
    }
  }
  onrequest(channel, msg) {
    const done = super.onrequest(channel, msg); // runs up to its first await: the request is applied
    if (String(channel) === this.requestChannel && msg[0] === 0x7b) {
      let request = null;
      try {
        request = JSON.parse(msg.toString());
      } catch {
        // not one of ours; the adapter ignored it too
      }
      const type = request?.type;
      if (request?.opts && (type === REMOTE_JOIN || type === REMOTE_LEAVE || type === REMOTE_DISCONNECT)) {
        this.tally.received(this.nsp.name);
      }
    }
    return done;
  }
}

/**
 * The redis-server of this process: started at the first `servers … with
 * adapter` on a free loopback port, shared by every set of servers of the
 * process (each uses its own key prefix), stopped when the process exits.
 */
let redisServer = null;

async function redisUrl() {
  if (redisServer === null) redisServer = startRedis();
  return redisServer;
}

/** A loopback port that nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // A shell between us and redis-server: it kills redis-server when our end
    // of its standard input closes, so even a killed runner leaves none behind.
    const child = spawn(
      "sh",
      [
        "-c",
        'redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no & pid=$!; ' +
          'trap "kill $pid 2>/dev/null" EXIT; cat >/dev/null; kill $pid 2>/dev/null; wait $pid',
        "sh",
        String(port),
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    process.on("exit", () => child.stdin.destroy());
    child.stdin.on("error", () => {});
    const ready = await new Promise((resolve) => {
      let out = "";
      const timer = setTimeout(() => resolve(`no progress after ${WAIT_LIMIT_MS} ms waiting for redis-server:\n${out}`), WAIT_LIMIT_MS);
      const done = (result) => {
        clearTimeout(timer);
        resolve(result);
      };
      child.stdout.on("data", (data) => {
        out += data;
        if (out.includes("Ready to accept connections")) done(null);
      });
      child.stderr.on("data", (data) => (out += data));
      child.on("error", (e) => done(`cannot start redis-server: ${e.message}`));
      child.on("exit", () => done(`redis-server exited:\n${out}`));
    });
    if (ready === null) {
      child.stdout.resume();
      child.stderr.resume();
      child.unref();
      for (const pipe of [child.stdin, child.stdout, child.stderr]) pipe.unref?.();
      return `redis://127.0.0.1:${port}`;
    }
    child.stdin.destroy();
    // another process took the port between the probe and redis-server: try another
    if (attempt >= 5 || !/Address already in use|bind/i.test(ready)) fatal(ready);
  }
}

export async function run(stmts, emitLine) {
  // --- waiting without sleeps: every state change calls notify()
  const waiters = new Set();
  const notify = () => {
    for (const w of [...waiters]) {
      if (w.pred()) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  };
  /** A promise of the server's own (listen, close), bounded like every wait. */
  const bounded = (promise, what) => {
    let done = false;
    const w = () => done;
    const wait = waitUntil(w, what);
    promise.then(() => {
      done = true;
      notify();
    });
    return wait;
  };
  const waitUntil = (pred, what) => {
    if (pred()) return Promise.resolve();
    return new Promise((resolve) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => fatal(`no progress after ${WAIT_LIMIT_MS} ms waiting for ${what}`), WAIT_LIMIT_MS);
      waiters.add(w);
    });
  };

  // --- the official servers: one, or those of the last `servers` line (see startServers)
  /** [{label, io, url, nsps: Map ns -> Namespace, received: Map ns -> n, closing, redis}] */
  let servers = [];
  /** Whether the servers share the Redis adapter. */
  let shared = false;
  /** ns -> messages published through the adapter in ns, by every server (see CountingRedisAdapter). */
  const published = new Map();
  let generation = 0; // one Redis key prefix per set of servers: nothing crosses from the last set

  /** name -> client record of an admitted, not yet gone client */
  const clients = new Map();
  let everyClient = []; // for shutdown
  let connecting = null; // the client whose connect is in progress
  let pendingEmit = null; // {result} for the client emit in progress
  const handlers = new Map(); // `${ns} ${event}` -> expr
  const connectionHooks = new Map(); // ns -> the listener of its latest `on "connection"`
  const disconnectHooks = new Map(); // ns -> expr of its latest `on "disconnect"`
  const disconnectingHooks = new Map(); // ns -> expr of its latest `on "disconnecting"` (v3)
  const namespaces = new Set(); // the namespaces created so far (v2: by the line naming them), on every server
  const dropped = new Map(); // v3: name -> the record of a client whose connection `drop` cut, until `reconnect`
  const leftBy = new Map(); // v3: name -> the code of the step its client last left by (deliberately)
  const packetRules = new Map(); // v3: namespace -> its `use … packet` rules, in order
  let syncSeq = 0;
  let markSeq = 0;
  /** The step in progress: {events: [{seq, event} | {error}]}, in the order the server ran them. */
  let step = null;

  const gone = (c) => c.clientReason !== null || c.serverReason !== null;
  const fullyGone = (c) => c.clientReason !== null && c.serverReason !== null;
  const alive = (name) => {
    const c = clients.get(name);
    return c && !gone(c) ? c : null;
  };
  const roomsOf = (c) => sorted([...c.ss.rooms].filter((r) => r !== c.ss.id));

  /** Tour code ran: outside a step that would go unreported, which is a runner bug. */
  const currentStep = () => {
    if (step === null) fatal("server code ran outside of any step");
    return step;
  };

  /**
   * Creates namespace `name` on the official server, as the first line naming
   * it does (v2), with the runner's own bookkeeping listeners: they come first,
   * before any `on "connection"` listener of the script.
   */
  async function ensureNamespace(name) {
    if (namespaces.has(name)) return;
    namespaces.add(name);
    for (const srv of servers) addNamespace(srv, name);
    // The other servers must hear what is published in it from the first step on.
    await subscribed();
  }

  /** Namespace `name` on one server, with the runner's bookkeeping listeners. */
  function addNamespace(srv, name) {
    const nsp = srv.io.of(name);
    srv.nsps.set(name, nsp);
    nsp.on("connection", (socket) => {
      const c = connecting;
      if (!c || c.ns !== nsp.name || c.ss) {
        fatal(`unexpected connection to ${nsp.name} (auth ${JSON.stringify(socket.handshake.auth)})`);
      }
      c.ss = socket;
      socket.on("disconnecting", (reason) => {
        // v3: the script's disconnecting handler, while the socket is still in its rooms
        const hook = srv.closing ? undefined : disconnectingHooks.get(nsp.name);
        if (hook) {
          const error = runHook(hook, srv, socket, c, reason);
          if (error !== null) currentStep().events.push({ error });
        }
      });
      socket.on("disconnect", (reason) => {
        // the script's disconnect handler: the one in place when the socket leaves
        const hook = srv.closing ? undefined : disconnectHooks.get(nsp.name);
        if (hook) {
          const error = runHook(hook, srv, socket, c, reason);
          if (error !== null) currentStep().events.push({ error });
        }
        c.serverReason = reason;
        notify();
      });
      // v3: the script's per-packet middlewares of the namespace, as its
      // connection handler would add them (`socket.use`), then the runner's
      // dispatch to the script's handlers: the last middleware, so that a
      // packet a middleware refused never reaches it, as it never reaches
      // an official listener (`onAny` listeners would run before them all).
      for (const rule of packetRules.get(nsp.name) ?? []) {
        socket.use(([event], next) => (event === rule.event ? next(new Error(rule.message)) : next()));
      }
      socket.on("error", (err) => deliver({ refused: err.message }));
      const deliver = (result) => {
        if (pendingEmit && pendingEmit.result === undefined) pendingEmit.result = result;
        else if (c.flushing) {
          // v3: an emit the client buffered while its connection was lost, sent on reconnecting
          c.flushing.results.push(result);
          if (result.error !== undefined) currentStep().events.push({ error: result.error });
        }
        notify();
      };
      socket.use(([event, ...args]) => {
        // as a JavaScript handler sees it: an ack function comes last
        const callback = args.length > 0 && typeof args[args.length - 1] === "function" ? args.pop() : undefined;
        const handler = handlers.get(`${nsp.name} ${event}`);
        let result;
        if (!handler) {
          result = { handled: false };
        } else {
          try {
            result = execute(handler, { c, srv, socket, msg: args.length > 0 ? args[0] : null, callback });
          } catch (e) {
            result = { error: e.message };
          }
        }
        deliver(result);
      });
      notify();
    });
  }

  /**
   * Once every server's Redis subscriptions so far are in place: each
   * subscriber connection runs its commands in order, so when a SUBSCRIBE
   * sent after the adapters' own (P)SUBSCRIBEs is acknowledged, theirs are
   * too. Exact, no polling.
   */
  async function subscribed() {
    if (!shared) return;
    await bounded(
      Promise.all(
        servers.map(async (srv) => {
          const probe = `${srv.redis.key}-probe-${++srv.redis.probes}`;
          await srv.redis.sub.subscribe(probe, () => {});
          await srv.redis.sub.unsubscribe(probe);
        }),
      ),
      "the Redis subscriptions",
    );
  }

  /**
   * Fresh servers (`servers A B [with adapter]`, or the one server of a
   * script without `servers`): every client of the run is gone, and so are
   * the handlers, middlewares and namespaces of the servers before.
   */
  async function startServers(labels, adapter) {
    await closeServers();
    clients.clear();
    handlers.clear();
    connectionHooks.clear();
    disconnectHooks.clear();
    disconnectingHooks.clear();
    namespaces.clear();
    dropped.clear();
    leftBy.clear();
    published.clear();
    shared = adapter;
    const key = `tour-${process.pid}-${++generation}`;
    const url = adapter ? await redisUrl() : null;
    servers = [];
    for (const label of labels) {
      const httpServer = createServer();
      const srv = { label, io: null, url: null, nsps: new Map(), received: new Map(), closing: false, redis: null };
      let opts = {};
      if (adapter) {
        const pub = createClient({ url });
        const sub = pub.duplicate();
        for (const client of [pub, sub]) client.on("error", (e) => fatal(`Redis client: ${e.message}`));
        await bounded(Promise.all([pub.connect(), sub.connect()]), "the Redis clients to connect");
        srv.redis = { pub, sub, key, probes: 0 };
        const tally = {
          published: (ns) => published.set(ns, (published.get(ns) ?? 0) + 1),
          received: (ns) => {
            srv.received.set(ns, (srv.received.get(ns) ?? 0) + 1);
            notify();
          },
        };
        // socket.io calls it with `new`: a function, not an arrow
        opts = {
          adapter: function (nsp) {
            return new CountingRedisAdapter(nsp, pub, sub, { key }, tally);
          },
        };
      }
      srv.io = new Server(httpServer, opts);
      await bounded(new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve)), "the server to listen");
      srv.url = `http://127.0.0.1:${httpServer.address().port}`;
      servers.push(srv);
    }
    await ensureNamespace("/");
  }

  /** Closes the servers (no more script handlers; clients first), and their Redis clients. */
  async function closeServers() {
    for (const srv of servers) {
      srv.closing = true;
      for (const [ns, listener] of connectionHooks) srv.nsps.get(ns).off("connection", listener);
    }
    for (const c of everyClient) c.cs.disconnect();
    everyClient = [];
    for (const srv of servers) {
      // io.close() also closes its http server
      await bounded(new Promise((resolve) => srv.io.close(() => resolve())), "the server to close");
      if (srv.redis) {
        await bounded(Promise.all([srv.redis.sub.quit(), srv.redis.pub.quit()]), "the Redis clients to quit");
      }
    }
    servers = [];
  }

  /** The server a statement runs on: its `@LABEL`, or the only one. */
  const serverOf = (label) => (label ? servers.find((srv) => srv.label === label) : servers[0]);

  /**
   * Whether anything published through the adapter is not yet applied by
   * every server: each server receives every message published in a
   * namespace, its own included (see CountingRedisAdapter).
   */
  function inFlight() {
    if (!shared) return false;
    for (const ns of namespaces) {
      const sent = published.get(ns) ?? 0;
      for (const srv of servers) if ((srv.received.get(ns) ?? 0) !== sent) return true;
    }
    return false;
  }

  await startServers([null], false);

  /** Replaces namespace ns's connection handler (a later `on` line replaces, it does not add). */
  function setConnectionHook(ns, expr) {
    const previous = connectionHooks.get(ns);
    if (previous) for (const srv of servers) srv.nsps.get(ns).off("connection", previous);
    const listener = (socket) => {
      const c = connecting; // checked and given its socket by the bookkeeping listener
      const error = runHook(expr, srvOf(socket), socket, c);
      if (error !== null) c.hookError = error;
    };
    for (const srv of servers) srv.nsps.get(ns).on("connection", listener);
    connectionHooks.set(ns, listener);
  }

  /** Runs a connection or disconnect handler; returns its run-time error message, or null. */
  const srvOf = (socket) => servers.find((srv) => srv.io === socket.nsp.server);

  function runHook(expr, srv, socket, c, reason) {
    try {
      execute(expr, { c, srv, socket, msg: socket.handshake.auth.name ?? null, reason, callback: undefined });
      return null;
    } catch (e) {
      return e.message;
    }
  }

  /** The real id of a socket named in a room list (v2): `socket.id`, or NAME's while the server holds it. */
  function socketId(ref, ctx) {
    if (ref.name === null) return ctx.socket.id;
    for (const c of [connecting, clients.get(ref.name)]) {
      if (c && c.name === ref.name && c.ss && c.ss.connected) return c.ss.id;
    }
    throw new Error(`client ${ref.name} is not connected`);
  }
  function resolveRooms(v, ctx) {
    const one = (x) => (x instanceof IdRef ? socketId(x, ctx) : x);
    // v3: `...socket.rooms` spreads the rooms the socket is in now
    return Array.isArray(v) ? v.flatMap((x) => (x === OWN_ROOMS ? [...ctx.socket.rooms] : [one(x)])) : one(v);
  }

  /**
   * After every emit of tour code: a mark to every connected socket, so that
   * each client can tell which emit delivered what it received (the events
   * before mark N are emit N's). Returns N.
   *
   * On servers sharing the adapter the mark is itself a broadcast of the
   * server that emitted, in every namespace: published on the same Redis
   * connection right after the emit's own packet, so every other server
   * applies it after that packet (Redis passes one connection's PUBLISHes to
   * a subscriber in order, the adapter's one pattern subscription covers
   * both the namespace's and its rooms' channels, and node-redis calls the
   * listener per message in order). A socket's events before mark N are
   * then emit N's on whichever server it is.
   */
  function emitted(event, srv) {
    const seq = ++markSeq;
    if (shared) {
      for (const nsp of srv.nsps.values()) nsp.emit(MARK_EVENT, seq);
    } else {
      for (const nsp of srv.nsps.values()) for (const s of nsp.sockets.values()) s.emit(MARK_EVENT, seq);
    }
    if (!srv.closing) currentStep().events.push({ seq, event });
    return seq;
  }

  /**
   * Runs an expression on the real server objects; returns what kind of outcome to report.
   * ctx: {c: the client record of `socket`, socket, msg, callback (the client's ack function, if any)}.
   */
  function execute(expr, ctx) {
    const val = (v) => {
      if (v === MSG) return ctx.msg;
      if (v === REASON) return ctx.reason;
      if (v instanceof AuthRef) {
        // v3: a key the auth lacks is `undefined`; the official server would
        // join(undefined) (a room no name reaches): the tour refuses it
        const auth = ctx.socket.handshake.auth;
        if (!Object.hasOwn(auth, v.key)) {
          throw new Error(`socket.handshake.auth.${v.key} is undefined: the client connected without "${v.key}" in its auth`);
        }
        return auth[v.key];
      }
      return v;
    };
    if (expr.head === "callback") {
      const args = expr.args.map(val);
      // in JavaScript the handler's last argument is then not a function
      if (typeof ctx.callback !== "function") throw new TypeError("callback is not a function");
      ctx.callback(...args);
      return { kind: "callback" };
    }
    let obj = expr.head === "io" ? ctx.srv.io : ctx.socket;
    for (const m of expr.members) {
      const a = m.args ? m.args.map(val) : [];
      switch (m.name) {
        case "of": {
          const ns = normalizeNs(a[0]);
          if (!namespaces.has(ns)) fatal(`internal: namespace ${ns} used before its line created it`);
          obj = obj.of(ns);
          break;
        }
        case "sockets":
          obj = obj.sockets;
          break;
        case "broadcast":
          obj = obj.broadcast;
          break;
        case "nsp":
          obj = obj.nsp;
          break;
        case "to":
        case "in":
        case "except":
          obj = obj[m.name](resolveRooms(a[0], ctx));
          break;
        case "timeout":
          obj = obj.timeout(a[0]);
          break;
        case "emit": {
          // v3: `ack` in a server's emit is the ask's callback
          obj.emit(...a.map((v) => (v === ACK ? ctx.askCallback : v)));
          return { kind: "emit", event: a[0], seq: emitted(a[0], ctx.srv) };
        }
        case "join":
        case "leave":
          obj[m.name](a[0]);
          return { kind: "rooms", client: ctx.c };
        case "socketsJoin":
        case "socketsLeave":
          obj[m.name](a[0]);
          return { kind: "rooms-all" };
        case "disconnect":
        case "disconnectSockets":
          obj[m.name](...a);
          return { kind: "disconnect" };
        case "fetchSockets": // v3: awaited by the step (cluster-queries.mjs)
          return { kind: "fetch", fetching: obj.fetchSockets() };
        default:
          throw new Error(`internal: unknown member ${m.name}`);
      }
    }
    throw new Error("internal: expression without an action");
  }

  /**
   * After a step: wait for disconnects on both sides and for the sync round.
   *
   * On servers sharing the adapter the step has a server half first: until
   * every message that any server published through the adapter (packets,
   * marks, and the requests of socketsJoin, socketsLeave and
   * disconnectSockets) has been applied by every server. The official
   * adapter applies these requests only when they come back from Redis, on
   * every server, the one that asked included, and their calls return
   * nothing to await (RedisAdapter.addSockets/delSockets/disconnectSockets
   * publish and return; socket.io's socketsJoin returns void): so the runner
   * counts, per namespace, what was published and what each server applied
   * (CountingRedisAdapter). A server with no socket in a namespace is
   * counted like the others: no witness is needed, and nothing is still in
   * flight when a step ends, so a later `connect` cannot meet a stale
   * packet. A disconnect that a request applies runs its disconnect handler
   * at once, inside the adapter's call: the handler's publishes are counted
   * before the request is, so its emits belong to the same step. One
   * predicate waits for both sides of every disconnect and for nothing in
   * flight: a client's own `disconnect` reaches its server only later, and
   * the disconnect handler that then runs publishes before its socket's
   * server side counts as gone.
   */
  async function settle(snapshot) {
    const discWait = (what) =>
      waitUntil(() => snapshot.every((c) => !gone(c) || fullyGone(c)), what);
    await waitUntil(
      () => snapshot.every((c) => !gone(c) || fullyGone(c)) && !inFlight(),
      "both sides of a disconnect, and every server to apply what the adapter carried",
    );
    // With nothing in flight, each server syncs its own sockets directly, as one server does.
    const seq = ++syncSeq;
    for (const srv of servers) {
      for (const nsp of srv.nsps.values()) for (const s of nsp.sockets.values()) s.emit(SYNC_EVENT, seq);
    }
    await waitUntil(() => snapshot.every((c) => c.syncSeen >= seq || gone(c)), `sync round ${seq}`);
    await discWait("both sides of a disconnect");
    for (const c of snapshot) if (gone(c) && clients.get(c.name) === c) clients.delete(c.name);
  }

  function beginStep() {
    step = { events: [] };
    const snapshot = [...clients.values()].filter((c) => !gone(c));
    for (const c of snapshot) {
      if (c.pending.length > 0) fatal(`${c.name} received "${c.pending[0].event}" between steps`);
      c.byMark = new Map();
      c.answered = null; // v3: what its listener answered the server in this step
    }
    return snapshot;
  }

  /** Who received emit `seq` of this step, and with which arguments. */
  function eventFields(ev, stepClients) {
    const receivers = [];
    const payloads = {};
    for (const c of [...stepClients].sort((x, y) => cpCompare(x.name, y.name))) {
      const got = c.byMark.get(ev.seq);
      if (!got) continue;
      if (got.length !== 1 || got[0].event !== ev.event) {
        fatal(`${c.name} received ${JSON.stringify(got.map((g) => g.event))} from one emit of ${JSON.stringify(ev.event)}`);
      }
      receivers.push(c.name);
      payloads[c.name] = got[0].args;
    }
    return { event: ev.event, receivers, payloads };
  }

  /** The statement's own line (null for a disconnect or a `callback`: they have none). */
  function ownFields(outcome, stepClients) {
    if (outcome.error !== undefined) return { error: outcome.error };
    if (outcome.handled === false) return { handled: false };
    if (outcome.refused !== undefined) return { refused: outcome.refused }; // v3: by a packet middleware
    switch (outcome.kind) {
      case "emit":
        return eventFields(outcome, stepClients);
      case "rooms":
        return { rooms: { [outcome.client.name]: roomsOf(outcome.client) } };
      case "rooms-all": {
        const rooms = {};
        for (const name of sorted(clients.keys())) rooms[name] = roomsOf(clients.get(name));
        return { rooms };
      }
      case "disconnect":
      case "callback":
        return null;
      case "sockets": // v3: fetchSockets()
        return { sockets: outcome.sockets };
      default:
        throw new Error(`internal: unknown outcome ${outcome.kind}`);
    }
  }

  /**
   * Prints a settled step, in the contract's order: the statement's own line,
   * the ack line, the lines of handler emits not already reported (only those
   * that reached someone) and handler errors, then the `disconnected` line
   * (always after a disconnect action, else only if someone left).
   */
  function report(base, own, stepClients, { ack = null, ownSeq = null, disconnectStep = false } = {}) {
    const lines = [];
    if (own) lines.push({ ...base, ...own });
    if (ack) lines.push({ ...base, ...(ack.line ?? { ack: ack.got ? { [ack.name]: ack.got } : {} }) });
    for (const ev of step.events) {
      if (ev.error !== undefined) {
        lines.push({ ...base, error: ev.error });
        continue;
      }
      if (ev.seq === ownSeq) continue;
      const fields = eventFields(ev, stepClients);
      if (fields.receivers.length > 0) lines.push({ ...base, ...fields });
    }
    const left = [...stepClients].filter(gone).sort((x, y) => cpCompare(x.name, y.name));
    if (disconnectStep || left.length > 0) {
      const disconnected = {};
      for (const c of left) disconnected[c.name] = { client: c.clientReason, server: c.serverReason };
      lines.push({ ...base, disconnected });
      for (const c of left) {
        if (c.dropping) dropped.set(c.name, c);
        else leftBy.set(c.name, base.code);
      }
    }
    step = null;
    for (const line of lines) emitLine(line);
  }

  /**
   * v3, after `drop`: the client tries to reconnect by itself, as the official
   * client does, while the network is down until `reconnect`: each attempt
   * fails at once (nothing listens on port 0). Returns once the first attempt
   * has begun: until then the client's old transport still counts as writable
   * (a volatile emit would be buffered, not dropped).
   */
  async function networkDown(c) {
    const m = c.cs.io;
    c.down = m.uri;
    m.uri = "http://127.0.0.1:0";
    m.reconnectionDelay(0);
    m.reconnectionDelayMax(0);
    m.randomizationFactor(0);
    m.reconnection(true);
    const attempt = new Promise((resolve) => m.once("reconnect_attempt", () => setImmediate(resolve)));
    // `reconnection(false)` after an earlier reconnection set it, as a
    // deliberate close would; Manager.open() clears it the same way.
    m.skipReconnect = false;
    m.reconnect();
    await bounded(attempt, `${c.name}'s first reconnection attempt`);
  }

  function newClient(name, ns) {
    return {
      name,
      ns,
      srv: null, // its server
      cs: null,
      ss: null,
      connected: false,
      connectError: null,
      hookError: null, // a run-time error of the namespace's connection handler
      clientReason: null,
      serverReason: null,
      syncSeen: 0,
      answered: null, // v3: what its listener answered the server in this step
      pending: [], // events received since the last mark
      byMark: new Map(), // mark seq -> the events that emit delivered
    };
  }

  for (const st of stmts) {
    const base = { step: st.step, code: st.code };
    const notConnected = (name) => emitLine({ ...base, error: `client ${name} is not connected` });
    for (const ns of namespacesNamed(st)) await ensureNamespace(ns);
    switch (st.kind) {
      case "servers": {
        await startServers(st.labels, st.adapter);
        emitLine({ ...base, servers: st.labels, adapter: describeAdapter(st.adapter) });
        break;
      }
      case "declare": {
        emitLine({ ...base, namespace: st.ns });
        break;
      }
      case "use": {
        const { key, value, message, data } = st;
        const refuse = () => {
          const err = new Error(message);
          if (data !== undefined) err.data = data; // v3
          return err;
        };
        const fn = (socket, next) => (socket.handshake.auth[key] === value ? next() : next(refuse()));
        for (const srv of servers) {
          if (st.ns === "*") {
            // v3: the official idiom, every namespace there is and every one created later
            for (const nsp of srv.nsps.values()) nsp.use(fn);
            srv.io.on("new_namespace", (nsp) => nsp.use(fn));
          } else {
            srv.io.of(st.ns).use(fn);
          }
        }
        emitLine({ ...base, middleware: st.ns });
        break;
      }
      case "use-packet": {
        // v3: each later connection's handler calls socket.use(fn) (see addNamespace)
        if (!packetRules.has(st.ns)) packetRules.set(st.ns, []);
        packetRules.get(st.ns).push({ event: st.event, message: st.message });
        emitLine({ ...base, middleware: st.ns });
        break;
      }
      case "on": {
        if (st.event === "connection") setConnectionHook(st.ns, st.expr);
        else if (st.event === "disconnect") disconnectHooks.set(st.ns, st.expr);
        else if (st.event === "disconnecting") disconnectingHooks.set(st.ns, st.expr);
        else handlers.set(`${st.ns} ${st.event}`, st.expr);
        emitLine({ ...base, handler: `${st.ns} ${st.event}` });
        break;
      }
      case "connect": {
        if (alive(st.name)) {
          emitLine({ ...base, error: `client ${st.name} is already connected` });
          break;
        }
        leftBy.delete(st.name);
        if (dropped.has(st.name)) {
          dropped.get(st.name).cs.disconnect(); // a new client: the dropped one and its buffer are gone
          dropped.delete(st.name);
        }
        const snapshot = beginStep();
        const c = newClient(st.name, st.ns);
        connecting = c;
        const srv = serverOf(st.server);
        c.srv = srv;
        const cs = connectClient(srv.url + st.ns, {
          transports: ["websocket"],
          forceNew: true,
          reconnection: false,
          auth: { name: st.name, ...st.extra },
        });
        c.cs = cs;
        everyClient.push(c);
        cs.on("connect", () => {
          c.connected = true;
          notify();
        });
        cs.on("connect_error", (err) => {
          // v3: a reconnection attempt while the network is down is no refusal
          if (c.down && err && err.type === "TransportError") return;
          c.connectError = err && err.message !== undefined ? err.message : String(err);
          if (err && err.data !== undefined) c.errorData = err.data; // v3: what the client received
          notify();
        });
        cs.on("disconnect", (reason) => {
          c.clientReason = reason;
          notify();
        });
        cs.onAny((event, ...args) => {
          // v3: the server asked for an acknowledgement; the function is not an argument
          if (typeof args[args.length - 1] === "function") args.pop();
          // Nothing arrives between steps: that would be a step's event observed too late.
          if (step === null && !srv.closing) fatal(`${c.name} received ${JSON.stringify(event)} after its step was reported`);
          if (event === SYNC_EVENT) {
            if (c.pending.length > 0) fatal(`${c.name} received "${c.pending[0].event}" that no emit accounts for`);
            c.syncSeen = args[0];
          } else if (event === MARK_EVENT) {
            if (c.pending.length > 0) c.byMark.set(args[0], c.pending);
            c.pending = [];
          } else c.pending.push({ event, args });
          notify();
        });
        await waitUntil(() => (c.connected && c.ss !== null) || c.connectError !== null, `connect ${st.name}`);
        connecting = null;
        if (c.connectError !== null) {
          cs.disconnect(); // releases the client's connection (its Manager)
          const data = c.errorData !== undefined ? { errorData: c.errorData } : {};
          report(base, { connected: false, error: c.connectError, ...data, ...where(st) }, snapshot);
          break;
        }
        clients.set(st.name, c);
        const stepClients = [...snapshot, c];
        await settle(stepClients);
        // a connection handler's run-time error replaces the connect line
        report(base, c.hookError !== null ? { error: c.hookError } : { connected: true, error: null, ...where(st) }, stepClients);
        break;
      }
      case "disconnect": {
        const c = alive(st.name);
        if (!c) {
          notConnected(st.name);
          break;
        }
        const snapshot = beginStep();
        c.cs.disconnect();
        await settle(snapshot);
        report(base, null, snapshot, { disconnectStep: true });
        break;
      }
      case "server": {
        let c = null;
        if (st.name !== null) {
          c = alive(st.name);
          if (!c) {
            notConnected(st.name);
            break;
          }
        }
        const snapshot = beginStep();
        let outcome;
        const asked = st.ask ? acks.askCallback(notify) : null; // v3
        try {
          const srv = c ? c.srv : serverOf(st.server);
          outcome = execute(st.expr, { c, srv, socket: c ? c.ss : null, msg: null, callback: undefined, askCallback: asked?.callback });
        } catch (e) {
          outcome = { error: e.message };
        }
        if (outcome.kind === "fetch") outcome = await queries.fetched(outcome.fetching, clients, st.step);
        await settle(snapshot);
        let ack = null;
        if (asked && outcome.error === undefined) {
          await waitUntil(acks.askOver(st.ask, asked, c), `the acknowledgements of step ${st.step}`);
          ack = { line: acks.askLine(st.ask, asked, c, snapshot, fatal) };
        }
        report(base, ownFields(outcome, snapshot), snapshot, {
          ack,
          ownSeq: outcome.seq ?? null,
          disconnectStep: outcome.kind === "disconnect",
        });
        break;
      }
      case "drop": {
        const c = alive(st.name);
        if (!c) {
          notConnected(st.name);
          break;
        }
        const snapshot = beginStep();
        c.dropping = true;
        // As a network loss: the raw TCP socket under the client's websocket
        // goes, with no DISCONNECT packet and no close frame.
        c.cs.io.engine.transport.ws._socket.destroy();
        // Both sides see it go before the sync: settle waits for the server's side.
        await waitUntil(() => c.clientReason !== null, `${st.name} to see its connection lost`);
        await settle(snapshot);
        report(base, null, snapshot, { disconnectStep: true });
        await networkDown(c);
        break;
      }
      case "reconnect": {
        const c = dropped.get(st.name);
        if (!c) {
          const n = st.name;
          let error = `client ${n}'s connection was not lost: \`reconnect ${n}\` follows \`drop ${n}\``;
          if (alive(n)) error = `client ${n} is connected: \`reconnect\` brings back a connection that \`drop ${n}\` cut`;
          else if (leftBy.has(n)) {
            error = `${n} left by a deliberate disconnect (\`${leftBy.get(n)}\`), which does not reconnect: \`connect ${n}\` opens a new connection`;
          }
          emitLine({ ...base, error });
          break;
        }
        dropped.delete(st.name);
        const snapshot = beginStep();
        // What the client buffered: [event, ...args] of each packet, in order.
        const flushed = c.cs.sendBuffer.map((packet) => packet.data);
        Object.assign(c, { ss: null, connected: false, connectError: null, hookError: null });
        Object.assign(c, { clientReason: null, serverReason: null, dropping: false });
        c.flushing = { results: [] };
        connecting = c;
        // The network is back: the client's next attempt reaches the server, and
        // its sendBuffer is flushed after the CONNECT.
        c.cs.io.uri = c.down;
        await waitUntil(() => (c.connected && c.ss !== null) || c.connectError !== null, `reconnect ${st.name}`);
        c.down = null;
        c.cs.io.reconnection(false);
        connecting = null;
        if (c.connectError !== null) {
          c.flushing = null;
          c.cs.disconnect();
          report(base, { reconnected: false, error: c.connectError, flushed: [] }, snapshot);
          break;
        }
        clients.set(st.name, c);
        const stepClients = [...snapshot, c];
        await waitUntil(
          () => c.flushing.results.length === flushed.length || gone(c),
          `the server to receive what ${st.name} buffered`,
        );
        c.flushing = null;
        await settle(stepClients);
        report(base, c.hookError !== null ? { error: c.hookError } : { reconnected: true, error: null, flushed }, stepClients);
        break;
      }
      case "listen": {
        // v3: the client's listener that answers the server's acknowledgements
        const c = alive(st.name);
        if (!c) {
          notConnected(st.name);
          break;
        }
        acks.listen(c, st.event, st.args, MSG);
        emitLine({ ...base, listener: `${st.name} ${st.event}` });
        break;
      }
      case "client-emit": {
        const c = alive(st.name);
        if (!c && dropped.has(st.name)) {
          // v3: emitted while its connection is lost: buffered, or dropped if volatile
          const d = dropped.get(st.name);
          try {
            if (st.ack && !RESERVED.has(st.event)) {
              throw new Error(`${st.name}'s connection is lost: the tour buffers emits without \`ack\` only`);
            }
            const before = d.cs.sendBuffer.length;
            (st.volatile ? d.cs.volatile : d.cs).emit(st.event, ...st.args);
            emitLine({ ...base, ...(d.cs.sendBuffer.length > before ? { buffered: true } : { dropped: "volatile" }) });
          } catch (e) {
            emitLine({ ...base, error: e.message });
          }
          break;
        }
        if (!c) {
          notConnected(st.name);
          break;
        }
        const v3 = st.promise || (st.timeout ?? null) !== null;
        if (v3 && st.promise && RESERVED.has(st.event)) {
          // the promise rejects before anything is sent: no ack line
          const ack = { err: null };
          await acks.clientEmit(c, st, ack, notify);
          emitLine({ ...base, error: ack.err });
          break;
        }
        const snapshot = beginStep();
        const pe = { result: undefined };
        pendingEmit = pe;
        const ack = st.ack ? { name: st.name, got: null } : null;
        try {
          if (ack && v3) {
            acks.clientEmit(c, st, ack, notify);
          } else if (ack) {
            c.cs.emit(st.event, ...st.args, (...res) => {
              ack.got = res;
              notify();
            });
          } else {
            (st.volatile ? c.cs.volatile : c.cs).emit(st.event, ...st.args);
          }
        } catch (e) {
          // the emit never left the client: no ack line
          pendingEmit = null;
          step = null;
          emitLine({ ...base, error: e.message });
          break;
        }
        await waitUntil(() => pe.result !== undefined, `the server to receive "${st.event}" from ${st.name}`);
        pendingEmit = null;
        // The sync comes after any ack on the same connection: no ack by now means none.
        await settle(snapshot);
        if (ack && v3) {
          // v3: a timeout's error comes for real, MS after the emit
          if (st.timeout !== null) await waitUntil(() => ack.fired, `${st.name}'s acknowledgement or its timeout`);
          ack.line = acks.clientAckLine(st, ack);
        }
        const outcome = pe.result;
        report(base, ownFields(outcome, snapshot), snapshot, {
          ack,
          ownSeq: outcome.seq ?? null,
          disconnectStep: outcome.kind === "disconnect",
        });
        break;
      }
      default:
        throw new Error(`internal: unknown statement ${st.kind}`);
    }
  }

  // --- shut down: no more script handlers; clients first, then the servers
  await closeServers();
  for (const w of waiters) clearTimeout(w.timer);
}

function formatSyntaxError(file, s) {
  const caretPad = s.text.slice(0, s.col).replace(/[^\t]/g, " ");
  return `${file}:${s.line}:${s.col + 1}: syntax error: ${s.message}\n${s.text}\n${caretPad}^\n`;
}

/**
 * `--batch FILE…`: runs each file in turn in this one process (saving Node's
 * start-up, ~0.3 s, per file), each on a fresh server exactly as
 * `node run.mjs FILE` would. Per file it prints a header `{"file":FILE}`, the
 * file's NDJSON lines, and a trailer `{"file":FILE,"exit":N}` with the status
 * the single-file run would have exited with: 0, or 2 for a file that cannot
 * be read or parsed (the message is under `"stderr"`). An internal failure
 * (a hang) still ends the whole process with status 1, as it would one run.
 */
async function batch(files) {
  const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
  for (const file of files) {
    out({ file });
    let stmts;
    try {
      stmts = parseFile(file, readFileSync(file, "utf8"));
    } catch (e) {
      if (e.syntax) {
        out({ file, exit: 2, stderr: formatSyntaxError(file, e.syntax) });
        continue;
      }
      if (e.code) {
        out({ file, exit: 2, stderr: `run.mjs: cannot read ${file}: ${e.message}\n` });
        continue;
      }
      throw e;
    }
    await run(stmts, out);
    out({ file, exit: 0 });
  }
  setTimeout(() => fatal("the process did not exit after shutdown"), WAIT_LIMIT_MS).unref();
}

const USAGE = "usage: node run.mjs FILE   (FILE is a .tour script or a .md lesson)\n" +
  "       node run.mjs --batch FILE...   (several files, each framed by {\"file\":…} lines)\n";

async function main(argv) {
  if (argv[0] === "--batch" && argv.length > 1) {
    return batch(argv.slice(1));
  }
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const file = argv[0];
  let source;
  try {
    source = readFileSync(file, "utf8");
  } catch (e) {
    process.stderr.write(`run.mjs: cannot read ${file}: ${e.message}\n`);
    process.exit(2);
  }
  let stmts;
  try {
    stmts = parseFile(file, source);
  } catch (e) {
    if (e.syntax) {
      process.stderr.write(formatSyntaxError(file, e.syntax));
      process.exit(2);
    }
    throw e;
  }
  await run(stmts, (obj) => process.stdout.write(JSON.stringify(obj) + "\n"));
  // Everything is closed; the process ends by itself. Guard against a leak
  // that would keep it alive (unref'd: it does not itself keep the process up).
  setTimeout(() => fatal("the process did not exit after shutdown"), WAIT_LIMIT_MS).unref();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((e) => fatal(e && e.stack ? e.stack : String(e)));
}
