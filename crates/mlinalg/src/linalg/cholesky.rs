//! Cholesky factorization `A = L Lᵀ` (LAPACK `potrf`): [`cholesky`] and the reusable
//! [`Cholesky`] factor.

use ndarray::{Array, Array2, ArrayBase, ArrayView2, Data, Dimension};

use crate::array::{check_input, check_square};
use crate::error::Result;
use crate::linalg::bridge;
use crate::linalg::solve::{matrix_as_rhs, rhs_as_matrix};

/// The lower Cholesky factor L of a symmetric positive-definite matrix, `A = L Lᵀ`
/// (NumPy `linalg.cholesky`). Like NumPy, only the lower triangle of `a` is read.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) if not square; [`Error::Empty`](crate::Error::Empty);
/// [`Error::NonFinite`](crate::Error::NonFinite);
/// [`Error::NotPositiveDefinite`](crate::Error::NotPositiveDefinite).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let l = mlinalg::linalg::cholesky(array![[4., 2.], [2., 3.]].view())?;
/// assert_eq!(l[[0, 0]], 2.0);
/// assert_eq!(l[[0, 1]], 0.0);
/// let e = mlinalg::linalg::cholesky(array![[1., 2.], [2., 1.]].view()).unwrap_err();
/// assert_eq!(e.to_string(), "cholesky: matrix is not positive definite");
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn cholesky(a: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    Ok(Cholesky::new(a)?.l)
}

/// A Cholesky factorization kept for solving many systems `A x = b` (normal equations,
/// ridge regression), as faer's `Llt`.
#[derive(Debug, Clone)]
pub struct Cholesky {
    l: Array2<f64>,
}

impl Cholesky {
    /// Factors `a` (lower triangle read).
    ///
    /// # Errors
    /// As [`cholesky`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// let c = mlinalg::linalg::Cholesky::new(array![[4., 2.], [2., 3.]].view())?;
    /// let x = c.solve(&array![6., 5.])?;
    /// assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn new(a: ArrayView2<'_, f64>) -> Result<Self> {
        check_square("cholesky", &a)?;
        check_input("cholesky", &a)?;
        Ok(Cholesky {
            l: crate::kernels::cholesky::llt("cholesky", &a)?,
        })
    }

    /// The lower factor L.
    #[must_use]
    pub fn l(&self) -> &Array2<f64> {
        &self.l
    }

    /// Solves `A x = b` by two triangular solves; `b` is (n,) or (n, k).
    ///
    /// # Errors
    /// [`Error::Shape`](crate::Error::Shape) if `b` has the wrong number of rows;
    /// [`Error::NonFinite`](crate::Error::NonFinite).
    pub fn solve<S, D>(&self, b: &ArrayBase<S, D>) -> Result<Array<f64, D>>
    where
        S: Data<Elem = f64>,
        D: Dimension,
    {
        const OP: &str = "cholesky_solve";
        let b2 = rhs_as_matrix(OP, b)?;
        if b2.nrows() != self.l.nrows() {
            return Err(crate::Error::shape(
                OP,
                format!(
                    "right-hand side has {} rows, expected {}",
                    b2.nrows(),
                    self.l.nrows()
                ),
            ));
        }
        crate::array::check_finite(OP, &b2)?;
        let mut x = b2.to_owned();
        bridge::llt_solve_in_place(&self.l.view(), &mut x.view_mut());
        matrix_as_rhs(OP, x, b.ndim())
    }
}
