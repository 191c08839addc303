//! Reading a large text file in pieces: the pieces, cut at line ends, are streamed through a
//! buffer each, in parallel, and the readers built on them (Matrix Market, CSV) never hold
//! the whole text. What those readers do not take in their stride they give up on
//! ([`GiveUp`]), and read the file with their in-memory parser instead.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes read per step of a piece (the buffer grows for a longer line).
pub(crate) const BUFFER: usize = 1 << 20;

/// The longest line the streaming reader takes (the in-memory parser reads the rest).
pub(crate) const MAX_LINE: usize = 1 << 26;

/// Bytes read to find the header.
pub(crate) const HEADER_BYTES: usize = 1 << 20;

/// How a streaming reader cuts the file (tests choose the cuts and a tiny buffer).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan<'a> {
    /// Byte offsets into the entries section where pieces start (moved to the next line
    /// boundary), or `None` for one piece per rayon thread.
    pub(crate) cuts: Option<&'a [usize]>,
    /// Bytes read per step.
    pub(crate) buffer: usize,
}

/// A streaming reader's verdict on something it does not take: the caller reads the file
/// again with its in-memory parser.
pub(crate) struct GiveUp;

pub(crate) type Step<T = ()> = std::result::Result<T, GiveUp>;

impl From<std::io::Error> for GiveUp {
    fn from(_: std::io::Error) -> Self {
        GiveUp
    }
}

/// The file opened, and its first bytes up to the last line end among the first
/// [`HEADER_BYTES`] (the whole file if shorter).
pub(crate) fn head(path: &Path, len: usize) -> Step<(File, Vec<u8>)> {
    let mut file = File::open(path)?;
    let mut head = vec![0u8; len.min(HEADER_BYTES)];
    file.read_exact(&mut head)?;
    if head.len() < len {
        let end = head.iter().rposition(|&b| b == b'\n').ok_or(GiveUp)?;
        head.truncate(end + 1);
    }
    Ok((file, head))
}

/// The data section `[start, len)` of a file cut into pieces that end at line ends (the last at the
/// end of the file); empty pieces are dropped.
pub(crate) fn pieces(
    file: &mut File,
    start: usize,
    len: usize,
    plan: Plan<'_>,
) -> Step<Vec<(usize, usize)>> {
    let section = len - start;
    let cuts: Vec<usize> = match plan.cuts {
        Some(c) => c.iter().map(|&c| start.saturating_add(c)).collect(),
        None => {
            let n = rayon::current_num_threads().max(1);
            (1..n).map(|p| start + section / n * p).collect()
        }
    };
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut a = start;
    for c in cuts {
        if c <= a {
            continue;
        }
        if c >= len {
            break;
        }
        let b = line_boundary(file, c, len)?;
        if b > a {
            out.push((a, b));
            a = b;
        }
    }
    if a < len || out.is_empty() {
        out.push((a, len));
    }
    Ok(out)
}

/// The first line boundary at or after `at` (`0 < at < len`): `at` itself when the byte
/// before it ends a line, else just after the next `\n`, else `len`.
fn line_boundary(file: &mut File, at: usize, len: usize) -> Step<usize> {
    let mut pos = at - 1;
    let mut window = vec![0u8; 1 << 16];
    while pos < len {
        let n = window.len().min(len - pos);
        file.seek(SeekFrom::Start(pos as u64))?;
        file.read_exact(&mut window[..n])?;
        if let Some(k) = window[..n].iter().position(|&b| b == b'\n') {
            return Ok(pos + k + 1);
        }
        pos += n;
    }
    Ok(len)
}

/// Streams the bytes `[a, b)` of the file through a buffer, handing `region` whole lines
/// (the last region of the file may end without a line end).
pub(crate) fn stream(
    path: &Path,
    a: usize,
    b: usize,
    buffer: usize,
    mut region: impl FnMut(&[u8]) -> Step,
) -> Step {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(a as u64))?;
    let mut buf = vec![0u8; buffer.max(1).min(b - a)];
    let (mut have, mut pos) = (0usize, a);
    loop {
        let want = (b - pos).min(buf.len() - have);
        file.read_exact(&mut buf[have..have + want])?;
        pos += want;
        have += want;
        let last = pos == b;
        let cut = if last {
            have
        } else {
            match buf[..have].iter().rposition(|&b| b == b'\n') {
                Some(k) => k + 1,
                None => {
                    // A line longer than the buffer: grow it.
                    if buf.len() >= MAX_LINE {
                        return Err(GiveUp);
                    }
                    buf.resize(buf.len() * 2, 0);
                    continue;
                }
            }
        };
        region(&buf[..cut])?;
        if last {
            return Ok(());
        }
        buf.copy_within(cut..have, 0);
        have -= cut;
    }
}

/// Powers of ten that `f64` holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The same powers of ten as integers.
const POW10_INT: [u128; 23] = {
    let mut p = [1u128; 23];
    let mut k = 1;
    while k < 23 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// The value of a plain decimal (`-7.713744379386562E-1`, `12`, `0.5e3`) of at most 19
/// digits whose power of ten is within ±22, rounded as `str::parse::<f64>` rounds it
/// (correctly). Digits making an integer up to 2⁵³ take Clinger's fast path (both it and
/// the power of ten are exact `f64`s, one operation rounds); longer ones an exact 128-bit
/// product or quotient ([`quotient`]). `None` for anything else (20 digits and more, `inf`,
/// `nan`, `1.`, `.5`, ...), which `str::parse` then reads.
pub(crate) fn decimal(t: &[u8]) -> Option<f64> {
    match decimal_prefix(t) {
        Some((v, k)) if k == t.len() => Some(v),
        _ => None,
    }
}

/// [`decimal`] of the longest prefix of `t` that has the form of a number (the value and
/// the bytes it took); whether the number really ends there is the caller's to check.
pub(crate) fn decimal_prefix(t: &[u8]) -> Option<(f64, usize)> {
    let n = t.len();
    let mut i = 0;
    let neg = match t.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut m: u64 = 0;
    let start = i;
    i = digit_run(t, i, &mut m);
    let int_end = i;
    let mut exp: i64 = 0;
    if i < n && t[i] == b'.' {
        i += 1;
        let f = i;
        i = digit_run(t, i, &mut m);
        if i == f || int_end == start {
            return None;
        }
        exp = -((i - f) as i64);
    }
    let digits = i - start - usize::from(int_end != i);
    if int_end == start || digits > 19 {
        return None;
    }
    if i < n && (t[i] | 0x20) == b'e' {
        i += 1;
        let eneg = match t.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let es = i;
        let mut e: i64 = 0;
        while i < n && t[i].is_ascii_digit() && i - es < 4 {
            e = e * 10 + i64::from(t[i] - b'0');
            i += 1;
        }
        if i == es {
            return None;
        }
        exp += if eneg { -e } else { e };
    }
    if !(-22..=22).contains(&exp) {
        return None;
    }
    let v = if m <= 1 << 53 {
        let x = m as f64;
        if exp < 0 {
            x / POW10[(-exp) as usize]
        } else {
            x * POW10[exp as usize]
        }
    } else if exp >= 0 {
        // An integer of up to 19 digits times 10^exp, exact in 128 bits when it fits;
        // `u128 as f64` rounds to nearest, ties to even.
        (u128::from(m).checked_mul(POW10_INT[exp as usize])?) as f64
    } else {
        quotient(m, POW10_INT[(-exp) as usize])
    };
    Some((if neg { -v } else { v }, i))
}

/// Reads the decimal digits of `t` from `i` into `m` (`m · 10 + digit`, wrapping: the
/// caller counts the digits), eight at a time where it can; returns the position after
/// them.
#[inline]
fn digit_run(t: &[u8], mut i: usize, m: &mut u64) -> usize {
    while let Some(chunk) = t.get(i..i + 8) {
        let Some(v) = eight_digits(chunk) else { break };
        *m = m.wrapping_mul(100_000_000).wrapping_add(v);
        i += 8;
    }
    while i < t.len() && t[i].is_ascii_digit() {
        *m = m.wrapping_mul(10).wrapping_add(u64::from(t[i] - b'0'));
        i += 1;
    }
    i
}

/// The value of eight ASCII digits (the first the most significant), or `None` if any
/// byte is not a digit: SWAR, as in fast_float (the bytes read little-endian, pairs, then
/// quads, then the whole combined by multiplications that cannot carry across the lanes).
#[inline]
fn eight_digits(chunk: &[u8]) -> Option<u64> {
    let v = u64::from_le_bytes(chunk.try_into().ok()?);
    let a = v.wrapping_sub(0x3030_3030_3030_3030);
    if (v.wrapping_add(0x4646_4646_4646_4646) | a) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    let a = a.wrapping_mul(10).wrapping_add(a >> 8);
    let lo = (a & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32));
    let hi = ((a >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
    Some(lo.wrapping_add(hi) >> 32)
}

/// `m / p` rounded to the nearest `f64`, ties to even, for `2⁵³ < m < 2⁶⁴` and
/// `1 < p < 2⁷⁴` (a power of ten up to 10²²): the quotient of `m · 2ˢ` (shifted to fill 128
/// bits) by `p` has at least 54 bits, its remainder tells whether anything is left below
/// them, and those decide the rounding exactly.
fn quotient(m: u64, p: u128) -> f64 {
    debug_assert!(m > 1 << 53 && p > 1 && p < 1 << 74);
    let s = m.leading_zeros() + 64;
    let num = u128::from(m) << s;
    let (q, r) = (num / p, num % p);
    let bits = 128 - q.leading_zeros();
    let extra = bits - 53;
    let mut mant = q >> extra;
    let rest = q & ((1u128 << extra) - 1);
    let half = 1u128 << (extra - 1);
    if rest > half || (rest == half && (r != 0 || mant & 1 == 1)) {
        mant += 1;
    }
    // value = mant · 2^(extra − s); mant ≤ 2⁵³ and the exponent is above −128: normal.
    let e = extra as i32 - s as i32;
    let scale = f64::from_bits(((e + 1023) as u64) << 52);
    mant as f64 * scale
}

/// A temporary directory for the streaming readers' tests, removed on drop.
#[cfg(test)]
pub(crate) struct TestDir(pub(crate) std::path::PathBuf);

#[cfg(test)]
impl TestDir {
    /// `mlinalg-{tag}-{pid}` in the system's temporary directory, created.
    pub(crate) fn new(tag: &str) -> TestDir {
        let d = std::env::temp_dir().join(format!("mlinalg-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        TestDir(d)
    }
}

#[cfg(test)]
impl Drop for TestDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{decimal, decimal_prefix, eight_digits};

    /// `decimal` gives what `str::parse::<f64>` gives, or nothing.
    fn same_as_std(s: &str) {
        if let Some(v) = decimal(s.as_bytes()) {
            let want: f64 = s.parse().unwrap_or_else(|_| panic!("{s:?} is no f64"));
            assert_eq!(v.to_bits(), want.to_bits(), "{s:?}");
        }
    }

    #[test]
    fn eight_digits_reads_every_digit_in_every_place_and_nothing_else() {
        for v in [
            0u64, 1, 9, 10, 12_345_678, 99_999_999, 10_000_000, 90_807_060,
        ] {
            let s = format!("{v:08}");
            assert_eq!(eight_digits(s.as_bytes()), Some(v), "{s}");
        }
        for pos in 0..8 {
            for d in 0..=9u8 {
                let mut b = *b"00000000";
                b[pos] = b'0' + d;
                let want = u64::from(d) * 10u64.pow(7 - pos as u32);
                assert_eq!(eight_digits(&b), Some(want));
            }
            for bad in [
                b'/',
                b':',
                b' ',
                b'.',
                b'e',
                0x80,
                0xff,
                0,
                b'0' + 128,
                b'9' + 128,
            ] {
                let mut b = *b"12345678";
                b[pos] = bad;
                assert_eq!(eight_digits(&b), None, "{bad:#x} at {pos}");
            }
        }
        assert_eq!(eight_digits(b"1234567"), None);
        // a prefix stops where the number's form stops
        assert_eq!(decimal_prefix(b"1.5 2"), Some((1.5, 3)));
        assert_eq!(
            decimal_prefix(b"-7.713744379386562E-1\n"),
            Some((-0.7713744379386562, 21))
        );
        assert_eq!(decimal_prefix(b"1e5e"), Some((1e5, 3)));
        assert_eq!(decimal_prefix(b"inf"), None);
    }

    #[test]
    fn decimal_takes_plain_numbers_and_leaves_the_rest() {
        for s in [
            "0",
            "-0",
            "+0",
            "12",
            "-7.713744379386562E-1",
            "1.5",
            "2e-3",
            "2E+22",
            "1e23",
            "9007199254740992",
            "0.1e-22",
            "1e-22",
            "123456789e22",
        ] {
            same_as_std(s);
        }
        assert_eq!(decimal(b"-7.713744379386562E-1"), Some(-0.7713744379386562));
        // long mantissas: exact products and quotients, ties to even
        for s in [
            "9007199254740993",
            "9007199254740995",
            "45035996273704965e-1",
            "45035996273704975e-1",
            "18014398509481985e-0",
            "1.6866042210933962E-1",
            "9999999999999999999",
            "9999999999999999999e-22",
            "9999999999999999999e3",
            "1000000000000000001e-18",
            "0.1000000000000000055511151231257827",
            "1234567890123456789e22",
        ] {
            same_as_std(s);
            assert!(decimal(s.as_bytes()).is_some() || s.len() > 21, "{s:?}");
        }
        assert_eq!(decimal(b"45035996273704965e-1"), Some(4503599627370496.0));
        assert_eq!(decimal(b"45035996273704975e-1"), Some(4503599627370498.0));
        assert_eq!(decimal(b"-0").map(f64::to_bits), Some((-0.0f64).to_bits()));
        for s in [
            "",
            "-",
            "+",
            ".",
            "1.",
            ".5",
            "e5",
            "1e",
            "1e+",
            "inf",
            "-inf",
            "NaN",
            "1x",
            "1.5.",
            "1e5e",
            "--1",
            "1e23",
            "12345678901234567890",
            "1 ",
            "0x10",
            "1_0",
            "1e99999",
        ] {
            assert_eq!(decimal(s.as_bytes()), None, "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn decimal_agrees_with_std(
            m in 0u64..(1 << 60),
            point in 0usize..21,
            e in -40i32..40,
            neg in any::<bool>(),
            style in 0u8..4,
        ) {
            let digits = m.to_string();
            let p = point.min(digits.len());
            let mut s = String::new();
            if neg {
                s.push('-');
            }
            s.push_str(&digits[..p.max(1).min(digits.len())]);
            if p.max(1) < digits.len() {
                s.push('.');
                s.push_str(&digits[p.max(1)..]);
            }
            match style {
                0 => {}
                1 => s.push_str(&format!("e{e}")),
                2 => s.push_str(&format!("E{e:+}")),
                _ => s.push_str(&format!("e{:03}", e.abs())),
            }
            same_as_std(&s);
        }

        #[test]
        fn decimal_agrees_with_std_on_long_mantissas(
            m in (1u64 << 53)..10_000_000_000_000_000_000,
            e in -25i32..25,
            neg in any::<bool>(),
        ) {
            let s = format!("{}{m}e{e}", if neg { "-" } else { "" });
            same_as_std(&s);
            prop_assert!((-22..=22).contains(&e) == decimal(s.as_bytes()).is_some() || e >= 0);
            // and halfway cases: m·10 + 5 over a power of ten
            if let Some(h) = m.checked_mul(10).and_then(|x| x.checked_add(5)) {
                same_as_std(&format!("{h}e{}", e.min(0)));
            }
        }

        /// Exact midpoints between neighbouring doubles: n + 1/2 in [2⁵², 2⁵³) (spacing 1)
        /// and a/2 + 1/4 in [2⁵¹, 2⁵²) (spacing 1/2), which round to the even neighbour.
        #[test]
        fn decimal_rounds_ties_to_even(n in (1u64 << 52)..(1u64 << 53)) {
            let a = format!("{}e-1", 10 * n + 5);
            let want = if n % 2 == 0 { n as f64 } else { (n + 1) as f64 };
            prop_assert_eq!(decimal(a.as_bytes()), Some(want));
            same_as_std(&a);
            let b = format!("{}e-2", 50 * n + 25);
            same_as_std(&b);
            prop_assert!(decimal(b.as_bytes()).is_some());
        }

        #[test]
        fn decimal_reads_every_shortest_f64(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            if x.is_finite() {
                for s in [format!("{x}"), format!("{x:e}"), format!("{x:.16E}")] {
                    same_as_std(&s);
                }
            }
        }
    }
}
