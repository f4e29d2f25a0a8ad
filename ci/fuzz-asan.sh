#!/usr/bin/env bash
# Every fuzz target on nightly with AddressSanitizer, from the saved corpus; fails on any crash
# and leaves the minimized inputs in fuzz/artifacts/. FUZZ_SECONDS sets the budget per target.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
exec fuzz/run --seconds "${FUZZ_SECONDS:-120}"
