//! Eigendecompositions: [`eigh`] / [`eigvalsh`] for symmetric matrices, [`eig`] for general ones.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use num_complex::Complex64;

use crate::array::{check_input, check_square};
use crate::error::{Error, Result};
use crate::linalg::bridge;

/// `A = V Λ Vᵀ` for symmetric A (NumPy `EighResult`).
#[derive(Debug, Clone, PartialEq)]
pub struct Eigh {
    /// Eigenvalues in ascending order.
    pub eigenvalues: Array1<f64>,
    /// Orthonormal eigenvectors, column `i` for `eigenvalues[i]`.
    pub eigenvectors: Array2<f64>,
}

/// NumPy `allclose(A, Aᵀ)` tolerances: |aᵢⱼ − aⱼᵢ| ≤ atol + rtol·|aⱼᵢ|.
pub(crate) const RTOL: f64 = 1e-5;
/// See [`RTOL`].
pub(crate) const ATOL: f64 = 1e-8;

/// `Some(max |A − Aᵀ|)` if `a` (square) is not symmetric within NumPy's `allclose`
/// tolerances, `None` if it is.
pub(crate) fn asymmetry(a: &ArrayView2<'_, f64>) -> Option<f64> {
    let n = a.nrows();
    let mut worst = 0.0f64;
    let mut ok = true;
    for i in 0..n {
        for j in 0..i {
            let (x, y) = (a[[i, j]], a[[j, i]]);
            let d = (x - y).abs();
            // NaN compares as not close, as in allclose
            let close = d <= ATOL + RTOL * y.abs() && d <= ATOL + RTOL * x.abs();
            if !close {
                ok = false;
                worst = worst.max(d);
            }
        }
    }
    if ok { None } else { Some(worst) }
}

fn check_symmetric(op: &'static str, a: &ArrayView2<'_, f64>) -> Result<()> {
    match asymmetry(a) {
        None => Ok(()),
        Some(d) => Err(Error::NotSymmetric {
            op,
            detail: format!("max |A − Aᵀ| = {d}; use eig for general matrices"),
        }),
    }
}

/// Eigenvalues and eigenvectors of a real symmetric matrix (NumPy `linalg.eigh`).
///
/// Eigenvalues ascend; eigenvectors are orthonormal columns. Each eigenvector's sign is
/// fixed so that its entry of largest magnitude is positive (NumPy leaves it to LAPACK).
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
/// let e = mlinalg::linalg::eigh(array![[2., 1.], [1., 2.]].view())?;
/// assert!((e.eigenvalues[0] - 1.0).abs() < 1e-12 && (e.eigenvalues[1] - 3.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn eigh(a: ArrayView2<'_, f64>) -> Result<Eigh> {
    const OP: &str = "eigh";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    check_symmetric(OP, &a)?;
    let (eigenvalues, mut eigenvectors) = bridge::self_adjoint_eigen(OP, &a)?;
    for mut col in eigenvectors.axis_iter_mut(Axis(1)) {
        let big = col
            .iter()
            .copied()
            .fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
        if big < 0.0 {
            col.mapv_inplace(|v| -v);
        }
    }
    Ok(Eigh {
        eigenvalues,
        eigenvectors,
    })
}

/// Eigenvalues of a real symmetric matrix, ascending (NumPy `linalg.eigvalsh`).
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
pub fn eigvalsh(a: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
    const OP: &str = "eigvalsh";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    check_symmetric(OP, &a)?;
    bridge::self_adjoint_eigenvalues(OP, &a)
}

/// Eigenvalues and eigenvectors of a general real matrix (NumPy `EigResult`): real arrays
/// when every eigenvalue is real, complex arrays otherwise (as NumPy's dtype switch).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Eig {
    /// All eigenvalues are real.
    Real {
        /// Eigenvalues, in no particular order.
        eigenvalues: Array1<f64>,
        /// Unit-norm eigenvectors as columns.
        eigenvectors: Array2<f64>,
    },
    /// Some eigenvalues come in complex-conjugate pairs.
    Complex {
        /// Eigenvalues, in no particular order.
        eigenvalues: Array1<Complex64>,
        /// Unit-norm eigenvectors as columns, each scaled so that its largest component is real.
        eigenvectors: Array2<Complex64>,
    },
}

impl Eig {
    /// The eigenvalues as complex numbers, whichever variant.
    #[must_use]
    pub fn eigenvalues_complex(&self) -> Array1<Complex64> {
        match self {
            Eig::Real { eigenvalues, .. } => eigenvalues.mapv(|v| Complex64::new(v, 0.0)),
            Eig::Complex { eigenvalues, .. } => eigenvalues.clone(),
        }
    }

    /// The eigenvectors as complex numbers, whichever variant.
    #[must_use]
    pub fn eigenvectors_complex(&self) -> Array2<Complex64> {
        match self {
            Eig::Real { eigenvectors, .. } => eigenvectors.mapv(|v| Complex64::new(v, 0.0)),
            Eig::Complex { eigenvectors, .. } => eigenvectors.clone(),
        }
    }

    /// True when all eigenvalues are real.
    #[must_use]
    pub fn is_real(&self) -> bool {
        matches!(self, Eig::Real { .. })
    }
}

/// Eigenvalues and right eigenvectors of a square real matrix, `A v = λ v` (NumPy
/// `linalg.eig`). Eigenvectors have unit 2-norm; like LAPACK `geev`, each complex one is
/// rotated so that its largest component is real.
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
pub fn eig(a: ArrayView2<'_, f64>) -> Result<Eig> {
    const OP: &str = "eig";
    check_square(OP, &a)?;
    check_input(OP, &a)?;
    let (w, mut v) = bridge::eigen(OP, &a)?;
    for mut col in v.axis_iter_mut(Axis(1)) {
        let norm = crate::vector::l2_iter(col.iter().map(|z| z.norm()));
        // the largest component by modulus decides the phase
        let big = col.iter().copied().fold(Complex64::new(0.0, 0.0), |m, z| {
            if z.norm() > m.norm() { z } else { m }
        });
        let phase = if big.norm() > 0.0 {
            big.conj() / big.norm()
        } else {
            Complex64::new(1.0, 0.0)
        };
        if norm > 0.0 {
            col.mapv_inplace(|z| z * phase / norm);
        }
    }
    if w.iter().all(|z| z.im == 0.0) {
        Ok(Eig::Real {
            eigenvalues: w.mapv(|z| z.re),
            eigenvectors: v.mapv(|z| z.re),
        })
    } else {
        Ok(Eig::Complex {
            eigenvalues: w,
            eigenvectors: v,
        })
    }
}
