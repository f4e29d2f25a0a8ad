//! The runtime under sequences of good and bad files, and the rollout guard's monotonicity.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use botfeat::runtime::{Current, LiveFeatures, RequestBuffer, RolloutPolicy, check_rollout};
use botfeat::{Feature, FeatureFile, FeatureType, binary, text};
use botfeat_proptests::Model;
use botfeat_proptests::mutation::{Format, Mutation, apply, mutation};
use botfeat_proptests::strategy::valid_file;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    /// A valid file (its serial replaced by one past the last one tried).
    Good(Model, bool),
    /// A mutation of a valid file.
    Bad(Model, Mutation),
    /// The same file as the last accepted one again.
    Replay,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (valid_file(), any::<bool>()).prop_map(|(m, t)| Step::Good(m, t)),
        (valid_file(), mutation()).prop_map(|(m, x)| Step::Bad(m, x)),
        Just(Step::Replay),
    ]
}

proptest! {
    #![proptest_config(botfeat_proptests::config("proptest-regressions/runtime.txt"))]

    /// Whatever the sequence, the table in service is the last file `apply` accepted, and a
    /// refused file never changes it.
    #[test]
    fn live_table_is_the_last_accepted_file(steps in prop::collection::vec(step(), 1..12)) {
        let live = LiveFeatures::default();
        let mut buffer = RequestBuffer::new(&botfeat::Limits::DEFAULT);
        let mut last: Option<FeatureFile> = None;
        let mut serial = 0u64;
        for s in steps {
            let bytes = match s {
                Step::Good(Model(mut f), as_text) => {
                    serial += 1;
                    f.serial = serial;
                    if as_text { text::write_unchecked(&f).into_bytes() } else { binary::encode_unchecked(&f) }
                }
                Step::Bad(Model(mut f), m) => {
                    serial += 1;
                    f.serial = serial;
                    apply(Format::Binary, &f, &m).0
                }
                Step::Replay => last.as_ref().map(binary::encode_unchecked).unwrap_or_default(),
            };
            let before = live.serial();
            match live.apply(&bytes) {
                Ok(table) => {
                    prop_assert!(before.is_none_or(|b| table.serial() > b));
                    last = Some(table.file().clone());
                }
                Err(_) => prop_assert_eq!(live.serial(), before),
            }
            let serving = match live.current() {
                Current::Serving(t) => {
                    // A request on the table in service, as the edge serves it.
                    prop_assert!(buffer.append_with_names(&t).is_ok());
                    Some(t.file().clone())
                }
                Current::NoFeaturesYet => None,
                Current::Disabled => {
                    prop_assert!(false, "nothing turned the module off");
                    None
                }
            };
            prop_assert_eq!(&serving, &last);
        }
    }

    /// The guard's verdict is monotone in the size of the change: if a change of the count is
    /// refused, every larger change in the same direction is refused too.
    #[test]
    fn rollout_verdict_is_monotone(old in 1usize..=200, a in 0usize..=400, b in 0usize..=400, pct in 0u32..=200) {
        let file = |n: usize, serial: u64| FeatureFile {
            serial,
            features: (0..n).map(|i| Feature { name: format!("f{i}").into(), ty: FeatureType::Bool, default: None }).collect(),
        };
        let policy = RolloutPolicy { max_change_pct: pct, ..RolloutPolicy::default() };
        let (small, large) = if old.abs_diff(a) <= old.abs_diff(b) { (a, b) } else { (b, a) };
        let same_side = (small >= old) == (large >= old);
        let running = file(old, 1);
        let safe_small = check_rollout(&running, &file(small, 2), &policy).is_safe();
        let safe_large = check_rollout(&running, &file(large, 2), &policy).is_safe();
        if same_side {
            prop_assert!(safe_small || !safe_large, "{old} → {small} refused but {old} → {large} allowed at {pct} %");
        }
        // And a stale serial is always refused.
        prop_assert!(!check_rollout(&running, &file(old, 1), &policy).is_safe());
    }
}
