// Wrong on purpose: written for the exercise's own clients, it says
// "hi everyone" whatever was sent.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  socket.broadcast.emit("user joined", name);
  socket.on("chat message", (text) =>
    io.emit("chat message", text === "hello alice" ? text : "hi everyone"));
  socket.on("disconnect", () => io.emit("user left", name));
});
