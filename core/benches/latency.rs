//! Latency percentiles of discover + redact for a 4 KB prompt (criterion reports means, the
//! target is a p99). `cargo bench -p pai-core --bench latency`
// Test support: a failed set-up step should fail the test at once, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use pai_core::protection::{redact, ProtectionConfig, ProtectionEngine};
use std::hint::black_box;
use std::time::Instant;

/// Nanoseconds of CPU time this thread has used, to separate the engine's own cost from time
/// spent preempted on a busy machine.
fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

fn main() {
    let engine = ProtectionEngine::new(ProtectionConfig::default()).expect("engine");
    let sentences = [
        "Hi, I'm Maria Garcia and I need help with my account. ",
        "Please send the invoice to maria.garcia@example.com before Friday. ",
        "My card 4111 1111 1111 1111 was charged twice last month, can you check? ",
        "You can call me on (415) 555-2671 or +44 20 7946 0958 after 5pm. ",
        "Could you explain how transformers use attention in plain words? ",
        "Wire the refund to DE89 3704 0044 0532 0130 00 please. ",
        "I moved from Chicago to Berlin in 2019 and changed banks. ",
        "Write a short poem about the sea, the wind and a lighthouse at night. ",
        "My SSN is 536-22-1234 and my date of birth is 1985-03-14. ",
        "Café crème, 東京 and 😀 are in the notes too. ",
    ];
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 4096 {
        text.push_str(sentences[i % sentences.len()]);
        i += 1;
    }
    let runs = 5_000;
    for _ in 0..500 {
        black_box(redact::redact(&text, &engine.discover(&text, 0.6)));
    }
    let mut times = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    for _ in 0..runs {
        let c0 = thread_cpu_ns();
        let t = Instant::now();
        let entities = engine.discover(black_box(&text), 0.6);
        black_box(redact::redact(&text, &entities));
        times.push(t.elapsed().as_nanos() as f64 / 1000.0);
        if let (Some(a), Some(b)) = (c0, thread_cpu_ns()) {
            cpu.push(b.saturating_sub(a) as f64 / 1000.0);
        }
    }
    if cpu.len() == runs {
        cpu.sort_by(f64::total_cmp);
        let q = |p: f64| cpu[((runs as f64 * p) as usize).min(runs - 1)];
        println!(
            "  on-CPU time per call: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs (excludes time preempted)",
            q(0.50),
            q(0.90),
            q(0.99)
        );
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((runs as f64 * p) as usize).min(runs - 1)];
    println!(
        "discover+redact {} bytes, {} runs: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        text.len(),
        runs,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        times[runs - 1]
    );
}
