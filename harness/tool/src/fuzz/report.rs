//! The campaign's table, and its JSON lines.

use super::TargetRun;

/// The results table: one line per target, ending in `ok` or `CRASH …`.
pub fn table(runs: &[TargetRun]) -> String {
    let width = runs
        .iter()
        .map(|r| r.target.len())
        .max()
        .unwrap_or(6)
        .max(18);
    let mut out = format!(
        "\n{:<width$} {:>12} {:>10} {:>8} {:>8} {:>8} {:>7}  result\n",
        "target", "runs", "exec/s", "cov", "corpus", "new", "secs"
    );
    let show = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
    for r in runs {
        let result = match (r.exit, &r.stats.crash) {
            (Some(0), _) => "ok".to_string(),
            (_, Some(crash)) => format!("CRASH {crash}"),
            (Some(code), None) => format!("CRASH exit {code}"),
            (None, None) => "CRASH (killed)".to_string(),
        };
        out.push_str(&format!(
            "{:<width$} {:>12} {:>10} {:>8} {:>8} {:>8} {:>7.1}  {result}\n",
            r.target,
            show(r.stats.runs),
            show(r.stats.exec_per_sec),
            show(r.stats.coverage),
            r.corpus_after,
            r.corpus_after.saturating_sub(r.corpus_before),
            r.seconds,
        ));
    }
    out
}

/// The JSON lines `--json` prints: one object per target, then `{"summary": …}`.
pub fn json_lines(runs: &[TargetRun], commit: Option<&str>) -> String {
    let mut out = String::new();
    for r in runs {
        out.push_str(&serde_json::json!({ "target": r }).to_string());
        out.push('\n');
    }
    let crashed: Vec<&str> = runs
        .iter()
        .filter(|r| !r.ok())
        .map(|r| r.target.as_str())
        .collect();
    out.push_str(
        &serde_json::json!({ "summary": {
            "targets": runs.len(),
            "crashed": crashed,
            "commit": commit,
        }})
        .to_string(),
    );
    out.push('\n');
    out
}
