//! [`CsvSource`]: a numeric CSV table read record by record, with the rules of
//! [`read_csv`](crate::io::read_csv).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::source::{Block, RowSource};
use crate::error::{Error, Result};

/// Bytes read from the file at a time (at least; an incomplete record doubles it).
const CHUNK: usize = 1 << 20;

/// The longest record (line, or lines of one quoted record) read: 64 MiB, some three
/// million numeric cells. A file with a longer one (a 10 GB file without a newline) is an
/// error naming its line, not a buffer as large as the file.
const MAX_CSV_RECORD: usize = 64 << 20;

/// A numeric CSV file read as a stream of rows, with [`read_csv`](crate::io::read_csv)'s
/// rules: cells separated by commas, spaces around cells, CRLF, blank lines, a byte-order
/// mark and double-quoted cells accepted; a first row with a non-numeric cell is a header;
/// numbers as Python's `float`. Every row must have the first row's number of cells.
/// Errors name the file, the row (the line where the record starts, from 1) and the
/// column, wherever they are in the file — a table ragged at row 10⁷ fails there, with
/// the rows before it having used only one block of memory. A record (line) longer than
/// 64 MiB is an error naming its line, so a multi-gigabyte file without a line end is
/// never buffered whole.
///
/// The table is always 2-d (a one-column file is one column, not a vector). The number of
/// rows is not known before a pass.
///
/// # Examples
/// ```
/// use mlinalg::stream::{Block, CsvSource, RowSource};
/// let dir = std::env::temp_dir().join(format!("mlinalg-csvsrc-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("t.csv");
/// std::fs::write(&path, "x,y\n1,2\n3,4\n5,6\n").unwrap();
/// let mut src = CsvSource::open(&path)?;
/// assert_eq!(src.ncols(), 2);
/// let mut b = Block::new();
/// src.read_block(&mut b, 2)?;
/// assert_eq!(b.view(), ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug)]
pub struct CsvSource {
    path: PathBuf,
    reader: BufReader<File>,
    bytes: u64,
    /// Unparsed bytes read from the file, from `start`.
    buf: Vec<u8>,
    start: usize,
    eof: bool,
    /// Line number of `buf[start]`.
    line: u64,
    ncols: usize,
    first: bool,
    pos: u64,
    staged: Vec<f64>,
    cells: Vec<(usize, usize, bool)>,
}

impl CsvSource {
    /// Opens `path` and reads its first record (the header, or the first row) to learn
    /// the number of columns.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; [`Error::Format`] for a file without data rows
    /// or with a malformed first record.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut s = CsvSource {
            path: path.to_path_buf(),
            reader: BufReader::with_capacity(CHUNK, file),
            bytes,
            buf: Vec::new(),
            start: 0,
            eof: false,
            line: 1,
            ncols: 0,
            first: true,
            pos: 0,
            staged: Vec::new(),
            cells: Vec::new(),
        };
        s.rewind()?;
        // peek at the first data row's width: read one row, then start again
        let mut b = Block::new();
        if !s.read_block(&mut b, 1)? {
            return Err(Error::format(path, "no data rows"));
        }
        s.rewind()?;
        Ok(s)
    }

    fn err(&self, line: u64, what: impl std::fmt::Display) -> Error {
        Error::format(&self.path, format!("row {line}: {what}"))
    }

    /// Reads more of the file into `buf`; `false` at the end of the file.
    ///
    /// # Errors
    /// [`Error::Format`] naming the line when the unparsed record already holds more than
    /// [`MAX_CSV_RECORD`] bytes.
    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let old = self.buf.len();
        if old > MAX_CSV_RECORD {
            return Err(Error::format(
                &self.path,
                format!(
                    "line {}: a record longer than {MAX_CSV_RECORD} bytes (no end of line \
                     within {} MiB): not a CSV table this reader accepts",
                    self.line,
                    MAX_CSV_RECORD >> 20
                ),
            ));
        }
        // `try_scan` rescans the incomplete record from its start after each read: reading
        // as much again as is pending keeps a long record's scans linear in its length.
        // A small file is read in one piece of its size (not a zeroed 1 MiB buffer).
        let file_len = usize::try_from(self.bytes).unwrap_or(usize::MAX);
        let want = CHUNK
            .max(old)
            .min(MAX_CSV_RECORD + 1 - old.min(MAX_CSV_RECORD))
            .min(file_len.saturating_add(1).max(4096));
        self.buf.resize(old + want, 0);
        let n = loop {
            match self.reader.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(Error::Io {
                        path: self.path.clone(),
                        source: e,
                    });
                }
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Splits the next record into `self.cells` (byte ranges in `buf`, and whether the cell
    /// was quoted); returns the record's first line, or `None` at the end of the file.
    /// Blank lines are skipped.
    fn next_record(&mut self) -> Result<Option<u64>> {
        loop {
            match self.scan()? {
                Some((end, lines)) => {
                    let line = self.line;
                    let blank = self.cells.len() == 1 && {
                        let (a, b, q) = self.cells[0];
                        !q && self.buf[a..b].iter().all(|c| c.is_ascii_whitespace())
                    };
                    self.line += lines;
                    self.start = end;
                    if !blank {
                        return Ok(Some(line));
                    }
                }
                None => return Ok(None),
            }
        }
    }

    /// Scans one record from `start`, reading more as needed: `(end, newlines)` with `end`
    /// just past its terminating newline (or the end of the file).
    fn scan(&mut self) -> Result<Option<(usize, u64)>> {
        loop {
            if self.start >= self.buf.len() && !self.fill()? {
                return Ok(None);
            }
            if let Some(r) = self.try_scan()? {
                return Ok(Some(r));
            }
            // incomplete record: read more (at the end of the file it is complete)
            if !self.fill()? {
                self.buf.push(b'\n');
                if let Some(r) = self.try_scan()? {
                    return Ok(Some(r));
                }
                return Err(self.err(self.line, "unterminated double quote"));
            }
        }
    }

    /// One record of `buf[start..]` if it is complete.
    fn try_scan(&mut self) -> Result<Option<(usize, u64)>> {
        let b = &self.buf;
        let mut i = self.start;
        let mut lines = 0u64;
        self.cells.clear();
        loop {
            let mut j = i;
            while matches!(b.get(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            if b.get(j) == Some(&b'"') {
                // quoted: up to the closing quote ("" is a quote), then to the delimiter
                let mut k = j + 1;
                loop {
                    match b[k.min(b.len())..].iter().position(|&c| c == b'"') {
                        None => return Ok(None),
                        Some(d) => {
                            k += d;
                            if b.get(k + 1) == Some(&b'"') {
                                k += 2;
                            } else if k + 1 >= b.len() && !self.eof {
                                return Ok(None);
                            } else {
                                break;
                            }
                        }
                    }
                }
                lines += b[j..k].iter().filter(|&&c| c == b'\n').count() as u64;
                let Some(end) = b[k..]
                    .iter()
                    .position(|&c| c == b',' || c == b'\n')
                    .map(|d| k + d)
                else {
                    return Ok(None);
                };
                self.cells.push((j, end, true));
                i = end + 1;
                if b[end] == b'\n' {
                    return Ok(Some((i, lines + 1)));
                }
            } else {
                let Some(end) = b[i..]
                    .iter()
                    .position(|&c| c == b',' || c == b'\n')
                    .map(|d| i + d)
                else {
                    return Ok(None);
                };
                self.cells.push((i, end, false));
                i = end + 1;
                if b[end] == b'\n' {
                    return Ok(Some((i, lines + 1)));
                }
            }
        }
    }

    /// The value of cell `(a, b, quoted)`, or `None` if it is not a number.
    fn value(&self, cell: (usize, usize, bool)) -> std::result::Result<f64, String> {
        let (a, b, quoted) = cell;
        let raw = &self.buf[a..b];
        let text = std::str::from_utf8(raw).map_err(|_| "not UTF-8 text".to_string())?;
        let text = if quoted {
            // "…" possibly followed by text: unquote, "" → "
            let t = text.trim();
            let close = t[1..].rfind('"').map_or(t.len(), |c| c + 1);
            let inner = t[1..close].replace("\"\"", "\"");
            format!("{inner}{}", t[(close + 1).min(t.len())..].trim())
        } else {
            // (a byte-order mark counts only at the start of the file: `rewind` skips it
            // there, and `read_csv` refuses one anywhere else just the same)
            text.trim().to_string()
        };
        text.parse::<f64>().map_err(|_| {
            if text.is_empty() {
                "empty cell".to_string()
            } else {
                format!("'{}' is not a number", crate::error::escape_excerpt(&text))
            }
        })
    }
}

impl RowSource for CsvSource {
    fn ncols(&self) -> usize {
        self.ncols
    }

    fn nrows(&self) -> Option<u64> {
        None
    }

    fn read_block(&mut self, block: &mut Block, max_rows: usize) -> Result<bool> {
        let max_rows = max_rows.max(1);
        self.staged.clear();
        let mut rows = 0usize;
        while rows < max_rows {
            let Some(line) = self.next_record()? else {
                break;
            };
            let n = self.cells.len();
            if self.first {
                self.first = false;
                let values: Vec<_> = (0..n).map(|j| self.value(self.cells[j])).collect();
                self.ncols = n;
                if values.iter().any(std::result::Result::is_err) {
                    continue; // a header
                }
            }
            if n != self.ncols {
                return Err(self.err(
                    line,
                    format!(
                        "has {n} cell{}, expected {}",
                        if n == 1 { "" } else { "s" },
                        self.ncols
                    ),
                ));
            }
            for j in 0..n {
                let v = self.value(self.cells[j]).map_err(|w| {
                    Error::format(&self.path, format!("row {line}, column {}: {w}", j + 1))
                })?;
                self.staged.push(v);
            }
            rows += 1;
        }
        if rows == 0 {
            return Ok(false);
        }
        let dst = block.prepare(rows, self.ncols, false, self.pos)?;
        dst.copy_from_slice(&self.staged);
        self.pos += rows as u64;
        Ok(true)
    }

    fn rewind(&mut self) -> Result<()> {
        self.reader
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::Io {
                path: self.path.clone(),
                source: e,
            })?;
        self.buf.clear();
        self.start = 0;
        self.eof = false;
        self.line = 1;
        self.first = true;
        self.pos = 0;
        // a UTF-8 byte-order mark at the start is not part of the first cell
        self.fill()?;
        if self.buf.starts_with(b"\xef\xbb\xbf") {
            self.start = 3;
        }
        Ok(())
    }

    fn name(&self) -> &Path {
        &self.path
    }

    fn input_bytes(&self) -> Option<u64> {
        Some(self.bytes)
    }
}
