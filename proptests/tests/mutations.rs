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
use botfeat_proptests::strategy::valid_file;
use botfeat_proptests::{Bytes, Model};
use harness::drive;
use harness::oracle::check_roundtrip;
use proptest::prelude::*;

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
        Format::Binary => drive::proptest(check_roundtrip(&Binary, &bytes))?,
    };
    Ok(())
}

proptest! {
    #![proptest_config(botfeat_proptests::config("proptest-regressions/mutations.txt"))]

    #[test]
    fn text_mutations(Model(file) in valid_file(), m in mutation()) {
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

    /// The 18 Nov 2025 shape, in every format: every feature twice is refused as a duplicate at
    /// the first repeat (or, at 200 features, as the 201st).
    #[test]
    fn every_feature_twice_is_refused(Model(file) in valid_file()) {
        for format in [Format::Text, Format::Rows, Format::Binary] {
            let (bytes, implied) = apply(format, &file, &Mutation::DuplicateEvery);
            prop_assert!(matches!(implied, botfeat_proptests::mutation::Implied::Reject(..)));
            check(format, &bytes, file.serial, &implied).map_err(TestCaseError::fail)?;
        }
    }
}
