//! The reader of large CSV tables: the file is read in pieces, twice, never held whole.
//!
//! 1. The first record is read from the file's first bytes: a header if a cell of it is not
//!    a number (as [`super::parse_csv`] decides), and the number of columns.
//! 2. The rows below are cut at line boundaries into one piece per rayon thread.
//! 3. **Counting pass**: each piece counts its records (lines that are not blank).
//! 4. **Filling pass**: each piece parses its records straight into its rows of the result.
//!
//! Peak memory is the result plus one buffer per piece.
//!
//! Only plain tables take this path: unquoted ASCII cells. A double quote anywhere, a cell
//! that is not a number, a row of another length, text that is not UTF-8, a file that
//! changes between the passes, an I/O error: the reader gives up (`None`) and the caller
//! reads the file with the in-memory parser, which reads quoted cells and reports the
//! first problem by row and column.

use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;

use super::parse_number;
use crate::io::pieces::{GiveUp, Plan, Step, decimal, head, pieces, stream};

/// Reads the CSV file at `path` (`len` bytes) in pieces, or `None` when the in-memory
/// parser must read it (see the module documentation).
pub(crate) fn read(path: &Path, len: u64, plan: Plan<'_>) -> Option<ArrayD<f64>> {
    read_inner(path, len, plan).ok()
}

fn read_inner(path: &Path, len: u64, plan: Plan<'_>) -> Step<ArrayD<f64>> {
    let len = usize::try_from(len).map_err(|_| GiveUp)?;
    let (mut file, head) = head(path, len)?;
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    std::str::from_utf8(&head[bom..]).map_err(|_| GiveUp)?;
    // The first record: the first line that is not blank.
    let mut at = bom;
    let (first, next) = loop {
        if at >= head.len() {
            return Err(GiveUp);
        }
        let end = memchr::memchr(b'\n', &head[at..]).map_or(head.len(), |k| at + k + 1);
        let line = &head[at..end];
        if !line.iter().all(|&b| is_blank(b) || b == b'\n') {
            break (line, end);
        }
        at = end;
    };
    if first.contains(&b'"') {
        return Err(GiveUp);
    }
    let first = std::str::from_utf8(first).map_err(|_| GiveUp)?;
    if first.trim().is_empty() {
        // Blank by `str::trim` (say a no-break space): the in-memory parser skips it.
        return Err(GiveUp);
    }
    let cells: Vec<&str> = first
        .trim_end_matches('\n')
        .split(',')
        .map(str::trim)
        .collect();
    let ncols = cells.len();
    let header = cells.iter().any(|c| parse_number(c).is_none());
    let start = if header { next } else { at };
    drop(head);

    let pieces = pieces(&mut file, start, len, plan)?;
    let counts: Vec<Step<usize>> = pieces
        .par_iter()
        .map(|&(a, b)| count_piece(path, a, b, plan.buffer))
        .collect();
    let mut rows = Vec::with_capacity(counts.len());
    for c in counts {
        rows.push(c?);
    }
    let nrows: usize = rows.iter().sum();
    if nrows == 0 {
        return Err(GiveUp);
    }
    let total = nrows.checked_mul(ncols).ok_or(GiveUp)?;
    let mut values =
        crate::array::try_vec_uninit_of::<f64>("read_csv", total).map_err(|_| GiveUp)?;
    // Each piece fills its own rows: the spare capacity cut in order.
    let mut parts = Vec::with_capacity(pieces.len());
    let mut rest = &mut values.spare_capacity_mut()[..total];
    for &r in &rows {
        let (mine, after) = rest.split_at_mut(r * ncols);
        parts.push(mine);
        rest = after;
    }
    let filled: Vec<Step> = pieces
        .par_iter()
        .zip(parts)
        .map(|(&(a, b), out)| fill_piece(path, a, b, plan.buffer, ncols, out))
        .collect();
    for f in filled {
        f?;
    }
    // SAFETY: the parts tile `values`' first `total` slots, and `fill_piece` returns `Ok`
    // only when it wrote every slot of its part (one value per cell, `ncols` cells per
    // record, as many records as its part has rows).
    unsafe { values.set_len(total) };
    let shape: Vec<usize> = if nrows == 1 || ncols == 1 {
        vec![total]
    } else {
        vec![nrows, ncols]
    };
    ArrayD::from_shape_vec(IxDyn(&shape), values).map_err(|_| GiveUp)
}

/// Blanks that `str::trim` drops around a cell, but the line end.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c')
}

/// Counting pass over one piece: its records (the lines that are not blank).
fn count_piece(path: &Path, a: usize, b: usize, buffer: usize) -> Step<usize> {
    let mut records = 0usize;
    stream(path, a, b, buffer, |text| {
        let mut i = 0;
        for nl in crate::io::pieces::newlines(text).chain(std::iter::once(text.len())) {
            if i < text.len() && !text[i..nl].iter().all(|&b| is_blank(b)) {
                records += 1;
            }
            i = nl + 1;
        }
        Ok(())
    })?;
    Ok(records)
}

/// Filling pass over one piece: every record's `ncols` numbers into `out`, which must come
/// out exactly full.
fn fill_piece(
    path: &Path,
    a: usize,
    b: usize,
    buffer: usize,
    ncols: usize,
    out: &mut [std::mem::MaybeUninit<f64>],
) -> Step {
    let mut k = 0usize;
    stream(path, a, b, buffer, |text| {
        let mut i = 0;
        for nl in crate::io::pieces::newlines(text).chain(std::iter::once(text.len())) {
            if i >= text.len() {
                break;
            }
            let line = &text[i..nl];
            i = nl + 1;
            if line.iter().all(|&b| is_blank(b)) {
                continue;
            }
            // Room for this record's cells.
            let row = out.get_mut(k..k + ncols).ok_or(GiveUp)?;
            let mut cells = line.split(|&b| b == b',');
            for slot in row.iter_mut() {
                let cell = cells.next().ok_or(GiveUp)?;
                slot.write(number(cell)?);
            }
            if cells.next().is_some() {
                return Err(GiveUp);
            }
            k += ncols;
        }
        Ok(())
    })?;
    if k == out.len() { Ok(()) } else { Err(GiveUp) }
}

/// A cell's number, as [`parse_number`] reads the trimmed cell.
fn number(cell: &[u8]) -> Step<f64> {
    let mut s = 0;
    let mut e = cell.len();
    while s < e && is_blank(cell[s]) {
        s += 1;
    }
    while e > s && is_blank(cell[e - 1]) {
        e -= 1;
    }
    let t = &cell[s..e];
    match decimal(t) {
        Some(v) => Ok(v),
        None => {
            let t = std::str::from_utf8(t).map_err(|_| GiveUp)?;
            parse_number(t).ok_or(GiveUp)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::read;
    use crate::io::csv::parse_csv;
    use crate::io::pieces::{Plan, TestDir};

    fn show(a: &ndarray::ArrayD<f64>) -> String {
        format!(
            "{:?} {:?}",
            a.shape(),
            a.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        )
    }

    /// Tables the streaming reader must take: blank lines (spaces, tabs, CR), CRLF, a BOM,
    /// blanks around cells, a header (also after blank lines), no final line end, one row,
    /// one column, values the fast path leaves to `str::parse` (`nan`, `inf`, `.5`, `1.`,
    /// long mantissas, big exponents).
    const TAKE: &[&str] = &[
        "1,2\n3,4\n",
        "\u{feff}x, y\r\n1, 2\r\n\r\n 3 ,\t4\r\n",
        "\n  \n\ta,b,c\n1,2,3\n\n4,5,6",
        "1.5,-2,3e-3,nan,-inf,.5,1.,1.2345678901234567890,1e300,4.9e-324,-0\n",
        "7\n8\n\n9\n",
        "h\n7\n8\n9\n",
        "1\r,2\x0c\n3,4\n",
    ];

    /// Tables it must leave to the in-memory parser (which reads or rejects them).
    const GIVE_UP: &[&str] = &[
        "\"1\",2\n3,4\n",
        "1,2\n\"3\",4\n",
        "1,2\n3\n",
        "1,2\n3,4,5\n",
        "1,2\n3,x\n",
        "1,2\n3,\n",
        "x,y\n",
        "",
        "  \n\n",
        "1,2\n3,4\u{a0}\n",
        "1,2\n\u{a0}\n",
    ];

    /// The streaming reader reads every table it takes as `parse_csv` does, bit for bit,
    /// wherever the pieces are cut and whatever its buffer; it gives up on the others.
    #[test]
    fn streaming_equals_in_memory_at_every_cut_and_buffer() {
        let d = TestDir::new("csv-stream-cuts");
        for (n, text) in TAKE.iter().enumerate() {
            let path = d.0.join(format!("t{n}.csv"));
            std::fs::write(&path, text).unwrap();
            let want = show(&parse_csv(text, Path::new("t.csv")).unwrap());
            for buffer in [1, 2, 7, 1 << 20] {
                let got = |cuts: &[usize]| {
                    let a = read(
                        &path,
                        text.len() as u64,
                        Plan {
                            cuts: Some(cuts),
                            buffer,
                        },
                    )
                    .unwrap_or_else(|| panic!("gave up on {text:?} at {cuts:?}"));
                    show(&a)
                };
                assert_eq!(got(&[]), want, "{text:?}");
                for a in 0..text.len() {
                    assert_eq!(got(&[a]), want, "{text:?} cut {a} buffer {buffer}");
                    for b in a..text.len() {
                        assert_eq!(got(&[a, b]), want, "{text:?} cuts {a} {b}");
                    }
                }
            }
        }
        for (n, text) in GIVE_UP.iter().enumerate() {
            let path = d.0.join(format!("g{n}.csv"));
            std::fs::write(&path, text).unwrap();
            for cuts in [&[][..], &[3], &[2, 5]] {
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
            let via = super::super::read_csv_with(&path, 0, 3);
            let direct = parse_csv(text, &path);
            assert_eq!(
                via.map(|a| show(&a)).map_err(|e| e.to_string()),
                direct.map(|a| show(&a)).map_err(|e| e.to_string()),
                "{text:?}"
            );
        }
    }

    /// A table above the streaming threshold reads through the default plan as `parse_csv`
    /// reads it.
    #[test]
    fn a_large_table_streams_with_the_default_plan() {
        let d = TestDir::new("csv-stream-large");
        let mut text = String::from("a,b,c,d,e\n");
        let mut s = 99u64;
        for k in 0..120_000u64 {
            let mut row = Vec::new();
            for _ in 0..5 {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                row.push(format!("{:e}", (s >> 11) as f64 / 2f64.powi(53) - 0.5));
            }
            text.push_str(&row.join(","));
            text.push_str(if k % 3 == 0 { "\r\n" } else { "\n" });
        }
        assert!(text.len() as u64 > super::super::STREAM_MIN_BYTES);
        let path = d.0.join("big.csv");
        std::fs::write(&path, &text).unwrap();
        let want = show(&parse_csv(&text, Path::new("t.csv")).unwrap());
        let plan = Plan {
            cuts: None,
            buffer: crate::io::pieces::BUFFER,
        };
        assert_eq!(
            show(&read(&path, text.len() as u64, plan).expect("streams")),
            want
        );
        assert_eq!(show(&crate::io::read_csv(&path).unwrap()), want);
    }
}
