//! The counting allocator behind the memory oracle.
//!
//! With the `count-alloc` feature, this crate installs [`cap::Cap`] around the system allocator
//! as the global allocator. [`limit`] then caps how far the live heap may grow while one input
//! is parsed: an allocation past the cap fails and Rust aborts the process with
//! `memory allocation of N bytes failed` — a crash libFuzzer saves and replay attributes to the
//! input, exactly as with libFuzzer's own `-malloc_limit_mb`. The cap is process-wide, so it is
//! enforced only after [`enforce`] is called, by a process that runs one input at a time (a fuzz
//! target, a replay child); in a multi-threaded test run another test's allocations would count.

use std::sync::atomic::{AtomicBool, Ordering};

static ENFORCE: AtomicBool = AtomicBool::new(false);

/// Turns on the heap cap of [`limit`] for this process. Call it where inputs run one at a time.
pub fn enforce() {
    ENFORCE.store(true, Ordering::SeqCst);
}

/// Whether [`limit`] caps the heap in this process: counting is on and [`enforce`] was called.
pub fn enforced() -> bool {
    enabled() && ENFORCE.load(Ordering::SeqCst)
}

#[cfg(feature = "count-alloc")]
#[global_allocator]
static ALLOC: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Whether the counting allocator is installed (feature `count-alloc`).
pub fn enabled() -> bool {
    cfg!(feature = "count-alloc")
}

/// Bytes currently allocated, if counting.
pub fn allocated() -> Option<usize> {
    #[cfg(feature = "count-alloc")]
    {
        Some(ALLOC.allocated())
    }
    #[cfg(not(feature = "count-alloc"))]
    {
        None
    }
}

/// Bytes allocated since the start, freed or not, if counting.
pub fn total_allocated() -> Option<usize> {
    #[cfg(feature = "count-alloc")]
    {
        Some(ALLOC.total_allocated())
    }
    #[cfg(not(feature = "count-alloc"))]
    {
        None
    }
}

/// While alive, the live heap may grow at most `bound` bytes above its level when the limit was
/// set. Dropping it lifts the cap. A no-op without `count-alloc`.
#[must_use = "the limit is lifted when this is dropped"]
pub struct Limit {
    #[cfg(feature = "count-alloc")]
    previous: usize,
}

/// Caps heap growth at `bound` bytes until the returned guard is dropped (when [`enforced`]).
pub fn limit(bound: usize) -> Limit {
    #[cfg(feature = "count-alloc")]
    {
        let previous = ALLOC.limit();
        if !enforced() {
            return Limit { previous };
        }
        let cap = ALLOC.allocated().saturating_add(bound).min(previous);
        // Fails only if the cap is below what is already allocated, which `cap` rules out.
        let _ = ALLOC.set_limit(cap);
        Limit { previous }
    }
    #[cfg(not(feature = "count-alloc"))]
    {
        let _ = bound;
        Limit {}
    }
}

/// Lifts any cap at once (the crash path: a panic report must be able to allocate).
pub fn lift() {
    #[cfg(feature = "count-alloc")]
    {
        let _ = ALLOC.set_limit(usize::MAX);
    }
}

impl Drop for Limit {
    fn drop(&mut self) {
        #[cfg(feature = "count-alloc")]
        {
            let _ = ALLOC.set_limit(self.previous);
        }
    }
}
