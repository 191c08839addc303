//! Least squares: [`lstsq`], with NumPy's `linalg.lstsq` semantics (SVD-based, as LAPACK `gelsd`).

use ndarray::{Array, Array1, Array2, ArrayBase, ArrayView2, Axis, Data, Dimension, Ix2, s};

use crate::array::{check_input, fmt_shape};
use crate::error::{Error, Result};
use crate::linalg::bridge::{self, SvdKind};
use crate::linalg::solve::{matrix_as_rhs, rhs_as_matrix};
use crate::linalg::svd::svd_uv;
use crate::scalar::{
    RealScalar, Scalar, cast, cast_view, narrow_array, return_in_double, widen_exact, widen_single,
};

/// The result of [`lstsq`] (NumPy's 4-tuple, named), for an element type `T` (`f64` by
/// default).
#[derive(Debug, Clone, PartialEq)]
pub struct Lstsq<D: Dimension = Ix2, T: Scalar = f64> {
    /// The minimum-norm least-squares solution, (n,) or (n, k) like `b`.
    pub x: Array<T, D>,
    /// Squared residual 2-norm of each column, ‖b − A x‖₂²: shape (k,) ((1,) for a 1-d
    /// `b`) when rank = n < m; empty otherwise (NumPy's rule). Real for every type.
    pub residuals: Array1<T::Real>,
    /// Effective rank of `a`: singular values above `rcond · σ_max`.
    pub rank: usize,
    /// Singular values of `a`, descending.
    pub singular_values: Array1<T::Real>,
}

impl<D: Dimension, W: Scalar> Lstsq<D, W> {
    /// Every part rounded into `T` (see [`widen_single`]).
    fn narrow<T: Scalar>(self) -> Lstsq<D, T> {
        Lstsq {
            x: narrow_array(self.x),
            residuals: narrow_array(self.residuals),
            rank: self.rank,
            singular_values: narrow_array(self.singular_values),
        }
    }
}

/// `(x, residuals, rank, singular values)` of a least-squares problem with a matrix `b`.
type Parts<T, R> = (Array2<T>, Array1<R>, usize, Array1<R>);

/// Least-squares solution of `A x ≈ b`, minimizing ‖b − A x‖₂ (NumPy `linalg.lstsq`).
///
/// `a`: (m, n); `b`: (m,) or (m, k). Singular values at or below `rcond · σ_max` are treated
/// as zero, which gives the minimum-norm solution for rank-deficient `a`. `rcond` defaults
/// (`None`, or a negative value) to NumPy's `ε · max(m, n)`, with the ε of the element
/// type. Generic over [`Scalar`], computed in the element type's precision, except that a
/// single-precision `a` of at most 32 rows and columns is solved in double precision (with
/// the single-precision `rcond`) and every result rounded once.
///
/// # Errors
/// [`Error::Shape`] if `a.nrows() != b.nrows()`; [`Error::Empty`]; [`Error::NonFinite`];
/// [`Error::NoConvergence`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::lstsq;
/// let a = array![[0f64, 1.], [1., 1.], [2., 1.], [3., 1.]];
/// let y = array![-1., 0.2, 0.9, 2.1];
/// let fit = lstsq(a.view(), &y, None)?;
/// assert!((fit.x[0] - 1.0).abs() < 1e-12 && (fit.x[1] + 0.95).abs() < 1e-12);
/// assert_eq!(fit.rank, 2);
/// assert_eq!(fit.residuals.len(), 1);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn lstsq<T, S, D>(
    a: ArrayView2<'_, T>,
    b: &ArrayBase<S, D>,
    rcond: Option<f64>,
) -> Result<Lstsq<D, T>>
where
    T: Scalar,
    S: Data<Elem = T>,
    D: Dimension,
{
    const OP: &str = "lstsq";
    check_input(OP, &a)?;
    let b2 = rhs_as_matrix(OP, b)?;
    let (m, n) = a.dim();
    if b2.nrows() != m {
        return Err(Error::shape(
            OP,
            format!(
                "incompatible dimensions: a is {}, b is {}: {} != {}",
                fmt_shape(a.shape()),
                fmt_shape(b.shape()),
                m,
                b2.nrows()
            ),
        ));
    }
    crate::array::check_finite(OP, &b2)?;
    // NumPy's default since 1.14: machine precision (of the dtype) times the larger
    // dimension.
    let rcond = match rcond {
        Some(r) if r >= 0.0 => r,
        _ => T::eps().to_f64() * m.max(n) as f64,
    };
    // Computed in double precision with the single-precision `rcond` (the rank is decided
    // as NumPy decides it for float32), then rounded once.
    return_in_double!(widen_single(a), widen_exact(b.view()), |wa, wb| lstsq(
        wa.view(),
        &wb,
        Some(rcond)
    )
    .map(Lstsq::narrow));
    let (x2, residuals, rank, singular_values) =
        match (cast_view::<T, f64, _>(a), cast_view::<T, f64, _>(b2)) {
            (Some(a), Some(b2)) => {
                let (x, r, k, s) = lstsq_f64(a, b2, rcond)?;
                (
                    cast(x).expect("T is f64"),
                    cast(r).expect("T is f64"),
                    k,
                    cast(s).expect("T is f64"),
                )
            }
            _ => lstsq_generic(a, b2, rcond)?,
        };
    Ok(Lstsq {
        x: matrix_as_rhs(OP, x2, b.ndim())?,
        residuals,
        rank,
        singular_values,
    })
}

/// The SVD path for every element type: x = V_r Σ_r⁻¹ U_rᴴ b.
fn lstsq_generic<T: Scalar>(
    a: ArrayView2<'_, T>,
    b2: ArrayView2<'_, T>,
    rcond: f64,
) -> Result<Parts<T, T::Real>> {
    const OP: &str = "lstsq";
    let (m, n) = a.dim();
    let (u, sv, v) = svd_uv(OP, &a, SvdKind::Thin)?;
    let smax = sv
        .first()
        .copied()
        .unwrap_or(<T::Real as RealScalar>::from_usize(0));
    let cutoff = <T::Real as Scalar>::from_f64(rcond) * smax;
    let rank = sv.iter().filter(|&&x| x > cutoff).count();
    let mut c = u.slice(s![.., ..rank]).t().mapv(Scalar::conj).dot(&b2);
    for (mut row, &sigma) in c.axis_iter_mut(Axis(0)).zip(sv.iter()) {
        row.mapv_inplace(|x| x.div_real(sigma));
    }
    let x2 = v.slice(s![.., ..rank]).dot(&c);
    let residuals = if rank == n && m > n {
        let r = &b2 - &a.dot(&x2);
        r.axis_iter(Axis(1))
            .map(|col| col.iter().map(|e| e.abs2()).sum())
            .collect()
    } else {
        Array1::zeros(0)
    };
    Ok((x2, residuals, rank, sv))
}

/// The `f64` path: QR first for tall systems, else the SVD.
fn lstsq_f64(
    a: ArrayView2<'_, f64>,
    b2: ArrayView2<'_, f64>,
    rcond: f64,
) -> Result<Parts<f64, f64>> {
    const OP: &str = "lstsq";
    let (m, n) = a.dim();
    // Tall systems (m ≥ 2n, the regression case): QR first, then the SVD of the small
    // n × n factor R, as LAPACK's gelsd does for m ≫ n. A = Q R = (Q U_R) Σ Vᵀ, so A and R
    // share Σ and V, and Qᵀ b is applied by the Householder reflectors without forming Q
    // (2.5× faster than the thin SVD of A on 20000 × 200). Residuals come from the rows
    // of Qᵀ b below n, as NumPy's from gelsd's output.
    if m >= 2 * n {
        let mut qtb = b2.to_owned();
        if let Some(r) = bridge::qr_apply_qt(&a, &mut qtb.view_mut()) {
            let (u, sv, v) = bridge::svd(OP, &r.view(), SvdKind::Thin)?;
            let smax = sv.first().copied().unwrap_or(0.0);
            let rank = sv.iter().filter(|&&x| x > rcond * smax).count();
            let mut c = u.slice(s![.., ..rank]).t().dot(&qtb.slice(s![..n, ..]));
            for (mut row, &sigma) in c.axis_iter_mut(Axis(0)).zip(sv.iter()) {
                row.mapv_inplace(|x| x / sigma);
            }
            let x2 = v.slice(s![.., ..rank]).dot(&c);
            let residuals = if rank == n {
                qtb.slice(s![n.., ..])
                    .axis_iter(Axis(1))
                    .map(|col| col.iter().map(|e| e * e).sum())
                    .collect()
            } else {
                Array1::zeros(0)
            };
            return Ok((x2, residuals, rank, sv));
        }
    }
    let (u, sv, v) = bridge::svd(OP, &a, SvdKind::Thin)?;
    let smax = sv.first().copied().unwrap_or(0.0);
    let cutoff = rcond * smax;
    let rank = sv.iter().filter(|&&x| x > cutoff).count();
    // x = V_r Σ_r⁻¹ U_rᵀ b: only the r significant directions contribute (minimum norm).
    let ur = u.slice(s![.., ..rank]);
    let mut c = ur.t().dot(&b2);
    for (mut row, &sigma) in c.axis_iter_mut(Axis(0)).zip(sv.iter()) {
        row.mapv_inplace(|x| x / sigma);
    }
    let x2 = v.slice(s![.., ..rank]).dot(&c);
    let residuals = if rank == n && m > n {
        let r = &b2 - &a.dot(&x2);
        r.axis_iter(Axis(1))
            .map(|col| col.iter().map(|e| e * e).sum())
            .collect()
    } else {
        Array1::zeros(0)
    };
    Ok((x2, residuals, rank, sv))
}
