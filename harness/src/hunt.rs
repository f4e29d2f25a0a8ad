//! The body of a hunting fuzz target, for any parser: small stack, heap cap, nesting mutations.
//!
//! ```ignore
//! libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::hunt::run(data, |d| { let _ = my_parser::parse(d); }));
//! libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
//!     harness::hunt::mutate(data, size, max_size, seed, libfuzzer_sys::fuzzer_mutate)
//! });
//! ```
//! `harness/hunt DIR` then runs it for a budget, confirms a stack overflow by amplification,
//! minimizes what it finds and writes it as a regression case.

/// Heap growth allowed for one input unless `HARNESS_HEAP_MB` says otherwise: generous for a real
/// parser, far below what a claimed length prefix of 2^60 asks for.
pub const DEFAULT_HEAP_MB: usize = 256;

/// Runs `parse` on `data` on a [`SMALL_STACK`](crate::stack::SMALL_STACK) thread (or
/// `HARNESS_STACK`), under the heap cap (`HARNESS_HEAP_MB`, default 256 MiB). A stack overflow,
/// an allocation past the cap or a panic ends the process: libFuzzer's crash.
pub fn run(data: &[u8], parse: impl FnOnce(&[u8]) + Send) {
    // Without a sanitizer nothing reports a stack overflow on our thread: the guard page's
    // SIGSEGV kills the process before libFuzzer can save the input. So the hunt keeps the input
    // under test in a file (`HARNESS_LAST_INPUT`, set by harness/hunt) that outlives the crash.
    if let Some(path) = std::env::var_os("HARNESS_LAST_INPUT") {
        let _ = std::fs::write(path, data);
    }
    crate::alloc::enforce();
    let mb = std::env::var("HARNESS_HEAP_MB")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(DEFAULT_HEAP_MB);
    let _cap = crate::alloc::limit(mb.saturating_mul(1024 * 1024));
    crate::stack::run_on_stack(crate::stack::SMALL_STACK, || parse(data));
}

/// The custom mutator of a hunt: half libFuzzer's own mutations, half nesting, long repeats,
/// inflated length prefixes and line mutations.
pub fn mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    libfuzzer_mutate: fn(&mut [u8], usize, usize) -> usize,
) -> usize {
    crate::mutate::custom_mutate(
        data,
        size,
        max_size,
        seed,
        libfuzzer_mutate,
        crate::mutate::mutate_nested,
        None,
    )
}
