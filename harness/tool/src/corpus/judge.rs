//! Where the corpus command's answers come from: the judge in this process, or a judge
//! executable asked over its protocol (JSON lines: `targets`, `seeds`, `run-one`).

use std::path::PathBuf;
use std::process::{Command, Stdio};

use harness::corpus::{Judge, Seed, TargetInfo};

use super::replay;

/// Where the judge's answers come from: this process, or a judge executable asked over its
/// protocol.
pub(super) trait Source {
    fn targets(&self) -> Result<Vec<TargetInfo>, String>;
    fn seeds(&self) -> Result<Vec<Seed>, String>;
    fn run_one(&self, target: &str, files: &[PathBuf]) -> Result<(), String>;
}

pub(super) struct InProcess<'a>(pub(super) &'a dyn Judge);

impl Source for InProcess<'_> {
    fn targets(&self) -> Result<Vec<TargetInfo>, String> {
        Ok(self.0.targets())
    }
    fn seeds(&self) -> Result<Vec<Seed>, String> {
        Ok(self.0.seeds())
    }
    fn run_one(&self, target: &str, files: &[PathBuf]) -> Result<(), String> {
        replay::run_one(files, |bytes| self.0.run(target, bytes)).map_err(|e| e.to_string())
    }
}

pub(super) struct External(pub(super) PathBuf);

impl External {
    fn lines(&self, sub: &str) -> Result<Vec<serde_json::Value>, String> {
        let out = Command::new(&self.0)
            .arg(sub)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("{}: {e}", self.0.display()))?;
        if !out.status.success() {
            return Err(format!(
                "`{} {sub}` failed: {}",
                self.0.display(),
                out.status
            ));
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l).map_err(|e| {
                    format!(
                        "`{} {sub}` printed {}: expected a JSON line ({e})",
                        self.0.display(),
                        l.escape_debug()
                    )
                })
            })
            .collect()
    }
}

impl Source for External {
    fn targets(&self) -> Result<Vec<TargetInfo>, String> {
        self.lines("targets")?
            .iter()
            .map(target_from_json)
            .collect::<Option<_>>()
            .ok_or_else(|| {
                format!(
                    "`{} targets`: expected {{\"name\", \"structure_aware\"}} lines",
                    self.0.display()
                )
            })
    }
    fn seeds(&self) -> Result<Vec<Seed>, String> {
        self.lines("seeds")?
            .iter()
            .map(seed_from_json)
            .collect::<Option<_>>()
            .ok_or_else(|| {
                format!(
                    "`{} seeds`: expected {{\"target\", \"bytes\", \"note\"}} lines",
                    self.0.display()
                )
            })
    }
    fn run_one(&self, target: &str, files: &[PathBuf]) -> Result<(), String> {
        let status = Command::new(&self.0)
            .args(["run-one", "--target", target])
            .args(files)
            .status()
            .map_err(|e| format!("{}: {e}", self.0.display()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the judge ended with {status}"))
        }
    }
}

/// A target as `targets` prints it.
pub fn target_json(t: &TargetInfo) -> String {
    serde_json::json!({ "name": t.name, "structure_aware": t.structure_aware }).to_string()
}

fn target_from_json(v: &serde_json::Value) -> Option<TargetInfo> {
    Some(TargetInfo {
        name: v.get("name")?.as_str()?.to_string(),
        structure_aware: v.get("structure_aware")?.as_bool()?,
    })
}

/// A seed as `seeds` prints it (the bytes as an array of numbers).
pub fn seed_json(s: &Seed) -> String {
    serde_json::json!({ "target": s.target, "bytes": s.bytes, "note": s.note }).to_string()
}

fn seed_from_json(v: &serde_json::Value) -> Option<Seed> {
    let bytes = v
        .get("bytes")?
        .as_array()?
        .iter()
        .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
        .collect::<Option<Vec<u8>>>()?;
    Some(Seed {
        target: v.get("target")?.as_str()?.to_string(),
        bytes,
        note: v.get("note")?.as_str()?.to_string(),
    })
}
