//! The rollout guard's rules, as the README and `RolloutPolicy`'s documentation state them, and
//! the format an edge reads a candidate in: what `LiveFeatures::apply` must decide, written
//! without its code.

use botfeat::FeatureFile;

use crate::spec::Verdict;

/// The default policy's count change limit, in percent of the running count; also its churn
/// limit (running features removed or retyped).
pub const MAX_CHANGE_PCT: u64 = 50;
/// The default policy's largest serial step.
pub const MAX_SERIAL_JUMP: u64 = 1_000_000_000;

/// Whether `candidate` may replace `running` under the default policy: its serial is larger, by
/// at most a billion; its feature count differs from the running count by at most 50 % of the
/// running count; and at most 50 % of the running features are missing from it or have another
/// type in it.
pub fn safe_successor(running: &FeatureFile, candidate: &FeatureFile) -> bool {
    let pct = |n: usize| u128::try_from(n).unwrap_or(u128::MAX).saturating_mul(100);
    let allowed = u128::try_from(running.features.len())
        .unwrap_or(u128::MAX)
        .saturating_mul(u128::from(MAX_CHANGE_PCT));
    let count_change = pct(running.features.len().abs_diff(candidate.features.len()));
    let churn = running
        .features
        .iter()
        .filter(|r| {
            !candidate
                .features
                .iter()
                .any(|c| c.name == r.name && c.ty == r.ty)
        })
        .count();
    candidate.serial > running.serial
        && candidate.serial.saturating_sub(running.serial) <= MAX_SERIAL_JUMP
        && count_change <= allowed
        && pct(churn) <= allowed
}

/// How the edge reads a candidate of unknown format: binary if it starts with a prefix of `BFF1`
/// or with `BFF`, or has a NUL byte in its first 16 bytes; JSON rows (which carry no serial, so
/// the edge refuses them) if its first non-blank byte after an optional UTF-8 byte order mark is
/// `{`; text otherwise.
pub fn read_any(bytes: &[u8]) -> Option<Verdict> {
    let head = bytes.get(..4).unwrap_or(bytes);
    let control = bytes.iter().take(16).any(|&b| b == 0);
    if (!head.is_empty() && b"BFF1".starts_with(head)) || bytes.starts_with(b"BFF") || control {
        return Some(crate::binary::read(bytes));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => None,
        _ => Some(crate::text::read(bytes)),
    }
}
