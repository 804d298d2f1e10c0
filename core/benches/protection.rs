//! Discovery + redaction and tokenization on prompts of 200 B, 4 KB and 64 KB; discovery on
//! disguised text of 4 KB and 1 MB.
//!
//! `cargo bench -p pai-core --bench protection`
// Test support: a failed set-up step should fail the test at once, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pai_core::ports::{RemoteScan, TenantKey};
use pai_core::protection::{
    redact, IssuedTokens, Mode, ProtectionConfig, ProtectionEngine, TokenContext,
};

/// Chat-like text with a realistic density of PII (about one entity per 100 bytes), built to
/// `size` bytes from rotating sentences.
fn prompt(size: usize) -> String {
    let sentences = [
        "Hi, I'm Maria Garcia and I need help with my account. ",
        "Please send the invoice to maria.garcia@example.com before Friday. ",
        "My card 4111 1111 1111 1111 was charged twice last month, can you check? ",
        "You can call me on (415) 555-2671 or +44 20 7946 0958 after 5pm. ",
        "The server at 192.168.10.254 keeps timing out when I upload files. ",
        "Could you explain how transformers use attention in plain words? ",
        "Wire the refund to DE89 3704 0044 0532 0130 00 please. ",
        "I moved from Chicago to Berlin in 2019 and changed banks. ",
        "Write a short poem about the sea, the wind and a lighthouse at night. ",
        "My SSN is 536-22-1234 and my date of birth is 1985-03-14. ",
        "Summarize the attached report in three bullet points for the board. ",
        "Here is the config: password: hunter2! and key AKIAIOSFODNN7EXAMPLE ",
        "Café crème, 東京 and 😀 are in the notes too. ",
    ];
    let mut out = String::with_capacity(size + 128);
    let mut i = 0;
    while out.len() < size {
        out.push_str(sentences[i % sentences.len()]);
        i += 1;
    }
    let mut cut = size.min(out.len());
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    out.truncate(cut);
    out
}

const SIZES: [(usize, &str); 3] = [(200, "200B"), (4 * 1024, "4KB"), (64 * 1024, "64KB")];

fn discover_and_redact(c: &mut Criterion) {
    let engine = ProtectionEngine::new(ProtectionConfig::default()).expect("engine");
    let mut group = c.benchmark_group("discover_redact");
    for (size, name) in SIZES {
        let text = prompt(size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, text| {
            b.iter(|| {
                let entities = engine.discover(black_box(text), 0.6);
                black_box(redact::redact(text, &entities))
            })
        });
    }
    group.finish();
}

fn tokenize(c: &mut Criterion) {
    let engine = ProtectionEngine::new(ProtectionConfig::default()).expect("engine");
    let key = TenantKey([7; 32]);
    let remote = RemoteScan::default();
    let mut group = c.benchmark_group("protect_input");
    for (size, name) in SIZES {
        let text = prompt(size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, text| {
            b.iter(|| {
                // A fresh conversation each time: every value is encrypted, none cached.
                let mut ctx = TokenContext::new("bench-conv", &key, IssuedTokens::new());
                black_box(engine.process_input(black_box(text), Mode::Protect, &mut ctx, &remote))
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("token");
    let mut ctx = TokenContext::new("bench-conv", &key, IssuedTokens::new());
    for (ty, value) in [
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("EMAIL", "maria.garcia@example.com"),
        ("PERSON", "Maria Garcia"),
    ] {
        // protect() encrypts every time; only the issued-set insert is skipped on repeats.
        group.bench_function(format!("protect_{ty}"), |b| {
            b.iter(|| black_box(ctx.protect(ty, black_box(value))))
        });
        let token = ctx.protect(ty, value);
        group.bench_function(format!("reveal_{ty}"), |b| {
            b.iter(|| black_box(ctx.reveal(black_box(&token))))
        });
    }
    group.bench_function("context_new", |b| {
        b.iter(|| {
            black_box(TokenContext::new(
                black_box("bench-conv"),
                &key,
                IssuedTokens::new(),
            ))
        })
    });
    group.finish();
}

/// Construction, paid on every cold start: the whole engine, and the PERSON/LOCATION recognizer
/// alone (its name lists are the largest data it loads).
fn construction(c: &mut Criterion) {
    let mut group = c.benchmark_group("construction");
    group.sample_size(20);
    group.bench_function("engine_new", |b| {
        b.iter(|| black_box(ProtectionEngine::new(ProtectionConfig::default()).unwrap()))
    });
    group.bench_function("name_recognizer_new", |b| {
        b.iter(|| black_box(pai_core::protection::recognizers::NameRecognizer::new().unwrap()))
    });
    group.finish();
}

/// Disguised values (full-width digits, zero-width and no-break characters, dots as separators):
/// the folded view has edits throughout. 4 KB, and 1 MB for the linear-time check.
fn discover_disguised(c: &mut Criterion) {
    let engine = ProtectionEngine::new(ProtectionConfig::default()).expect("engine");
    let unit = "Card ４１１１ １１１１ １１１１ １１１１, mail jane\u{200B}@example.com, SSN 536.22.1874, \
                call 415\u{00A0}555\u{2011}2671, 東京 😀 — version 1.2.3.4 on Nov 8. ";
    let mut group = c.benchmark_group("discover_disguised");
    group.sample_size(10);
    for (size, name) in [(4 * 1024, "4KB"), (1 << 20, "1MB")] {
        let mut text = String::with_capacity(size + unit.len());
        while text.len() < size {
            text.push_str(unit);
        }
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, text| {
            b.iter(|| {
                let entities = engine.discover(black_box(text), 0.6);
                black_box(redact::redact(text, &entities))
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    discover_and_redact,
    tokenize,
    construction,
    discover_disguised
);
criterion_main!(benches);
