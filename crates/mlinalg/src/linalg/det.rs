//! Determinants: [`det`] and [`slogdet`], from the LU factorization (LAPACK `getrf`).

use ndarray::ArrayView2;

use crate::array::{check_input, check_square};
use crate::error::Result;
use crate::linalg::lu::Lu;

/// `det A = sign · exp(logabsdet)` (NumPy `SlogdetResult`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slogdet {
    /// +1, −1, or 0 for a singular matrix.
    pub sign: f64,
    /// `ln |det A|`; −∞ for a singular matrix.
    pub logabsdet: f64,
}

/// The determinant of a square matrix (NumPy `linalg.det`): the product of the LU pivots
/// times the permutation's sign. Like NumPy it may overflow to ±∞ or underflow to 0 for
/// large matrices; use [`slogdet`] then.
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) if not square; [`Error::Empty`](crate::Error::Empty);
/// [`Error::NonFinite`](crate::Error::NonFinite).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let d = mlinalg::linalg::det(array![[1., 2.], [3., 4.]].view())?;
/// assert!((d + 2.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn det(a: ArrayView2<'_, f64>) -> Result<f64> {
    check_square("det", &a)?;
    check_input("det", &a)?;
    let lu = Lu::new("det", &a)?;
    if lu.is_singular() {
        // NumPy returns 0.0 for an exactly singular matrix (LAPACK's zero pivot).
        return Ok(0.0);
    }
    Ok(lu.det_scale(lu.pivots().product::<f64>() * lu.perm_sign()))
}

/// Sign and natural log of |det A| (NumPy `linalg.slogdet`), safe from overflow.
///
/// # Errors
/// As [`det`].
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// let a = Array2::<f64>::eye(500) * 10.0; // det = 10⁵⁰⁰ overflows f64
/// let r = mlinalg::linalg::slogdet(a.view())?;
/// assert_eq!(r.sign, 1.0);
/// assert!((r.logabsdet - 500.0 * 10f64.ln()).abs() < 1e-9);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn slogdet(a: ArrayView2<'_, f64>) -> Result<Slogdet> {
    check_square("slogdet", &a)?;
    check_input("slogdet", &a)?;
    let lu = Lu::new("slogdet", &a)?;
    if lu.is_singular() {
        // NumPy: a singular matrix has sign 0 and logabsdet −∞.
        return Ok(Slogdet {
            sign: 0.0,
            logabsdet: f64::NEG_INFINITY,
        });
    }
    let mut sign = lu.perm_sign();
    let mut logabsdet = 0.0;
    for p in lu.pivots() {
        sign *= p.signum();
        logabsdet += p.abs().ln();
    }
    Ok(Slogdet {
        sign,
        logabsdet: logabsdet + lu.logdet_shift(),
    })
}
