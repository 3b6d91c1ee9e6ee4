// Wrong on purpose: the poke goes to everyone else, not to the user's room.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  socket.join(socket.handshake.auth.name);
  socket.on("poke", () => socket.broadcast.emit("poked", "someone poked you"));
});
