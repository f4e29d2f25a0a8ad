#!/usr/bin/env python3
"""Prints the benchmark tables of docs/PERFORMANCE.md from criterion's saved estimates.

Run after `cargo bench -p botfeat --bench codecs`: python3 parser/benches/report.py
"""
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "criterion")


def median_ns(group, bench):
    """criterion's median (robust to a burst from a neighbour on a shared machine), in ns."""
    path = os.path.join(ROOT, group, bench, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def throughput_bytes(group, bench):
    path = os.path.join(ROOT, group, bench, "new", "benchmark.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        t = json.load(f).get("throughput") or {}
    return t.get("Bytes")


def fmt(ns):
    if ns is None:
        return "—"
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:.2f}"


rows = [
    ("decode binary", "decode_binary", "botfeat", "baseline_bincode_serde", "≤ 0.17 (1/6)"),
    ("parse text", "parse_text", "botfeat", "baseline_serde_json", "≤ 0.20 (1/5)"),
    ("ingest JSON rows", "ingest_rows", "botfeat", "baseline_serde_json_per_line", "≤ 1.2"),
]
print("| operation | features | botfeat | baseline | ratio | goal |")
print("| --- | ---: | ---: | ---: | ---: | --- |")
for label, group, ours, base, goal in rows:
    for n in (60, 200):
        a, b = median_ns(f"{group}_{n}", ours), median_ns(f"{group}_{n}", base)
        print(f"| {label} | {n} | {fmt(a)} | {fmt(b)} ({base.replace('baseline_', '')}) | {ratio(a, b)} | {goal} |")
print()
print("| operation | 60 features | 200 features | in-run baseline, 200 features | ratio |")
print("| --- | ---: | ---: | ---: | ---: |")
for label, group, bench, base in [
    ("encode text", "encode", "text", "baseline_serde_json"),
    ("encode binary", "encode", "binary", "baseline_bincode_serde"),
    ("build the table", "runtime", "build_table", "baseline_serde_json"),
    ("fill a request buffer (goal < 1 µs, 0 allocations)", "runtime", "fill_request_buffer", "baseline_serde_json"),
]:
    a60, a200 = median_ns(f"{group}_60", bench), median_ns(f"{group}_200", bench)
    b200 = median_ns(f"{group}_200", base)
    what = "serde_json encode" if group == "encode" and "json" in base else (
        "bincode+serde encode" if group == "encode" else "serde_json decode")
    print(f"| {label} | {fmt(a60)} | {fmt(a200)} | {fmt(b200)} ({what}) | {ratio(a200, b200)} |")
print()
print("| features | binary decode | per feature | bincode+serde | ratio | text parse | per feature | serde_json | ratio |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for n in (1, 10, 50, 100, 200):
    b, t = median_ns("scaling_features", f"binary/{n}"), median_ns("scaling_features", f"text/{n}")
    bb = median_ns("scaling_features", f"baseline_bincode_serde/{n}")
    tb = median_ns("scaling_features", f"baseline_serde_json/{n}")
    print(f"| {n} | {fmt(b)} | {fmt(b / n if b else None)} | {fmt(bb)} | {ratio(b, bb)} "
          f"| {fmt(t)} | {fmt(t / n if t else None)} | {fmt(tb)} | {ratio(t, tb)} |")
print()
print("| target size | text, 60 features + long comments | bytes | MB/s | binary, 200 long string defaults | bytes | MB/s | bincode+serde, same model | ratio |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for kib in (16, 64, 256, 1023):
    cells = []
    for bench in (f"text_comments/{kib}", f"binary_long_strings/{kib}"):
        ns, size = median_ns("scaling_bytes", bench), throughput_bytes("scaling_bytes", bench)
        mbs = "—" if ns is None or size is None else f"{size / ns * 1000:.0f}"
        cells += [fmt(ns), f"{size:,}" if size else "—", mbs]
    ours = median_ns("scaling_bytes", f"binary_long_strings/{kib}")
    base = median_ns("scaling_bytes", f"baseline_bincode_serde_long_strings/{kib}")
    cells += [fmt(base), ratio(ours, base)]
    print(f"| {kib} KiB | " + " | ".join(cells) + " |")
