//! Matrix Market `.mtx` files (`scipy.io.mmread` / `mmwrite`).
//!
//! Supported headers: `%%MatrixMarket matrix coordinate real|integer|pattern
//! general|symmetric` and `%%MatrixMarket matrix array real|integer general|symmetric`
//! (array values are listed column by column; a symmetric array lists the lower triangle).
//! Keywords are case-insensitive. Lines starting with `%` and blank lines are skipped.
//!
//! Coordinate entries are 1-based `row col [value]`. Duplicate entries are summed,
//! off-diagonal entries of a symmetric file are mirrored, pattern entries are 1, and
//! explicit zeros are kept as stored entries (as scipy does). `skew-symmetric`,
//! `hermitian` and `complex` files are rejected with a message saying so.
//!
//! The declared size is never trusted for allocation: a coordinate file allocates by its
//! entries (plus one row pointer per row), and an array file's value count is checked
//! against the declared size before its values are stored. See
//! <https://math.nist.gov/MatrixMarket/formats.html>.

use std::fmt::Write as _;
use std::path::Path;

use super::{Dtype, read_text, write_all, write_atomic};
use crate::error::{Error, Result};
use crate::sparse::{CsrMatrix, MAX_DIM};

/// The `field` of a Matrix Market header.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MtxField {
    /// `real`: floating-point values.
    Real,
    /// `integer`: integer values (read as `f64`).
    Integer,
    /// `pattern`: positions only; every entry is 1.
    Pattern,
}

impl MtxField {
    /// The dtype scipy's `mmread` gives such a file: `Int64` for integer, else `Float64`.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::io::{Dtype, MtxField};
    /// assert_eq!(MtxField::Integer.dtype(), Dtype::Int64);
    /// assert_eq!(MtxField::Pattern.dtype(), Dtype::Float64);
    /// ```
    #[must_use]
    pub fn dtype(self) -> Dtype {
        match self {
            MtxField::Integer => Dtype::Int64,
            MtxField::Real | MtxField::Pattern => Dtype::Float64,
        }
    }
}

/// The parsed banner line.
struct Banner {
    array: bool,
    field: MtxField,
    symmetric: bool,
}

fn parse_banner(line: &str, path: &Path) -> Result<Banner> {
    let words: Vec<String> = line
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let bad = |detail: String| Error::format(path, detail);
    if words.first().map(String::as_str) != Some("%%matrixmarket") {
        return Err(bad(
            "not a Matrix Market file (the first line must start with %%MatrixMarket)".into(),
        ));
    }
    if words.len() != 5 {
        return Err(bad(format!(
            "bad Matrix Market header '{}': expected '%%MatrixMarket matrix <format> <field> <symmetry>'",
            line.trim()
        )));
    }
    if words[1] != "matrix" {
        return Err(bad(format!(
            "unsupported Matrix Market object '{}' (supported: matrix)",
            words[1]
        )));
    }
    let array = match words[2].as_str() {
        "coordinate" => false,
        "array" => true,
        other => {
            return Err(bad(format!(
                "unsupported Matrix Market format '{other}' (supported: coordinate, array)"
            )));
        }
    };
    let field =
        match words[3].as_str() {
            "real" | "double" => MtxField::Real,
            "integer" => MtxField::Integer,
            "pattern" if !array => MtxField::Pattern,
            "pattern" => {
                return Err(bad(
                    "a Matrix Market array file cannot have the pattern field".into(),
                ));
            }
            "complex" => return Err(bad(
                "complex Matrix Market files are not supported (supported: real, integer, pattern)"
                    .into(),
            )),
            other => {
                return Err(bad(format!(
                    "unsupported Matrix Market field '{other}' (supported: real, integer, pattern)"
                )));
            }
        };
    let symmetric = match words[4].as_str() {
        "general" => false,
        "symmetric" => true,
        other @ ("skew-symmetric" | "hermitian") => {
            return Err(bad(format!(
                "{other} Matrix Market files are not supported (supported: general, symmetric)"
            )));
        }
        other => {
            return Err(bad(format!(
                "unsupported Matrix Market symmetry '{other}' (supported: general, symmetric)"
            )));
        }
    };
    Ok(Banner {
        array,
        field,
        symmetric,
    })
}

/// Parses a 1-based index or a size.
fn parse_usize(tok: &str) -> Option<usize> {
    tok.parse::<usize>().ok()
}

/// Parses a value of `field`.
fn parse_value(tok: &str, field: MtxField) -> Option<f64> {
    match field {
        // An integer file may still hold values beyond i64; reading them as f64 matches
        // what the f64 result can represent anyway.
        MtxField::Integer => tok
            .parse::<i64>()
            .ok()
            .map(|v| v as f64)
            .or_else(|| tok.parse::<f64>().ok().filter(|v| v.fract() == 0.0)),
        _ => tok.parse::<f64>().ok(),
    }
}

/// Parses the text of a Matrix Market file (`path` names it in error messages).
///
/// # Errors
/// [`Error::Format`] for an unsupported or malformed header, an index of 0 or beyond the
/// declared size, a value that is not a number, a wrong number of entries, or a symmetric
/// matrix that is not square. Messages name the entry (from 1) and its line.
///
/// # Examples
/// ```
/// use std::path::Path;
/// use mlinalg::io::mtx::{parse_mtx, MtxField};
/// let text = "%%MatrixMarket matrix coordinate real symmetric\n% a comment\n3 3 2\n1 1 2.0\n3 1 -1\n";
/// let (m, field) = parse_mtx(text, Path::new("m.mtx"))?;
/// assert_eq!(field, MtxField::Real);
/// assert_eq!(m.nnz(), 3); // (3, 1) mirrored to (1, 3)
/// assert_eq!(m.to_dense()?[[0, 2]], -1.0);
/// let e = parse_mtx("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n", Path::new("m.mtx"))
///     .unwrap_err();
/// assert_eq!(e.to_string(), "m.mtx: entry 1 (line 3): row index 3 outside 1..=2");
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn parse_mtx(text: &str, path: &Path) -> Result<(CsrMatrix, MtxField)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let banner_line = lines.next().map(|(_, l)| l).unwrap_or("");
    let banner = parse_banner(banner_line, path)?;
    let mut data = lines.filter(|(_, l)| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('%')
    });
    let Some((size_line_no, size_line)) = data.next() else {
        return Err(Error::format(
            path,
            "no size line after the Matrix Market header",
        ));
    };
    let sizes: Vec<Option<usize>> = size_line.split_whitespace().map(parse_usize).collect();
    let want = if banner.array { 2 } else { 3 };
    let sizes: Vec<usize> = match sizes.iter().copied().collect::<Option<Vec<usize>>>() {
        Some(s) if s.len() == want => s,
        _ => {
            return Err(Error::format(
                path,
                format!(
                    "line {size_line_no}: bad size line '{}': expected {}",
                    size_line.trim(),
                    if banner.array {
                        "'rows cols'"
                    } else {
                        "'rows cols entries'"
                    }
                ),
            ));
        }
    };
    let (nrows, ncols) = (sizes[0], sizes[1]);
    if nrows > MAX_DIM || ncols > MAX_DIM {
        return Err(Error::format(
            path,
            format!(
                "the size line declares {nrows} x {ncols}, beyond the largest supported \
                 dimension {MAX_DIM}"
            ),
        ));
    }
    if banner.symmetric && nrows != ncols {
        return Err(Error::format(
            path,
            format!("a symmetric matrix must be square, the size line says {nrows} x {ncols}"),
        ));
    }
    let m = if banner.array {
        parse_array(data, nrows, ncols, &banner, text.len(), path)?
    } else {
        parse_coordinate(data, nrows, ncols, sizes[2], &banner, text.len(), path)?
    };
    Ok((m, banner.field))
}

/// Reads the entries of a coordinate file.
fn parse_coordinate<'a>(
    data: impl Iterator<Item = (usize, &'a str)>,
    nrows: usize,
    ncols: usize,
    nnz: usize,
    banner: &Banner,
    text_len: usize,
    path: &Path,
) -> Result<CsrMatrix> {
    // Each entry takes at least 4 bytes ("1 1\n"), so the text bounds the true count and a
    // lying size line cannot make us reserve more than the file could hold.
    let cap = nnz
        .min(text_len / 4 + 1)
        .saturating_mul(if banner.symmetric { 2 } else { 1 });
    let mut rows = Vec::with_capacity(cap);
    let mut cols = Vec::with_capacity(cap);
    let mut vals = Vec::with_capacity(cap);
    let per_entry = if banner.field == MtxField::Pattern {
        2
    } else {
        3
    };
    let mut count = 0usize;
    for (line_no, line) in data {
        count += 1;
        if count > nnz {
            return Err(Error::format(
                path,
                format!(
                    "the size line declares {nnz} entries but line {line_no} holds entry {count}"
                ),
            ));
        }
        let at = |detail: String| {
            Error::format(path, format!("entry {count} (line {line_no}): {detail}"))
        };
        // A fixed-size token buffer: no allocation per entry.
        let mut toks = [""; 3];
        let mut ntok = 0;
        for t in line.split_ascii_whitespace() {
            if ntok < 3 {
                toks[ntok] = t;
            }
            ntok += 1;
        }
        if ntok != per_entry {
            return Err(at(format!(
                "expected {per_entry} fields ({}), got {}",
                if per_entry == 2 {
                    "row col"
                } else {
                    "row col value"
                },
                ntok
            )));
        }
        let index = |tok: &str, what: &str, n: usize| -> Result<usize> {
            match parse_usize(tok) {
                Some(i) if (1..=n).contains(&i) => Ok(i - 1),
                Some(i) => Err(at(format!("{what} index {i} outside 1..={n}"))),
                None => Err(at(format!(
                    "{what} index '{tok}' is not a positive integer"
                ))),
            }
        };
        let i = index(toks[0], "row", nrows)?;
        let j = index(toks[1], "column", ncols)?;
        let v = match banner.field {
            MtxField::Pattern => 1.0,
            field => parse_value(toks[2], field).ok_or_else(|| {
                at(format!(
                    "value '{}' is not {}",
                    toks[2],
                    if field == MtxField::Integer {
                        "an integer"
                    } else {
                        "a real number"
                    }
                ))
            })?,
        };
        rows.push(i);
        cols.push(j);
        vals.push(v);
        if banner.symmetric && i != j {
            rows.push(j);
            cols.push(i);
            vals.push(v);
        }
    }
    if count != nnz {
        return Err(Error::format(
            path,
            format!("the size line declares {nnz} entries but the file holds {count}"),
        ));
    }
    CsrMatrix::from_triplets(nrows, ncols, &rows, &cols, &vals)
        .map_err(|e| Error::format(path, e.to_string()))
}

/// Reads the values of an array file (column-major; lower triangle if symmetric).
fn parse_array<'a>(
    data: impl Iterator<Item = (usize, &'a str)>,
    nrows: usize,
    ncols: usize,
    banner: &Banner,
    text_len: usize,
    path: &Path,
) -> Result<CsrMatrix> {
    let expected = if banner.symmetric {
        // n (n + 1) / 2 values: the lower triangle, column by column.
        nrows.checked_mul(nrows.saturating_add(1)).map(|v| v / 2)
    } else {
        nrows.checked_mul(ncols)
    };
    // Each value takes at least 2 bytes ("1\n"): check before reserving anything.
    let expected = match expected {
        Some(e) if e <= text_len / 2 + 1 => e,
        _ => {
            return Err(Error::format(
                path,
                format!(
                    "the size line declares a {nrows} x {ncols} array but the file ({text_len} bytes) \
                     is too short to hold its values"
                ),
            ));
        }
    };
    let mut rows = Vec::new();
    let mut cols = Vec::new();
    let mut vals = Vec::new();
    let mut count = 0usize;
    // Position of value number `count` (0-based) in column-major order.
    let (mut i, mut j) = (0usize, 0usize);
    for (line_no, line) in data {
        for tok in line.split_whitespace() {
            count += 1;
            if count > expected {
                return Err(Error::format(
                    path,
                    format!(
                        "line {line_no}: more values than the {expected} the size line declares"
                    ),
                ));
            }
            let v = parse_value(tok, banner.field).ok_or_else(|| {
                Error::format(
                    path,
                    format!("value {count} (line {line_no}): '{tok}' is not a number"),
                )
            })?;
            // Exact zeros are not stored: an array file is dense, and scipy's mmread gives
            // a dense array whose zeros are no entries of the sparse form.
            if v != 0.0 {
                rows.push(i);
                cols.push(j);
                vals.push(v);
                if banner.symmetric && i != j {
                    rows.push(j);
                    cols.push(i);
                    vals.push(v);
                }
            }
            i += 1;
            if i == nrows {
                j += 1;
                i = if banner.symmetric { j } else { 0 };
            }
        }
    }
    if count != expected {
        return Err(Error::format(
            path,
            format!(
                "the size line declares {expected} values ({nrows} x {ncols}) but the file holds {count}"
            ),
        ));
    }
    CsrMatrix::from_triplets(nrows, ncols, &rows, &cols, &vals)
        .map_err(|e| Error::format(path, e.to_string()))
}

/// Reads a Matrix Market file (`scipy.io.mmread`) as a sparse matrix and its field.
///
/// # Errors
/// As [`parse_mtx`]; [`Error::Io`] if the file cannot be read.
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-read-mtx-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("p.mtx");
/// std::fs::write(&path, "%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n").unwrap();
/// let (m, field) = mlinalg::io::read_mtx(&path)?;
/// assert_eq!(field, mlinalg::io::MtxField::Pattern);
/// assert_eq!(m.to_dense()?, ndarray::array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn read_mtx(path: &Path) -> Result<(CsrMatrix, MtxField)> {
    parse_mtx(&read_text(path)?, path)
}

/// Writes `m` as `%%MatrixMarket matrix coordinate real general`, entries row by row with
/// 17 significant digits (enough to read back the same `f64`). Written to a temporary
/// name and renamed into place.
///
/// # Errors
/// [`Error::Io`] if the file cannot be written (no partial file is left).
///
/// # Examples
/// ```
/// use mlinalg::sparse::CsrMatrix;
/// let dir = std::env::temp_dir().join(format!("mlinalg-write-mtx-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("i.mtx");
/// mlinalg::io::write_mtx(&path, &CsrMatrix::identity(2))?;
/// let (m, _) = mlinalg::io::read_mtx(&path)?;
/// assert_eq!(m, CsrMatrix::identity(2));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn write_mtx(path: &Path, m: &CsrMatrix) -> Result<()> {
    write_atomic(path, |w| {
        let mut out = String::new();
        out.push_str("%%MatrixMarket matrix coordinate real general\n%\n");
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{} {} {}", m.nrows(), m.ncols(), m.nnz());
        let (indptr, indices, data) = (m.indptr(), m.indices(), m.data());
        for i in 0..m.nrows() {
            for k in indptr[i]..indptr[i + 1] {
                // `{:.16e}`: 17 significant digits, the most an f64 needs to round-trip.
                let _ = writeln!(out, "{} {} {:.16e}", i + 1, indices[k] + 1, data[k]);
            }
            if out.len() >= 1 << 16 {
                write_all(w, path, out.as_bytes())?;
                out.clear();
            }
        }
        write_all(w, path, out.as_bytes())
    })
}
