#!/usr/bin/env bash
# Line coverage of parser/ by the saved corpus, as HTML: which lines no corpus case reaches.
#
#   bash ci/coverage.sh            # then open the index.html it names
#
# Replays the whole corpus (`corpus replay`, each target's files in a child process, all
# instrumented) under cargo-llvm-cov; the report shows the parser's files only. Installs
# cargo-llvm-cov and the llvm-tools component if they are missing. Writes only under the target
# directory (cargo-llvm-cov's own llvm-cov/ folder in it; CARGO_TARGET_DIR is honoured), so git
# stays clean; the last lines name the report.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo llvm-cov --version >/dev/null 2>&1; then
  echo "== installing cargo-llvm-cov"
  cargo install cargo-llvm-cov --locked
fi
rustup component add llvm-tools-preview >/dev/null 2>&1 || true
cargo llvm-cov clean --workspace >/dev/null 2>&1 || true
# Everything but parser/src is left out of the report (the harness, the test kit and the fuzz
# logic run too, but the question is which parser lines the corpus reaches). The report is over
# the whole workspace's files (no -p), as `-p` would keep only the fuzz logic's own.
ignore='(/harness/|/testkit/|/fuzz/|/proptests/|/parser/cli/)'
cargo llvm-cov run -p botfeat-corpus --bin corpus --no-report -- replay
cargo llvm-cov report --ignore-filename-regex "$ignore" --summary-only
cargo llvm-cov report --ignore-filename-regex "$ignore" --html
