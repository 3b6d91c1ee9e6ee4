// Wrong on purpose: announces "user joined" with io.emit, so the newcomer
// (the sender of the news) is told about itself.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  io.emit("user joined", name);
  socket.on("chat message", (text) => io.emit("chat message", text));
  socket.on("disconnect", () => io.emit("user left", name));
});
