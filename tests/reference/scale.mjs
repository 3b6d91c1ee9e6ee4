// The official stack's side of `benches/scale-vs-node.sh`: the Socket.IO
// 4.8.4 server and N socket.io-client 4.8.4 clients in this one process,
// websocket transport, 64 connects in flight, then one io.emit to all of
// them, timed until the last client had it — what `sockets-tour scale
// --clients N` does. Prints one line:
//   connect SECONDS broadcast SECONDS peak MIB
// where peak is this process's peak resident memory (VmHWM) read at the
// end, once every client and the server have closed, as sockets-tour reads
// its own.
//
// Usage: node scale.mjs N   (needs about 2 N file descriptors: ulimit -n)

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";

const clients = Number(process.argv[2]);
if (!Number.isInteger(clients) || clients < 1) {
  console.error("usage: node scale.mjs N (a number of clients, 1 or more)");
  process.exit(2);
}
const IN_FLIGHT = 64;

function peakMiB() {
  const status = readFileSync("/proc/self/status", "utf8");
  const kib = Number(/^VmHWM:\s+(\d+)/m.exec(status)[1]);
  return kib / 1024;
}

const http = createServer();
const io = new Server(http);
await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${http.address().port}`;

const sockets = [];
let next = 0;
async function opener() {
  while (next < clients) {
    next += 1;
    // forceNew: one connection per client, as sockets-tour has (the
    // default would multiplex every client over one connection).
    const socket = connect(url, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    sockets.push(socket);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: IN_FLIGHT }, opener));
const connected = (performance.now() - started) / 1000;

const received = Promise.all(
  sockets.map((socket) => new Promise((resolve) => socket.once("hello", resolve))),
);
const sent = performance.now();
io.emit("hello", "everyone");
await received;
const delivered = (performance.now() - sent) / 1000;

for (const socket of sockets) socket.disconnect();
// Calls back once the HTTP server has no connection left.
await new Promise((resolve) => io.close(resolve));
const peak = peakMiB();

console.log(
  `connect ${connected.toFixed(3)} broadcast ${delivered.toFixed(3)} peak ${peak.toFixed(0)}`,
);
process.exit(0);
