// Wrong on purpose: crashes on the first "chat message".
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  const name = socket.handshake.auth.name;
  socket.broadcast.emit("user joined", name);
  socket.on("chat message", (text) => {
    throw new Error(`cannot relay ${text}: not written yet`);
  });
});
