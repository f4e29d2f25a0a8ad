#!/usr/bin/env bash
# Every fuzz target for a short budget on stable (-s none) from the saved corpus; fails on any
# crash. Installs cargo-fuzz itself. FUZZ_SECONDS overrides the budget per target.
set -euo pipefail
cd "$(dirname "$0")/.."
exec fuzz/run --stable --seconds "${FUZZ_SECONDS:-25}"
