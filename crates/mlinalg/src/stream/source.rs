//! Row-block sources: the [`RowSource`] trait, the reusable [`Block`] buffer, in-memory
//! sources, and the pass driver that keeps a reader thread one block ahead of the workers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{channel, sync_channel};
use std::time::Instant;

use ndarray::{ArrayView2, ShapeBuilder};

use crate::error::{Error, Result};
use crate::memory::MemoryLimit;

/// A block of consecutive rows in a reusable buffer, C or Fortran order (a source fills
/// it the way its file stores rows, without reordering).
#[derive(Debug, Default, Clone)]
pub struct Block {
    data: Vec<f64>,
    rows: usize,
    cols: usize,
    fortran: bool,
    first_row: u64,
}

impl Block {
    /// An empty block (no capacity yet).
    #[must_use]
    pub fn new() -> Self {
        Block::default()
    }

    /// The rows as a `(rows, cols)` view.
    #[must_use]
    pub fn view(&self) -> ArrayView2<'_, f64> {
        let shape = (self.rows, self.cols);
        let data = &self.data[..self.rows * self.cols];
        // safe because `prepare` sized `data` to exactly rows·cols values for this shape
        if self.fortran {
            ArrayView2::from_shape(shape.f(), data).expect("block buffer matches its shape")
        } else {
            ArrayView2::from_shape(shape, data).expect("block buffer matches its shape")
        }
    }

    /// The number of rows.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The index (in the whole source) of the block's first row.
    #[must_use]
    pub fn first_row(&self) -> u64 {
        self.first_row
    }

    /// Resizes the buffer for `rows × cols` values in the given order and returns it for
    /// the source to fill (every value must be written). The capacity is kept between
    /// blocks, so a pass allocates its buffers once.
    ///
    /// # Errors
    /// [`Error::Unsupported`] if the buffer cannot be allocated.
    pub fn prepare(
        &mut self,
        rows: usize,
        cols: usize,
        fortran: bool,
        first_row: u64,
    ) -> Result<&mut [f64]> {
        let len = rows.checked_mul(cols).ok_or_else(|| Error::Unsupported {
            op: "stream",
            detail: format!("a block of {rows} × {cols} values is too large"),
        })?;
        if self.data.len() < len {
            self.data
                .try_reserve_exact(len - self.data.len())
                .map_err(|_| Error::Unsupported {
                    op: "stream",
                    detail: format!("cannot allocate a block of {rows} × {cols} values"),
                })?;
            self.data.resize(len, 0.0);
        }
        self.rows = rows;
        self.cols = cols;
        self.fortran = fortran;
        self.first_row = first_row;
        Ok(&mut self.data[..len])
    }

    /// Bytes the buffer holds.
    #[must_use]
    pub fn capacity_bytes(&self) -> usize {
        self.data.capacity() * 8
    }
}

/// A matrix read one block of consecutive rows at a time, for as many passes as a fit
/// needs: `.npy` ([`NpySource`](super::NpySource)), Parquet, CSV, in-memory arrays
/// ([`ArraySource`]).
///
/// Sources are `Send`: the pass driver reads the next block on its own thread while the
/// current one is being used.
pub trait RowSource: Send {
    /// The number of columns.
    fn ncols(&self) -> usize;

    /// The number of rows, when known before reading (`.npy`, Parquet; not CSV).
    fn nrows(&self) -> Option<u64>;

    /// Fills `block` with the next rows, at most `max_rows` (≥ 1) of them; returns `false`
    /// (and leaves `block` alone) at the end of the data.
    ///
    /// # Errors
    /// [`Error::Format`] naming the file and position for malformed, truncated or
    /// changed input; [`Error::Io`] if reading fails.
    fn read_block(&mut self, block: &mut Block, max_rows: usize) -> Result<bool>;

    /// Goes back to the first row for another pass.
    ///
    /// # Errors
    /// [`Error::Io`] if the input cannot be reopened; [`Error::Format`] if it changed.
    fn rewind(&mut self) -> Result<()>;

    /// The input's name for messages (its path).
    fn name(&self) -> &Path;

    /// Bytes of input data per pass, when known (for progress reports).
    fn input_bytes(&self) -> Option<u64> {
        None
    }
}

/// An in-memory array as a [`RowSource`] (rows are copied into the block): for tests,
/// and for feeding in-memory data to the streamed fits.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::stream::{ArraySource, Block, RowSource};
/// let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// let mut src = ArraySource::new(x.view());
/// let mut b = Block::new();
/// assert!(src.read_block(&mut b, 2)?);
/// assert_eq!(b.view(), x.slice(ndarray::s![..2, ..]));
/// assert!(src.read_block(&mut b, 2)?);
/// assert_eq!(b.rows(), 1);
/// assert!(!src.read_block(&mut b, 2)?);
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ArraySource<'a> {
    x: ArrayView2<'a, f64>,
    pos: usize,
    name: PathBuf,
}

impl<'a> ArraySource<'a> {
    /// A source over the rows of `x`.
    #[must_use]
    pub fn new(x: ArrayView2<'a, f64>) -> Self {
        ArraySource {
            x,
            pos: 0,
            name: PathBuf::from("<array>"),
        }
    }
}

impl RowSource for ArraySource<'_> {
    fn ncols(&self) -> usize {
        self.x.ncols()
    }
    fn nrows(&self) -> Option<u64> {
        Some(self.x.nrows() as u64)
    }
    fn read_block(&mut self, block: &mut Block, max_rows: usize) -> Result<bool> {
        let n = self.x.nrows();
        if self.pos >= n {
            return Ok(false);
        }
        let rows = max_rows.max(1).min(n - self.pos);
        let cols = self.x.ncols();
        let dst = block.prepare(rows, cols, false, self.pos as u64)?;
        let src = self.x.slice(ndarray::s![self.pos..self.pos + rows, ..]);
        for (d, s) in dst.chunks_exact_mut(cols.max(1)).zip(src.rows()) {
            for (a, b) in d.iter_mut().zip(s.iter()) {
                *a = *b;
            }
        }
        self.pos += rows;
        Ok(true)
    }
    fn rewind(&mut self) -> Result<()> {
        self.pos = 0;
        Ok(())
    }
    fn name(&self) -> &Path {
        &self.name
    }
    fn input_bytes(&self) -> Option<u64> {
        Some((self.x.len() * 8) as u64)
    }
}

/// Where a pass is: called after every block by the pass driver.
#[derive(Debug, Clone, Copy)]
pub struct PassProgress {
    /// The pass (0-based) and how many the fit will make (if known).
    pub pass: usize,
    /// Passes the fit makes in all (if known in advance).
    pub passes: Option<usize>,
    /// Rows done in this pass.
    pub rows_done: u64,
    /// Rows per pass, if the source knows it.
    pub rows_total: Option<u64>,
    /// Input bytes per pass, if known.
    pub bytes_total: Option<u64>,
    /// Seconds since the pass started.
    pub elapsed: f64,
}

/// A progress callback (the command line draws a bar on a terminal with it).
pub type ProgressFn = Arc<dyn Fn(&PassProgress) + Send + Sync>;

/// How streamed fits read their input: the memory budget that sizes blocks, an optional
/// fixed block size, read-ahead and progress.
#[derive(Clone)]
pub struct StreamOptions {
    /// The memory budget (default: [`MemoryLimit::default_for_process`]).
    pub memory_limit: MemoryLimit,
    /// Rows per block; `None` derives it from the memory limit.
    pub block_rows: Option<usize>,
    /// Read the next block on a separate thread while the current one is used (default on).
    pub prefetch: bool,
    /// Called after every block.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for StreamOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamOptions")
            .field("memory_limit", &self.memory_limit)
            .field("block_rows", &self.block_rows)
            .field("prefetch", &self.prefetch)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            memory_limit: MemoryLimit::default_for_process(),
            block_rows: None,
            prefetch: true,
            progress: None,
        }
    }
}

/// Largest block in bytes: larger blocks gain nothing (the kernels stream through L2 in
/// chunks anyway) and only make the resident memory jumpier.
const MAX_BLOCK_BYTES: u64 = 32 << 20;

/// Blocks alive at once per byte of block: the one being read, the one being used, and
/// up to two same-sized temporaries of the consumer (a centred copy, faer's column-major
/// copy in a QR).
const BLOCK_COPIES: u64 = 4;

impl StreamOptions {
    /// Options with a memory limit (and defaults otherwise).
    #[must_use]
    pub fn with_memory_limit(memory_limit: MemoryLimit) -> Self {
        StreamOptions {
            memory_limit,
            ..StreamOptions::default()
        }
    }

    /// Options with a fixed number of rows per block.
    #[must_use]
    pub fn with_block_rows(rows: usize) -> Self {
        StreamOptions {
            block_rows: Some(rows.max(1)),
            ..StreamOptions::default()
        }
    }

    /// Rows per block for `ncols` columns when `state_bytes` of the budget are taken by
    /// the fit's state (and `per_row_extra` bytes per row by its own per-block work).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`memory_limit`) if the limit does not leave room for
    /// one row, naming both numbers.
    pub fn rows_per_block(
        &self,
        op: &'static str,
        ncols: usize,
        state_bytes: u64,
        per_row_extra: u64,
    ) -> Result<usize> {
        if let Some(r) = self.block_rows {
            return Ok(r.max(1));
        }
        let row = (ncols.max(1) as u64) * 8;
        self.rows_within(op, row, row * BLOCK_COPIES, state_bytes, per_row_extra)
    }

    /// [`StreamOptions::rows_per_block`] for sparse (CSR) blocks of `nnz` stored entries
    /// over `nrows` rows (the source's totals; `None` when unknown, then as dense rows of
    /// `ncols`): a row is its average share of the entries, each held as an index and a
    /// value plus the reader's buffer (24 bytes), and its row pointer. Blocks are read on
    /// the calling thread (no read-ahead copy). A block of rows denser than average takes
    /// more, in proportion.
    ///
    /// # Errors
    /// As [`StreamOptions::rows_per_block`].
    pub(crate) fn rows_per_sparse_block(
        &self,
        op: &'static str,
        ncols: usize,
        nnz_rows: Option<(u64, u64)>,
        state_bytes: u64,
        per_row_extra: u64,
    ) -> Result<usize> {
        let Some((nnz, nrows)) = nnz_rows else {
            return self.rows_per_block(op, ncols, state_bytes, per_row_extra);
        };
        if let Some(r) = self.block_rows {
            return Ok(r.max(1));
        }
        let row = nnz
            .div_ceil(nrows.max(1))
            .saturating_mul(24)
            .saturating_add(16);
        self.rows_within(op, row, row, state_bytes, per_row_extra)
    }

    /// Rows per block when a row takes `row` bytes of block and `per_row` bytes in all
    /// (its copies), plus `per_row_extra` of the consumer's work, after `state_bytes`.
    fn rows_within(
        &self,
        op: &'static str,
        row: u64,
        per_row: u64,
        state_bytes: u64,
        per_row_extra: u64,
    ) -> Result<usize> {
        let per_row = per_row.saturating_add(per_row_extra);
        let limit = self.memory_limit.bytes();
        let room = limit.saturating_sub(state_bytes);
        if room < per_row {
            return Err(Error::param(
                op,
                "memory_limit",
                format!(
                    "the limit of {limit} bytes is below what one row needs: {row} bytes per row \
                     ({per_row} with the read-ahead and work copies) plus {state_bytes} bytes of state"
                ),
            ));
        }
        let rows = (room / per_row).min(MAX_BLOCK_BYTES / row).max(1);
        Ok(usize::try_from(rows).unwrap_or(usize::MAX))
    }
}

/// Reads every block of `source` once, from its first row, calling `f` on each; with
/// `opts.prefetch` a reader thread fills the next block while `f` runs on the current one.
/// Errors from `f` and from the source stop the pass (the reader thread is always joined).
pub(crate) fn for_each_block(
    source: &mut dyn RowSource,
    max_rows: usize,
    opts: &StreamOptions,
    pass: (usize, Option<usize>),
    mut f: impl FnMut(&Block) -> Result<()>,
) -> Result<()> {
    source.rewind()?;
    let start = Instant::now();
    let rows_total = source.nrows();
    let bytes_total = source.input_bytes();
    let mut rows_done = 0u64;
    let mut report = |rows: u64| {
        rows_done += rows;
        if let Some(p) = &opts.progress {
            p(&PassProgress {
                pass: pass.0,
                passes: pass.1,
                rows_done,
                rows_total,
                bytes_total,
                elapsed: start.elapsed().as_secs_f64(),
            });
        }
    };
    if !opts.prefetch {
        let mut b = Block::new();
        while source.read_block(&mut b, max_rows)? {
            f(&b)?;
            report(b.rows() as u64);
        }
        return Ok(());
    }
    std::thread::scope(|s| {
        let (tx_full, rx_full) = sync_channel::<Result<Block>>(1);
        let (tx_empty, rx_empty) = channel::<Block>();
        // two buffers: one being filled, one being used
        for _ in 0..2 {
            let _ = tx_empty.send(Block::new());
        }
        let reader = s.spawn(move || {
            while let Ok(mut b) = rx_empty.recv() {
                match source.read_block(&mut b, max_rows) {
                    Ok(true) => {
                        if tx_full.send(Ok(b)).is_err() {
                            break;
                        }
                    }
                    Ok(false) => break,
                    Err(e) => {
                        let _ = tx_full.send(Err(e));
                        break;
                    }
                }
            }
        });
        let mut result = Ok(());
        for item in &rx_full {
            let step = item.and_then(|b| {
                f(&b)?;
                report(b.rows() as u64);
                // the reader may have finished: a failed send only drops the buffer
                let _ = tx_empty.send(b);
                Ok(())
            });
            if let Err(e) = step {
                result = Err(e);
                break;
            }
        }
        // unblock the reader (its sends fail, its receive ends) before joining it
        drop(rx_full);
        drop(tx_empty);
        let joined = reader.join();
        match (result, joined) {
            (Err(e), _) => Err(e),
            (Ok(()), Ok(())) => Ok(()),
            (Ok(()), Err(_)) => Err(Error::Unsupported {
                op: "stream",
                detail: "the reader thread panicked".into(),
            }),
        }
    })
}

/// Two sources with the same rows side by side: the blocks are `[a | b]` (features then
/// targets for regression from separate X and y files). Blocks of the two sides are
/// re-cut so that rows line up whatever block sizes each side delivers.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::stream::{ArraySource, Block, RowSource, ZipSource};
/// let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// let y = array![[7.0], [8.0], [9.0]];
/// let mut z = ZipSource::new(Box::new(ArraySource::new(x.view())), Box::new(ArraySource::new(y.view())));
/// let mut b = Block::new();
/// assert!(z.read_block(&mut b, 10)?);
/// assert_eq!(b.view(), array![[1.0, 2.0, 7.0], [3.0, 4.0, 8.0], [5.0, 6.0, 9.0]]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub struct ZipSource<'a> {
    a: Box<dyn RowSource + 'a>,
    b: Box<dyn RowSource + 'a>,
    buf_a: Block,
    buf_b: Block,
    /// Rows of `buf_a` / `buf_b` already used.
    used_a: usize,
    used_b: usize,
    /// Whether each side has ended.
    done_a: bool,
    done_b: bool,
    pos: u64,
    name: PathBuf,
    /// The joined rows of the block being assembled, kept between blocks (a fresh
    /// block-sized allocation is page-faulted in again for every block).
    staged: Vec<f64>,
}

impl<'a> ZipSource<'a> {
    /// `[a | b]` row by row.
    #[must_use]
    pub fn new(a: Box<dyn RowSource + 'a>, b: Box<dyn RowSource + 'a>) -> Self {
        let name = PathBuf::from(format!("{} + {}", a.name().display(), b.name().display()));
        ZipSource {
            a,
            b,
            buf_a: Block::new(),
            buf_b: Block::new(),
            used_a: 0,
            used_b: 0,
            done_a: false,
            done_b: false,
            pos: 0,
            name,
            staged: Vec::new(),
        }
    }

    fn mismatch(&self) -> Error {
        Error::shape(
            "stream",
            format!(
                "{} and {} have different numbers of rows (one ended at row {})",
                self.a.name().display(),
                self.b.name().display(),
                self.pos
            ),
        )
    }
}

/// Refills `buf` from `src` when all its rows are used; `false` at the end of `src`
/// (remembered in `done`, so a finished side is never read again in this pass).
fn refill(
    src: &mut dyn RowSource,
    buf: &mut Block,
    used: &mut usize,
    done: &mut bool,
    max_rows: usize,
) -> Result<bool> {
    if *done {
        return Ok(false);
    }
    if *used < buf.rows() {
        return Ok(true);
    }
    *used = 0;
    let more = src.read_block(buf, max_rows)?;
    *done = !more;
    Ok(more)
}

impl RowSource for ZipSource<'_> {
    fn ncols(&self) -> usize {
        self.a.ncols() + self.b.ncols()
    }
    fn nrows(&self) -> Option<u64> {
        self.a.nrows().or(self.b.nrows())
    }
    fn read_block(&mut self, block: &mut Block, max_rows: usize) -> Result<bool> {
        let max_rows = max_rows.max(1);
        let (ca, cb) = (self.a.ncols(), self.b.ncols());
        let mut rows_out = 0usize;
        // Rows are staged first: refilling a side's buffer invalidates its earlier rows.
        let mut staged = std::mem::take(&mut self.staged);
        staged.clear();
        while rows_out < max_rows {
            let more_a = refill(
                self.a.as_mut(),
                &mut self.buf_a,
                &mut self.used_a,
                &mut self.done_a,
                max_rows,
            )?;
            let more_b = refill(
                self.b.as_mut(),
                &mut self.buf_b,
                &mut self.used_b,
                &mut self.done_b,
                max_rows,
            )?;
            match (more_a, more_b) {
                (false, false) => break,
                (true, true) => {}
                _ => return Err(self.mismatch()),
            }
            let take = (self.buf_a.rows() - self.used_a)
                .min(self.buf_b.rows() - self.used_b)
                .min(max_rows - rows_out);
            let va = self.buf_a.view();
            let vb = self.buf_b.view();
            for r in 0..take {
                let (ra, rb) = (va.row(self.used_a + r), vb.row(self.used_b + r));
                match ra.as_slice() {
                    Some(sl) => staged.extend_from_slice(sl),
                    None => staged.extend(ra.iter()),
                }
                match rb.as_slice() {
                    Some(sl) => staged.extend_from_slice(sl),
                    None => staged.extend(rb.iter()),
                }
            }
            self.used_a += take;
            self.used_b += take;
            rows_out += take;
        }
        if rows_out == 0 {
            return Ok(false);
        }
        let dst = block.prepare(rows_out, ca + cb, false, self.pos)?;
        dst.copy_from_slice(&staged);
        self.staged = staged;
        self.pos += rows_out as u64;
        Ok(true)
    }
    fn rewind(&mut self) -> Result<()> {
        self.a.rewind()?;
        self.b.rewind()?;
        self.buf_a = Block::new();
        self.buf_b = Block::new();
        self.used_a = 0;
        self.used_b = 0;
        self.done_a = false;
        self.done_b = false;
        self.pos = 0;
        Ok(())
    }
    fn name(&self) -> &Path {
        &self.name
    }
    fn input_bytes(&self) -> Option<u64> {
        Some(self.a.input_bytes()? + self.b.input_bytes()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sparse blocks are sized by their share of the stored entries: a 100 000-column
    /// matrix of 80 entries a row was read 40 rows at a time (as 800 kB dense rows), so
    /// that a pass of 2·10⁶ rows took 50 000 blocks.
    #[test]
    fn sparse_blocks_are_sized_by_their_entries_not_their_width() {
        let gib = StreamOptions::with_memory_limit(MemoryLimit::from_bytes(1 << 30));
        let nnz = Some((160_000_000, 2_000_000));
        let dense = gib.rows_per_block("t", 100_000, 0, 0).unwrap();
        assert_eq!(dense, (MAX_BLOCK_BYTES / 800_000) as usize);
        // 80 entries × 24 bytes + 16 a row: the 32 MiB block cap decides
        let row = 80 * 24 + 16;
        let rows = gib
            .rows_per_sparse_block("t", 100_000, nnz, 144 << 20, 480)
            .unwrap();
        assert_eq!(rows, (MAX_BLOCK_BYTES / row) as usize);
        // a small limit: the room left after the state decides
        let small = StreamOptions::with_memory_limit(MemoryLimit::from_bytes(10 << 20));
        let rows = small
            .rows_per_sparse_block("t", 100_000, nnz, 1 << 20, 480)
            .unwrap();
        assert_eq!(rows, ((9 << 20) / (row + 480)) as usize);
        // unknown entries: as dense rows; fixed block rows win
        assert_eq!(
            gib.rows_per_sparse_block("t", 100_000, None, 0, 0).unwrap(),
            dense
        );
        let fixed = StreamOptions::with_block_rows(7);
        assert_eq!(
            fixed
                .rows_per_sparse_block("t", 100_000, nnz, 0, 0)
                .unwrap(),
            7
        );
        // a limit below one row is refused, naming the numbers
        let e = small
            .rows_per_sparse_block("t", 10, Some((1 << 40, 1)), 0, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("below what one row needs"), "{e}");
    }
}
