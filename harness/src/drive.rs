//! Drivers: the same oracle result, reported the way each runner expects.

use crate::oracle::Violation;

/// For a libFuzzer target: a violation becomes a panic (libFuzzer saves the input as a crash).
#[allow(clippy::panic)] // Turning a violation into a crash is this function's job.
pub fn fuzz<T>(result: Result<T, Violation>) {
    if let Err(violation) = result {
        panic!("{violation}");
    }
}

/// For a proptest property: a violation becomes a test-case failure (proptest then shrinks it).
#[cfg(feature = "proptest")]
pub fn proptest<T>(
    result: Result<T, Violation>,
) -> Result<T, proptest::test_runner::TestCaseError> {
    result.map_err(|v| proptest::test_runner::TestCaseError::fail(v.to_string()))
}
