#![no_main]
//! Raw bytes into the JSONEachRow reader, judged by the test kit's reference rows reader (testkit::rows), with botfeat's domain mutator beside libFuzzer's own.
botfeat_fuzz::fuzz_target!(IngestRows);
