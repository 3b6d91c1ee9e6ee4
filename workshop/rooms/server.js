// Rooms on request. Check it with: sockets-tour verify rooms -- node server.js
// (sockets-tour starts it with PORT set, connects its clients, and compares
// who received what with its reference server).
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const io = new Server(port);

io.on("connection", (socket) => {
  console.log(`${socket.handshake.auth.name} connected`);

  // TODO: on "join" with a room name, put this socket in that room.

  // TODO: on "leave" with a room name, take this socket out of it.

  // TODO: on "ping room" with a room name, send "pong" carrying the room
  //       name to everyone in that room.
});

console.log(`listening on port ${port}`);
