//! Vector operations: dot, axpy, norms, cosine similarity and angle.
//!
//! All take `ArrayView1<'_, f64>`; pass `x.view()`.

use ndarray::{Array1, ArrayView1};

use crate::array::fmt_shape;
use crate::error::{Error, Result};

fn same_len(op: &'static str, a: &ArrayView1<'_, f64>, b: &ArrayView1<'_, f64>) -> Result<()> {
    if a.len() == b.len() {
        Ok(())
    } else {
        Err(Error::shape(
            op,
            format!(
                "vector lengths differ: {} and {}: {} != {}",
                fmt_shape(a.shape()),
                fmt_shape(b.shape()),
                a.len(),
                b.len()
            ),
        ))
    }
}

/// Dot product `a · b = Σ aᵢ bᵢ` (NumPy `dot` of two 1-d arrays).
///
/// # Errors
/// [`Error::Shape`] if the lengths differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let d = mlinalg::vector::dot(array![2., 3., -1.].view(), array![4., 1., 2.].view())?;
/// assert_eq!(d, 9.0);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn dot(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    same_len("dot", &a, &b)?;
    Ok(a.dot(&b))
}

/// `alpha · x + y`: the BLAS `axpy`, e.g. a gradient step `w − η ∇L` with `alpha = −η`.
///
/// # Errors
/// [`Error::Shape`] if the lengths differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let w = mlinalg::vector::axpy(-0.1, array![10., 20.].view(), array![1., 1.].view())?;
/// assert_eq!(w, array![0., -1.]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn axpy(alpha: f64, x: ArrayView1<'_, f64>, y: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    same_len("axpy", &x, &y)?;
    Ok(&x * alpha + y)
}

/// The "L0 norm": the number of non-zero entries (NumPy `norm(x, 0)`; NaN counts as non-zero).
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(mlinalg::vector::norm_l0(array![0., 3., 0., -1.].view()), 2.0);
/// ```
#[must_use]
pub fn norm_l0(x: ArrayView1<'_, f64>) -> f64 {
    x.iter().filter(|v| **v != 0.0).count() as f64
}

/// L1 norm `Σ |xᵢ|` (Manhattan).
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(mlinalg::vector::norm_l1(array![2., 3., -1.].view()), 6.0);
/// ```
#[must_use]
pub fn norm_l1(x: ArrayView1<'_, f64>) -> f64 {
    x.iter().map(|v| v.abs()).sum()
}

/// L2 (Euclidean) norm `√(Σ xᵢ²)`, computed without overflow or underflow: the entries are
/// scaled by the largest magnitude first, as LAPACK's `dnrm2` does, so a vector of 1e200s
/// gives 1e200·√n, not ∞.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let n = mlinalg::vector::norm_l2(array![2., 3., -1.].view());
/// assert!((n - 14f64.sqrt()).abs() < 1e-15);
/// let big = mlinalg::vector::norm_l2(array![1e200, 1e200].view());
/// assert!((big / (1e200 * 2f64.sqrt()) - 1.0).abs() < 1e-15);
/// ```
#[must_use]
pub fn norm_l2(x: ArrayView1<'_, f64>) -> f64 {
    l2_iter(x.iter().copied())
}

/// Overflow-safe Euclidean norm of any sequence (shared with the matrix Frobenius norm).
pub(crate) fn l2_iter(it: impl Iterator<Item = f64> + Clone) -> f64 {
    let mut amax = 0.0f64;
    for v in it.clone() {
        if v.is_nan() {
            return f64::NAN;
        }
        amax = amax.max(v.abs());
    }
    if amax == 0.0 || amax.is_infinite() {
        return amax;
    }
    // Fast path: squares neither overflow nor lose everything to underflow.
    if (1e-150..1e150).contains(&amax) {
        return it.map(|v| v * v).sum::<f64>().sqrt();
    }
    let ssq: f64 = it
        .map(|v| {
            let t = v / amax;
            t * t
        })
        .sum();
    amax * ssq.sqrt()
}

/// L∞ norm `max |xᵢ|` (0 for an empty vector, NaN if any entry is NaN).
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(mlinalg::vector::norm_inf(array![2., 3., -1.].view()), 3.0);
/// ```
#[must_use]
pub fn norm_inf(x: ArrayView1<'_, f64>) -> f64 {
    x.iter().fold(0.0f64, |m, v| {
        if v.is_nan() || m.is_nan() {
            f64::NAN
        } else {
            m.max(v.abs())
        }
    })
}

/// `min |xᵢ|` (NumPy `norm(x, -inf)`; ∞ for an empty vector).
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(mlinalg::vector::norm_neg_inf(array![2., 3., -1.].view()), 1.0);
/// ```
#[must_use]
pub fn norm_neg_inf(x: ArrayView1<'_, f64>) -> f64 {
    x.iter().fold(f64::INFINITY, |m, v| {
        if v.is_nan() || m.is_nan() {
            f64::NAN
        } else {
            m.min(v.abs())
        }
    })
}

/// General p-norm `(Σ |xᵢ|ᵖ)^(1/p)` with NumPy's special cases: p = 0 counts non-zeros,
/// p = ±∞ is max/min |xᵢ|, p = 1 and 2 use the dedicated (overflow-safe) forms; other p,
/// including negative and fractional ones, follow the formula (NumPy does the same).
///
/// # Errors
/// [`Error::InvalidParameter`] if `p` is NaN.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let n = mlinalg::vector::norm_p(array![3., 4.].view(), 3.0)?;
/// assert!((n - 91f64.powf(1.0 / 3.0)).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn norm_p(x: ArrayView1<'_, f64>, p: f64) -> Result<f64> {
    Ok(if p.is_nan() {
        return Err(Error::param("norm", "ord", "NaN is not a norm order"));
    } else if p == f64::INFINITY {
        norm_inf(x)
    } else if p == f64::NEG_INFINITY {
        norm_neg_inf(x)
    } else if p == 0.0 {
        norm_l0(x)
    } else if p == 1.0 {
        norm_l1(x)
    } else if p == 2.0 {
        norm_l2(x)
    } else {
        // Scale by max |x| like dnrm2 so that large p does not overflow.
        let amax = norm_inf(x);
        if p > 0.0 && amax > 0.0 && amax.is_finite() {
            let s: f64 = x.iter().map(|v| (v.abs() / amax).powf(p)).sum();
            amax * s.powf(1.0 / p)
        } else {
            x.iter().map(|v| v.abs().powf(p)).sum::<f64>().powf(1.0 / p)
        }
    })
}

/// Cosine similarity `a · b / (‖a‖₂ ‖b‖₂)`, in [−1, 1].
///
/// # Errors
/// [`Error::Shape`] if the lengths differ. A zero vector has no direction: the result is NaN,
/// as NumPy's `a @ b / (norm(a) * norm(b))` gives.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let c = mlinalg::vector::cosine_similarity(array![2., 3., -1.].view(), array![4., 1., 2.].view())?;
/// assert!((c - 9.0 / (14f64.sqrt() * 21f64.sqrt())).abs() < 1e-15); // ≈ 0.5249
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn cosine_similarity(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    same_len("cosine", &a, &b)?;
    let (na, nb) = (norm_l2(a), norm_l2(b));
    if na == 0.0 || nb == 0.0 {
        // NumPy's `a @ b / (norm(a) * norm(b))` is 0/0 = NaN here; keep IEEE semantics.
        return Ok(f64::NAN);
    }
    // Divide before multiplying so huge or tiny entries do not overflow the dot product.
    let c: f64 = a
        .iter()
        .zip(b.iter())
        .map(|(x, y)| (x / na) * (y / nb))
        .sum();
    // Rounding can push |c| a hair past 1, which would make acos NaN.
    Ok(if c.is_nan() { c } else { c.clamp(-1.0, 1.0) })
}

/// The angle between two vectors in radians, `arccos(cosine_similarity)`.
///
/// # Errors
/// As [`cosine_similarity`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let t = mlinalg::vector::angle(array![1., 0.].view(), array![0., 2.].view())?;
/// assert!((t - std::f64::consts::FRAC_PI_2).abs() < 1e-15);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn angle(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    Ok(cosine_similarity(a, b)?.acos())
}

/// The angle between two vectors in degrees.
///
/// # Errors
/// As [`cosine_similarity`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let d = mlinalg::vector::angle_degrees(array![2., 3., -1.].view(), array![4., 1., 2.].view())?;
/// assert!((d - 58.33).abs() < 0.01);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn angle_degrees(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Result<f64> {
    Ok(angle(a, b)?.to_degrees())
}
