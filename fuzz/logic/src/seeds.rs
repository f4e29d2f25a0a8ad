//! The seed corpus: inputs that reach every botfeat error kind and the 18 Nov 2025 files, made
//! from code so `corpus seed` can rebuild them. Each comes with a note for its expectation line.

// Builds fixed seeds from fixed data, never from input: indexing here cannot be driven by an attacker.
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use botfeat::{Feature, FeatureFile, FeatureType, Value, binary, rows, text};

use crate::Target;

/// The fixed `f0`…`f{n-1}` file (the test kit's one definition of it).
fn features(n: usize, serial: u64) -> FeatureFile {
    testkit::generate::numbered(n, serial)
}

fn every_type() -> FeatureFile {
    let f = |name: &str, ty, default| Feature {
        name: name.into(),
        ty,
        default,
    };
    FeatureFile {
        serial: 1_732_752_000,
        features: vec![
            f("is_tor", FeatureType::Bool, Some(Value::Bool(false))),
            f("ttl", FeatureType::U8, Some(Value::U8(255))),
            f("port", FeatureType::U16, Some(Value::U16(443))),
            f("asn", FeatureType::U32, Some(Value::U32(13335))),
            f("bytes", FeatureType::U64, Some(Value::U64(u64::MAX))),
            f("delta", FeatureType::I64, Some(Value::I64(i64::MIN))),
            f("entropy", FeatureType::F32, Some(Value::F32(-0.0))),
            f("score", FeatureType::F64, Some(Value::F64(0.1))),
            f(
                "client_ip",
                FeatureType::Ip,
                Some(Value::Ip(
                    "2001:db8::1"
                        .parse()
                        .unwrap_or(std::net::IpAddr::from([0u8; 16])),
                )),
            ),
            f(
                "ua",
                FeatureType::Str(32),
                Some(Value::Str("chrome \"beta\"\n\u{e9}".into())),
            ),
            f("ja4", FeatureType::Str(36), None),
        ],
    }
}

/// The 18 Nov 2025 rows: 60 columns from `default`, then the same from `r0`.
pub fn doubled_rows() -> Vec<u8> {
    let mut file = every_type();
    for i in file.features.len()..60 {
        file.features.push(Feature {
            name: format!("feat_{i:02}").into(),
            ty: FeatureType::F64,
            default: None,
        });
    }
    let mut out = rows::write_unchecked(&file, Some("default"));
    out.push_str(&rows::write_unchecked(&file, Some("r0")));
    out.into_bytes()
}

fn header(version: u16, flags: u16, len: u32) -> Vec<u8> {
    let mut h = binary::MAGIC.to_vec();
    h.extend_from_slice(&version.to_le_bytes());
    h.extend_from_slice(&flags.to_le_bytes());
    h.extend_from_slice(&len.to_le_bytes());
    h.extend_from_slice(&[0; 4]);
    h
}

/// `(target, input, note)` for every seed.
pub fn all() -> Vec<(Target, Vec<u8>, &'static str)> {
    let mut out: Vec<(Target, Vec<u8>, &'static str)> = Vec::new();
    let mut text_seed = |bytes: Vec<u8>, note| out.push((Target::ParseText, bytes, note));
    text_seed(
        text::write_unchecked(&every_type()).into_bytes(),
        "every type, canonical",
    );
    text_seed(
        include_bytes!("../../../parser/tests/fixtures/valid/example.features").to_vec(),
        "FORMAT.md example",
    );
    text_seed(
        include_bytes!("../../../parser/tests/fixtures/valid/crlf_tabs_comments.features").to_vec(),
        "CRLF, tabs, comments, escapes",
    );
    text_seed(
        text::write_unchecked(&features(200, 7)).into_bytes(),
        "200 features: the limit",
    );
    text_seed(
        text::write_unchecked(&features(201, 7)).into_bytes(),
        "201 features: one past the limit",
    );
    text_seed(b"botfeat 1\nserial 1\n".to_vec(), "no features");
    text_seed(
        format!("botfeat 1\n#{}\n", "x".repeat(4096)).into_bytes(),
        "4097-byte line",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature Asn u32\n".to_vec(),
        "bad name",
    );
    text_seed(
        format!("botfeat 1\nserial 1\nfeature {} u32\n", "n".repeat(65)).into_bytes(),
        "65-byte name",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a u32\nfeature a u64\n".to_vec(),
        "duplicate",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a u128\n".to_vec(),
        "unknown type",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a str(4097)\n".to_vec(),
        "str(4097)",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a u32 default=4294967296\n".to_vec(),
        "u32::MAX + 1",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a f32 default=1e39\n".to_vec(),
        "f32 overflow",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a bool default=yes\n".to_vec(),
        "not a bool",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a str(2) default=\"abc\"\n".to_vec(),
        "string over its size",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a str(8) default=\"\\x41\"\n".to_vec(),
        "bad escape",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature \xff u32\n".to_vec(),
        "invalid UTF-8",
    );
    text_seed(
        b"botfeat 1\nserial 1\nfeature a u32 default=1 extra\n".to_vec(),
        "trailing token",
    );
    text_seed(b"botfeat 1\nfeature a u32\n".to_vec(), "missing serial");
    text_seed(b"botfeat 2\nserial 1\n".to_vec(), "unsupported version");

    out.push((
        Target::IngestRows,
        doubled_rows(),
        "18 Nov 2025: every column from default and again from r0",
    ));
    out.push((
        Target::IngestRows,
        include_bytes!("../../../parser/tests/fixtures/valid/generator_60_rows.jsonl").to_vec(),
        "the generator's 60 rows",
    ));
    out.push((
        Target::IngestRows,
        rows::write_unchecked(&every_type(), Some("default")).into_bytes(),
        "every type",
    ));
    out.push((
        Target::IngestRows,
        rows::write_unchecked(&features(201, 0), None).into_bytes(),
        "201 rows",
    ));
    out.push((
        Target::IngestRows,
        b"{\"name\":\"a\",\"type\":\"Bool\",\"comment\":\"x\"}\n".to_vec(),
        "unknown key",
    ));
    out.push((
        Target::IngestRows,
        b"{\"name\":\"a\"}\n".to_vec(),
        "missing key",
    ));
    out.push((
        Target::IngestRows,
        b"{\"name\":\"a\",\"type\":\"Array(UInt8)\"}\n".to_vec(),
        "unsupported ClickHouse type",
    ));
    out.push((
        Target::IngestRows,
        b"{\"name\":\"a\",\"type\":\"UInt64\",\"default\":\"18446744073709551616\"}\n".to_vec(),
        "u64::MAX + 1, quoted",
    ));
    out.push((
        Target::IngestRows,
        b"{\"name\":\"a\",\"type\":\"Float32\",\"default\":1e39}\n".to_vec(),
        "f32 overflow",
    ));
    out.push((
        Target::IngestRows,
        b"{\"name\":\"a\",\"type\":\"UInt8\"\n".to_vec(),
        "not JSON",
    ));

    let bin = |f: &FeatureFile| binary::encode_unchecked(f);
    let good = bin(&every_type());
    let mut edit = |note, change: &dyn Fn(&mut Vec<u8>)| {
        let mut b = good.clone();
        change(&mut b);
        out.push((Target::ParseBinary, b, note));
    };
    edit("every type", &|_| {});
    edit("bad magic", &|b| b[0] = b'X');
    edit("version 2", &|b| b[4] = 2);
    edit("flags set", &|b| b[6] = 1);
    edit("checksum mismatch", &|b| {
        let last = b.len() - 1;
        b[last] ^= 0x40;
    });
    edit("truncated payload", &|b| b.truncate(b.len() - 3));
    edit("trailing byte", &|b| b.push(0));
    edit("truncated header", &|b| b.truncate(9));
    out.push((
        Target::ParseBinary,
        header(1, 0, u32::MAX),
        "declared payload of 4 GiB: refused before reading",
    ));
    out.push((
        Target::ParseBinary,
        bin(&features(200, 3)),
        "200 features: the limit",
    ));
    out.push((
        Target::ParseBinary,
        bin(&features(201, 3)),
        "201 features from a hostile writer",
    ));
    out.push((Target::ParseBinary, bin(&features(0, 3)), "no features"));
    let mut doubled = every_type();
    doubled.features.extend(every_type().features);
    out.push((Target::ParseBinary, bin(&doubled), "every feature twice"));
    let one = |name: &str, ty, default| {
        bin(&FeatureFile {
            serial: 1,
            features: vec![Feature {
                name: name.into(),
                ty,
                default,
            }],
        })
    };
    out.push((
        Target::ParseBinary,
        one("Bad", FeatureType::Bool, None),
        "bad name",
    ));
    out.push((
        Target::ParseBinary,
        one(&"n".repeat(65), FeatureType::Bool, None),
        "65-byte name",
    ));
    out.push((
        Target::ParseBinary,
        one("s", FeatureType::Str(4097), None),
        "str(4097)",
    ));
    out.push((
        Target::ParseBinary,
        one("s", FeatureType::Str(2), Some(Value::Str("abc".into()))),
        "string over its size",
    ));
    out.push((
        Target::ParseBinary,
        one("f", FeatureType::F64, Some(Value::F64(f64::NAN))),
        "NaN default",
    ));
    out.push((
        Target::ParseBinary,
        one("u", FeatureType::U8, Some(Value::Bool(true))),
        "default of another type",
    ));
    // serial 1, count u64::MAX (0xFD + 8 × 0xFF), then nothing: the claim allocates nothing.
    out.push((
        Target::ParseBinary,
        binary::frame(&[1, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        "count claims u64::MAX",
    ));
    // serial 1, count 1, name of length u64::MAX.
    out.push((
        Target::ParseBinary,
        binary::frame(&[1, 1, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        "name length claims u64::MAX",
    ));
    // serial 1, count 1, name "a", type tag 42.
    out.push((
        Target::ParseBinary,
        binary::frame(&[1, 1, 1, b'a', 42]),
        "unknown type tag",
    ));
    out.push((
        Target::ParseBinary,
        binary::frame(&[1, 1, 2, 0xC3, 0x28, 0]),
        "name not UTF-8",
    ));

    for (i, bytes) in [
        vec![0u8; 64],
        vec![0xFF; 64],
        (0..=255u8).collect(),
        vec![1u8; 32],
    ]
    .into_iter()
    .enumerate()
    {
        let note = ["zeros", "ones", "every byte", "near-limit count branch"][i];
        out.push((Target::Roundtrip, bytes.clone(), note));
        out.push((Target::Reload, bytes, note));
    }
    out.push((
        Target::TomlConfig,
        b"[workspace]\nresolver = \"3\"\nmembers = [\"parser\", \"harness\"]\n\n[workspace.lints.clippy]\nunwrap_used = \"deny\"\n\n[workspace.dependencies]\nbincode = { version = \"=2.0.1\", default-features = false, features = [\"std\"] }\n".to_vec(),
        "a Cargo workspace manifest",
    ));
    out.push((Target::TomlConfig, b"[server]\nport = 8080\nhosts = [\"a\", \"b\"]\n[[rule]]\nname = \"x\"\nweight = -0.0\nwhen = 2026-11-28T00:00:00Z\n[rule.limits]\nmax = 200\n".to_vec(), "tables, arrays of tables, datetime, -0.0"));
    out.push((Target::TomlConfig, b"a = [[[[[[[[1]]]]]]]]\nb = { c = { d = { e = 1 } } }\ns = \"\"\"multi\nline\"\"\"\nnan = nan\n".to_vec(), "nesting, multiline string, nan"));
    out.push((
        Target::TomlConfig,
        b"a = 1\na = 2\n".to_vec(),
        "duplicate key",
    ));
    out
}
