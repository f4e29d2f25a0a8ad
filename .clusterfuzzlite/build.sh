#!/usr/bin/env bash
# Builds every fuzz target into $OUT with its options, dictionary and seed corpus, as
# ClusterFuzzLite (and OSS-Fuzz) expect.
#
# In the ClusterFuzzLite container the base image sets $SANITIZER and the compiler flags, and
# `cargo fuzz build` picks them up. Outside it, give an output folder and it builds on stable with
# no sanitizer:   OUT=/tmp/out bash .clusterfuzzlite/build.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${OUT:?set OUT to the folder the fuzz targets go to}"
mkdir -p "$OUT"
cd "$root/fuzz"

# Wherever cargo puts builds (CARGO_TARGET_DIR, a config file): ask it.
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
host=$(rustc -vV | sed -n 's/^host: //p')
if [ -n "${SANITIZER:-}" ] && [ -n "${LIB_FUZZING_ENGINE:-}" ]; then
  # In the container: release build, debug assertions and overflow checks kept (-a).
  cargo fuzz build -O -a
  bin_dir=$target_dir/$host/release
else
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
  cargo fuzz build -O -a -s none --target-dir "$target_dir/cflite"
  bin_dir=$target_dir/cflite/$host/release
fi

zip_dir() { # zip_dir SRC_DIR ZIP: the seed corpus, flat, as libFuzzer wants it
  python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if os.path.isfile(path) and not name.startswith("."):
            z.write(path, name)
PY
}

for target in $(cargo fuzz list); do
  cp "$bin_dir/$target" "$OUT/$target"
  options=fuzz_targets/$target.options
  if [ -f "$options" ]; then
    cp "$options" "$OUT/$target.options"
    dict=$(sed -n 's/^[[:space:]]*dict[[:space:]]*=[[:space:]]*//p' "$options")
    [ -n "$dict" ] && cp "dicts/$dict" "$OUT/$dict"
  fi
  [ -d "$root/corpus/$target" ] && zip_dir "$root/corpus/$target" "$OUT/${target}_seed_corpus.zip"
done
echo "built into $OUT: $(cargo fuzz list | tr '\n' ' ')"
