//! Roundtrips, the exact feature limit, and the three formats agreeing — on generated files.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use botfeat::{ErrorKind, FeatureFile, Position, binary, rows, text};
use botfeat_fuzz::adapters::{Binary, Rows, Text};
use botfeat_proptests::Model;
use botfeat_proptests::mutation::binary_offset;
use botfeat_proptests::strategy::{carriable_as_text, features, near_limit_file, valid_text_file};
use harness::drive;
use harness::oracle::{check_agree, check_roundtrip};
use proptest::prelude::*;
// The limit as the format page states it, not as the parser's constant says.
use testkit::spec::MAX_FEATURES;

proptest! {
    #![proptest_config(botfeat_proptests::config("proptest-regressions/codecs.txt"))]

    /// Canonical text and binary roundtrip bit for bit, and canonical text is a fixed point.
    #[test]
    fn canonical_forms_roundtrip(Model(file) in valid_text_file()) {
        let t = text::write(&file).unwrap();
        // The parser's writers give the independent reference writers' bytes.
        prop_assert_eq!(&t, &testkit::text::write(&file));
        prop_assert_eq!(binary::encode(&file).unwrap(), testkit::binary::encode(&file));
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
    fn formats_agree(Model(file) in valid_text_file()) {
        let t = text::write(&file).unwrap();
        let b = binary::encode(&file).unwrap();
        drive::proptest(check_agree(&Binary, &b, &Text, t.as_bytes()))?;
        let mut zero = file.clone();
        zero.serial = 0;
        let r = testkit::rows::write(&file, testkit::rows::Style { database: true, ..Default::default() });
        drive::proptest(check_agree(&Binary, &binary::encode(&zero).unwrap(), &Rows, r.as_bytes()))?;
        prop_assert_eq!(rows::parse(r.as_bytes(), file.serial).unwrap(), file);
    }

    /// 200 features are accepted; the 201st is refused with the count error, at its own line,
    /// row or offset, in every format.
    #[test]
    fn the_limit_is_exact(serial in any::<u64>(), all in features(MAX_FEATURES + 1)) {
        let over = carriable_as_text(FeatureFile { serial, features: all });
        let at_limit = FeatureFile { serial, features: over.features[..MAX_FEATURES].to_vec() };
        let plain = testkit::rows::Style::default();
        // Every line fits (a line over 4096 bytes is refused as too long before its keyword is
        // read); the file as a whole may still be over the size limit.
        if testkit::text::can_carry(&over) {
            prop_assert_eq!(text::parse(testkit::text::write(&at_limit).as_bytes()).unwrap(), at_limit.clone());
            let e = text::parse(testkit::text::write(&over).as_bytes()).unwrap_err();
            prop_assert_eq!((e.kind(), e.position()), (ErrorKind::TooManyFeatures, Position::LineCol { line: 203, column: 1 }));
        }
        prop_assert_eq!(binary::decode(&testkit::binary::encode(&at_limit)).unwrap(), at_limit.clone());
        prop_assert_eq!(rows::parse(testkit::rows::write(&at_limit, plain).as_bytes(), serial).unwrap(), at_limit);
        let e = rows::parse(testkit::rows::write(&over, plain).as_bytes(), serial).unwrap_err();
        prop_assert_eq!((e.kind(), e.position()), (ErrorKind::TooManyFeatures, Position::Row(201)));
        let e = binary::decode(&testkit::binary::encode(&over)).unwrap_err();
        prop_assert_eq!((e.kind(), e.position()), (ErrorKind::TooManyFeatures, Position::Offset(binary_offset(&over, MAX_FEATURES))));
    }

    /// Near every limit at once: binary (which carries any model) accepts exactly what the test
    /// kit's spec validator accepts and refuses the rest with its kind; `validate()` says the
    /// same; each format gives the reference reader's verdict on its own bytes; no oracle breaks.
    #[test]
    fn near_limits_every_format_agrees_with_the_spec(Model(file) in near_limit_file()) {
        let b = testkit::binary::encode(&file);
        prop_assume!(b.len() <= testkit::spec::MAX_FILE_SIZE);
        let expected = testkit::spec::validate(&file).map_err(|e| e.kind);
        let got = binary::decode(&b).map(|_| ()).map_err(|e| e.kind());
        prop_assert_eq!(got, expected);
        prop_assert_eq!(file.validate(&botfeat::Limits::DEFAULT).map_err(|e| e.kind()), expected);
        let r = testkit::rows::write(&file, testkit::rows::Style { bare_numbers: true, ..Default::default() });
        drive::proptest(harness::oracle::check_expected(&Rows, r.as_bytes(), &botfeat_fuzz::adapters::expected(testkit::rows::read(r.as_bytes(), 0))).map(|_| ()))?;
        if testkit::text::can_carry(&file) {
            let t = testkit::text::write(&file);
            drive::proptest(harness::oracle::check_expected(&Text, t.as_bytes(), &botfeat_fuzz::adapters::expected(testkit::text::read(t.as_bytes()))).map(|_| ()))?;
        }
        drive::proptest(check_roundtrip(&Binary, &b))?;
    }
}
