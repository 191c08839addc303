//! Reading and writing arrays: NumPy `.npy`/`.npz`, CSV and Matrix Market `.mtx`.
//!
//! | Python | mlinalg |
//! |---|---|
//! | `np.load("a.npy")`, `np.save` | [`read_npy`], [`write_npy`] |
//! | `np.load("a.npz")`, `np.savez` | [`read_npz`], [`write_npz`] |
//! | `np.loadtxt("a.csv", delimiter=",")`, `np.savetxt` | [`read_csv`], [`write_csv`] |
//! | `scipy.io.mmread`, `mmwrite` | [`read_mtx`], [`write_mtx`] |
//! | `scipy.sparse.load_npz`, `save_npz` | [`CsrMatrix::load_npz`], [`CsrMatrix::save_npz`] |
//!
//! [`load`] picks the reader by extension, as the command line does. Every value is read
//! as `f64`; [`Dtype`] records what the file stored.
//!
//! Readers never trust a size written in a file: a `.npy` header's shape is compared with
//! the file's length, and a Matrix Market size line with the number of entries, before
//! anything is allocated. Writers write to a temporary file in the destination directory
//! and rename it into place, so a failing write leaves no partial file behind.
//!
//! # Examples
//! ```
//! use ndarray::array;
//! let dir = std::env::temp_dir().join(format!("mlinalg-io-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("a.npy");
//! mlinalg::io::write_npy(&path, &array![[1.0, 2.0], [3.0, 4.0]])?;
//! let a = mlinalg::io::load_dense(&path)?;
//! assert_eq!(a.data.shape(), &[2, 2]);
//! assert_eq!(a.dtype.numpy_name(), "float64");
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), mlinalg::Error>(())
//! ```

pub mod csv;
pub mod mtx;
pub mod npy;

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::ArrayD;

pub use self::csv::{parse_csv, read_csv, write_csv};
pub use self::mtx::{MtxField, parse_mtx, read_mtx, write_mtx};
pub use self::npy::{parse_npy, read_npy, read_npz, to_npy_bytes, write_npy, write_npz};

use crate::error::{Error, Result};
use crate::sparse::CsrMatrix;

/// The element type a file stored (NumPy's dtype). mlinalg reads every value as `f64`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// `float64` (`<f8`, `>f8`); also every CSV file and real or pattern Matrix Market file.
    Float64,
    /// `float32` (`<f4`, `>f4`).
    Float32,
    /// `int64` (`<i8`, `>i8`); also integer Matrix Market files. Values beyond ±2⁵³ are rounded.
    Int64,
    /// `int32` (`<i4`, `>i4`).
    Int32,
    /// `bool` (`|b1`), read as 0.0 and 1.0.
    Bool,
}

impl Dtype {
    /// NumPy's name of the dtype: `"float64"`, `"float32"`, `"int64"`, `"int32"`, `"bool"`.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(mlinalg::io::Dtype::Int32.numpy_name(), "int32");
    /// ```
    #[must_use]
    pub fn numpy_name(self) -> &'static str {
        match self {
            Dtype::Float64 => "float64",
            Dtype::Float32 => "float32",
            Dtype::Int64 => "int64",
            Dtype::Int32 => "int32",
            Dtype::Bool => "bool",
        }
    }

    /// Bytes per element in the file.
    pub(crate) fn itemsize(self) -> usize {
        match self {
            Dtype::Float64 | Dtype::Int64 => 8,
            Dtype::Float32 | Dtype::Int32 => 4,
            Dtype::Bool => 1,
        }
    }
}

/// A dense array read from a file: the values as `f64` (standard C layout) and the dtype
/// the file stored them in.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseArray {
    /// The values, converted to `f64`, in standard (C) layout.
    pub data: ArrayD<f64>,
    /// The dtype of the file.
    pub dtype: Dtype,
}

/// What [`load`] read: a dense array, or a sparse matrix from a Matrix Market file.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// A `.npy` or `.csv` file.
    Dense(DenseArray),
    /// A `.mtx` file, kept sparse.
    Sparse {
        /// The matrix, duplicates summed and symmetric entries mirrored.
        matrix: CsrMatrix,
        /// `Float64` for real and pattern files, `Int64` for integer files.
        dtype: Dtype,
    },
}

/// The extensions [`load`] understands, for error messages.
const SUPPORTED: &str = "supported: .npy, .csv, .mtx";

/// Reads an array file, choosing the format by the extension (case-insensitive):
/// `.npy` ([`read_npy`]), `.csv` ([`read_csv`], dtype `Float64`) or `.mtx` ([`read_mtx`],
/// kept sparse).
///
/// # Errors
/// [`Error::Format`] for an unknown extension (naming it and the supported ones), for a
/// `.npz` archive (read those with [`read_npz`] or [`CsrMatrix::load_npz`]) and for a file
/// whose content does not match its format; [`Error::Io`] if the file cannot be read.
///
/// # Examples
/// ```
/// use mlinalg::io::{load, Loaded};
/// let dir = std::env::temp_dir().join(format!("mlinalg-load-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("m.mtx");
/// std::fs::write(&path, "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 2 5.0\n").unwrap();
/// match load(&path)? {
///     Loaded::Sparse { matrix, .. } => assert_eq!(matrix.nnz(), 1),
///     Loaded::Dense(_) => unreachable!(),
/// }
/// let e = load(&dir.join("m.txt")).unwrap_err();
/// assert!(e.to_string().contains("unknown extension '.txt'"));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn load(path: &Path) -> Result<Loaded> {
    match extension(path).as_deref() {
        Some("npy") => Ok(Loaded::Dense(read_npy(path)?)),
        Some("csv") => Ok(Loaded::Dense(DenseArray {
            data: read_csv(path)?,
            dtype: Dtype::Float64,
        })),
        Some("mtx") => {
            let (matrix, field) = read_mtx(path)?;
            Ok(Loaded::Sparse {
                matrix,
                dtype: field.dtype(),
            })
        }
        Some("npz") => Err(Error::format(
            path,
            "a .npz archive holds several arrays: read it with io::read_npz, or a \
             scipy.sparse file with CsrMatrix::load_npz",
        )),
        Some(ext) => Err(Error::format(
            path,
            format!("unknown extension '.{ext}' ({SUPPORTED})"),
        )),
        None => Err(Error::format(
            path,
            format!("no file extension ({SUPPORTED})"),
        )),
    }
}

/// Reads an array file as a dense array, like [`load`], densifying a Matrix Market file.
///
/// # Errors
/// As [`load`]; also [`Error::Unsupported`] if a sparse file's dense form is too large to
/// allocate (e.g. a 10⁶ × 10⁶ `.mtx` with three entries).
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-load-dense-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("v.csv");
/// std::fs::write(&path, "x\n1\n2.5\n").unwrap();
/// let a = mlinalg::io::load_dense(&path)?;
/// assert_eq!(a.data.as_slice().unwrap(), &[1.0, 2.5]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn load_dense(path: &Path) -> Result<DenseArray> {
    match load(path)? {
        Loaded::Dense(d) => Ok(d),
        Loaded::Sparse { matrix, dtype } => Ok(DenseArray {
            data: matrix.to_dense()?.into_dyn(),
            dtype,
        }),
    }
}

/// The lower-cased extension of `path`, if any.
fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

/// An [`Error::Io`] for `path`.
pub(crate) fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a whole file, mapping OS errors to [`Error::Io`].
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| io_error(path, e))
}

/// Reads a whole UTF-8 text file (a leading byte-order mark is dropped).
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        Error::format(
            path,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Distinguishes temporary files of concurrent writes within one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `path` atomically: `write` fills a temporary file `.{name}.tmp-{pid}-{n}` in the
/// same directory, which is then synced and renamed over `path`. On any error the temporary
/// file is removed and an existing `path` is left untouched.
pub(crate) fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::format(path, "cannot write: the path does not name a file"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{n}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| io_error(path, e))?;
    let result = (|| {
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| io_error(path, e.into_error()))?;
        // Sync before the rename so that a crash cannot leave an empty file under the
        // final name (the rename may reach the disk before the data otherwise).
        file.sync_all().map_err(|e| io_error(path, e))?;
        drop(file);
        fs::rename(&tmp, path).map_err(|e| io_error(path, e))
    })();
    if result.is_err() {
        // Best effort: the temporary file may not exist any more; the first error matters.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Maps a write error inside [`write_atomic`] to [`Error::Io`] for `path`.
pub(crate) fn write_all(w: &mut impl Write, path: &Path, bytes: &[u8]) -> Result<()> {
    w.write_all(bytes).map_err(|e| io_error(path, e))
}
