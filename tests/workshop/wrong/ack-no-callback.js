// Wrong on purpose: handles "order" but never calls the callback.
const { Server } = require("socket.io");
const io = new Server(Number(process.env.PORT));
io.on("connection", (socket) => {
  socket.on("order", (item) => console.log(`order: ${JSON.stringify(item)}`));
});
