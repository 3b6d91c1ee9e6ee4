// Wrong on purpose: joins "games" whatever room was asked for.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  socket.on("join", () => socket.join("games"));
  socket.on("leave", (room) => socket.leave(room));
  socket.on("ping room", (room) => io.to(room).emit("pong", room));
});
