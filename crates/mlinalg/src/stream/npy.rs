//! [`NpySource`]: the rows of a `.npy` file, read with positioned reads into the reused
//! block buffer (never memory-mapped: a mapping would count every page it touched in the
//! process's resident memory).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::source::{Block, RowSource};
use crate::array::fmt_shape;
use crate::error::{Error, Result};
use crate::io::Dtype;
use crate::io::npy::{Descr, open_npy};

/// A `.npy` file of a 2-d array (or a 1-d one, read as one column), C or Fortran order,
/// of dtype float64, float32, int64, int32 or bool (converted to `f64` as
/// [`read_npy`](crate::io::read_npy) does), read one block of rows at a time.
///
/// A C-order block is one positioned read (`pread`) straight into the block buffer for
/// little-endian float64; a Fortran-order block is one read per column. The file's length
/// is checked against the header when opened, and again at the end of every pass: a
/// file that is truncated or grows while it is read is an error naming the file and the
/// row, never a silently different result.
///
/// # Examples
/// ```
/// use mlinalg::stream::{Block, NpySource, RowSource};
/// let dir = std::env::temp_dir().join(format!("mlinalg-npysrc-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("x.npy");
/// mlinalg::io::write_npy(&path, &ndarray::array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])?;
/// let mut src = NpySource::open(&path)?;
/// assert_eq!((src.nrows(), src.ncols()), (Some(3), 2));
/// let mut b = Block::new();
/// src.read_block(&mut b, 2)?;
/// assert_eq!(b.view(), ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug)]
pub struct NpySource {
    path: PathBuf,
    file: File,
    file_len: u64,
    nrows: u64,
    ncols: usize,
    ndim: usize,
    fortran: bool,
    dtype: Dtype,
    big_endian: bool,
    data_offset: u64,
    pos: u64,
    scratch: Vec<u8>,
}

impl NpySource {
    /// Opens `path` and checks its header against its length.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be opened; [`Error::Format`] for a malformed header, an
    /// unsupported dtype, an array that is not 1-d or 2-d, or a body whose length does not
    /// match the header's shape (a truncated file).
    pub fn open(path: &Path) -> Result<Self> {
        let (file, header) = open_npy(path)?;
        let file_len = file
            .metadata()
            .map_err(|e| Error::Io {
                path: path.to_path_buf(),
                source: e,
            })?
            .len();
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
                    path,
                    "unsupported dtype for streaming (supported: float64, float32, int64, int32, bool)",
                ));
            }
        };
        let (nrows, ncols) = match header.shape.as_slice() {
            [n, p] => (*n, *p),
            [n] => (*n, 1),
            s => {
                return Err(Error::format(
                    path,
                    format!("expected a 1-d or 2-d array, got shape {}", fmt_shape(s)),
                ));
            }
        };
        advise_sequential(&file);
        Ok(NpySource {
            path: path.to_path_buf(),
            file,
            file_len,
            nrows: nrows as u64,
            ncols,
            ndim: header.shape.len(),
            // a 1-d array or a single row reads the same in either order
            fortran: header.fortran_order && header.shape.len() == 2 && nrows > 1 && ncols > 1,
            dtype,
            big_endian,
            data_offset: header.data_offset as u64,
            pos: 0,
            scratch: Vec::new(),
        })
    }

    /// The dtype the file stores.
    #[must_use]
    pub fn dtype(&self) -> Dtype {
        self.dtype
    }

    /// The number of dimensions of the stored array (1 or 2; a 1-d array is one column).
    #[must_use]
    pub fn ndim(&self) -> usize {
        self.ndim
    }

    /// Whether the file is in Fortran (column-major) order.
    #[must_use]
    pub fn fortran_order(&self) -> bool {
        self.fortran
    }

    fn changed(&self, row: u64) -> Error {
        let now = self.file.metadata().map(|m| m.len()).unwrap_or(0);
        Error::format(
            &self.path,
            format!(
                "the file changed while it was read (row {row}: it had {} bytes, now {now})",
                self.file_len
            ),
        )
    }

    fn check_length(&self) -> Result<()> {
        match self.file.metadata() {
            Ok(m) if m.len() == self.file_len => Ok(()),
            Ok(_) => Err(self.changed(self.pos)),
            Err(e) => Err(Error::Io {
                path: self.path.clone(),
                source: e,
            }),
        }
    }

    /// Reads `dst.len()` values starting at byte `offset`, converting from the file's dtype.
    fn read_values(&mut self, dst: &mut [f64], offset: u64, row: u64) -> Result<()> {
        let item = self.dtype.itemsize();
        let native =
            matches!(self.dtype, Dtype::Float64) && self.big_endian == cfg!(target_endian = "big");
        let res = if native {
            // SAFETY: any bit pattern is a valid f64 and u8 has alignment 1; the byte view
            // covers exactly the memory of `dst`, which is borrowed mutably here.
            let bytes = unsafe {
                std::slice::from_raw_parts_mut(
                    dst.as_mut_ptr().cast::<u8>(),
                    std::mem::size_of_val(dst),
                )
            };
            self.file.read_exact_at(bytes, offset)
        } else {
            self.scratch.resize(dst.len() * item, 0);
            let r = self.file.read_exact_at(&mut self.scratch, offset);
            if r.is_ok() {
                decode(self.dtype, self.big_endian, &self.scratch, dst);
            }
            r
        };
        res.map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                self.changed(row)
            } else {
                Error::Io {
                    path: self.path.clone(),
                    source: e,
                }
            }
        })
    }
}

/// Decodes items of `dtype` from `src` into `dst` (as many as `dst` holds).
fn decode(dtype: Dtype, big_endian: bool, src: &[u8], dst: &mut [f64]) {
    macro_rules! conv {
        ($n:literal, $f:expr) => {
            for (d, c) in dst.iter_mut().zip(src.chunks_exact($n)) {
                let mut b = [0u8; $n];
                b.copy_from_slice(c);
                *d = $f(b);
            }
        };
    }
    match (dtype, big_endian) {
        (Dtype::Float64, false) => conv!(8, f64::from_le_bytes),
        (Dtype::Float64, true) => conv!(8, f64::from_be_bytes),
        (Dtype::Float32, false) => conv!(4, |b| f64::from(f32::from_le_bytes(b))),
        (Dtype::Float32, true) => conv!(4, |b| f64::from(f32::from_be_bytes(b))),
        // int64 → f64 rounds beyond ±2⁵³, as NumPy's astype(float64)
        (Dtype::Int64, false) => conv!(8, |b| i64::from_le_bytes(b) as f64),
        (Dtype::Int64, true) => conv!(8, |b| i64::from_be_bytes(b) as f64),
        (Dtype::Int32, false) => conv!(4, |b| f64::from(i32::from_le_bytes(b))),
        (Dtype::Int32, true) => conv!(4, |b| f64::from(i32::from_be_bytes(b))),
        (Dtype::Bool, _) => {
            for (d, &b) in dst.iter_mut().zip(src) {
                *d = if b == 0 { 0.0 } else { 1.0 };
            }
        }
        // `open` admits the five dtypes above only
        _ => dst.fill(f64::NAN),
    }
}

impl RowSource for NpySource {
    fn ncols(&self) -> usize {
        self.ncols
    }

    fn nrows(&self) -> Option<u64> {
        Some(self.nrows)
    }

    fn read_block(&mut self, block: &mut Block, max_rows: usize) -> Result<bool> {
        if self.pos >= self.nrows {
            self.check_length()?;
            return Ok(false);
        }
        let rows = (max_rows.max(1) as u64).min(self.nrows - self.pos) as usize;
        let item = self.dtype.itemsize() as u64;
        let (pos, ncols, nrows, base) = (self.pos, self.ncols, self.nrows, self.data_offset);
        let dst = block.prepare(rows, ncols, self.fortran, pos)?;
        // the buffer is borrowed from `block`; the reads below only need `self`
        let dst: &mut [f64] = dst;
        if self.fortran {
            for j in 0..ncols {
                let off = base + (j as u64 * nrows + pos) * item;
                self.read_values(&mut dst[j * rows..(j + 1) * rows], off, pos)?;
            }
        } else if !dst.is_empty() {
            let off = base + pos * ncols as u64 * item;
            self.read_values(dst, off, pos)?;
        }
        self.pos += rows as u64;
        Ok(true)
    }

    fn rewind(&mut self) -> Result<()> {
        self.check_length()?;
        self.pos = 0;
        Ok(())
    }

    fn name(&self) -> &Path {
        &self.path
    }

    fn input_bytes(&self) -> Option<u64> {
        Some(self.file_len - self.data_offset)
    }
}

/// Tells the kernel the file is read front to back (a larger read-ahead window).
fn advise_sequential(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is open for the duration of the call; the advice only
    // changes read-ahead policy.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_SEQUENTIAL);
    }
}
