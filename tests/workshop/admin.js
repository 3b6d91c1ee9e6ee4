// The admin exercise, solved with the official Socket.IO server.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT || 3000));

const admin = io.of("/admin");
admin.use((socket, next) => {
  if (socket.handshake.auth.token === "s3cret") {
    next();
  } else {
    next(new Error("wrong token"));
  }
});
admin.on("connection", (socket) => {
  socket.emit("welcome", socket.handshake.auth.name);
});
