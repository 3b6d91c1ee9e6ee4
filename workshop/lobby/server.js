// Room chat without the sender. Check it with: sockets-tour verify lobby -- node server.js
// (sockets-tour starts it with PORT set, connects its clients, and compares
// who received what with its reference server).
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const io = new Server(port);

io.on("connection", (socket) => {
  console.log(`${socket.handshake.auth.name} connected`);

  // TODO: on "join lobby", put this socket in the room "lobby".

  // TODO: on "say" with a text, send "chat" carrying the text to everyone
  //       else in the lobby (not to this socket).
});

console.log(`listening on port ${port}`);
