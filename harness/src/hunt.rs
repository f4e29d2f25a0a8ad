//! The body of a hunting fuzz target, for any parser: small stack, heap cap, nesting mutations.
//!
//! ```ignore
//! #![no_main]
//! harness::hunt_target!(|data| { let _ = my_parser::parse(data); });
//! ```
//! (the counting allocator, the `fuzz_target!` running the parser through [`run`], and the
//! `fuzz_mutator!` of [`mutate`]: see [`hunt_target!`](crate::hunt_target)).
//! `harness hunt DIR` then runs it for a budget, confirms what it finds, minimizes it and writes
//! it as a regression case.
//!
//! Speed is the point of this module: a hunt that runs at a fraction of a plain target's
//! executions finds less, shallow bugs included. So per input it does no file system work and
//! starts no thread: under the hunt tool the parser runs on the main thread of a process whose
//! stack limit is the small stack (no hand-off at all); run by hand, on one long-lived
//! small-stack thread. An input that could overflow the stack is kept for the crash path by one
//! positioned write into a file opened once ([`crate::keep`] says which).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::keep::Keeper;

/// A whole hunt target: installs the counting allocator (the heap cap), and defines the
/// `fuzz_target!` that runs the parser through [`run`] and the `fuzz_mutator!` of [`mutate`].
/// The argument is the parser call, a closure on `&[u8]` that captures nothing. The crate needs
/// `libfuzzer-sys` and `#![no_main]`, as any cargo-fuzz target.
#[macro_export]
macro_rules! hunt_target {
    ($($parse:tt)+) => {
        $crate::counting_allocator!();
        ::libfuzzer_sys::fuzz_target!(
            init: $crate::alloc::install(&HARNESS_COUNTING_ALLOCATOR),
            |data: &[u8]| $crate::hunt::run(data, $($parse)+)
        );
        ::libfuzzer_sys::fuzz_mutator!(
            |data: &mut [u8], size: usize, max_size: usize, seed: u32| {
                $crate::hunt::mutate(data, size, max_size, seed, ::libfuzzer_sys::fuzzer_mutate)
            }
        );
    };
}

/// Heap growth allowed for one input unless `HARNESS_HEAP_MB` says otherwise: generous for a real
/// parser, far below what a claimed length prefix of 2^60 asks for.
pub const DEFAULT_HEAP_MB: usize = 256;

/// Set (by the hunt tool, which also lowers the process's stack limit) when the parser is to run
/// on the calling thread: the process's own stack is then the small one, and no thread hand-off
/// is paid per input.
pub const ON_MAIN_STACK_ENV: &str = "HARNESS_ON_MAIN_STACK";

type Panic = Box<dyn std::any::Any + Send>;
type Job = (fn(&[u8]), Vec<u8>);

/// The hand-off between the fuzzing thread and the small-stack thread. A channel's park and
/// wake-up on each side cost more than a fast parser's whole run, so both sides spin briefly on
/// `state` first.
struct Handoff {
    /// [`IDLE`], [`READY`] (a job is in `job`), [`DONE`] (the result is in `result`).
    state: AtomicU8,
    job: Mutex<Option<Job>>,
    result: Mutex<Option<Result<(), Panic>>>,
}

const IDLE: u8 = 0;
const READY: u8 = 1;
const DONE: u8 = 2;

/// The small-stack thread and its hand-off.
struct Worker {
    handoff: Arc<Handoff>,
    thread: std::thread::Thread,
}

/// What is set up once per process.
struct Hunt {
    /// `None` when the parser runs on the calling thread ([`ON_MAIN_STACK_ENV`]).
    worker: Option<Worker>,
    on_main_stack: bool,
    /// One input at a time, whatever threads call [`run`].
    running: Mutex<()>,
    /// Writes an input down before it runs, where a stack overflow cannot lose it.
    keeper: Option<Mutex<Keeper>>,
    heap: usize,
}

static HUNT: OnceLock<Hunt> = OnceLock::new();

fn hunt() -> &'static Hunt {
    HUNT.get_or_init(|| {
        crate::crash::install();
        let mb = std::env::var("HARNESS_HEAP_MB")
            .ok()
            .and_then(|m| m.parse().ok())
            .unwrap_or(DEFAULT_HEAP_MB);
        let on_main_stack = std::env::var_os(ON_MAIN_STACK_ENV).is_some();
        let main_stack = on_main_stack.then(|| crate::stack::stack_size(crate::stack::SMALL_STACK));
        // The cap is enforced from the first input on: inputs run one at a time here.
        crate::alloc::enforce();
        Hunt {
            worker: if on_main_stack { None } else { spawn_worker() },
            on_main_stack,
            running: Mutex::new(()),
            keeper: Keeper::from_env(main_stack).map(Mutex::new),
            heap: mb.saturating_mul(1024 * 1024),
        }
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Waits for `state` to become `want`: spinning first (the other side is usually quick), then
/// yielding, or parking when `park` (the worker, woken by `unpark`).
fn wait_for(state: &AtomicU8, want: u8, park: bool) {
    let mut spins = 0u32;
    while state.load(Ordering::Acquire) != want {
        if spins < 20_000 {
            spins = spins.saturating_add(1);
            std::hint::spin_loop();
        } else if park {
            std::thread::park_timeout(std::time::Duration::from_millis(1));
        } else {
            std::thread::yield_now();
        }
    }
}

/// The long-lived thread the parser runs on, with the hunt's small stack.
fn spawn_worker() -> Option<Worker> {
    let handoff = Arc::new(Handoff {
        state: AtomicU8::new(IDLE),
        job: Mutex::new(None),
        result: Mutex::new(None),
    });
    let shared = Arc::clone(&handoff);
    let handle = std::thread::Builder::new()
        .name("harness-small-stack".into())
        .stack_size(crate::stack::stack_size(crate::stack::SMALL_STACK))
        .spawn(move || {
            loop {
                wait_for(&shared.state, READY, true);
                let job = lock(&shared.job).take();
                let result = match job {
                    Some((parse, data)) => {
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(&data)))
                    }
                    None => Ok(()),
                };
                *lock(&shared.result) = Some(result);
                shared.state.store(DONE, Ordering::Release);
            }
        })
        .ok()?;
    Some(Worker {
        handoff,
        thread: handle.thread().clone(),
    })
}

/// Runs `parse` on `data` with the hunt's small stack — on the calling thread when the hunt tool
/// lowered the process's stack limit ([`ON_MAIN_STACK_ENV`]), else on a long-lived thread of
/// 64 KiB (or `HARNESS_STACK`) — under
/// the heap cap (`HARNESS_HEAP_MB`, default 256 MiB). A stack overflow, an allocation past the
/// cap or a panic ends the process: libFuzzer's crash, and the input is in `HARNESS_LAST_INPUT`
/// for the one case libFuzzer cannot save it (a stack overflow on stable, where nothing catches
/// the guard page's SIGSEGV).
pub fn run(data: &[u8], parse: fn(&[u8])) {
    let hunt = hunt();
    let _one_at_a_time = lock(&hunt.running);
    if let Some(keeper) = &hunt.keeper {
        lock(keeper).before_run(data);
    }
    if hunt.on_main_stack {
        let outcome = {
            let _cap = crate::alloc::limit(hunt.heap);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(data)))
        };
        after_run(hunt);
        return settle(Some(outcome));
    }
    let Some(worker) = &hunt.worker else {
        // No thread to be had: end the process so the input shows as a crash instead of
        // passing unchecked.
        std::process::abort();
    };
    let outcome = {
        let _cap = crate::alloc::limit(hunt.heap);
        *lock(&worker.handoff.job) = Some((parse, data.to_vec()));
        worker.handoff.state.store(READY, Ordering::Release);
        worker.thread.unpark();
        wait_for(&worker.handoff.state, DONE, false);
        worker.handoff.state.store(IDLE, Ordering::Release);
        lock(&worker.handoff.result).take()
    };
    after_run(hunt);
    settle(outcome);
}

fn after_run(hunt: &Hunt) {
    if let Some(keeper) = &hunt.keeper {
        lock(keeper).after_run();
    }
}

/// Ends one input: a panic not yet reported goes on to libFuzzer as a crash.
fn settle(outcome: Option<Result<(), Panic>>) {
    match outcome {
        Some(Ok(())) => {}
        // A panic the hunt already reported: look past it for the next bug.
        Some(Err(_)) if crate::crash::last_panic_was_known() => {}
        Some(Err(payload)) => std::panic::resume_unwind(payload),
        None => std::process::abort(),
    }
}

/// The time the hunt's mutants cost, by whose mutation: the harness's own get at most a fifth
/// ([`crate::share`]).
static SHARE: crate::share::Account = crate::share::Account::new();

/// The clock [`SHARE`] counts on.
static EPOCH: OnceLock<Instant> = OnceLock::new();

/// The custom mutator of a hunt: mostly libFuzzer's own mutations (which find the shallow bugs
/// a plain target finds), one in six the harness's own — balanced nesting, long repeats,
/// inflated length prefixes and line mutations — while their mutants took at most a fifth of
/// the time ([`crate::share`]: they make deeper inputs, which cost a recursive parser more than
/// libFuzzer's). Under the hunt tool lengths grow by libFuzzer's
/// own `-len_control`, which the tool asks for by name (libFuzzer turns it off for a custom
/// mutator) and which bounds `max_size`; run by hand without it, the longest input allowed
/// here grows from 64 bytes, doubling every 2^14 mutations.
pub fn mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    libfuzzer_mutate: fn(&mut [u8], usize, usize) -> usize,
) -> usize {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let calls = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // 64 bytes, doubling every 2^14 mutations: the full 4 KiB after about 100,000.
    let grown = 64usize
        .checked_shl(u32::try_from(calls >> 14).unwrap_or(u32::MAX))
        .unwrap_or(usize::MAX);
    let max_size = max_size.min(grown.max(size));
    let own = seed.is_multiple_of(6) && SHARE.allows_own();
    let mutant = if own {
        let mut rng = fastrand::Rng::with_seed(u64::from(seed));
        crate::mutate::own_mutate(
            data,
            size,
            max_size,
            &mut rng,
            crate::mutate::mutate_nested,
            None,
        )
    } else {
        libfuzzer_mutate(data, size, max_size)
    };
    let now = EPOCH.get_or_init(Instant::now).elapsed().as_nanos();
    SHARE.made(u64::try_from(now).unwrap_or(u64::MAX), own);
    crate::keep::vouch(size, mutant);
    mutant
}
