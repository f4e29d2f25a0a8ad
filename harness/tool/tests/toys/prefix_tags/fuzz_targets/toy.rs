// The toy parser, shared by both targets: `A7 5A` tags the value after it (any number of tags),
// `01` is an integer (one byte follows), `02` a list (a count byte, then that many values). No
// depth count anywhere: a long run of tags recurses until the stack runs out — a few thousand
// levels of a small frame, more than libFuzzer's 4 KiB inputs grow to on their own.
pub fn value(data: &[u8]) -> Option<&[u8]> {
    match data {
        [0xA7, 0x5A, rest @ ..] => value(rest).map(std::hint::black_box),
        [0x01, _, rest @ ..] => Some(rest),
        [0x02, count, rest @ ..] => {
            let mut rest = rest;
            for _ in 0..*count {
                rest = value(rest)?;
            }
            Some(rest)
        }
        _ => None,
    }
}
