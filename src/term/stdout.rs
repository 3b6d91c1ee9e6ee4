//! Standard output for a command: once its reader has gone (`| head`), what
//! is still written is dropped, so the command ends as it would have,
//! quietly, instead of failing on a write nobody would read.

use std::io::{self, ErrorKind, Write};

pub struct Out {
    stdout: io::Stdout,
    /// The reader has gone: write nothing more.
    gone: bool,
}

impl Out {
    pub fn stdout() -> Out {
        Out {
            stdout: io::stdout(),
            gone: false,
        }
    }

    fn unless_gone(&mut self, result: io::Result<()>) -> io::Result<()> {
        match result {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                self.gone = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.gone {
            let written = self.stdout.write_all(buf);
            self.unless_gone(written)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.gone {
            return Ok(());
        }
        let flushed = self.stdout.flush();
        self.unless_gone(flushed)
    }
}
