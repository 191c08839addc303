//! Vector and matrix norms with NumPy's `linalg.norm` semantics: [`norm`].

use ndarray::{ArrayBase, Axis, Data, Dimension, Ix1, Ix2};

use crate::array::{check_nonempty, fmt_shape};
use crate::error::{Error, Result};
use crate::scalar::{RealScalar, Scalar, cast, cast_view};
use crate::vector;

/// The `ord` argument of [`norm`] (NumPy's `ord`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum NormOrd {
    /// Frobenius norm `√(Σ aᵢⱼ²)` (matrices; NumPy `'fro'`).
    Fro,
    /// Nuclear norm, the sum of singular values (matrices; NumPy `'nuc'`).
    Nuc,
    /// Vectors: max |xᵢ|; matrices: max row sum of |aᵢⱼ|.
    Inf,
    /// Vectors: min |xᵢ|; matrices: min row sum of |aᵢⱼ|.
    NegInf,
    /// A numeric order: for vectors any p (0 counts non-zeros); for matrices 1, −1 (max/min
    /// column sum), 2, −2 (largest/smallest singular value).
    P(f64),
}

impl std::fmt::Display for NormOrd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NormOrd::Fro => f.write_str("fro"),
            NormOrd::Nuc => f.write_str("nuc"),
            NormOrd::Inf => f.write_str("inf"),
            NormOrd::NegInf => f.write_str("-inf"),
            NormOrd::P(p) => write!(f, "{p}"),
        }
    }
}

impl std::str::FromStr for NormOrd {
    type Err = Error;

    /// Parses NumPy spellings: `fro`, `nuc`, `inf`, `-inf`, or a number.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "fro" => Ok(NormOrd::Fro),
            "nuc" => Ok(NormOrd::Nuc),
            "inf" | "+inf" | "Inf" => Ok(NormOrd::Inf),
            "-inf" | "-Inf" => Ok(NormOrd::NegInf),
            t => match t.parse::<f64>() {
                Ok(p) if p == f64::INFINITY => Ok(NormOrd::Inf),
                Ok(p) if p == f64::NEG_INFINITY => Ok(NormOrd::NegInf),
                Ok(p) if !p.is_nan() => Ok(NormOrd::P(p)),
                _ => Err(Error::param(
                    "norm",
                    "ord",
                    format!("{s:?}: expected fro, nuc, inf, -inf or a number"),
                )),
            },
        }
    }
}

/// The norm of a vector or a matrix (NumPy `linalg.norm`).
///
/// `ord = None` is the 2-norm of a vector and the Frobenius norm of a matrix. Vector and
/// Frobenius norms are computed without overflow (scaled as LAPACK's `dnrm2`). Generic over
/// [`Scalar`]: the norm of a `float32` or `complex64` array is an `f32` (for complex
/// input every norm but the spectral ones depends on the moduli |aᵢⱼ| only).
///
/// # Errors
/// [`Error::Empty`] on a zero-length dimension; [`Error::InvalidParameter`] for an `ord`
/// NumPy rejects for that dimension (`fro`/`nuc` on a vector, `0`, `3`, … on a matrix);
/// [`Error::Shape`] for arrays of 3 or more dimensions.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::{norm, NormOrd};
/// let a = array![[1f64, -2.], [3., 4.]];
/// assert_eq!(norm(&a, Some(NormOrd::P(1.0)))?, 6.0);    // max column sum
/// assert_eq!(norm(&a, Some(NormOrd::Inf))?, 7.0);       // max row sum
/// assert!((norm(&a, None)? - 30f64.sqrt()).abs() < 1e-12);
/// assert_eq!(norm(&array![3f64, 4.], None)?, 5.0);
/// let z = array![mlinalg::Complex32::new(3.0, 4.0)];
/// assert_eq!(norm(&z, None)?, 5.0f32);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn norm<T, S, D>(a: &ArrayBase<S, D>, ord: Option<NormOrd>) -> Result<T::Real>
where
    T: Scalar,
    S: Data<Elem = T>,
    D: Dimension,
{
    const OP: &str = "norm";
    let v = a.view().into_dyn();
    if let Some(v) = cast_view::<T, f64, _>(v.view()) {
        return Ok(cast(norm_f64(&v, ord)?).expect("T is f64"));
    }
    let real = <T::Real as Scalar>::from_f64;
    let spectral = matches!(
        ord,
        Some(NormOrd::Nuc) | Some(NormOrd::P(2.0)) | Some(NormOrd::P(-2.0))
    );
    if !(spectral && v.ndim() == 2) {
        // computed on the moduli in f64, then rounded once to the result type
        return Ok(real(norm_f64(&v.mapv(|x| x.abs().to_f64()), ord)?));
    }
    check_nonempty(OP, a)?;
    let m = v
        .into_dimensionality::<Ix2>()
        .map_err(|e| Error::shape(OP, e.to_string()))?;
    // NumPy would fail inside the SVD; IEEE semantics give NaN for NaN input and ∞ for the
    // largest singular value of a matrix holding ±∞ (as the f64 path).
    if m.iter().any(|x| x.is_nan()) {
        return Ok(<T::Real as RealScalar>::NAN);
    }
    if m.iter().any(|x| !x.is_finite()) {
        return Ok(if ord == Some(NormOrd::P(-2.0)) {
            <T::Real as RealScalar>::NAN
        } else {
            <T::Real as RealScalar>::INFINITY
        });
    }
    let s = crate::linalg::svd::singular_values(OP, &m)?;
    let zero = real(0.0);
    Ok(match ord {
        Some(NormOrd::Nuc) => s.iter().fold(zero, |acc, &x| acc + x),
        Some(NormOrd::P(-2.0)) => s.iter().fold(<T::Real as RealScalar>::INFINITY, |acc, &x| {
            RealScalar::min(acc, x)
        }),
        _ => s.iter().fold(zero, |acc, &x| RealScalar::max(acc, x)),
    })
}

/// [`norm`] of an `f64` array.
fn norm_f64<S, D>(a: &ArrayBase<S, D>, ord: Option<NormOrd>) -> Result<f64>
where
    S: Data<Elem = f64>,
    D: Dimension,
{
    const OP: &str = "norm";
    check_nonempty(OP, a)?;
    let v = a.view().into_dyn();
    match v.ndim() {
        1 => {
            let x = v
                .into_dimensionality::<Ix1>()
                .map_err(|e| Error::shape(OP, e.to_string()))?;
            match ord {
                None => Ok(vector::norm_l2(x)),
                Some(NormOrd::Inf) => Ok(vector::norm_inf(x)),
                Some(NormOrd::NegInf) => Ok(vector::norm_neg_inf(x)),
                Some(NormOrd::P(p)) => vector::norm_p(x, p),
                Some(o @ (NormOrd::Fro | NormOrd::Nuc)) => Err(Error::param(
                    OP,
                    "ord",
                    format!(
                        "'{o}' is a matrix norm; invalid for a vector of shape {}",
                        fmt_shape(a.shape())
                    ),
                )),
            }
        }
        2 => {
            let m = v
                .into_dimensionality::<Ix2>()
                .map_err(|e| Error::shape(OP, e.to_string()))?;
            let abs_sums = |axis: usize| -> Vec<f64> {
                m.axis_iter(Axis(axis))
                    .map(|l| l.iter().map(|x| x.abs()).sum())
                    .collect()
            };
            let max = |v: Vec<f64>| {
                v.into_iter().fold(f64::NEG_INFINITY, |a, b| {
                    if b.is_nan() || a.is_nan() {
                        f64::NAN
                    } else {
                        a.max(b)
                    }
                })
            };
            let min = |v: Vec<f64>| {
                v.into_iter().fold(f64::INFINITY, |a, b| {
                    if b.is_nan() || a.is_nan() {
                        f64::NAN
                    } else {
                        a.min(b)
                    }
                })
            };
            let singular = || -> Result<ndarray::Array1<f64>> {
                // NumPy would fail inside the SVD; IEEE semantics give NaN for NaN input
                // and ∞ for the largest singular value of a matrix holding ±∞.
                if m.iter().any(|x| x.is_nan()) {
                    return Ok(ndarray::Array1::from_elem(1, f64::NAN));
                }
                if m.iter().any(|x| x.is_infinite()) {
                    let v = if ord == Some(NormOrd::P(-2.0)) {
                        f64::NAN
                    } else {
                        f64::INFINITY
                    };
                    return Ok(ndarray::Array1::from_elem(1, v));
                }
                crate::linalg::svdvals(m.view()).map_err(|e| match e {
                    Error::NoConvergence { .. } => Error::NoConvergence { op: OP },
                    e => e,
                })
            };
            match ord {
                None | Some(NormOrd::Fro) => Ok(vector::l2_iter(m.iter().copied())),
                Some(NormOrd::Nuc) => Ok(singular()?.sum()),
                Some(NormOrd::Inf) => Ok(max(abs_sums(0))),
                Some(NormOrd::NegInf) => Ok(min(abs_sums(0))),
                Some(NormOrd::P(1.0)) => Ok(max(abs_sums(1))),
                Some(NormOrd::P(-1.0)) => Ok(min(abs_sums(1))),
                Some(NormOrd::P(2.0)) => {
                    let s = singular()?;
                    Ok(if s.iter().any(|x| x.is_nan()) {
                        f64::NAN
                    } else {
                        s.iter().copied().fold(0.0, f64::max)
                    })
                }
                Some(NormOrd::P(-2.0)) => {
                    let s = singular()?;
                    Ok(if s.iter().any(|x| x.is_nan()) {
                        f64::NAN
                    } else {
                        s.iter().copied().fold(f64::INFINITY, f64::min)
                    })
                }
                Some(NormOrd::P(p)) => Err(Error::param(
                    OP,
                    "ord",
                    format!(
                        "{p} is not a matrix norm order (use fro, nuc, 1, -1, 2, -2, inf or -inf)"
                    ),
                )),
            }
        }
        _ => Err(Error::shape(
            OP,
            format!(
                "expected a vector or a matrix, got shape {}",
                fmt_shape(a.shape())
            ),
        )),
    }
}
