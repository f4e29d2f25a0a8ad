//! Every mutation of a valid file yields a valid file or the error its mutation implies, at the
//! position it implies — in each format. No input breaks the harness's oracles.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use botfeat_fuzz::adapters::{Binary, Rows, Text};
use botfeat_proptests::mutation::{Format, Mutation, apply, check, mutation};
use botfeat_proptests::strategy::{valid_file, valid_text_file};
use botfeat_proptests::{Bytes, Model};
use harness::drive;
use harness::oracle::check_roundtrip;
use proptest::prelude::*;

/// The fast binary reader and bincode's decoder give the same file, or the same error kind at the
/// same position.
fn agrees_with_bincode(bytes: &[u8]) -> Result<(), TestCaseError> {
    let limits = botfeat::Limits::DEFAULT;
    let fast = botfeat::binary::decode_with(bytes, &limits);
    let reference = botfeat::binary::decode_reference_with(bytes, &limits);
    let same = match (&fast, &reference) {
        (Ok(a), Ok(b)) => a == b,
        (Err(a), Err(b)) => (a.kind(), a.position()) == (b.kind(), b.position()),
        _ => false,
    };
    prop_assert!(
        same,
        "the fast reader and bincode disagree\n  fast: {fast:?}\n  bincode: {reference:?}\n  input: {:?}",
        Bytes(bytes.to_vec())
    );
    Ok(())
}

fn run(format: Format, file: &botfeat::FeatureFile, m: &Mutation) -> Result<(), TestCaseError> {
    let (bytes, implied) = apply(format, file, m);
    if let Err(why) = check(format, &bytes, file.serial, &implied) {
        return Err(TestCaseError::fail(format!(
            "{format:?} after {m:?}: {why}\n  input: {:?}",
            Bytes(bytes)
        )));
    }
    match format {
        Format::Text => drive::proptest(check_roundtrip(&Text, &bytes))?,
        Format::Rows => drive::proptest(check_roundtrip(&Rows, &bytes))?,
        Format::Binary => {
            agrees_with_bincode(&bytes)?;
            drive::proptest(check_roundtrip(&Binary, &bytes))?
        }
    };
    Ok(())
}

proptest! {
    #![proptest_config(botfeat_proptests::config("proptest-regressions/mutations.txt"))]

    #[test]
    fn text_mutations(Model(file) in valid_text_file(), m in mutation()) {
        run(Format::Text, &file, &m)?;
    }

    #[test]
    fn rows_mutations(Model(file) in valid_file(), m in mutation()) {
        run(Format::Rows, &file, &m)?;
    }

    #[test]
    fn binary_mutations(Model(file) in valid_file(), m in mutation()) {
        run(Format::Binary, &file, &m)?;
    }

    /// A few bytes of a valid payload overwritten (the header repaired, so the payload is read):
    /// the fast reader agrees with bincode.
    #[test]
    fn binary_byte_edits_agree_with_bincode(
        Model(file) in valid_file(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let encoded = botfeat::binary::encode(&file).unwrap();
        let mut payload = encoded[botfeat::binary::HEADER_LEN..].to_vec();
        for (at, byte) in edits {
            let i = at.index(payload.len());
            payload[i] = byte;
        }
        agrees_with_bincode(&botfeat::binary::frame(&payload))?;
    }

    /// The 18 Nov 2025 shape, in every format: every feature twice is refused as a duplicate at
    /// the first repeat (or, at 200 features, as the 201st).
    #[test]
    fn every_feature_twice_is_refused(Model(file) in valid_file()) {
        for format in [Format::Text, Format::Rows, Format::Binary] {
            if format == Format::Text && !testkit::text::can_carry(&file) {
                continue;
            }
            let (bytes, implied) = apply(format, &file, &Mutation::DuplicateEvery);
            prop_assert!(matches!(implied, botfeat_proptests::mutation::Implied::Reject(..)));
            check(format, &bytes, file.serial, &implied).map_err(TestCaseError::fail)?;
        }
    }
}
