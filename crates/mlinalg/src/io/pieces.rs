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

/// The positions of the `\n` bytes of `text`, in order: what `memchr::memchr_iter` gives,
/// from one 64-bit mask per 64 bytes instead of one search per line (lines of a few dozen
/// bytes make a search per line cost more than the scan).
pub(crate) fn newlines(text: &[u8]) -> Newlines<'_> {
    Newlines {
        text,
        base: 0,
        next: 0,
        mask: 0,
    }
}

/// The iterator of [`newlines`].
pub(crate) struct Newlines<'a> {
    text: &'a [u8],
    /// Where the block of `mask` starts.
    base: usize,
    /// Where the next block starts.
    next: usize,
    /// The newlines of the current block not yet given, bit `k` for byte `base + k`.
    mask: u64,
}

impl Iterator for Newlines<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.next >= self.text.len() {
                return None;
            }
            let end = (self.next + 64).min(self.text.len());
            self.mask = newline_mask(&self.text[self.next..end]);
            self.base = self.next;
            self.next = end;
        }
        let k = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + k)
    }
}

/// Bit `k` set where `block[k]` is `\n` (`block` at most 64 bytes).
#[inline]
fn newline_mask(block: &[u8]) -> u64 {
    debug_assert!(block.len() <= 64);
    #[cfg(target_arch = "x86_64")]
    if block.len() == 64 {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        };
        let mut mask = 0u64;
        for q in 0..4 {
            // SAFETY: SSE2 is part of x86-64; the 16 bytes read, `block[16q..16q + 16]`, lie
            // inside the 64-byte block, and `loadu` takes any alignment.
            let bits = unsafe {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * q).cast());
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)))
            };
            mask |= u64::from(bits as u16) << (16 * q);
        }
        return mask;
    }
    block
        .iter()
        .enumerate()
        .fold(0u64, |m, (k, &b)| m | (u64::from(b == b'\n') << k))
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
/// (correctly). A negative power of ten takes Eisel–Lemire's quotient
/// ([`over_power_of_ten`]: two multiplications, no division); otherwise digits making an
/// integer up to 2⁵³ take Clinger's fast path (both it and the power of ten are exact
/// `f64`s, one operation rounds) and longer ones an exact 128-bit product. `None` for
/// anything else (20 digits and more, `inf`, `nan`, `1.`, `.5`, ...), which `str::parse`
/// then reads.
pub(crate) fn decimal(t: &[u8]) -> Option<f64> {
    match decimal_prefix(t) {
        Some((v, k)) if k == t.len() => Some(v),
        _ => None,
    }
}

/// [`decimal`] of the longest prefix of `t` that has the form of a number (the value and
/// the bytes it took); whether the number really ends there is the caller's to check.
#[inline(always)]
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
    if !(-(RECIP5.len() as i64 - 1)..=22).contains(&exp) {
        return None;
    }
    let v = if m == 0 {
        0.0
    } else if exp < 0 {
        over_power_of_ten(m, (-exp) as usize)
    } else if m <= 1 << 53 {
        m as f64 * POW10[exp as usize]
    } else {
        // An integer of up to 19 digits times 10^exp, exact in 128 bits when it fits;
        // `u128 as f64` rounds to nearest, ties to even.
        (u128::from(m).checked_mul(POW10_INT[exp as usize])?) as f64
    };
    Some((if neg { -v } else { v }, i))
}

/// Reads the decimal digits of `t` from `i` into `m` (`m · 10 + digit`, wrapping: the
/// caller counts the digits), eight bytes at a time where it can; returns the position
/// after them.
#[inline]
fn digit_run(t: &[u8], mut i: usize, m: &mut u64) -> usize {
    while let Some(chunk) = t.get(i..i + 8) {
        let (n, v) = leading_digits(chunk);
        *m = m.wrapping_mul(POW10_U64[n]).wrapping_add(v);
        i += n;
        if n < 8 {
            return i;
        }
    }
    while i < t.len() && t[i].is_ascii_digit() {
        *m = m.wrapping_mul(10).wrapping_add(u64::from(t[i] - b'0'));
        i += 1;
    }
    i
}

/// `10ⁿ` for the digit counts of [`leading_digits`].
const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// How many of the eight bytes of `chunk` are digits before the first that is not (0 to
/// 8), and their value: SWAR, as in fast_float. The test below
/// flags a byte's top bit when it is not `'0'..='9'`; a flag can spill into the bytes
/// above a non-digit (a borrow or a carry), never below it, so the lowest flag is the first
/// non-digit. The digits before it, moved to the top of the word, read as an eight-digit
/// number with leading zeros.
#[inline]
pub(crate) fn leading_digits(chunk: &[u8]) -> (usize, u64) {
    let v = u64::from_le_bytes(chunk[..8].try_into().expect("eight bytes"));
    let a = v.wrapping_sub(0x3030_3030_3030_3030);
    let flags = (v.wrapping_add(0x4646_4646_4646_4646) | a) & 0x8080_8080_8080_8080;
    let n = (flags.trailing_zeros() / 8) as usize;
    match n {
        0 => (0, 0),
        8 => (8, swar_value(a)),
        _ => (n, swar_value(a << (8 * (8 - n)))),
    }
}

/// The value of eight digits given as their byte values `0..=9`, the first the least
/// significant byte and the most significant digit.
#[inline]
fn swar_value(a: u64) -> u64 {
    let a = a.wrapping_mul(10).wrapping_add(a >> 8);
    let lo = (a & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32));
    let hi = ((a >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
    lo.wrapping_add(hi) >> 32
}

/// The value of eight ASCII digits (the first the most significant), or `None` if any
/// byte is not a digit.
#[cfg(test)]
fn eight_digits(chunk: &[u8]) -> Option<u64> {
    if chunk.len() != 8 {
        return None;
    }
    match leading_digits(chunk) {
        (8, v) => Some(v),
        _ => None,
    }
}

/// `⌊2ᵇ / 5ᵏ⌋ + 1` for `b = 127 + ⌈log₂ 5ᵏ⌉` (so that it has exactly 128 bits), `k` in
/// 1..=27: 5⁻ᵏ rounded up to 128 significant bits, the table of Eisel–Lemire's algorithm
/// (fast_float's and the standard library's, from which these entries are the ones for
/// 10⁻²⁷..10⁻¹, where its product is always decisive), computed here by long division
/// instead of committed as constants.
const RECIP5: [u128; 28] = {
    let mut t = [0u128; 28];
    let mut k = 1;
    while k < 28 {
        let p = 5u128.pow(k as u32);
        let z = 128 - (p - 1).leading_zeros();
        // floor(2^(127 + z) / p) bit by bit; the quotient has 128 bits, so nothing of it
        // is shifted out at the top.
        let (mut q, mut r) = (0u128, 1u128);
        let mut bit = 0;
        while bit < 127 + z {
            r <<= 1;
            q <<= 1;
            if r >= p {
                r -= p;
                q |= 1;
            }
            bit += 1;
        }
        t[k] = q + 1;
        k += 1;
    }
    t
};

/// `m / 10ᵏ` rounded to the nearest `f64`, ties to even, for `0 < m < 2⁶⁴` and
/// `1 ≤ k ≤ 27`: Eisel–Lemire (Lemire, "Number parsing at a gigabyte per second", 2021),
/// as `core`'s `dec2flt::lemire::compute_float`. For powers of ten from 10⁻²⁷ up its
/// 128-bit product never leaves the result undecided, and no such quotient is subnormal
/// or infinite, so it always answers here.
fn over_power_of_ten(m: u64, k: usize) -> f64 {
    debug_assert!(m > 0 && (1..RECIP5.len()).contains(&k));
    const SIG: i32 = 52;
    let q = -(k as i32);
    let lz = m.leading_zeros();
    let w = m << lz;
    let c = RECIP5[k];
    let (c_hi, c_lo) = ((c >> 64) as u64, c as u64);
    // The high 64 bits of w · c's top word, corrected by w · c's low word where the bits
    // that decide the rounding are all ones.
    let mask = u64::MAX >> (SIG + 3);
    let first = u128::from(w) * u128::from(c_hi);
    let (mut lo, mut hi) = (first as u64, (first >> 64) as u64);
    if hi & mask == mask {
        let second = ((u128::from(w) * u128::from(c_lo)) >> 64) as u64;
        lo = lo.wrapping_add(second);
        if second > lo {
            hi += 1;
        }
    }
    let upper = (hi >> 63) as i32;
    let shift = upper + 64 - SIG - 3;
    let mut mant = hi >> shift;
    // ⌊log₂ 10^q⌋ + 63 from q · log₂ 10 in 16.16 fixed point; 1023 the exponent bias.
    let mut e2 = ((q.wrapping_mul(152_170 + 65_536) >> 16) + 63) + upper - lz as i32 + 1023;
    // An exact halfway product (possible from 10⁻⁴ up) rounds to even.
    if lo <= 1 && q >= -4 && mant & 3 == 1 && (mant << shift) == hi {
        mant &= !1;
    }
    mant += mant & 1;
    mant >>= 1;
    if mant >= 2 << SIG {
        mant = 1 << SIG;
        e2 += 1;
    }
    mant &= !(1 << SIG);
    debug_assert!(e2 > 0 && e2 < 0x7FF);
    f64::from_bits(mant | ((e2 as u64) << SIG))
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

    use super::{decimal, decimal_prefix, eight_digits, over_power_of_ten};

    /// A xorshift64 stream: reproducible pseudo-random words for the exhaustive tests.
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

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

    /// Eisel–Lemire against `str::parse` for every power of ten it serves, on mantissas
    /// at the ends of its range, pseudo-random ones, and quotients that are exact halfway
    /// points between two doubles (`(2n + 1) · 2^(j−1)` over `10ᵏ` with a `5ᵏ` factor).
    #[test]
    fn over_power_of_ten_rounds_as_std() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15u64);
        for k in 1..=27usize {
            let mut ms = vec![
                (1u64 << 53) + 1,
                u64::MAX,
                9_999_999_999_999_999_999,
                1 << 63,
            ];
            for _ in 0..20_000 {
                let m = next() >> (next() % 11);
                if m > 1 << 53 {
                    ms.push(m);
                }
            }
            // m = odd · 5ᵏ · 2ʲ with the odd part of 54 bits: m / 10ᵏ = odd · 2^(j−k), a
            // 54-bit integer times a power of two, halfway between two doubles.
            let p5 = 5u64.pow(k as u32);
            for _ in 0..2_000 {
                let odd = (next() >> 10) | (1 << 53) | 1;
                if let Some(m) = odd.checked_mul(p5) {
                    for j in 0..8 {
                        if let Some(mj) = m.checked_mul(1 << j) {
                            ms.push(mj);
                        }
                    }
                }
            }
            for m in ms {
                let s = format!("{m}e-{k}");
                let want: f64 = s.parse().unwrap();
                assert_eq!(over_power_of_ten(m, k).to_bits(), want.to_bits(), "{s}");
                if m < 10u64.pow(19) {
                    // (`decimal` takes up to 19 digits.)
                    let got = decimal(s.as_bytes()).map(f64::to_bits);
                    assert_eq!(got, Some(want.to_bits()), "{s}");
                }
            }
        }
    }

    /// The newlines of texts of every length up to three blocks, with newlines anywhere
    /// (none, all, every other byte, runs at the block edges), equal `memchr_iter`'s.
    #[test]
    fn newlines_equal_memchr() {
        let mut next = xorshift(0x1234_5678_9ABC_DEF1u64);
        for len in 0..200usize {
            for density in [0u64, 1, 4, 16, 64] {
                let text: Vec<u8> = (0..len)
                    .map(|_| match density {
                        0 => b'a',
                        64 => b'\n',
                        d => {
                            if next().is_multiple_of(d) {
                                b'\n'
                            } else {
                                (next() % 256) as u8
                            }
                        }
                    })
                    .collect();
                let got: Vec<usize> = super::newlines(&text).collect();
                let want: Vec<usize> = memchr::memchr_iter(b'\n', &text).collect();
                assert_eq!(got, want, "{len} {density}");
            }
        }
    }

    /// The digits before the first non-digit, whatever that byte is and whatever follows
    /// it (bytes that borrow or carry into their neighbours included).
    #[test]
    fn leading_digits_stops_at_the_first_non_digit() {
        let mut next = xorshift(0x2545_F491_4F6C_DD1Du64);
        for n in 0..=8usize {
            for stop in 0..=255u8 {
                if stop.is_ascii_digit() {
                    continue;
                }
                for _ in 0..20 {
                    let mut b = next().to_le_bytes();
                    let mut want = 0u64;
                    for d in b.iter_mut().take(n) {
                        *d = b'0' + (next() % 10) as u8;
                        want = want * 10 + u64::from(*d - b'0');
                    }
                    if n < 8 {
                        b[n] = stop;
                    }
                    assert_eq!(super::leading_digits(&b), (n, want), "{b:?}");
                }
            }
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
            e in -30i32..25,
            neg in any::<bool>(),
        ) {
            let s = format!("{}{m}e{e}", if neg { "-" } else { "" });
            same_as_std(&s);
            prop_assert!((-27..=22).contains(&e) == decimal(s.as_bytes()).is_some() || e >= 0);
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
