//! Eigendecompositions: [`eigh`] / [`eigvalsh`] for symmetric matrices, [`eig`] for general ones.

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut1, Axis};

use crate::array::{check_input, check_square};
use crate::error::{Error, Result};
use crate::linalg::bridge::{self, generic};
use crate::scalar::{
    ComplexOf, RealScalar, Scalar, cast, cast_view, narrow_array, return_in_double, widen_single,
};

/// `A = V Λ Vᴴ` for symmetric (Hermitian) A (NumPy `EighResult`), for an element type `T`
/// (`f64` by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Eigh<T: Scalar = f64> {
    /// Eigenvalues in ascending order; real for every element type.
    pub eigenvalues: Array1<T::Real>,
    /// Orthonormal eigenvectors, column `i` for `eigenvalues[i]`.
    pub eigenvectors: Array2<T>,
}

/// NumPy `allclose(A, Aᵀ)` tolerances: |aᵢⱼ − aⱼᵢ| ≤ atol + rtol·|aⱼᵢ|.
pub(crate) const RTOL: f64 = 1e-5;
/// See [`RTOL`].
pub(crate) const ATOL: f64 = 1e-8;

/// `Some(max |A − Aᴴ|)` if `a` (square) is not symmetric (Hermitian for a complex type)
/// within NumPy's `allclose` tolerances, `None` if it is.
pub(crate) fn asymmetry<T: Scalar>(a: &ArrayView2<'_, T>) -> Option<f64> {
    let n = a.nrows();
    let mut worst = 0.0f64;
    let mut ok = true;
    // a complex Hermitian matrix also has a real diagonal
    let diag = usize::from(T::IS_COMPLEX);
    for i in 0..n {
        for j in 0..(i + diag).min(n) {
            let (x, y) = (a[[i, j]], a[[j, i]].conj());
            let d = (x - y).abs().to_f64();
            let (xa, ya) = (x.abs().to_f64(), y.abs().to_f64());
            // NaN compares as not close, as in allclose
            let close = d <= ATOL + RTOL * ya && d <= ATOL + RTOL * xa;
            if !close {
                ok = false;
                worst = worst.max(d);
            }
        }
    }
    if ok { None } else { Some(worst) }
}

fn check_symmetric<T: Scalar>(op: &'static str, a: &ArrayView2<'_, T>) -> Result<()> {
    match asymmetry(a) {
        None => Ok(()),
        Some(d) if T::IS_COMPLEX => Err(Error::NotSymmetric {
            op,
            detail: format!("not Hermitian: max |A − Aᴴ| = {d}; use eig for general matrices"),
        }),
        Some(d) => Err(Error::NotSymmetric {
            op,
            detail: format!("max |A − Aᵀ| = {d}; use eig for general matrices"),
        }),
    }
}

/// Rotates an eigenvector so that its entry of largest magnitude (the first such) is real
/// and positive: a sign flip for a real type, a unit phase for a complex one.
fn fix_phase<T: Scalar>(mut col: ArrayViewMut1<'_, T>) {
    let (at, big) =
        col.iter()
            .copied()
            .enumerate()
            .fold((0, T::from_f64(0.0)), |(k, m), (i, v)| {
                if v.abs() > m.abs() { (i, v) } else { (k, m) }
            });
    let r = big.abs();
    if T::IS_COMPLEX {
        if r > <T::Real as Scalar>::from_f64(0.0) {
            let phase = big.conj().div_real(r);
            col.mapv_inplace(|v| v * phase);
            // big · conj(big)/|big| is |big| up to rounding: make it exactly real
            col[at] = T::from_real(r);
        }
    } else if big.re() < <T::Real as Scalar>::from_f64(0.0) {
        col.mapv_inplace(|v| -v);
    }
}

impl<W: Scalar> Eigh<W> {
    /// Both parts rounded into `T` (see [`widen_single`]).
    fn narrow<T: Scalar>(self) -> Eigh<T> {
        Eigh {
            eigenvalues: narrow_array(self.eigenvalues),
            eigenvectors: narrow_array(self.eigenvectors),
        }
    }
}

/// Eigenvalues and eigenvectors of a real symmetric or complex Hermitian matrix (NumPy
/// `linalg.eigh`), in the element type's precision (a single-precision matrix of order
/// ≤ 32 in double, rounded once: see [`Scalar`]); eigenvalues are real (`T::Real`).
///
/// Eigenvalues ascend; eigenvectors are orthonormal columns. Each eigenvector's sign (phase,
/// for complex input) is fixed so that its entry of largest magnitude is real and positive
/// (NumPy leaves it to LAPACK).
///
/// Unlike NumPy, which silently reads one triangle, a matrix that is not symmetric within
/// `allclose` tolerances (rtol 1e-5, atol 1e-8) is an error.
///
/// # Errors
/// [`Error::Shape`] if not square; [`Error::Empty`]; [`Error::NonFinite`];
/// [`Error::NotSymmetric`]; [`Error::NoConvergence`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let e = mlinalg::linalg::eigh(array![[2f64, 1.], [1., 2.]].view())?;
/// assert!((e.eigenvalues[0] - 1.0).abs() < 1e-12 && (e.eigenvalues[1] - 3.0).abs() < 1e-12);
/// // complex Hermitian: real eigenvalues (here 1 and 3)
/// use mlinalg::Complex32;
/// let h = array![[Complex32::new(2.0, 0.0), Complex32::new(0.0, 1.0)],
///                [Complex32::new(0.0, -1.0), Complex32::new(2.0, 0.0)]];
/// let w: ndarray::Array1<f32> = mlinalg::linalg::eigh(h.view())?.eigenvalues;
/// assert!((w[0] - 1.0).abs() < 1e-6 && (w[1] - 3.0).abs() < 1e-6);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn eigh<T: Scalar>(a: ArrayView2<'_, T>) -> Result<Eigh<T>> {
    const OP: &str = "eigh";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    check_symmetric(OP, &a)?;
    return_in_double!(widen_single(a), |w| eigh(w.view()).map(Eigh::narrow));
    let (eigenvalues, mut eigenvectors) = match cast_view::<T, f64, _>(a) {
        Some(a) => {
            let (w, v) = bridge::self_adjoint_eigen(OP, &a)?;
            (cast(w).expect("T is f64"), cast(v).expect("T is f64"))
        }
        None => generic::self_adjoint_eigen(OP, &a)?,
    };
    for col in eigenvectors.axis_iter_mut(Axis(1)) {
        fix_phase(col);
    }
    Ok(Eigh {
        eigenvalues,
        eigenvectors,
    })
}

/// Eigenvalues of a real symmetric or complex Hermitian matrix, ascending and real (NumPy
/// `linalg.eigvalsh`).
///
/// # Errors
/// As [`eigh`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let w = mlinalg::linalg::eigvalsh(array![[2., 0.], [0., 1.]].view())?;
/// assert_eq!(w.to_vec(), vec![1.0, 2.0]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn eigvalsh<T: Scalar>(a: ArrayView2<'_, T>) -> Result<Array1<T::Real>> {
    const OP: &str = "eigvalsh";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    check_symmetric(OP, &a)?;
    return_in_double!(widen_single(a), |w| eigvalsh(w.view()).map(narrow_array));
    match cast_view::<T, f64, _>(a) {
        Some(a) => Ok(cast(bridge::self_adjoint_eigenvalues(OP, &a)?).expect("T is f64")),
        None => generic::self_adjoint_eigenvalues(OP, &a),
    }
}

/// Eigenvalues and eigenvectors of a general matrix (NumPy `EigResult`) with element type
/// `T` (`f64` by default): for real input, real arrays when every eigenvalue is real and
/// complex arrays otherwise (as NumPy's dtype switch); for complex input always complex.
/// Values have `T`'s precision ([`ComplexOf<T>`]: `Complex32` for `f32`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Eig<T: Scalar = f64> {
    /// All eigenvalues are real (real input only).
    Real {
        /// Eigenvalues, in no particular order.
        eigenvalues: Array1<T::Real>,
        /// Unit-norm eigenvectors as columns.
        eigenvectors: Array2<T::Real>,
    },
    /// Complex input, or some eigenvalues come in complex-conjugate pairs.
    Complex {
        /// Eigenvalues, in no particular order.
        eigenvalues: Array1<ComplexOf<T>>,
        /// Unit-norm eigenvectors as columns, each scaled so that its largest component is real.
        eigenvectors: Array2<ComplexOf<T>>,
    },
}

impl<T: Scalar> Eig<T> {
    /// The eigenvalues as complex numbers, whichever variant.
    #[must_use]
    pub fn eigenvalues_complex(&self) -> Array1<ComplexOf<T>> {
        match self {
            Eig::Real { eigenvalues, .. } => eigenvalues.mapv(to_complex::<T>),
            Eig::Complex { eigenvalues, .. } => eigenvalues.clone(),
        }
    }

    /// The eigenvectors as complex numbers, whichever variant.
    #[must_use]
    pub fn eigenvectors_complex(&self) -> Array2<ComplexOf<T>> {
        match self {
            Eig::Real { eigenvectors, .. } => eigenvectors.mapv(to_complex::<T>),
            Eig::Complex { eigenvectors, .. } => eigenvectors.clone(),
        }
    }

    /// True when all eigenvalues are real.
    #[must_use]
    pub fn is_real(&self) -> bool {
        matches!(self, Eig::Real { .. })
    }
}

/// `x + 0i` in `T`'s complex type.
fn to_complex<T: Scalar>(x: T::Real) -> ComplexOf<T> {
    <T::Real as RealScalar>::complex(x, <T::Real as Scalar>::from_f64(0.0))
}

/// Eigenvalues and right eigenvectors of a square matrix, `A v = λ v` (NumPy
/// `linalg.eig`), real or complex, in the element type's precision. Eigenvectors have unit
/// 2-norm; like LAPACK `geev`, each complex one is rotated so that its largest component
/// is real.
///
/// # Errors
/// [`Error::Shape`] if not square; [`Error::Empty`]; [`Error::NonFinite`];
/// [`Error::NoConvergence`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::{eig, Eig};
/// let Eig::Real { eigenvalues, .. } = eig(array![[4., 1.], [2., 3.]].view())? else { panic!() };
/// let mut w = eigenvalues.to_vec();
/// w.sort_by(f64::total_cmp);
/// assert!((w[0] - 2.0).abs() < 1e-12 && (w[1] - 5.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn eig<T: Scalar>(a: ArrayView2<'_, T>) -> Result<Eig<T>> {
    const OP: &str = "eig";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    let (w, mut v): (Array1<ComplexOf<T>>, Array2<ComplexOf<T>>) = match cast_view::<T, f64, _>(a) {
        Some(a) => {
            let (w, v) = bridge::eigen(OP, &a)?;
            (cast(w).expect("T is f64"), cast(v).expect("T is f64"))
        }
        None => generic::eigen(OP, &a)?,
    };
    let zero = <T::Real as Scalar>::from_f64(0.0);
    for mut col in v.axis_iter_mut(Axis(1)) {
        let norm = <T::Real as Scalar>::from_f64(crate::vector::l2_iter(
            col.iter().map(|z| z.abs().to_f64()),
        ));
        // the largest component by modulus decides the phase
        let big =
            col.iter().copied().fold(
                to_complex::<T>(zero),
                |m, z| if z.abs() > m.abs() { z } else { m },
            );
        let phase = if big.abs() > zero {
            big.conj().div_real(big.abs())
        } else {
            to_complex::<T>(<T::Real as Scalar>::from_f64(1.0))
        };
        if norm > zero {
            col.mapv_inplace(|z| (z * phase).div_real(norm));
        }
    }
    if !T::IS_COMPLEX && w.iter().all(|z| z.im() == zero) {
        Ok(Eig::Real {
            eigenvalues: w.mapv(|z| z.re()),
            eigenvectors: v.mapv(|z| z.re()),
        })
    } else {
        Ok(Eig::Complex {
            eigenvalues: w,
            eigenvectors: v,
        })
    }
}
