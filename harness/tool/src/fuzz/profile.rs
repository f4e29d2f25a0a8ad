//! Where a fuzz target's time goes (`fuzz --profile`): `perf record` beside its run, each sample
//! put in a part by the function it fell in (libFuzzer, allocation, the client's crates, …), and
//! the parts' shares as a table — generated, so it is rerun rather than retyped.
//!
//! A sample counts where it fell (no call graph): allocation is allocation whoever asked for it.
//! The parts are data: the client names its own (`--part 'botfeat=botfeat::'`), before the
//! built-in ones ([`BUILT_IN`]); the first part with a prefix of the function's path wins.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

use crate::error::Error;

/// Samples per second `perf record` takes.
pub const FREQUENCY: u32 = 999;

/// A named group of functions: those whose path starts with one of `prefixes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Part {
    /// What the table calls it.
    pub name: String,
    /// Path prefixes (`botfeat::`) or symbol names' starts (`malloc`).
    pub prefixes: Vec<String>,
}

impl std::str::FromStr for Part {
    type Err = String;

    /// `NAME=PREFIX[,PREFIX…]`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, prefixes) = text.split_once('=').ok_or_else(|| {
            format!(
                "expected NAME=PREFIX[,PREFIX…], got `{}`",
                text.escape_debug()
            )
        })?;
        let prefixes: Vec<String> = prefixes
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect();
        if name.trim().is_empty() || prefixes.is_empty() {
            return Err(format!(
                "expected a name and at least one prefix, got `{}`",
                text.escape_debug()
            ));
        }
        Ok(Part {
            name: name.trim().to_string(),
            prefixes,
        })
    }
}

/// The parts every profile has, after the client's, in the order they are tried. libFuzzer's
/// C++ is `fuzzer::`; glibc's allocator and copies keep their C names; what Rust inlines from
/// its standard library is `core::`/`alloc::`/`std::`.
pub const BUILT_IN: &[(&str, &[&str])] = &[
    // `__popcountdi2`: the helper libFuzzer's feature counting calls.
    (
        "libFuzzer",
        &["fuzzer::", "__sanitizer_cov", "__sancov", "__popcount"],
    ),
    (
        "allocation and memory copies",
        &[
            "malloc",
            "free",
            "realloc",
            "calloc",
            "cfree",
            "_int_malloc",
            "_int_free",
            "_int_realloc",
            "malloc_consolidate",
            "unlink_chunk",
            "tcache_",
            "__libc_malloc",
            "__libc_free",
            "__libc_realloc",
            "__libc_calloc",
            "__memmove",
            "__memcpy",
            "__memset",
            "memmove",
            "memcpy",
            "memset",
            "__rust_alloc",
            "__rust_dealloc",
            "__rust_realloc",
            "__rustc::__rust_",
            "__rdl_",
            "alloc::alloc::",
            "alloc::raw_vec::",
            "harness::alloc::",
        ],
    ),
    ("formatting (`core::fmt`)", &["core::fmt::", "alloc::fmt::"]),
    ("harness (oracles, glue)", &["harness::"]),
    // `bcmp`/`memcmp`: byte-slice equality, which libFuzzer intercepts to record the operands.
    (
        "std (UTF-8, iterators, hashing, comparisons)",
        &[
            "core::",
            "alloc::",
            "std::",
            "hashbrown::",
            "foldhash::",
            "bcmp",
            "memcmp",
            "__memcmp",
        ],
    ),
];
/// Samples in the kernel (its `[kernel.kallsyms]`).
pub const KERNEL: &str = "kernel";
/// Everything else (serde_json, bincode, the client's glue, libc, unknown addresses).
pub const OTHER: &str = "other";

/// Every part's name in table order: the client's, the built-in ones, kernel, other.
pub fn part_names(client: &[Part]) -> Vec<String> {
    client
        .iter()
        .map(|p| p.name.clone())
        .chain(BUILT_IN.iter().map(|(name, _)| (*name).to_string()))
        .chain([KERNEL.to_string(), OTHER.to_string()])
        .collect()
}

/// The function's path a symbol names: a trait method `<botfeat::x::Reader as core::iter::Iterator>::next`
/// is botfeat's, as is `<&mut botfeat::x::Y>::z`.
fn path_of(symbol: &str) -> &str {
    let mut s = symbol.trim_start();
    loop {
        let next = s
            .strip_prefix('<')
            .or_else(|| s.strip_prefix('&'))
            .or_else(|| s.strip_prefix("mut "))
            .or_else(|| s.strip_prefix("dyn "));
        match next {
            Some(rest) => s = rest,
            None => return s,
        }
    }
}

/// The part a sample in `symbol` of `dso` belongs to.
pub fn part_of<'a>(symbol: &str, dso: &str, client: &'a [Part]) -> &'a str {
    if dso.contains("kernel.kallsyms") {
        return KERNEL;
    }
    let path = path_of(symbol);
    if let Some(p) = client
        .iter()
        .find(|p| p.prefixes.iter().any(|pre| path.starts_with(pre.as_str())))
    {
        return &p.name;
    }
    BUILT_IN
        .iter()
        .find(|(_, prefixes)| prefixes.iter().any(|pre| path.starts_with(pre)))
        .map_or(OTHER, |(name, _)| name)
}

/// One part's share of a target's samples.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    /// The part.
    pub part: String,
    /// Percent of the target's samples.
    pub percent: f64,
}

/// The shares of `perf script -F comm,ip,sym,dso` output (one sample a line:
/// `COMM IP SYMBOL (DSO)`), counting only samples of the process named `comm` (the kernel's
/// 15-byte name of the fuzz target; `cargo` around it is left out). Every part, in table
/// order, zero included; empty when there was no sample.
pub fn shares(script: &str, comm: &str, client: &[Part]) -> Vec<Share> {
    let comm: String = comm.chars().take(15).collect();
    let names = part_names(client);
    let mut counts = vec![0u64; names.len()];
    let mut total = 0u64;
    for line in script.lines() {
        // perf pads the fields with spaces: the name, the address, then the rest.
        let Some((who, rest)) = line.trim_start().split_once(char::is_whitespace) else {
            continue;
        };
        let Some((_ip, rest)) = rest.trim_start().split_once(char::is_whitespace) else {
            continue;
        };
        if who != comm {
            continue;
        }
        let rest = rest.trim_start();
        let (symbol, dso) = rest.rsplit_once(" (").unwrap_or((rest, ""));
        let part = part_of(symbol, dso, client);
        if let Some(count) = names
            .iter()
            .position(|n| n == part)
            .and_then(|i| counts.get_mut(i))
        {
            *count = count.saturating_add(1);
            total = total.saturating_add(1);
        }
    }
    if total == 0 {
        return Vec::new();
    }
    names
        .into_iter()
        .zip(counts)
        .map(|(part, count)| Share {
            part,
            #[allow(clippy::cast_precision_loss)]
            percent: count as f64 * 100.0 / total as f64,
        })
        .collect()
}

/// `cmd` run under `perf record` into `data`.
pub fn recorded(cmd: &Command, data: &Path) -> Command {
    let mut perf = Command::new("perf");
    perf.args(["record", "-q", "-F", &FREQUENCY.to_string(), "-o"])
        .arg(data)
        .arg("--")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => perf.env(key, v),
            None => perf.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        perf.current_dir(dir);
    }
    perf
}

/// The shares recorded in `data` for the process named `comm`.
pub fn read(data: &Path, comm: &str, client: &[Part]) -> Result<Vec<Share>, Error> {
    let out = Command::new("perf")
        .args(["script", "-F", "comm,ip,sym,dso", "-i"])
        .arg(data)
        .output()
        .map_err(|e| Error::io(Path::new("perf"), e))?;
    if !out.status.success() {
        return Err(Error::Setup(format!(
            "perf script -i {}: {}",
            data.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(shares(&String::from_utf8_lossy(&out.stdout), comm, client))
}

/// Whether `perf` can record here (installed, and allowed by `perf_event_paranoid`).
pub fn available() -> Result<(), Error> {
    let ok = Command::new("perf")
        .args(["record", "-q", "-o", "/dev/null", "--", "true"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(Error::Setup(
            "--profile needs `perf` (linux-perf) and the right to record (kernel.perf_event_paranoid <= 2)".into(),
        ))
    }
}

/// The parts' shares as a Markdown table, one column per target, stamped with how it was made
/// and the commit.
pub fn markdown(profiles: &[(String, Vec<Share>)], how: &str, commit: Option<&str>) -> String {
    let Some((_, first)) = profiles.iter().find(|(_, s)| !s.is_empty()) else {
        return String::from("(no samples: nothing to tabulate)\n");
    };
    let mut out = String::from("| part |");
    let mut rule = String::from("| --- |");
    for (target, _) in profiles {
        out.push_str(&format!(" {target} |"));
        rule.push_str(" ---: |");
    }
    out.push('\n');
    out.push_str(&rule);
    out.push('\n');
    for (i, share) in first.iter().enumerate() {
        out.push_str(&format!("| {} |", share.part));
        for (_, shares) in profiles {
            match shares.get(i) {
                Some(s) => out.push_str(&format!(" {:.0} % |", s.percent)),
                None => out.push_str(" — |"),
            }
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "\nGenerated by `fuzz/run {how} --markdown` at commit {}: `perf record -F {FREQUENCY}` \
         beside each target, a sample counted in the function it fell in.\n",
        commit.unwrap_or("(not a git checkout)")
    ));
    out
}
