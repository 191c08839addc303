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

use rayon::prelude::*;

use super::{Dtype, read_text, write_all, write_atomic};
use crate::error::{Error, Result, escape_excerpt};
use crate::sparse::{CsrMatrix, MAX_DIM};

mod stream;

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
            escape_excerpt(line.trim())
        )));
    }
    if words[1] != "matrix" {
        return Err(bad(format!(
            "unsupported Matrix Market object '{}' (supported: matrix)",
            escape_excerpt(&words[1])
        )));
    }
    let array = match words[2].as_str() {
        "coordinate" => false,
        "array" => true,
        other => {
            return Err(bad(format!(
                "unsupported Matrix Market format '{}' (supported: coordinate, array)",
                escape_excerpt(other)
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
                    "unsupported Matrix Market field '{}' (supported: real, integer, pattern)",
                    escape_excerpt(other)
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
                "unsupported Matrix Market symmetry '{}' (supported: general, symmetric)",
                escape_excerpt(other)
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
    parse_mtx_with(text, path, Chunking::Auto)
}

/// How the coordinate section is cut for parsing: by the data's size (parallel above
/// [`PARALLEL_MIN_BYTES`]), or (tests) at given byte offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Chunking<'a> {
    /// One chunk per rayon thread (×4, for balance) when the section is large.
    Auto,
    /// Chunks cut at the first line boundary at or after each of these offsets into the
    /// section (the parallel path, forced).
    At(&'a [usize]),
}

/// Below this many bytes of entries one thread parses them (splitting costs more).
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// [`parse_mtx`] with a chosen [`Chunking`] of the coordinate section.
pub(crate) fn parse_mtx_with(
    text: &str,
    path: &Path,
    chunking: Chunking<'_>,
) -> Result<(CsrMatrix, MtxField)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = parse_header(text, path)?;
    let (banner, nrows, ncols) = (&header.banner, header.nrows, header.ncols);
    let first_line = header.first_line;
    let section = &text[header.section..];
    let m = if banner.array {
        let data = section
            .lines()
            .enumerate()
            .map(|(i, l)| (first_line + i, l))
            .filter(|(_, l)| !is_skipped(l));
        parse_array(data, nrows, ncols, banner, text.len(), path)?
    } else {
        let shape = Coordinate {
            nrows,
            ncols,
            nnz: header.nnz,
            banner,
            path,
        };
        parse_coordinate(section, first_line, &shape, chunking)?
    };
    Ok((m, banner.field))
}

/// What the lines before the entries say.
pub(super) struct Header {
    banner: Banner,
    nrows: usize,
    ncols: usize,
    /// The declared number of entries (coordinate files; 0 for array files).
    nnz: usize,
    /// Byte offset of the line after the size line.
    section: usize,
    /// Line number (from 1) of that line.
    first_line: usize,
}

/// Parses the banner, the comments and the size line at the start of `text` (a byte-order
/// mark already dropped).
fn parse_header(text: &str, path: &Path) -> Result<Header> {
    let mut lines = LineCursor::new(text);
    let banner_line = lines.next().map(|(_, l)| l).unwrap_or("");
    let banner = parse_banner(banner_line, path)?;
    let size = loop {
        match lines.next() {
            None => break None,
            Some((_, l)) if is_skipped(l) => {}
            Some(found) => break Some(found),
        }
    };
    let Some((size_line_no, size_line)) = size else {
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
                    escape_excerpt(size_line.trim()),
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
    Ok(Header {
        nnz: if banner.array { 0 } else { sizes[2] },
        banner,
        nrows,
        ncols,
        section: lines.pos,
        first_line: lines.line_no + 1,
    })
}

/// Whether a line holds no data: blank, or a comment (`%`, after leading blanks).
fn is_skipped(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('%')
}

/// `str::lines` with the line number (from 1) and the byte offset after each line.
struct LineCursor<'a> {
    text: &'a str,
    pos: usize,
    line_no: usize,
}

impl<'a> LineCursor<'a> {
    fn new(text: &'a str) -> Self {
        LineCursor {
            text,
            pos: 0,
            line_no: 0,
        }
    }

    fn next(&mut self) -> Option<(usize, &'a str)> {
        let rest = &self.text[self.pos..];
        if rest.is_empty() {
            return None;
        }
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        self.line_no += 1;
        Some((self.line_no, line.strip_suffix('\r').unwrap_or(line)))
    }
}

/// What the entries of a coordinate file are checked against.
struct Coordinate<'a> {
    nrows: usize,
    ncols: usize,
    nnz: usize,
    banner: &'a Banner,
    path: &'a Path,
}

/// The entries of one chunk, in file order (symmetric mirrors right after their entry).
#[derive(Debug, Default)]
pub(crate) struct Triplets {
    pub(crate) rows: Vec<usize>,
    pub(crate) cols: Vec<usize>,
    pub(crate) vals: Vec<f64>,
    /// Entries read (before mirroring).
    entries: usize,
}

impl Triplets {
    /// Appends one stored entry, growing the buffers through `try_reserve` (a file of a
    /// billion entries must end in an error, not an abort, where memory is short).
    fn push(&mut self, i: usize, j: usize, v: f64) -> std::result::Result<(), ()> {
        if self.rows.len() == self.rows.capacity() {
            let more = self.rows.len().max(1024);
            self.rows.try_reserve(more).map_err(|_| ())?;
            self.cols.try_reserve(more).map_err(|_| ())?;
            self.vals.try_reserve(more).map_err(|_| ())?;
        }
        self.rows.push(i);
        self.cols.push(j);
        self.vals.push(v);
        Ok(())
    }
}

/// Reads the entries of a coordinate file: the section after the size line, whose first
/// line is line `first_line` of the file.
///
/// Large sections are cut at line boundaries into chunks parsed in parallel on the rayon
/// pool; the chunks' entries, in file order, are merged into CSR with one counting pass
/// ([`CsrMatrix::from_triplet_chunks`]), so duplicates are summed in the same order as by a
/// single thread. A chunk that finds an error, or a total that differs from the size line,
/// makes one thread parse the section again for the message (the entry number and line of
/// the first problem, exactly as a sequential read reports it).
fn parse_coordinate(
    section: &str,
    first_line: usize,
    shape: &Coordinate<'_>,
    chunking: Chunking<'_>,
) -> Result<CsrMatrix> {
    let cuts: Vec<usize> = match chunking {
        Chunking::Auto if section.len() < PARALLEL_MIN_BYTES => Vec::new(),
        Chunking::Auto => {
            let parts = (rayon::current_num_threads() * 4).max(1);
            (1..parts).map(|p| section.len() / parts * p).collect()
        }
        Chunking::At(offsets) => offsets.to_vec(),
    };
    if cuts.is_empty() {
        let t = parse_chunk(section, first_line, shape, true)?;
        return finish_coordinate(&[t], shape);
    }
    let chunks = split_at_lines(section, &cuts);
    // Line numbers of the chunks' first lines (only needed for messages, which the
    // sequential re-read gives; counted anyway so a chunk's lines are numbered right).
    let mut firsts = Vec::with_capacity(chunks.len());
    let mut line = first_line;
    for c in &chunks {
        firsts.push(line);
        line += c.bytes().filter(|&b| b == b'\n').count();
    }
    let parsed: Vec<Result<Triplets>> = chunks
        .par_iter()
        .zip(firsts.par_iter())
        .map(|(c, &f)| parse_chunk(c, f, shape, false))
        .collect();
    let mut parts = Vec::with_capacity(parsed.len());
    for p in parsed {
        match p {
            Ok(t) => parts.push(t),
            // The sequential read reports the first problem of the file.
            Err(_) => return parse_coordinate(section, first_line, shape, Chunking::At(&[])),
        }
    }
    let total: usize = parts.iter().map(|t| t.entries).sum();
    if total != shape.nnz {
        drop(parts);
        return parse_coordinate(section, first_line, shape, Chunking::At(&[]));
    }
    finish_coordinate(&parts, shape)
}

/// The CSR matrix of the chunks' entries, after the count was checked.
fn finish_coordinate(parts: &[Triplets], shape: &Coordinate<'_>) -> Result<CsrMatrix> {
    let total: usize = parts.iter().map(|t| t.entries).sum();
    if total != shape.nnz {
        return Err(Error::format(
            shape.path,
            format!(
                "the size line declares {} entries but the file holds {total}",
                shape.nnz
            ),
        ));
    }
    let chunks: Vec<(&[usize], &[usize], &[f64])> = parts
        .iter()
        .map(|t| (t.rows.as_slice(), t.cols.as_slice(), t.vals.as_slice()))
        .collect();
    CsrMatrix::from_triplet_chunks(shape.nrows, shape.ncols, &chunks)
        .map_err(|e| Error::format(shape.path, e.to_string()))
}

/// `text` cut into pieces that end right after a `\n` (the last one at the end of the
/// text): each cut moves to the first line boundary at or after its offset. Empty pieces
/// are dropped.
pub(crate) fn split_at_lines<'a>(text: &'a str, cuts: &[usize]) -> Vec<&'a str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &c in cuts {
        if c <= start {
            continue;
        }
        if c >= text.len() {
            break;
        }
        // The cut is at a line boundary when the byte before it ends a line.
        let end = if bytes[c - 1] == b'\n' {
            c
        } else {
            match bytes[c..].iter().position(|&b| b == b'\n') {
                Some(i) => c + i + 1,
                None => text.len(),
            }
        };
        if end > start {
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() || out.is_empty() {
        out.push(&text[start..]);
    }
    out
}

/// Parses the entry lines of one chunk whose first line is line `first_line`. With
/// `whole` (the chunk is the entire section) errors name the entry and line exactly and
/// an entry beyond the declared count stops the read at once.
fn parse_chunk(
    chunk: &str,
    first_line: usize,
    shape: &Coordinate<'_>,
    whole: bool,
) -> Result<Triplets> {
    let (nrows, ncols, nnz, banner, path) = (
        shape.nrows,
        shape.ncols,
        shape.nnz,
        shape.banner,
        shape.path,
    );
    // Each entry takes at least 4 bytes ("1 1\n"), so the text bounds the true count and a
    // lying size line cannot make us reserve more than the chunk could hold; typical
    // entries take 12 bytes or more, and the buffers grow when they do not.
    let cap = nnz
        .min(chunk.len() / 12 + 1)
        .saturating_mul(if banner.symmetric { 2 } else { 1 });
    let mut out = Triplets::default();
    let reserve = |v: &mut Triplets| -> std::result::Result<(), std::collections::TryReserveError> {
        v.rows.try_reserve_exact(cap)?;
        v.cols.try_reserve_exact(cap)?;
        v.vals.try_reserve_exact(cap)
    };
    let no_memory = |n: usize| Error::Unsupported {
        op: "read_mtx",
        detail: format!(
            "{}: cannot allocate the entries ({n} so far)",
            path.display()
        ),
    };
    reserve(&mut out).map_err(|_| no_memory(0))?;
    let per_entry = if banner.field == MtxField::Pattern {
        2
    } else {
        3
    };
    let mut count = 0usize;
    for (k, line) in chunk.lines().enumerate() {
        if is_skipped(line) {
            continue;
        }
        let line_no = first_line + k;
        count += 1;
        if whole && count > nnz {
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
                    "{what} index '{}' is not a positive integer",
                    escape_excerpt(tok)
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
                    escape_excerpt(toks[2]),
                    if field == MtxField::Integer {
                        "an integer"
                    } else {
                        "a real number"
                    }
                ))
            })?,
        };
        out.push(i, j, v).map_err(|()| no_memory(count))?;
        if banner.symmetric && i != j {
            out.push(j, i, v).map_err(|()| no_memory(count))?;
        }
    }
    out.entries = count;
    Ok(out)
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
                    format!(
                        "value {count} (line {line_no}): '{}' is not a number",
                        escape_excerpt(tok)
                    ),
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
    read_mtx_with(path, STREAM_MIN_BYTES, stream::BUFFER, None)
}

/// Below this many bytes a file is read whole and parsed in memory; above, a plain
/// coordinate file is read in pieces, twice ([`stream`]), never held whole.
const STREAM_MIN_BYTES: u64 = 4 << 20;

/// [`read_mtx`] with the size from which files stream, the streaming buffer and the cuts
/// of the entries section (tests).
pub(crate) fn read_mtx_with(
    path: &Path,
    stream_min: u64,
    buffer: usize,
    cuts: Option<&[usize]>,
) -> Result<(CsrMatrix, MtxField)> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && meta.len() >= stream_min
        && let Some(read) = stream::read(path, meta.len(), stream::Plan { cuts, buffer })
    {
        return Ok(read);
    }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Chunking, parse_mtx_with, split_at_lines};

    pub(super) use super::parse_mtx;

    /// The result of a parse as comparable text: the CSR arrays, or the error message.
    fn outcome(text: &str, chunking: Chunking<'_>) -> String {
        match parse_mtx_with(text, Path::new("m.mtx"), chunking) {
            Ok((m, f)) => format!(
                "{f:?} {:?} {:?} {:?} {:?}",
                m.shape(),
                m.indptr(),
                m.indices(),
                m.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            ),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Files with comments between entries, blank lines, CRLF endings, duplicates (summed
    /// in file order), a symmetric file, a pattern file, no final newline, and broken
    /// files (a bad value in the middle, too many and too few entries).
    pub(super) fn files() -> Vec<String> {
        let mut v = vec![
            "%%MatrixMarket matrix coordinate real general\n% c\n4 5 7\n1 1 1.5\n% between\n\n2 3 -2e-3\n4 5 7\n1 1 0.25\n3 2 1e300\n  \n2 3 0.1\n4 1 -0\n".to_string(),
            "%%MatrixMarket matrix coordinate real general\r\n%\r\n3 3 4\r\n1 1 1\r\n\r\n2 2 2\r\n% x\r\n3 3 3\r\n1 3 4".to_string(),
            "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 2\n3 1 -1\n% c\n2 1 0.5\n3 3 1\n".to_string(),
            "%%MatrixMarket matrix coordinate pattern general\n3 4 5\n1 4\n2 2\n\n3 1\n1 4\n3 3\n".to_string(),
            "%%MatrixMarket matrix coordinate integer general\n2 2 3\n1 1 5\n2 2 -7\n1 2 9\n".to_string(),
            "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n2 2 x\n3 3 3\n1 2 4\n".to_string(),
            "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n2 2 2\n3 3 3\n".to_string(),
            "%%MatrixMarket matrix coordinate real general\n3 3 5\n1 1 1\n2 2 2\n".to_string(),
            "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n4 2 2\n".to_string(),
        ];
        // a longer one: 200 entries with duplicates and comments
        let mut s = String::from("%%MatrixMarket matrix coordinate real general\n%\n17 13 200\n");
        for k in 0..200usize {
            s.push_str(&format!(
                "{} {} {}\n",
                k * 7 % 17 + 1,
                k * 5 % 13 + 1,
                k as f64 / 8.0 - 3.0
            ));
            if k % 37 == 0 {
                s.push_str("% comment\n\n");
            }
        }
        v.push(s);
        v
    }

    #[test]
    fn split_at_lines_keeps_whole_lines() {
        let t = "ab\ncd\n\nef";
        for c in 0..=t.len() + 1 {
            let parts = split_at_lines(t, &[c]);
            assert_eq!(parts.concat(), t, "cut {c}");
            for p in &parts[..parts.len() - 1] {
                assert!(p.ends_with('\n'), "cut {c}: {parts:?}");
            }
        }
        assert_eq!(split_at_lines("", &[0, 3]), [""]);
    }

    /// The parallel parser equals the sequential one wherever the chunks are cut: every
    /// single cut and every pair of cuts of each file (entries across chunk edges,
    /// comments, blank lines, CRLF), errors included.
    #[test]
    fn parallel_parse_equals_sequential_at_every_cut() {
        for text in files() {
            let want = outcome(&text, Chunking::At(&[]));
            let section_len = text.len(); // cuts beyond the section are ignored
            for a in 0..section_len {
                assert_eq!(
                    outcome(&text, Chunking::At(&[a])),
                    want,
                    "cut {a} of {text:?}"
                );
                if text.len() < 200 {
                    for b in a..section_len {
                        assert_eq!(
                            outcome(&text, Chunking::At(&[a, b])),
                            want,
                            "cuts {a}, {b} of {text:?}"
                        );
                    }
                }
            }
            // one chunk per line
            let cuts: Vec<usize> = (0..section_len).collect();
            assert_eq!(outcome(&text, Chunking::At(&cuts)), want);
        }
    }

    #[test]
    fn sequential_results_are_right() {
        let f = files();
        assert!(
            outcome(&f[5], Chunking::At(&[]))
                .contains("entry 2 (line 4): value 'x' is not a real number")
        );
        assert!(
            outcome(&f[6], Chunking::At(&[]))
                .contains("declares 2 entries but line 5 holds entry 3")
        );
        assert!(
            outcome(&f[7], Chunking::At(&[])).contains("declares 5 entries but the file holds 2")
        );
        assert!(
            outcome(&f[8], Chunking::At(&[]))
                .contains("entry 2 (line 4): row index 4 outside 1..=3")
        );
    }
}
