// Wrong on purpose: creates the server but never listens (no port given),
// and stays alive.
const { Server } = require("socket.io");
const io = new Server();
io.on("connection", (socket) => socket.emit("hello"));
console.log("server made; forgot to listen on PORT");
setInterval(() => {}, 1000);
