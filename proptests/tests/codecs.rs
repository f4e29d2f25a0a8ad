//! Roundtrips, the exact feature limit, and the three formats agreeing — on generated files.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use botfeat::limits::MAX_FEATURES;
use botfeat::{ErrorKind, FeatureFile, Position, binary, rows, text};
use botfeat_fuzz::adapters::{Binary, Rows, Text};
use botfeat_proptests::Model;
use botfeat_proptests::mutation::binary_offset;
use botfeat_proptests::strategy::{features, near_limit_file, valid_file};
use harness::drive;
use harness::oracle::{check_agree, check_roundtrip};
use proptest::prelude::*;

proptest! {
    #![proptest_config(botfeat_proptests::config("proptest-regressions/codecs.txt"))]

    /// Canonical text and binary roundtrip bit for bit, and canonical text is a fixed point.
    #[test]
    fn canonical_forms_roundtrip(Model(file) in valid_file()) {
        let t = text::write(&file).unwrap();
        prop_assert_eq!(&text::parse(t.as_bytes()).unwrap(), &file);
        prop_assert_eq!(text::write(&text::parse(t.as_bytes()).unwrap()).unwrap(), t.clone());
        let b = binary::encode(&file).unwrap();
        prop_assert_eq!(&binary::decode(&b).unwrap(), &file);
        prop_assert_eq!(binary::encode(&binary::decode(&b).unwrap()).unwrap(), b.clone());
        // The harness's oracles: no panic, budget, roundtrip, on every encoding.
        drive::proptest(check_roundtrip(&Text, t.as_bytes()))?;
        drive::proptest(check_roundtrip(&Binary, &b))?;
        // And it loads at the edge: table, request buffer, every slot.
        botfeat_fuzz::adapters::load_like_the_edge(file).map_err(TestCaseError::fail)?;
    }

    /// The three formats agree on the same model.
    #[test]
    fn formats_agree(Model(file) in valid_file()) {
        let t = text::write(&file).unwrap();
        let b = binary::encode(&file).unwrap();
        drive::proptest(check_agree(&Binary, &b, &Text, t.as_bytes()))?;
        let mut zero = file.clone();
        zero.serial = 0;
        let r = rows::write_unchecked(&file, Some("default"));
        drive::proptest(check_agree(&Binary, &binary::encode(&zero).unwrap(), &Rows, r.as_bytes()))?;
        prop_assert_eq!(rows::parse(r.as_bytes(), file.serial).unwrap(), file);
    }

    /// 200 features are accepted; the 201st is refused with the count error, at its own line,
    /// row or offset, in every format.
    #[test]
    fn the_limit_is_exact(serial in any::<u64>(), all in features(MAX_FEATURES + 1)) {
        let at_limit = FeatureFile { serial, features: all[..MAX_FEATURES].to_vec() };
        let over = FeatureFile { serial, features: all };
        prop_assert_eq!(text::parse(text::write_unchecked(&at_limit).as_bytes()).unwrap(), at_limit.clone());
        prop_assert_eq!(binary::decode(&binary::encode_unchecked(&at_limit)).unwrap(), at_limit.clone());
        prop_assert_eq!(rows::parse(rows::write_unchecked(&at_limit, None).as_bytes(), serial).unwrap(), at_limit);
        let e = text::parse(text::write_unchecked(&over).as_bytes()).unwrap_err();
        prop_assert_eq!((e.kind(), e.position()), (ErrorKind::TooManyFeatures, Position::LineCol { line: 203, column: 1 }));
        let e = rows::parse(rows::write_unchecked(&over, None).as_bytes(), serial).unwrap_err();
        prop_assert_eq!((e.kind(), e.position()), (ErrorKind::TooManyFeatures, Position::Row(201)));
        let e = binary::decode(&binary::encode_unchecked(&over)).unwrap_err();
        prop_assert_eq!((e.kind(), e.position()), (ErrorKind::TooManyFeatures, Position::Offset(binary_offset(&over, MAX_FEATURES))));
    }

    /// Near every limit at once: each format accepts exactly what `validate` accepts, refuses the
    /// rest with the same kind, and never breaks an oracle.
    #[test]
    fn near_limits_every_format_agrees_with_validate(Model(file) in near_limit_file()) {
        let expected = file.validate(&botfeat::Limits::DEFAULT).map_err(|e| e.kind());
        let b = binary::encode_unchecked(&file);
        let got = binary::decode(&b).map(|_| ()).map_err(|e| e.kind());
        prop_assert_eq!(got, expected);
        let mut zero = file.clone();
        zero.serial = 0;
        let r = rows::write_unchecked(&file, None);
        drive::proptest(check_agree(&Binary, &binary::encode_unchecked(&zero), &Rows, r.as_bytes()))?;
        drive::proptest(check_roundtrip(&Binary, &b))?;
    }
}
