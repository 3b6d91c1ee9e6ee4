// The private exercise, solved with the official Socket.IO server.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT || 3000));

io.on("connection", (socket) => {
  socket.join(socket.handshake.auth.name);
  socket.on("poke", (user) => socket.to(user).emit("poked", "someone poked you"));
});
