// An admin namespace behind a middleware. Check it with: sockets-tour verify admin -- node server.js
// (sockets-tour starts it with PORT set, connects its clients, and compares
// who received what with its reference server).
const { Server } = require("socket.io");

const port = Number(process.env.PORT || 3000);
const io = new Server(port);

// TODO: declare the namespace "/admin" (io.of), give it a middleware
//       (.use((socket, next) => …)) that admits auth.token "s3cret" and
//       refuses any other with new Error("wrong token"), and a connection
//       handler that sends the socket "welcome" carrying its name.

io.on("connection", (socket) => {
  console.log(`${socket.handshake.auth.name} connected to /`);
});

console.log(`listening on port ${port}`);
