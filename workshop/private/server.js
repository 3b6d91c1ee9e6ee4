// Private messages. Check it with: sockets-tour verify private -- node server.js
// (sockets-tour starts it with PORT set, connects its clients, and compares
// who received what with its reference server).
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const io = new Server(port);

io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  console.log(`${name} connected`);

  // TODO: put this socket in a room named after `name`.

  // TODO: on "poke" with a user's name, send "poked" carrying
  //       "someone poked you" to that user's room, from this socket.
});

console.log(`listening on port ${port}`);
