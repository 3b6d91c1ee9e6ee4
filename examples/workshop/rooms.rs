//! The rooms exercise, solved with socketioxide: the shape of the Rust
//! starter (`workshop/rooms/main.rs`), its TODOs written.

use socketioxide::SocketIo;
use socketioxide::extract::{Data, SocketRef};

#[tokio::main]
pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (layer, io) = SocketIo::new_layer();
    io.ns("/", on_connect);
    let app = axum::Router::new().layer(layer);
    let port: u16 = std::env::var("PORT")
        .unwrap_or_else(|_| "3000".into())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn on_connect(socket: SocketRef) {
    socket.on(
        "join",
        async |socket: SocketRef, Data(room): Data<String>| socket.join(room),
    );
    socket.on(
        "leave",
        async |socket: SocketRef, Data(room): Data<String>| socket.leave(room),
    );
    socket.on(
        "ping room",
        async |io: SocketIo, Data(room): Data<String>| {
            // An emit that reaches nobody is no error worth a crash.
            let _ = io.to(room.clone()).emit("pong", &room).await;
        },
    );
}
