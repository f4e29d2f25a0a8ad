//! Mutations that config parsers break on, usable from `fuzz_mutator!` for any target: repeat,
//! drop and swap lines (the 18 Nov 2025 file was every row twice), repeat a span many times
//! (nesting openers, signs), push decimal numbers to type boundaries, and inflate binary length
//! prefixes and varints to their maximum.

use fastrand::Rng;

/// Boundary numbers worth trying wherever a decimal number appears.
const BOUNDARIES: &[&str] = &[
    "0",
    "-1",
    "1",
    "127",
    "128",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "1e39",
    "-0.0",
    "3.4028235e38",
    "1e309",
    "199",
    "200",
    "201",
    "4096",
    "4097",
    "64",
    "65",
];

/// The spans of `data`'s lines, each with its `\n`. Mutated inputs run to tens of KiB, and this
/// runs on every line mutation: memchr finds the line ends a word at a time (a byte loop showed
/// in the profile of a `parse_text` fuzz run).
fn lines(data: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::with_capacity(memchr::memchr_iter(b'\n', data).count().saturating_add(1));
    let mut start = 0usize;
    for i in memchr::memchr_iter(b'\n', data) {
        spans.push((start, i.saturating_add(1)));
        start = i.saturating_add(1);
    }
    if start < data.len() {
        spans.push((start, data.len()));
    }
    spans
}

/// A count from 1 to `max`, log-uniform: a power of two up to `max` picked evenly, then a count
/// within its octave. Each octave (1, 2–3, 4–7, …, up to `max`) is as likely as any other, so a
/// repeat a few hundred long still comes once in every nine or ten picks, while the mean input a
/// mutation makes stays short — the fuzzer runs every mutant, and a uniform count made the
/// average mutant hundreds of bytes longer than the input it came from.
pub fn log_count(rng: &mut Rng, max: usize) -> usize {
    let max = max.max(1);
    let octaves = usize::BITS.saturating_sub(max.leading_zeros());
    let low = 1usize << rng.u32(..octaves);
    rng.usize(low..=low.saturating_mul(2).saturating_sub(1).min(max))
}

/// The most copies of `piece` one mutation inserts into `data`, given `max`: no more bytes than
/// `data` holds already (or [`MIN_GROWTH`]), so an input at most doubles per mutation. Deep
/// nesting and long runs then come in a few generations — each kept for the coverage or the
/// stack depth it adds — rather than in one jump to kilobytes that every later mutation of it
/// pays to parse.
fn growth_cap(data: &[u8], piece: usize, max: usize) -> usize {
    let room = data.len().max(MIN_GROWTH);
    max.min(room.checked_div(piece).unwrap_or(max)).max(1)
}

/// The growth a mutation may add to a short input (see [`growth_cap`]).
const MIN_GROWTH: usize = 64;

fn span(data: &[u8], (a, b): (usize, usize)) -> Vec<u8> {
    let mut line = data.get(a..b).unwrap_or_default().to_vec();
    if line.last() != Some(&b'\n') {
        line.push(b'\n');
    }
    line
}

/// Inserts `bytes` at `at` (clamped to the end) by copying slices: `Vec::splice` moves the tail
/// through an iterator, byte by byte, and in an instrumented build every byte of it is traced.
fn insert_at(data: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    let tail = data.split_off(at.min(data.len()));
    data.reserve(bytes.len().saturating_add(tail.len()));
    data.extend_from_slice(bytes);
    data.extend_from_slice(&tail);
}

/// Line-level mutations: append every line again (the doubled file), repeat one line up to 256
/// times, duplicate, drop or swap lines.
pub fn mutate_lines(data: &mut Vec<u8>, rng: &mut Rng) {
    let spans = lines(data);
    if spans.is_empty() {
        return;
    }
    let pick = |rng: &mut Rng| {
        spans
            .get(rng.usize(..spans.len()))
            .copied()
            .unwrap_or((0, 0))
    };
    match rng.u8(..5) {
        0 => {
            let copy = data.clone();
            if data.last() != Some(&b'\n') {
                data.push(b'\n');
            }
            data.extend_from_slice(&copy);
        }
        1 => {
            let s = pick(rng);
            let line = span(data, s);
            let times = log_count(rng, growth_cap(data, line.len(), 256));
            let at = s.1.min(data.len());
            // `repeat` copies by doubling (memcpy); a byte iterator here showed in the hunt's
            // profile, every byte a traced comparison in an instrumented build.
            insert_at(data, at, &line.repeat(times));
        }
        2 => {
            let s = pick(rng);
            let line = span(data, s);
            let at = pick(rng).0.min(data.len());
            insert_at(data, at, &line);
        }
        3 => {
            let (a, b) = pick(rng);
            if b <= data.len() && a <= b {
                data.drain(a..b);
            }
        }
        _ => {
            let (x, y) = (pick(rng), pick(rng));
            let (first, second) = if x.0 <= y.0 { (x, y) } else { (y, x) };
            if first.1 <= second.0 {
                let mut out = data.get(..first.0).unwrap_or_default().to_vec();
                out.extend(span(data, second));
                out.extend_from_slice(data.get(first.1..second.0).unwrap_or_default());
                out.extend(span(data, first));
                out.extend_from_slice(data.get(second.1..).unwrap_or_default());
                *data = out;
            }
        }
    }
}

/// Picks a line containing `marker` and inserts up to `max_times` copies of it after itself, each
/// with `_K` appended to the token that follows `marker`: distinct keys, rows or features, so a
/// count limit is reached without tripping a duplicate check first.
pub fn repeat_line_numbered(data: &mut Vec<u8>, rng: &mut Rng, marker: &[u8], max_times: usize) {
    let candidates: Vec<(usize, usize)> = lines(data)
        .into_iter()
        .filter(|&(a, b)| {
            data.get(a..b)
                .is_some_and(|l| l.windows(marker.len().max(1)).any(|w| w == marker))
        })
        .collect();
    let Some(&(a, b)) = candidates.get(rng.usize(..candidates.len().max(1))) else {
        return;
    };
    let line = span(data, (a, b));
    let Some(at) = line.windows(marker.len().max(1)).position(|w| w == marker) else {
        return;
    };
    let token_start = at.saturating_add(marker.len());
    let token_end = line
        .iter()
        .enumerate()
        .skip(token_start)
        .find(|(_, c)| matches!(c, b' ' | b'\t' | b'"' | b'\n' | b'\r' | b',' | b'='))
        .map_or(line.len(), |(i, _)| i);
    let mut copies = Vec::new();
    for k in 0..rng.usize(1..=max_times.max(1)) {
        copies.extend_from_slice(line.get(..token_end).unwrap_or_default());
        copies.extend_from_slice(format!("_{k}").as_bytes());
        copies.extend_from_slice(line.get(token_end..).unwrap_or_default());
    }
    let end = b.min(data.len());
    if data.get(end.saturating_sub(1)) != Some(&b'\n') {
        data.insert(end, b'\n');
        insert_at(data, end.saturating_add(1), &copies);
    } else {
        insert_at(data, end, &copies);
    }
}

/// Repeats a short span (1 to 8 bytes) in place up to `max_times` times: nesting openers, signs,
/// quotes, anchors.
pub fn repeat_span(data: &mut Vec<u8>, rng: &mut Rng, max_times: usize) {
    if data.is_empty() {
        return;
    }
    let start = rng.usize(..data.len());
    let len = rng
        .usize(1..=8)
        .min(data.len().saturating_sub(start))
        .max(1);
    let piece = data
        .get(start..start.saturating_add(len))
        .unwrap_or_default()
        .to_vec();
    let times = log_count(rng, growth_cap(data, piece.len(), max_times));
    insert_at(data, start, &piece.repeat(times));
}

/// Balanced nesting: picks an opener present in the input (`[`, `{`, `(`, `<`) and inserts
/// `depth` openers followed by as many closers, up to `max_depth` deep.
pub fn balanced_nesting(data: &mut Vec<u8>, rng: &mut Rng, max_depth: usize) {
    const PAIRS: [(u8, u8); 4] = [(b'[', b']'), (b'{', b'}'), (b'(', b')'), (b'<', b'>')];
    let present: Vec<(u8, u8)> = PAIRS
        .into_iter()
        .filter(|(o, _)| data.contains(o))
        .collect();
    let Some(&(open, close)) = present
        .get(rng.usize(..present.len().max(1)))
        .or(PAIRS.first())
    else {
        return;
    };
    let depth = log_count(rng, growth_cap(data, 2, max_depth));
    let at = data.iter().position(|&b| b == open).unwrap_or(data.len());
    let mut nest = vec![open; depth];
    nest.extend(std::iter::repeat_n(close, depth));
    insert_at(data, at, &nest);
}

/// One random mutation for nested config formats (JSON, YAML flow style, TOML arrays): balanced
/// nesting, long repeats of a short span, line mutations.
pub fn mutate_nested(data: &mut Vec<u8>, rng: &mut Rng) {
    match rng.u8(..4) {
        0 => balanced_nesting(data, rng, 512),
        1 => repeat_span(data, rng, 1024),
        2 => inflate_length(data, rng),
        _ => mutate_text(data, rng),
    }
}

/// Replaces one decimal number (a run of ASCII digits, with its `-`) by a type boundary.
pub fn boundary_number(data: &mut Vec<u8>, rng: &mut Rng) {
    let runs: Vec<(usize, usize)> = {
        let mut runs = Vec::new();
        let mut i = 0usize;
        while i < data.len() {
            if data.get(i).is_some_and(u8::is_ascii_digit) {
                let start = if i > 0 && data.get(i.saturating_sub(1)) == Some(&b'-') {
                    i.saturating_sub(1)
                } else {
                    i
                };
                let mut end = i;
                while data
                    .get(end)
                    .is_some_and(|b| b.is_ascii_digit() || *b == b'.' || *b == b'e')
                {
                    end = end.saturating_add(1);
                }
                runs.push((start, end));
                i = end;
            } else {
                i = i.saturating_add(1);
            }
        }
        runs
    };
    if let (Some(&(a, b)), Some(value)) = (
        runs.get(rng.usize(..runs.len().max(1))),
        BOUNDARIES.get(rng.usize(..BOUNDARIES.len())),
    ) {
        data.splice(a..b, value.bytes());
    }
}

/// `data` with its longest run of ASCII digits written twice over (`x=1e12` -> `x=1e1212`): the
/// number squared in size, for telling a slow input from one whose time depends on a number it
/// takes on trust. `None` when there is no digit.
pub fn double_longest_number(data: &[u8]) -> Option<Vec<u8>> {
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0usize;
    while i < data.len() {
        let run = data.get(i..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        });
        if run > best.map_or(0, |(_, len)| len) {
            best = Some((i, run));
        }
        i = i.saturating_add(run.max(1));
    }
    let (start, len) = best?;
    let end = start.checked_add(len)?;
    let mut out = Vec::with_capacity(data.len().saturating_add(len));
    out.extend_from_slice(data.get(..end)?);
    out.extend_from_slice(data.get(start..end)?);
    out.extend_from_slice(data.get(end..)?);
    Some(out)
}

/// Overwrites the bytes at a random offset with a maximal length prefix: a bincode varint
/// claiming `u64::MAX` (`0xFD` + 8 × `0xFF`), a `u32::MAX`, or a `u64::MAX` little-endian.
pub fn inflate_length(data: &mut Vec<u8>, rng: &mut Rng) {
    if data.is_empty() {
        return;
    }
    let at = rng.usize(..data.len());
    let claim: &[u8] = match rng.u8(..4) {
        0 => &[0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        1 => &[0xFC, 0xFF, 0xFF, 0xFF, 0xFF],
        2 => &[0xFF, 0xFF, 0xFF, 0xFF],
        _ => &[0xFB, 0xFF, 0xFF],
    };
    let end = at.saturating_add(claim.len()).min(data.len());
    data.splice(at..end, claim.iter().copied());
}

/// One random mutation among the above, for text formats.
pub fn mutate_text(data: &mut Vec<u8>, rng: &mut Rng) {
    match rng.u8(..4) {
        0 | 1 => mutate_lines(data, rng),
        2 => boundary_number(data, rng),
        _ => repeat_span(data, rng, 512),
    }
}

/// A repair applied after every mutation (a CRC, a length prefix).
pub type Fix<'a> = &'a mut dyn FnMut(&mut Vec<u8>);

/// Adapts a domain mutation to libFuzzer's custom mutator: half the time libFuzzer's own
/// mutation (`libfuzzer_mutate`, i.e. `libfuzzer_sys::fuzzer_mutate`), otherwise `domain`; then
/// `fix`, if any (a CRC or a length to repair, say). Returns the new size, at most `max_size`.
pub fn custom_mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    libfuzzer_mutate: impl FnOnce(&mut [u8], usize, usize) -> usize,
    domain: impl FnOnce(&mut Vec<u8>, &mut Rng),
    fix: Option<Fix<'_>>,
) -> usize {
    let mut rng = Rng::with_seed(u64::from(seed));
    let limit = max_size.min(data.len());
    if rng.bool() {
        let size = libfuzzer_mutate(data, size, max_size);
        let Some(fix) = fix else { return size };
        let mut buf = data.get(..size.min(limit)).unwrap_or_default().to_vec();
        fix(&mut buf);
        return write_back(data, buf, limit);
    }
    own_mutate(data, size, max_size, &mut rng, domain, fix)
}

/// The harness's own half of [`custom_mutate`]: `domain`'s mutation of the input in place (its
/// first `size` bytes), cut to `max_size`, then `fix` if any; returns the new size.
pub fn own_mutate(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    rng: &mut Rng,
    domain: impl FnOnce(&mut Vec<u8>, &mut Rng),
    fix: Option<Fix<'_>>,
) -> usize {
    let limit = max_size.min(data.len());
    let mut buf = data.get(..size.min(limit)).unwrap_or_default().to_vec();
    domain(&mut buf, rng);
    if let Some(fix) = fix {
        fix(&mut buf);
    }
    write_back(data, buf, limit)
}

fn write_back(data: &mut [u8], mut buf: Vec<u8>, limit: usize) -> usize {
    buf.truncate(limit);
    if let Some(dst) = data.get_mut(..buf.len()) {
        dst.copy_from_slice(&buf);
    }
    buf.len()
}
