// An acknowledgement. Check it with: sockets-tour verify ack -- node server.js
// (sockets-tour starts it with PORT set, connects its clients, and compares
// who received what with its reference server).
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const io = new Server(port);

io.on("connection", (socket) => {
  console.log(`${socket.handshake.auth.name} connected`);

  // TODO: on "order" with an item and a callback, call the callback with
  //       { status: "ok" } and the item.
});

console.log(`listening on port ${port}`);
