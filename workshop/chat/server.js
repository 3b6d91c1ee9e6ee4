// The chat server. Check it with: sockets-tour verify chat -- node server.js
// (sockets-tour starts it with PORT set, connects its clients, and compares
// who received what with its reference server).
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const io = new Server(port);

io.on("connection", (socket) => {
  // Each client sends its name when it connects.
  const name = socket.handshake.auth.name;
  console.log(`${name} connected`);

  // TODO: tell everyone else that `name` joined: a "user joined" event
  //       carrying the name (which emit leaves this socket out?).

  // TODO: when this socket emits "chat message" with a text, send
  //       "chat message" with that text to everyone, this socket included.

  // TODO: when this socket disconnects, tell everyone still connected:
  //       a "user left" event carrying the name.
});

console.log(`listening on port ${port}`);
