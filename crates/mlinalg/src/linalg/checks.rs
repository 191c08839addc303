//! Structural checks with NumPy `allclose` tolerances (rtol = 1e-5, atol = 1e-8):
//! [`is_symmetric`], [`is_orthogonal`], [`is_positive_definite`].

use ndarray::{Array2, ArrayView2};

use crate::linalg::eig::{ATOL, RTOL, asymmetry};

/// `allclose(A, Aᵀ)`: square and |aᵢⱼ − aⱼᵢ| ≤ 1e-8 + 1e-5·|aⱼᵢ| everywhere. False for a
/// non-square matrix; true for a 0 × 0 one.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert!(mlinalg::linalg::is_symmetric(array![[1., 2.], [2., 1.]].view()));
/// assert!(!mlinalg::linalg::is_symmetric(array![[1., 2.], [3., 1.]].view()));
/// ```
#[must_use]
pub fn is_symmetric(a: ArrayView2<'_, f64>) -> bool {
    a.nrows() == a.ncols() && a.iter().all(|x| !x.is_nan()) && asymmetry(&a).is_none()
}

/// `allclose(AᵀA, I)`: square with orthonormal columns. False for a non-square matrix.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let r = array![[0., -1.], [1., 0.]];
/// assert!(mlinalg::linalg::is_orthogonal(r.view()));
/// assert!(!mlinalg::linalg::is_orthogonal((r * 2.0).view()));
/// ```
#[must_use]
pub fn is_orthogonal(a: ArrayView2<'_, f64>) -> bool {
    if a.nrows() != a.ncols() {
        return false;
    }
    let ata = a.t().dot(&a);
    let eye = Array2::<f64>::eye(a.nrows());
    ata.iter()
        .zip(eye.iter())
        .all(|(x, y)| (x - y).abs() <= ATOL + RTOL * y.abs())
}

/// Symmetric (as [`is_symmetric`]) with all eigenvalues > 0. False for non-square or
/// non-finite input.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert!(mlinalg::linalg::is_positive_definite(array![[2., 1.], [1., 2.]].view()));
/// assert!(!mlinalg::linalg::is_positive_definite(array![[1., 2.], [2., 1.]].view()));
/// ```
#[must_use]
pub fn is_positive_definite(a: ArrayView2<'_, f64>) -> bool {
    if !is_symmetric(a) || a.iter().any(|x| !x.is_finite()) || a.is_empty() {
        return false;
    }
    match crate::linalg::eigvalsh(a) {
        Ok(w) => w.iter().all(|&x| x > 0.0),
        Err(_) => false,
    }
}
