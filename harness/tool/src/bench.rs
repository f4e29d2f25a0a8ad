//! `cargo harness bench`: the hunt against the plain target on published bugs, as a table.
//!
//! A benchmark bug is a hunt directory (pinned parser version, committed lockfile, seeds) with a
//! `BUG` file saying what was published and how to recognize it:
//!
//! ```text
//! title: serde_cbor 0.10.1: nested semantic tags overflow the stack
//! source: https://rustsec.org/advisories/RUSTSEC-2019-0025
//! class: stack-overflow
//! contains: words of the panic message   (optional)
//! ```
//!
//! Each bug is hunted `runs` times in each mode for `seconds`; a run finds the bug when a
//! *confirmed* finding matches it (an unconfirmed event never counts). Nothing is saved.
//!
//! `class: none` marks a parser with nothing known to find (a fixed version): its runs fuzz the
//! whole time, and a table of their own compares the two modes' executions per second where
//! neither finds anything, and lists what was confirmed anyway (a false report, or a new bug).

use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::hunt::{self, HuntOptions, Wanted};
use crate::logs::Class;

/// One published bug and the hunt directory that holds its parser.
#[derive(Clone, Debug, Serialize)]
pub struct Bug {
    /// The hunt directory.
    pub dir: PathBuf,
    /// The directory's name.
    pub name: String,
    /// What the bug is.
    pub title: String,
    /// Where it was published.
    pub source: String,
    /// How to recognize it among findings.
    pub wanted: Wanted,
}

/// The class of a parser with nothing known to find.
const NONE: &str = "none";

/// Reads `dir/BUG`; `None` when there is none.
pub fn read_bug(dir: &Path) -> Result<Option<Bug>, String> {
    let Ok(text) = std::fs::read_to_string(dir.join("BUG")) else {
        return Ok(None);
    };
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut classes = Vec::new();
    let class = field("class").ok_or_else(|| format!("{}/BUG: no `class:` line", dir.display()))?;
    for name in class.split('|').map(str::trim).filter(|n| *n != NONE) {
        match Class::from_name(name).filter(|c| *c != Class::Clean) {
            Some(class) => classes.push(class),
            None => {
                return Err(format!(
                    "{}/BUG: class {name:?}: expected one of panic, violation, heap, hang, stack-overflow, crash, or `none`",
                    dir.display()
                ));
            }
        }
    }
    Ok(Some(Bug {
        dir: dir.to_path_buf(),
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        title: field("title").unwrap_or_default(),
        source: field("source").unwrap_or_default(),
        wanted: Wanted {
            classes,
            contains: field("contains"),
        },
    }))
}

impl Bug {
    /// Whether there is nothing known to find (`class: none`).
    pub fn nothing_to_find(&self) -> bool {
        self.wanted.classes.is_empty()
    }
}

/// The bugs under `paths`: each path is a bug's directory, or a folder of them.
pub fn find_bugs(paths: &[PathBuf]) -> Result<Vec<Bug>, String> {
    let mut bugs = Vec::new();
    for path in paths {
        if let Some(bug) = read_bug(path)? {
            bugs.push(bug);
            continue;
        }
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        children.sort();
        let before = bugs.len();
        for child in children {
            bugs.extend(read_bug(&child)?);
        }
        if bugs.len() == before {
            return Err(format!(
                "{}: no BUG file there or in its folders",
                path.display()
            ));
        }
    }
    Ok(bugs)
}

/// One hunt of one bug.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Run {
    /// Seconds into the run when the fuzzer hit the bug (confirmed), if it did.
    pub found_at: Option<f64>,
    /// The hunted target's inputs per second while libFuzzer ran.
    pub exec_per_sec: f64,
    /// Its plain partner's, beside the hunt's rounds (0 for a plain run).
    pub partner_exec_per_sec: f64,
    /// Wall seconds of the whole run.
    pub wall: f64,
    /// Of those, the seconds libFuzzer ran.
    pub fuzz_seconds: f64,
    /// What else was confirmed (class and signature), for the notes.
    pub other: Vec<String>,
}

/// A bug's runs in both modes.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The bug.
    pub bug: Bug,
    /// The hunt's runs.
    pub hunt: Vec<Run>,
    /// The plain target's runs.
    pub plain: Vec<Run>,
}

/// The shortest fuzzing time whose executions per second the table reports.
const MIN_RATE_SECONDS: f64 = 2.0;

/// Runs every bug `runs` times in both modes, `jobs` hunts at a time. Interrupted, the rows
/// hold the runs that finished.
pub fn run(bugs: &[Bug], seconds: u64, runs: usize, jobs: usize) -> Result<Vec<Row>, Error> {
    let mut work: Vec<(usize, bool)> = Vec::new();
    for _ in 0..runs {
        for i in 0..bugs.len() {
            work.push((i, false));
            work.push((i, true));
        }
    }
    let results = crate::pool::run_all(work.clone(), jobs, |(i, plain)| {
        let bug = bugs.get(i)?;
        eprintln!(
            "== bench: {} ({})",
            bug.name,
            if plain { "plain" } else { "hunt" }
        );
        Some(one_run(bug, seconds, plain))
    });
    let mut rows: Vec<Row> = bugs
        .iter()
        .map(|b| Row {
            bug: b.clone(),
            hunt: Vec::new(),
            plain: Vec::new(),
        })
        .collect();
    for ((i, plain), one) in work.into_iter().zip(results) {
        let Some(Some(one)) = one else { continue };
        let run = match one {
            Ok(run) => run,
            Err(Error::Interrupted(_)) => continue,
            Err(e) => return Err(e),
        };
        if let Some(row) = rows.get_mut(i) {
            if plain {
                row.plain.push(run);
            } else {
                row.hunt.push(run);
            }
        }
    }
    Ok(rows)
}

fn one_run(bug: &Bug, seconds: u64, plain: bool) -> Result<Run, Error> {
    let report = hunt::hunt(&HuntOptions {
        dir: bug.dir.clone(),
        seconds,
        plain,
        save: false,
        until: Some(bug.wanted.clone()),
        bin: None,
        progress: false,
    })?;
    if let Some(signal) = report.interrupted {
        return Err(Error::Interrupted(signal));
    }
    let found_at = report
        .findings
        .iter()
        .find(|f| bug.wanted.matches(f))
        .map(|f| f.at);
    let other = report
        .confirmed()
        .filter(|f| !bug.wanted.matches(f))
        .map(|f| format!("{}: {}", f.class, f.signature))
        .collect();
    Ok(Run {
        found_at,
        exec_per_sec: report.runs as f64 / report.fuzz_seconds.max(0.001),
        partner_exec_per_sec: report.partner_runs as f64 / report.partner_seconds.max(0.001),
        wall: report.seconds,
        fuzz_seconds: report.fuzz_seconds,
        other,
    })
}

/// The median of the times to the bug, a run that did not find it counting as never; `None`
/// when at most half the runs found it.
pub fn median_time(runs: &[Run]) -> Option<f64> {
    let mut times: Vec<f64> = runs
        .iter()
        .map(|r| r.found_at.unwrap_or(f64::INFINITY))
        .collect();
    times.sort_by(f64::total_cmp);
    let mid = times.get(times.len() / 2).copied()?;
    mid.is_finite().then_some(mid)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// The median rate of the runs that fuzzed at least [`MIN_RATE_SECONDS`] (a run that ended
/// within a second or two says nothing about speed); `None` without any.
fn median_rate(runs: &[Run], of: fn(&Run) -> f64) -> Option<f64> {
    let rates: Vec<f64> = runs
        .iter()
        .filter(|r| r.fuzz_seconds >= MIN_RATE_SECONDS)
        .map(of)
        .collect();
    (!rates.is_empty()).then(|| median(rates))
}

/// A hunt's rate as the tables show it: its own, and beside it its plain partner's and the
/// median ratio of the two run by run — the fair comparison: the partner ran plain's way over
/// the same seconds, corpus and machine, so each run's ratio says what the hunt's own search
/// costs.
fn hunt_rate(runs: &[Run]) -> String {
    let own = median_rate(runs, |r| r.exec_per_sec);
    let partner = median_rate(runs, |r| r.partner_exec_per_sec).filter(|p| *p > 0.0);
    let ratios: Vec<f64> = runs
        .iter()
        .filter(|r| r.fuzz_seconds >= MIN_RATE_SECONDS && r.partner_exec_per_sec > 0.0)
        .map(|r| 100.0 * r.exec_per_sec / r.partner_exec_per_sec)
        .collect();
    let ratio = (!ratios.is_empty()).then(|| median(ratios));
    match (own, partner, ratio) {
        (None, _, _) => "—".to_string(),
        (Some(own), Some(partner), Some(ratio)) => {
            format!("{own:.0} (+{partner:.0}; {ratio:.0} %)")
        }
        (Some(own), _, _) => format!("{own:.0}"),
    }
}

/// The results as Markdown tables — the bugs, then the parsers with nothing to find — with
/// totals and the commit they ran on (`None`: not in a git checkout), so a published table says
/// what it measured.
pub fn table(rows: &[Row], seconds: u64, commit: Option<&str>) -> String {
    let (clean, rows): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.bug.nothing_to_find());
    let mut out = String::from(
        "| bug | class | hunt found | hunt median s | hunt exec/s (+ its plain partner; hunt ÷ partner) | plain found | plain median s | plain exec/s |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let found = |runs: &[Run]| runs.iter().filter(|r| r.found_at.is_some()).count();
    let time = |runs: &[Run]| {
        median_time(runs).map_or_else(|| format!("— (>{seconds})"), |t| format!("{t:.1}"))
    };
    let plain_rate = |runs: &[Run]| {
        median_rate(runs, |r| r.exec_per_sec).map_or_else(|| "—".to_string(), |r| format!("{r:.0}"))
    };
    let (mut hunt_bugs, mut plain_bugs) = (0usize, 0usize);
    for row in &rows {
        if median_time(&row.hunt).is_some() {
            hunt_bugs = hunt_bugs.saturating_add(1);
        }
        if median_time(&row.plain).is_some() {
            plain_bugs = plain_bugs.saturating_add(1);
        }
        out.push_str(&format!(
            "| [{}]({}) | {} | {}/{} | {} | {} | {}/{} | {} | {} |\n",
            row.bug.title,
            row.bug.source,
            row.bug
                .wanted
                .classes
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(" or "),
            found(&row.hunt),
            row.hunt.len(),
            time(&row.hunt),
            hunt_rate(&row.hunt),
            found(&row.plain),
            row.plain.len(),
            time(&row.plain),
            plain_rate(&row.plain),
        ));
    }
    out.push_str(&format!(
        "\nFound (in most runs): hunt {hunt_bugs}/{n}, plain {plain_bugs}/{n}; {seconds} s per run; \
         generated by `cargo harness bench` at commit {}.\n",
        commit.unwrap_or("(not a git checkout)"),
        n = rows.len()
    ));
    if rows.is_empty() {
        out.clear();
    }
    if !clean.is_empty() {
        out.push_str(&clean_table(&clean, seconds, commit));
    }
    for row in rows.iter().chain(&clean) {
        let mut others: Vec<&String> = row
            .hunt
            .iter()
            .chain(&row.plain)
            .flat_map(|r| &r.other)
            .collect();
        others.sort();
        others.dedup();
        for o in others {
            out.push_str(&format!(
                "- {}: also confirmed {}\n",
                row.bug.name,
                crate::logs::one_line(o, 140)
            ));
        }
    }
    out
}

/// The parsers with nothing to find: each mode's executions per second over the whole run, and
/// the runs that confirmed something anyway.
fn clean_table(rows: &[&Row], seconds: u64, commit: Option<&str>) -> String {
    let mut out = format!(
        "\nWhere there is nothing known to find (fixed parsers; each run fuzzes its {seconds} s):\n\n\
         | parser | hunt exec/s (+ its plain partner; hunt ÷ partner) | plain exec/s | hunt ÷ plain | runs that confirmed a finding (hunt, plain) |\n\
         | --- | --- | --- | --- | --- |\n"
    );
    let confirming = |runs: &[Run]| runs.iter().filter(|r| !r.other.is_empty()).count();
    for row in rows {
        let hunt = median_rate(&row.hunt, |r| r.exec_per_sec);
        let plain = median_rate(&row.plain, |r| r.exec_per_sec);
        let versus = match (hunt, plain) {
            (Some(h), Some(p)) if p > 0.0 => format!("{:.0} %", 100.0 * h / p),
            _ => "—".to_string(),
        };
        out.push_str(&format!(
            "| [{}]({}) | {} | {} | {versus} | {}/{}, {}/{} |\n",
            row.bug.title,
            row.bug.source,
            hunt_rate(&row.hunt),
            plain.map_or_else(|| "—".to_string(), |p| format!("{p:.0}")),
            confirming(&row.hunt),
            row.hunt.len(),
            confirming(&row.plain),
            row.plain.len(),
        ));
    }
    out.push_str(&format!(
        "\nGenerated by `cargo harness bench` at commit {}.\n",
        commit.unwrap_or("(not a git checkout)")
    ));
    out
}

/// The JSON lines `--json` prints: one object per bug (its runs in both modes, found counts and
/// medians), then `{"summary": …}` with the commit the table ran on.
pub fn json_lines(rows: &[Row], seconds: u64, commit: Option<&str>) -> String {
    let mut out = String::new();
    let found = |runs: &[Run]| runs.iter().filter(|r| r.found_at.is_some()).count();
    for row in rows {
        out.push_str(
            &serde_json::json!({ "bug": {
                "name": row.bug.name,
                "title": row.bug.title,
                "source": row.bug.source,
                "classes": row.bug.wanted.classes,
                "nothing_to_find": row.bug.nothing_to_find(),
                "hunt": { "found": found(&row.hunt), "runs": row.hunt, "median_s": median_time(&row.hunt) },
                "plain": { "found": found(&row.plain), "runs": row.plain, "median_s": median_time(&row.plain) },
            }})
            .to_string(),
        );
        out.push('\n');
    }
    out.push_str(
        &serde_json::json!({ "summary": {
            "bugs": rows.iter().filter(|r| !r.bug.nothing_to_find()).count(),
            "hunt_found": rows.iter().filter(|r| median_time(&r.hunt).is_some()).count(),
            "plain_found": rows.iter().filter(|r| median_time(&r.plain).is_some()).count(),
            "seconds": seconds,
            "commit": commit,
        }})
        .to_string(),
    );
    out.push('\n');
    out
}
