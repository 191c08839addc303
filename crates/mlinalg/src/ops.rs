//! Matrix operations with NumPy semantics: `@` ([`matmul`]), [`outer`], element-wise
//! operations with broadcasting ([`hadamard`], [`add`], [`sub`], [`div`]), [`trace`],
//! [`transpose`].

use ndarray::{
    Array1, Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewD, ArrayViewMut2, Axis, Ix2, IxDyn,
    Zip,
};

use crate::array::{fmt_shape, try_zeros_of};
use crate::error::{Error, Result};
use crate::linalg::bridge;
use crate::scalar::{Scalar, cast_view, cast_view_mut, same_type};

/// `c = a @ b` for any element type: our packed GEMM (or faer) for `f64` and `f32`, faer's
/// generic product for the complex types.
fn matmul_into<T: Scalar>(
    c: &mut ArrayViewMut2<'_, T>,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
) {
    if same_type::<T, f64>() {
        let mut c = cast_view_mut::<T, f64, _>(c.view_mut()).expect("T is f64");
        let a = cast_view::<T, f64, _>(a.view()).expect("T is f64");
        let b = cast_view::<T, f64, _>(b.view()).expect("T is f64");
        bridge::matmul_into(&mut c, &a, &b, false);
    } else if same_type::<T, f32>() {
        let mut c = cast_view_mut::<T, f32, _>(c.view_mut()).expect("T is f32");
        let a = cast_view::<T, f32, _>(a.view()).expect("T is f32");
        let b = cast_view::<T, f32, _>(b.view()).expect("T is f32");
        bridge::matmul_into_f32(&mut c, &a, &b, false);
    } else {
        bridge::generic::matmul_into(c, a, b, false);
    }
}

fn inner_mismatch(a: &[usize], b: &[usize], ka: usize, kb: usize) -> Error {
    Error::shape(
        "matmul",
        format!(
            "inner dimensions differ: {} @ {}: {ka} != {kb}",
            fmt_shape(a),
            fmt_shape(b)
        ),
    )
}

/// The matrix product of two 2-d arrays, `C = A B` (NumPy's `a @ b` of two matrices; our
/// packed GEMM or faer's, multithreaded for large sizes), for any [`Scalar`] element type
/// in its own precision. [`matmul`] takes arrays of any dimension.
///
/// # Errors
/// [`Error::Shape`] if `a.ncols() != b.nrows()`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let a = array![[1., 2., 3.], [4., 5., 6.]];
/// let b = array![[7., 8.], [9., 10.], [11., 12.]];
/// let c = mlinalg::ops::matmul_2d(a.view(), b.view())?;
/// assert_eq!(c, array![[58., 64.], [139., 154.]]);
/// let e = mlinalg::ops::matmul_2d(a.view(), a.view()).unwrap_err();
/// assert_eq!(e.to_string(), "matmul: inner dimensions differ: (2, 3) @ (2, 3): 3 != 2");
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[doc(alias = "matmul2")]
pub fn matmul_2d<T: Scalar>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Result<Array2<T>> {
    if a.ncols() != b.nrows() {
        return Err(inner_mismatch(a.shape(), b.shape(), a.ncols(), b.nrows()));
    }
    let mut c = try_zeros_of::<T>("matmul", &[a.nrows(), b.ncols()])?
        .into_dimensionality::<Ix2>()
        .map_err(|e| Error::shape("matmul", e.to_string()))?;
    if a.ncols() > 0 && !c.is_empty() {
        matmul_into(&mut c.view_mut(), &a, &b);
    }
    Ok(c)
}

/// The former name of [`matmul_2d`].
///
/// # Errors
/// As [`matmul_2d`].
#[deprecated(
    since = "0.1.0",
    note = "renamed `matmul_2d` (NumPy's `a @ b` of two matrices); `matmul` takes arrays of any dimension"
)]
pub fn matmul2<T: Scalar>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Result<Array2<T>> {
    matmul_2d(a, b)
}

/// Matrix–vector product `A x`.
///
/// # Errors
/// [`Error::Shape`] if `a.ncols() != x.len()`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let y = mlinalg::ops::matvec(array![[1., 2.], [3., 4.]].view(), array![1., 1.].view())?;
/// assert_eq!(y, array![3., 7.]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn matvec<T: Scalar>(a: ArrayView2<'_, T>, x: ArrayView1<'_, T>) -> Result<Array1<T>> {
    if a.ncols() != x.len() {
        return Err(inner_mismatch(a.shape(), x.shape(), a.ncols(), x.len()));
    }
    let x2 = x.insert_axis(Axis(1));
    Ok(matmul_2d(a, x2)?.remove_axis(Axis(1)))
}

/// NumPy's `a @ b` for arrays of any dimension ≥ 1.
///
/// * 1-d @ 1-d: the inner product, a 0-d array;
/// * 2-d @ 1-d: `(m, k) @ (k,) → (m,)`; 1-d @ 2-d: `(k,) @ (k, n) → (n,)`;
/// * n-d: the last two axes are matrices, the leading (batch) axes broadcast, so a batch
///   `(32, 224, 224, 3) @ (3, 8) → (32, 224, 224, 8)`.
///
/// # Errors
/// [`Error::Shape`] for a 0-d operand, differing inner dimensions or batch axes that do not
/// broadcast; [`Error::Unsupported`] if the result would not fit in memory.
///
/// # Examples
/// ```
/// use ndarray::{array, IxDyn};
/// let x = ndarray::ArrayD::<f64>::ones(IxDyn(&[4, 5, 3]));
/// let w = array![[1., 0.], [0., 1.], [1., 1.]].into_dyn();
/// let y = mlinalg::ops::matmul(x.view(), w.view())?;
/// assert_eq!(y.shape(), &[4, 5, 2]);
/// assert_eq!(y[[0, 0, 1]], 2.0);
/// let v = array![1., 2.].into_dyn();
/// assert_eq!(mlinalg::ops::matmul(v.view(), v.view())?.sum(), 5.0);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn matmul<T: Scalar>(a: ArrayViewD<'_, T>, b: ArrayViewD<'_, T>) -> Result<ArrayD<T>> {
    let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
    if sa.is_empty() || sb.is_empty() {
        return Err(Error::shape(
            "matmul",
            format!(
                "operands must be at least 1-d (NumPy: use * for scalars): {} @ {}",
                fmt_shape(&sa),
                fmt_shape(&sb)
            ),
        ));
    }
    // Promote 1-d operands to matrices, remembering which axes to drop afterwards.
    let a_vec = sa.len() == 1;
    let b_vec = sb.len() == 1;
    let a2 = if a_vec {
        a.clone().insert_axis(Axis(0))
    } else {
        a.clone()
    };
    let b2 = if b_vec {
        b.clone().insert_axis(Axis(1))
    } else {
        b.clone()
    };
    let (ra, rb) = (a2.ndim(), b2.ndim());
    let (m, ka) = (a2.shape()[ra - 2], a2.shape()[ra - 1]);
    let (kb, n) = (b2.shape()[rb - 2], b2.shape()[rb - 1]);
    if ka != kb {
        return Err(inner_mismatch(&sa, &sb, ka, kb));
    }
    let batch =
        broadcast_shapes("matmul", &a2.shape()[..ra - 2], &b2.shape()[..rb - 2]).map_err(|_| {
            Error::shape(
                "matmul",
                format!(
                    "batch dimensions do not broadcast: {} @ {}",
                    fmt_shape(&sa),
                    fmt_shape(&sb)
                ),
            )
        })?;
    let mut out_shape = batch.clone();
    out_shape.extend([m, n]);
    let mut out = try_zeros_of::<T>("matmul", &out_shape)?;

    // Fast path: a stack of row-major matrices times one matrix is a single tall GEMM.
    if rb == 2 && ra > 2 && a2.is_standard_layout() {
        let rows = a2.len() / ka.max(1);
        if ka > 0 {
            // safe because a standard-layout array reshapes without copying, and `out` is
            // freshly allocated in C order
            let a_flat = a2
                .to_shape((rows, ka))
                .map_err(|e| Error::shape("matmul", e.to_string()))?;
            let b_mat = b2
                .into_dimensionality::<Ix2>()
                .map_err(|e| Error::shape("matmul", e.to_string()))?;
            let mut o = out
                .view_mut()
                .into_shape_with_order((rows, n))
                .map_err(|e| Error::shape("matmul", e.to_string()))?;
            matmul_into(&mut o, &a_flat.view(), &b_mat);
        }
    } else if ka > 0 {
        let ba = a2
            .broadcast(IxDyn(&[batch.as_slice(), &[m, ka]].concat()))
            .ok_or_else(|| Error::shape("matmul", "internal broadcast failure".to_string()))?;
        let bb = b2
            .broadcast(IxDyn(&[batch.as_slice(), &[kb, n]].concat()))
            .ok_or_else(|| Error::shape("matmul", "internal broadcast failure".to_string()))?;
        let total: usize = batch.iter().product();
        let err = |e: ndarray::ShapeError| Error::shape("matmul", e.to_string());
        let fa = ba.to_shape((total, m, ka)).map_err(err)?;
        let fb = bb.to_shape((total, kb, n)).map_err(err)?;
        let mut fo = out
            .view_mut()
            .into_shape_with_order((total, m, n))
            .map_err(|e| Error::shape("matmul", e.to_string()))?;
        for i in 0..total {
            let mut o = fo.index_axis_mut(Axis(0), i);
            matmul_into(
                &mut o,
                &fa.index_axis(Axis(0), i),
                &fb.index_axis(Axis(0), i),
            );
        }
    }
    // Drop the axes that 1-d operands were promoted with, as NumPy does.
    let mut out = out;
    if b_vec {
        let last = out.ndim() - 1;
        out = out.index_axis_move(Axis(last), 0);
    }
    if a_vec {
        let row_axis = out.ndim() - 1 - usize::from(!b_vec);
        out = out.index_axis_move(Axis(row_axis), 0);
    }
    Ok(out)
}

/// The outer product `a bᵀ`: `out[i, j] = a[i] · b[j]` (NumPy `outer`).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let o = mlinalg::ops::outer(array![1., 2.].view(), array![3., 4., 5.].view());
/// assert_eq!(o, array![[3., 4., 5.], [6., 8., 10.]]);
/// ```
#[must_use]
pub fn outer(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.len(), b.len()), |(i, j)| a[i] * b[j])
}

/// The shape two shapes broadcast to under NumPy's rules (align trailing axes; each pair
/// must be equal or contain a 1).
///
/// # Errors
/// [`Error::Shape`] naming both shapes if they do not broadcast.
///
/// # Examples
/// ```
/// let s = mlinalg::ops::broadcast_shapes("add", &[32, 64], &[64])?;
/// assert_eq!(s, vec![32, 64]);
/// assert!(mlinalg::ops::broadcast_shapes("add", &[3, 2], &[3]).is_err());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i < n - a.len() {
            1
        } else {
            a[i - (n - a.len())]
        };
        let db = if i < n - b.len() {
            1
        } else {
            b[i - (n - b.len())]
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(Error::shape(
                    op,
                    format!(
                        "operands could not be broadcast together with shapes {} {}",
                        fmt_shape(a),
                        fmt_shape(b)
                    ),
                ));
            }
        };
    }
    Ok(out)
}

fn broadcast_zip(
    op: &'static str,
    a: ArrayViewD<'_, f64>,
    b: ArrayViewD<'_, f64>,
    f: impl Fn(f64, f64) -> f64,
) -> Result<ArrayD<f64>> {
    let shape = broadcast_shapes(op, a.shape(), b.shape())?;
    crate::array::checked_len(op, &shape)?;
    let fail = || Error::shape(op, "internal broadcast failure".to_string());
    let ba = a.broadcast(IxDyn(&shape)).ok_or_else(fail)?;
    let bb = b.broadcast(IxDyn(&shape)).ok_or_else(fail)?;
    Ok(Zip::from(&ba).and(&bb).map_collect(|&x, &y| f(x, y)))
}

/// Element-wise (Hadamard) product `a ⊙ b` with NumPy broadcasting (NumPy `a * b`).
///
/// # Errors
/// [`Error::Shape`] naming both shapes if they do not broadcast.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let a = array![[1., 2.], [3., 4.]].into_dyn();
/// let b = array![10., 100.].into_dyn();
/// let c = mlinalg::ops::hadamard(a.view(), b.view())?;
/// assert_eq!(c, array![[10., 200.], [30., 400.]].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn hadamard(a: ArrayViewD<'_, f64>, b: ArrayViewD<'_, f64>) -> Result<ArrayD<f64>> {
    broadcast_zip("hadamard", a, b, |x, y| x * y)
}

/// Element-wise sum with broadcasting (NumPy `a + b`), e.g. adding a bias `(64,)` to `(32, 64)`.
///
/// # Errors
/// [`Error::Shape`] naming both shapes if they do not broadcast.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let z = mlinalg::ops::add(array![[1., 2.], [3., 4.]].into_dyn().view(), array![1., 1.].into_dyn().view())?;
/// assert_eq!(z, array![[2., 3.], [4., 5.]].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn add(a: ArrayViewD<'_, f64>, b: ArrayViewD<'_, f64>) -> Result<ArrayD<f64>> {
    broadcast_zip("add", a, b, |x, y| x + y)
}

/// Element-wise difference with broadcasting (NumPy `a - b`), e.g. centring `X − mean`.
///
/// # Errors
/// [`Error::Shape`] naming both shapes if they do not broadcast.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let z = mlinalg::ops::sub(array![[1., 2.], [3., 4.]].into_dyn().view(), array![1., 2.].into_dyn().view())?;
/// assert_eq!(z, array![[0., 0.], [2., 2.]].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn sub(a: ArrayViewD<'_, f64>, b: ArrayViewD<'_, f64>) -> Result<ArrayD<f64>> {
    broadcast_zip("sub", a, b, |x, y| x - y)
}

/// Element-wise quotient with broadcasting (NumPy `a / b`, IEEE division).
///
/// # Errors
/// [`Error::Shape`] naming both shapes if they do not broadcast.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let z = mlinalg::ops::div(array![2., 4.].into_dyn().view(), array![2.].into_dyn().view())?;
/// assert_eq!(z, array![1., 2.].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn div(a: ArrayViewD<'_, f64>, b: ArrayViewD<'_, f64>) -> Result<ArrayD<f64>> {
    broadcast_zip("div", a, b, |x, y| x / y)
}

/// Sum of the main diagonal (NumPy `trace`; rectangular matrices allowed).
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(mlinalg::ops::trace(array![[1., 2., 3.], [4., 5., 6.]].view()), 6.0);
/// ```
#[must_use]
pub fn trace(a: ArrayView2<'_, f64>) -> f64 {
    a.diag().sum()
}

/// The transpose with axes reversed (NumPy `a.T`), as a C-ordered copy; a 1-d array is
/// returned unchanged.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let t = mlinalg::ops::transpose(array![[1., 2., 3.]].into_dyn().view());
/// assert_eq!(t.shape(), &[3, 1]);
/// ```
#[must_use]
pub fn transpose(a: ArrayViewD<'_, f64>) -> ArrayD<f64> {
    a.reversed_axes().as_standard_layout().into_owned()
}
