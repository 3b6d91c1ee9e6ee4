// Wrong on purpose: refuses a wrong token without a message.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
const admin = io.of("/admin");
admin.use((socket, next) =>
  socket.handshake.auth.token === "s3cret" ? next() : next(new Error()));
admin.on("connection", (socket) => socket.emit("welcome", socket.handshake.auth.name));
