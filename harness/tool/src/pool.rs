//! The one job queue: run items `jobs` at a time on scoped threads, results in the items' order.
//! Once a stop is asked for (SIGINT, SIGTERM), no new item starts.

use std::sync::Mutex;

/// Runs `work` on every item, `jobs` at a time; the results in the items' order, `None` for an
/// item that was not started because a stop was asked for.
pub fn run_all<T: Send, R: Send>(
    items: Vec<T>,
    jobs: usize,
    work: impl Fn(T) -> R + Sync,
) -> Vec<Option<R>> {
    let count = items.len();
    let queue = Mutex::new(items.into_iter().enumerate().rev().collect::<Vec<_>>());
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, count.max(1)) {
            s.spawn(|| {
                loop {
                    if crate::process::stop_requested().is_some() {
                        break;
                    }
                    let Some((i, item)) = queue.lock().ok().and_then(|mut q| q.pop()) else {
                        break;
                    };
                    let result = work(item);
                    if let Ok(mut d) = done.lock() {
                        d.push((i, result));
                    }
                }
            });
        }
    });
    let mut results: Vec<Option<R>> = (0..count).map(|_| None).collect();
    for (i, r) in done.into_inner().unwrap_or_default() {
        if let Some(slot) = results.get_mut(i) {
            *slot = Some(r);
        }
    }
    results
}
