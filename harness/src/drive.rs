//! Drivers: the same oracle result, reported the way each runner expects.

use crate::oracle::Violation;

/// For a libFuzzer target: a violation is printed and the process aborts, which libFuzzer
/// reports as a crash and saves the input of. Aborting (not panicking) keeps the report free of
/// a second panic message and of any backtrace; call [`crate::crash::install`] first so that a
/// panic inside the target is reported the same way.
pub fn fuzz<T>(result: Result<T, Violation>) {
    if let Err(violation) = result {
        crate::alloc::lift();
        eprintln!("==== oracle violation\n{violation}");
        std::process::abort();
    }
}

/// For a proptest property: a violation becomes a test-case failure (proptest then shrinks it).
#[cfg(feature = "proptest")]
pub fn proptest<T>(
    result: Result<T, Violation>,
) -> Result<T, proptest::test_runner::TestCaseError> {
    result.map_err(|v| proptest::test_runner::TestCaseError::fail(v.to_string()))
}
