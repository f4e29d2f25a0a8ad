//! What the harness needs to know about a parser under test.

use std::fmt::{Debug, Display};
use std::time::Duration;

/// What one input may cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Longest a parse may take. Checked after the fact in-process; libFuzzer's `-timeout` and
    /// the replay child's time limit stop a real hang.
    pub max_time: Duration,
    /// Heap growth allowed per input byte…
    pub heap_per_byte: usize,
    /// …plus this much, whatever the input.
    pub heap_base: usize,
}

impl Default for Budget {
    /// 1 s and `4 × input + 256 KiB` of heap.
    fn default() -> Self {
        Budget {
            max_time: Duration::from_secs(1),
            heap_per_byte: 4,
            heap_base: 256 * 1024,
        }
    }
}

impl Budget {
    /// The heap bound for an input of `len` bytes.
    pub fn heap_bound(&self, len: usize) -> usize {
        len.saturating_mul(self.heap_per_byte)
            .saturating_add(self.heap_base)
    }
}

/// A parser under test: bytes in, a value or an error out.
pub trait Target {
    /// What a successful parse yields.
    type Output: Debug;
    /// What a failed parse yields.
    type Error: Debug + Display;

    /// A short name, used in reports and as the corpus folder name.
    fn name(&self) -> &'static str;

    /// Parses one input. Must not panic, whatever the input: that is what is being tested.
    fn parse(&self, input: &[u8]) -> Result<Self::Output, Self::Error>;

    /// A stable name for the kind of `error`, used by expected outcomes and by the differential
    /// oracle (two formats must refuse the same input model with the same kind).
    fn error_kind(&self, error: &Self::Error) -> String;

    /// Where in the input `error` is, as a human reads it (`line 3, column 9`), if known.
    fn error_position(&self, _error: &Self::Error) -> Option<String> {
        None
    }

    /// The time and memory one input may take.
    fn budget(&self) -> Budget {
        Budget::default()
    }
}

/// A parser that can also write what it reads.
pub trait Roundtrip: Target {
    /// The canonical encoding of `value`, or why this format cannot carry it.
    fn encode(&self, value: &Self::Output) -> Result<Vec<u8>, String>;

    /// Whether two parsed values are the same (for most targets `a == b`; a format with NaN
    /// compares its floats bit for bit). Never by comparing [`Roundtrip::encode`]'s output: the
    /// roundtrip oracle must not judge the encoder with the encoder.
    fn same(&self, a: &Self::Output, b: &Self::Output) -> bool;

    /// The canonical encoding of `value` by a second, independent writer (one written from the
    /// format's specification, not calling [`Roundtrip::encode`]), or `None` where there is none
    /// or it cannot carry the value. When given, the roundtrip oracle requires both writers to
    /// produce the same bytes ([`ViolationKind::NotCanonical`](crate::ViolationKind::NotCanonical)).
    fn reference_encode(&self, _value: &Self::Output) -> Option<Vec<u8>> {
        None
    }
}
