//! botfeat's codecs and runtime against in-run baselines on the same model: bincode 2.0.1's serde
//! path and serde_json, both decoding into owned `String`s. Ratios come from one run.
//!
//! `cargo bench -p botfeat --bench codecs` (all), or with a filter: `… -- decode_binary`.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;

use botfeat::runtime::{FeatureTable, RequestBuffer, ValueRef};
use botfeat::{FeatureType, Limits, Value, binary, text};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

#[path = "realistic.rs"]
mod realistic;
use realistic::{Inputs, PAIRS, owned, realistic};

fn codecs(c: &mut Criterion) {
    for n in [60usize, 200] {
        let file = realistic(n);
        let inputs = Inputs::new(&file);
        for pair in PAIRS {
            let mut g = c.benchmark_group(format!("{}/{n}", pair.group));
            g.throughput(Throughput::Bytes((pair.input_len)(&inputs) as u64));
            g.bench_function("botfeat", |b| b.iter(|| (pair.ours)(black_box(&inputs))));
            g.bench_function(pair.baseline, |b| {
                b.iter(|| (pair.theirs)(black_box(&inputs)))
            });
            g.finish();
        }

        let mut g = c.benchmark_group(format!("encode/{n}"));
        g.bench_function("text", |b| {
            b.iter(|| text::write(black_box(&file)).unwrap())
        });
        g.bench_function("binary", |b| {
            b.iter(|| binary::encode(black_box(&file)).unwrap())
        });
        let base = owned(&file);
        g.bench_function("baseline_serde_json", |b| {
            b.iter(|| serde_json::to_vec(black_box(&base)).unwrap())
        });
        g.bench_function("baseline_bincode_serde", |b| {
            b.iter(|| {
                bincode::serde::encode_to_vec(black_box(&base), bincode::config::standard())
                    .unwrap()
            })
        });
        g.finish();

        let mut g = c.benchmark_group(format!("runtime/{n}"));
        // Reference points in the same run: what a plain serde loader spends decoding the file.
        for pair in &PAIRS[..2] {
            g.bench_function(pair.baseline, |b| {
                b.iter(|| (pair.theirs)(black_box(&inputs)))
            });
        }
        g.bench_function("build_table", |b| {
            b.iter(|| FeatureTable::build(black_box(file.clone()), &Limits::DEFAULT).unwrap())
        });
        let table = FeatureTable::build(file.clone(), &Limits::DEFAULT).unwrap();
        let slots: Vec<_> = table
            .features()
            .iter()
            .map(|f| table.slot(&f.name).unwrap())
            .collect();
        let mut buffer = RequestBuffer::new(&Limits::DEFAULT);
        buffer.append_with_names(&table).unwrap();
        g.bench_function("fill_request_buffer", |b| {
            b.iter(|| {
                buffer.append_with_names(&table).unwrap();
                for (i, &slot) in slots.iter().enumerate() {
                    if i % 8 == 1 {
                        buffer.set(&table, slot, ValueRef::U32(i as u32)).unwrap();
                    }
                }
                black_box(buffer.get(&table, slots[0]).unwrap());
            })
        });
        g.finish();
    }
}

/// Cost against size: features 1 → 200, and file size up to the 1 MiB limit.
fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling_features");
    for n in [1usize, 10, 50, 100, 200] {
        let file = realistic(n);
        let bin = binary::encode(&file).unwrap();
        let txt = text::write(&file).unwrap();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("binary", n), &bin, |b, bin| {
            b.iter(|| binary::decode(black_box(bin)).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("text", n), &txt, |b, txt| {
            b.iter(|| text::parse(black_box(txt.as_bytes())).unwrap())
        });
        let inputs = Inputs::new(&file);
        for pair in &PAIRS[..2] {
            g.bench_with_input(BenchmarkId::new(pair.baseline, n), &inputs, |b, i| {
                b.iter(|| (pair.theirs)(black_box(i)))
            });
        }
    }
    g.finish();
    let mut g = c.benchmark_group("scaling_bytes");
    g.sample_size(20);
    for kib in [16usize, 64, 256, 1023] {
        // 60 features with long comments between them (text) / long string defaults (binary).
        let file = realistic(60);
        let mut txt = text::write(&file).unwrap();
        let line = format!("# {}\n", "x".repeat(4000));
        while txt.len() + line.len() <= kib * 1024 {
            txt.push_str(&line);
        }
        // Binary: 200 features with string defaults as long as the size asks (up to str(4096)).
        let mut big = realistic(200);
        let per = (kib * 1024 / 200).min(4096);
        for f in &mut big.features {
            f.ty = FeatureType::Str(4096);
            f.default = Some(Value::Str("y".repeat(per.saturating_sub(80))));
        }
        let bin = binary::encode(&big).unwrap();
        g.throughput(Throughput::Bytes(txt.len() as u64));
        g.bench_with_input(BenchmarkId::new("text_comments", kib), &txt, |b, txt| {
            b.iter(|| text::parse(black_box(txt.as_bytes())).unwrap())
        });
        g.throughput(Throughput::Bytes(bin.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("binary_long_strings", kib),
            &bin,
            |b, bin| b.iter(|| binary::decode(black_box(bin)).unwrap()),
        );
        let big_inputs = Inputs::new(&big);
        g.bench_with_input(
            BenchmarkId::new("baseline_bincode_serde_long_strings", kib),
            &big_inputs,
            |b, i| b.iter(|| (PAIRS[0].theirs)(black_box(i))),
        );
    }
    g.finish();
}

criterion_group!(benches, codecs, scaling);
criterion_main!(benches);
