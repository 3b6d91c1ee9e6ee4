// The chat exercise, solved with the official Socket.IO server.
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const io = new Server(port);

io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  socket.broadcast.emit("user joined", name);
  socket.on("chat message", (text) => {
    io.emit("chat message", text);
  });
  socket.on("disconnect", () => {
    io.emit("user left", name);
  });
});
