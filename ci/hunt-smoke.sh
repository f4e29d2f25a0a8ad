#!/usr/bin/env bash
# A 30 s hunt of one example (yaml-rust 0.4.0, whose unbounded recursion is saved in its
# regressions/): the hunt tool builds, runs, confirms the overflow, recognizes it as already
# saved, and leaves git clean; the same for a toy with recursion behind a prefix tag. Then a hunt
# ended by SIGTERM after a few seconds: exit 143, no process of its left, no temp folder.
# HUNT_SECONDS changes the first budget.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hunt-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
set +e
TMPDIR=$tmp harness/hunt examples/hunt/yaml_rust --seconds "${HUNT_SECONDS:-30}"
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

# A toy whose recursion no bracket shows (a two-byte tag before any value): confirmed, and
# recognized as the case already saved in its regressions/.
set +e
TMPDIR=$tmp harness/hunt harness/tool/tests/toys/prefix_tags --seconds 15
rc=$?
set -e
if [ $rc -ne 1 ] || [ -n "$(git status --porcelain -- harness/tool/tests/toys)" ]; then
  echo "hunt-smoke: the prefix-tag toy: expected exit 1 and no new file, got $rc" >&2
  git status --porcelain -- harness/tool/tests/toys >&2
  exit 1
fi

# Ended from outside, as a CI timeout or `kill` would: every child ends, the folders go.
set +e
TMPDIR=$tmp timeout --preserve-status -s TERM 8 harness/hunt examples/hunt/yaml_rust --seconds 60
rc=$?
set -e
if [ $rc -ne 143 ]; then
  echo "hunt-smoke: SIGTERM: expected exit 143, got $rc" >&2
  exit 1
fi
sleep 1
if pgrep -f "$tmp" >/dev/null || pgrep -f "yaml_rust/.*release/(hunt|plain)" >/dev/null; then
  echo "hunt-smoke: processes outlived the hunt:" >&2
  pgrep -af "$tmp|yaml_rust/.*release" >&2
  exit 1
fi
if [ -n "$(ls -A "$tmp")" ] || ls /dev/shm | grep -q "^harness-hunt-"; then
  echo "hunt-smoke: temp folders outlived the hunt:" >&2
  ls -A "$tmp" /dev/shm >&2
  exit 1
fi
echo "hunt-smoke: ok"
