//! botfeat's three decoders (and TOML) as harness targets.

use botfeat::runtime::{FeatureTable, RequestBuffer};
use botfeat::{Error, FeatureFile, Limits, binary, rows, text};
use harness::{Roundtrip, Target};

fn kind(e: &Error) -> String {
    e.kind().name().to_string()
}

fn position(e: &Error) -> Option<String> {
    Some(e.position().to_string())
}

/// Loads an accepted file the way the edge does: build the table, append it into a request
/// buffer preallocated for the limit, read every slot. Whatever the parser accepted must load:
/// a table that overflows the buffer is the 18 Nov 2025 bug.
pub fn load_like_the_edge(file: FeatureFile) -> Result<(), String> {
    let limits = Limits::DEFAULT;
    let table = FeatureTable::build(file, &limits)
        .map_err(|e| format!("accepted file does not build a table: {e}"))?;
    let mut buffer = RequestBuffer::new(&limits);
    buffer
        .append_with_names(&table)
        .map_err(|e| format!("accepted file does not load: {e}"))?;
    for feature in table.features() {
        let slot = table
            .slot(&feature.name)
            .ok_or_else(|| format!("no slot for `{}`", feature.name))?;
        buffer.get(&table, slot).map_err(|e| e.to_string())?;
    }
    Ok(())
}

macro_rules! botfeat_target {
    ($ty:ident, $name:literal, $parse:expr, $encode:expr, $reference:expr) => {
        #[doc = concat!("The `", $name, "` decoder.")]
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $ty;

        impl Target for $ty {
            type Output = FeatureFile;
            type Error = Error;
            fn name(&self) -> &'static str {
                $name
            }
            fn parse(&self, input: &[u8]) -> Result<FeatureFile, Error> {
                let parse: fn(&[u8]) -> Result<FeatureFile, Error> = $parse;
                parse(input)
            }
            fn error_kind(&self, e: &Error) -> String {
                kind(e)
            }
            fn error_position(&self, e: &Error) -> Option<String> {
                position(e)
            }
        }

        impl Roundtrip for $ty {
            fn encode(&self, value: &FeatureFile) -> Result<Vec<u8>, String> {
                let encode: fn(&FeatureFile) -> Result<Vec<u8>, String> = $encode;
                encode(value)
            }
            fn same(&self, a: &FeatureFile, b: &FeatureFile) -> bool {
                a == b
            }
            fn reference_encode(&self, value: &FeatureFile) -> Option<Vec<u8>> {
                let reference: fn(&FeatureFile) -> Option<Vec<u8>> = $reference;
                reference(value)
            }
        }
    };
}

// The reference writers are the test kit's, written from docs/FORMAT.md: botfeat's writers must
// give the same bytes for every value its readers accept.
botfeat_target!(
    Text,
    "text",
    text::parse,
    |f| text::write(f)
        .map(String::into_bytes)
        .map_err(|e| e.to_string()),
    |f| testkit::text::carried(f).map(String::into_bytes)
);
botfeat_target!(
    Binary,
    "binary",
    binary::decode,
    |f| binary::encode(f).map_err(|e| e.to_string()),
    |f| Some(testkit::binary::encode(f))
);
// The binary decoder with bincode's own decoder reading the fields: the reference the fast
// reader must agree with.
botfeat_target!(
    BinaryReference,
    "binary_reference",
    |b| binary::decode_reference_with(b, &Limits::DEFAULT),
    |f| binary::encode(f).map_err(|e| e.to_string()),
    |f| Some(testkit::binary::encode(f))
);
// Rows carry no serial: the target reads them with serial 0, and writes them back as rows.
botfeat_target!(
    Rows,
    "rows",
    |b| rows::parse(b, 0),
    |f| rows::write(f, None)
        .map(String::into_bytes)
        .map_err(|e| e.to_string()),
    |f| Some(testkit::rows::write(f, testkit::rows::Style::default()).into_bytes())
);

/// The `toml` crate, as a second client of the harness: the whole adapter.
#[derive(Clone, Copy, Debug, Default)]
pub struct Toml;

impl Target for Toml {
    type Output = toml::Table;
    type Error = String;
    fn name(&self) -> &'static str {
        "toml"
    }
    fn parse(&self, input: &[u8]) -> Result<toml::Table, String> {
        let text = std::str::from_utf8(input).map_err(|e| format!("utf8: {e}"))?;
        toml::from_str(text).map_err(|e| format!("toml: {e}"))
    }
    fn error_kind(&self, e: &String) -> String {
        e.split(':').next().unwrap_or_default().to_string()
    }
    fn budget(&self) -> harness::Budget {
        // A TOML value is a few dozen bytes for every byte of input (`a=[1,1,1,…]`).
        harness::Budget {
            heap_per_byte: 256,
            ..harness::Budget::default()
        }
    }
}

impl Roundtrip for Toml {
    fn encode(&self, value: &toml::Table) -> Result<Vec<u8>, String> {
        toml::to_string(value)
            .map(String::into_bytes)
            .map_err(|e| e.to_string())
    }
    // Values, with floats compared bit for bit (`nan` is a TOML float and NaN != NaN) — never
    // the encodings, which would judge the encoder with itself.
    fn same(&self, a: &toml::Table, b: &toml::Table) -> bool {
        same_table(a, b)
    }
}

/// The longest key path toml 1.2.2 reads back (`LIMIT` in its `de/parser`): a header of 81 keys
/// is refused with "recursion limit".
pub const TOML_KEY_LIMIT: usize = 80;

/// Whether toml writes `table` as a document it refuses to read: a table nested more than
/// [`TOML_KEY_LIMIT`] deep (`[a.….a]` of 80 keys holding `b = {c = 1}`, which it reads) is written
/// as a header one key longer. An upstream bug the `toml_config` target found (docs/TESTING.md);
/// such a value is not roundtripped, its parse still runs under the no-panic and budget oracles.
/// `tests/toml_known.rs` fails once toml writes what it reads back, and this goes.
pub fn toml_writes_past_its_key_limit(table: &toml::Table) -> bool {
    // Depth by an explicit stack: a value's nesting is the input's to choose. Each entry: a
    // value and the number of keys on the path to it.
    let mut stack: Vec<(&toml::Value, usize)> = table.values().map(|v| (v, 1)).collect();
    while let Some((value, depth)) = stack.pop() {
        match value {
            // A table's header holds `depth` keys; its tables one more.
            toml::Value::Table(t) => {
                if depth > TOML_KEY_LIMIT {
                    return true;
                }
                stack.extend(t.values().map(|v| (v, depth.saturating_add(1))));
            }
            toml::Value::Array(a) => stack.extend(a.iter().map(|v| (v, depth))),
            _ => {}
        }
    }
    false
}

fn same_table(a: &toml::Table, b: &toml::Table) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .all(|((ka, va), (kb, vb))| ka == kb && same_toml(va, vb))
}

fn same_toml(a: &toml::Value, b: &toml::Value) -> bool {
    use toml::Value as V;
    match (a, b) {
        (V::Float(x), V::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_toml(p, q))
        }
        (V::Table(x), V::Table(y)) => same_table(x, y),
        _ => a == b,
    }
}

/// What the test kit's reference says a botfeat target must do, in the harness's terms: the
/// same model, or the same error kind at the same position.
pub fn expected(verdict: testkit::Verdict) -> harness::Expected<FeatureFile> {
    match verdict {
        Ok(file) => harness::Expected::Accept(file),
        Err(refusal) => harness::Expected::Refuse {
            kind: refusal.kind.name().to_string(),
            position: Some(refusal.position.to_string()),
        },
    }
}
