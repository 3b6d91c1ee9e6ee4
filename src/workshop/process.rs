//! The learner's server as a process: started with `PORT` set, in a
//! process group of its own (so that `cargo run`'s or `npm start`'s child
//! goes with it), its output kept to show, waited for until it accepts
//! connections (bounded), and killed with its whole group when dropped.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many of the server's last output lines are kept to show.
const TAIL: usize = 30;

/// A started server; dropping it kills its process group.
pub struct Learner {
    child: Child,
    /// Its standard output and error, interleaved, the last [`TAIL`] lines.
    output: Arc<Mutex<VecDeque<String>>>,
    pub port: u16,
    /// The command as typed, for messages.
    pub shown: String,
}

/// Why the server could not be used.
#[derive(Debug)]
pub enum Unready {
    /// It could not be started at all (no such program).
    Spawn(String),
    /// It exited before it listened.
    Exited(ExitStatus),
    /// It runs but never accepted a connection on the port.
    NeverListened,
}

impl Learner {
    /// Starts `command` (program and arguments) with `PORT=port`.
    pub fn start(command: &[String], port: u16) -> Result<Learner, Unready> {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| Unready::Spawn("no command was given".to_owned()))?;
        let mut built = Command::new(program);
        built
            .args(args)
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut built, 0);
        let mut child = built
            .spawn()
            .map_err(|e| Unready::Spawn(format!("could not start `{program}`: {e}")))?;
        let output = Arc::new(Mutex::new(VecDeque::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            // Ends by itself when the process (and its group) closes the pipe.
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut tail = output.lock().unwrap_or_else(|p| p.into_inner());
                    if tail.len() == TAIL {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            });
        }
        Ok(Learner {
            child,
            output,
            port,
            shown: command.join(" "),
        })
    }

    /// Waits until something accepts connections on the port, the process
    /// exits, or `bound` passes; tries every 50 ms (nothing announces a
    /// listening socket, so this is polled, bounded).
    pub fn wait_listening(&mut self, bound: Duration) -> Result<(), Unready> {
        let started = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Some(status) = self.exited() {
                return Err(Unready::Exited(status));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if started.elapsed() >= bound {
                return Err(Unready::NeverListened);
            }
            // A poll between tries of a connection, not a wait for an event.
            std::thread::park_timeout(Duration::from_millis(50));
        }
    }

    /// How it exited, if it has.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Its last output lines, as they came.
    pub fn output(&self) -> Vec<String> {
        self.output
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Waits (bounded) for the reader threads to take in the output of a
    /// process that has exited.
    pub fn settle_output(&mut self) {
        let started = Instant::now();
        let mut last = usize::MAX;
        while started.elapsed() < Duration::from_millis(500) {
            let now = self.output.lock().map(|t| t.len()).unwrap_or(0);
            if now == last && Arc::strong_count(&self.output) == 1 {
                return;
            }
            last = now;
            std::thread::park_timeout(Duration::from_millis(20));
        }
    }

    /// Ends the whole process group: TERM, then KILL if it is still there
    /// after a second; reaps the leader.
    pub fn kill(&mut self) {
        #[cfg(unix)]
        {
            use rustix::process::{Pid, Signal, kill_process_group, test_kill_process_group};
            let group = Pid::from_child(&self.child);
            let _ = kill_process_group(group, Signal::TERM);
            let started = Instant::now();
            while test_kill_process_group(group).is_ok()
                && started.elapsed() < Duration::from_secs(1)
            {
                // Reap the leader, or the group stays alive as its zombie.
                let _ = self.child.try_wait();
                std::thread::park_timeout(Duration::from_millis(10));
            }
            // The group may be gone already: no error worth reporting.
            let _ = kill_process_group(group, Signal::KILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Learner {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free loopback port for the server (bound, then released for it).
pub fn free_port() -> std::io::Result<u16> {
    std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()
        .map(|a| a.port())
}
