//! QR factorization (Householder, LAPACK `geqrf`/`orgqr`): [`qr`].

use ndarray::{Array2, ArrayView2};

use crate::array::check_input;
use crate::error::Result;
use crate::linalg::bridge::{self, generic};
use crate::scalar::{Scalar, cast, cast_view, narrow_array, return_in_double, widen_single};

/// Which factors [`qr`] returns (NumPy's `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum QrMode {
    /// `q`: (m, k), `r`: (k, n) with k = min(m, n) (NumPy `'reduced'`, the default).
    #[default]
    Reduced,
    /// `q`: (m, m), `r`: (m, n) (NumPy `'complete'`).
    Complete,
}

/// `A = Q R` with orthonormal columns in Q and upper-triangular R (NumPy `QRResult`), for
/// an element type `T` (`f64` by default).
#[derive(Debug, Clone, PartialEq)]
pub struct Qr<T: Scalar = f64> {
    /// Orthonormal (unitary for complex input) columns.
    pub q: Array2<T>,
    /// Upper triangular (upper trapezoidal when wide).
    pub r: Array2<T>,
}

impl<W: Scalar> Qr<W> {
    /// Both factors rounded into `T` (see [`widen_single`]).
    fn narrow<T: Scalar>(self) -> Qr<T> {
        Qr {
            q: narrow_array(self.q),
            r: narrow_array(self.r),
        }
    }
}

/// The QR factorization `A = Q R` (NumPy `linalg.qr`). Signs of Q's columns and R's rows
/// are those of the Householder reflections, as in LAPACK; only `Q R` is unique. Generic
/// over [`Scalar`] (LAPACK `sgeqrf`, `cgeqrf`, … in NumPy); single-precision matrices of at
/// most 32 rows and columns are factored in double precision and both factors rounded
/// once.
///
/// # Errors
/// [`Error::Empty`](crate::Error::Empty); [`Error::NonFinite`](crate::Error::NonFinite).
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::{qr, QrMode};
/// let a = array![[1f64, 2.], [3., 4.], [5., 6.]];
/// let f = qr(a.view(), QrMode::Reduced)?;
/// assert_eq!(f.q.dim(), (3, 2));
/// assert!((f.q.dot(&f.r) - &a).iter().all(|e| e.abs() < 1e-12));
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn qr<T: Scalar>(a: ArrayView2<'_, T>, mode: QrMode) -> Result<Qr<T>> {
    check_input("qr", &a)?;
    return_in_double!(widen_single(a), |w| qr(w.view(), mode).map(Qr::narrow));
    let complete = mode == QrMode::Complete;
    let (q, r0): (Array2<T>, Array2<T>) = match cast_view::<T, f64, _>(a) {
        Some(a) => {
            let (q, r) = bridge::qr(&a, complete);
            (cast(q).expect("T is f64"), cast(r).expect("T is f64"))
        }
        None => generic::qr(&a, complete),
    };
    // Complete mode: R is (m, n); faer returns its min(m, n) non-zero rows, so pad with zeros.
    let rows = if mode == QrMode::Complete {
        a.nrows()
    } else {
        r0.nrows()
    };
    let mut r = if r0.nrows() == rows {
        r0
    } else {
        let mut r = Array2::zeros((rows, a.ncols()));
        r.slice_mut(ndarray::s![..r0.nrows(), ..]).assign(&r0);
        r
    };
    // Exact zeros below the diagonal, as LAPACK/NumPy return.
    for ((i, j), v) in r.indexed_iter_mut() {
        if i > j {
            *v = T::from_f64(0.0);
        }
    }
    Ok(Qr { q, r })
}
