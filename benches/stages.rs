//! Per-stage benchmarks on ~200 realistic messages from data/test.csv.
//!
//! Each benchmark iteration processes the whole message list, so the reported time is per
//! ~200 messages and the throughput line (elements/s) is messages per second.
//!
//!     cargo bench --bench stages
//!     cargo bench --bench stages -- tokenize      # one stage only

use collectguard::features::SparseVec;
use collectguard::output::Record;
use collectguard::{Classifier, Normalized, normalize};
use criterion::{BatchSize, Criterion, Throughput, black_box, criterion_group, criterion_main};
use std::path::Path;
use std::time::Duration;

const MESSAGES: usize = 200;

/// Up to `MESSAGES` texts from data/test.csv, spread evenly across the file so every
/// label and source is represented.
fn messages() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/test.csv");
    let mut reader =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = reader.headers().expect("test.csv header").clone();
    let col = headers.iter().position(|h| h == "text").expect("test.csv has a text column");
    let all: Vec<String> = reader
        .records()
        .map(|r| r.expect("test.csv row").get(col).unwrap_or("").to_string())
        .filter(|t| !t.trim().is_empty())
        .collect();
    assert!(!all.is_empty(), "no messages in {}", path.display());
    let step = (all.len() / MESSAGES).max(1);
    all.into_iter().step_by(step).take(MESSAGES).collect()
}

fn stages(c: &mut Criterion) {
    let texts = messages();
    let classifier = Classifier::with_default_model().expect("default model");
    let norms: Vec<Normalized> = texts.iter().map(|t| normalize(t)).collect();
    let feats: Vec<SparseVec> = texts.iter().zip(&norms).map(|(t, n)| classifier.features(t, n)).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    eprintln!("stages: {} messages, {} bytes", texts.len(), bytes);

    let mut g = c.benchmark_group("stages");
    g.sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(texts.len() as u64));

    g.bench_function("normalize", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(normalize(black_box(t)));
            }
        })
    });

    let tokenizer = classifier.tokenizer();
    g.bench_function("tokenize", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for norm in &norms {
                tokenizer.terms(black_box(norm), |term, range| {
                    black_box(term);
                    n += range.end;
                });
            }
            black_box(n)
        })
    });

    g.bench_function("features", |b| {
        b.iter(|| {
            for (t, norm) in texts.iter().zip(&norms) {
                black_box(classifier.features(t, black_box(norm)));
            }
        })
    });

    let model = classifier.model();
    g.bench_function("model", |b| {
        b.iter(|| {
            for x in &feats {
                black_box(model.predict(black_box(x)));
            }
        })
    });

    let lexicon = classifier.lexicon();
    g.bench_function("cues", |b| {
        b.iter(|| {
            for (t, norm) in texts.iter().zip(&norms) {
                black_box(lexicon.find(black_box(t), black_box(norm)));
            }
        })
    });

    g.bench_function("classify", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(classifier.classify(black_box(t)));
            }
        })
    });

    // The JSON Lines record alone: the hand-written encoder against serde_json on the
    // same records (they write the same bytes; a unit test checks that).
    let verdicts: Vec<_> = texts.iter().map(|t| classifier.classify(t)).collect();
    let records: Vec<Record> = texts.iter().zip(&verdicts).map(|(t, v)| Record::new("-", 1, t, v)).collect();
    let mut out = Vec::with_capacity(1 << 20);
    g.bench_function("jsonl_encode", |b| {
        b.iter(|| {
            out.clear();
            for r in &records {
                black_box(r).encode(&mut out);
            }
            black_box(out.len())
        })
    });
    g.bench_function("jsonl_serde", |b| {
        b.iter(|| {
            out.clear();
            for r in &records {
                serde_json::to_writer(&mut out, black_box(r)).expect("writing to a Vec");
                out.push(b'\n');
            }
            black_box(out.len())
        })
    });
    g.finish();

    // Start-up costs, measured once per iteration (slow: a few samples are enough).
    let mut g = c.benchmark_group("startup");
    g.sample_size(10).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    g.bench_function("classifier_new", |b| {
        b.iter_batched(|| (), |_| Classifier::with_default_model().unwrap(), BatchSize::PerIteration)
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
