#![no_main]
//! Raw bytes into the text parser, judged by the test kit's reference text reader (testkit::text), with botfeat's domain mutator beside libFuzzer's own.
botfeat_fuzz::fuzz_target!(ParseText);
