//! The engine against the official Socket.IO server (tests/reference).
