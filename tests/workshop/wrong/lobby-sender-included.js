// Wrong on purpose: io.to("lobby") includes the sender when it is in the lobby.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  socket.on("join lobby", () => socket.join("lobby"));
  socket.on("say", (text) => io.to("lobby").emit("chat", text));
});
