//! Measures fan-out: `cargo run --release --example scale -- 1000 5000 9000`
//! runs each client count in turn (in one process) and prints what it cost.
//! Peak memory is the process's peak so far, so list counts in rising order.

fn main() -> anyhow::Result<()> {
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    for n in counts {
        let start = std::time::Instant::now();
        match runtime.block_on(sockets_tour::scale(n, 1)) {
            Ok(r) => println!(
                "{n:>6} clients: connect {:>7.1} ms, broadcast to last delivery {:>6.1} ms, \
                 peak RSS {:>4.0} MiB, shutdown {:>6.1} ms, wall {:>7.1} ms",
                r.connect.as_secs_f64() * 1e3,
                r.broadcast_to_last_delivery.as_secs_f64() * 1e3,
                r.peak_rss_bytes.unwrap_or(0) as f64 / f64::from(1 << 20),
                r.shutdown.as_secs_f64() * 1e3,
                start.elapsed().as_secs_f64() * 1e3,
            ),
            Err(e) => println!("{n:>6} clients: refused or failed: {e:#}"),
        }
    }
    Ok(())
}
