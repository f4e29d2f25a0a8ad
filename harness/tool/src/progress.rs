//! Live progress while libFuzzer runs: every few seconds one line per running run (elapsed of
//! budget, exec/s, coverage, corpus, findings so far), read from its log as it is written.
//! Quiet when standard error is not a terminal or the output is JSON.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often the lines are printed.
const EVERY: Duration = Duration::from_secs(5);

/// One run being watched.
#[derive(Clone, Debug)]
struct Watched {
    log: PathBuf,
    started: Instant,
    budget: Duration,
    findings: usize,
}

/// The runs in progress, by name.
#[derive(Debug, Default)]
pub struct Board {
    runs: Mutex<BTreeMap<String, Watched>>,
    done: AtomicBool,
}

impl Board {
    /// Starts watching `name`, whose libFuzzer writes `log`, for `budget` from now.
    pub fn start(&self, name: &str, log: PathBuf, budget: Duration) {
        self.start_at(name, log, Instant::now(), budget, 0);
    }

    /// Starts watching `name` as part of a run that began at `started` with a `budget` in all
    /// and `findings` so far (a hunt's rounds).
    pub fn start_at(
        &self,
        name: &str,
        log: PathBuf,
        started: Instant,
        budget: Duration,
        findings: usize,
    ) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.insert(
                name.to_string(),
                Watched {
                    log,
                    started,
                    budget,
                    findings,
                },
            );
        }
    }

    /// Stops watching `name`.
    pub fn finish(&self, name: &str) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.remove(name);
        }
    }

    /// The lines for every run in progress now.
    pub fn lines(&self) -> Vec<String> {
        let Ok(runs) = self.runs.lock() else {
            return Vec::new();
        };
        runs.iter()
            .map(|(name, w)| {
                let log = std::fs::read(&w.log).unwrap_or_default();
                let status = crate::logs::latest_status(&String::from_utf8_lossy(&log));
                line(name, w, status)
            })
            .collect()
    }

    /// Prints the lines every few seconds on a scoped thread until [`Board::close`], when
    /// `show` and standard error is a terminal.
    pub fn show_while<'s>(&'s self, scope: &'s std::thread::Scope<'s, '_>, show: bool) {
        if !show || !std::io::stderr().is_terminal() {
            return;
        }
        scope.spawn(move || {
            let mut last = Instant::now();
            while !self.done.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(100));
                if last.elapsed() >= EVERY {
                    last = Instant::now();
                    for l in self.lines() {
                        eprintln!("{l}");
                    }
                }
            }
        });
    }

    /// Ends [`Board::show_while`]'s thread.
    pub fn close(&self) {
        self.done.store(true, Ordering::Release);
    }
}

fn line(name: &str, w: &Watched, status: Option<crate::logs::Status>) -> String {
    let show = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
    let status = status.unwrap_or_default();
    format!(
        "   {name}: {:>4}/{} s  {:>7} exec/s  cov {}  corp {}  findings {}",
        w.started.elapsed().as_secs(),
        w.budget.as_secs(),
        show(status.exec_per_sec),
        show(status.coverage),
        show(status.corpus),
        w.findings
    )
}
