//! Sparse row-block sources: [`CsrRowSource`], with SciPy `.npz` (CSR) and Matrix Market
//! `.mtx` (coordinate, entries in row order) readers that never hold more than one block.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::Dtype;
use crate::io::npy::{Descr, parse_header, parse_preamble};
use crate::sparse::CsrMatrix;

/// A sparse matrix read one block of consecutive rows at a time, each block a
/// [`CsrMatrix`] with all the columns.
pub trait CsrRowSource: Send {
    /// The number of columns.
    fn ncols(&self) -> usize;
    /// The number of rows.
    fn nrows(&self) -> u64;
    /// The next block, at most `max_rows` rows (≥ 1): `(first row, rows)`; `None` at the end.
    ///
    /// # Errors
    /// [`Error::Format`] naming the file and position for malformed input.
    fn read_block(&mut self, max_rows: usize) -> Result<Option<(u64, CsrMatrix)>>;
    /// Back to the first row.
    ///
    /// # Errors
    /// [`Error::Io`] if the input cannot be reopened.
    fn rewind(&mut self) -> Result<()>;
    /// The input's name for messages.
    fn name(&self) -> &Path;
    /// Bytes of input per pass, when known.
    fn input_bytes(&self) -> Option<u64> {
        None
    }
    /// The number of stored entries, when known (it sizes the blocks).
    fn nnz(&self) -> Option<u64> {
        None
    }
}

fn io(path: &Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        Error::format(path, "truncated file (it ended inside an array)")
    } else {
        Error::Io {
            path: path.to_path_buf(),
            source: e,
        }
    }
}

/// Where an array of a `.npz` archive is stored.
#[derive(Debug, Clone)]
struct Entry {
    data_start: u64,
    compressed: u64,
    deflated: bool,
    size: u64,
}

/// An array of a `.npz` being read front to back.
struct ArrayStream {
    reader: Box<dyn Read + Send>,
    dtype: Dtype,
    big_endian: bool,
    len: u64,
    read: u64,
    scratch: Vec<u8>,
}

impl ArrayStream {
    fn open(path: &Path, name: &str, e: &Entry) -> Result<Self> {
        let mut f = File::open(path).map_err(|err| io(path, err))?;
        f.seek(SeekFrom::Start(e.data_start))
            .map_err(|err| io(path, err))?;
        let raw = f.take(e.compressed);
        let mut reader: Box<dyn Read + Send> = if e.deflated {
            Box::new(flate2::read::DeflateDecoder::new(raw))
        } else {
            Box::new(raw)
        };
        let what = PathBuf::from(format!("{}:{name}", path.display()));
        let mut pre = [0u8; 12];
        let mut got = 0;
        while got < 12 {
            let n = reader.read(&mut pre[got..]).map_err(|err| io(&what, err))?;
            if n == 0 {
                break;
            }
            got += n;
        }
        let (_, header_len, pre_len) = parse_preamble(&pre[..got], &what)?;
        // a header longer than the entry is a corrupt archive, not a reason to allocate
        if (pre_len + header_len) as u64 > e.size {
            return Err(Error::format(&what, "truncated .npy header"));
        }
        let mut head = pre[..got.min(pre_len + header_len)].to_vec();
        head.resize(pre_len + header_len, 0);
        if got < pre_len + header_len {
            reader
                .read_exact(&mut head[got..])
                .map_err(|err| io(&what, err))?;
        }
        let header = parse_header(&head, e.size, &what)?;
        let (dtype, big_endian) = match header.descr {
            Descr::Num { dtype, big_endian }
                if matches!(
                    dtype,
                    Dtype::Float64 | Dtype::Float32 | Dtype::Int64 | Dtype::Int32 | Dtype::Bool
                ) =>
            {
                (dtype, big_endian)
            }
            _ => {
                return Err(Error::format(
                    &what,
                    "unsupported dtype (supported: float64, float32, int64, int32, bool)",
                ));
            }
        };
        let len: u64 = header.shape.iter().map(|&d| d as u64).product();
        let body = e.size - (pre_len + header_len) as u64;
        if len.checked_mul(dtype.itemsize() as u64) != Some(body) {
            return Err(Error::format(
                &what,
                format!(
                    "header says {len} values, the entry holds {body} bytes of {}",
                    dtype.numpy_name()
                ),
            ));
        }
        // any extra bytes after the preamble that belong to the body were read into `pre`
        let rest = pre[..got]
            .get(pre_len + header_len..)
            .unwrap_or(&[])
            .to_vec();
        if !rest.is_empty() {
            reader = Box::new(std::io::Cursor::new(rest).chain(reader));
        }
        Ok(ArrayStream {
            reader,
            dtype,
            big_endian,
            len,
            read: 0,
            scratch: Vec::new(),
        })
    }

    /// The next `n` values as `f64`.
    fn next(&mut self, n: usize, out: &mut Vec<f64>, path: &Path) -> Result<()> {
        if self.read + n as u64 > self.len {
            return Err(Error::format(path, "arrays of inconsistent lengths"));
        }
        let item = self.dtype.itemsize();
        self.scratch.resize(n * item, 0);
        self.reader
            .read_exact(&mut self.scratch)
            .map_err(|e| io(path, e))?;
        out.clear();
        out.reserve(n);
        macro_rules! conv {
            ($n:literal, $le:expr, $be:expr) => {
                for c in self.scratch.chunks_exact($n) {
                    let mut b = [0u8; $n];
                    b.copy_from_slice(c);
                    out.push(if self.big_endian { $be(b) } else { $le(b) });
                }
            };
        }
        match self.dtype {
            Dtype::Float64 => conv!(8, f64::from_le_bytes, f64::from_be_bytes),
            Dtype::Float32 => conv!(4, |b| f64::from(f32::from_le_bytes(b)), |b| f64::from(
                f32::from_be_bytes(b)
            )),
            Dtype::Int64 => conv!(
                8,
                |b| i64::from_le_bytes(b) as f64,
                |b| i64::from_be_bytes(b) as f64
            ),
            Dtype::Int32 => conv!(4, |b| f64::from(i32::from_le_bytes(b)), |b| f64::from(
                i32::from_be_bytes(b)
            )),
            Dtype::Bool => out.extend(self.scratch.iter().map(|&b| f64::from(u8::from(b != 0)))),
            // `open` admits the five dtypes above only
            _ => out.resize(n, f64::NAN),
        }
        self.read += n as u64;
        Ok(())
    }
}

/// Converts index values read as `f64` (from int32/int64 arrays) to `usize`.
fn to_index(v: &[f64], path: &Path, what: &str) -> Result<Vec<usize>> {
    v.iter()
        .map(|&x| {
            if x >= 0.0 && x.fract() == 0.0 && x < 9.007_199_254_740_992e15 {
                Ok(x as usize)
            } else {
                Err(Error::format(
                    path,
                    format!("'{what}' holds an invalid index {x}"),
                ))
            }
        })
        .collect()
}

/// A SciPy sparse `.npz` archive in CSR format (`scipy.sparse.save_npz`, compressed or
/// not), read one block of rows at a time: the `indptr`, `indices` and `data` arrays are
/// decompressed side by side, so memory holds one block, never the whole matrix.
///
/// # Examples
/// ```
/// use mlinalg::sparse::CsrMatrix;
/// use mlinalg::stream::{CsrRowSource, NpzCsrSource};
/// let dir = std::env::temp_dir().join(format!("mlinalg-npzsrc-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("i.npz");
/// CsrMatrix::identity(5).save_npz(&path)?;
/// let mut src = NpzCsrSource::open(&path)?;
/// let (first, block) = src.read_block(2)?.unwrap();
/// assert_eq!((first, block.nrows(), block.nnz()), (0, 2, 2));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub struct NpzCsrSource {
    path: PathBuf,
    nrows: u64,
    ncols: usize,
    bytes: u64,
    entries: [Entry; 3],
    streams: Option<[ArrayStream; 3]>,
    pos: u64,
    /// `indptr[pos]`, the first entry of the next block.
    last_ptr: usize,
    buf: Vec<f64>,
}

impl std::fmt::Debug for NpzCsrSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NpzCsrSource")
            .field("path", &self.path)
            .field("shape", &(self.nrows, self.ncols))
            .finish()
    }
}

impl NpzCsrSource {
    /// Opens the archive, reads its `format` and `shape` and locates the three arrays.
    ///
    /// # Errors
    /// [`Error::Format`] for an archive that is not a SciPy sparse `.npz`, or whose format
    /// is not `csr` (a CSC or COO matrix cannot be read by rows without loading it).
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| io(path, e))?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| Error::format(path, format!("not a valid .npz (zip) archive: {e}")))?;
        let mut entry = |name: &str| -> Result<Entry> {
            let f = zip.by_name(&format!("{name}.npy")).map_err(|_| {
                Error::format(
                    path,
                    format!("not a scipy.sparse .npz file: no '{name}' array"),
                )
            })?;
            let deflated = match f.compression() {
                zip::CompressionMethod::Stored => false,
                zip::CompressionMethod::Deflated => true,
                other => {
                    return Err(Error::format(
                        path,
                        format!("unsupported compression {other:?} of '{name}'"),
                    ));
                }
            };
            Ok(Entry {
                data_start: f.data_start(),
                compressed: f.compressed_size(),
                deflated,
                size: f.size(),
            })
        };
        let ents = [entry("indptr")?, entry("indices")?, entry("data")?];
        let mut small = |name: &str| -> Result<Vec<f64>> {
            let e = entry(name)?;
            if e.size > 1 << 16 {
                return Err(Error::format(path, format!("'{name}' is too large")));
            }
            let mut s = ArrayStream::open(path, name, &e)?;
            let mut v = Vec::new();
            let n = usize::try_from(s.len).unwrap_or(0);
            s.next(n, &mut v, path)?;
            Ok(v)
        };
        let shape = to_index(&small("shape")?, path, "shape")?;
        let &[nrows, ncols] = shape.as_slice() else {
            return Err(Error::format(path, "'shape' must have 2 entries"));
        };
        let fmt = format_of(path)?;
        if fmt != "csr" {
            return Err(Error::format(
                path,
                format!(
                    "a '{}' matrix cannot be streamed by rows: save it as CSR (scipy: m.tocsr())",
                    crate::error::escape_excerpt(&fmt)
                ),
            ));
        }
        let mut s = NpzCsrSource {
            path: path.to_path_buf(),
            nrows: nrows as u64,
            ncols,
            bytes,
            entries: ents,
            streams: None,
            pos: 0,
            last_ptr: 0,
            buf: Vec::new(),
        };
        s.rewind()?;
        Ok(s)
    }
}

/// The `format` string of a SciPy sparse archive (read with the in-memory reader's raw
/// entries: it is a few bytes).
fn format_of(path: &Path) -> Result<String> {
    let file = File::open(path).map_err(|e| io(path, e))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| Error::format(path, format!("not a valid .npz (zip) archive: {e}")))?;
    let mut f = zip
        .by_name("format.npy")
        .map_err(|_| Error::format(path, "not a scipy.sparse .npz file: no 'format' array"))?;
    if f.size() > 4096 {
        return Err(Error::format(path, "'format' is too large"));
    }
    let mut b = Vec::new();
    f.read_to_end(&mut b).map_err(|e| io(path, e))?;
    let h = parse_header(&b, b.len() as u64, path)?;
    let body = b.get(h.data_offset..).unwrap_or(&[]);
    let text: String = body
        .iter()
        .filter(|&&c| c != 0)
        .map(|&c| c as char)
        .collect();
    Ok(text.trim().to_string())
}

impl NpzCsrSource {
    /// Bytes of the three arrays once decompressed (what loading the matrix would take).
    #[must_use]
    pub fn uncompressed_bytes(&self) -> u64 {
        self.entries.iter().map(|e| e.size).sum()
    }
}

impl CsrRowSource for NpzCsrSource {
    fn ncols(&self) -> usize {
        self.ncols
    }
    fn nrows(&self) -> u64 {
        self.nrows
    }
    fn read_block(&mut self, max_rows: usize) -> Result<Option<(u64, CsrMatrix)>> {
        if self.pos >= self.nrows {
            return Ok(None);
        }
        let rows = (max_rows.max(1) as u64).min(self.nrows - self.pos) as usize;
        let path = self.path.clone();
        let Some([ip, ix, dt]) = self.streams.as_mut() else {
            return Err(Error::format(&path, "not open"));
        };
        ip.next(rows, &mut self.buf, &path)?;
        let ptr = to_index(&self.buf, &path, "indptr")?;
        let end = *ptr.last().unwrap_or(&self.last_ptr);
        if end < self.last_ptr || ptr.windows(2).any(|w| w[1] < w[0]) || ptr[0] < self.last_ptr {
            return Err(Error::format(
                &path,
                format!(
                    "'indptr' decreases (rows {}..{})",
                    self.pos,
                    self.pos + rows as u64
                ),
            ));
        }
        let nnz = end - self.last_ptr;
        ix.next(nnz, &mut self.buf, &path)?;
        let indices = to_index(&self.buf, &path, "indices")?;
        dt.next(nnz, &mut self.buf, &path)?;
        let data = std::mem::take(&mut self.buf);
        let mut indptr = Vec::with_capacity(rows + 1);
        indptr.push(0);
        indptr.extend(ptr.iter().map(|&p| p - self.last_ptr));
        let first = self.pos;
        let m =
            CsrMatrix::try_from_csr_data(rows, self.ncols, indptr, indices, data).map_err(|e| {
                Error::format(&path, format!("rows {first}..{}: {e}", first + rows as u64))
            })?;
        self.last_ptr = end;
        self.pos += rows as u64;
        Ok(Some((first, m)))
    }
    fn rewind(&mut self) -> Result<()> {
        let names = ["indptr", "indices", "data"];
        let mut s: Vec<ArrayStream> = Vec::with_capacity(3);
        for (n, e) in names.iter().zip(&self.entries) {
            s.push(ArrayStream::open(&self.path, n, e)?);
        }
        let path = self.path.clone();
        let mut it = s.into_iter();
        let (Some(mut ip), Some(ix), Some(dt)) = (it.next(), it.next(), it.next()) else {
            return Err(Error::format(&path, "cannot open the arrays"));
        };
        if ip.len != self.nrows + 1 {
            return Err(Error::format(
                &path,
                format!(
                    "'indptr' has {} entries, expected {}",
                    ip.len,
                    self.nrows + 1
                ),
            ));
        }
        ip.next(1, &mut self.buf, &path)?;
        if self.buf.first() != Some(&0.0) {
            return Err(Error::format(&path, "'indptr' does not start at 0"));
        }
        self.streams = Some([ip, ix, dt]);
        self.pos = 0;
        self.last_ptr = 0;
        Ok(())
    }
    fn name(&self) -> &Path {
        &self.path
    }
    fn input_bytes(&self) -> Option<u64> {
        Some(self.bytes)
    }
    fn nnz(&self) -> Option<u64> {
        self.streams.as_ref().map(|[_, _, data]| data.len)
    }
}

/// A Matrix Market `coordinate` file (real, integer or pattern; general) whose entries are
/// in row order (as `scipy.io.mmwrite` writes a CSR matrix), read one block of rows at a
/// time. An entry out of row order is an error naming its line: the file then has to be
/// loaded whole (or converted to `.npz`).
#[derive(Debug)]
pub struct MtxCsrSource {
    path: PathBuf,
    reader: BufReader<File>,
    bytes: u64,
    nrows: u64,
    ncols: usize,
    nnz: u64,
    pattern: bool,
    data_start: u64,
    line_no: u64,
    first_line: u64,
    /// The entry read past the current block: (row, col, value, line).
    pending: Option<(u64, usize, f64, u64)>,
    seen: u64,
    pos: u64,
    last_row: u64,
    line: String,
}

/// The longest line of a streamed `.mtx` file: an entry is a few dozen bytes, and a file
/// of one endless line must not be read into memory whole (streaming exists for files
/// larger than memory).
const MAX_MTX_LINE: u64 = 1 << 20;

/// `read_line` of at most [`MAX_MTX_LINE`] bytes: a longer line is an error.
fn read_line_capped(reader: &mut BufReader<File>, line: &mut String, path: &Path) -> Result<usize> {
    let n = reader
        .by_ref()
        .take(MAX_MTX_LINE + 1)
        .read_line(line)
        .map_err(|e| io(path, e))?;
    if n as u64 > MAX_MTX_LINE {
        return Err(Error::format(
            path,
            format!("a line longer than {MAX_MTX_LINE} bytes: not a Matrix Market file"),
        ));
    }
    Ok(n)
}

impl MtxCsrSource {
    /// Opens the file and reads its banner and size line.
    ///
    /// # Errors
    /// [`Error::Format`] for a file that is not a general coordinate Matrix Market file.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| io(path, e))?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line = String::new();
        let mut line_no = 0u64;
        let mut offset = 0u64;
        let mut read_line = |line: &mut String, reader: &mut BufReader<File>| -> Result<bool> {
            line.clear();
            let n = read_line_capped(reader, line, path)?;
            offset += n as u64;
            line_no += 1;
            Ok(n > 0)
        };
        if !read_line(&mut line, &mut reader)? {
            return Err(Error::format(path, "empty file"));
        }
        let words: Vec<String> = line
            .split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        if words.first().map(String::as_str) != Some("%%matrixmarket")
            || words.len() != 5
            || words[1] != "matrix"
        {
            return Err(Error::format(path, "not a Matrix Market matrix file"));
        }
        if words[2] != "coordinate" {
            return Err(Error::format(
                path,
                "only coordinate Matrix Market files can be streamed",
            ));
        }
        let pattern = match words[3].as_str() {
            "real" | "double" | "integer" => false,
            "pattern" => true,
            other => {
                return Err(Error::format(
                    path,
                    format!(
                        "unsupported Matrix Market field '{}' (supported: real, integer, pattern)",
                        crate::error::escape_excerpt(other)
                    ),
                ));
            }
        };
        if words[4] != "general" {
            return Err(Error::format(
                path,
                format!(
                    "a {} Matrix Market file cannot be streamed by rows (its mirrored entries are out of row order)",
                    crate::error::escape_excerpt(&words[4])
                ),
            ));
        }
        loop {
            if !read_line(&mut line, &mut reader)? {
                return Err(Error::format(path, "no size line"));
            }
            let t = line.trim();
            if !(t.is_empty() || t.starts_with('%')) {
                break;
            }
        }
        let nums: Vec<u64> = line
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect();
        let &[m, n, nnz] = nums.as_slice() else {
            return Err(Error::format(
                path,
                format!(
                    "line {line_no}: bad size line '{}'",
                    crate::error::escape_excerpt(line.trim())
                ),
            ));
        };
        let ncols = usize::try_from(n).map_err(|_| Error::format(path, "too many columns"))?;
        Ok(MtxCsrSource {
            path: path.to_path_buf(),
            reader,
            bytes,
            nrows: m,
            ncols,
            nnz,
            pattern,
            data_start: offset,
            line_no,
            first_line: line_no,
            pending: None,
            seen: 0,
            pos: 0,
            last_row: 0,
            line,
        })
    }

    /// The next entry `(row, col, value, line)` (0-based indices), or `None` at the end.
    fn next_entry(&mut self) -> Result<Option<(u64, usize, f64, u64)>> {
        if let Some(e) = self.pending.take() {
            return Ok(Some(e));
        }
        loop {
            self.line.clear();
            let n = read_line_capped(&mut self.reader, &mut self.line, &self.path)?;
            if n == 0 {
                if self.seen != self.nnz {
                    return Err(Error::format(
                        &self.path,
                        format!(
                            "the size line promises {} entries, the file holds {}",
                            self.nnz, self.seen
                        ),
                    ));
                }
                return Ok(None);
            }
            self.line_no += 1;
            let t = self.line.trim();
            if t.is_empty() || t.starts_with('%') {
                continue;
            }
            let ln = self.line_no;
            let bad = |what: &str| Error::format(&self.path, format!("line {ln}: {what}"));
            let mut it = t.split_whitespace();
            let i: u64 = it
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad("bad row index"))?;
            let j: u64 = it
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad("bad column index"))?;
            let v: f64 = if self.pattern {
                1.0
            } else {
                it.next()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| bad("bad value"))?
            };
            if i == 0 || i > self.nrows || j == 0 || j > self.ncols as u64 {
                return Err(bad(&format!(
                    "entry ({i}, {j}) outside the {} × {} matrix",
                    self.nrows, self.ncols
                )));
            }
            if i - 1 < self.last_row {
                return Err(bad(&format!(
                    "entry in row {i} after row {}: streaming needs the entries in row order (load the file whole or save it as CSR .npz)",
                    self.last_row + 1
                )));
            }
            self.seen += 1;
            if self.seen > self.nnz {
                return Err(bad(&format!(
                    "more entries than the {} the size line promises",
                    self.nnz
                )));
            }
            self.last_row = i - 1;
            return Ok(Some((i - 1, (j - 1) as usize, v, ln)));
        }
    }
}

impl MtxCsrSource {
    /// The number of entries the size line declares.
    #[must_use]
    pub fn nnz(&self) -> u64 {
        self.nnz
    }
}

impl CsrRowSource for MtxCsrSource {
    fn ncols(&self) -> usize {
        self.ncols
    }
    fn nrows(&self) -> u64 {
        self.nrows
    }
    fn read_block(&mut self, max_rows: usize) -> Result<Option<(u64, CsrMatrix)>> {
        if self.pos >= self.nrows {
            return Ok(None);
        }
        let rows = (max_rows.max(1) as u64).min(self.nrows - self.pos);
        let end = self.pos + rows;
        let (mut ri, mut ci, mut vi) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(e) = self.next_entry()? {
            if e.0 >= end {
                self.pending = Some(e);
                break;
            }
            ri.push((e.0 - self.pos) as usize);
            ci.push(e.1);
            vi.push(e.2);
        }
        let first = self.pos;
        let m = CsrMatrix::from_triplets(rows as usize, self.ncols, &ri, &ci, &vi)
            .map_err(|e| Error::format(&self.path, format!("rows {first}..{end}: {e}")))?;
        self.pos = end;
        Ok(Some((first, m)))
    }
    fn rewind(&mut self) -> Result<()> {
        self.reader
            .seek(SeekFrom::Start(self.data_start))
            .map_err(|e| io(&self.path, e))?;
        self.line_no = self.first_line;
        self.pending = None;
        self.seen = 0;
        self.pos = 0;
        self.last_row = 0;
        Ok(())
    }
    fn name(&self) -> &Path {
        &self.path
    }
    fn input_bytes(&self) -> Option<u64> {
        Some(self.bytes)
    }
    fn nnz(&self) -> Option<u64> {
        Some(self.nnz)
    }
}
