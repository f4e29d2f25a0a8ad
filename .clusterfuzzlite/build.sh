#!/usr/bin/env bash
# Builds every fuzz target into $OUT with its options, dictionary and seed corpus, as
# ClusterFuzzLite (and OSS-Fuzz) expect: `cargo harness build` (harness/tool/src/build.rs). In the
# container the base image's sanitizer flags apply to the targets; elsewhere they are built on
# stable with no sanitizer:   OUT=/tmp/out bash .clusterfuzzlite/build.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The tool itself is an ordinary program: built without the image's sanitizer RUSTFLAGS, which
# it passes on to the targets' build untouched.
tool=${CARGO_TARGET_DIR:-$root/target}/harness-tool
RUSTFLAGS= cargo build -q --manifest-path "$root/Cargo.toml" -p cargo-harness --target-dir "$tool"
exec "$tool/debug/cargo-harness" build --out "${OUT:?set OUT to the folder the fuzz targets go to}" \
  --fuzz-dir "$root/fuzz" --corpus "$root/corpus"
