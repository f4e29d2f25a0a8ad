#!/usr/bin/env bash
# Measures the fuzzers' power on planted bugs: for each plant (ci/plants/<name>.patch, a realistic
# slip the oracles must catch), a scratch git worktree of HEAD gets that one bug, and
# `fuzz/run --stable --seconds N --json` runs every target from the saved corpus. Prints, per
# plant, which targets crashed and in how many seconds (read from the JSON lines with jq).
#
#   bash ci/plant-bugs.sh [--seconds N] [PLANT...]     # default: all plants, 10 s per target
#
# Takes about a minute per plant on 2 cores (build + 6 targets). Leaves this checkout untouched.
# Exits 1 when a plant is found by no target.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=10
plants=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    *) plants+=("$1"); shift ;;
  esac
done
if [ ${#plants[@]} -eq 0 ]; then
  for p in "$root"/ci/plants/*.patch; do plants+=("$(basename "$p" .patch)"); done
fi
command -v jq >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
wt=$(mktemp -d "${TMPDIR:-/tmp}/botfeat-plant.XXXXXX")
trap 'git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT
git -C "$root" worktree add -q --detach "$wt" HEAD
missed=0
for p in "${plants[@]}"; do
  git -C "$wt" checkout -q -- parser
  git -C "$wt" apply "$root/ci/plants/$p.patch"
  echo "== $p"
  found=$( (cd "$wt" && fuzz/run --stable --seconds "$seconds" --json 2>/dev/null) \
    | jq -r 'select(.target) | .target | select(.exit != 0) | "\(.target) CRASH in \(.seconds * 10 | round / 10) s: \(.stats.crash // "killed")"')
  if [ -n "$found" ]; then echo "$found"; else echo "   not found by any target"; missed=1; fi
done
exit $missed
