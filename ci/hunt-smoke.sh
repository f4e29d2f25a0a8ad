#!/usr/bin/env bash
# A 10 s hunt of one example (yaml-rust 0.4.0, whose unbounded recursion is saved in its
# regressions/): the hunt tool builds, runs, confirms the overflow, recognizes it as already
# saved, and leaves git clean. HUNT_SECONDS changes the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
set +e
harness/hunt examples/hunt/yaml_rust --seconds "${HUNT_SECONDS:-10}"
rc=$?
set -e
if [ $rc -ne 1 ]; then
  echo "hunt-smoke: expected exit 1 (the known recursion confirmed), got $rc" >&2
  exit 1
fi
if [ -n "$(git status --porcelain -- examples)" ]; then
  echo "hunt-smoke: the hunt changed files under examples/:" >&2
  git status --porcelain -- examples >&2
  exit 1
fi
echo "hunt-smoke: ok"
