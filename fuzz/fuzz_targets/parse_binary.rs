#![no_main]
//! Raw bytes into the binary decoder, judged by the test kit's reference binary reader and by bincode's decoder, with botfeat's domain mutator beside libFuzzer's own.
botfeat_fuzz::fuzz_target!(ParseBinary);
