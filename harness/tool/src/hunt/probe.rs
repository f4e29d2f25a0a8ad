//! The probe: every short unit of an input repeated far past libFuzzer's lengths, run once each.
//!
//! libFuzzer's inputs stop at `-max_len` (4 KiB), and its mutations grow a repeated unit a few
//! bytes at a time. Two classes of bug sit beyond that: a recursion that no bracket shows (a
//! one-byte tag that may precede any value, nested without a depth count) and a bug that needs
//! a long run of one unit (a number of 32,768 digits). Neither needs a clever input, only a long
//! repetition of a unit the input already holds — so the probe takes each distinct unit of one
//! to three bytes of an input (a byte at each of its first places, and the input's longest
//! repeated unit), repeats it in place until the run
//! is 16 KiB and then 64 KiB long, and runs each candidate once in the hunt target (small
//! stack, heap cap): a recursion per unit overflows the small stack long before, a 32,768-digit
//! number is reached, and what fails is confirmed by kind like any finding. The inputs are the
//! seeds and what libFuzzer kept — which, with cargo-fuzz's stack-depth instrumentation,
//! includes every input that reached a deeper stack. And since a tag need not be in any input
//! yet, a run of every byte value is put before each of a seed's first places ([`prefixed`]).

/// The lengths a unit's run is grown to: past libFuzzer's 4 KiB, enough for 32,768 digits.
pub const SIZES: [usize; 2] = [16 * 1024, 64 * 1024];
/// Units tried per input, at most (its longest repeated unit, then single bytes, pairs, triples).
pub const MAX_UNITS: usize = 64;
/// The longest unit tried.
pub const MAX_UNIT_LEN: usize = 3;

/// Places a single byte is tried at, at most: a byte may be data in one place and a tag in the
/// next, and only repeating it where it is a tag recurses.
pub const BYTE_PLACES: usize = 3;

/// The units of `input` worth repeating, as `(start, len)`: its longest repeated unit (where one
/// repeats), then each distinct byte at its first [`BYTE_PLACES`] places, each distinct pair and
/// triple at its first; at most [`MAX_UNITS`].
pub fn units(input: &[u8]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    if let Some((start, unit, _)) = harness::stack::repeated_unit(input) {
        out.push((start, unit));
    }
    let mut seen: std::collections::BTreeMap<&[u8], usize> = std::collections::BTreeMap::new();
    for len in 1..=MAX_UNIT_LEN {
        let places = if len == 1 { BYTE_PLACES } else { 1 };
        for start in 0..input.len() {
            let Some(piece) = input.get(start..start.saturating_add(len)) else {
                break;
            };
            let count = seen.entry(piece).or_insert(0);
            *count = count.saturating_add(1);
            if piece.len() == len && *count <= places && !out.contains(&(start, len)) {
                out.push((start, len));
            }
            if out.len() >= MAX_UNITS {
                return out;
            }
        }
    }
    out
}

/// `input` with its unit at `start..start + len` repeated in place until the run is `size`
/// bytes long (at least twice).
pub fn amplified(input: &[u8], (start, len): (usize, usize), size: usize) -> Option<Vec<u8>> {
    let end = start.checked_add(len)?;
    let unit = input.get(start..end)?;
    if unit.is_empty() {
        return None;
    }
    let times = size.checked_div(len)?.max(2);
    let mut out = Vec::with_capacity(input.len().saturating_add(size));
    out.extend_from_slice(input.get(..start)?);
    for _ in 0..times {
        out.extend_from_slice(unit);
    }
    out.extend_from_slice(input.get(end..)?);
    Some(out)
}

/// The length of a run of one byte put before a place of an input: 8,192 levels of a recursion
/// per byte need more than the hunt's 64 KiB stack at any frame of 8 bytes or more.
pub const PREFIX_SIZE: usize = 8 * 1024;
/// The places a run of each byte value is put before: the input's first ones, where a value
/// starts in most formats (after a header of a few bytes at most).
pub const PREFIX_PLACES: usize = 4;

/// `input` with a run of [`PREFIX_SIZE`] bytes of every value put before each of its first
/// [`PREFIX_PLACES`] places: a one-byte tag that may precede any value recurses whether the
/// input holds one or not (a CBOR tag, 0xc0–0xd7, before a map), so the class is reached by
/// construction, not by libFuzzer happening to keep an input with a tag in it.
pub fn prefixed(input: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let places = input.len().clamp(1, PREFIX_PLACES);
    (0..places).flat_map(move |place| {
        (0..=u8::MAX).filter_map(move |byte| {
            let mut out = Vec::with_capacity(input.len().saturating_add(PREFIX_SIZE));
            out.extend_from_slice(input.get(..place)?);
            out.resize(place.saturating_add(PREFIX_SIZE), byte);
            out.extend_from_slice(input.get(place..)?);
            Some(out)
        })
    })
}

/// A kind of candidate the probe makes from an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Each unit repeated in place to the smaller size: a recursion behind brackets, the
    /// commonest bug and the cheapest to confirm.
    ShortRuns,
    /// An alias chain ([`alias_chain`]), seeds only: one candidate per seed that defines and
    /// uses an anchor. After the seeds' short runs and before the corpus inputs': behind all
    /// of them (saphyr 0.3.0's) it was not reached within the probe's share.
    AliasChain,
    /// Each unit repeated to the larger size (32,768 digits).
    LongRuns,
    /// A run of every byte value before each first place ([`prefixed`]), seeds only: a
    /// recursion on tags recurses whatever follows them, so a seed's places are as good as any
    /// input's, and 1,024 runs for each input would use up the probe's time.
    Prefixes,
}

/// The stages a seed goes through, in order; other inputs take only the runs.
pub const STAGES: [Stage; 4] = [
    Stage::ShortRuns,
    Stage::AliasChain,
    Stage::LongRuns,
    Stage::Prefixes,
];

/// The probe's steps, `(stage, input)`, for `inputs` inputs of which the first `seeds` are
/// seeds: each stage for every input before the next stage, except that the seeds' alias
/// chains come between the seeds' short runs and the other inputs'. Stage by stage, not input
/// by input: the first seed's slow step (an alias chain's heap confirmation, 1,024 byte runs)
/// would otherwise use the probe's share before a second seed's short runs ran — serde_yaml
/// 0.8.3's block-sequence recursion is in the second seed's `- `; and the short runs of every
/// corpus input, all parsed at 16 KiB, used it before saphyr 0.3.0's alias chain.
pub fn plan(inputs: usize, seeds: usize) -> Vec<(Stage, usize)> {
    let seeds = seeds.min(inputs);
    STAGES
        .iter()
        .flat_map(|stage| match stage {
            Stage::ShortRuns => (0..seeds).map(|i| (*stage, i)).collect::<Vec<_>>(),
            Stage::AliasChain => (0..seeds)
                .map(|i| (*stage, i))
                .chain((seeds..inputs).map(|i| (Stage::ShortRuns, i)))
                .collect(),
            Stage::LongRuns => (0..inputs).map(|i| (*stage, i)).collect(),
            Stage::Prefixes => (0..seeds).map(|i| (*stage, i)).collect(),
        })
        .collect()
}

/// The candidates of one stage made from `input`.
pub fn stage_candidates(input: &[u8], stage: Stage) -> Vec<Vec<u8>> {
    let [smaller, larger] = SIZES;
    match stage {
        Stage::ShortRuns => runs(input, &units(input), smaller).collect(),
        Stage::AliasChain => alias_chain(input).into_iter().collect(),
        Stage::LongRuns => runs(input, &units(input), larger).collect(),
        Stage::Prefixes => prefixed(input).collect(),
    }
}

/// Every candidate of a corpus input: each unit at each size, smaller sizes first (a smaller
/// reproducer where one will do).
pub fn candidates(input: &[u8]) -> Vec<Vec<u8>> {
    [Stage::ShortRuns, Stage::LongRuns]
        .iter()
        .flat_map(|stage| stage_candidates(input, *stage))
        .collect()
}

/// `input` with each of `units` repeated in place to `size` bytes.
fn runs<'a>(
    input: &'a [u8],
    units: &'a [(usize, usize)],
    size: usize,
) -> impl Iterator<Item = Vec<u8>> + 'a {
    units.iter().filter_map(move |u| amplified(input, *u, size))
}

/// Every candidate of a seed, stage by stage ([`Stage`]).
pub fn seed_candidates(seed: &[u8]) -> Vec<Vec<u8>> {
    STAGES
        .iter()
        .flat_map(|stage| stage_candidates(seed, *stage))
        .collect()
}

/// Levels of an alias chain, each using the one before [`ALIAS_FAN`] times: 9^10 (3.4 billion)
/// nodes for a loader that copies what an alias names, from about 500 bytes.
pub const ALIAS_LEVELS: usize = 10;
/// Uses of the level before, per level.
pub const ALIAS_FAN: usize = 9;

/// A billion-laughs document when `seed` defines an anchor and uses it (`&name` … `*name`, as
/// YAML writes them): level 0 a list of [`ALIAS_FAN`] scalars, each next level a list of
/// [`ALIAS_FAN`] aliases of the one before. libFuzzer's mutations do not build such a chain (each
/// level needs a new anchor used nine times), and its cost is in no one level: a loader that
/// expands aliases without a budget takes time and memory exponential in the levels.
pub fn alias_chain(seed: &[u8]) -> Option<Vec<u8>> {
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-';
    let defines_and_uses = seed.iter().enumerate().any(|(at, b)| {
        let name: Vec<u8> = seed
            .get(at.saturating_add(1)..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| is_name(c))
            .copied()
            .collect();
        *b == b'&'
            && !name.is_empty()
            && seed
                .windows(name.len().saturating_add(1))
                .any(|w| w.first() == Some(&b'*') && w.get(1..) == Some(&name[..]))
    });
    if !defines_and_uses {
        return None;
    }
    let mut out = String::new();
    for level in 0..ALIAS_LEVELS {
        let item = match level.checked_sub(1) {
            None => "lol".to_string(),
            Some(before) => format!("*l{before}"),
        };
        let items = vec![item; ALIAS_FAN].join(", ");
        out.push_str(&format!("l{level}: &l{level} [{items}]\n"));
    }
    Some(out.into_bytes())
}

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::policy::Stop;
use super::{Confirmation, Hunt, replay};
use crate::error::Error;
use crate::logs;
use crate::process;

/// Corpus inputs a probe takes besides the seeds, at most (the newest: what libFuzzer kept
/// last reached furthest, deeper stacks included).
pub const MAX_INPUTS: usize = 12;
/// The longest input a probe takes (libFuzzer's own limit).
pub const MAX_INPUT_LEN: usize = 4096;

/// What a hunt's probes ran already: an input's stage, by the input's content name. A stage
/// the probe's share ran out before is not in it, and the next probe takes it up — a seed's
/// alias chain left behind its short runs (saphyr 0.3.0's, slow to parse at 16 KiB) was
/// otherwise never run, the seed counting as probed.
pub type Probed = std::collections::BTreeSet<(String, Stage)>;

/// The stages of an input, seed or not ([`STAGES`] for a seed, the runs for the others).
fn stages_of(seed: bool) -> &'static [Stage] {
    if seed {
        &STAGES
    } else {
        &[Stage::ShortRuns, Stage::LongRuns]
    }
}

/// The inputs of a probe, by content name: the seeds with a stage not run yet, and the newest
/// corpus inputs with one (at most [`MAX_INPUTS`]); and how many of them, first, are seeds.
pub fn inputs(
    corpus: &Path,
    seeds: &[Vec<u8>],
    probed: &Probed,
) -> (Vec<(String, Vec<u8>)>, usize) {
    let pending = |name: &String, seed: bool| {
        stages_of(seed)
            .iter()
            .any(|stage| !probed.contains(&(name.clone(), *stage)))
    };
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for seed in seeds {
        let name = harness::corpus::content_name(seed);
        if !seed.is_empty()
            && seed.len() <= MAX_INPUT_LEN
            && pending(&name, true)
            && !out.iter().any(|(n, _)| *n == name)
        {
            out.push((name, seed.clone()));
        }
    }
    let seeds = out.len();
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(corpus)
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let modified = e.metadata().and_then(|m| m.modified()).ok()?;
                    Some((modified, e.path()))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut taken = 0usize;
    for (_, path) in files.iter().rev() {
        if taken >= MAX_INPUTS {
            break;
        }
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        if bytes.is_empty() || bytes.len() > MAX_INPUT_LEN {
            continue;
        }
        let name = harness::corpus::content_name(&bytes);
        if pending(&name, false) && !out.iter().any(|(n, _)| *n == name) {
            out.push((name, bytes));
            taken = taken.saturating_add(1);
        }
    }
    (out, seeds)
}

/// A batch's failure, its ending and file (a batch stops at its first).
type Batch = Option<(logs::Ending, PathBuf)>;

impl Hunt<'_> {
    /// Runs the probe (module docs) within a tenth of the budget: each candidate once in the
    /// hunt target, in batches (one process per input's candidates, resumed after a failure).
    pub(super) fn probe(&mut self, number: u32) -> Result<Option<Stop>, Error> {
        let (inputs, seeds) = inputs(&self.corpus, &self.seeds, &self.probed);
        let share = Duration::from_secs((self.opts.seconds / 10).max(2));
        let mut until = std::time::Instant::now()
            .checked_add(share)
            .unwrap_or_else(std::time::Instant::now);
        eprintln!(
            "== probe: {} input(s), each short unit repeated to {} and {} KiB; before each seed's first places, every byte {} KiB",
            inputs.len(),
            SIZES[0] / 1024,
            SIZES[1] / 1024,
            PREFIX_SIZE / 1024
        );
        let dir = self.work.join(format!("probe-{number}"));
        for (stage, i) in plan(inputs.len(), seeds) {
            let Some((name, input)) = inputs.get(i) else {
                continue;
            };
            let step = (name.clone(), stage);
            if self.probed.contains(&step) {
                continue;
            }
            let mut pending: Vec<PathBuf> = Vec::new();
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            for (j, candidate) in stage_candidates(input, stage).into_iter().enumerate() {
                let path = dir.join(format!("{i}-{j}"));
                std::fs::write(&path, candidate).map_err(|e| Error::io(&path, e))?;
                pending.push(path);
            }
            if pending.is_empty() {
                self.probed.insert(step);
                continue;
            }
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() || self.left() < Duration::from_secs(2) {
                let _ = std::fs::remove_dir_all(&dir);
                return Ok(None);
            }
            self.probed.insert(step);
            // One failure per input and stage: the candidates after it mostly fail the same way
            // (every unit of a nest overflows), and each failure costs a process — enough of them
            // spent the probe's share before the alias chains (saphyr 0.3.0).
            let Some((ending, path)) = self.run_batch(&pending, left)? else {
                if std::time::Instant::now() >= until {
                    // Cut short by the share: the next probe runs the stage again.
                    self.probed.remove(&(name.clone(), stage));
                    let _ = std::fs::remove_dir_all(&dir);
                    return Ok(None);
                }
                continue;
            };
            // Confirming and saving is not the probe's search: its share goes on after.
            let began = std::time::Instant::now();
            if let Some(stop) = self.probe_finding(&ending, &path)? {
                let _ = std::fs::remove_dir_all(&dir);
                return Ok(Some(stop));
            }
            until = until.checked_add(began.elapsed()).unwrap_or(until);
        }
        let _ = std::fs::remove_dir_all(&dir);
        Ok(None)
    }

    /// Runs `files` in one process of the hunt target, which stops at the first failure: that
    /// failure, if any.
    fn run_batch(&mut self, files: &[PathBuf], limit: Duration) -> Result<Batch, Error> {
        let mut cmd = replay::on_stack(self.bin, self.policy.stack());
        cmd.arg(format!("-timeout={}", replay::TIMEOUT_SECS))
            .arg("-rss_limit_mb=4096")
            .arg("-close_fd_mask=1")
            .args(files)
            .env(
                harness::crash::KNOWN_PANICS_ENV,
                self.policy.known_panics().join("\n"),
            )
            .env("RUST_BACKTRACE", "0");
        let log = self.work.join("probe.log");
        let (ended, text) = process::run_logged(cmd, &log, limit)?;
        let ending = logs::read(&text, ended.success()).ending;
        if ended.success() || ended.status.is_none() {
            return Ok(None);
        }
        // libFuzzer names each file before it runs it: the last one named failed.
        let Some(last) = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("Running: "))
            .map(|p| PathBuf::from(p.trim()))
        else {
            return Ok(None);
        };
        Ok(Some((ending, last)))
    }

    /// A probe candidate failed: a new finding is confirmed and saved like any other.
    fn probe_finding(&mut self, ending: &logs::Ending, path: &Path) -> Result<Option<Stop>, Error> {
        if !self.policy.probe_ending(ending) {
            return Ok(None);
        }
        let at = self.start.elapsed().as_secs_f64();
        let found = self
            .work
            .join(format!("found-probe-{}", self.findings.len()));
        std::fs::copy(path, &found).map_err(|e| Error::io(path, e))?;
        let finding = self.report_one(ending, &found, at)?;
        let confirmed = matches!(finding.confirmation, Confirmation::Confirmed(_));
        let wanted = self.wanted(&finding);
        self.findings.push(finding);
        self.measure_limit(ending, confirmed, &found);
        let (onward, stop) = self.policy.after_probe_finding(ending, confirmed, wanted);
        self.tell(onward);
        Ok(stop)
    }
}
