//! The spec reader's claim limit (FORMAT.md: bincode's, per feature — each field's in-memory size
//! before it is read, then each string's length), at N and N + 1.
#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

use botfeat::ErrorKind;
use testkit::binary::{frame, read};
use testkit::spec::MAX_FILE_SIZE;

/// Serial 1, count 1, a name whose length (u32-marked) claims `len` bytes, and nothing after.
fn name_claiming(len: usize) -> Vec<u8> {
    let mut p = vec![1, 1, 252];
    p.extend_from_slice(&u32::try_from(len).unwrap().to_le_bytes());
    frame(&p)
}

#[test]
fn a_name_claiming_the_limit_less_its_length_field_is_truncated_one_more_too_large() {
    // 8 bytes for the length (a u64 in memory), then the name's bytes.
    let at_limit = read(&name_claiming(MAX_FILE_SIZE - 8)).unwrap_err();
    assert_eq!(at_limit.kind, ErrorKind::Truncated);
    let over = read(&name_claiming(MAX_FILE_SIZE - 7)).unwrap_err();
    assert_eq!(over.kind, ErrorKind::FileTooLarge);
}
