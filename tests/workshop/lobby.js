// The lobby exercise, solved with the official Socket.IO server.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT || 3000));

io.on("connection", (socket) => {
  socket.on("join lobby", () => socket.join("lobby"));
  socket.on("say", (text) => socket.to("lobby").emit("chat", text));
});
