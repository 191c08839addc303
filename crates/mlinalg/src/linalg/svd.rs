//! Singular value decomposition: [`svd`], [`svdvals`], and the best rank-k approximation
//! [`low_rank`] (Eckart–Young).

use ndarray::{Array1, Array2, ArrayView2, s};

use crate::array::check_input;
use crate::error::{Error, Result};
use crate::linalg::bridge::{self, SvdKind};

/// `A = U Σ Vᵀ` (NumPy `SVDResult(U, S, Vh)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Svd {
    /// Left singular vectors as columns: (m, k) thin, (m, m) full.
    pub u: Array2<f64>,
    /// Singular values, non-negative and descending, length k = min(m, n).
    pub s: Array1<f64>,
    /// Right singular vectors as rows: (k, n) thin, (n, n) full.
    pub vt: Array2<f64>,
}

impl Svd {
    /// `U Σ Vᵀ` (using the first k columns of U and rows of Vᵀ).
    #[must_use]
    pub fn reconstruct(&self) -> Array2<f64> {
        let k = self.s.len();
        let us = &self.u.slice(s![.., ..k]) * &self.s;
        us.dot(&self.vt.slice(s![..k, ..]))
    }
}

/// The singular value decomposition `A = U Σ Vᵀ` (NumPy `linalg.svd`).
///
/// Thin (`full_matrices = false`): `u` (m, k), `vt` (k, n) with k = min(m, n); full: `u`
/// (m, m), `vt` (n, n). Singular values are non-negative and sorted in descending order.
/// Signs of singular-vector pairs are not unique; mlinalg returns faer's.
///
/// # Errors
/// [`Error::Empty`]; [`Error::NonFinite`]; [`Error::NoConvergence`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let a = array![[3., 0.], [0., -2.], [0., 0.]];
/// let f = mlinalg::linalg::svd(a.view(), false)?;
/// assert_eq!(f.u.dim(), (3, 2));
/// assert!((f.s[0] - 3.0).abs() < 1e-12 && (f.s[1] - 2.0).abs() < 1e-12);
/// assert!((f.reconstruct() - &a).iter().all(|e| e.abs() < 1e-12));
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn svd(a: ArrayView2<'_, f64>, full_matrices: bool) -> Result<Svd> {
    check_input("svd", &a)?;
    let kind = if full_matrices {
        SvdKind::Full
    } else {
        SvdKind::Thin
    };
    let (u, s, v) = bridge::svd("svd", &a, kind)?;
    Ok(Svd {
        u,
        s,
        vt: v.reversed_axes(),
    })
}

/// Singular values only, descending (NumPy `linalg.svdvals`).
///
/// # Errors
/// As [`svd`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let s = mlinalg::linalg::svdvals(array![[0., 2.], [1., 0.]].view())?;
/// assert_eq!(s.len(), 2);
/// assert!((s[0] - 2.0).abs() < 1e-12 && (s[1] - 1.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn svdvals(a: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
    check_input("svdvals", &a)?;
    bridge::singular_values("svdvals", &a)
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
