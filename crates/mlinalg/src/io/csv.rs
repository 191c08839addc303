//! Numeric CSV tables.
//!
//! Reading follows the command-line contract: cells are separated by commas; spaces
//! around a cell, CRLF line ends, blank lines, a UTF-8 byte-order mark and double-quoted
//! cells (`"1.5"`, `""` inside quotes is a quote) are accepted. A first row with any
//! non-numeric cell is a header and is skipped. Numbers are parsed like NumPy's `float`:
//! `1`, `-2.5`, `1e5`, `.5`, `nan`, `inf`, `-inf`, `infinity` (case-insensitive).
//!
//! Rows are numbered as the lines of the file, from 1, and columns from 1, so an error
//! message points at the place an editor shows.

use std::borrow::Cow;
use std::path::Path;

use ndarray::{ArrayBase, ArrayD, Data, Dimension, IxDyn};

use super::{read_text, write_all, write_atomic};
use crate::array::fmt_shape;
use crate::error::{Error, Result, escape_excerpt};

mod stream;

/// Calls `f(line, cells)` for each record of `text`, with cells trimmed and unquoted.
///
/// Unquoted cells are borrowed from `text`; quoted cells may contain commas, quotes (as
/// `""`) and line breaks. A quote opens a quoted cell only as its first non-blank
/// character; text after the closing quote is kept. Blank lines are skipped. `line` is the
/// 1-based line on which the record starts.
fn for_each_record<'a>(
    text: &'a str,
    path: &Path,
    mut f: impl FnMut(usize, &[Cow<'a, str>]) -> Result<()>,
) -> Result<()> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut line = 1;
    let mut cells: Vec<Cow<'a, str>> = Vec::new();
    while i < b.len() {
        let record_line = line;
        cells.clear();
        loop {
            let mut j = i;
            while matches!(b.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            // `end` is the index of the delimiter (',' or '\n') ending the cell, or b.len().
            let (cell, end) = if b.get(j) == Some(&b'"') {
                let mut s = String::new();
                let quote_line = line;
                j += 1;
                loop {
                    let Some(k) = b[j..].iter().position(|&c| c == b'"').map(|k| j + k) else {
                        return Err(Error::format(
                            path,
                            format!("row {quote_line}: unterminated double quote"),
                        ));
                    };
                    // Delimiters are ASCII, so these byte offsets are char boundaries.
                    s.push_str(&text[j..k]);
                    line += text[j..k].bytes().filter(|&c| c == b'\n').count();
                    if b.get(k + 1) == Some(&b'"') {
                        s.push('"');
                        j = k + 2;
                    } else {
                        j = k + 1;
                        break;
                    }
                }
                let end = b[j..]
                    .iter()
                    .position(|&c| c == b',' || c == b'\n')
                    .map_or(b.len(), |k| j + k);
                s.push_str(text[j..end].trim());
                (Cow::Owned(s), end)
            } else {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b',' || c == b'\n')
                    .map_or(b.len(), |k| i + k);
                (Cow::Borrowed(text[i..end].trim()), end)
            };
            cells.push(cell);
            i = end + 1;
            if b.get(end) != Some(&b',') {
                line += 1;
                break;
            }
        }
        let blank = cells.len() == 1 && cells[0].is_empty();
        if !blank {
            f(record_line, &cells)?;
        }
    }
    Ok(())
}

/// Parses a cell as a number the way NumPy's `float()` does.
fn parse_number(cell: &str) -> Option<f64> {
    // Rust's parser accepts exactly the decimal forms Python does, plus "inf", "infinity"
    // and "nan" in any case; Python also allows `_` between digits, which tables never use.
    cell.parse::<f64>().ok()
}

/// Parses the text of a numeric CSV table (`path` names it in error messages).
///
/// Returns a 1-d array if the table has one row or one column (a 1 × 1 table gives a
/// vector of length 1), else a 2-d array `(rows, columns)`.
///
/// # Errors
/// [`Error::Format`] if there are no data rows, a row has a different number of cells
/// than the first, or a cell below the header is not a number (naming row and column).
///
/// # Examples
/// ```
/// use std::path::Path;
/// let a = mlinalg::io::csv::parse_csv("x,y\n1, 2\r\n\"3\",4e0\n", Path::new("t.csv"))?;
/// assert_eq!(a.shape(), &[2, 2]);
/// assert_eq!(a[[1, 0]], 3.0);
/// let e = mlinalg::io::csv::parse_csv("1,2\n3\n", Path::new("t.csv")).unwrap_err();
/// assert_eq!(e.to_string(), "t.csv: row 2 has 1 cell, expected 2");
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn parse_csv(text: &str, path: &Path) -> Result<ArrayD<f64>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut ncols = 0;
    let mut header_line = None;
    let mut nrows = 0usize;
    let mut values: Vec<f64> = Vec::new();
    for_each_record(text, path, |line, cells| {
        if nrows == 0 && header_line.is_none() {
            ncols = cells.len();
            if cells.iter().any(|c| parse_number(c).is_none()) {
                header_line = Some(line);
                return Ok(());
            }
        }
        if cells.len() != ncols {
            let n = cells.len();
            return Err(Error::format(
                path,
                format!(
                    "row {line} has {n} cell{}, expected {ncols}",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        for (j, c) in cells.iter().enumerate() {
            let v = parse_number(c).ok_or_else(|| {
                let what = if c.is_empty() {
                    "empty cell".to_string()
                } else {
                    format!("'{}' is not a number", escape_excerpt(c))
                };
                Error::format(path, format!("row {line}, column {}: {what}", j + 1))
            })?;
            values.push(v);
        }
        nrows += 1;
        Ok(())
    })?;
    if nrows == 0 {
        return Err(Error::format(
            path,
            match header_line {
                Some(l) => format!("no data rows below the header (row {l})"),
                None => "no data rows (the file is empty)".to_string(),
            },
        ));
    }
    let shape: Vec<usize> = if nrows == 1 || ncols == 1 {
        vec![values.len()]
    } else {
        vec![nrows, ncols]
    };
    ArrayD::from_shape_vec(IxDyn(&shape), values)
        .map_err(|e| Error::format(path, format!("internal shape error: {e}")))
}

/// Reads a numeric CSV file as float64 (see [`parse_csv`]).
///
/// # Errors
/// As [`parse_csv`]; [`Error::Format`] if the file is not UTF-8; [`Error::Io`] if it
/// cannot be read.
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-read-csv-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("t.csv");
/// std::fs::write(&path, "1,2,3\n").unwrap();
/// assert_eq!(mlinalg::io::read_csv(&path)?.shape(), &[3]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn read_csv(path: &Path) -> Result<ArrayD<f64>> {
    read_csv_with(path, STREAM_MIN_BYTES, super::pieces::BUFFER)
}

/// Below this many bytes a file is read whole and parsed in memory; above, a plain table
/// is read in pieces, twice ([`stream`]), never held whole.
const STREAM_MIN_BYTES: u64 = 4 << 20;

/// [`read_csv`] with the size from which files stream and the streaming buffer (tests).
fn read_csv_with(path: &Path, stream_min: u64, buffer: usize) -> Result<ArrayD<f64>> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && meta.len() >= stream_min
        && let Some(a) = stream::read(path, meta.len(), super::pieces::Plan { cuts: None, buffer })
    {
        return Ok(a);
    }
    parse_csv(&read_text(path)?, path)
}

/// Writes a 0-d, 1-d or 2-d array as CSV: a vector one value per line, a matrix one row
/// per line. Values are written in the shortest form that reads back to the same `f64`
/// (`0.1`, `1e300`, `NaN`, `inf`), so a round trip is exact. Written to a temporary name
/// and renamed into place.
///
/// A 1 × n or n × 1 matrix reads back as a vector (see [`parse_csv`]); use `.npy` to
/// keep such shapes.
///
/// # Errors
/// [`Error::Shape`] for an array of more than 2 dimensions; [`Error::Io`] if the file
/// cannot be written (no partial file is left).
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-write-csv-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("m.csv");
/// mlinalg::io::write_csv(&path, &ndarray::array![[1.0, 0.1], [1e300, -2.5]])?;
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "1.0,0.1\n1e300,-2.5\n");
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn write_csv<S: Data<Elem = f64>, D: Dimension>(
    path: &Path,
    a: &ArrayBase<S, D>,
) -> Result<()> {
    let ncols = match a.shape() {
        [] | [_] => 1,
        [_, n] => *n,
        s => {
            return Err(Error::shape(
                "write_csv",
                format!(
                    "expected a 0-d, 1-d or 2-d array, got shape {}",
                    fmt_shape(s)
                ),
            ));
        }
    };
    write_atomic(path, |w| {
        let mut line = String::new();
        let mut col = 0;
        for v in a.iter() {
            use std::fmt::Write as _;
            if col > 0 {
                line.push(',');
            }
            // `{:?}` is Rust's shortest round-trip representation (exponent for very large
            // or small magnitudes), unlike `{}` which spells 1e300 with 300 digits.
            let _ = write!(line, "{v:?}"); // writing to a String cannot fail
            col += 1;
            if col == ncols {
                line.push('\n');
                col = 0;
                if line.len() >= 1 << 16 {
                    write_all(w, path, line.as_bytes())?;
                    line.clear();
                }
            }
        }
        write_all(w, path, line.as_bytes())
    })
}
