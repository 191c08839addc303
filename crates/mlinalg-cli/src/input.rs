//! Reading `<INPUT>` paths through `mlinalg::io` and checking their dimensions.
//!
//! Load errors are prefixed with the command's name, so every message names the operation:
//! `inv: a.npy: truncated file …`.

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use mlinalg::array::{check_finite, check_nonempty, fmt_shape};
use mlinalg::io::{DenseArray, Loaded};
use mlinalg::sparse::CsrMatrix;
use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};

/// An input file as read: dense, or a sparse Matrix Market matrix.
pub enum Operand {
    /// `.npy` or `.csv`.
    Dense(DenseArray),
    /// `.mtx` or scipy.sparse `.npz`, kept sparse.
    Sparse {
        /// The matrix.
        matrix: CsrMatrix,
    },
}

/// Reads `path`, keeping a `.mtx` or scipy.sparse `.npz` file sparse.
pub fn load(op: &str, path: &Path) -> Result<Operand> {
    match mlinalg::io::load(path).map_err(|e| anyhow!("{op}: {e}"))? {
        Loaded::Dense(d) => Ok(Operand::Dense(d)),
        Loaded::Sparse { matrix, .. } => Ok(Operand::Sparse { matrix }),
    }
}

/// Reads `path` as a dense array of any dimension (a `.mtx` file is densified).
pub fn dense(op: &str, path: &Path) -> Result<ArrayD<f64>> {
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

/// A non-empty, finite right-hand side (1-d or 2-d) from `path`.
pub fn rhs(op: &'static str, path: &Path) -> Result<ArrayD<f64>> {
    let b = dense(op, path)?;
    if b.ndim() != 1 && b.ndim() != 2 {
        bail!(
            "{op}: expected B to be a 1-d vector or a 2-d matrix, got a {}-d array of shape {}",
            b.ndim(),
            fmt_shape(b.shape())
        );
    }
    check_nonempty(op, &b)?;
    check_finite(op, &b)?;
    Ok(b)
}
