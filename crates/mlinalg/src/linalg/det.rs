//! Determinants: [`det`] and [`slogdet`], from the LU factorization (LAPACK `getrf`).

use ndarray::ArrayView2;

use crate::array::{check_input, check_square};
use crate::error::Result;
use crate::linalg::lu::Lu;
use crate::scalar::{RealScalar, Scalar, narrow, return_in_double, widen_single};

/// `det A = sign · exp(logabsdet)` (NumPy `SlogdetResult`), for an element type `T`
/// (`f64` by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slogdet<T: Scalar = f64> {
    /// +1, −1, or 0 for a singular matrix; for complex input a unit complex number
    /// `det A / |det A|` (or 0), as NumPy.
    pub sign: T,
    /// `ln |det A|`; −∞ for a singular matrix. Real for every element type.
    pub logabsdet: T::Real,
}

impl<W: Scalar> Slogdet<W> {
    /// Both parts rounded into `T` (see [`widen_single`]).
    fn narrow<T: Scalar>(self) -> Slogdet<T> {
        Slogdet {
            sign: narrow(self.sign),
            logabsdet: narrow(self.logabsdet),
        }
    }
}

/// The determinant of a square matrix (NumPy `linalg.det`): the product of the LU pivots
/// times the permutation's sign. Like NumPy it may overflow to ±∞ or underflow to 0 for
/// large matrices; use [`slogdet`] then. Generic over [`Scalar`]: `f32` and complex
/// determinants are computed in their own precision (NumPy: LAPACK `sgetrf`, `cgetrf`, …),
/// except that single-precision matrices of order ≤ 32 are factored in double precision
/// and the determinant rounded once (as accurate as single precision holds; see
/// [`Scalar`](crate::Scalar)).
///
/// # Errors
/// [`Error::Shape`](crate::Error::Shape) if not square; [`Error::Empty`](crate::Error::Empty);
/// [`Error::NonFinite`](crate::Error::NonFinite).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let d = mlinalg::linalg::det(array![[1., 2.], [3., 4.]].view())?;
/// assert!((d + 2.0f64).abs() < 1e-12);
/// use mlinalg::Complex64;
/// let (i, o) = (Complex64::new(0.0, 1.0), Complex64::new(0.0, 0.0));
/// let dz = mlinalg::linalg::det(array![[i, o], [o, i]].view())?;
/// assert!((dz + 1.0).norm() < 1e-15); // i · i = −1
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn det<T: Scalar>(a: ArrayView2<'_, T>) -> Result<T> {
    check_square("det", &a)?;
    return_in_double!(widen_single(a), |w| det(w.view()).map(narrow));
    check_input("det", &a)?;
    let lu = Lu::new("det", &a)?;
    if lu.is_singular() {
        // NumPy returns 0.0 for an exactly singular matrix (LAPACK's zero pivot).
        return Ok(T::from_f64(0.0));
    }
    let prod = lu.pivots().into_iter().product::<T>();
    Ok(lu.det_scale(prod.mul_real(<T::Real as Scalar>::from_f64(lu.perm_sign()))))
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
pub fn slogdet<T: Scalar>(a: ArrayView2<'_, T>) -> Result<Slogdet<T>> {
    check_square("slogdet", &a)?;
    return_in_double!(widen_single(a), |w| slogdet(w.view()).map(Slogdet::narrow));
    check_input("slogdet", &a)?;
    let lu = Lu::new("slogdet", &a)?;
    if lu.is_singular() {
        // NumPy: a singular matrix has sign 0 and logabsdet −∞.
        return Ok(Slogdet {
            sign: T::from_f64(0.0),
            logabsdet: <T::Real as RealScalar>::NEG_INFINITY,
        });
    }
    let mut sign = T::from_f64(lu.perm_sign());
    let mut logabsdet = <T::Real as Scalar>::from_f64(0.0);
    for p in lu.pivots() {
        // p / |p|: ±1 for a real pivot, a unit complex number for a complex one
        let m = p.abs();
        sign *= p / T::from_real(m);
        logabsdet += m.ln();
    }
    Ok(Slogdet {
        sign,
        logabsdet: logabsdet + lu.logdet_shift(),
    })
}
