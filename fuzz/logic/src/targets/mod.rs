//! The fuzz targets, by name. The name (not a position in a list) picks the target, so adding
//! one never re-routes a saved corpus.

use arbitrary::Unstructured;
use botfeat::{FeatureFile, Limits, binary, rows, text};
use harness::oracle::{check, check_agree, check_roundtrip_value};
use harness::{Outcome, Violation, ViolationKind};

use crate::adapters::{self, load_like_the_edge};
use crate::model;

/// A botfeat fuzz target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Raw bytes into the text parser.
    ParseText,
    /// Raw bytes into the binary decoder.
    ParseBinary,
    /// Raw bytes into the JSONEachRow reader.
    IngestRows,
    /// A structure-aware model, written as text, binary and rows, read back by all three.
    Roundtrip,
    /// A structure-aware sequence of operations on the live runtime.
    Reload,
    /// Raw bytes into the `toml` crate: the harness serving another parser.
    TomlConfig,
    /// Raw bytes into the binary decoder twice: its hand-written reader against bincode's own
    /// decoder, which must agree to the error kind and position.
    BinaryReference,
}

/// Every target.
pub const ALL: [Target; 7] = [
    Target::ParseText,
    Target::ParseBinary,
    Target::IngestRows,
    Target::Roundtrip,
    Target::Reload,
    Target::TomlConfig,
    Target::BinaryReference,
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
            Target::BinaryReference => "binary_reference",
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
            Target::ParseText => raw(&adapters::Text, data),
            Target::ParseBinary => raw(&adapters::Binary, data),
            Target::IngestRows => raw(&adapters::Rows, data),
            Target::TomlConfig => harness::oracle::check_roundtrip(&adapters::Toml, data),
            Target::Roundtrip => roundtrip(&mut Unstructured::new(data)),
            Target::Reload => crate::targets::reload::run(&mut Unstructured::new(data)),
            Target::BinaryReference => harness::oracle::check_differential(
                &adapters::Binary,
                &adapters::BinaryReference,
                data,
            ),
        }
    }

    /// One domain mutation for this target's inputs (structure-aware targets get plain byte
    /// mutations: their structure comes from `arbitrary`).
    pub fn mutate(self, data: &mut Vec<u8>, rng: &mut fastrand::Rng) {
        match self {
            Target::ParseText => crate::mutators::text(data, rng),
            Target::IngestRows => crate::mutators::rows(data, rng),
            Target::ParseBinary | Target::BinaryReference => {
                crate::mutators::binary(data, rng);
                crate::mutators::fix_binary(data, rng);
            }
            Target::TomlConfig => crate::mutators::toml(data, rng),
            Target::Roundtrip | Target::Reload => harness::mutate::repeat_span(data, rng, 32),
        }
    }
}

/// A raw decoder: no panic, budget, roundtrip of what it accepts, and what it accepts loads at
/// the edge.
fn raw<T>(target: &T, data: &[u8]) -> Result<Outcome, Violation>
where
    T: harness::Roundtrip<Output = FeatureFile>,
{
    let (outcome, value) = check_roundtrip_value(target, data)?;
    if let Some(file) = value {
        load_like_the_edge(file)
            .map_err(|e| Violation::new(target.name(), ViolationKind::Invariant, e))?;
    }
    Ok(outcome)
}

/// Whether the text writer says exactly what the model says: names it can tokenize, defaults of
/// their feature's type (text has no value types), lines and size within the text limits.
fn text_is_faithful(file: &FeatureFile, text: &str, binary: &[u8]) -> bool {
    let limits = Limits::DEFAULT;
    let names_ok = file.features.iter().all(|f| {
        !f.name.is_empty()
            && !f
                .name
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '#' || c == '"')
    });
    let defaults_typed = file
        .features
        .iter()
        .all(|f| f.default.as_ref().is_none_or(|v| v.has_type(f.ty)));
    names_ok
        && defaults_typed
        && text.lines().all(|l| l.len() <= limits.max_line_len)
        && text.len() <= limits.max_file_size
        && binary.len() <= limits.max_file_size
}

fn roundtrip(u: &mut Unstructured<'_>) -> Result<Outcome, Violation> {
    let Ok(model) = model::feature_file(u) else {
        return Ok(Outcome::Accepted);
    };
    let name = "roundtrip";
    let text_bytes = text::write_unchecked(&model);
    let bin_bytes = binary::encode_unchecked(&model);
    let rows_bytes = rows::write_unchecked(&model, Some("default"));
    // What the decoder must say: the size check comes before anything in the payload.
    let expected = if bin_bytes.len() > Limits::DEFAULT.max_file_size {
        Err(botfeat::Error::new(
            botfeat::ErrorKind::FileTooLarge,
            botfeat::Position::File,
            "over the size limit",
        ))
    } else {
        model.validate(&Limits::DEFAULT)
    };
    // Binary carries every model exactly: it must accept the valid ones bit for bit and refuse
    // the others with the kind validate() names.
    let (bin_outcome, bin_value) =
        check(&adapters::Binary, &bin_bytes).map_err(|v| v.with_input(&bin_bytes))?;
    match (&expected, &bin_value) {
        (Ok(()), Some(v)) if *v == model => {}
        (Err(e), None) if matches!(&bin_outcome, Outcome::Rejected { kind, .. } if kind == e.kind().name()) =>
            {}
        _ => {
            return Err(Violation::new(
                name,
                ViolationKind::Disagreement,
                format!(
                    "model validates as {:?}, binary gives {bin_outcome} (value equal: {})",
                    expected.as_ref().map_err(|e| e.kind()),
                    bin_value.as_ref() == Some(&model)
                ),
            )
            .with_input(&bin_bytes));
        }
    }
    if let Some(v) = bin_value {
        load_like_the_edge(v).map_err(|e| Violation::new(name, ViolationKind::Invariant, e))?;
    }
    // Text and rows, where they can say what the model says, agree with binary.
    if text_is_faithful(&model, &text_bytes, &bin_bytes) {
        check_agree(
            &adapters::Binary,
            &bin_bytes,
            &adapters::Text,
            text_bytes.as_bytes(),
        )?;
        if expected.is_ok() {
            // Valid and faithful: the unchecked writer wrote canonical text.
            let canonical = text::write(&model)
                .map_err(|e| Violation::new(name, ViolationKind::EncodeFailed, e.to_string()))?;
            if canonical != text_bytes {
                return Err(Violation::new(
                    name,
                    ViolationKind::NotCanonical,
                    "write and write_unchecked differ on a valid model",
                ));
            }
        }
        let mut serial_zero = model.clone();
        serial_zero.serial = 0;
        let bin_zero = binary::encode_unchecked(&serial_zero);
        if rows_bytes.len() <= Limits::DEFAULT.max_file_size {
            check_agree(
                &adapters::Binary,
                &bin_zero,
                &adapters::Rows,
                rows_bytes.as_bytes(),
            )?;
        }
    } else {
        check(&adapters::Text, text_bytes.as_bytes())
            .map_err(|v| v.with_input(text_bytes.as_bytes()))?;
        check(&adapters::Rows, rows_bytes.as_bytes())
            .map_err(|v| v.with_input(rows_bytes.as_bytes()))?;
    }
    Ok(bin_outcome)
}

pub mod reload;
