//! Linear systems: [`solve`] and [`inv`] (LU with partial pivoting, LAPACK `gesv`/`getri`).

use ndarray::{Array, Array2, ArrayBase, ArrayView2, Axis, Data, Dimension, Ix1, Ix2};

use crate::array::{check_input, check_square, fmt_shape};
use crate::error::{Error, Result};
use crate::linalg::lu::Lu;
use crate::scalar::{
    Scalar, cast, cast_view, narrow_array, return_in_double, widen_exact, widen_single,
};

/// A C-order copy of `a` (in memory advised for huge pages for `f64`, see
/// [`crate::kernels::c_order`]).
pub(crate) fn c_order<T: Scalar>(op: &'static str, a: ArrayView2<'_, T>) -> Result<Array2<T>> {
    match cast_view::<T, f64, _>(a) {
        Some(a) => Ok(cast(crate::kernels::c_order(op, a)?).expect("T is f64")),
        None => Ok(a.as_standard_layout().into_owned()),
    }
}

/// Views a 1-d or 2-d right-hand side as a matrix (a vector becomes one column).
pub(crate) fn rhs_as_matrix<'a, T, S, D>(
    op: &'static str,
    b: &'a ArrayBase<S, D>,
) -> Result<ArrayView2<'a, T>>
where
    T: Scalar,
    S: Data<Elem = T>,
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
pub(crate) fn matrix_as_rhs<T: Scalar, D: Dimension>(
    op: &'static str,
    x: Array2<T>,
    ndim: usize,
) -> Result<Array<T, D>> {
    let x = if ndim == 1 {
        x.remove_axis(Axis(1)).into_dyn()
    } else {
        x.into_dyn()
    };
    x.into_dimensionality::<D>()
        .map_err(|e| Error::shape(op, e.to_string()))
}

fn check_rhs<T: Scalar>(
    op: &'static str,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
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
/// `a`: (n, n); `b`: (n,) or (n, k); the result has `b`'s shape. Generic over the
/// element type ([`Scalar`]: `f32`, `f64`, `Complex32`, `Complex64`), computed in that
/// type's precision as NumPy does (LAPACK `sgesv`/`dgesv`/`cgesv`/`zgesv`).
///
/// # Errors
/// [`Error::Shape`] if `a` is not square or `b` has the wrong number of rows;
/// [`Error::Empty`]; [`Error::NonFinite`]; [`Error::Singular`] when LU finds an exactly
/// zero pivot (as LAPACK `gesv`, whose error NumPy raises).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let a = array![[3f64, 1.], [1., 2.]];
/// let x = mlinalg::linalg::solve(a.view(), &array![9., 8.])?;
/// assert!((x[0] - 2.0).abs() < 1e-12 && (x[1] - 3.0).abs() < 1e-12);
/// // float32 in, float32 out
/// let x32 = mlinalg::linalg::solve(array![[3f32, 1.], [1., 2.]].view(), &array![9f32, 8.])?;
/// assert!((x32[1] - 3.0).abs() < 1e-6);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn solve<T, S, D>(a: ArrayView2<'_, T>, b: &ArrayBase<S, D>) -> Result<Array<T, D>>
where
    T: Scalar,
    S: Data<Elem = T>,
    D: Dimension,
{
    const OP: &str = "solve";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    let b2 = rhs_as_matrix(OP, b)?;
    check_rhs(OP, &a, &b2, b.shape())?;
    return_in_double!(widen_single(a), widen_exact(b.view()), |wa, wb| solve(
        wa.view(),
        &wb
    )
    .map(narrow_array));
    let lu = Lu::new(OP, &a)?;
    if lu.is_singular() {
        return Err(Error::Singular { op: OP });
    }
    let mut x = c_order(OP, b2)?;
    lu.solve_in_place(&mut x);
    matrix_as_rhs(OP, x, b.ndim())
}

/// The inverse `A⁻¹` of a square, non-singular matrix (NumPy `linalg.inv`), for every
/// [`Scalar`] type.
///
/// # Errors
/// [`Error::Shape`] if `a` is not square; [`Error::Empty`]; [`Error::NonFinite`];
/// [`Error::Singular`] on an exactly zero LU pivot.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let inv = mlinalg::linalg::inv(array![[4f64, 7.], [2., 6.]].view())?;
/// assert!((inv[[0, 0]] - 0.6).abs() < 1e-12);
/// let e = mlinalg::linalg::inv(array![[1., 2.], [2., 4.]].view()).unwrap_err();
/// assert_eq!(e.to_string(), "inv: singular matrix");
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn inv<T: Scalar>(a: ArrayView2<'_, T>) -> Result<Array2<T>> {
    const OP: &str = "inv";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    return_in_double!(widen_single(a), |w| inv(w.view()).map(narrow_array));
    let lu = Lu::new(OP, &a)?;
    if lu.is_singular() {
        return Err(Error::Singular { op: OP });
    }
    lu.inverse(OP)
}
