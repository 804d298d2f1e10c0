//! Engine side of `bench/pii/run`: scans a JSONL corpus with `scan_jsonl` (file to file) and
//! times discovery over the same texts in memory. Paths come from `PII_SCAN_INPUT` and
//! `PII_SCAN_OUTPUT`; timings are printed as one JSON object.
use pai_core::protection::{scan_jsonl, ProtectionConfig, ProtectionEngine};
use std::hint::black_box;
use std::io::{BufRead, BufReader, BufWriter};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (Ok(input), Ok(output)) = (
        std::env::var("PII_SCAN_INPUT"),
        std::env::var("PII_SCAN_OUTPUT"),
    ) else {
        eprintln!("pii_scan: set PII_SCAN_INPUT and PII_SCAN_OUTPUT (bench/pii/run does)");
        return Ok(());
    };
    let threshold: f64 = std::env::var("PII_SCAN_THRESHOLD")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.6);
    let t = Instant::now();
    let engine = ProtectionEngine::new(ProtectionConfig::default())?;
    let build_seconds = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let stats = scan_jsonl(
        &engine,
        threshold,
        BufReader::new(std::fs::File::open(&input)?),
        BufWriter::new(std::fs::File::create(&output)?),
    )?;
    let scan_seconds = t.elapsed().as_secs_f64();

    let mut texts = Vec::new();
    for line in BufReader::new(std::fs::File::open(&input)?).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        if let Some(s) = v.get("text").and_then(|t| t.as_str()) {
            texts.push(s.to_owned());
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    // Best of three passes over the corpus, discovery only (what Presidio's analyze() does).
    let mut best = f64::MAX;
    let mut per_text = Vec::with_capacity(texts.len());
    for pass in 0..3 {
        let t = Instant::now();
        for text in &texts {
            let t1 = Instant::now();
            black_box(engine.discover(black_box(text), threshold));
            if pass == 2 {
                per_text.push(t1.elapsed().as_secs_f64() * 1e6);
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    per_text.sort_by(f64::total_cmp);
    let p = |q: f64| {
        per_text[((per_text.len() as f64 * q) as usize).min(per_text.len().saturating_sub(1))]
    };
    println!(
        "{}",
        serde_json::json!({
            "records": stats.scanned,
            "errors": stats.errors,
            "bytes": bytes,
            "engine_build_seconds": build_seconds,
            "scan_jsonl_seconds": scan_seconds,
            "discover_seconds": best,
            "per_text_us_p50": p(0.5),
            "per_text_us_p99": p(0.99),
        })
    );
    Ok(())
}
