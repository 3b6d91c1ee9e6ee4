// The rooms exercise, solved with the official Socket.IO server.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT || 3000));

io.on("connection", (socket) => {
  socket.on("join", (room) => socket.join(room));
  socket.on("leave", (room) => socket.leave(room));
  socket.on("ping room", (room) => io.to(room).emit("pong", room));
});
