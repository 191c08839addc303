//! Rank, pseudo-inverse and condition number, all from singular values:
//! [`matrix_rank`], [`pinv`], [`cond`].

use ndarray::{Array2, ArrayView2, Axis, s};

use crate::array::check_input;
use crate::error::Result;
use crate::linalg::bridge::SvdKind;
use crate::linalg::norm::{NormOrd, norm};
use crate::linalg::svd::{singular_values, svd_uv};
use crate::scalar::{RealScalar, Scalar};

/// The numerical rank: the number of singular values above `tol` (NumPy
/// `linalg.matrix_rank`). The default tolerance is NumPy's `σ_max · max(m, n) · ε`, with the
/// ε of the element type (any [`Scalar`]).
///
/// # Errors
/// [`Error::Empty`](crate::Error::Empty); [`Error::NonFinite`](crate::Error::NonFinite).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let r = mlinalg::linalg::matrix_rank(array![[1f64, 2.], [2., 4.]].view(), None)?;
/// assert_eq!(r, 1);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn matrix_rank<T: Scalar>(a: ArrayView2<'_, T>, tol: Option<f64>) -> Result<usize> {
    check_input("matrix_rank", &a)?;
    let sv = singular_values("matrix_rank", &a)?;
    let smax = sv.first().copied().map_or(0.0, RealScalar::to_f64);
    // NumPy multiplies max(M, N) · ε first, so σ_max near f64::MAX does not overflow.
    let tol = tol.unwrap_or(smax * (a.nrows().max(a.ncols()) as f64 * T::eps().to_f64()));
    Ok(sv.iter().filter(|&&x| x.to_f64() > tol).count())
}

/// The Moore–Penrose pseudo-inverse `A⁺ = V Σ⁺ Uᴴ` (NumPy `linalg.pinv`) of any [`Scalar`]
/// type: singular values
/// at or below `rcond · σ_max` are treated as zero. `rcond` defaults to `1e-15`, NumPy's
/// default when neither `rcond` nor `rtol` is given (pass `Some(max(m, n) · ε)` for NumPy's
/// `rtol=None`).
///
/// # Errors
/// [`Error::Empty`](crate::Error::Empty); [`Error::NonFinite`](crate::Error::NonFinite).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let p = mlinalg::linalg::pinv(array![[1f64, 0.], [0., 0.]].view(), None)?;
/// assert_eq!(p, array![[1., 0.], [0., 0.]]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn pinv<T: Scalar>(a: ArrayView2<'_, T>, rcond: Option<f64>) -> Result<Array2<T>> {
    check_input("pinv", &a)?;
    let (u, sv, v) = svd_uv("pinv", &a, SvdKind::Thin)?;
    // NumPy's `pinv(a)`: `rcond = 1e-15` when neither rcond nor rtol is passed (for every
    // dtype).
    let rcond = rcond.unwrap_or(1e-15);
    let cutoff = rcond * sv.first().copied().map_or(0.0, RealScalar::to_f64);
    let r = sv.iter().filter(|&&x| x.to_f64() > cutoff).count();
    let mut vs = v.slice(s![.., ..r]).to_owned();
    for (mut col, &sigma) in vs.axis_iter_mut(Axis(1)).zip(sv.iter()) {
        col.mapv_inplace(|x| x.div_real(sigma));
    }
    let ut = u.slice(s![.., ..r]).t().to_owned();
    Ok(vs.dot(&if T::IS_COMPLEX {
        ut.mapv(Scalar::conj)
    } else {
        ut
    }))
}

/// The condition number `‖A‖ ‖A⁻¹‖` (NumPy `linalg.cond`). With `p = None` (or `P(2.)`) it
/// is `σ_max / σ_min` for any shape; `P(-2.)` is `σ_min / σ_max`; other orders need a
/// square matrix. A singular matrix has condition number ∞.
///
/// # Errors
/// [`Error::Empty`](crate::Error::Empty); [`Error::NonFinite`](crate::Error::NonFinite);
/// [`Error::Shape`](crate::Error::Shape) for a non-square matrix with an order other than ±2.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let c = mlinalg::linalg::cond(array![[2f64, 0.], [0., 0.5]].view(), None)?;
/// assert!((c - 4.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn cond<T: Scalar>(a: ArrayView2<'_, T>, p: Option<NormOrd>) -> Result<T::Real> {
    check_input("cond", &a)?;
    match p {
        None | Some(NormOrd::P(2.0)) | Some(NormOrd::P(-2.0)) => {
            let sv = singular_values("cond", &a)?;
            let (smax, smin) = (sv[0], sv[sv.len() - 1]);
            let r = if p == Some(NormOrd::P(-2.0)) {
                smin / smax
            } else {
                smax / smin
            };
            // NumPy turns the 0/0 of an all-zero matrix into ∞ (input NaNs are rejected above).
            Ok(if r.is_nan() {
                <T::Real as RealScalar>::INFINITY
            } else {
                r
            })
        }
        Some(ord) => {
            crate::array::check_square("cond", &a)?;
            match crate::linalg::inv(a) {
                Ok(ainv) => Ok(norm(&a, Some(ord))? * norm(&ainv, Some(ord))?),
                Err(crate::Error::Singular { .. }) => Ok(<T::Real as RealScalar>::INFINITY),
                Err(e) => Err(e),
            }
        }
    }
}
