//! Which inputs a hunt target writes down before it runs them.
//!
//! A stack overflow kills the process before libFuzzer can save the input (on stable nothing
//! catches the guard page's SIGSEGV, and a handler on an alternate stack would need unsafe
//! code), so the hunt target writes the input to a file first ([`LAST_INPUT_ENV`]): the length,
//! then the bytes, at offset 0 of a file opened once. On a fast parser that one system call per
//! input costs more than the parse itself, and almost every input could not overflow anyway.
//!
//! So with `HARNESS_KEEP=risky` ([`KEEP_ENV`]) only the inputs that could are written:
//!
//! - an input the mutator did not just make (a corpus file loaded, or one the plain partner
//!   found on its deeper stack and the hunt reloaded);
//! - a mutant more than [`VOUCHED_GROWTH`] bytes longer than its parent (a nesting, a long
//!   repeat, a crossover: the jumps in depth);
//! - every input, once the parser has used half its stack: a watcher thread checks every
//!   [`WATCH_EVERY`] whether the page half the parser's stack below the main stack's top is
//!   resident (`/proc/self/pagemap`), and libFuzzer's stack-depth feature leads the search
//!   there through ever deeper inputs long before one overflows.
//!
//! Any other input, when the file holds an input, first writes a record that says "not kept"
//! ([`read_kept`] gives `None`): the file never names an input that did not kill the process.
//! What slips through (a short mutation from under half the stack past all of it within one
//! watch) dies with no input; the hunt tool then runs its next rounds keeping every input.
//! Without the variable, by hand, on a worker thread, or where `/proc` cannot tell, every input
//! is written.
//!
//! With `HARNESS_KEEP=traced` ([`KEEP_TRACED`]) nothing is written per input: the hunt tool
//! traces the process (`ptrace`, as a debugger does) and, when a fatal signal stops it, copies
//! the input from its memory into the file itself. The process only says where the input is —
//! its address and length in [`SLOT`], two stores per input — and writes the slot's address to
//! the file once, when it sees its tracer ([`TRACER_WAIT`]). A process that sees none (tracing
//! not allowed) keeps as with `risky`.

use std::fs::File;
use std::io::Read as _;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// The environment variable naming the file that holds the input under test (set by the hunt
/// tool): 8 bytes of little-endian length, then the input, rewritten in place.
pub const LAST_INPUT_ENV: &str = "HARNESS_LAST_INPUT";

/// Set to [`KEEP_RISKY`] (by the hunt tool, for its in-process rounds) to write only the inputs
/// that could overflow the stack; anything else writes every input.
pub const KEEP_ENV: &str = "HARNESS_KEEP";

/// The value of [`KEEP_ENV`] that writes only risky inputs.
pub const KEEP_RISKY: &str = "risky";

/// The value of [`KEEP_ENV`] under which the hunt tool traces the process and copies the input
/// that died from its memory: nothing is written per input.
pub const KEEP_TRACED: &str = "traced";

/// How long a process asked to be traced waits to see its tracer (it is attached just after it
/// starts) before it keeps as with [`KEEP_RISKY`].
pub const TRACER_WAIT: Duration = Duration::from_millis(500);

/// A mutant at most this many bytes longer than its parent is not written while the parser has
/// used less than half its stack: a few more levels of nesting, not a jump past the rest.
pub const VOUCHED_GROWTH: usize = 16;

/// How often the watcher looks at the stack.
pub const WATCH_EVERY: Duration = Duration::from_millis(10);

/// The length field of a record that holds no input.
const NOT_KEPT: u64 = u64::MAX;

/// The length field of the record a traced process writes once: the next 8 bytes are the
/// address of its [`SLOT`]. It holds no input until the tracer writes one in its place.
const TRACED: u64 = u64::MAX - 1;

/// The input under test, for a tracer to read: its address and its length ([`NONE`] between
/// inputs, so a crash outside the parser names no input). An array of atomics: its layout is
/// two `usize`s, which the tracer reads as [`SLOT_BYTES`] bytes at the address given.
static SLOT: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(NONE)];

/// The size of [`SLOT`] in the traced process's memory.
pub const SLOT_BYTES: usize = 2 * std::mem::size_of::<usize>();

/// No mutant vouched for.
const NONE: usize = usize::MAX;

/// The length of the mutant the mutator just made, when it grew by at most
/// [`VOUCHED_GROWTH`]; [`NONE`] otherwise. Taken (reset) by the next input run.
static VOUCHED: AtomicUsize = AtomicUsize::new(NONE);

/// Set once the parser has used half its stack (or the watcher cannot tell): every input is
/// written from then on.
static DEEP: AtomicBool = AtomicBool::new(false);

/// Tells the keeper what the mutator did: a mutant of `after` bytes made from `before`. Called
/// by the hunt's custom mutator; libFuzzer runs the mutant next.
pub fn vouch(before: usize, after: usize) {
    let vouched = if after <= before.saturating_add(VOUCHED_GROWTH) {
        after
    } else {
        NONE
    };
    VOUCHED.store(vouched, Ordering::Relaxed);
}

/// Reads back what the keeper wrote (for the hunt tool): the input, or `None` when the file
/// holds none (empty, cut short, a "not kept" record, or a traced process's slot address).
pub fn read_kept(bytes: &[u8]) -> Option<&[u8]> {
    let len = first_word(bytes)?;
    if len == NOT_KEPT || len == TRACED {
        return None;
    }
    bytes.get(8..8usize.checked_add(usize::try_from(len).ok()?)?)
}

/// The record that keeps `input`: its length (8 bytes, little-endian), then its bytes. What the
/// keeper writes, and what the tracer writes for a traced process.
pub fn record(input: &[u8]) -> Vec<u8> {
    let mut record = Vec::with_capacity(input.len().saturating_add(8));
    append_record(&mut record, input);
    record
}

fn append_record(record: &mut Vec<u8>, input: &[u8]) {
    record.extend_from_slice(&u64::try_from(input.len()).unwrap_or(NOT_KEPT).to_le_bytes());
    record.extend_from_slice(input);
}

/// The address of a traced process's [`SLOT`], from the record it wrote (for the tracer).
pub fn traced_slot(bytes: &[u8]) -> Option<u64> {
    if first_word(bytes)? != TRACED {
        return None;
    }
    bytes.get(8..16)?.try_into().ok().map(u64::from_le_bytes)
}

/// Where the input under test is, from the [`SLOT_BYTES`] bytes read at a traced process's slot:
/// its address and length, or `None` between inputs.
pub fn slot_input(slot: &[u8]) -> Option<(u64, usize)> {
    const WORD: usize = std::mem::size_of::<usize>();
    let word = |at: usize| -> Option<usize> {
        let bytes = slot.get(at..at.checked_add(WORD)?)?;
        Some(usize::from_ne_bytes(bytes.try_into().ok()?))
    };
    let (address, len) = (word(0)?, word(WORD)?);
    (len != NONE).then(|| Some((u64::try_from(address).ok()?, len)))?
}

fn first_word(bytes: &[u8]) -> Option<u64> {
    bytes.get(..8)?.try_into().ok().map(u64::from_le_bytes)
}

/// The file an input is written to before it runs, and what decides which.
pub(crate) struct Keeper {
    file: File,
    /// The record written, reused so writing an input allocates nothing.
    record: Vec<u8>,
    /// Only risky inputs are written (the watcher runs).
    risky_only: bool,
    /// Nothing is written: the tracer reads [`SLOT`].
    traced: bool,
    /// The file holds an input (not a "not kept" record).
    holds_input: bool,
}

impl Keeper {
    /// The keeper the environment asks for: `None` without [`LAST_INPUT_ENV`]. `main_stack` is
    /// the parser's stack when it runs on the main thread (only there can the watcher see it).
    pub(crate) fn from_env(main_stack: Option<usize>) -> Option<Keeper> {
        // `%p` in the path is this process's id: in libFuzzer's fork mode each child keeps its
        // own last input, so the one a crash killed is still there after the next child starts.
        let path = std::env::var(LAST_INPUT_ENV)
            .ok()?
            .replace("%p", &std::process::id().to_string());
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(path)
            .ok()?;
        let asked = std::env::var(KEEP_ENV).unwrap_or_default();
        if asked == KEEP_TRACED && traced_within(TRACER_WAIT) {
            let mut record = TRACED.to_le_bytes().to_vec();
            let slot = u64::try_from(std::ptr::addr_of!(SLOT).addr()).unwrap_or(0);
            record.extend_from_slice(&slot.to_le_bytes());
            if file.write_all_at(&record, 0).is_ok() {
                return Some(Keeper {
                    file,
                    record,
                    risky_only: false,
                    traced: true,
                    holds_input: false,
                });
            }
        }
        let risky_asked = asked == KEEP_RISKY || asked == KEEP_TRACED;
        let risky_only = risky_asked && main_stack.is_some_and(watch);
        Some(Keeper {
            file,
            record: Vec::new(),
            risky_only,
            traced: false,
            holds_input: false,
        })
    }

    /// Called before `data` runs: writes it, or, when it cannot overflow and the file holds an
    /// earlier input, a "not kept" record in its place.
    pub(crate) fn before_run(&mut self, data: &[u8]) {
        if self.traced {
            let [address, len] = &SLOT;
            address.store(data.as_ptr().addr(), Ordering::Relaxed);
            len.store(data.len(), Ordering::Relaxed);
            return;
        }
        let vouched = VOUCHED.swap(NONE, Ordering::Relaxed) == data.len();
        if self.risky_only && vouched && !DEEP.load(Ordering::Relaxed) {
            if self.holds_input {
                let _ = self.file.write_all_at(&NOT_KEPT.to_le_bytes(), 0);
                self.holds_input = false;
            }
            return;
        }
        self.record.clear();
        append_record(&mut self.record, data);
        let _ = self.file.write_all_at(&self.record, 0);
        self.holds_input = true;
    }

    /// Called after `data` ran (and did not kill the process): a traced process's slot names no
    /// input until the next.
    pub(crate) fn after_run(&self) {
        if self.traced {
            let [_, len] = &SLOT;
            len.store(NONE, Ordering::Relaxed);
        }
    }
}

/// Whether a tracer attaches to this process within `wait` (`TracerPid` in `/proc/self/status`).
fn traced_within(wait: Duration) -> bool {
    let start = std::time::Instant::now();
    loop {
        let mut status = String::new();
        let read = File::open("/proc/self/status").and_then(|mut f| f.read_to_string(&mut status));
        if read.is_err() {
            return false;
        }
        let tracer = status
            .lines()
            .find_map(|l| l.strip_prefix("TracerPid:"))
            .map(str::trim);
        if tracer.is_some_and(|pid| pid != "0") {
            return true;
        }
        if tracer.is_none() || start.elapsed() >= wait {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Starts the watcher of the main thread's stack, for a parser given `stack` bytes of it;
/// `false` when `/proc` cannot tell (every input is then written).
fn watch(stack: usize) -> bool {
    let Some(mut stack_page) = StackPage::half_way(stack) else {
        return false;
    };
    let spawned = std::thread::Builder::new()
        .name("harness-stack-watch".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            loop {
                std::thread::sleep(WATCH_EVERY);
                if stack_page.resident() != Some(false) {
                    DEEP.store(true, Ordering::Relaxed);
                    return;
                }
            }
        });
    spawned.is_ok()
}

/// Checks at once whether the parser has used half its stack (and if so, has every input
/// written from now on, as the watcher would within [`WATCH_EVERY`]). `None`: `/proc` cannot
/// tell. For tests.
pub fn check_stack(stack: usize) -> Option<bool> {
    let deep = StackPage::half_way(stack)?.resident()?;
    if deep {
        DEEP.store(true, Ordering::Relaxed);
    }
    Some(deep)
}

/// One page of the main thread's stack, and the file that tells whether it is resident.
struct StackPage {
    pagemap: File,
    /// The page's entry's offset in `/proc/self/pagemap`.
    offset: u64,
}

impl StackPage {
    /// The page half `stack` bytes below the top of the main thread's stack (the `[stack]`
    /// entry of `/proc/self/smaps`, which gives its range and page size; the top never moves,
    /// the stack grows down from it).
    fn half_way(stack: usize) -> Option<StackPage> {
        let mut smaps = String::new();
        File::open("/proc/self/smaps")
            .ok()?
            .read_to_string(&mut smaps)
            .ok()?;
        let mut lines = smaps.lines().skip_while(|l| !l.ends_with("[stack]"));
        let range = lines.next()?.split(' ').next()?;
        let top = usize::from_str_radix(range.split('-').nth(1)?, 16).ok()?;
        let kib: usize = lines
            .find_map(|l| l.strip_prefix("KernelPageSize:"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        let page = kib.checked_mul(1024)?;
        let address = top.checked_sub(stack / 2)?;
        let offset = u64::try_from(address.checked_div(page)?.checked_mul(8)?).ok()?;
        let pagemap = File::open("/proc/self/pagemap").ok()?;
        Some(StackPage { pagemap, offset })
    }

    /// Whether the page is resident (or swapped out): the stack reached it. A page never
    /// reached, or beyond the mapping, reads as absent.
    fn resident(&mut self) -> Option<bool> {
        let mut entry = [0u8; 8];
        self.pagemap.read_exact_at(&mut entry, self.offset).ok()?;
        // Bit 63: present in memory; bit 62: swapped out.
        Some(u64::from_le_bytes(entry) >> 62 != 0)
    }
}
