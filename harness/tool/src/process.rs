//! The one way this tool runs a child: in a process group of its own, output into a log file or
//! captured, until it exits, a deadline passes, or the user interrupts — and then the whole group
//! is killed, so no libFuzzer worker (fork mode's included) outlives the run.
//!
//! SIGINT and SIGTERM do not end this process outright: [`install_signal_handlers`] turns them
//! into a flag that every wait polls, so each run kills its group and returns
//! [`Error::Interrupted`], temp folders are removed on the way out, and the command prints what
//! it found so far before exiting 130 or 143.

use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::trace::Traced;

/// The signal that asked this process to stop (0: none yet).
static STOP: std::sync::OnceLock<Arc<AtomicUsize>> = std::sync::OnceLock::new();

/// How often a wait looks at its child and at the stop flag.
const POLL: Duration = Duration::from_millis(5);

/// Turns SIGINT and SIGTERM into the stop flag (once; later calls do nothing).
pub fn install_signal_handlers() -> Result<(), Error> {
    let flag = STOP.get_or_init(|| Arc::new(AtomicUsize::new(0)));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let as_usize = usize::try_from(signal).unwrap_or(0);
        signal_hook::flag::register_usize(signal, Arc::clone(flag), as_usize)
            .map_err(|e| Error::Setup(format!("cannot handle signal {signal}: {e}")))?;
    }
    Ok(())
}

/// The signal that asked this process to stop, if one did.
pub fn stop_requested() -> Option<i32> {
    let n = STOP.get()?.load(Ordering::Acquire);
    (n != 0).then(|| i32::try_from(n).unwrap_or(signal_hook::consts::SIGTERM))
}

/// Fails with [`Error::Interrupted`] once a stop was asked for.
pub fn check_stop() -> Result<(), Error> {
    stop_requested().map_or(Ok(()), |s| Err(Error::Interrupted(s)))
}

/// How a run ended.
#[derive(Clone, Debug)]
pub struct Ended {
    /// The exit status; `None` when the group was killed at the deadline.
    pub status: Option<ExitStatus>,
}

impl Ended {
    /// Exited with status 0.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

/// Spawns `cmd` as the leader of a new process group.
fn spawn(cmd: &mut Command) -> Result<Child, Error> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.process_group(0)
        .spawn()
        .map_err(|e| Error::Setup(format!("cannot run {program}: {e}")))
}

/// Kills `child`'s whole process group and reaps `child`.
fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Waits for `child` until it exits, `limit` passes (the group is killed: `status` is `None`),
/// or a stop is asked for (the group is killed: [`Error::Interrupted`]). Whatever way it ends,
/// no process of its group is left.
pub fn wait(child: &mut Child, limit: Duration) -> Result<Ended, Error> {
    let start = Instant::now();
    loop {
        if let Some(signal) = stop_requested() {
            kill_group(child);
            return Err(Error::Interrupted(signal));
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                // The leader is gone; workers it started (fork mode's) may not be.
                if let Ok(pid) = i32::try_from(child.id()) {
                    let _ = nix::sys::signal::killpg(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
                return Ok(Ended {
                    status: Some(status),
                });
            }
            Ok(None) => {}
            Err(e) => {
                kill_group(child);
                return Err(Error::Setup(format!("waiting for a child: {e}")));
            }
        }
        if start.elapsed() > limit {
            kill_group(child);
            return Ok(Ended { status: None });
        }
        std::thread::sleep(POLL);
    }
}

/// Runs `cmd` with stdout and stderr into the file `log`, no stdin, within `limit`; how it
/// ended and the log's text. A target that writes megabytes writes them to the file, not to a
/// pipe that could fill.
pub fn run_logged(mut cmd: Command, log: &Path, limit: Duration) -> Result<(Ended, String), Error> {
    let file = std::fs::File::create(log).map_err(|e| Error::io(log, e))?;
    let err = file.try_clone().map_err(|e| Error::io(log, e))?;
    cmd.stdin(Stdio::null()).stdout(file).stderr(err);
    let mut child = spawn(&mut cmd)?;
    let ended = wait(&mut child, limit)?;
    let text = std::fs::read(log)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    Ok((ended, text))
}

/// How a pair of runs side by side ended.
#[derive(Clone, Debug)]
pub struct PairEnded {
    /// The main run's end and log text.
    pub main: (Ended, String),
    /// The side run's end and log text, if it ended on its own (else it was killed when the main
    /// run ended).
    pub side: Option<(Ended, String)>,
    /// The side run's log text however it ended (killed, its last status line tells how many
    /// inputs it ran); empty without one.
    pub side_log: String,
    /// How long the side run ran (zero without one).
    pub side_ran: Duration,
}

/// Runs `main` (and `side` beside it, when given), each logged to its file, within `limit`.
/// The main run ends the pair; the side run ending first in a failure (a non-zero exit) ends
/// the main run too, so its finding is seen at once; a side run that finishes cleanly leaves
/// the main run going. With `trace` (the keeper's file of a hunt target run with
/// `HARNESS_KEEP=traced`), the main run is traced ([`crate::trace`]) when tracing is allowed.
pub fn run_pair(
    mut main: Command,
    main_log: &Path,
    trace: Option<&Path>,
    side: Option<(Command, &Path)>,
    limit: Duration,
) -> Result<PairEnded, Error> {
    let logged = |cmd: &mut Command, log: &Path| -> Result<Child, Error> {
        let file = std::fs::File::create(log).map_err(|e| Error::io(log, e))?;
        let err = file.try_clone().map_err(|e| Error::io(log, e))?;
        cmd.stdin(Stdio::null()).stdout(file).stderr(err);
        spawn(cmd)
    };
    let read = |log: &Path| {
        std::fs::read(log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let child = logged(&mut main, main_log)?;
    let traced = trace.and_then(|file| Traced::seize(&child, file));
    let mut main_child = Leader { child, traced };
    let mut side_child = match side {
        None => None,
        Some((mut cmd, log)) => match logged(&mut cmd, log) {
            Ok(child) => Some((child, log)),
            Err(e) => {
                main_child.kill_group();
                return Err(e);
            }
        },
    };
    let start = Instant::now();
    let mut side_ended: Option<(Ended, String)> = None;
    let mut side_ran = Duration::ZERO;
    loop {
        if let Some(signal) = stop_requested() {
            main_child.kill_group();
            if let Some((child, _)) = side_child.as_mut() {
                kill_group(child);
            }
            return Err(Error::Interrupted(signal));
        }
        if side_ended.is_none()
            && let Some((child, log)) = side_child.as_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            kill_group(child);
            side_ran = start.elapsed();
            side_ended = Some((
                Ended {
                    status: Some(status),
                },
                read(log),
            ));
            if !status.success() {
                main_child.kill_group();
                let main_ended = Ended { status: None };
                let side_log = side_ended
                    .as_ref()
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default();
                return Ok(PairEnded {
                    main: (main_ended, read(main_log)),
                    side: side_ended,
                    side_log,
                    side_ran,
                });
            }
        }
        let main_status = match main_child.try_wait() {
            Ok(status) => status,
            Err(e) => {
                main_child.kill_group();
                if let Some((child, _)) = side_child.as_mut() {
                    kill_group(child);
                }
                return Err(Error::Setup(format!("waiting for a child: {e}")));
            }
        };
        let timed_out = start.elapsed() > limit;
        if main_status.is_some() || timed_out {
            main_child.kill_group();
            let mut side_log = side_ended
                .as_ref()
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            if side_ended.is_none()
                && let Some((child, log)) = side_child.as_mut()
            {
                kill_group(child);
                side_ran = start.elapsed();
                side_log = read(log);
            }
            return Ok(PairEnded {
                main: (
                    Ended {
                        status: main_status,
                    },
                    read(main_log),
                ),
                side: side_ended,
                side_log,
                side_ran,
            });
        }
        std::thread::sleep(POLL);
    }
}

/// A run's leader: waited for by std, or, when traced, by its tracer (std must then not, nor
/// signal a process id it no longer holds).
struct Leader {
    child: Child,
    traced: Option<Traced>,
}

impl Leader {
    fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        match &mut self.traced {
            Some(traced) => traced.try_wait(),
            None => self.child.try_wait(),
        }
    }

    /// Kills its whole process group and reaps it.
    fn kill_group(&mut self) {
        let Some(traced) = &mut self.traced else {
            return kill_group(&mut self.child);
        };
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        if !traced.has_ended() {
            let _ = traced.reap();
        }
    }
}

/// What a captured run printed.
#[derive(Clone, Debug)]
pub struct Captured {
    /// How it ended.
    pub ended: Ended,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs `cmd` with stdout and stderr captured (each read on its own thread, so neither pipe
/// fills), no stdin, within `limit`.
pub fn run_captured(mut cmd: Command, limit: Duration) -> Result<Captured, Error> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(&mut cmd)?;
    let read_all = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = read_all(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let err = read_all(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let ended = wait(&mut child, limit);
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok(Captured {
        ended: ended?,
        stdout,
        stderr,
    })
}

/// Runs `cmd` in the foreground (its output is the user's to see: cargo's build progress) with
/// no time limit but the user's; fails unless it exits 0.
pub fn run_shown(mut cmd: Command, what: &str) -> Result<(), Error> {
    cmd.stdin(Stdio::null());
    let mut child = spawn(&mut cmd)?;
    let ended = wait(&mut child, Duration::MAX)?;
    if ended.success() {
        Ok(())
    } else {
        Err(Error::Setup(format!(
            "{what} failed ({})",
            ended
                .status
                .map_or_else(|| "killed".to_string(), |s| s.to_string())
        )))
    }
}

/// Free memory a folder in `/dev/shm` needs to be used ([`Scratch::in_memory`]): far more than a
/// corpus (libFuzzer's inputs stop at 4 KiB; a long hunt keeps a few thousand), and short of the
/// 64 MiB a container's `/dev/shm` has by default, where a disk is the safer place.
pub const MEMORY_FREE_NEEDED: u64 = 256 * 1024 * 1024;

/// A folder of this run's, removed when dropped — on every way out, an interruption included.
#[derive(Debug)]
pub struct Scratch(std::path::PathBuf);

impl Scratch {
    /// A new folder under the system's temporary directory, named for this process.
    pub fn new(what: &str) -> Result<Self, Error> {
        Self::under(&std::env::temp_dir(), what)
    }

    /// A new folder in memory (`/dev/shm`) when it has [`MEMORY_FREE_NEEDED`] free, else as
    /// [`Scratch::new`]. For what libFuzzer writes a file per new input into (a corpus): on
    /// a disk each file is an inode to allocate, early in a run for most inputs
    /// (docs/PERFORMANCE.md has what it cost).
    pub fn in_memory(what: &str) -> Result<Self, Error> {
        let shm = Path::new("/dev/shm");
        let roomy = nix::sys::statvfs::statvfs(shm).is_ok_and(|s| {
            s.blocks_available().saturating_mul(s.fragment_size()) >= MEMORY_FREE_NEEDED
        });
        if roomy && let Ok(dir) = Self::under(shm, what) {
            return Ok(dir);
        }
        Self::new(what)
    }

    fn under(base: &Path, what: &str) -> Result<Self, Error> {
        for n in 0u32..1000 {
            let dir = base.join(format!("harness-{what}-{}-{n}", std::process::id()));
            if std::fs::create_dir(&dir).is_ok() {
                return Ok(Scratch(dir));
            }
        }
        Err(Error::Setup(format!(
            "cannot make a scratch folder in {}",
            base.display()
        )))
    }

    /// Takes charge of an existing folder (made by the caller).
    pub fn adopt(dir: std::path::PathBuf) -> Self {
        Scratch(dir)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
