//! The rustc wrapper a hunt target is built through: the crates only the harness brings in are
//! compiled without SanitizerCoverage, the parser and everything it uses as cargo-fuzz asks.
//!
//! cargo-fuzz instruments every crate of a target. In a hunt target the harness's code runs
//! around every input (the small-stack call, the keeper, the heap cap) and its random numbers
//! around every mutation, so instrumented it (a) makes features and comparison entries that say
//! nothing about the parser yet steer libFuzzer's corpus and dictionary, and (b) adds counters
//! libFuzzer walks after every execution. Cargo runs `$RUSTC_WRAPPER $RUSTC ARGS…`; the hunt
//! build sets `RUSTC_WRAPPER` to this tool and [`WRAP_ENV`], and a wrapper the user had set
//! (sccache, say) still runs, after this one ([`NEXT_WRAPPER_ENV`]). docs/HUNTING.md has the
//! measure.

use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::Command;

use crate::error::Error;
/// Set by the hunt build: this process is cargo's rustc wrapper, not the command line.
pub const WRAP_ENV: &str = "HARNESS_RUSTC_WRAPPER";

/// The wrapper the user had set (`RUSTC_WRAPPER`), which this one runs in turn.
pub const NEXT_WRAPPER_ENV: &str = "HARNESS_NEXT_RUSTC_WRAPPER";

/// The crates compiled without coverage (rustc crate names, separated by spaces): the
/// harness's own and those only it brings in ([`harness_only`]).
pub const UNINSTRUMENTED_ENV: &str = "HARNESS_UNINSTRUMENTED";

/// The harness's package, whose crates are not the parser's.
pub const HARNESS_PACKAGE: &str = "harness";

/// Whether a rustc argument asks for SanitizerCoverage: the pass itself or one of its
/// options, as cargo-fuzz writes them (`-Cpasses=sancov-module`,
/// `-Cllvm-args=-sanitizer-coverage-…`), or the value after a separate `-C`.
fn is_coverage(codegen_option: &str) -> bool {
    codegen_option == "passes=sancov-module"
        || codegen_option.starts_with("llvm-args=-sanitizer-coverage")
}

/// The crate a rustc command line compiles (`--crate-name NAME`).
pub fn crate_name(args: &[OsString]) -> Option<&OsStr> {
    args.iter()
        .position(|a| a == "--crate-name")
        .and_then(|i| args.get(i.checked_add(1)?))
        .map(OsString::as_os_str)
}

/// `args` without the coverage options when they compile one of the `uninstrumented` crates,
/// else as they are.
pub fn rustc_args(args: &[OsString], uninstrumented: &[&str]) -> Vec<OsString> {
    let uninstrumented =
        crate_name(args).is_some_and(|name| uninstrumented.iter().any(|u| name == *u));
    if !uninstrumented {
        return args.to_vec();
    }
    let mut out = Vec::with_capacity(args.len());
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        if text == "-C" {
            if let Some(value) = iter.peek()
                && is_coverage(&value.to_string_lossy())
            {
                iter.next();
                continue;
            }
        } else if let Some(option) = text.strip_prefix("-C")
            && is_coverage(option)
        {
            continue;
        }
        out.push(arg.clone());
    }
    out
}

/// When this process runs as cargo's rustc wrapper ([`WRAP_ENV`] set, `rustc` and its
/// arguments after the program name): runs rustc on the arguments [`rustc_args`] leaves, and
/// returns its exit code. `None`: not a wrapper call, go on as the command line.
pub fn run_if_wrapper() -> Option<u8> {
    std::env::var_os(WRAP_ENV)?;
    let mut args = std::env::args_os().skip(1);
    let rustc = args.next()?;
    let rest: Vec<OsString> = args.collect();
    let mut cmd = match std::env::var_os(NEXT_WRAPPER_ENV).filter(|w| !w.is_empty()) {
        Some(next) => {
            let mut cmd = Command::new(next);
            cmd.arg(rustc);
            cmd
        }
        None => Command::new(rustc),
    };
    let list = std::env::var(UNINSTRUMENTED_ENV).unwrap_or_default();
    let uninstrumented: Vec<&str> = list.split_whitespace().collect();
    cmd.args(rustc_args(&rest, &uninstrumented));
    Some(match cmd.status() {
        Ok(status) => status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1),
        Err(e) => {
            eprintln!("cargo harness (as rustc wrapper): {e}");
            1
        }
    })
}

/// Makes `cmd` (a `cargo fuzz build`) compile through this tool as its rustc wrapper, the
/// `uninstrumented` crates ([`harness_only`]) without coverage, keeping a wrapper the user set.
/// The list also goes into `RUSTFLAGS` as a cfg, since cargo rebuilds on a change of its flags
/// but not of its wrapper: a directory built before without it is built anew.
pub fn wrap_rustc(cmd: &mut Command, uninstrumented: &[String]) -> Result<(), Error> {
    let me = wrapper_exe()?;
    if let Some(next) = std::env::var_os("RUSTC_WRAPPER").filter(|w| !w.is_empty()) {
        cmd.env(NEXT_WRAPPER_ENV, next);
    }
    let mut rustflags = std::env::var("RUSTFLAGS").unwrap_or_default();
    rustflags.push_str(&format!(
        " --cfg=harness_uninstrumented=\"{}\"",
        uninstrumented.join(",")
    ));
    cmd.env("RUSTC_WRAPPER", me)
        .env(WRAP_ENV, "1")
        .env(UNINSTRUMENTED_ENV, uninstrumented.join(" "))
        .env("RUSTFLAGS", rustflags.trim_start());
    Ok(())
}

/// This tool's binary, to be run by cargo as the wrapper. On Linux a binary replaced while it
/// runs (`cargo run` or `cargo test` rebuilt the tool beside a hunt) is named `PATH (deleted)`:
/// the new binary at `PATH` is the one to run then.
fn wrapper_exe() -> Result<std::path::PathBuf, Error> {
    let me = std::env::current_exe().map_err(|e| Error::Setup(format!("rustc wrapper: {e}")))?;
    if let Some(path) = me.to_str().and_then(|p| p.strip_suffix(" (deleted)"))
        && !me.exists()
    {
        return Ok(path.into());
    }
    Ok(me)
}

/// The rustc names of the crates in `dir`'s build that only the harness brings in: the
/// harness's own and its dependencies no other package of the build reaches without going
/// through it (a crate the parser uses too stays instrumented), sorted.
pub fn harness_only(dir: &Path) -> Result<Vec<String>, Error> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(dir)
        .exec()
        .map_err(|e| Error::Setup(format!("cargo metadata in {}: {e}", dir.display())))?;
    let Some(resolve) = &metadata.resolve else {
        return Ok(Vec::new());
    };
    let graph: HashMap<&str, Vec<&str>> = resolve
        .nodes
        .iter()
        .map(|n| {
            let deps = n
                .deps
                .iter()
                .filter(|d| {
                    d.dep_kinds
                        .iter()
                        .any(|k| k.kind == cargo_metadata::DependencyKind::Normal)
                })
                .map(|d| d.pkg.repr.as_str())
                .collect();
            (n.id.repr.as_str(), deps)
        })
        .collect();
    let roots: Vec<&str> = metadata
        .workspace_members
        .iter()
        .map(|id| id.repr.as_str())
        .collect();
    let harness: Vec<&str> = metadata
        .packages
        .iter()
        .filter(|p| p.name.as_str() == HARNESS_PACKAGE)
        .map(|p| p.id.repr.as_str())
        .collect();
    let only = exclusive(&graph, &roots, &harness);
    let mut names: Vec<String> = metadata
        .packages
        .iter()
        .filter(|p| only.contains(p.id.repr.as_str()))
        .filter_map(|p| p.targets.iter().find(|t| t.is_lib()))
        .map(|t| t.name.replace('-', "_"))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The nodes reachable from `fenced` (the fenced nodes included) that `roots` do not reach
/// without passing through a fenced node.
pub fn exclusive<'a>(
    graph: &HashMap<&'a str, Vec<&'a str>>,
    roots: &[&'a str],
    fenced: &[&'a str],
) -> HashSet<&'a str> {
    let reach = |from: &[&'a str], stop: &[&'a str]| {
        let mut seen: HashSet<&'a str> = HashSet::new();
        let mut todo: Vec<&'a str> = from.iter().filter(|n| !stop.contains(n)).copied().collect();
        while let Some(node) = todo.pop() {
            if !seen.insert(node) {
                continue;
            }
            for next in graph.get(node).into_iter().flatten() {
                if !stop.contains(next) && !seen.contains(next) {
                    todo.push(next);
                }
            }
        }
        seen
    };
    let elsewhere = reach(roots, fenced);
    reach(fenced, &[])
        .into_iter()
        .filter(|n| !elsewhere.contains(n))
        .collect()
}
