//! Wall time of each built-in lesson (the cluster lesson among them), and
//! of 1,000 connects plus one broadcast, start-up and shutdown included;
//! then the 9,000-client fan-out of `sockets-tour scale`, on one server and
//! spread over three sharing the adapter. `cargo bench` prints a table.

use std::time::{Duration, Instant};

use sockets_tour::BUILTIN;
use sockets_tour::Output;
use sockets_tour::Setup;

const RUNS: usize = 30;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time_lesson(
    runtime: &tokio::runtime::Runtime,
    lesson: &sockets_tour::Lesson,
    runs: usize,
) -> (Duration, Duration) {
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let summary = runtime
                .block_on(sockets_tour::run_lesson(
                    lesson,
                    &mut std::io::sink(),
                    &Setup::loopback(Output::default()),
                ))
                .expect("the lesson runs");
            assert_eq!(summary.mismatched, 0);
            start.elapsed()
        })
        .collect();
    let min = *times.iter().min().expect("at least one run");
    (median(times), min)
}

/// Peak resident memory of this process so far, from /proc (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    println!("{:<28} {:>10} {:>10}", "scenario", "median", "min");
    for (name, text) in BUILTIN {
        let lesson = sockets_tour::parse_markdown(text).expect("the lesson parses");
        let (med, min) = time_lesson(&runtime, &lesson, RUNS);
        let steps = lesson.statements().count();
        println!(
            "{:<28} {:>8.2}ms {:>8.2}ms",
            format!("{name} ({steps} steps)"),
            ms(med),
            ms(min)
        );
    }
    for clients in [100, 1000] {
        let mut script: String = (0..clients).map(|i| format!("connect c{i}\n")).collect();
        script.push_str("io.emit(\"hello\", \"everyone\")\n");
        let lesson = sockets_tour::load_lesson("many.tour", &script).expect("the script parses");
        let (med, min) = time_lesson(&runtime, &lesson, 5);
        println!(
            "{:<28} {:>8.2}ms {:>8.2}ms",
            format!("{clients} connects + 1 broadcast"),
            ms(med),
            ms(min)
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory: {mib:.1} MiB");
    }
    // Last: its peak memory is the process's from here on.
    for servers in [1, 3] {
        let report = runtime
            .block_on(sockets_tour::scale(FAN_OUT, servers))
            .expect("9,000 clients fit (scale refuses at once when they do not)");
        print!("{report}");
    }
}

/// The fan-out the issue targets: 9,000 clients, one broadcast.
const FAN_OUT: usize = 9_000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
