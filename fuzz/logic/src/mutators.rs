//! botfeat's domain mutations, on top of the harness's config-format ones. Used by the
//! `fuzz_mutator!` of the raw targets and by the smoke tests.

use botfeat::{Feature, FeatureType, Value};
use fastrand::Rng;
use harness::mutate;

/// Text: the harness's line and number mutations, plus numbered copies of a `feature` line
/// (distinct names, so the 201st feature is reached without a duplicate first).
pub fn text(data: &mut Vec<u8>, rng: &mut Rng) {
    match rng.u8(..4) {
        0 => mutate::repeat_line_numbered(data, rng, b"feature ", 260),
        _ => mutate::mutate_text(data, rng),
    }
}

/// JSON rows: the same, with numbered copies of a row's `name`, and a doubled file whose second
/// half comes from database `r0` (the 18 Nov 2025 shape).
pub fn rows(data: &mut Vec<u8>, rng: &mut Rng) {
    match rng.u8(..5) {
        0 => mutate::repeat_line_numbered(data, rng, b"\"name\":\"", 260),
        1 => {
            let again = String::from_utf8_lossy(data).replace("\"default\"", "\"r0\"");
            if data.last() != Some(&b'\n') {
                data.push(b'\n');
            }
            data.extend_from_slice(again.as_bytes());
        }
        _ => mutate::mutate_text(data, rng),
    }
}

/// Binary: on a file the test kit's reader accepts, structural changes to the model written back
/// by the test kit's encoder (every feature twice, 150–250 more features, one duplicate anywhere,
/// a wrong-typed default) — the library's own codec is never used to make its inputs;
/// otherwise the harness's byte mutations (inflated length prefixes and varints, repeats).
pub fn binary(data: &mut Vec<u8>, rng: &mut Rng) {
    if let Ok(mut file) = testkit::binary::read(data) {
        match rng.u8(..4) {
            0 => {
                let copy = file.features.clone();
                file.features.extend(copy);
            }
            1 => {
                let base = file.features.first().cloned().unwrap_or(Feature {
                    name: "f".into(),
                    ty: FeatureType::U32,
                    default: None,
                });
                for k in 0..rng.usize(150..=250) {
                    file.features.push(Feature {
                        name: format!("{}_{k}", base.name).into(),
                        ..base.clone()
                    });
                }
            }
            2 => {
                if let Some(f) = file
                    .features
                    .get(rng.usize(..file.features.len().max(1)))
                    .cloned()
                {
                    let at = rng.usize(..=file.features.len());
                    file.features.insert(at, f);
                }
            }
            _ => {
                let at = rng.usize(..file.features.len().max(1));
                if let Some(f) = file.features.get_mut(at) {
                    f.default = Some(Value::F64(f64::MAX));
                }
            }
        }
        *data = testkit::binary::encode(&file);
        return;
    }
    match rng.u8(..3) {
        0 => mutate::inflate_length(data, rng),
        1 => mutate::repeat_span(data, rng, 64),
        _ => mutate::boundary_number(data, rng),
    }
}

/// Repairs a binary file's length and CRC after a mutation (most of the time), so mutations
/// reach the payload decoder instead of dying at the checksum.
#[allow(clippy::ptr_arg)] // The harness's `Fix` hook hands every repair a `Vec`.
pub fn fix_binary(data: &mut Vec<u8>, rng: &mut Rng) {
    // Seven times in eight: the length and CRC of the test kit's framing, computed from the bytes
    // with crc32fast — never the library's own `frame()`, whose bug would be inherited.
    if rng.u8(..8) != 0 {
        testkit::binary::reframe(data);
    }
}

/// TOML: the harness's generic mutations, with `[` and `{` runs for nesting.
pub fn toml(data: &mut Vec<u8>, rng: &mut Rng) {
    match rng.u8(..4) {
        0 => mutate::repeat_line_numbered(data, rng, b"", 64),
        _ => mutate::mutate_text(data, rng),
    }
}
