#!/usr/bin/env bash
# Measures the fuzzers' power on planted bugs: for each plant (ci/plants/<name>.patch, a realistic
# slip the oracles must catch), a scratch git worktree of HEAD gets that one bug, and every target
# is fuzzed (stable, `-s none`, two at a time) twice:
#   - from the saved corpus, 10 s per target (`--seconds` changes it);
#   - from three seed files per target (each target's first three built-in seeds,
#     `corpus seed --first 3` into a scratch folder), 60 s per target (`--seed-seconds`):
#     the fuzzers must find the bug, not the grown corpus.
# Prints, per plant and start, which targets crashed and in how many seconds (read from the JSON
# lines of `cargo harness fuzz --json` with jq).
#
#   bash ci/plant-bugs.sh [--seconds N] [--seed-seconds N] [--from corpus|seeds] [PLANT...]
#
# Takes 1–4 minutes per plant on 2 cores (build + 6 targets per start). Leaves this checkout
# untouched. Exits 1 when a plant is found by no target from one of the starts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=10
seed_seconds=60
starts=(corpus seeds)
plants=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seed-seconds) seed_seconds=$2; shift 2 ;;
    --from) starts=("$2"); shift 2 ;;
    -*) echo "plant-bugs: unknown option $1" >&2; exit 2 ;;
    *) plants+=("$1"); shift ;;
  esac
done
if [ ${#plants[@]} -eq 0 ]; then
  for p in "$root"/ci/plants/*.patch; do plants+=("$(basename "$p" .patch)"); done
fi
command -v jq >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/botfeat-plant.XXXXXX")
wt=$scratch/worktree
trap 'git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
git -C "$root" worktree add -q --detach "$wt" HEAD
# The three seeds per target, written by the unplanted checkout's corpus command.
mkdir "$scratch/seeds"
cargo run -q --manifest-path "$root/Cargo.toml" -p botfeat-corpus -- \
  --root "$scratch/seeds" seed --first 3 >/dev/null
missed=0
for p in "${plants[@]}"; do
  git -C "$wt" checkout -q -- parser
  git -C "$wt" apply "$root/ci/plants/$p.patch"
  for start in "${starts[@]}"; do
    case "$start" in
      corpus) from=$wt/corpus; budget=$seconds ;;
      seeds) from=$scratch/seeds; budget=$seed_seconds ;;
      *) echo "plant-bugs: --from corpus or seeds, not $start" >&2; exit 2 ;;
    esac
    echo "== $p, from the $start ($budget s per target)"
    # The worktree's own harness tool, on a copy of the start (git stays clean either way).
    found=$( (cd "$wt" && cargo run -q -p cargo-harness -- fuzz --fuzz-dir "$wt/fuzz" \
      --corpus "$from" --stable --seconds "$budget" --json 2>/dev/null) \
      | jq -r 'select(.target) | .target | select(.exit != 0) | "\(.target) CRASH in \(.seconds * 10 | round / 10) s: \(.stats.crash // "killed")"')
    if [ -n "$found" ]; then echo "$found"; else echo "   not found by any target"; missed=1; fi
  done
done
exit $missed
