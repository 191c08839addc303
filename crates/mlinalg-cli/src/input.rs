//! Reading `<INPUT>` paths through `mlinalg::io` and checking their dimensions.
//!
//! Load errors are prefixed with the command's name, so every message names the operation:
//! `inv: a.npy: truncated file …`.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{Result, anyhow, bail};
use mlinalg::array::{check_finite, check_nonempty, fmt_shape};
use mlinalg::io::{DenseArray, Dtype, Loaded, TypedArray};
use mlinalg::sparse::CsrMatrix;
use ndarray::{Array, Array1, Array2, ArrayD, Dimension, Ix1, Ix2};

use crate::report::Value;

/// An input file as read: dense, or a sparse Matrix Market matrix.
pub enum Operand {
    /// `.npy` or `.csv`.
    Dense(DenseArray),
    /// `.mtx` or scipy.sparse `.npz`, kept sparse.
    Sparse {
        /// The matrix.
        matrix: CsrMatrix,
        /// The dtype the file stored (the matrix holds its values as `f64`).
        dtype: Dtype,
    },
}

/// `--columns` of Parquet inputs, set once by `main`.
static COLUMNS: OnceLock<Option<Vec<String>>> = OnceLock::new();

/// Records `--columns` for the Parquet inputs of this run.
pub fn set_columns(columns: Option<Vec<String>>) {
    let _ = COLUMNS.set(columns);
}

/// The `--columns` selection, if any.
pub fn columns() -> Option<&'static [String]> {
    COLUMNS.get().and_then(|c| c.as_deref())
}

/// Whether `path` is a Parquet input: a `.parquet` file or a directory (of them).
pub fn is_parquet(path: &Path) -> bool {
    path.is_dir()
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// A Parquet file or directory as a dense float64 matrix.
fn parquet(op: &str, path: &Path) -> Result<DenseArray> {
    let m = mlinalg::stream::read_parquet(&[path.to_path_buf()], columns())
        .map_err(|e| anyhow!("{op}: {e}"))?;
    Ok(DenseArray {
        data: m.into_dyn(),
        dtype: Dtype::Float64,
    })
}

/// Reads `path`, keeping a `.mtx` or scipy.sparse `.npz` file sparse.
pub fn load(op: &str, path: &Path) -> Result<Operand> {
    if is_parquet(path) {
        return Ok(Operand::Dense(parquet(op, path)?));
    }
    match mlinalg::io::load(path).map_err(|e| anyhow!("{op}: {e}"))? {
        Loaded::Dense(d) => Ok(Operand::Dense(d)),
        Loaded::Sparse { matrix, dtype } => Ok(Operand::Sparse { matrix, dtype }),
    }
}

/// Reads `path` as a dense array of any dimension (a `.mtx` file is densified).
pub fn dense(op: &str, path: &Path) -> Result<ArrayD<f64>> {
    if is_parquet(path) {
        return Ok(parquet(op, path)?.data);
    }
    Ok(mlinalg::io::load_dense(path)
        .map_err(|e| anyhow!("{op}: {e}"))?
        .data)
}

/// `a` as a matrix, or an error naming the command and the shape.
pub fn to_matrix(op: &str, a: ArrayD<f64>) -> Result<Array2<f64>> {
    if a.ndim() != 2 {
        bail!(
            "{op}: expected a 2-d matrix, got a {}-d array of shape {}",
            a.ndim(),
            fmt_shape(a.shape())
        );
    }
    // Cannot fail: ndim was checked just above.
    a.into_dimensionality::<Ix2>()
        .map_err(|e| anyhow!("{op}: {e}"))
}

/// `a` as a vector, or an error naming the command and the shape.
pub fn to_vector(op: &str, a: ArrayD<f64>) -> Result<Array1<f64>> {
    if a.ndim() != 1 {
        bail!(
            "{op}: expected a 1-d vector, got a {}-d array of shape {}",
            a.ndim(),
            fmt_shape(a.shape())
        );
    }
    a.into_dimensionality::<Ix1>()
        .map_err(|e| anyhow!("{op}: {e}"))
}

/// A non-empty 2-d matrix from `path`.
pub fn matrix(op: &'static str, path: &Path) -> Result<Array2<f64>> {
    let a = to_matrix(op, dense(op, path)?)?;
    check_nonempty(op, &a)?;
    Ok(a)
}

/// A non-empty, finite 2-d matrix from `path`, for solvers and decompositions.
pub fn finite_matrix(op: &'static str, path: &Path) -> Result<Array2<f64>> {
    let a = matrix(op, path)?;
    check_finite(op, &a)?;
    Ok(a)
}

/// A non-empty 1-d vector from `path`.
pub fn vector(op: &'static str, path: &Path) -> Result<Array1<f64>> {
    let a = to_vector(op, dense(op, path)?)?;
    check_nonempty(op, &a)?;
    Ok(a)
}

/// The number of dimensions a `.npy` file's header declares.
pub fn npy_ndim(path: &Path) -> Result<usize> {
    let src = mlinalg::stream::NpySource::open(path)?;
    Ok(src.ndim())
}

/// The matrix of a float32 `.npy` file, checked as
/// [`finite_matrix`] checks one; `None` for any other input (scikit-learn's estimators
/// keep float32 and compute every other dtype, float16 included, in float64).
pub fn float32_matrix(op: &'static str, path: &Path) -> Result<Option<Array2<f32>>> {
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if !is_npy || !mlinalg::io::read_npy_header(path).is_ok_and(|h| h.dtype == Dtype::Float32) {
        return Ok(None);
    }
    let TypedArray::Float32(a) = mlinalg::io::load_typed(path)
        .map_err(|e| anyhow!("{op}: {e}"))?
        .data
    else {
        return Ok(None);
    };
    if a.ndim() != 2 {
        bail!(
            "{op}: expected a 2-d matrix, got a {}-d array of shape {}",
            a.ndim(),
            fmt_shape(a.shape())
        );
    }
    let a = a
        .into_dimensionality::<Ix2>()
        .map_err(|e| anyhow!("{op}: {e}"))?;
    check_nonempty(op, &a)?;
    check_finite(op, &a)?;
    Ok(Some(a))
}

/// A float32 result, written to files as float32.
pub fn f32_value<D: Dimension>(a: Array<f32, D>) -> Value {
    Value::Typed(TypedArray::Float32(a.into_dyn()))
}
