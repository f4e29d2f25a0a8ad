//! The fuzz targets, by name. The name (not a position in a list) picks the target, so adding
//! one never re-routes a saved corpus.

use arbitrary::Unstructured;
use botfeat::{FeatureFile, binary, text};
use harness::oracle::{check_expected, check_reencode};
use harness::{Outcome, Violation, ViolationKind};

use crate::adapters::{self, load_like_the_edge};
use testkit::generate;

/// A botfeat fuzz target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Raw bytes into the text parser. Compared with `testkit::text::read` (same model, or same
    /// kind at the same line and column); accepted files re-encode to `testkit::text::write`'s
    /// bytes and load at the edge.
    ParseText,
    /// Raw bytes into the binary decoder. Compared with `testkit::binary::read` (CRC from
    /// crc32fast) and, to the byte offset, with bincode's own decoder; accepted files re-encode
    /// to `testkit::binary::encode`'s bytes and load at the edge.
    ParseBinary,
    /// Raw bytes into the JSONEachRow reader. Compared with `testkit::rows::read` (its own JSON
    /// reader); accepted files re-encode to `testkit::rows::write`'s bytes and load at the edge.
    IngestRows,
    /// A generated model (`testkit::generate`), written by the test kit's writers; botfeat's
    /// readers compared with the test kit's readers on those bytes, binary also with
    /// `testkit::spec::validate`; botfeat's writers compared with the test kit's.
    Roundtrip,
    /// A sequence of operations on `LiveFeatures`. Each candidate's fate compared with the test
    /// kit's reader and guard rules (`testkit::guard`), in both directions; rollback, known-good
    /// and the kill switch compared with a model of what they must do.
    Reload,
    /// Raw bytes into the `toml` crate: the harness serving another parser (no panic, budget,
    /// roundtrip with values compared, floats by bits; not the roundtrip of a value nested past
    /// toml's key limit, an upstream bug this target found: `adapters::TOML_KEY_LIMIT`).
    TomlConfig,
}

/// Every target.
pub const ALL: [Target; 6] = [
    Target::ParseText,
    Target::ParseBinary,
    Target::IngestRows,
    Target::Roundtrip,
    Target::Reload,
    Target::TomlConfig,
];

impl Target {
    /// The name: of the cargo-fuzz binary, and of the corpus folder.
    pub fn name(self) -> &'static str {
        match self {
            Target::ParseText => "parse_text",
            Target::ParseBinary => "parse_binary",
            Target::IngestRows => "ingest_rows",
            Target::Roundtrip => "roundtrip",
            Target::Reload => "reload",
            Target::TomlConfig => "toml_config",
        }
    }

    /// The target called `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether the target reads structure from `arbitrary` rather than a format.
    pub fn structure_aware(self) -> bool {
        matches!(self, Target::Roundtrip | Target::Reload)
    }

    /// Runs every oracle of the target on one input.
    pub fn run(self, data: &[u8]) -> Result<Outcome, Violation> {
        match self {
            Target::ParseText => raw(&adapters::Text, data, testkit::text::read),
            // And the fast wire reader against bincode's own decoder, to the position, on the
            // verdict it already gave (one decode of botfeat's, not two).
            Target::ParseBinary => raw_judged(
                &adapters::Binary,
                data,
                testkit::binary::read,
                |outcome, value| {
                    harness::oracle::check_differential_given(
                        &adapters::Binary,
                        (outcome, value),
                        &adapters::BinaryReference,
                        data,
                    )
                },
            ),
            Target::IngestRows => raw(&adapters::Rows, data, rows_reference),
            Target::TomlConfig => {
                let (outcome, value) = harness::oracle::check(&adapters::Toml, data)?;
                match value {
                    Some(table) if !adapters::toml_writes_past_its_key_limit(&table) => {
                        check_reencode(&adapters::Toml, &table, data.len())?;
                    }
                    _ => {}
                }
                Ok(outcome)
            }
            Target::Roundtrip => roundtrip(&mut Unstructured::new(data)),
            Target::Reload => crate::targets::reload::run(&mut Unstructured::new(data)),
        }
    }

    /// One domain mutation for this target's inputs (structure-aware targets get plain byte
    /// mutations: their structure comes from `arbitrary`).
    pub fn mutate(self, data: &mut Vec<u8>, rng: &mut fastrand::Rng) {
        match self {
            Target::ParseText => crate::mutators::text(data, rng),
            Target::IngestRows => crate::mutators::rows(data, rng),
            Target::ParseBinary => {
                crate::mutators::binary(data, rng);
                crate::mutators::fix_binary(data, rng);
            }
            Target::TomlConfig => crate::mutators::toml(data, rng),
            Target::Roundtrip | Target::Reload => harness::mutate::repeat_span(data, rng, 32),
        }
    }
}

/// A raw decoder, judged from outside: the test kit's reference reader (written from
/// docs/FORMAT.md) decides accept — with the exact value — or refuse — with the kind and position;
/// no panic, within budget; what it accepts re-encodes to the reference writer's bytes and back;
/// and what it accepts loads at the edge.
fn raw<T>(
    target: &T,
    data: &[u8],
    reference: fn(&[u8]) -> testkit::Verdict,
) -> Result<Outcome, Violation>
where
    T: harness::Roundtrip<Output = FeatureFile>,
{
    raw_judged(target, data, reference, |_, _| Ok(()))
}

/// [`raw`], with one more judge of the target's verdict (`also`), run before the accepted value
/// goes on to the roundtrip and the edge.
fn raw_judged<T>(
    target: &T,
    data: &[u8],
    reference: fn(&[u8]) -> testkit::Verdict,
    also: impl FnOnce(&Outcome, Option<&FeatureFile>) -> Result<(), Violation>,
) -> Result<Outcome, Violation>
where
    T: harness::Roundtrip<Output = FeatureFile>,
{
    let expected = adapters::expected(reference(data));
    let (outcome, value) = check_expected(target, data, &expected)?;
    also(&outcome, value.as_ref())?;
    if let Some(file) = value {
        check_reencode(target, &file, data.len())?;
        load_like_the_edge(file)
            .map_err(|e| Violation::new(target.name(), ViolationKind::Invariant, e))?;
    }
    Ok(outcome)
}

fn rows_reference(data: &[u8]) -> testkit::Verdict {
    testkit::rows::read(data, 0)
}

/// `roundtrip`: a generated model, valid or not, written by the test kit's encoders (text,
/// rows in several spellings, binary with its CRC from crc32fast), read by botfeat. Expected:
/// the test kit's reference reader on the same bytes; for binary, which carries every model
/// exactly, also the spec validator's verdict on the model. botfeat's own writers must refuse
/// exactly the invalid models and write the reference's bytes for the valid ones.
fn roundtrip(u: &mut Unstructured<'_>) -> Result<Outcome, Violation> {
    let name = "roundtrip";
    let Ok(model) = generate::feature_file(u) else {
        return Ok(Outcome::Accepted);
    };
    let style = testkit::rows::Style {
        bare_numbers: u.arbitrary().unwrap_or(false),
        wrapped_types: u.arbitrary().unwrap_or(false),
        database: u.arbitrary().unwrap_or(false),
    };
    let disagree = |detail: String, input: &[u8]| {
        Violation::new(name, ViolationKind::WrongVerdict, detail).with_input(input)
    };
    let valid = testkit::spec::validate(&model);
    let bin = testkit::binary::encode(&model);
    let fits = bin.len() <= testkit::spec::MAX_FILE_SIZE;
    let bin_verdict = testkit::binary::read(&bin);
    // The reference must agree with itself before it judges anyone.
    let consistent = match (&valid, &bin_verdict) {
        _ if !fits => {
            bin_verdict.as_ref().err().map(|r| r.kind) == Some(botfeat::ErrorKind::FileTooLarge)
        }
        (Ok(()), Ok(read)) => *read == model,
        (Err(e), Err(r)) => e.kind == r.kind,
        _ => false,
    };
    if !consistent {
        return Err(disagree(
            format!("test kit: the validator says {valid:?}, its binary reader {bin_verdict:?}"),
            &bin,
        ));
    }
    let (bin_outcome, bin_value) =
        check_expected(&adapters::Binary, &bin, &adapters::expected(bin_verdict))?;
    if let Some(v) = bin_value {
        load_like_the_edge(v).map_err(|e| Violation::new(name, ViolationKind::Invariant, e))?;
    }
    // botfeat's writers refuse exactly the invalid models, and write the reference's bytes.
    let writer_ok = valid.is_ok() && fits;
    match binary::encode(&model) {
        Ok(bytes) if writer_ok && bytes == bin => {}
        Err(_) if !writer_ok => {}
        other => {
            return Err(disagree(
                format!(
                    "binary::encode gives {:?} for a model the spec finds {valid:?} (fits: {fits})",
                    other.as_ref().map(|b| b == &bin).map_err(|e| e.kind())
                ),
                &bin,
            ));
        }
    }
    if let Some(text_bytes) = testkit::text::carried(&model) {
        check_expected(
            &adapters::Text,
            text_bytes.as_bytes(),
            &adapters::expected(testkit::text::read(text_bytes.as_bytes())),
        )?;
        match text::write(&model) {
            Ok(t) if writer_ok && t == text_bytes => {}
            Err(_) if !writer_ok => {}
            other => {
                return Err(disagree(
                    format!(
                        "text::write gives {:?} for a model the spec finds {valid:?}",
                        other.as_ref().map_err(|e| e.kind())
                    ),
                    text_bytes.as_bytes(),
                ));
            }
        }
    }
    let rows_bytes = testkit::rows::write(&model, style);
    check_expected(
        &adapters::Rows,
        rows_bytes.as_bytes(),
        &adapters::expected(testkit::rows::read(rows_bytes.as_bytes(), 0)),
    )?;
    Ok(bin_outcome)
}

pub mod reload;
