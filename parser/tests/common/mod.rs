#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use botfeat::{Feature, FeatureFile, FeatureType, Value};

/// A file of `n` features named `f0`, `f1`, …, all `u32` with default 0.
pub fn features(n: usize) -> FeatureFile {
    FeatureFile {
        serial: 7,
        features: (0..n)
            .map(|i| Feature {
                name: format!("f{i}").into(),
                ty: FeatureType::U32,
                default: Some(Value::U32(0)),
            })
            .collect(),
    }
}

pub fn one(name: &str, ty: FeatureType, default: Option<Value>) -> FeatureFile {
    FeatureFile {
        serial: 1,
        features: vec![Feature {
            name: name.to_string().into(),
            ty,
            default,
        }],
    }
}

/// A text file with a header, serial 1, and the given feature lines.
pub fn text(lines: &[&str]) -> Vec<u8> {
    let mut s = String::from("botfeat 1\nserial 1\n");
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s.into_bytes()
}
