//! The rollout guard's rules, as the README and `RolloutPolicy`'s documentation state them, and
//! the format an edge reads a candidate in: what `LiveFeatures::apply` must decide, written
//! without its code.

use botfeat::FeatureFile;

use crate::spec::Verdict;

/// The default policy's count change limit, in percent of the running count.
pub const MAX_CHANGE_PCT: u64 = 50;

/// Whether `candidate` may replace `running` under the default policy: its serial is larger, and
/// its feature count differs from the running count by at most 50 % of the running count.
pub fn safe_successor(running: &FeatureFile, candidate: &FeatureFile) -> bool {
    let old = u128::try_from(running.features.len()).unwrap_or(u128::MAX);
    let new = u128::try_from(candidate.features.len()).unwrap_or(u128::MAX);
    let change = old.abs_diff(new).saturating_mul(100);
    candidate.serial > running.serial && change <= old.saturating_mul(u128::from(MAX_CHANGE_PCT))
}

/// How the edge reads a candidate of unknown format: binary if it starts with a prefix of `BFF1`
/// or with `BFF`, or has a control byte other than tab, CR and LF in its first 16 bytes; JSON rows
/// (which carry no serial, so the edge refuses them) if its first non-blank byte is `{`; text
/// otherwise.
pub fn read_any(bytes: &[u8]) -> Option<Verdict> {
    let head = bytes.get(..4).unwrap_or(bytes);
    let control = bytes
        .iter()
        .take(16)
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n'));
    if (!head.is_empty() && b"BFF1".starts_with(head)) || bytes.starts_with(b"BFF") || control {
        return Some(crate::binary::read(bytes));
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => None,
        _ => Some(crate::text::read(bytes)),
    }
}
