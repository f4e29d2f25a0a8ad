//! The oracles catch what they claim to, on toy parsers with planted bugs.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use std::collections::BTreeMap;

use harness::corpus::{self, Expectations, Expected};
use harness::oracle::{
    check, check_agree, check_differential, check_differential_given, check_roundtrip,
};
use harness::{Outcome, Roundtrip, Target, ViolationKind};

/// `key=value` lines. Bugs can be planted.
#[derive(Default)]
struct Kv {
    panic_on_empty_key: bool,
    lossy_encode: bool,
    /// Planted: the encoder writes the keys in reverse order where the canonical form sorts
    /// them; it still reads back the same, so only a second writer can tell.
    reversed_encode: bool,
    /// Planted: the parser keeps the first of two equal keys instead of refusing the file.
    keeps_duplicates: bool,
    /// The format's reference writer is offered to the roundtrip oracle.
    with_reference: bool,
}

/// The `key=value` format as its specification states it, written independently: every line
/// `k=v` (split at the first `=`), a key given twice is a `duplicate` error at its line.
fn kv_reference(input: &[u8]) -> harness::Expected<BTreeMap<String, String>> {
    let refuse = |kind: &str, line: usize| harness::Expected::Refuse {
        kind: kind.into(),
        position: Some(format!("line {line}")),
    };
    let Ok(text) = std::str::from_utf8(input) else {
        return harness::Expected::Refuse {
            kind: "utf8".into(),
            position: None,
        };
    };
    let mut map = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let Some((k, v)) = line.split_once('=') else {
            return refuse("syntax", i + 1);
        };
        if map.insert(k.to_string(), v.to_string()).is_some() {
            return refuse("duplicate", i + 1);
        }
    }
    harness::Expected::Accept(map)
}

impl Target for Kv {
    type Output = BTreeMap<String, String>;
    type Error = String;
    fn name(&self) -> &'static str {
        "kv"
    }
    fn parse(&self, input: &[u8]) -> Result<Self::Output, String> {
        let text = std::str::from_utf8(input).map_err(|_| "utf8".to_string())?;
        let mut map = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let (k, v) = line.split_once('=').ok_or(format!("syntax:{}", i + 1))?;
            if self.panic_on_empty_key {
                let _first = k.as_bytes()[0]; // planted: index out of bounds
            }
            if map.contains_key(k) {
                if self.keeps_duplicates {
                    continue;
                }
                return Err(format!("duplicate:{}", i + 1));
            }
            map.insert(k.to_string(), v.to_string());
        }
        Ok(map)
    }
    fn error_kind(&self, e: &String) -> String {
        e.split(':').next().unwrap().to_string()
    }
    fn error_position(&self, e: &String) -> Option<String> {
        e.split_once(':').map(|(_, l)| format!("line {l}"))
    }
}

impl Roundtrip for Kv {
    fn encode(&self, v: &Self::Output) -> Result<Vec<u8>, String> {
        let mut out = String::new();
        for (k, val) in v {
            let val = if self.lossy_encode {
                val.trim()
            } else {
                val.as_str()
            };
            let line = format!("{k}={val}\n");
            if self.reversed_encode {
                out.insert_str(0, &line);
            } else {
                out.push_str(&line);
            }
        }
        Ok(out.into_bytes())
    }
    fn same(&self, a: &Self::Output, b: &Self::Output) -> bool {
        a == b
    }
    fn reference_encode(&self, v: &Self::Output) -> Option<Vec<u8>> {
        self.with_reference.then(|| {
            v.iter()
                .map(|(k, val)| format!("{k}={val}\n"))
                .collect::<String>()
                .into_bytes()
        })
    }
}

#[test]
fn not_canonical_fires_on_an_encoder_that_differs_from_the_reference_writer() {
    let spaced = Kv {
        reversed_encode: true,
        with_reference: true,
        ..Kv::default()
    };
    // Reads back the same map, so only the reference writer shows the encoder is not canonical.
    let v = check_roundtrip(&spaced, b"a=1\nb=2\n").unwrap_err();
    assert_eq!(v.kind, ViolationKind::NotCanonical, "{v}");
    // The faithful encoder passes.
    let good = Kv {
        with_reference: true,
        ..Kv::default()
    };
    assert_eq!(
        check_roundtrip(&good, b"a=1\nb=2\n").unwrap(),
        Outcome::Accepted
    );
}

#[test]
fn the_reference_oracle_fires_where_self_checks_agree_with_the_bug() {
    // Twins two lines apart: the buggy parser keeps the first, and every check that asks the
    // parser itself (no panic, roundtrip) is satisfied.
    let input = b"a=1\nb=2\na=3\n";
    let buggy = Kv {
        keeps_duplicates: true,
        ..Kv::default()
    };
    assert!(check_roundtrip(&buggy, input).is_ok());
    let v = harness::oracle::check_expected(&buggy, input, &kv_reference(input)).unwrap_err();
    assert_eq!(v.kind, ViolationKind::WrongVerdict, "{v}");
    assert!(v.detail.contains("rejected duplicate at line 3"), "{v}");
    // The correct parser agrees with the reference, to the position.
    assert!(harness::oracle::check_expected(&Kv::default(), input, &kv_reference(input)).is_ok());
    // And an accepted value must be the reference's value, not any value.
    let ok = b"a=1\n";
    let wrong = harness::Expected::Accept(BTreeMap::from([("a".to_string(), "2".to_string())]));
    let v = harness::oracle::check_expected(&Kv::default(), ok, &wrong).unwrap_err();
    assert_eq!(v.kind, ViolationKind::WrongVerdict);
}

#[test]
fn a_panic_is_a_violation_with_its_message() {
    let buggy = Kv {
        panic_on_empty_key: true,
        ..Kv::default()
    };
    assert!(check(&buggy, b"a=1").is_ok());
    let v = check(&buggy, b"=1").unwrap_err();
    assert_eq!(v.kind, ViolationKind::Panic);
    assert!(v.detail.contains("index out of bounds"), "{}", v.detail);
}

#[test]
fn rejections_carry_kind_and_position() {
    let (outcome, value) = check(&Kv::default(), b"a=1\nnope").unwrap();
    assert!(value.is_none());
    assert_eq!(outcome.summary(), "rejected syntax at line 2");
}

#[test]
fn a_lossy_encoder_breaks_the_roundtrip() {
    assert_eq!(
        check_roundtrip(&Kv::default(), b"a= 1 \nb=2").unwrap(),
        Outcome::Accepted
    );
    let v = check_roundtrip(
        &Kv {
            lossy_encode: true,
            ..Kv::default()
        },
        b"a= 1 ",
    )
    .unwrap_err();
    assert_eq!(v.kind, ViolationKind::RoundtripMismatch);
    assert!(v.to_string().contains("input: b\"a=1\\n\""), "{v}");
}

/// The same model as `k:v` lines.
struct Colon;
impl Target for Colon {
    type Output = BTreeMap<String, String>;
    type Error = String;
    fn name(&self) -> &'static str {
        "colon"
    }
    fn parse(&self, input: &[u8]) -> Result<Self::Output, String> {
        let text = String::from_utf8_lossy(input).replace(':', "=");
        Kv::default().parse(text.as_bytes())
    }
    fn error_kind(&self, e: &String) -> String {
        Kv::default().error_kind(e)
    }
}

#[test]
fn two_formats_must_agree() {
    assert!(check_agree(&Kv::default(), b"a=1", &Colon, b"a:1").is_ok());
    assert!(check_agree(&Kv::default(), b"a", &Colon, b"a").is_ok()); // both syntax errors
    let v = check_agree(&Kv::default(), b"a=1", &Colon, b"a:2").unwrap_err();
    assert_eq!(v.kind, ViolationKind::Disagreement);
    // Lossy UTF-8 in one format and strict in the other: refused by one, accepted by the other.
    let v = check_agree(&Kv::default(), b"a=\xff", &Colon, b"a:\xff").unwrap_err();
    assert!(v.detail.contains("kv: rejected utf8"), "{}", v.detail);
}

/// A second `k=v` reader that reports syntax errors one line late: same kinds, other positions.
struct KvOffByOne;
impl Target for KvOffByOne {
    type Output = BTreeMap<String, String>;
    type Error = String;
    fn name(&self) -> &'static str {
        "kv_off_by_one"
    }
    fn parse(&self, input: &[u8]) -> Result<Self::Output, String> {
        Kv::default()
            .parse(input)
            .map_err(|e| match e.split_once(':') {
                Some((kind, line)) => format!("{kind}:{}", line.parse::<u32>().unwrap() + 1),
                None => e,
            })
    }
    fn error_kind(&self, e: &String) -> String {
        Kv::default().error_kind(e)
    }
    fn error_position(&self, e: &String) -> Option<String> {
        Kv::default().error_position(e)
    }
}

#[test]
fn two_implementations_must_agree_to_the_position() {
    assert!(check_differential(&Kv::default(), &Kv::default(), b"a=1\nb").is_ok());
    assert!(check_differential(&Kv::default(), &KvOffByOne, b"a=1\nb=2").is_ok());
    // Same kind, different line: a disagreement here, though check_agree lets it pass.
    assert!(check_agree(&Kv::default(), b"a=1\nb", &KvOffByOne, b"a=1\nb").is_ok());
    let v = check_differential(&Kv::default(), &KvOffByOne, b"a=1\nb").unwrap_err();
    assert_eq!(v.kind, ViolationKind::Disagreement);
    assert!(
        v.detail.contains("at line 2") && v.detail.contains("at line 3"),
        "{}",
        v.detail
    );
    // The same judge on a verdict the first reader already gave: as strict.
    let (outcome, value) = check(&Kv::default(), b"a=1\nb").unwrap();
    let v = check_differential_given(
        &Kv::default(),
        (&outcome, value.as_ref()),
        &KvOffByOne,
        b"a=1\nb",
    )
    .unwrap_err();
    assert_eq!(v.kind, ViolationKind::Disagreement);
    let (outcome, value) = check(&Kv::default(), b"a=1\nb=2").unwrap();
    assert!(
        check_differential_given(
            &Kv::default(),
            (&outcome, value.as_ref()),
            &KvOffByOne,
            b"a=1\nb=2"
        )
        .is_ok()
    );
}

#[test]
fn expectations_parse_and_reject_nonsense() {
    let e = Expectations::parse(
        "# header\n\nabc accepted\ndef rejected syntax at line 2  # a note\nghi crash # known\njkl rejected utf8\n",
    )
    .unwrap();
    assert_eq!(e.get("abc").unwrap().expected, Expected::Accepted);
    let def = e.get("def").unwrap();
    assert_eq!(
        def.expected,
        Expected::Rejected {
            kind: "syntax".into(),
            position: Some("line 2".into())
        }
    );
    assert_eq!((def.note.as_deref(), def.line), (Some("a note"), 4));
    assert_eq!(e.get("ghi").unwrap().expected, Expected::KnownCrash);
    assert!(
        Expectations::parse("x maybe")
            .unwrap_err()
            .contains("line 1")
    );
    assert!(
        Expectations::parse("x accepted\nx crash")
            .unwrap_err()
            .contains("two expectations")
    );
    assert!(Expectations::parse("x rejected two words").is_err());
    let line = Expectations::line(
        "abc",
        &Expected::Rejected {
            kind: "k".into(),
            position: Some("row 3".into()),
        },
        Some("why"),
    );
    assert_eq!(line, "abc rejected k at row 3  # why\n");
    assert_eq!(
        Expectations::parse(&line)
            .unwrap()
            .get("abc")
            .unwrap()
            .expected
            .to_string(),
        "rejected k at row 3"
    );
}

#[test]
fn the_judge_checks_every_case_against_its_expectation() {
    let dir = std::env::temp_dir().join(format!("harness-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let inputs: [&[u8]; 4] = [b"a=1", b"nope", b"=boom", b"b=2"];
    let names: Vec<String> = inputs.iter().map(|i| corpus::content_name(i)).collect();
    for (i, n) in inputs.iter().zip(&names) {
        std::fs::write(dir.join(n), i).unwrap();
    }
    std::fs::write(dir.join(".hidden"), b"ignored").unwrap();
    // One wrong expectation, one right, one known crash that crashes, one unexpected crash.
    let expect = format!(
        "{} rejected syntax at line 1\n{} rejected syntax at line 9\n{} crash\n",
        names[0], names[1], names[2]
    );
    let expectations = Expectations::parse(&expect).unwrap();
    let buggy = Kv {
        panic_on_empty_key: true,
        ..Kv::default()
    };
    let cases = corpus::read_cases(&dir).unwrap();
    assert_eq!(cases.len(), 4, "hidden files are skipped");
    let mut failed = Vec::new();
    for case in &cases {
        let result = check_roundtrip(&buggy, &case.bytes);
        let how = result
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        let ran = match &result {
            Ok(outcome) => corpus::Ran::Outcome(outcome),
            Err(_) => corpus::Ran::Failed(&how),
        };
        if corpus::judge(expectations.get(&case.name), ran).is_some() {
            failed.push(case.name.as_str());
        }
    }
    // a=1 (wrong expectation), nope (wrong position), =boom (crashes: still a failure).
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(!failed.contains(&names[3].as_str()));
    assert_eq!(
        corpus::content_name(b"abc"),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
}

#[test]
fn smoke_inputs_are_deterministic() {
    let seeds = vec![b"a=1\nb=2\n".to_vec()];
    let a = harness::smoke::inputs(7, 50, &seeds, harness::mutate::mutate_text);
    let b = harness::smoke::inputs(7, 50, &seeds, harness::mutate::mutate_text);
    assert_eq!(a, b);
    assert_eq!(a.len(), 50);
    assert_eq!(a[0], seeds[0]);
    assert!(a.iter().any(|i| i.len() > 100), "mutations grow inputs");
}

#[test]
fn doubling_lines_is_one_of_the_mutations() {
    let mut rng = fastrand::Rng::with_seed(1);
    let mut seen_doubled = false;
    for _ in 0..200 {
        let mut d = b"x=1\ny=2\n".to_vec();
        harness::mutate::mutate_lines(&mut d, &mut rng);
        seen_doubled |= d == b"x=1\ny=2\nx=1\ny=2\n";
    }
    assert!(seen_doubled);
}

#[test]
fn numbered_repeats_make_distinct_lines() {
    let mut rng = fastrand::Rng::with_seed(3);
    let mut d = b"head\nfeature asn u32\n".to_vec();
    harness::mutate::repeat_line_numbered(&mut d, &mut rng, b"feature ", 300);
    let text = String::from_utf8(d).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 2);
    assert_eq!(lines[2], "feature asn_0 u32");
    let unique: std::collections::HashSet<_> = lines.iter().collect();
    assert_eq!(unique.len(), lines.len());
}

#[test]
fn the_longest_number_is_doubled_in_place() {
    use harness::mutate::double_longest_number;
    assert_eq!(
        double_longest_number(b"a=7 b=1e12345 c=99").unwrap(),
        b"a=7 b=1e1234512345 c=99"
    );
    // The first of two equally long runs; a lone digit doubles too.
    assert_eq!(double_longest_number(b"12 34").unwrap(), b"1212 34");
    assert_eq!(double_longest_number(b"x5").unwrap(), b"x55");
    assert_eq!(double_longest_number(b"no digits"), None);
    assert_eq!(double_longest_number(b""), None);
}

#[test]
fn without_a_counting_allocator_the_heap_cap_is_a_no_op() {
    // This test binary installs no counting allocator: depending on the harness installs none,
    // so a binary with an allocator of its own links and runs as it is.
    assert!(!harness::alloc::enabled());
    assert_eq!(harness::alloc::allocated(), None);
    harness::alloc::enforce();
    assert!(!harness::alloc::enforced());
    let _cap = harness::alloc::limit(0);
    let v = std::hint::black_box(vec![0u8; 1 << 20]);
    assert_eq!(v.len(), 1 << 20);
}
