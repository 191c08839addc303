//! The reader of large coordinate files: the file is read twice in pieces, never held whole.
//!
//! 1. The header is parsed from the file's first bytes ([`super::parse_header`]).
//! 2. The entries section is cut at line boundaries into one piece per rayon thread.
//! 3. **Counting pass**: each piece streams its bytes through a buffer of [`BUFFER`] bytes
//!    and counts its entries per row (mirrors of symmetric entries included).
//! 4. The row pointers follow; each piece owns, within every row, the slots after those of
//!    the pieces before it, so the entries of a row stay in file order.
//! 5. **Filling pass**: each piece parses its entries again, values included, and writes each
//!    into its next slot of its row, straight into the CSR arrays.
//! 6. Rows are sorted by column and duplicates summed ([`CsrMatrix::from_filled_rows`]), in
//!    file order: the result is bit for bit that of the in-memory parser.
//!
//! Peak memory is the CSR result plus, per row and piece, a 32-bit count and a range of two
//! slot numbers, and one buffer per piece: no copy of the text, no triplets.
//!
//! Only plain files take this path. Everything it does not take in its stride — an entry it
//! cannot parse, an index out of range, a count that differs from the size line, a line
//! with a byte it does not expect (a form feed, a lone carriage return, a sign before an
//! index), text that is not UTF-8, a file that changes between the passes, an I/O error —
//! makes it give up (`None`), and the caller reads the file with the in-memory parser,
//! which reports the first problem by entry and line exactly.

use std::path::Path;

use rayon::prelude::*;

use super::{MtxField, parse_header, parse_value};
pub(crate) use crate::io::pieces::{BUFFER, Plan};
use crate::io::pieces::{GiveUp, Step, decimal_prefix, head, leading_digits, pieces, stream};
use crate::sparse::CsrMatrix;

/// Reads the coordinate file at `path` (`len` bytes) in pieces, or `None` when the
/// in-memory parser must read it (see the module documentation).
pub(crate) fn read(path: &Path, len: u64, plan: Plan<'_>) -> Option<(CsrMatrix, MtxField)> {
    read_inner(path, len, plan).ok()
}

fn read_inner(path: &Path, len: u64, plan: Plan<'_>) -> Step<(CsrMatrix, MtxField)> {
    let len = usize::try_from(len).map_err(|_| GiveUp)?;
    let (mut file, head) = head(path, len)?;
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let text = std::str::from_utf8(&head[bom..]).map_err(|_| GiveUp)?;
    let header = parse_header(text, path).map_err(|_| GiveUp)?;
    if header.banner.array {
        return Err(GiveUp);
    }
    let shape = Shape {
        nrows: header.nrows,
        ncols: header.ncols,
        symmetric: header.banner.symmetric,
        field: header.banner.field,
    };
    let start = bom + header.section;
    drop(head);

    let pieces = pieces(&mut file, start, len, plan)?;
    let np = pieces.len();
    let nrows = shape.nrows;
    let counters = np.checked_mul(nrows).ok_or(GiveUp)?;
    // Per row: its pointer (8 bytes) and per piece a count and a range (20 bytes). A file
    // whose rows outnumber its bytes (a size line of 10⁸ rows over a few entries) would
    // spend more on those than on its entries: the in-memory parser reads it.
    let per_rows = (nrows as u64)
        .saturating_mul(8)
        .saturating_add((counters as u64).saturating_mul(20));
    if per_rows > ((len - start) as u64).max(64 << 20) {
        return Err(GiveUp);
    }
    check_memory(per_rows)?;

    // Counting pass: entries per piece and row.
    let mut counts = vec![0u32; counters];
    let entries: Vec<Step<usize>> = if nrows == 0 {
        // No row can hold an entry: the in-memory parser says which entry is out of range.
        pieces.iter().map(|_| Err(GiveUp)).collect()
    } else {
        pieces
            .par_iter()
            .zip(counts.par_chunks_mut(nrows))
            .map(|(&(a, b), counts)| count_piece(path, a, b, plan.buffer, &shape, counts))
            .collect()
    };
    let mut total = 0usize;
    for e in entries {
        total += e?;
    }
    if total != header.nnz {
        return Err(GiveUp);
    }

    // Row pointers, and per piece and row its range of slots: `[next, end)` in the whole
    // arrays (one lookup per entry), the next slot moving up as the piece fills the range.
    // The pieces' ranges of a row follow each other in file order.
    let mut indptr = vec![0usize; nrows + 1];
    let mut ranges = vec![[0usize; 2]; counters];
    let mut at = 0usize;
    for r in 0..nrows {
        for p in 0..np {
            let start = at;
            at = at
                .checked_add(counts[p * nrows + r] as usize)
                .ok_or(GiveUp)?;
            ranges[p * nrows + r] = [start, at];
        }
        indptr[r + 1] = at;
    }
    drop(counts);
    let stored = indptr[nrows];
    check_memory((stored as u64).saturating_mul(16))?;
    // Not zero-filled: the filling pass writes every slot, first touching the pages in
    // parallel (as huge pages where the kernel gives them: the writes land all over the
    // arrays); the lengths are set once every range is seen full.
    let mut indices =
        crate::array::try_vec_uninit_of::<usize>("read_mtx", stored).map_err(|_| GiveUp)?;
    let mut data =
        crate::array::try_vec_uninit_of::<f64>("read_mtx", stored).map_err(|_| GiveUp)?;

    // Filling pass.
    let out = Slots {
        indices: indices.as_mut_ptr(),
        data: data.as_mut_ptr(),
    };
    let filled: Vec<Step> = pieces
        .par_iter()
        .zip(ranges.par_chunks_mut(nrows))
        .map(|(&(a, b), ranges)| {
            let mine = Fill { ranges, out: &out };
            fill_piece(path, a, b, plan.buffer, &shape, mine)
        })
        .collect();
    for f in filled {
        f?;
    }
    // Every slot was written: each range was filled to its end.
    if ranges.iter().any(|&[next, end]| next != end) {
        return Err(GiveUp);
    }
    // SAFETY: the capacities are `stored`, and every slot below it was written: the
    // pieces' ranges of each row tile the row (running sums of the counts, the last ending
    // at the row's length), each range's next slot started at its start and is now at its
    // end, and it moves only past a slot `Fill::put` wrote.
    unsafe {
        indices.set_len(stored);
        data.set_len(stored);
    }
    drop(ranges);
    let m = CsrMatrix::from_filled_rows(shape.nrows, shape.ncols, indptr, indices, data);
    Ok((m, shape.field))
}

/// Gives up unless `bytes` more can be allocated (the in-memory parser then reports the
/// shortage in its own words).
fn check_memory(bytes: u64) -> Step {
    crate::memory::check_available("read_mtx", bytes, "the entries").map_err(|_| GiveUp)
}

/// What every entry is checked against.
struct Shape {
    nrows: usize,
    ncols: usize,
    symmetric: bool,
    field: MtxField,
}

/// Counting pass over one piece: entries per row into `counts`; returns the entries read.
fn count_piece(
    path: &Path,
    a: usize,
    b: usize,
    buffer: usize,
    shape: &Shape,
    counts: &mut [u32],
) -> Step<usize> {
    let mut entries = 0usize;
    stream(path, a, b, buffer, |region| {
        rows_of(region, shape.symmetric, |i, j| {
            // (Columns are checked by the filling pass; here only mirrors need them.)
            if !(1..=shape.nrows).contains(&i) {
                return Err(GiveUp);
            }
            bump(&mut counts[i - 1])?;
            if shape.symmetric && i != j {
                if !(1..=shape.ncols).contains(&j) {
                    return Err(GiveUp);
                }
                bump(&mut counts[j - 1])?;
            }
            entries += 1;
            Ok(())
        })
    })?;
    Ok(entries)
}

fn bump(c: &mut u32) -> Step {
    *c = c.checked_add(1).ok_or(GiveUp)?;
    Ok(())
}

impl Shape {
    /// The 0-based position of a 1-based entry, if inside the matrix.
    fn index(&self, i: usize, j: usize) -> Step<(usize, usize)> {
        if (1..=self.nrows).contains(&i) && (1..=self.ncols).contains(&j) {
            Ok((i - 1, j - 1))
        } else {
            Err(GiveUp)
        }
    }
}

/// The CSR arrays the filling pass writes into, shared by the pieces.
struct Slots {
    indices: *mut usize,
    data: *mut f64,
}

// SAFETY: the pointers are written only through `Fill::put`, whose slots are disjoint
// between pieces (see there); the arrays outlive the parallel pass that uses them.
unsafe impl Sync for Slots {}

/// One piece's view of the result: its slot ranges.
struct Fill<'a> {
    /// Per row, this piece's `[next, end)` slots.
    ranges: &'a mut [[usize; 2]],
    out: &'a Slots,
}

impl Fill<'_> {
    /// [`Fill::put`] of each entry, and of its mirror if the matrix is symmetric.
    fn put_all(&mut self, batch: &[(usize, usize, f64)], symmetric: bool) -> Step {
        for &(i, j, v) in batch {
            self.put(i, j, v)?;
            if symmetric && i != j {
                self.put(j, i, v)?;
            }
        }
        Ok(())
    }

    /// Writes the entry `(i, j, v)` into this piece's next slot of row `i`.
    fn put(&mut self, i: usize, j: usize, v: f64) -> Step {
        let range = &mut self.ranges[i];
        let k = range[0];
        if k >= range[1] {
            // More entries in this row than the counting pass saw: the file changed.
            return Err(GiveUp);
        }
        range[0] = k + 1;
        // SAFETY: `k` lies in this piece's range of row `i`; the ranges of all pieces and
        // rows are disjoint and tile `0..indptr[nrows]` (running sums of the counts), the
        // arrays' length, so no other piece writes slot `k`, and this piece writes it once,
        // as `next` only grows.
        unsafe {
            self.out.indices.add(k).write(j);
            self.out.data.add(k).write(v);
        }
        Ok(())
    }
}

/// Entries parsed before they are written: the writes land all over the result, and a
/// batch of them, issued back to back, overlaps their cache misses. 4096 entries (96 KiB,
/// in L2): on Zen 4, 3–8 % faster than 512 and the same as 16384 (A/B in alternation).
const BATCH: usize = 4096;

/// Filling pass over one piece.
fn fill_piece(
    path: &Path,
    a: usize,
    b: usize,
    buffer: usize,
    shape: &Shape,
    mut fill: Fill<'_>,
) -> Step {
    let pattern = shape.field == MtxField::Pattern;
    let mut batch: Vec<(usize, usize, f64)> = Vec::with_capacity(BATCH);
    stream(path, a, b, buffer, |region| {
        entries_of(region, shape.field, |i, j, value| {
            let (i, j) = shape.index(i, j)?;
            let v = match value {
                Value::Number(v) => v,
                Value::Token(_) if pattern => 1.0,
                Value::Token(tok) => {
                    let tok = std::str::from_utf8(tok).map_err(|_| GiveUp)?;
                    parse_value(tok, shape.field).ok_or(GiveUp)?
                }
            };
            batch.push((i, j, v));
            if batch.len() == BATCH {
                fill.put_all(&batch, shape.symmetric)?;
                batch.clear();
            }
            Ok(())
        })
    })?;
    fill.put_all(&batch, shape.symmetric)
}

/// A value field: read already, or its bytes for `str::parse`.
enum Value<'a> {
    Number(f64),
    Token(&'a [u8]),
}

/// What ends a field for `split_ascii_whitespace` (the in-memory parser's split).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Blanks between the fields (what `split_ascii_whitespace` splits at, but the line ends
/// and the form feed, which the in-memory parser handles).
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Calls `entry(row, col, value)` for each entry line of `text` (whole lines), with the
/// 1-based indices as written and the value's bytes (empty for `pattern`); blank lines and
/// comments are skipped. Anything else gives up.
fn entries_of(
    text: &[u8],
    field: MtxField,
    mut entry: impl FnMut(usize, usize, Value<'_>) -> Step,
) -> Step {
    let n = text.len();
    let mut i = 0;
    while i < n {
        while i < n && is_blank(text[i]) {
            i += 1;
        }
        if i == n {
            break;
        }
        match text[i] {
            b'\n' => {
                i += 1;
                continue;
            }
            b'%' => {
                i = memchr::memchr(b'\n', &text[i..]).map_or(n, |k| i + k + 1);
                continue;
            }
            b'\r' => {
                i = line_end(text, i)?;
                continue;
            }
            _ => {}
        }
        let (row, next) = digits(text, i)?;
        i = blanks(text, next)?;
        let (col, next) = digits(text, i)?;
        i = next;
        let value = if field == MtxField::Pattern {
            Value::Token(&text[i..i])
        } else {
            i = blanks(text, i)?;
            let s = i;
            let is_end = |k: usize| text.get(k).is_none_or(|&b| is_space(b));
            match decimal_prefix(&text[s..]) {
                // A real number read as its bytes were scanned (it must end at a blank).
                Some((v, k)) if field == MtxField::Real && is_end(s + k) => {
                    i = s + k;
                    Value::Number(v)
                }
                _ => {
                    while i < n && !is_space(text[i]) {
                        i += 1;
                    }
                    Value::Token(&text[s..i])
                }
            }
        };
        while i < n && is_blank(text[i]) {
            i += 1;
        }
        i = line_end(text, i)?;
        entry(row, col, value)?;
    }
    Ok(())
}

/// The counting pass's scan of whole lines: `entry(row, col)` for each entry line, with
/// the column read only for a symmetric matrix (else 0), the rest of the line skipped (the
/// filling pass reads it, and gives up on what this pass let through). Blank lines and
/// comments are skipped as by [`entries_of`].
///
/// The text must be UTF-8, as for the in-memory parser: entry lines are ASCII in the end
/// (any other byte makes [`entries_of`] give up), so only comment lines are checked here.
fn rows_of(text: &[u8], symmetric: bool, mut entry: impl FnMut(usize, usize) -> Step) -> Step {
    let n = text.len();
    let mut start = 0;
    for nl in crate::io::pieces::newlines(text).chain(std::iter::once(n)) {
        if start >= n {
            break;
        }
        let (mut i, end) = (start, nl.min(n));
        start = nl + 1;
        while i < end && is_blank(text[i]) {
            i += 1;
        }
        if i == end {
            continue;
        }
        match text[i] {
            b'%' => {
                if !text[i..end].is_ascii() {
                    std::str::from_utf8(&text[i..end]).map_err(|_| GiveUp)?;
                }
            }
            b'\r' => {
                // Blank up to a CR that ends the line (or the text); else not ours.
                if i + 1 != end {
                    return Err(GiveUp);
                }
            }
            _ => {
                let (row, next) = digits(text, i)?;
                let col = if symmetric {
                    digits(text, blanks(text, next)?)?.0
                } else {
                    0
                };
                entry(row, col)?;
            }
        }
    }
    Ok(())
}

/// The position after the line end at `i`: `\n`, `\r\n`, a `\r` that ends the text, or the
/// end of the text.
fn line_end(text: &[u8], i: usize) -> Step<usize> {
    match text.get(i) {
        None => Ok(i),
        Some(b'\n') => Ok(i + 1),
        Some(b'\r') => match text.get(i + 1) {
            None => Ok(i + 1),
            Some(b'\n') => Ok(i + 2),
            Some(_) => Err(GiveUp),
        },
        Some(_) => Err(GiveUp),
    }
}

/// A decimal number of at most 18 digits at `i`, and the position after it.
#[inline(always)]
fn digits(text: &[u8], i: usize) -> Step<(usize, usize)> {
    if let Some(chunk) = text.get(i..i + 8) {
        // Up to seven digits and what ends them, in one step. (Not `digit_run`, whose
        // general loop measured 3–5 % slower on the whole read.)
        match leading_digits(chunk) {
            (0, _) => return Err(GiveUp),
            (8, _) => {}
            (n, v) => return Ok((v as usize, i + n)),
        }
    }
    let mut v = 0usize;
    let mut k = i;
    while k < text.len() && text[k].is_ascii_digit() {
        if k - i == 18 {
            return Err(GiveUp);
        }
        v = v * 10 + usize::from(text[k] - b'0');
        k += 1;
    }
    if k == i { Err(GiveUp) } else { Ok((v, k)) }
}

/// The position after one or more blanks at `i`.
fn blanks(text: &[u8], i: usize) -> Step<usize> {
    let mut k = i;
    while k < text.len() && is_blank(text[k]) {
        k += 1;
    }
    if k == i { Err(GiveUp) } else { Ok(k) }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Plan, read};
    use crate::io::mtx::tests::{files, parse_mtx};
    use crate::io::pieces::TestDir;

    /// The CSR arrays and field, bit for bit, as text.
    fn show(m: &crate::sparse::CsrMatrix, f: crate::io::MtxField) -> String {
        format!(
            "{f:?} {:?} {:?} {:?} {:?}",
            m.shape(),
            m.indptr(),
            m.indices(),
            m.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        )
    }

    /// Files the streaming reader must take (and read as the in-memory parser does), and
    /// files it must leave to the in-memory parser (which then reads or rejects them).
    fn cases() -> (Vec<String>, Vec<String>) {
        let mut take: Vec<String> = files()
            .into_iter()
            .filter(|t| parse_mtx(t, Path::new("m.mtx")).is_ok())
            .collect();
        take.extend(
            [
                // tabs, trailing blanks, a comment after blanks, a BOM, CRLF on the last line
                "\u{feff}%%MatrixMarket matrix coordinate real general\n% héllo\n3 3 3\n\t1\t2 \t 1.5  \n   % x\n3 3 2e-3\r\n2 1 -7.25E+2\r\n",
                // symmetric duplicates of a mirrored entry, in file order
                "%%MatrixMarket matrix coordinate real symmetric\n3 3 5\n2 1 0.1\n1 2 0.2\n2 1 0.3\n3 3 1\n3 1 1e-5\n",
                "%%MatrixMarket matrix coordinate pattern symmetric\n4 4 4\n2 1\n4 4\n4 2\n2 1\n",
                "%%MatrixMarket matrix coordinate integer symmetric\n2 2 2\n1 1 -5\n2 1 123456789012\n",
                // values std reads but the fast path does not: long mantissas, big exponents,
                // inf, nan, '1.', '.5', '+3', -0, subnormals
                "%%MatrixMarket matrix coordinate real general\n2 6 12\n1 1 1.23456789012345678901\n1 2 1e300\n1 3 -inf\n1 4 NaN\n1 5 1.\n1 6 .5\n2 1 +3\n2 2 -0\n2 3 4.9e-324\n2 4 9007199254740993\n2 5 0.1e-22\n2 6 123456789e22\n",
                // an empty section and a final line without a line end
                "%%MatrixMarket matrix coordinate real general\n2 2 0\n",
                "%%MatrixMarket matrix coordinate real general\n2 2 1\n2 2 3",
            ]
            .map(String::from),
        );
        let give_up = [
            // wrong count, index out of range, bad value, bad field count
            "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n",
            "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 3 1\n",
            "%%MatrixMarket matrix coordinate real general\n2 2 1\n0 1 1\n",
            "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 x\n",
            "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1 1\n",
            "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1\n",
            // what the in-memory parser takes but this reader leaves to it
            "%%MatrixMarket matrix coordinate real general\n2 2 1\n+1 1 1\n",
            "%%MatrixMarket matrix coordinate real general\n2 2 1\n1\x0c1 1\n",
            "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\r2 2 2\n",
            "%%MatrixMarket matrix coordinate real general\n2 2 1\n\u{a0}% c\n1 1 1\n",
            "%%MatrixMarket matrix array real general\n2 1\n1\n2\n",
            "%%MatrixMarket matrix coordinate real general\n0 0 1\n1 1 1\n",
        ]
        .map(String::from)
        .to_vec();
        (take, give_up)
    }

    /// The streaming reader reads every file it takes as the in-memory parser does, bit for
    /// bit, wherever the pieces are cut (every single cut, every pair for short files) and
    /// whatever its buffer (1 byte up); it gives up on the others, so that the in-memory
    /// parser reads them (and its exact messages stay).
    #[test]
    fn streaming_equals_in_memory_at_every_cut_and_buffer() {
        let dir = TestDir::new("mtx-stream-cuts");
        let (take, give_up) = cases();
        for (n, text) in take.iter().enumerate() {
            let path = dir.0.join(format!("t{n}.mtx"));
            std::fs::write(&path, text).unwrap();
            let (m, f) = parse_mtx(text, Path::new("m.mtx")).unwrap();
            let want = show(&m, f);
            let len = text.len() as u64;
            let section = text.len();
            for buffer in [1, 2, 5, 64, 1 << 20] {
                let got = |cuts: &[usize]| {
                    let (m, f) = read(
                        &path,
                        len,
                        Plan {
                            cuts: Some(cuts),
                            buffer,
                        },
                    )
                    .unwrap_or_else(|| panic!("gave up on {text:?} at {cuts:?}"));
                    show(&m, f)
                };
                assert_eq!(got(&[]), want, "{text:?} buffer {buffer}");
                for a in 0..section {
                    assert_eq!(got(&[a]), want, "{text:?} cut {a} buffer {buffer}");
                    if section < 120 && buffer == 2 {
                        for b in a..section {
                            assert_eq!(got(&[a, b]), want, "{text:?} cuts {a} {b}");
                        }
                    }
                }
                let all: Vec<usize> = (0..section).collect();
                assert_eq!(got(&all), want, "{text:?} one piece per line");
            }
        }
        for (n, text) in give_up.iter().enumerate() {
            let path = dir.0.join(format!("g{n}.mtx"));
            std::fs::write(&path, text).unwrap();
            for cuts in [&[][..], &[30], &[50, 55]] {
                let r = read(
                    &path,
                    text.len() as u64,
                    Plan {
                        cuts: Some(cuts),
                        buffer: 3,
                    },
                );
                assert!(r.is_none(), "took {text:?}");
            }
            // and read_mtx answers as the in-memory parser, whatever the threshold
            let via = super::super::read_mtx_with(&path, 0, 3, None);
            let direct = parse_mtx(text, &path);
            assert_eq!(
                via.map(|(m, f)| show(&m, f)).map_err(|e| e.to_string()),
                direct.map(|(m, f)| show(&m, f)).map_err(|e| e.to_string()),
                "{text:?}"
            );
        }
    }

    /// A size line declaring far more rows than the file has bytes is left to the
    /// in-memory parser (the per-row counters would outweigh the entries).
    #[test]
    fn rows_beyond_the_file_size_are_left_to_the_in_memory_parser() {
        let dir = TestDir::new("mtx-stream-rows");
        let path = dir.0.join("wide.mtx");
        let text = "%%MatrixMarket matrix coordinate real general\n20000000 2 1\n1 1 1\n";
        std::fs::write(&path, text).unwrap();
        let plan = Plan {
            cuts: None,
            buffer: 64,
        };
        assert!(read(&path, text.len() as u64, plan).is_none());
        let small = "%%MatrixMarket matrix coordinate real general\n2000 2 1\n1 1 1\n";
        std::fs::write(&path, small).unwrap();
        assert!(read(&path, small.len() as u64, plan).is_some());
    }

    /// A file larger than the streaming threshold goes through the default plan (one piece
    /// per thread, the default buffer) and reads as the in-memory parser reads it: random
    /// order, duplicates, comments, a symmetric twin.
    #[test]
    fn a_large_file_streams_with_the_default_plan() {
        let dir = TestDir::new("mtx-stream-large");
        for symmetric in [false, true] {
            let (nrows, ncols, nnz) = (3000usize, if symmetric { 3000 } else { 700 }, 260_000usize);
            let mut text = format!(
                "%%MatrixMarket matrix coordinate real {}\n%\n{nrows} {ncols} {nnz}\n",
                if symmetric { "symmetric" } else { "general" }
            );
            let mut s = 12345u64;
            for k in 0..nnz {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let i = (s >> 33) as usize % nrows;
                let j = (s >> 13) as usize % ncols;
                let v = ((s >> 20) as f64) / 2f64.powi(44) - 0.5;
                text.push_str(&format!("{} {} {:e}\n", i + 1, j + 1, v));
                if k % 10_000 == 0 {
                    text.push_str("% a comment\n\n");
                }
            }
            assert!(text.len() as u64 > super::super::STREAM_MIN_BYTES);
            let path = dir.0.join("big.mtx");
            std::fs::write(&path, &text).unwrap();
            let (m, f) = parse_mtx(&text, Path::new("m.mtx")).unwrap();
            let streamed = read(
                &path,
                text.len() as u64,
                Plan {
                    cuts: None,
                    buffer: super::BUFFER,
                },
            )
            .expect("streams");
            assert_eq!(show(&streamed.0, streamed.1), show(&m, f));
            let (r, g) = crate::io::read_mtx(&path).unwrap();
            assert_eq!(show(&r, g), show(&m, f));
        }
    }
}
