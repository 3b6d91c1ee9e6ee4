// Wrong on purpose: no "chat message" handler.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  socket.broadcast.emit("user joined", name);
  socket.on("disconnect", () => io.emit("user left", name));
});
