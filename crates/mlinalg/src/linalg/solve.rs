//! Linear systems: [`solve`] and [`inv`] (LU with partial pivoting, LAPACK `gesv`/`getri`).

use ndarray::{Array, Array2, ArrayBase, ArrayView2, Axis, Data, Dimension, Ix1, Ix2};

use crate::array::{check_input, check_square, fmt_shape};
use crate::error::{Error, Result};
use crate::linalg::lu::Lu;

/// Views a 1-d or 2-d right-hand side as a matrix (a vector becomes one column).
pub(crate) fn rhs_as_matrix<'a, S, D>(
    op: &'static str,
    b: &'a ArrayBase<S, D>,
) -> Result<ArrayView2<'a, f64>>
where
    S: Data<Elem = f64>,
    D: Dimension,
{
    let v = b.view().into_dyn();
    match v.ndim() {
        1 => Ok(v
            .into_dimensionality::<Ix1>()
            .map_err(|e| Error::shape(op, e.to_string()))?
            .insert_axis(Axis(1))),
        2 => v
            .into_dimensionality::<Ix2>()
            .map_err(|e| Error::shape(op, e.to_string())),
        _ => Err(Error::shape(
            op,
            format!(
                "right-hand side must be 1-d or 2-d, got shape {}",
                fmt_shape(b.shape())
            ),
        )),
    }
}

/// Turns a matrix result back into the right-hand side's dimensionality.
pub(crate) fn matrix_as_rhs<D: Dimension>(
    op: &'static str,
    x: Array2<f64>,
    ndim: usize,
) -> Result<Array<f64, D>> {
    let x = if ndim == 1 {
        x.remove_axis(Axis(1)).into_dyn()
    } else {
        x.into_dyn()
    };
    x.into_dimensionality::<D>()
        .map_err(|e| Error::shape(op, e.to_string()))
}

fn check_rhs(
    op: &'static str,
    a: &ArrayView2<'_, f64>,
    b: &ArrayView2<'_, f64>,
    b_shape: &[usize],
) -> Result<()> {
    if b.nrows() != a.nrows() {
        return Err(Error::shape(
            op,
            format!(
                "right-hand side has {} rows, expected {} (a is {}, b is {})",
                b.nrows(),
                a.nrows(),
                fmt_shape(a.shape()),
                fmt_shape(b_shape)
            ),
        ));
    }
    check_input(op, b)
}

/// Solves `A x = b` for square, non-singular `A` (NumPy `linalg.solve`).
///
/// `a`: (n, n); `b`: (n,) or (n, k); the result has `b`'s shape.
///
/// # Errors
/// [`Error::Shape`] if `a` is not square or `b` has the wrong number of rows;
/// [`Error::Empty`]; [`Error::NonFinite`]; [`Error::Singular`] when LU finds an exactly
/// zero pivot (as LAPACK `gesv`, whose error NumPy raises).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let a = array![[3., 1.], [1., 2.]];
/// let x = mlinalg::linalg::solve(a.view(), &array![9., 8.])?;
/// assert!((x[0] - 2.0).abs() < 1e-12 && (x[1] - 3.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn solve<S, D>(a: ArrayView2<'_, f64>, b: &ArrayBase<S, D>) -> Result<Array<f64, D>>
where
    S: Data<Elem = f64>,
    D: Dimension,
{
    const OP: &str = "solve";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    let b2 = rhs_as_matrix(OP, b)?;
    check_rhs(OP, &a, &b2, b.shape())?;
    let lu = Lu::new(OP, &a)?;
    if lu.is_singular() {
        return Err(Error::Singular { op: OP });
    }
    let mut x = crate::kernels::c_order(OP, b2)?;
    lu.solve_in_place(&mut x);
    matrix_as_rhs(OP, x, b.ndim())
}

/// The inverse `A⁻¹` of a square, non-singular matrix (NumPy `linalg.inv`).
///
/// # Errors
/// [`Error::Shape`] if `a` is not square; [`Error::Empty`]; [`Error::NonFinite`];
/// [`Error::Singular`] on an exactly zero LU pivot.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let inv = mlinalg::linalg::inv(array![[4., 7.], [2., 6.]].view())?;
/// assert!((inv[[0, 0]] - 0.6).abs() < 1e-12);
/// let e = mlinalg::linalg::inv(array![[1., 2.], [2., 4.]].view()).unwrap_err();
/// assert_eq!(e.to_string(), "inv: singular matrix");
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn inv(a: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    const OP: &str = "inv";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    let lu = Lu::new(OP, &a)?;
    if lu.is_singular() {
        return Err(Error::Singular { op: OP });
    }
    lu.inverse(OP)
}
