//! The benchmark model, shared with `examples/profile_decode.rs` so a profile shows the file the
//! benchmarks time.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use botfeat::{Feature, FeatureFile, FeatureType, Value};

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
