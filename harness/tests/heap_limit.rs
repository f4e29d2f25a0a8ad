//! The heap cap: an input that makes the parser allocate past `4 × input + 256 KiB` kills the
//! process (as libFuzzer's malloc limit does), and within the bound nothing happens. Run in a
//! child process, since the cap is process-wide.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::process::Command;

use harness::Target;
use harness::oracle::check;

// This test binary counts with the harness's allocator; each test installs it before it checks.
harness::counting_allocator!();

fn counting() {
    harness::alloc::install(&HARNESS_COUNTING_ALLOCATOR);
}

/// Allocates what a length prefix claims, like bincode 1.x `deserialize_from` did.
struct TrustsLengthPrefix;

impl Target for TrustsLengthPrefix {
    type Output = usize;
    type Error = String;
    fn name(&self) -> &'static str {
        "trusts_length_prefix"
    }
    fn parse(&self, input: &[u8]) -> Result<usize, String> {
        let claim = input
            .iter()
            .take(4)
            .fold(0usize, |n, &b| (n << 8) | usize::from(b));
        let buffer: Vec<u8> = Vec::with_capacity(claim);
        Ok(std::hint::black_box(buffer).capacity())
    }
    fn error_kind(&self, e: &String) -> String {
        e.clone()
    }
}

const CHILD: &str = "HARNESS_HEAP_CHILD";

#[test]
fn heap_cap_kills_an_overallocating_input_in_a_child() {
    counting();
    if let Ok(claim) = std::env::var(CHILD) {
        harness::alloc::enforce();
        let claim: u32 = claim.parse().unwrap();
        let _ = check(&TrustsLengthPrefix, &claim.to_be_bytes());
        println!("survived");
        return;
    }
    assert!(harness::alloc::enabled());
    let run = |claim: u32| {
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "heap_cap_kills_an_overallocating_input_in_a_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, claim.to_string())
            .output()
            .unwrap()
    };
    let within = run(200 * 1024);
    assert!(within.status.success(), "{within:?}");
    assert!(String::from_utf8_lossy(&within.stdout).contains("survived"));
    let over = run(64 << 20);
    assert!(!over.status.success());
    let stderr = String::from_utf8_lossy(&over.stderr);
    assert!(
        stderr.contains("memory allocation of 67108864 bytes failed"),
        "{stderr}"
    );
}

#[test]
fn without_enforce_nothing_is_capped() {
    counting();
    assert!(harness::alloc::enabled());
    // This process never called enforce(): parallel tests must not be killed by each other.
    assert!(!harness::alloc::enforced());
    assert_eq!(
        check(&TrustsLengthPrefix, &(8u32 << 20).to_be_bytes())
            .unwrap()
            .1,
        Some(8 << 20)
    );
}
