//! A hunt round's target traced, so that it writes nothing per input.
//!
//! A stack overflow kills the hunt target before libFuzzer can save the input (see
//! `harness::keep`). Instead of writing every input to a file before it runs — one system call
//! per input, dearer than a fast parser's parse — the process, run with `HARNESS_KEEP=traced`,
//! only stores where its input is ([`harness::keep::SLOT_BYTES`] bytes at an address it writes to
//! the keeper's file once). This tool attaches to it as a debugger does (`PTRACE_SEIZE`): the
//! kernel then stops the process at every signal before delivering it, and at a fatal one
//! (a stack overflow's SIGSEGV) this tool reads the input from the process's memory
//! (`/proc/PID/mem`), writes it to the keeper's file, and lets the signal kill the process as
//! before. Every other signal (libFuzzer's timer) is delivered as it came.
//!
//! Where tracing is not allowed (a `ptrace_scope` that forbids it, a sandbox), the seize fails:
//! later rounds do not ask for it, and the process, seeing no tracer within
//! [`harness::keep::TRACER_WAIT`], keeps as with `HARNESS_KEEP=risky`.

use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::ptrace;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

/// Set once a seize failed: tracing is not allowed here, later rounds do not ask for it.
static REFUSED: AtomicBool = AtomicBool::new(false);

/// The longest input copied out of a traced process (its claimed length is its own number).
pub const MAX_INPUT: usize = 256 * 1024 * 1024;

/// Whether to ask the next round's target to rely on a tracer: no seize has failed yet.
pub fn wanted() -> bool {
    !REFUSED.load(Ordering::Relaxed)
}

/// The signals that end a process with its input the cause: the input is copied at them.
fn fatal(signal: Signal) -> bool {
    matches!(
        signal,
        Signal::SIGSEGV | Signal::SIGBUS | Signal::SIGABRT | Signal::SIGILL | Signal::SIGFPE
    )
}

/// A child this tool traces and waits for itself (std's `Child` must then not wait for it).
#[derive(Debug)]
pub struct Traced {
    pid: Pid,
    /// The keeper's file: the slot's address is read from it, the input written to it.
    last_input: PathBuf,
    /// The slot's address, once read.
    slot: Option<u64>,
    /// How it ended, once reaped.
    ended: Option<ExitStatus>,
}

impl Traced {
    /// Attaches to `child` (just spawned, with `HARNESS_KEEP=traced` and its keeper's file at
    /// `last_input`). `None` when tracing is not allowed; later rounds then do not ask for it.
    pub fn seize(child: &Child, last_input: &Path) -> Option<Traced> {
        let pid = Pid::from_raw(i32::try_from(child.id()).ok()?);
        match ptrace::seize(pid, ptrace::Options::empty()) {
            Ok(()) => Some(Traced {
                pid,
                last_input: last_input.to_path_buf(),
                slot: None,
                ended: None,
            }),
            Err(e) => {
                if !REFUSED.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "== cannot trace the hunt target ({e}): it writes its inputs down instead"
                    );
                }
                None
            }
        }
    }

    /// How it ended, without blocking: `None` while it runs. Every stop on the way is handled —
    /// at a fatal signal the input is copied — and the signal delivered.
    pub fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        self.wait_with(WaitPidFlag::WNOHANG)
    }

    /// Waits until it has ended (after it was sent SIGKILL, which no stop holds up).
    pub fn reap(&mut self) -> std::io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.wait_with(WaitPidFlag::empty())? {
                return Ok(status);
            }
        }
    }

    fn wait_with(&mut self, flags: WaitPidFlag) -> std::io::Result<Option<ExitStatus>> {
        if let Some(status) = self.ended {
            return Ok(Some(status));
        }
        loop {
            let status = waitpid(self.pid, Some(flags | WaitPidFlag::__WALL))
                .map_err(std::io::Error::from)?;
            let resume = match status {
                WaitStatus::StillAlive => return Ok(None),
                WaitStatus::Exited(_, code) => {
                    return Ok(Some(
                        self.end(ExitStatus::from_raw((code & 0xff).wrapping_shl(8))),
                    ));
                }
                WaitStatus::Signaled(_, signal, core) => {
                    let core = if core { 0x80 } else { 0 };
                    return Ok(Some(self.end(ExitStatus::from_raw(signal as i32 | core))));
                }
                WaitStatus::Stopped(_, signal) => {
                    if fatal(signal) {
                        self.keep_input();
                    }
                    Some(signal)
                }
                // A group stop (SIGSTOP and the like, reported so under PTRACE_SEIZE), or an
                // event not asked for: resume without a signal.
                WaitStatus::PtraceEvent(..) | WaitStatus::PtraceSyscall(_) => None,
                WaitStatus::Continued(_) => continue,
            };
            // It may have been killed meanwhile (ESRCH): the next wait reports how it ended.
            let _ = ptrace::cont(self.pid, resume);
        }
    }

    fn end(&mut self, status: ExitStatus) -> ExitStatus {
        self.ended = Some(status);
        status
    }

    /// Whether it has been reaped.
    pub fn has_ended(&self) -> bool {
        self.ended.is_some()
    }

    /// Copies the input under test from the stopped process into the keeper's file; nothing
    /// when it is between inputs or has not said where its slot is.
    fn keep_input(&mut self) {
        if self.slot.is_none() {
            self.slot = std::fs::read(&self.last_input)
                .ok()
                .and_then(|bytes| harness::keep::traced_slot(&bytes));
        }
        let Some(slot_address) = self.slot else {
            return;
        };
        let Ok(memory) = File::open(format!("/proc/{}/mem", self.pid)) else {
            return;
        };
        let mut slot = [0u8; harness::keep::SLOT_BYTES];
        if memory.read_exact_at(&mut slot, slot_address).is_err() {
            return;
        }
        let Some((address, len)) = harness::keep::slot_input(&slot) else {
            return;
        };
        if len > MAX_INPUT {
            return;
        }
        let mut input = vec![0u8; len];
        if memory.read_exact_at(&mut input, address).is_err() {
            return;
        }
        let record = harness::keep::record(&input);
        if let Ok(file) = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.last_input)
        {
            let _ = file.write_all_at(&record, 0);
            let _ = file.set_len(u64::try_from(record.len()).unwrap_or(u64::MAX));
        }
    }
}
