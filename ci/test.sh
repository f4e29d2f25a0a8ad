#!/usr/bin/env bash
# The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace
# The benchmarks must keep building (they run by hand: docs/PERFORMANCE.md).
cargo bench --workspace --no-run
