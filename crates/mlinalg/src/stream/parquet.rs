//! [`ParquetSource`]: the rows of one or more Parquet files (or a directory of them) as one
//! table, read one block at a time with the `parquet` crate's Arrow reader.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};

use super::source::{Block, RowSource};
use crate::error::{Error, Result};

mod thrift_guard;

/// What the selected columns are: several numeric columns, or one fixed-size-list column
/// whose lists are the rows.
#[derive(Debug, Clone, PartialEq)]
enum Layout {
    Columns(Vec<(String, DataType)>),
    List {
        name: String,
        len: usize,
        item: DataType,
    },
}

#[derive(Debug)]
struct Part {
    path: PathBuf,
    meta: ArrowReaderMetadata,
    /// Indices of the selected root columns.
    roots: Vec<usize>,
    /// First row of each row group, and the total (row-group boundaries, for messages).
    group_starts: Vec<u64>,
    rows: u64,
    bytes: u64,
}

/// One Parquet file, several, or a directory of `*.parquet` files, read as one table (files
/// in name order): all numeric columns (integers and floats, read as `f64`), the columns
/// named in `columns`, or one `FixedSizeList<Float64 | Float32>` column whose lists are
/// the rows of the matrix.
///
/// Every file must have the selected columns with the same types. A null in a selected
/// column, a selected column that is not numeric, a corrupt footer or page are errors
/// naming the file, the column and the row group. Blocks are filled column by column
/// (Fortran order), without reordering.
///
/// # Examples
/// ```no_run
/// use mlinalg::stream::{ParquetSource, RowSource};
/// let src = ParquetSource::open(&["data/".into()], Some(&["a".into(), "b".into()]))?;
/// assert_eq!(src.ncols(), 2);
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug)]
pub struct ParquetSource {
    parts: Vec<Part>,
    layout: Layout,
    ncols: usize,
    name: PathBuf,
    /// Current file and its reader (built at the first block of a pass).
    file: usize,
    reader: Option<ParquetRecordBatchReader>,
    /// Rows already read from the current file.
    file_row: u64,
    /// Rows already read in this pass.
    pos: u64,
    /// Rows of the current batch not yet handed out, and where they start.
    pending: Option<(RecordBatch, usize)>,
    batch_rows: usize,
}

fn perr(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::format(path, what.to_string())
}

fn is_numeric(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Float64
            | DataType::Float32
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

/// The `.parquet` files named by `paths`: files as given, directories expanded to their
/// `*.parquet` entries in name order.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::Io {
                    path: p.clone(),
                    source: e,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && f.extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(perr(p, "directory holds no .parquet files"));
            }
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(Error::format("<parquet>", "no input files"));
    }
    Ok(out)
}

fn layout_of(
    path: &Path,
    schema: &Schema,
    columns: Option<&[String]>,
) -> Result<(Layout, Vec<usize>)> {
    let fields = schema.fields();
    let names = || crate::error::escape_list(fields.iter().map(|f| f.name().as_str()));
    let list_of = |t: &DataType| match t {
        DataType::FixedSizeList(item, len)
            if matches!(item.data_type(), DataType::Float64 | DataType::Float32) =>
        {
            Some((usize::try_from(*len).unwrap_or(0), item.data_type().clone()))
        }
        _ => None,
    };
    let chosen: Vec<usize> = match columns {
        Some(cols) => cols
            .iter()
            .map(|c| {
                schema.index_of(c).map_err(|_| {
                    perr(
                        path,
                        format!("no column '{}' (columns: {})", escape(c), names()),
                    )
                })
            })
            .collect::<Result<_>>()?,
        None => {
            let numeric: Vec<usize> = (0..fields.len())
                .filter(|&i| is_numeric(fields[i].data_type()))
                .collect();
            if numeric.is_empty() {
                let lists: Vec<usize> = (0..fields.len())
                    .filter(|&i| list_of(fields[i].data_type()).is_some())
                    .collect();
                if lists.len() == 1 {
                    lists
                } else {
                    return Err(perr(
                        path,
                        format!("no numeric columns to read (columns: {})", names()),
                    ));
                }
            } else {
                numeric
            }
        }
    };
    if chosen.len() == 1
        && let Some((len, item)) = list_of(fields[chosen[0]].data_type())
    {
        return Ok((
            Layout::List {
                name: fields[chosen[0]].name().clone(),
                len,
                item,
            },
            chosen,
        ));
    }
    let mut cols = Vec::new();
    for &i in &chosen {
        let f = &fields[i];
        if !is_numeric(f.data_type()) {
            return Err(perr(
                path,
                format!(
                    "column '{}' is not numeric ({}); select numeric columns with --columns",
                    escape(f.name()),
                    f.data_type()
                ),
            ));
        }
        cols.push((f.name().clone(), f.data_type().clone()));
    }
    Ok((Layout::Columns(cols), chosen))
}

/// A column or cell text as it appears in a message: control characters escaped, long
/// names cut (a hostile file cannot inject lines or terminal escapes into the error).
fn escape(s: &str) -> String {
    crate::error::escape_excerpt(s)
}

impl ParquetSource {
    /// Opens the files (reading only their footers) and selects the columns.
    ///
    /// # Errors
    /// [`Error::Io`] for a file that cannot be opened; [`Error::Format`] for a file that is
    /// not Parquet (corrupt footer), a missing or non-numeric selected column, or files
    /// whose selected columns differ.
    pub fn open(paths: &[PathBuf], columns: Option<&[String]>) -> Result<Self> {
        let files = expand(paths)?;
        let mut parts = Vec::new();
        let mut layout: Option<Layout> = None;
        for path in files {
            let file = File::open(&path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            let file = StrictFile::new(file).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            let bytes = file.len;
            let meta = load_metadata(&file)
                .map_err(|e| perr(&path, format!("not a valid Parquet file: {e}")))?;
            let (lay, roots) = layout_of(&path, meta.schema(), columns)?;
            match &layout {
                None => layout = Some(lay),
                Some(first) if *first != lay => {
                    return Err(perr(
                        &path,
                        format!(
                            "its selected columns {} differ from the first file's {}",
                            describe(&lay),
                            describe(first)
                        ),
                    ));
                }
                Some(_) => {}
            }
            let md = meta.metadata();
            let mut group_starts = Vec::with_capacity(md.num_row_groups() + 1);
            let mut rows = 0u64;
            for (k, g) in md.row_groups().iter().enumerate() {
                group_starts.push(rows);
                // (The crate sums the row counts as `usize` when it builds a reader: a
                // negative count or an overflowing sum panics there.)
                rows = u64::try_from(g.num_rows())
                    .ok()
                    .and_then(|n| rows.checked_add(n))
                    .filter(|&r| i64::try_from(r).is_ok())
                    .ok_or_else(|| {
                        perr(
                            &path,
                            format!(
                                "not a valid Parquet file: row group {k} declares {} rows",
                                g.num_rows()
                            ),
                        )
                    })?;
            }
            parts.push(Part {
                path,
                meta,
                roots,
                group_starts,
                rows,
                bytes,
            });
        }
        // safe because `expand` returned at least one file, so the loop set `layout`
        let layout = layout.ok_or_else(|| Error::format("<parquet>", "no input files"))?;
        let ncols = match &layout {
            Layout::Columns(c) => c.len(),
            Layout::List { len, .. } => *len,
        };
        let name = if parts.len() == 1 || paths.len() == 1 {
            paths[0].clone()
        } else {
            PathBuf::from(format!(
                "{} (+{} files)",
                paths[0].display(),
                parts.len() - 1
            ))
        };
        Ok(ParquetSource {
            parts,
            layout,
            ncols,
            name,
            file: 0,
            reader: None,
            file_row: 0,
            pos: 0,
            pending: None,
            batch_rows: 0,
        })
    }

    /// The names of the selected columns (the list column's name once for a list layout).
    #[must_use]
    pub fn column_names(&self) -> Vec<String> {
        match &self.layout {
            Layout::Columns(c) => c.iter().map(|(n, _)| n.clone()).collect(),
            Layout::List { name, .. } => vec![name.clone()],
        }
    }

    /// The files read, in order.
    #[must_use]
    pub fn files(&self) -> Vec<&Path> {
        self.parts.iter().map(|p| p.path.as_path()).collect()
    }

    /// Walks every page header of the selected columns in every file (the header only:
    /// the pages are skipped) with the same check the source applies as it reads
    /// (`thrift_guard`), for a reader that decodes the pages itself with the `parquet` crate
    /// (DataFusion): a header the crate's Thrift reader would spin on (see
    /// [`ParquetSource::open`]'s footer check) is an error naming the file, the row group
    /// and the byte, before that reader sees it.
    ///
    /// # Errors
    /// [`Error::Io`] for a file that cannot be read; [`Error::Format`] for a column chunk
    /// outside its file or a page header the source would refuse.
    pub fn check_page_headers(&self) -> Result<()> {
        for part in &self.parts {
            let io = |e: std::io::Error| Error::Io {
                path: part.path.clone(),
                source: e,
            };
            let mut file = File::open(&part.path).map_err(io)?;
            let len = file.metadata().map_err(io)?.len();
            let schema = part.meta.parquet_schema();
            let leaves: Vec<usize> = (0..schema.num_columns())
                .filter(|&c| part.roots.contains(&schema.get_column_root_idx(c)))
                .collect();
            for (g, rg) in part.meta.metadata().row_groups().iter().enumerate() {
                for &c in &leaves {
                    let (start, size) = rg.column(c).byte_range();
                    let end = start
                        .checked_add(size)
                        .filter(|&e| e <= len)
                        .ok_or_else(|| {
                            perr(
                                &part.path,
                                format!(
                                    "row group {g}: column chunk at byte {start} of {size} bytes \
                                     reaches past the end of the {len}-byte file"
                                ),
                            )
                        })?;
                    let mut pos = start;
                    while pos < end {
                        file.seek(SeekFrom::Start(pos)).map_err(io)?;
                        let mut probe = thrift_guard::Limited {
                            inner: BufReader::with_capacity(4096, &file),
                            left: end - pos,
                        };
                        let page = thrift_guard::page_header(&mut probe, PAGE_HEADER_STEPS)
                            .and_then(page_fits)
                            .map_err(|why| {
                                perr(
                                    &part.path,
                                    format!(
                                        "row group {g}: corrupt page header at byte {pos}: {why}"
                                    ),
                                )
                            })?;
                        pos = pos
                            .saturating_add(page.header)
                            .saturating_add(page.compressed);
                    }
                }
            }
        }
        Ok(())
    }

    fn group_of(&self, row_in_file: u64) -> usize {
        let starts = &self.parts[self.file].group_starts;
        starts
            .partition_point(|&s| s <= row_in_file)
            .saturating_sub(1)
    }

    /// The next batch with unread rows, opening the next file as needed; `None` at the end.
    fn next_batch(&mut self, max_rows: usize) -> Result<Option<(RecordBatch, usize)>> {
        loop {
            if let Some((b, off)) = self.pending.take()
                && off < b.num_rows()
            {
                return Ok(Some((b, off)));
            }
            if self.file >= self.parts.len() {
                return Ok(None);
            }
            if self.reader.is_none() {
                let part = &self.parts[self.file];
                let file = File::open(&part.path).map_err(|e| Error::Io {
                    path: part.path.clone(),
                    source: e,
                })?;
                // The crate's batch holds `ncols` values per row (a null row of a list column
                // too: a footer declaring lists of 10⁹ values made a 2.5 KB file take
                // 2.5 GB, found by the fuzz target), and it copies them once more: at most
                // BATCH_BYTES of them, and one row must fit in the memory there is.
                let row_bytes = (self.ncols.max(1) as u64).saturating_mul(16);
                crate::memory::check_available("read_parquet", row_bytes, "one row's batch")
                    .map_err(|e| perr(&part.path, e))?;
                let rows = max_rows.clamp(1, (BATCH_BYTES / row_bytes).max(1) as usize);
                let mask =
                    ProjectionMask::roots(part.meta.parquet_schema(), part.roots.iter().copied());
                let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
                    StrictFile::new(file).map_err(|e| Error::Io {
                        path: part.path.clone(),
                        source: e,
                    })?,
                    part.meta.clone(),
                )
                .with_projection(mask)
                .with_batch_size(rows)
                .build()
                .map_err(|e| perr(&part.path, e))?;
                self.reader = Some(reader);
                self.batch_rows = rows;
                self.file_row = 0;
            }
            let next = match decode_guarded(|| self.reader.as_mut().and_then(Iterator::next)) {
                Ok(next) => next,
                Err(what) => {
                    // the reader's state is unknown after a panic: never use it again
                    self.reader = None;
                    let g = self.group_of(self.file_row);
                    return Err(perr(
                        &self.parts[self.file].path,
                        format!("row group {g}: cannot be read: corrupt data ({what})"),
                    ));
                }
            };
            match next {
                Some(Ok(b)) => {
                    self.pending = Some((b, 0));
                }
                Some(Err(e)) => {
                    let g = self.group_of(self.file_row);
                    return Err(perr(
                        &self.parts[self.file].path,
                        format!("row group {g}: cannot be read: {e}"),
                    ));
                }
                None => {
                    let part = &self.parts[self.file];
                    if self.file_row != part.rows {
                        return Err(perr(
                            &part.path,
                            format!(
                                "the footer promises {} rows, the data hold {}",
                                part.rows, self.file_row
                            ),
                        ));
                    }
                    self.reader = None;
                    self.file += 1;
                }
            }
        }
    }

    fn null_error(&self, column: &str, first_row_in_file: u64, offset: usize) -> Error {
        let g = self.group_of(first_row_in_file + offset as u64);
        perr(
            &self.parts[self.file].path,
            format!("column '{}' has a null in row group {g}", escape(column)),
        )
    }
}

/// Runs one step of the `parquet` crate's page decoding, turning a panic inside it into an
/// error message.
///
/// Why: the crate trusts some lengths in the pages. parquet 59.3.3's bit-width-1
/// definition-level decoder (`PackedDecoder`, used for every optional flat column, which
/// is what `pyarrow` writes by default) takes a bit-packed run's length from the run
/// header without checking it against the page, and a corrupt header makes it slice past
/// the buffer (`offset + len out of bounds` in arrow-buffer; found by the `parquet` fuzz
/// target). Checking every page ourselves would decode each page twice; instead a panic
/// in a decoding step ends the read with an error naming the file and row group, and the
/// reader that panicked is dropped. (Under `panic = "abort"` this cannot help.)
fn decode_guarded<T>(step: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder failed".to_string());
        // one printable line, whatever the panic said
        let line: String = msg
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
                {
                    ' '
                } else {
                    c
                }
            })
            .take(200)
            .collect();
        format!("the Parquet decoder failed: {line}")
    })
}

fn describe(l: &Layout) -> String {
    match l {
        Layout::Columns(c) => {
            let limit = crate::error::LISTED_NAMES;
            let mut v: Vec<String> = c
                .iter()
                .take(limit)
                .map(|(n, t)| format!("{}: {t}", escape(n)))
                .collect();
            if c.len() > limit {
                v.push(format!("… ({} more)", c.len() - limit));
            }
            format!("[{}]", v.join(", "))
        }
        Layout::List { name, len, item } => {
            format!("[{}: FixedSizeList({len} × {item})]", escape(name))
        }
    }
}

/// Copies `len` values of the numeric column `a` from `off` into `dst` as `f64`.
fn copy_column(a: &ArrayRef, off: usize, dst: &mut [f64]) {
    macro_rules! prim {
        ($t:ty) => {{
            let v = a.as_primitive::<$t>().values();
            let n = dst.len();
            for (d, s) in dst.iter_mut().zip(&v[off..off + n]) {
                *d = *s as f64;
            }
        }};
    }
    match a.data_type() {
        DataType::Float64 => {
            let n = dst.len();
            dst.copy_from_slice(&a.as_primitive::<Float64Type>().values()[off..off + n]);
        }
        DataType::Float32 => prim!(Float32Type),
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        // unreachable: the layout admits numeric columns only
        _ => dst.fill(f64::NAN),
    }
}

/// Whether `a` has a null among `len` values from `off`; its index if so.
fn first_null(a: &dyn Array, off: usize, len: usize) -> Option<usize> {
    if a.null_count() == 0 {
        return None;
    }
    (off..off + len).find(|&i| a.is_null(i)).map(|i| i - off)
}

impl RowSource for ParquetSource {
    fn ncols(&self) -> usize {
        self.ncols
    }

    fn nrows(&self) -> Option<u64> {
        Some(self.parts.iter().map(|p| p.rows).sum())
    }

    fn read_block(&mut self, block: &mut Block, max_rows: usize) -> Result<bool> {
        let max_rows = max_rows.max(1);
        let Some((batch, off)) = self.next_batch(max_rows)? else {
            return Ok(false);
        };
        let rows = (batch.num_rows() - off).min(max_rows);
        let first_in_file = self.file_row;
        match self.layout.clone() {
            Layout::Columns(cols) => {
                // by name: the projection keeps the file's column order, not the selection's
                let mut arrays = Vec::with_capacity(cols.len());
                for (name, _) in &cols {
                    let a = batch.column_by_name(name).ok_or_else(|| {
                        perr(
                            &self.parts[self.file].path,
                            format!("column '{}' is missing from a batch", escape(name)),
                        )
                    })?;
                    // checks first, so a null leaves the block untouched
                    if let Some(i) = first_null(a.as_ref(), off, rows) {
                        return Err(self.null_error(name, first_in_file, i));
                    }
                    arrays.push(a.clone());
                }
                let dst = block.prepare(rows, cols.len(), true, self.pos)?;
                for (j, a) in arrays.iter().enumerate() {
                    copy_column(a, off, &mut dst[j * rows..(j + 1) * rows]);
                }
            }
            Layout::List { name, len, item } => {
                let list = batch.column(0).as_fixed_size_list();
                if let Some(i) = first_null(list, off, rows) {
                    return Err(self.null_error(&name, first_in_file, i));
                }
                let values = list.values();
                let start = (list.offset() + off) * len;
                if let Some(i) = first_null(values.as_ref(), start, rows * len) {
                    return Err(self.null_error(&name, first_in_file, i / len.max(1)));
                }
                let dst = block.prepare(rows, len, false, self.pos)?;
                match item {
                    DataType::Float64 => dst.copy_from_slice(
                        &values.as_primitive::<Float64Type>().values()[start..start + rows * len],
                    ),
                    _ => {
                        let v = values.as_primitive::<Float32Type>().values();
                        for (d, s) in dst.iter_mut().zip(&v[start..start + rows * len]) {
                            *d = f64::from(*s);
                        }
                    }
                }
            }
        }
        self.pending = Some((batch, off + rows));
        self.file_row += rows as u64;
        self.pos += rows as u64;
        Ok(true)
    }

    fn rewind(&mut self) -> Result<()> {
        self.file = 0;
        self.reader = None;
        self.pending = None;
        self.file_row = 0;
        self.pos = 0;
        Ok(())
    }

    fn name(&self) -> &Path {
        &self.name
    }

    fn input_bytes(&self) -> Option<u64> {
        Some(self.parts.iter().map(|p| p.bytes).sum())
    }
}

/// Reads the selected columns of Parquet files (or a directory of them) into one
/// `(n_rows, n_columns)` matrix: [`ParquetSource`] read whole, for inputs that fit in
/// memory.
///
/// # Errors
/// As [`ParquetSource::open`] and its reads; [`Error::Unsupported`] if the matrix cannot
/// be allocated.
pub fn read_parquet(paths: &[PathBuf], columns: Option<&[String]>) -> Result<ndarray::Array2<f64>> {
    let mut src = ParquetSource::open(paths, columns)?;
    let n = usize::try_from(src.nrows().unwrap_or(0)).unwrap_or(usize::MAX);
    let p = src.ncols();
    let mut out = crate::array::try_zeros2("read_parquet", n, p)?;
    let mut b = Block::new();
    let mut row = 0usize;
    while src.read_block(&mut b, 1 << 16)? {
        let v = b.view();
        let end = (row + v.nrows()).min(n);
        out.slice_mut(ndarray::s![row..end, ..])
            .assign(&v.slice(ndarray::s![..end - row, ..]));
        row = end;
    }
    Ok(out)
}

/// A Parquet file for the `parquet` crate's readers that is strict at its end: a read at
/// the end of the file is an error instead of `Ok(0)`, and a byte range reaching past the
/// end is refused before its buffer is allocated.
///
/// Why: the crate's streaming Thrift parser skips unknown page-header fields with reads
/// whose short counts it ignores, so a corrupt page header declaring a list of 2³¹ doubles
/// at the end of a file spun through 2³¹ empty reads (283 s for a 30 KB file, found by the
/// `parquet` fuzz target); with reads that fail at the end the skip stops at the first.
/// And `File`'s `get_bytes` reserves the length it is asked for before reading.
#[derive(Debug)]
struct StrictFile {
    file: File,
    len: u64,
}

impl StrictFile {
    fn new(file: File) -> std::io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(StrictFile { file, len })
    }
}

impl Length for StrictFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for StrictFile {
    type T = StrictRead;

    /// (The crate reads page headers through this, and sometimes asks for a reader it does
    /// not read from, at the start of a page whose header it has already read: the bytes at
    /// `start` are walked by [`thrift_guard`] as a page header at the first read.)
    /// The footer's last eight bytes (length and magic) are read through this too, and not
    /// walked.
    fn get_read(&self, start: u64) -> parquet::errors::Result<StrictRead> {
        if start.saturating_add(8) >= self.len {
            return Ok(StrictRead {
                inner: Some(self.file.get_read(start)?),
                file: None,
                start,
                left: self.len.saturating_sub(start),
            });
        }
        Ok(StrictRead {
            inner: None,
            file: Some(self.file.try_clone()?),
            start,
            left: self.len.saturating_sub(start),
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let end = start.checked_add(length as u64);
        if end.is_none_or(|end| end > self.len) {
            return Err(ParquetError::EOF(format!(
                "{length} bytes at offset {start} reach past the end of the {}-byte file",
                self.len
            )));
        }
        self.file.get_bytes(start, length)
    }
}

/// The most bytes of values a batch of the `parquet` crate holds (the rows of a batch are
/// fewer when a row is wider than `BATCH_BYTES / 16`).
const BATCH_BYTES: u64 = 64 << 20;

/// The most steps (fields and elements) a page header may take to read: a real one takes
/// a few dozen.
const PAGE_HEADER_STEPS: u64 = 1 << 16;

/// What the crate holds per value of a page while it decodes it (see [`page_fits`]).
const BYTES_PER_VALUE: u64 = 24;

/// Whether the page's decompression buffer (its declared uncompressed size, which the
/// `parquet` crate allocates and zeroes before decoding) fits in the memory there is: a
/// 1.7 KB file declaring pages of hundreds of megabytes took 0.7 GB and 0.8 s (found by the
/// fuzz target).
fn page_fits(
    page: thrift_guard::PageSizes,
) -> std::result::Result<thrift_guard::PageSizes, String> {
    crate::memory::check_available("read_parquet", page.uncompressed, "a page")
        .map_err(|e| format!("it declares a page of {} bytes ({e})", page.uncompressed))?;
    // The crate's column reader sizes its level and value buffers by the page's value
    // count (one record of a repeated column may span the page): 8 bytes of value, two
    // levels and the Arrow copy per value. A 1 KB page declaring 10⁹ null values took
    // 8.5 GB and 13 s.
    crate::memory::check_available(
        "read_parquet",
        page.values.saturating_mul(BYTES_PER_VALUE),
        "a page's values",
    )
    .map_err(|e| format!("it declares a page of {} values ({e})", page.values))?;
    Ok(page)
}

/// Refuses a footer whose Thrift structure the crate's reader could spin on (see
/// [`thrift_guard`]); a file without the `PAR1` footer or with an impossible length is left
/// to the crate's own message.
fn guard_footer(file: &StrictFile) -> parquet::errors::Result<()> {
    let len = file.len;
    if len < 12 {
        return Ok(());
    }
    let tail = file.file.get_bytes(len - 8, 8)?;
    if &tail[4..] != b"PAR1" {
        return Ok(());
    }
    let meta_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if meta_len + 8 > len {
        return Ok(());
    }
    crate::memory::check_available("read_parquet", meta_len, "the footer")
        .map_err(|e| ParquetError::General(e.to_string()))?;
    let bytes = file.file.get_bytes(len - 8 - meta_len, meta_len as usize)?;
    // Every element of a real footer takes at least one byte.
    thrift_guard::check(
        &mut &bytes[..],
        thrift_guard::FILE_META_DATA,
        meta_len + 1024,
    )
    .map_err(|why| ParquetError::General(format!("corrupt footer metadata: {why}")))
}

/// A reader of [`StrictFile`]: `UnexpectedEof` where a file would return `Ok(0)`, and an
/// error at the first read if the bytes from its start are not a page header that
/// [`thrift_guard`] accepts.
struct StrictRead {
    /// Made at the first read, after the walk (clones of a `File` share its position).
    inner: Option<BufReader<File>>,
    file: Option<File>,
    start: u64,
    /// Bytes from `start` to the end of the file.
    left: u64,
}

impl StrictRead {
    fn open(&mut self) -> std::io::Result<&mut BufReader<File>> {
        if let Some(mut file) = self.file.take() {
            file.seek(SeekFrom::Start(self.start))?;
            let mut probe = thrift_guard::Limited {
                inner: BufReader::new(&file),
                left: self.left,
            };
            thrift_guard::page_header(&mut probe, PAGE_HEADER_STEPS)
                .and_then(page_fits)
                .map_err(|why| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("corrupt page header at byte {}: {why}", self.start),
                    )
                })?;
            file.seek(SeekFrom::Start(self.start))?;
            self.inner = Some(BufReader::new(file));
        }
        self.inner
            .as_mut()
            .ok_or_else(|| std::io::Error::other("a failed page read"))
    }
}

impl Read for StrictRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.open()?.read(buf)?;
        if n == 0 && !buf.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "a read past the end of the file",
            ));
        }
        Ok(n)
    }
}

/// The file's metadata and Arrow schema. The Arrow schema a writer embeds (key
/// `ARROW:schema`, which turns a Parquet list into a `FixedSizeList`) is used only when
/// [`arrow_schema_is_safe`] accepts it; otherwise the schema comes from the Parquet
/// schema alone.
fn load_metadata(file: &StrictFile) -> parquet::errors::Result<ArrowReaderMetadata> {
    use parquet::arrow::arrow_reader::ArrowReaderOptions;
    guard_footer(file)?;
    let bare = ArrowReaderMetadata::load(
        file,
        ArrowReaderOptions::new().with_skip_arrow_metadata(true),
    )?;
    let embedded = bare
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| {
            kv.iter()
                .find(|e| e.key == parquet::arrow::ARROW_SCHEMA_META_KEY)
        })
        .and_then(|e| e.value.as_deref());
    match embedded {
        Some(encoded) if arrow_schema_is_safe(encoded) => {
            ArrowReaderMetadata::try_new(bare.metadata().clone(), ArrowReaderOptions::new())
        }
        _ => Ok(bare),
    }
}

/// Whether `arrow-ipc` can decode the embedded Arrow schema `encoded` (base64 of an IPC
/// schema message) without panicking, for the types this reader can use: it panics
/// (`unimplemented!`, `panic!`, `unwrap`) on an unknown type tag, an integer of 7 bits, a
/// list without its child and a dozen other corrupt forms, so a hostile file aborted the
/// process (found by the `parquet` fuzz target: `Type <UNKNOWN 184> not supported`).
/// Accepted: null, boolean, integers, floats, strings, binaries, and lists, fixed-size
/// lists and structs of them, without dictionaries, at most 32 levels deep. Anything else
/// is ignored in favour of the Parquet schema.
fn arrow_schema_is_safe(encoded: &str) -> bool {
    use base64::Engine;
    fn field_ok(f: arrow_ipc::Field<'_>, depth: usize) -> bool {
        use arrow_ipc::Type;
        if depth > 32 || f.dictionary().is_some() {
            return false;
        }
        let children_ok = |n: Option<usize>| match f.children() {
            Some(c) => n.is_none_or(|n| c.len() == n) && c.iter().all(|c| field_ok(c, depth + 1)),
            None => n.is_none(),
        };
        match f.type_type() {
            Type::Null
            | Type::Bool
            | Type::Binary
            | Type::LargeBinary
            | Type::Utf8
            | Type::LargeUtf8 => true,
            Type::Int => f
                .type_as_int()
                .is_some_and(|i| matches!(i.bitWidth(), 8 | 16 | 32 | 64)),
            Type::FloatingPoint => f.type_as_floating_point().is_some_and(|p| {
                matches!(
                    p.precision(),
                    arrow_ipc::Precision::HALF
                        | arrow_ipc::Precision::SINGLE
                        | arrow_ipc::Precision::DOUBLE
                )
            }),
            Type::List | Type::LargeList => children_ok(Some(1)),
            Type::FixedSizeList => {
                f.type_as_fixed_size_list()
                    .is_some_and(|l| l.listSize() >= 0)
                    && children_ok(Some(1))
            }
            Type::Struct_ => children_ok(None),
            _ => false,
        }
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return false;
    };
    // (the IPC continuation marker and length that writers put first, as parquet skips them)
    let slice = if bytes.len() > 8 && bytes[0..4] == [255u8; 4] {
        &bytes[8..]
    } else {
        &bytes[..]
    };
    let Ok(message) = arrow_ipc::root_as_message(slice) else {
        return false;
    };
    let Some(schema) = message.header_as_schema() else {
        return false;
    };
    if schema.endianness() != arrow_ipc::Endianness::Little {
        return false;
    }
    schema
        .fields()
        .is_some_and(|fields| fields.iter().all(|f| field_ok(f, 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fuzz/fuzz_targets/parquet.rs` (a timeout: 0.8 s and 0.7 GB for a 1.7 KB file): the
    /// first page declares 676372800 uncompressed bytes for 325 compressed ones, and the
    /// `parquet` crate allocates and zeroes that much before decoding. The page-header walk
    /// reads the declared sizes, and `page_fits` checks them against the memory there is
    /// (with the fuzz targets' 1 MiB allocation cap: refused at once).
    #[test]
    fn gh_fuzz_parquet_huge_page_sizes_are_checked() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/parquet_huge_page.parquet");
        let bytes = std::fs::read(p).unwrap();
        let mut probe = thrift_guard::Limited {
            inner: &bytes[4..],
            left: bytes.len() as u64 - 4,
        };
        let page = thrift_guard::page_header(&mut probe, PAGE_HEADER_STEPS).unwrap();
        assert_eq!((page.uncompressed, page.compressed), (676_372_800, 325));
        assert_eq!(page.header, 23);
        let too_big = thrift_guard::PageSizes {
            header: 15,
            compressed: 325,
            uncompressed: 1 << 62,
            values: 10,
        };
        let e = page_fits(too_big).err().expect("refused");
        assert!(
            e.contains("declares a page of 4611686018427387904 bytes"),
            "{e}"
        );
        let small = thrift_guard::PageSizes {
            header: 15,
            compressed: 325,
            uncompressed: 4096,
            values: 512,
        };
        assert!(page_fits(small).is_ok());
        let many = thrift_guard::PageSizes {
            header: 15,
            compressed: 325,
            uncompressed: 4096,
            values: 1 << 60,
        };
        let e = page_fits(many).err().expect("refused");
        assert!(
            e.contains("declares a page of 1152921504606846976 values"),
            "{e}"
        );
    }

    /// `fuzz/fuzz_targets/parquet.rs` (out of memory: 8.5 GB and 13 s for a 1 KB file): a
    /// page declaring far more values than its bytes (null levels run-length encoded), for
    /// which the crate's column reader sizes its buffers. Every page header of the file is
    /// walked; the first one whose values would not fit is refused.
    #[test]
    fn gh_fuzz_parquet_page_of_many_values() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/parquet_page_of_many_values.parquet");
        let started = std::time::Instant::now();
        let paths = [p.clone()];
        let e = ParquetSource::open(&paths, None)
            .and_then(|mut src| {
                let mut b = Block::new();
                while src.read_block(&mut b, 9)? {}
                Ok(())
            })
            .expect_err("refused");
        let msg = e.to_string();
        assert!(msg.contains("corrupt page header at byte"), "{msg}");
        assert!(msg.contains("values ("), "{msg}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
