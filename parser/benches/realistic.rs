//! The benchmark model and the baselines each decoder is measured against, shared by the
//! criterion benchmarks (`codecs.rs`), the interleaved ratios (`ratios.rs`) and
//! `examples/profile_decode.rs`, so a profile shows the file the benchmarks time.
// Each user (benchmarks, ratios, the profiling example) takes a different part.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::hint::black_box;

use botfeat::{Feature, FeatureFile, FeatureType, Value, binary, rows, text};
use serde::{Deserialize, Serialize};

/// A realistic file: names like the generator's, every type, defaults on most features.
pub fn realistic(n: usize) -> FeatureFile {
    let prefixes = [
        "ja4", "ua", "asn", "tls", "h2", "ip", "bot", "req", "hdr", "geo",
    ];
    let features = (0..n)
        .map(|i| {
            let name = format!(
                "{}_{}_{i}",
                prefixes[i % prefixes.len()],
                ["score", "count", "flag", "hash", "ratio"][i % 5]
            );
            let (ty, default) = match i % 8 {
                0 => (FeatureType::F32, Some(Value::F32(0.5))),
                1 => (FeatureType::U32, Some(Value::U32(13335))),
                2 => (FeatureType::Bool, Some(Value::Bool(false))),
                3 => (
                    FeatureType::Str(36),
                    Some(Value::Str("t13d1516h2_8daaf6152771_e5627efa2ab1".into())),
                ),
                4 => (FeatureType::U64, Some(Value::U64(0))),
                5 => (FeatureType::F64, Some(Value::F64(-0.25))),
                6 => (
                    FeatureType::Ip,
                    Some(Value::Ip("2001:db8::1".parse().unwrap())),
                ),
                _ => (FeatureType::Str(64), None),
            };
            Feature {
                name: name.into(),
                ty,
                default,
            }
        })
        .collect();
    FeatureFile {
        serial: 1_732_752_000,
        features,
    }
}

/// The same model as a plain serde document with owned strings: what a straightforward loader
/// would deserialize.
#[derive(Serialize, Deserialize)]
pub struct OwnedFile {
    serial: u64,
    features: Vec<OwnedFeature>,
}

#[derive(Serialize, Deserialize)]
struct OwnedFeature {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    default: Option<String>,
}

/// One JSONEachRow row, deserialized plainly.
#[derive(Deserialize)]
struct PlainRow {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[allow(dead_code)]
    database: Option<String>,
    #[allow(dead_code)]
    default: Option<serde_json::Value>,
}

pub fn owned(file: &FeatureFile) -> OwnedFile {
    OwnedFile {
        serial: file.serial,
        features: file
            .features
            .iter()
            .map(|f| OwnedFeature {
                name: f.name.to_string(),
                ty: f.ty.to_string(),
                default: f.default.as_ref().map(|v| format!("{v:?}")),
            })
            .collect(),
    }
}

/// One file in every form the decoders and their baselines read.
pub struct Inputs {
    pub binary: Vec<u8>,
    pub text: String,
    pub rows: String,
    pub baseline_bincode: Vec<u8>,
    pub baseline_json: Vec<u8>,
}

impl Inputs {
    pub fn new(file: &FeatureFile) -> Self {
        let base = owned(file);
        Inputs {
            binary: binary::encode(file).unwrap(),
            // Unchecked: a model with very long strings has no valid text form (its lines pass
            // the line limit), and the long-string benchmarks only need its other forms.
            text: text::write_unchecked(file),
            rows: rows::write_unchecked(file, Some("default")),
            baseline_bincode: bincode::serde::encode_to_vec(&base, bincode::config::standard())
                .unwrap(),
            baseline_json: serde_json::to_vec(&base).unwrap(),
        }
    }
}

/// A decoder and the baseline its goal is a ratio of.
pub struct Pair {
    pub group: &'static str,
    pub baseline: &'static str,
    pub goal: &'static str,
    pub input_len: fn(&Inputs) -> usize,
    pub ours: fn(&Inputs),
    pub theirs: fn(&Inputs),
}

pub const PAIRS: [Pair; 3] = [
    Pair {
        group: "decode_binary",
        baseline: "baseline_bincode_serde",
        goal: "≤ 0.17 (1/6)",
        input_len: |i| i.binary.len(),
        ours: |i| drop(black_box(binary::decode(&i.binary).unwrap())),
        theirs: |i| {
            drop(black_box(
                bincode::serde::decode_from_slice::<OwnedFile, _>(
                    &i.baseline_bincode,
                    bincode::config::standard(),
                )
                .unwrap(),
            ))
        },
    },
    Pair {
        group: "parse_text",
        baseline: "baseline_serde_json",
        goal: "≤ 0.20 (1/5)",
        input_len: |i| i.text.len(),
        ours: |i| drop(black_box(text::parse(i.text.as_bytes()).unwrap())),
        theirs: |i| {
            drop(black_box(
                serde_json::from_slice::<OwnedFile>(&i.baseline_json).unwrap(),
            ))
        },
    },
    Pair {
        group: "ingest_rows",
        baseline: "baseline_serde_json_per_line",
        goal: "≤ 1.2",
        input_len: |i| i.rows.len(),
        ours: |i| drop(black_box(rows::parse(i.rows.as_bytes(), 1).unwrap())),
        theirs: |i| {
            black_box(
                i.rows
                    .as_bytes()
                    .split(|&c| c == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(|l| serde_json::from_slice::<PlainRow>(l).unwrap())
                    .map(|r| r.name.len() + r.ty.len())
                    .sum::<usize>(),
            );
        },
    },
];
