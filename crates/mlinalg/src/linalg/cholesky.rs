//! Cholesky factorization `A = L Lᵀ` (LAPACK `potrf`): [`cholesky`] and the reusable
//! [`Cholesky`] factor.

use ndarray::{Array, Array2, ArrayBase, ArrayView2, Data, Dimension};

use crate::array::{check_input, check_square};
use crate::error::Result;
use crate::linalg::bridge::{self, generic};
use crate::linalg::solve::{matrix_as_rhs, rhs_as_matrix};
use crate::scalar::{Scalar, cast, cast_mut, cast_view};

/// The lower Cholesky factor L of a symmetric (Hermitian) positive-definite matrix,
/// `A = L Lᴴ` (NumPy `linalg.cholesky`). Like NumPy, only the lower triangle of `a` is
/// read. Generic over [`Scalar`], in the element type's precision.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) if not square; [`Error::Empty`](crate::Error::Empty);
/// [`Error::NonFinite`](crate::Error::NonFinite);
/// [`Error::NotPositiveDefinite`](crate::Error::NotPositiveDefinite).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let l = mlinalg::linalg::cholesky(array![[4f64, 2.], [2., 3.]].view())?;
/// assert_eq!(l[[0, 0]], 2.0);
/// assert_eq!(l[[0, 1]], 0.0);
/// let e = mlinalg::linalg::cholesky(array![[1., 2.], [2., 1.]].view()).unwrap_err();
/// assert_eq!(e.to_string(), "cholesky: matrix is not positive definite");
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn cholesky<T: Scalar>(a: ArrayView2<'_, T>) -> Result<Array2<T>> {
    Ok(Cholesky::new(a)?.l)
}

/// A Cholesky factorization kept for solving many systems `A x = b` (normal equations,
/// ridge regression), as faer's `Llt`; element type `T` (`f64` by default).
#[derive(Debug, Clone)]
pub struct Cholesky<T: Scalar = f64> {
    l: Array2<T>,
}

impl<T: Scalar> Cholesky<T> {
    /// Factors `a` (lower triangle read).
    ///
    /// # Errors
    /// As [`cholesky`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// let c = mlinalg::linalg::Cholesky::new(array![[4f64, 2.], [2., 3.]].view())?;
    /// let x = c.solve(&array![6., 5.])?;
    /// assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn new(a: ArrayView2<'_, T>) -> Result<Self> {
        check_square("cholesky", &a)?;
        check_input("cholesky", &a)?;
        let l = match cast_view::<T, f64, _>(a) {
            Some(a) => cast(crate::kernels::cholesky::llt("cholesky", &a)?).expect("T is f64"),
            None => generic::llt("cholesky", &a)?,
        };
        Ok(Cholesky { l })
    }

    /// The lower factor L.
    #[must_use]
    pub fn l(&self) -> &Array2<T> {
        &self.l
    }

    /// Solves `A x = b` by two triangular solves; `b` is (n,) or (n, k).
    ///
    /// # Errors
    /// [`Error::Shape`](crate::Error::Shape) if `b` has the wrong number of rows;
    /// [`Error::NonFinite`](crate::Error::NonFinite).
    pub fn solve<S, D>(&self, b: &ArrayBase<S, D>) -> Result<Array<T, D>>
    where
        S: Data<Elem = T>,
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
        match cast_view::<T, f64, _>(self.l.view()) {
            Some(l) => {
                let x = cast_mut::<Array2<T>, Array2<f64>>(&mut x).expect("T is f64");
                bridge::llt_solve_in_place(&l, &mut x.view_mut());
            }
            None => generic::llt_solve_in_place(&self.l.view(), &mut x.view_mut()),
        }
        matrix_as_rhs(OP, x, b.ndim())
    }
}
