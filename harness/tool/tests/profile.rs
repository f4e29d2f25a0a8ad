//! `fuzz --profile`'s parts, on `perf script` lines as perf prints them: which part a sample is
//! in, the shares, the table. No perf needed; each test runs in microseconds.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::float_cmp)]

use cargo_harness::fuzz::profile::{self, KERNEL, OTHER, Part, Share};

fn client() -> Vec<Part> {
    vec![
        "botfeat=botfeat::".parse().unwrap(),
        "test kit=testkit::, testkit_extra::".parse().unwrap(),
    ]
}

/// `perf script -F comm,ip,sym,dso` lines of the target `parse_text`, and one of cargo.
const SCRIPT: &str = "\
 parse_text  55d1c2a3b4c5 fuzzer::TracePC::CollectFeatures<fuzzer::Fuzzer::RunOne(unsigned char const*, unsigned long, bool, fuzzer::InputInfo*, bool, bool*)::$_0>(fuzzer::Fuzzer::RunOne(unsigned char const*, unsigned long, bool, fuzzer::InputInfo*, bool, bool*)::$_0) const (/work/fuzz/target/release/parse_text)
 parse_text  55d1c2a3b4c6 botfeat::format::text::parse (/work/fuzz/target/release/parse_text)
 parse_text  55d1c2a3b4c7 <testkit::text::Reader as core::iter::traits::iterator::Iterator>::next (/work/fuzz/target/release/parse_text)
 parse_text  7f00aa000001 _int_malloc (/usr/lib/x86_64-linux-gnu/libc.so.6)
 parse_text  7f00aa000002 __memmove_avx_unaligned_erms (/usr/lib/x86_64-linux-gnu/libc.so.6)
 parse_text  55d1c2a3b4c8 core::fmt::write (/work/fuzz/target/release/parse_text)
 parse_text  55d1c2a3b4c9 core::str::validations::run_utf8_validation (/work/fuzz/target/release/parse_text)
 parse_text  ffffffff8226e079 clear_page_erms ([kernel.kallsyms])
 parse_text  55d1c2a3b4ca serde_json::de::from_slice (/work/fuzz/target/release/parse_text)
 parse_text  55d1c2a3b4cb [unknown] (/work/fuzz/target/release/parse_text)
       cargo  55d1c2a3b4cc botfeat::format::text::parse (/root/.cargo/bin/cargo)
";

#[test]
fn a_sample_is_in_the_first_part_whose_prefix_its_path_has() {
    let c = client();
    assert_eq!(profile::part_of("botfeat::rows::read", "/x", &c), "botfeat");
    // A trait method is the implementing type's, behind `<` and `&mut`.
    assert_eq!(
        profile::part_of(
            "<&mut testkit::binary::Cursor as core::ops::Drop>::drop",
            "/x",
            &c
        ),
        "test kit"
    );
    assert_eq!(profile::part_of("testkit_extra::f", "/x", &c), "test kit");
    assert_eq!(
        profile::part_of("fuzzer::Fuzzer::RunOne(...)", "/x", &c),
        "libFuzzer"
    );
    assert_eq!(
        profile::part_of("__rust_dealloc", "/x", &c),
        "allocation and memory copies"
    );
    assert_eq!(
        profile::part_of("harness::alloc::CountingAllocator::alloc", "/x", &c),
        "allocation and memory copies",
        "the heap cap's allocator is allocation, not the harness"
    );
    assert_eq!(
        profile::part_of("harness::oracle::check", "/x", &c),
        "harness (oracles, glue)"
    );
    assert_eq!(
        profile::part_of("alloc::fmt::format::format_inner", "/x", &c),
        "formatting (`core::fmt`)"
    );
    assert_eq!(
        profile::part_of("core::ptr::drop_in_place<botfeat::Feature>", "/x", &c),
        "std (UTF-8, iterators, hashing, comparisons)"
    );
    assert_eq!(
        profile::part_of("anything", "[kernel.kallsyms]", &c),
        KERNEL
    );
    assert_eq!(profile::part_of("bincode::de::decode", "/x", &c), OTHER);
    // Without the client's parts, its crates are "other".
    assert_eq!(profile::part_of("botfeat::rows::read", "/x", &[]), OTHER);
}

#[test]
fn shares_count_the_target_s_samples_only_in_table_order() {
    let shares = profile::shares(SCRIPT, "parse_text", &client());
    let names: Vec<&str> = shares.iter().map(|s| s.part.as_str()).collect();
    assert_eq!(names, profile::part_names(&client()));
    let of = |name: &str| shares.iter().find(|s| s.part == name).unwrap().percent;
    // Ten samples of parse_text (cargo's is left out): each one is 10 %.
    assert_eq!(of("botfeat"), 10.0);
    assert_eq!(of("test kit"), 10.0);
    assert_eq!(of("libFuzzer"), 10.0);
    assert_eq!(of("allocation and memory copies"), 20.0);
    assert_eq!(of("formatting (`core::fmt`)"), 10.0);
    assert_eq!(of("std (UTF-8, iterators, hashing, comparisons)"), 10.0);
    assert_eq!(of(KERNEL), 10.0);
    assert_eq!(of(OTHER), 20.0);
    assert_eq!(of("harness (oracles, glue)"), 0.0);
    let total: f64 = shares.iter().map(|s| s.percent).sum();
    assert!((total - 100.0).abs() < 1e-9);
    // A name perf cut to 15 bytes still matches; no sample, no shares.
    let long = SCRIPT.replace("parse_text ", "a_long_target_n ");
    assert_eq!(
        profile::shares(&long, "a_long_target_name", &client()).len(),
        profile::part_names(&client()).len()
    );
    assert!(profile::shares(SCRIPT, "reload", &client()).is_empty());
}

#[test]
fn a_part_is_a_name_and_prefixes() {
    let p: Part = "test kit = testkit::,tk::".parse().unwrap();
    assert_eq!(p.name, "test kit");
    assert_eq!(p.prefixes, ["testkit::", "tk::"]);
    let e = "botfeat".parse::<Part>().unwrap_err();
    assert!(e.contains("expected NAME=PREFIX"), "{e}");
    assert!("x=".parse::<Part>().is_err());
    assert!("=botfeat::".parse::<Part>().is_err());
}

#[test]
fn the_table_has_a_column_per_target_and_its_stamp() {
    let shares = profile::shares(SCRIPT, "parse_text", &client());
    let table = profile::markdown(
        &[
            ("parse_text".into(), shares),
            ("reload".into(), Vec::<Share>::new()),
        ],
        "--seconds 15 --profile",
        Some("abc1234"),
    );
    assert!(
        table.starts_with("| part | parse_text | reload |\n| --- | ---: | ---: |\n"),
        "{table}"
    );
    assert!(table.contains("| botfeat | 10 % | — |"), "{table}");
    assert!(
        table.contains("| allocation and memory copies | 20 % | — |"),
        "{table}"
    );
    assert!(
        table.contains(
            "Generated by `fuzz/run --seconds 15 --profile --markdown` at commit abc1234"
        ),
        "{table}"
    );
    assert!(profile::markdown(&[], "", None).contains("no samples"));
}
