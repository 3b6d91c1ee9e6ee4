// Wrong on purpose: relays "chat message" with socket.broadcast.emit, so
// the sender does not get its own message back.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  socket.broadcast.emit("user joined", name);
  socket.on("chat message", (text) => socket.broadcast.emit("chat message", text));
  socket.on("disconnect", () => io.emit("user left", name));
});
