//! The two CI definitions run the same steps: every `ci/*.sh` script `.ci/run` runs, the GitHub
//! workflow runs too, in the same order (the workflow may add jobs of its own, such as the
//! nightly AddressSanitizer fuzzing, which `.ci/run` cannot do on stable).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::Path;

/// The `ci/NAME.sh` scripts a file names, in order.
fn scripts(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file))
        .unwrap();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        for (at, _) in line.match_indices("ci/") {
            let name: String = line[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
                .collect();
            if name.ends_with(".sh") && !name.starts_with("ci/plants") {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn the_workflow_runs_every_step_of_ci_run_in_order() {
    let local = scripts(".ci/run");
    assert!(local.len() >= 4, "{local:?}");
    let workflow = scripts(".github/workflows/ci.yml");
    let mut rest = workflow.iter();
    for step in &local {
        assert!(
            rest.any(|w| w == step),
            "{step} runs in .ci/run but not (in that order) in ci.yml: {workflow:?}"
        );
    }
}
