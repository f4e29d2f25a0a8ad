//! The counting allocator behind the memory oracle.
//!
//! [`CountingAlloc`] is [`cap::Cap`] around the system allocator (the unsafe code of an
//! allocator is that crate's, not ours). A binary that wants the heap cap installs it as its
//! global allocator and tells the harness where it is — one line with
//! [`counting_allocator!`](crate::counting_allocator), which the fuzz-target macros
//! ([`hunt_target!`](crate::hunt_target)) already contain:
//!
//! ```ignore
//! harness::counting_allocator!();            // the crate's #[global_allocator]
//! harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR);  // at startup, before the first input
//! ```
//!
//! Nothing is installed by merely depending on the harness, so a binary with an allocator of
//! its own links fine. [`limit`] then caps how far the live heap may grow while one input is
//! parsed: an allocation past the cap fails and Rust aborts the process with
//! `memory allocation of N bytes failed` — a crash libFuzzer saves and replay attributes to the
//! input, exactly as with libFuzzer's own `-malloc_limit_mb`. The cap is process-wide, so it is
//! enforced only after [`enforce`] is called, by a process that runs one input at a time (a fuzz
//! target, a replay child); in a multi-threaded test run another test's allocations would count.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// The counting allocator: the system allocator with a count of live bytes and a cap.
pub type CountingAlloc = cap::Cap<std::alloc::System>;

/// Defines `HARNESS_COUNTING_ALLOCATOR`, a [`CountingAlloc`], as this binary's global
/// allocator. Pass it to [`install`] before the first input.
#[macro_export]
macro_rules! counting_allocator {
    () => {
        #[global_allocator]
        static HARNESS_COUNTING_ALLOCATOR: $crate::alloc::CountingAlloc =
            $crate::alloc::CountingAlloc::new(::std::alloc::System, usize::MAX);
    };
}

static INSTALLED: OnceLock<&'static CountingAlloc> = OnceLock::new();
static ENFORCE: AtomicBool = AtomicBool::new(false);

/// Tells the harness which allocator counts: the binary's global allocator (see
/// [`counting_allocator!`](crate::counting_allocator)). The first call wins; later ones are
/// ignored.
pub fn install(alloc: &'static CountingAlloc) {
    let _ = INSTALLED.set(alloc);
}

fn installed() -> Option<&'static CountingAlloc> {
    INSTALLED.get().copied()
}

/// Turns on the heap cap of [`limit`] for this process. Call it where inputs run one at a time.
pub fn enforce() {
    ENFORCE.store(true, Ordering::SeqCst);
}

/// Whether [`limit`] caps the heap in this process: a counting allocator is installed and
/// [`enforce`] was called.
pub fn enforced() -> bool {
    enabled() && ENFORCE.load(Ordering::SeqCst)
}

/// Whether a counting allocator is installed ([`install`]).
pub fn enabled() -> bool {
    installed().is_some()
}

/// Bytes currently allocated, if counting.
pub fn allocated() -> Option<usize> {
    installed().map(CountingAlloc::allocated)
}

/// While alive, the live heap may grow at most `bound` bytes above its level when the limit was
/// set. Dropping it lifts the cap. A no-op without a counting allocator.
#[must_use = "the limit is lifted when this is dropped"]
pub struct Limit {
    /// The allocator and the cap to restore.
    previous: Option<(&'static CountingAlloc, usize)>,
}

/// Caps heap growth at `bound` bytes until the returned guard is dropped (when [`enforced`]).
pub fn limit(bound: usize) -> Limit {
    let Some(alloc) = installed() else {
        return Limit { previous: None };
    };
    let previous = alloc.limit();
    if ENFORCE.load(Ordering::SeqCst) {
        let cap = alloc.allocated().saturating_add(bound).min(previous);
        // Fails only if the cap is below what is already allocated, which `min` with the
        // allocated amount plus a bound rules out.
        let _ = alloc.set_limit(cap);
    }
    Limit {
        previous: Some((alloc, previous)),
    }
}

/// Lifts any cap at once (the crash path: a panic report must be able to allocate).
pub fn lift() {
    if let Some(alloc) = installed() {
        let _ = alloc.set_limit(usize::MAX);
    }
}

impl Drop for Limit {
    fn drop(&mut self) {
        if let Some((alloc, previous)) = self.previous {
            let _ = alloc.set_limit(previous);
        }
    }
}
