//! Feature files for the properties, from the test kit's one generator (`testkit::generate`,
//! which the fuzz targets drive with `arbitrary`): proptest draws a byte string of choices and the
//! generator turns it into a model, so both runners explore the same space, and shrinking the
//! bytes shrinks the model (fewer bytes: fewer features, first choices).

use botfeat::{Feature, FeatureFile, FeatureType};
use proptest::prelude::*;
use testkit::generate;

use crate::Model;

/// Up to `max` bytes of choices.
fn choices(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

/// The model when the generator cannot make one (it always can: running out of bytes picks the
/// first choice everywhere).
fn fallback() -> FeatureFile {
    FeatureFile {
        serial: 1,
        features: vec![Feature {
            name: "only".into(),
            ty: FeatureType::Bool,
            default: None,
        }],
    }
}

/// `n` valid features with unique names.
pub fn features(n: usize) -> BoxedStrategy<Vec<Feature>> {
    choices(n.saturating_mul(16).max(64))
        .prop_map(move |b| {
            generate::from_bytes(&b, |u| generate::valid_features(u, n)).unwrap_or_default()
        })
        .boxed()
}

/// A valid file of 1 to 200 features (often few, often at the limit).
pub fn valid_file() -> BoxedStrategy<Model> {
    choices(6144)
        .prop_map(|b| {
            Model(generate::from_bytes(&b, generate::valid_feature_file).unwrap_or_else(fallback))
        })
        .boxed()
}

/// `file` with every default whose text line would be over the line limit dropped, so the text
/// format can carry it (FORMAT.md: a long string default cannot be written as text). Dropping,
/// not rejecting: at a deep run's case counts, rejecting would abort proptest.
pub fn carriable_as_text(mut file: FeatureFile) -> FeatureFile {
    for f in &mut file.features {
        let alone = FeatureFile {
            serial: file.serial,
            features: vec![f.clone()],
        };
        if !testkit::text::can_carry(&alone) {
            f.default = None;
        }
    }
    file
}

/// A valid file the text format can carry.
pub fn valid_text_file() -> BoxedStrategy<Model> {
    valid_file()
        .prop_map(|Model(f)| Model(carriable_as_text(f)))
        .boxed()
}

/// A file valid or not, at the edge of every limit as often as not: 195 to 205 features; names
/// of 63 to 65 bytes; duplicates anywhere; `str(N)` with N of 0, 4096, 4097 and defaults of
/// N−1, N or N+1 bytes; values at and one past each type's edge; NaN; wrong-typed defaults.
/// Which it is, the test kit's spec validator says — never the parser.
pub fn near_limit_file() -> BoxedStrategy<Model> {
    choices(6144)
        .prop_map(|b| {
            Model(generate::from_bytes(&b, generate::feature_file).unwrap_or_else(fallback))
        })
        .boxed()
}
