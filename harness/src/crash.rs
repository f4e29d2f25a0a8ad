//! Making every panic a prompt, complete crash report, whatever the environment says.
//!
//! A fuzz process runs under the heap cap of [`crate::alloc`]. Rust's default panic hook prints
//! a backtrace when `RUST_BACKTRACE` is set, and symbolizing it allocates: past the cap that
//! allocation fails inside the hook, and the process hung until libFuzzer's `-timeout` (12 s
//! seen) instead of crashing at once. [`install`] replaces the hook with one that first lifts the
//! cap, then prints the panic's message and place — never a backtrace, so the report takes the
//! same few microseconds with `RUST_BACKTRACE` set or not.

use std::sync::Once;

static INSTALL: Once = Once::new();

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
            let thread = std::thread::current();
            eprintln!(
                "thread '{}' panicked at {place}:\n{message}",
                thread.name().unwrap_or("<unnamed>")
            );
        }));
    });
}
