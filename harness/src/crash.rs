//! Making every panic a prompt, complete crash report, whatever the environment says.
//!
//! A fuzz process runs under the heap cap of [`crate::alloc`]. Rust's default panic hook prints
//! a backtrace when `RUST_BACKTRACE` is set, and symbolizing it allocates: past the cap that
//! allocation fails inside the hook, and the process hung until libFuzzer's `-timeout` (12 s
//! seen) instead of crashing at once. [`install`] replaces the hook with one that first lifts the
//! cap, then prints the panic's message and place — never a backtrace, so the report takes the
//! same few microseconds with `RUST_BACKTRACE` set or not.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};

static INSTALL: Once = Once::new();

/// The environment variable the hunt tool sets to the signatures of panics it has already
/// reported (one a line, as [`panic_signature`] makes them), so a rerun
/// looks past them for the next bug instead of finding the same one again.
pub const KNOWN_PANICS_ENV: &str = "HARNESS_KNOWN_PANICS";

static KNOWN: OnceLock<Vec<String>> = OnceLock::new();
static LAST_WAS_KNOWN: AtomicBool = AtomicBool::new(false);

fn known() -> &'static [String] {
    KNOWN.get_or_init(|| {
        std::env::var(KNOWN_PANICS_ENV)
            .map(|v| {
                v.lines()
                    .map(String::from)
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Whether the last panic in this process was one of [`KNOWN_PANICS_ENV`] (and so went
/// unreported). Reading it clears it.
pub fn last_panic_was_known() -> bool {
    LAST_WAS_KNOWN.swap(false, Ordering::AcqRel)
}

/// Installs the crash-report hook for this process (once; later calls do nothing).
pub fn install() {
    INSTALL.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            crate::alloc::lift();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
                .unwrap_or("non-string panic payload");
            let place = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let signature = panic_signature(&place, message);
            if known().contains(&signature) {
                LAST_WAS_KNOWN.store(true, Ordering::Release);
                return;
            }
            let thread = std::thread::current();
            eprintln!(
                "thread '{}' panicked at {place}:\n{message}",
                thread.name().unwrap_or("<unnamed>")
            );
        }));
    });
}

/// What tells two panics apart: the place and the message, its number literals blanked (so
/// `index 7` and `index 9` are one bug). The hunt tool names findings by it and hands it back in
/// [`KNOWN_PANICS_ENV`].
pub fn panic_signature(location: &str, message: &str) -> String {
    format!("panic at {location}: {}", blank_numbers(message))
}

/// `s` with every run of ASCII digits written as one `N`.
pub fn blank_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_number = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}
