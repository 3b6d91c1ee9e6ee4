//! The `sockets-tour` binary: parse the arguments, run, map to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    sockets_tour::main(std::env::args_os())
}
