//! Singular value decomposition: [`svd`], [`svdvals`], and the best rank-k approximation
//! [`low_rank`] (Eckart–Young).

use ndarray::{Array1, Array2, ArrayView2, s};

use crate::array::check_input;
use crate::error::{Error, Result};
use crate::linalg::bridge::{self, SvdKind, generic};
use crate::scalar::{Scalar, cast, cast_view, narrow_array, return_in_double, widen_single};

/// `A = U Σ Vᴴ` (NumPy `SVDResult(U, S, Vh)`), for an element type `T` (`f64` by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Svd<T: Scalar = f64> {
    /// Left singular vectors as columns: (m, k) thin, (m, m) full.
    pub u: Array2<T>,
    /// Singular values, non-negative and descending, length k = min(m, n); real for every
    /// element type.
    pub s: Array1<T::Real>,
    /// Right singular vectors as rows (`Vᴴ`, NumPy's `Vh`): (k, n) thin, (n, n) full.
    pub vt: Array2<T>,
}

impl<T: Scalar> Svd<T> {
    /// `U Σ Vᴴ` (using the first k columns of U and rows of Vᴴ).
    #[must_use]
    pub fn reconstruct(&self) -> Array2<T> {
        let k = self.s.len();
        let mut us = self.u.slice(s![.., ..k]).to_owned();
        for (mut col, &sigma) in us.columns_mut().into_iter().zip(self.s.iter()) {
            col.mapv_inplace(|x| x.mul_real(sigma));
        }
        us.dot(&self.vt.slice(s![..k, ..]))
    }
}

/// The SVD `(U, s, V)` of any element type: our `f64` path or faer's generic one.
pub(crate) fn svd_uv<T: Scalar>(
    op: &'static str,
    a: &ArrayView2<'_, T>,
    kind: SvdKind,
) -> Result<generic::SvdParts<T, T::Real>> {
    // a small single-precision matrix: in double, rounded once (every SVD-based routine —
    // svd, lstsq, pinv, matrix_rank, cond, the 2-norm — sees the same singular values)
    fn narrow3<W: Scalar, T: Scalar>(
        (u, s, v): generic::SvdParts<W, W::Real>,
    ) -> generic::SvdParts<T, T::Real> {
        (narrow_array(u), narrow_array(s), narrow_array(v))
    }
    return_in_double!(widen_single(a.view()), |w| svd_uv(op, &w.view(), kind)
        .map(narrow3));
    match cast_view::<T, f64, _>(a.view()) {
        Some(a) => {
            let (u, s, v) = bridge::svd(op, &a, kind)?;
            Ok((
                cast(u).expect("T is f64"),
                cast(s).expect("T is f64"),
                cast(v).expect("T is f64"),
            ))
        }
        None => generic::svd(op, a, kind),
    }
}

/// The singular values of any element type, descending.
pub(crate) fn singular_values<T: Scalar>(
    op: &'static str,
    a: &ArrayView2<'_, T>,
) -> Result<Array1<T::Real>> {
    return_in_double!(widen_single(a.view()), |w| singular_values(op, &w.view())
        .map(narrow_array));
    match cast_view::<T, f64, _>(a.view()) {
        Some(a) => Ok(cast(bridge::singular_values(op, &a)?).expect("T is f64")),
        None => generic::singular_values(op, a),
    }
}

/// The singular value decomposition `A = U Σ Vᴴ` (NumPy `linalg.svd`), for every
/// [`Scalar`] type in its own precision (LAPACK `sgesdd`, `dgesdd`, `cgesdd`, `zgesdd`).
///
/// Thin (`full_matrices = false`): `u` (m, k), `vt` (k, n) with k = min(m, n); full: `u`
/// (m, m), `vt` (n, n). Singular values are real, non-negative and sorted in descending
/// order. Signs (phases) of singular-vector pairs are not unique; mlinalg returns faer's.
///
/// # Errors
/// [`Error::Empty`]; [`Error::NonFinite`]; [`Error::NoConvergence`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let a = array![[3f64, 0.], [0., -2.], [0., 0.]];
/// let f = mlinalg::linalg::svd(a.view(), false)?;
/// assert_eq!(f.u.dim(), (3, 2));
/// assert!((f.s[0] - 3.0).abs() < 1e-12 && (f.s[1] - 2.0).abs() < 1e-12);
/// assert!((f.reconstruct() - &a).iter().all(|e| e.abs() < 1e-12));
/// // float32 in, float32 out
/// let f32s = mlinalg::linalg::svd(a.mapv(|x| x as f32).view(), false)?;
/// assert!((f32s.s[0] - 3.0f32).abs() < 1e-6);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn svd<T: Scalar>(a: ArrayView2<'_, T>, full_matrices: bool) -> Result<Svd<T>> {
    check_input("svd", &a)?;
    let kind = if full_matrices {
        SvdKind::Full
    } else {
        SvdKind::Thin
    };
    let (u, s, v) = svd_uv("svd", &a, kind)?;
    let vt = if T::IS_COMPLEX {
        v.reversed_axes().mapv(Scalar::conj)
    } else {
        v.reversed_axes()
    };
    Ok(Svd { u, s, vt })
}

/// Singular values only, real and descending (NumPy `linalg.svdvals`), for every
/// [`Scalar`] type.
///
/// # Errors
/// As [`svd`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let s = mlinalg::linalg::svdvals(array![[0f64, 2.], [1., 0.]].view())?;
/// assert_eq!(s.len(), 2);
/// assert!((s[0] - 2.0).abs() < 1e-12 && (s[1] - 1.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn svdvals<T: Scalar>(a: ArrayView2<'_, T>) -> Result<Array1<T::Real>> {
    check_input("svdvals", &a)?;
    singular_values("svdvals", &a)
}

/// The best rank-k approximation and how good it is.
#[derive(Debug, Clone, PartialEq)]
pub struct LowRank {
    /// `A_k = U_k Σ_k V_kᵀ`, the closest rank-k matrix to A in Frobenius and 2-norm.
    pub approx: Array2<f64>,
    /// `‖A − A_k‖_F = √(σ_{k+1}² + … + σ_r²)` (Eckart–Young).
    pub frobenius_error: f64,
    /// `(σ₁ + … + σ_k) / (σ₁ + … + σ_r)`: the share of the singular-value sum kept
    /// (1 for the zero matrix).
    pub energy: f64,
}

/// The best rank-`k` approximation of `a` from its truncated SVD (Eckart–Young–Mirsky).
///
/// # Errors
/// [`Error::InvalidParameter`] unless `1 ≤ k ≤ min(m, n)`; otherwise as [`svd`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let a = array![[3., 0., 0.], [0., 2., 0.], [0., 0., 1.]];
/// let r = mlinalg::linalg::low_rank(a.view(), 2)?;
/// assert!((r.frobenius_error - 1.0).abs() < 1e-12);
/// assert!((r.energy - 5.0 / 6.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn low_rank(a: ArrayView2<'_, f64>, k: usize) -> Result<LowRank> {
    const OP: &str = "low_rank";
    check_input(OP, &a)?;
    let kmax = a.nrows().min(a.ncols());
    if k == 0 || k > kmax {
        return Err(Error::param(
            OP,
            "k",
            format!("k={k} must be between 1 and min(n_rows, n_cols)={kmax}"),
        ));
    }
    let (u, s, v) = bridge::svd(OP, &a, SvdKind::Thin)?;
    let uk = &u.slice(s![.., ..k]) * &s.slice(s![..k]);
    let approx = uk.dot(&v.slice(s![.., ..k]).t());
    let frobenius_error = crate::vector::l2_iter(s.slice(s![k..]).iter().copied());
    let total: f64 = s.sum();
    let energy = if total > 0.0 {
        s.slice(s![..k]).sum() / total
    } else {
        1.0
    };
    Ok(LowRank {
        approx,
        frobenius_error,
        energy,
    })
}
