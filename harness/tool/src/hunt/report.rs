//! The hunt's final table, and its JSON.

use super::{Confirmation, HuntReport};
use crate::logs::one_line;

/// The final table, one line per distinct finding.
pub fn table(report: &HuntReport) -> String {
    let rate = |runs: u64, seconds: f64| runs as f64 / seconds.max(0.001);
    let mut out = format!(
        "\n== {} distinct finding(s) in {:.1}s, {} runs ({:.0} exec/s while fuzzing)",
        report.findings.len(),
        report.seconds,
        report.runs,
        rate(report.runs, report.fuzz_seconds)
    );
    if report.partner_runs > 0 {
        out.push_str(&format!(
            "; its plain partner {} runs in {:.1}s ({:.0} exec/s)",
            report.partner_runs,
            report.partner_seconds,
            rate(report.partner_runs, report.partner_seconds)
        ));
    }
    out.push('\n');
    if let Some(signal) = report.interrupted {
        out.push_str(&format!(
            "   (cut short by signal {signal}: the findings so far)\n"
        ));
    }
    out.push_str(&format!(
        "{:<3} {:<15} {:<12} {:>8}  {}\n",
        "#", "kind", "confirmed", "at (s)", "what / saved"
    ));
    for (i, f) in report.findings.iter().enumerate() {
        let confirmed = match &f.confirmation {
            Confirmation::Confirmed(_) if f.known => "yes (known)",
            Confirmation::Confirmed(_) => "yes",
            Confirmation::Unconfirmed(_) => "no",
        };
        out.push_str(&format!(
            "{:<3} {:<15} {:<12} {:>8.1}  {}\n",
            i.saturating_add(1),
            f.class.name(),
            confirmed,
            f.at,
            one_line(&f.signature, 100)
        ));
        match (&f.saved, &f.confirmation) {
            (Some(saved), _) => out.push_str(&format!(
                "{:<42}saved: {}\n{:<42}reproduce: {}\n",
                "",
                saved.display(),
                "",
                f.reproduce
            )),
            (None, Confirmation::Unconfirmed(why)) => {
                out.push_str(&format!("{:<42}{}\n", "", one_line(why, 120)))
            }
            _ => {}
        }
    }
    out
}

/// The JSON lines `--json` prints: one object per finding, then `{"summary": …}`.
pub fn json_lines(report: &HuntReport, commit: Option<&str>) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&serde_json::json!({ "finding": f }).to_string());
        out.push('\n');
    }
    out.push_str(
        &serde_json::json!({ "summary": {
            "dir": report.dir,
            "target": report.target,
            "findings": report.findings.len(),
            "confirmed": report.confirmed().count(),
            "runs": report.runs,
            "partner_runs": report.partner_runs,
            "partner_seconds": report.partner_seconds,
            "seconds": report.seconds,
            "fuzz_seconds": report.fuzz_seconds,
            "interrupted": report.interrupted,
            "commit": commit,
        }})
        .to_string(),
    );
    out.push('\n');
    out
}
