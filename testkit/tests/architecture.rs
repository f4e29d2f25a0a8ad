//! The house rules of ARCHITECTURE.md, checked on every `cargo test`:
//! - who may depend on whom: `botfeat` on neither the harness nor the test kit (nor clap, which
//!   only its CLI package uses); the harness not on `botfeat`; nothing a fuzz target links on
//!   the harness tool (no clap, no JSON in the harness) — read from `cargo metadata`;
//! - no file of the harness tool over 500 lines;
//! - no import cycle between the files of the parser or of the harness (a file's module uses
//!   only modules that do not use it back, directly or through others).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The workspace's packages and resolved graph, as cargo sees them.
fn metadata() -> &'static cargo_metadata::Metadata {
    static METADATA: std::sync::OnceLock<cargo_metadata::Metadata> = std::sync::OnceLock::new();
    METADATA.get_or_init(|| {
        cargo_metadata::MetadataCommand::new()
            .manifest_path(root().join("Cargo.toml"))
            .exec()
            .unwrap()
    })
}

/// The names of a workspace package's direct normal (not dev, not build) dependencies.
fn dependencies(package: &str) -> BTreeSet<String> {
    let package = metadata()
        .workspace_packages()
        .into_iter()
        .find(|p| p.name.as_str() == package)
        .unwrap_or_else(|| panic!("no package {package} in the workspace"));
    package
        .dependencies
        .iter()
        .filter(|d| d.kind == cargo_metadata::DependencyKind::Normal)
        .map(|d| d.name.clone())
        .collect()
}

/// Every package a workspace package links, through normal dependencies, as
/// `cargo tree -p NAME -e normal` lists them (default features).
fn linked(package: &str) -> BTreeSet<String> {
    let meta = metadata();
    let resolve = meta.resolve.as_ref().unwrap();
    let name_of = |id: &cargo_metadata::PackageId| meta[id].name.to_string();
    let start = meta
        .workspace_packages()
        .into_iter()
        .find(|p| p.name.as_str() == package)
        .unwrap()
        .id
        .clone();
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        let Some(node) = resolve.nodes.iter().find(|n| n.id == id) else {
            continue;
        };
        for dep in &node.deps {
            let normal = dep
                .dep_kinds
                .iter()
                .any(|k| k.kind == cargo_metadata::DependencyKind::Normal);
            if normal && seen.insert(name_of(&dep.pkg)) {
                stack.push(dep.pkg.clone());
            }
        }
    }
    seen
}

#[test]
fn the_dependency_direction_holds() {
    let parser = dependencies("botfeat");
    for banned in ["harness", "botfeat-testkit", "clap"] {
        assert!(
            !parser.contains(banned),
            "botfeat depends on {banned}: {parser:?}"
        );
    }
    let harness = dependencies("harness");
    assert!(
        !harness.iter().any(|d| d.starts_with("botfeat")),
        "the harness depends on botfeat: {harness:?}"
    );
    let testkit = dependencies("botfeat-testkit");
    assert!(
        !testkit.contains("harness"),
        "the test kit is botfeat's, not the harness's: {testkit:?}"
    );
    // The scan sees what it should.
    assert!(dependencies("cargo-harness").contains("harness"));
}

#[test]
fn what_links_into_a_fuzz_target_has_no_command_line_code() {
    // The harness is what every fuzz target and hunt directory links: no CLI, no JSON.
    let harness = linked("harness");
    for banned in ["clap", "serde_json", "cargo-harness", "cargo_metadata"] {
        assert!(!harness.contains(banned), "harness links {banned}");
    }
    // botfeat's fuzz targets link botfeat-fuzz: not the tool either.
    let targets = linked("botfeat-fuzz");
    for banned in ["clap", "cargo-harness"] {
        assert!(!targets.contains(banned), "botfeat-fuzz links {banned}");
    }
    // The scan sees what it should: the tool links clap.
    assert!(linked("cargo-harness").contains("clap"));
}

#[test]
fn no_file_of_the_harness_tool_is_over_five_hundred_lines() {
    for (module, path) in modules(&root().join("harness/tool/src")) {
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(
            lines <= 500,
            "{module} ({}) has {lines} lines",
            path.display()
        );
    }
}

/// Every `.rs` file under `src`, by module path (`format::text::parse`).
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut segments: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
                segments.pop();
            }
            out.insert(segments.join("::"), path);
        }
    }
    out
}

/// `crate::a::b…` and `super::a…` paths in code (not comments, not the test module), as
/// module-path segments.
fn paths_used(text: &str, own: &str) -> Vec<Vec<String>> {
    let code = text.split("#[cfg(test)]").next().unwrap();
    let parent: Vec<String> = own
        .split("::")
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let parent = &parent[..parent.len().saturating_sub(1)];
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (prefix, base) in [("crate::", Vec::new()), ("super::", parent.to_vec())] {
            let mut rest = line;
            while let Some(at) = rest.find(prefix) {
                let after = &rest[at + prefix.len()..];
                let path: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let mut segments = base.clone();
                segments.extend(path.split("::").filter(|s| !s.is_empty()).map(String::from));
                out.push(segments);
                rest = &after[path.len()..];
            }
        }
    }
    out
}

/// Resolves a used path to the module file it names: the longest known module prefix, after the
/// crate root's re-exports (`crate::text` is `format::text`, `crate::Error` is in `error`).
fn resolve(
    path: &[String],
    modules: &BTreeMap<String, PathBuf>,
    reexports: &BTreeMap<String, String>,
) -> Option<String> {
    let mut path = path.to_vec();
    if let Some(first) = path.first() {
        if let Some(target) = reexports.get(first) {
            let mut full: Vec<String> = target.split("::").map(String::from).collect();
            full.extend(path.drain(1..));
            path = full;
        }
    }
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains_key(m))
}

/// `pub use a::{b, c};` in lib.rs: `b` → `a::b` (a module) or `a` (an item of it).
fn reexports(lib: &str, modules: &BTreeMap<String, PathBuf>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines().filter(|l| l.starts_with("pub use ")) {
        let body = line.trim_start_matches("pub use ").trim_end_matches(';');
        let (module, names) = match body.split_once("::{") {
            Some((m, n)) => (m.to_string(), n.trim_end_matches('}').to_string()),
            None => {
                let (m, n) = body.rsplit_once("::").unwrap();
                (m.to_string(), n.to_string())
            }
        };
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let as_module = format!("{module}::{name}");
            let target = if modules.contains_key(&as_module) {
                as_module
            } else {
                module.clone()
            };
            out.insert(name.to_string(), target);
        }
    }
    out
}

fn assert_acyclic(src: &Path) {
    let modules = modules(src);
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let reexports = reexports(&lib, &modules);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &modules {
        if module.is_empty() {
            continue; // lib.rs declares and re-exports; it is the root, not a user
        }
        let text = std::fs::read_to_string(path).unwrap();
        for used in paths_used(&text, module) {
            if let Some(target) = resolve(&used, &modules, &reexports) {
                if &target != module
                    && !target.is_empty()
                    && !module.starts_with(&format!("{target}::"))
                {
                    edges.entry(module.clone()).or_default().insert(target);
                }
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        trail: &mut Vec<String>,
    ) {
        match state.get(m) {
            Some(2) => return,
            Some(1) => panic!("import cycle: {} -> {m}", trail.join(" -> ")),
            _ => {}
        }
        state.insert(m.to_string(), 1);
        trail.push(m.to_string());
        for next in edges.get(m).into_iter().flatten() {
            visit(next, edges, state, trail);
        }
        trail.pop();
        state.insert(m.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    for m in modules.keys() {
        visit(m, &edges, &mut state, &mut Vec::new());
    }
    assert!(
        !edges.is_empty(),
        "no imports found in {}: the scan is broken",
        src.display()
    );
}

#[test]
fn the_parser_has_no_import_cycle() {
    assert_acyclic(&root().join("parser/src"));
}

#[test]
fn the_harness_has_no_import_cycle() {
    assert_acyclic(&root().join("harness/src"));
}

#[test]
fn the_harness_tool_has_no_import_cycle() {
    assert_acyclic(&root().join("harness/tool/src"));
}
