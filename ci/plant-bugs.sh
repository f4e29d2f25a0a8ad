#!/usr/bin/env bash
# Measures the fuzzers' power on planted bugs: for each plant (ci/plants/apply.py), a scratch git
# worktree of HEAD gets that one bug, and `fuzz/run --stable --seconds N` runs every target from
# the saved corpus. Prints, per plant, which targets crashed and in how many seconds.
#
#   bash ci/plant-bugs.sh [--seconds N] [PLANT...]     # default: all plants, 10 s per target
#
# Takes about a minute per plant on 2 cores (build + 6 targets). Leaves this checkout untouched.
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
[ ${#plants[@]} -gt 0 ] || plants=(wrap_u8 wrap_u16_binary dup_neighbours crc_range lost_count prealloc offset_add truncated_header runtime_unwrap)
wt=$(mktemp -d "${TMPDIR:-/tmp}/botfeat-plant.XXXXXX")
trap 'git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT
git -C "$root" worktree add -q --detach "$wt" HEAD
for p in "${plants[@]}"; do
  git -C "$wt" checkout -q -- parser
  python3 "$root/ci/plants/apply.py" "$wt" "$p"
  echo "== $p"
  (cd "$wt" && fuzz/run --stable --seconds "$seconds" 2>&1) | grep -E "^[a-z_]+ +[0-9?]+ .*(CRASH|ok)$|CRASH" | grep -E "^[a-z_]+ " || true
done
