#!/usr/bin/env bash
# Formatting and lints: the same on every CI.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# Every planted bug still applies to the code it plants into (ci/plant-bugs.sh measures them).
for p in ci/plants/*.patch; do
  git apply --check "$p" || { echo "check: $p no longer applies: regenerate it (docs/TESTING.md)" >&2; exit 1; }
done
