//! The element types of mlinalg's linear algebra: [`Scalar`] (`f32`, `f64`, [`Complex32`],
//! [`Complex64`]) and its real subset [`RealScalar`] (`f32`, `f64`).
//!
//! One generic API serves the four dtypes NumPy's `linalg` computes in (`float32`,
//! `float64`, `complex64`, `complex128`): a routine written once over `T: Scalar` runs in
//! `T`'s own precision, as LAPACK's `s*`, `d*`, `c*` and `z*` routines do. Real-valued
//! results of a complex input (singular values, norms, eigenvalues of a Hermitian
//! matrix) have type `T::Real`.
//!
//! | NumPy dtype | Rust type | `T::Real` | ε |
//! |---|---|---|---|
//! | `float32` | `f32` | `f32` | 2⁻²³ ≈ 1.19e-7 |
//! | `float64` | `f64` | `f64` | 2⁻⁵² ≈ 2.22e-16 |
//! | `complex64` | [`Complex32`] | `f32` | 2⁻²³ |
//! | `complex128` | [`Complex64`] | `f64` | 2⁻⁵² |
//!
//! Both traits are sealed: they are implemented for exactly these types.
//!
//! Small single-precision problems compute in double precision: see [`Scalar`].
//!
//! Every [`RealScalar`] is also a [`Scalar`] (with `Real = Self`), through a blanket
//! implementation rather than a supertrait, so generic real code can call every [`Scalar`]
//! method. Real-only operations (`ln`, `exp`, `max`, constants such as
//! [`RealScalar::EPSILON`]) live on [`RealScalar`] under names that do not repeat
//! [`Scalar`]'s, so `x.abs()` is never ambiguous.
//!
//! # Examples
//! A generic routine: the Frobenius norm in the input's own precision.
//! ```
//! use mlinalg::{Complex32, Scalar};
//! use ndarray::{ArrayView2, array};
//!
//! fn fro<T: Scalar>(a: ArrayView2<'_, T>) -> T::Real {
//!     a.iter().map(|x| x.abs2()).sum::<T::Real>().sqrt()
//! }
//!
//! let a = array![[3.0f32, 0.0], [0.0, 4.0]];
//! assert_eq!(fro(a.view()), 5.0f32);
//! let z = array![[Complex32::new(3.0, 4.0)]];
//! assert_eq!(fro(z.view()), 5.0f32);
//! assert_eq!(<Complex32 as Scalar>::DTYPE, "complex64");
//! assert_eq!(Complex32::eps(), f32::EPSILON);
//! ```

use std::fmt::{Debug, Display, LowerExp};
use std::iter::{Product, Sum};
use std::ops::{AddAssign, DivAssign, MulAssign, Neg, SubAssign};

use faer::traits::{ComplexField, RealField};
use ndarray::{LinalgScalar, ScalarOperand};
pub use num_complex::{Complex32, Complex64};

mod sealed {
    use super::Complex64;

    /// Implemented only by mlinalg's four element types.
    pub trait Sealed {
        /// NumPy's dtype name.
        const NAME: &'static str;
        /// The value as a `Complex64` (exact for every type).
        fn to_c64(self) -> Complex64;
        /// `z` rounded to nearest into this type (the imaginary part dropped for a real
        /// type).
        fn from_c64(z: Complex64) -> Self;
    }
    impl Sealed for f32 {
        const NAME: &'static str = "float32";
        #[inline]
        fn to_c64(self) -> Complex64 {
            Complex64::new(f64::from(self), 0.0)
        }
        #[inline]
        fn from_c64(z: Complex64) -> Self {
            z.re as f32
        }
    }
    impl Sealed for f64 {
        const NAME: &'static str = "float64";
        #[inline]
        fn to_c64(self) -> Complex64 {
            Complex64::new(self, 0.0)
        }
        #[inline]
        fn from_c64(z: Complex64) -> Self {
            z.re
        }
    }
    impl Sealed for super::Complex32 {
        const NAME: &'static str = "complex64";
        #[inline]
        fn to_c64(self) -> Complex64 {
            Complex64::new(f64::from(self.re), f64::from(self.im))
        }
        #[inline]
        fn from_c64(z: Complex64) -> Self {
            super::Complex32::new(z.re as f32, z.im as f32)
        }
    }
    impl Sealed for Complex64 {
        const NAME: &'static str = "complex128";
        #[inline]
        fn to_c64(self) -> Complex64 {
            self
        }
        #[inline]
        fn from_c64(z: Complex64) -> Self {
            z
        }
    }
}

/// An element type of mlinalg's linear algebra: `f32`, `f64`, [`Complex32`] or
/// [`Complex64`] (NumPy's `float32`, `float64`, `complex64`, `complex128`).
///
/// `T::Real` (the real type of the same precision, a [`RealScalar`]) is faer's associated
/// type [`ComplexField::Real`]: the bound that lets mlinalg hand `T` matrices to faer
/// zero-copy. The ndarray bounds ([`LinalgScalar`], [`ScalarOperand`]) give `dot`,
/// `sum`, and `array * scalar`.
///
/// Sealed: implemented for exactly the four types above.
///
/// # Small single-precision problems
/// [`det`](crate::linalg::det), [`slogdet`](crate::linalg::slogdet),
/// [`inv`](crate::linalg::inv), [`solve`](crate::linalg::solve),
/// [`lstsq`](crate::linalg::lstsq), [`qr`](crate::linalg::qr), [`eigh`](crate::linalg::eigh),
/// [`eigvalsh`](crate::linalg::eigvalsh) and every SVD-based routine
/// ([`svd`](crate::linalg::svd), [`svdvals`](crate::linalg::svdvals),
/// [`pinv`](crate::linalg::pinv), [`matrix_rank`](crate::linalg::matrix_rank),
/// [`cond`](crate::linalg::cond), the matrix 2-norm) of an `f32` or [`Complex32`] matrix with at most
/// 32 rows and columns (each matrix of a stack, for the [stacked](crate::linalg::stacked)
/// forms) compute in double precision and round each result once to single precision;
/// the results keep the input's dtype. At that size the work takes microseconds either
/// way, and the results are as accurate as single precision can hold, where a
/// single-precision factorization leaves errors of a few ε·κ (NumPy's own tests assert
/// such results to 6 decimals). Larger matrices compute in single precision, at its speed.
///
/// # Examples
/// ```
/// use mlinalg::{Complex64, Scalar};
/// let z = Complex64::new(3.0, -4.0);
/// assert_eq!(z.abs(), 5.0);
/// assert_eq!(z.conj(), Complex64::new(3.0, 4.0));
/// assert_eq!((z.re(), z.im()), (3.0, -4.0));
/// assert_eq!(Complex64::from_real(2.0), Complex64::new(2.0, 0.0));
/// assert!(!Complex64::new(f64::NAN, 0.0).is_finite());
/// assert_eq!(<f64 as Scalar>::DTYPE, "float64");
/// assert!(<Complex64 as Scalar>::IS_COMPLEX && !<f64 as Scalar>::IS_COMPLEX);
/// ```
pub trait Scalar:
    sealed::Sealed
    + ComplexField<Real: RealScalar>
    + LinalgScalar
    + ScalarOperand
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Product
    + PartialEq
    + Default
    + Debug
    + Display
    + Send
    + Sync
{
    /// NumPy's dtype name: `"float32"`, `"float64"`, `"complex64"` or `"complex128"`.
    const DTYPE: &'static str;
    /// True for [`Complex32`] and [`Complex64`].
    const IS_COMPLEX: bool;

    /// The complex conjugate (the value itself for a real type).
    #[must_use]
    fn conj(self) -> Self;
    /// The modulus |x|, computed without undue overflow (`hypot` for complex).
    #[must_use]
    fn abs(self) -> Self::Real;
    /// The squared modulus |x|² = re² + im².
    #[must_use]
    fn abs2(self) -> Self::Real;
    /// The real part.
    #[must_use]
    fn re(self) -> Self::Real;
    /// The imaginary part (0 for a real type).
    #[must_use]
    fn im(self) -> Self::Real;
    /// A value with real part `re` and imaginary part 0.
    #[must_use]
    fn from_real(re: Self::Real) -> Self;
    /// `x` rounded to this type's precision (imaginary part 0).
    #[must_use]
    fn from_f64(x: f64) -> Self;
    /// The same value as the complex type of this precision ([`ComplexOf<Self>`]).
    #[must_use]
    fn to_complex(self) -> ComplexOf<Self>;
    /// True unless some part is NaN or ±∞.
    #[must_use]
    fn is_finite(self) -> bool;
    /// True if some part is NaN.
    #[must_use]
    fn is_nan(self) -> bool;
    /// `self · r` for a real `r`.
    #[must_use]
    fn mul_real(self, r: Self::Real) -> Self;
    /// `self / r` for a real `r` (each part divided: no complex division).
    #[must_use]
    fn div_real(self, r: Self::Real) -> Self;
    /// The principal square root (NaN for a negative real).
    #[must_use]
    fn sqrt(self) -> Self;
    /// Machine epsilon of the real type: `f32::EPSILON` or `f64::EPSILON` (NumPy
    /// `finfo(dtype).eps`). Tolerances of generic code scale with it.
    #[must_use]
    fn eps() -> Self::Real {
        <Self::Real as RealScalar>::EPSILON
    }
}

/// The complex type of `T`'s precision: [`Complex32`] for `f32` and [`Complex32`],
/// [`Complex64`] for `f64` and [`Complex64`] (the element type of [`eig`](crate::linalg::eig)'s
/// results).
pub type ComplexOf<T> = <<T as ComplexField>::Real as RealScalar>::Complex;

/// A real element type: `f32` or `f64`. Every `RealScalar` is also a [`Scalar`] with
/// `Real = Self` (a blanket implementation), so it has [`Scalar::abs`], [`Scalar::sqrt`],
/// [`Scalar::is_finite`], … too.
///
/// Sealed: implemented for exactly `f32` and `f64`.
///
/// # Examples
/// ```
/// use mlinalg::{RealScalar, Scalar};
/// fn rel_gap<R: RealScalar>(a: R, b: R) -> R {
///     (a - b).abs() / a.abs().max(b.abs()).max(R::MIN_POSITIVE)
/// }
/// assert!(rel_gap(1.0f32, 1.0 + f32::EPSILON) <= f32::EPSILON);
/// assert_eq!(f32::from_usize(3), 3.0);
/// assert_eq!(2.5f32.to_f64(), 2.5);
/// assert_eq!(<f32 as RealScalar>::complex(1.0, 2.0), mlinalg::Complex32::new(1.0, 2.0));
/// ```
pub trait RealScalar:
    sealed::Sealed
    + RealField
    + LinalgScalar
    + ScalarOperand
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Product
    + PartialOrd
    + Default
    + Debug
    + Display
    + LowerExp
    + Send
    + Sync
{
    /// Machine epsilon, the gap between 1 and the next larger value.
    const EPSILON: Self;
    /// The smallest positive normal value.
    const MIN_POSITIVE: Self;
    /// The largest finite value.
    const MAX: Self;
    /// +∞.
    const INFINITY: Self;
    /// −∞.
    const NEG_INFINITY: Self;
    /// NaN.
    const NAN: Self;
    /// The complex type of this precision: [`Complex32`] for `f32`, [`Complex64`] for `f64`.
    type Complex: Scalar<Real = Self>;

    /// The complex number `re + i·im`.
    #[must_use]
    fn complex(re: Self, im: Self) -> Self::Complex;
    /// Conversion to `f64` (exact for `f32`).
    #[must_use]
    fn to_f64(self) -> f64;
    /// `n` rounded to this type.
    #[must_use]
    fn from_usize(n: usize) -> Self;
    /// The larger of two values, ignoring a NaN (IEEE `maxNum`, as `f64::max`).
    #[must_use]
    fn max(self, other: Self) -> Self;
    /// The smaller of two values, ignoring a NaN (as `f64::min`).
    #[must_use]
    fn min(self, other: Self) -> Self;
    /// The natural logarithm.
    #[must_use]
    fn ln(self) -> Self;
    /// `eˣ`.
    #[must_use]
    fn exp(self) -> Self;
    /// `xⁿ` for an integer `n`.
    #[must_use]
    fn powi(self, n: i32) -> Self;
    /// `xʸ`.
    #[must_use]
    fn powf(self, y: Self) -> Self;
    /// `√(x² + y²)` without undue overflow or underflow.
    #[must_use]
    fn hypot(self, y: Self) -> Self;
    /// 1 for +0 and positive values, −1 for −0 and negative values, NaN for NaN.
    #[must_use]
    fn signum(self) -> Self;
    /// True for −0, negative values and NaNs with the sign bit set.
    #[must_use]
    fn is_sign_negative(self) -> bool;
    /// The four-quadrant arctangent of `self / x` (`self` is y).
    #[must_use]
    fn atan2(self, x: Self) -> Self;
    /// The IEEE total order (as `f64::total_cmp`).
    fn total_cmp(&self, other: &Self) -> std::cmp::Ordering;
}

macro_rules! real_scalar {
    ($t:ident, $c:ident) => {
        impl RealScalar for $t {
            const EPSILON: Self = $t::EPSILON;
            const MIN_POSITIVE: Self = $t::MIN_POSITIVE;
            const MAX: Self = $t::MAX;
            const INFINITY: Self = $t::INFINITY;
            const NEG_INFINITY: Self = $t::NEG_INFINITY;
            const NAN: Self = $t::NAN;
            type Complex = $c;

            #[inline]
            fn complex(re: Self, im: Self) -> $c {
                $c::new(re, im)
            }
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            #[inline]
            fn from_usize(n: usize) -> Self {
                n as $t
            }
            #[inline]
            fn max(self, other: Self) -> Self {
                $t::max(self, other)
            }
            #[inline]
            fn min(self, other: Self) -> Self {
                $t::min(self, other)
            }
            #[inline]
            fn ln(self) -> Self {
                $t::ln(self)
            }
            #[inline]
            fn exp(self) -> Self {
                $t::exp(self)
            }
            #[inline]
            fn powi(self, n: i32) -> Self {
                $t::powi(self, n)
            }
            #[inline]
            fn powf(self, y: Self) -> Self {
                $t::powf(self, y)
            }
            #[inline]
            fn hypot(self, y: Self) -> Self {
                $t::hypot(self, y)
            }
            #[inline]
            fn signum(self) -> Self {
                $t::signum(self)
            }
            #[inline]
            fn is_sign_negative(self) -> bool {
                $t::is_sign_negative(self)
            }
            #[inline]
            fn atan2(self, x: Self) -> Self {
                $t::atan2(self, x)
            }
            #[inline]
            fn total_cmp(&self, other: &Self) -> std::cmp::Ordering {
                $t::total_cmp(self, other)
            }
        }
    };
}
real_scalar!(f32, Complex32);
real_scalar!(f64, Complex64);

impl<R: RealScalar> Scalar for R {
    const DTYPE: &'static str = <R as sealed::Sealed>::NAME;
    const IS_COMPLEX: bool = false;

    #[inline]
    fn conj(self) -> Self {
        self
    }
    #[inline]
    fn abs(self) -> R {
        R::abs_impl(&self)
    }
    #[inline]
    fn abs2(self) -> R {
        self * self
    }
    #[inline]
    fn re(self) -> R {
        self
    }
    #[inline]
    fn im(self) -> R {
        R::zero_impl()
    }
    #[inline]
    fn from_real(re: R) -> Self {
        re
    }
    #[inline]
    fn from_f64(x: f64) -> Self {
        R::from_f64_impl(x)
    }
    #[inline]
    fn to_complex(self) -> ComplexOf<Self> {
        R::complex(self, R::zero_impl())
    }
    #[inline]
    fn is_finite(self) -> bool {
        R::is_finite_impl(&self)
    }
    #[inline]
    fn is_nan(self) -> bool {
        R::is_nan_impl(&self)
    }
    #[inline]
    fn mul_real(self, r: R) -> Self {
        self * r
    }
    #[inline]
    fn div_real(self, r: R) -> Self {
        self / r
    }
    #[inline]
    fn sqrt(self) -> Self {
        R::sqrt_impl(&self)
    }
}

macro_rules! complex_scalar {
    ($c:ident, $t:ident) => {
        impl Scalar for $c {
            const DTYPE: &'static str = <$c as sealed::Sealed>::NAME;
            const IS_COMPLEX: bool = true;

            #[inline]
            fn conj(self) -> Self {
                $c::new(self.re, -self.im)
            }
            #[inline]
            fn abs(self) -> $t {
                self.re.hypot(self.im)
            }
            #[inline]
            fn abs2(self) -> $t {
                self.re * self.re + self.im * self.im
            }
            #[inline]
            fn re(self) -> $t {
                self.re
            }
            #[inline]
            fn im(self) -> $t {
                self.im
            }
            #[inline]
            fn from_real(re: $t) -> Self {
                $c::new(re, 0.0)
            }
            #[inline]
            fn from_f64(x: f64) -> Self {
                $c::new(x as $t, 0.0)
            }
            #[inline]
            fn to_complex(self) -> Self {
                self
            }
            #[inline]
            fn is_finite(self) -> bool {
                self.re.is_finite() && self.im.is_finite()
            }
            #[inline]
            fn is_nan(self) -> bool {
                self.re.is_nan() || self.im.is_nan()
            }
            #[inline]
            fn mul_real(self, r: $t) -> Self {
                $c::new(self.re * r, self.im * r)
            }
            #[inline]
            fn div_real(self, r: $t) -> Self {
                $c::new(self.re / r, self.im / r)
            }
            #[inline]
            fn sqrt(self) -> Self {
                num_complex::Complex::sqrt(self)
            }
        }
    };
}
complex_scalar!(Complex32, f32);
complex_scalar!(Complex64, f64);

/// True when `A` and `B` are the same type (how generic code finds its `f64` fast paths).
#[inline]
pub(crate) fn same_type<A: 'static, B: 'static>() -> bool {
    std::any::TypeId::of::<A>() == std::any::TypeId::of::<B>()
}

/// `Ok(a as B)` when `A` is `B`, `Err(a)` otherwise: a safe, copy-free identity cast of an
/// owned value (an array's buffer moves as it is).
pub(crate) fn cast<A: 'static, B: 'static>(a: A) -> std::result::Result<B, A> {
    let mut slot = Some(a);
    match (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<B>>() {
        // safe because `slot` was `Some` a line above
        Some(b) => Ok(b.take().expect("the slot is full")),
        None => Err(slot.expect("the slot is full")),
    }
}

/// `&mut a` as `&mut B` when `A` is `B`.
pub(crate) fn cast_mut<A: 'static, B: 'static>(a: &mut A) -> Option<&mut B> {
    (a as &mut dyn std::any::Any).downcast_mut::<B>()
}

/// An array view of `A` seen as a view of `B` when `A` is `B` (same pointer, shape and
/// strides), `None` otherwise.
pub(crate) fn cast_view<'a, A: 'static, B: 'static, D: ndarray::Dimension>(
    a: ndarray::ArrayView<'a, A, D>,
) -> Option<ndarray::ArrayView<'a, B, D>> {
    if !same_type::<A, B>() {
        return None;
    }
    // SAFETY: A and B are the same type (equal TypeIds), so the cast changes nothing; the
    // raw view covers exactly the elements of `a`, which stay borrowed for 'a.
    Some(unsafe { a.raw_view().cast::<B>().deref_into_view() })
}

/// A mutable array view of `A` seen as one of `B` when `A` is `B`, `None` otherwise.
pub(crate) fn cast_view_mut<'a, A: 'static, B: 'static, D: ndarray::Dimension>(
    mut a: ndarray::ArrayViewMut<'a, A, D>,
) -> Option<ndarray::ArrayViewMut<'a, B, D>> {
    if !same_type::<A, B>() {
        return None;
    }
    // SAFETY: A and B are the same type (equal TypeIds); the raw view covers exactly the
    // elements of `a`, whose unique borrow for 'a moves into the result.
    Some(unsafe { a.raw_view_mut().cast::<B>().deref_into_view_mut() })
}

/// `a` converted to the real type `U`: moved as it is when `T` is `U`, else each element
/// through `f64` (exact from `f32`, rounded to nearest into `f32`). How the estimators,
/// which compute in `f64`, accept and return `f32` (as NumPy's `linalg` "lite" routines
/// compute in double).
pub(crate) fn convert<T: RealScalar, U: RealScalar, D: ndarray::Dimension + 'static>(
    a: ndarray::Array<T, D>,
) -> ndarray::Array<U, D> {
    match cast::<ndarray::Array<T, D>, ndarray::Array<U, D>>(a) {
        Ok(same) => same,
        Err(a) => a.mapv(|v| U::from_f64(v.to_f64())),
    }
}

/// A view of `a` in `f64`: the view itself when `T` is `f64`, else a widened (exact) copy.
pub(crate) fn widen<'a, T: RealScalar, D: ndarray::Dimension>(
    a: ndarray::ArrayView<'a, T, D>,
) -> ndarray::CowArray<'a, f64, D> {
    match cast_view::<T, f64, D>(a.clone()) {
        Some(v) => v.into(),
        None => a.mapv(RealScalar::to_f64).into(),
    }
}

/// A scalar converted between real types (through `f64`; the identity for equal types).
pub(crate) fn convert_scalar<T: RealScalar, U: RealScalar>(v: T) -> U {
    U::from_f64(v.to_f64())
}

/// The largest matrix dimension at which a single-precision (`f32`, [`Complex32`])
/// LU, QR or least-squares problem is computed in double precision and its results
/// rounded once to single (see [`widen_single`]).
///
/// At this size the work is a few microseconds of latency-bound scalar code either way,
/// so the wider type costs nothing measurable, and each result is the double-precision
/// one rounded: as accurate as single precision can hold, where factoring in single
/// precision leaves errors of a few ε·κ (NumPy's own tests assert `det` of a 2 × 2 stack
/// and the residual of a 2 × 3 least-squares fit to 6 decimals, which an FMA-contracted
/// single-precision LU or SVD can miss). Larger problems are computed in the element
/// type's own precision, as LAPACK's `s*`/`c*` routines, at single precision's speed.
pub(crate) const WIDEN_DIM: usize = 32;

/// A single-precision array widened exactly to double precision ([`widen_single`]).
pub(crate) enum Widened<D: ndarray::Dimension> {
    /// An `f32` array as `f64`.
    Real(ndarray::Array<f64, D>),
    /// A [`Complex32`] array as [`Complex64`].
    Complex(ndarray::Array<Complex64, D>),
}

/// `a` widened exactly to double precision when `T` is `f32` or [`Complex32`] and its
/// last two dimensions are at most [`WIDEN_DIM`] (every dimension for fewer than two
/// axes); `None` for a double-precision `T` or a larger matrix. The caller computes in the
/// wider type and rounds the results back once with [`narrow`] / [`narrow_array`].
pub(crate) fn widen_single<T: Scalar, D: ndarray::Dimension>(
    a: ndarray::ArrayView<'_, T, D>,
) -> Option<Widened<D>> {
    let shape = a.shape();
    if shape[shape.len().saturating_sub(2)..]
        .iter()
        .any(|&d| d > WIDEN_DIM)
    {
        return None;
    }
    widen_exact(a)
}

/// `a` widened exactly to double precision when `T` is `f32` or [`Complex32`], whatever
/// its size (the right-hand side of a problem whose matrix [`widen_single`] widened).
pub(crate) fn widen_exact<T: Scalar, D: ndarray::Dimension>(
    a: ndarray::ArrayView<'_, T, D>,
) -> Option<Widened<D>> {
    if same_type::<T, f32>() {
        Some(Widened::Real(a.mapv(|x| x.to_c64().re)))
    } else if same_type::<T, Complex32>() {
        Some(Widened::Complex(a.mapv(sealed::Sealed::to_c64)))
    } else {
        None
    }
}

/// Returns early with `$body` evaluated on the double-precision widening of a
/// single-precision input: `$widened` is a [`widen_single`]-style `Option<Widened<_>>`,
/// bound to `$w` as an `f64` or a `Complex64` array (the body is expanded once per case).
/// The two-operand form also widens a right-hand side, `$rhs` (evaluated only when the
/// matrix was widened), bound to `$b`. Nothing happens for `None`.
macro_rules! return_in_double {
    ($widened:expr, |$w:ident| $body:expr) => {
        match $widened {
            Some($crate::scalar::Widened::Real($w)) => return $body,
            Some($crate::scalar::Widened::Complex($w)) => return $body,
            None => {}
        }
    };
    ($widened:expr, $rhs:expr, |$w:ident, $b:ident| $body:expr) => {
        if let Some(wa) = $widened {
            match (wa, $rhs) {
                ($crate::scalar::Widened::Real($w), Some($crate::scalar::Widened::Real($b))) => {
                    return $body;
                }
                (
                    $crate::scalar::Widened::Complex($w),
                    Some($crate::scalar::Widened::Complex($b)),
                ) => return $body,
                _ => {}
            }
        }
    };
}
pub(crate) use return_in_double;

/// `w` rounded to nearest into `T` (through `Complex64`, exact for the widening; the
/// identity when `W` is `T`).
#[inline]
pub(crate) fn narrow<W: Scalar, T: Scalar>(w: W) -> T {
    T::from_c64(w.to_c64())
}

/// Every element of `w` rounded to nearest into `T` ([`narrow`]).
pub(crate) fn narrow_array<W: Scalar, T: Scalar, D: ndarray::Dimension>(
    w: ndarray::Array<W, D>,
) -> ndarray::Array<T, D> {
    w.mapv(narrow)
}

/// A slice of `A` seen as a slice of `B` when `A` is `B`.
pub(crate) fn cast_slice<A: 'static, B: 'static>(s: &[A]) -> Option<&[B]> {
    if !same_type::<A, B>() {
        return None;
    }
    // SAFETY: A and B are the same type (equal TypeIds): same pointer, length and lifetime.
    Some(unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<B>(), s.len()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generic_parts<T: Scalar>(x: T) -> (T::Real, T::Real, T::Real) {
        (x.re(), x.im(), x.abs())
    }

    fn real_is_scalar<R: RealScalar>(x: R) -> R {
        // a RealScalar can call Scalar methods and be passed where a Scalar is expected
        generic_parts(x).2.max(x.sqrt())
    }

    #[test]
    fn dtype_names_and_eps() {
        assert_eq!(<f32 as Scalar>::DTYPE, "float32");
        assert_eq!(<f64 as Scalar>::DTYPE, "float64");
        assert_eq!(<Complex32 as Scalar>::DTYPE, "complex64");
        assert_eq!(<Complex64 as Scalar>::DTYPE, "complex128");
        assert_eq!(f32::eps(), f32::EPSILON);
        assert_eq!(Complex64::eps(), f64::EPSILON);
        const { assert!(!<f32 as Scalar>::IS_COMPLEX) };
        const { assert!(<Complex32 as Scalar>::IS_COMPLEX) };
    }

    #[test]
    fn complex_parts() {
        let z = Complex32::new(-3.0, 4.0);
        assert_eq!(generic_parts(z), (-3.0, 4.0, 5.0));
        assert_eq!(z.conj(), Complex32::new(-3.0, -4.0));
        assert_eq!(z.abs2(), 25.0);
        assert_eq!(z.mul_real(2.0), Complex32::new(-6.0, 8.0));
        assert_eq!(z.div_real(2.0), Complex32::new(-1.5, 2.0));
        assert_eq!(Complex64::new(-4.0, 0.0).sqrt(), Complex64::new(0.0, 2.0));
        // hypot, not √(re² + im²): no overflow at 1e200
        assert!((Complex64::new(3e200, 4e200).abs() / 5e200 - 1.0).abs() < 4.0 * f64::EPSILON);
        assert!(Complex64::new(0.0, f64::NAN).is_nan());
        assert!(!Complex64::new(0.0, f64::INFINITY).is_finite());
        assert!(Complex64::new(1.0, -1.0).is_finite());
    }

    #[test]
    fn real_parts() {
        assert_eq!(generic_parts(-2.0f64), (-2.0, 0.0, 2.0));
        assert_eq!((-2.0f32).to_complex(), Complex32::new(-2.0, 0.0));
        assert_eq!(real_is_scalar(16.0f64), 16.0);
        assert!(Scalar::is_nan(f32::NAN));
        assert!(!Scalar::is_finite(f64::NEG_INFINITY));
        assert_eq!(<f32 as Scalar>::from_f64(0.1), 0.1f32);
        assert_eq!(Complex32::from_f64(0.5), Complex32::new(0.5, 0.0));
        assert!(RealScalar::max(f64::NAN, 1.0) == 1.0);
    }
}
