//! Stacks of matrices: NumPy's `(..., M, N)` broadcasting for the `numpy.linalg` routines.
//!
//! Every function here takes an array of any dimension ≥ 2 (≥ 1 where NumPy allows a
//! vector), treats its last two axes as the matrix and the leading axes as a stack, and
//! returns results with the same leading axes, as NumPy's gufuncs do. Two-operand routines
//! ([`solve`]) broadcast the leading axes of both operands.
//!
//! The matrices of a stack are computed in parallel (rayon), in chunks of at least
//! [`TASK_WORK`] flops, so a stack of 10⁵ small matrices costs a few hundred task hand-offs,
//! not 10⁵.
//!
//! Empty inputs follow NumPy: `det` of a 0 × 0 matrix is 1, `inv` of an empty stack is an
//! empty stack, `svd` of a 4 × 0 matrix has `u = I₄`, and so on.
//!
//! | routine | NumPy |
//! |---|---|
//! | [`inv`], [`solve`] | `linalg.inv`, `linalg.solve` |
//! | [`det`], [`slogdet`] | `linalg.det`, `linalg.slogdet` |
//! | [`eigh`], [`eigvalsh`], [`eig`] (its eigenvalues: `eigvals`) | `linalg.eigh`, `eigvalsh`, `eig`, `eigvals` |
//! | [`svd`], [`svdvals`] | `linalg.svd`, `linalg.svdvals` |
//! | [`qr`], [`qr_raw`] | `linalg.qr` (all four modes) |
//! | [`cholesky`] | `linalg.cholesky` (`upper`) |
//! | [`cond`], [`pinv`], [`matrix_rank`] | `linalg.cond`, `pinv`, `matrix_rank` |
//!
//! # Examples
//! ```
//! use ndarray::Array3;
//! use mlinalg::linalg::stacked;
//! // Two 2 × 2 matrices at once.
//! let a = Array3::from_shape_vec((2, 2, 2), vec![2f64, 0., 0., 4., 1., 2., 3., 4.]).unwrap();
//! let d = stacked::det(a.view().into_dyn())?;
//! assert_eq!(d.shape(), &[2]);
//! assert!((d[[0]] - 8.0).abs() < 1e-12 && (d[[1]] + 2.0).abs() < 1e-12);
//! # Ok::<(), mlinalg::Error>(())
//! ```

use ndarray::{Array, Array1, Array2, ArrayD, ArrayView2, ArrayViewD, Axis, Dimension, IxDyn};
use rayon::prelude::*;

use crate::array::fmt_shape;
use crate::error::{Error, Result};
use crate::kernels::lu::SMALL_LU;
use crate::linalg::lu::SmallLu;
use crate::linalg::{self, NormOrd, QrMode};
use crate::scalar::{
    ComplexOf, RealScalar, Scalar, Widened, narrow_array, return_in_double, widen_exact,
    widen_single,
};

/// Flops a rayon task gets at least: below this a stack runs on the calling thread, above
/// it the stack is cut into chunks of this much work (a task hand-off costs a few µs, about
/// the time of 10⁴–10⁵ flops).
pub const TASK_WORK: usize = 1 << 16;

/// The matrix dimensions `(M, N)` of a stack of shape `(..., M, N)`, or NumPy's
/// `LinAlgError` message for an array with fewer than two dimensions.
///
/// # Errors
/// [`Error::Shape`] when `shape` has fewer than two axes.
///
/// # Examples
/// ```
/// use mlinalg::linalg::stacked::matrix_dims;
/// assert_eq!(matrix_dims("inv", &[5, 3, 4])?, (3, 4));
/// assert!(matrix_dims("inv", &[3]).is_err());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn matrix_dims(op: &'static str, shape: &[usize]) -> Result<(usize, usize)> {
    let nd = shape.len();
    if nd < 2 {
        return Err(Error::shape(
            op,
            format!(
                "{nd}-dimensional array given (shape {}). Array must be at least \
                 two-dimensional",
                fmt_shape(shape)
            ),
        ));
    }
    Ok((shape[nd - 2], shape[nd - 1]))
}

/// The size `M` of a stack of square matrices `(..., M, M)`.
///
/// # Errors
/// [`Error::Shape`] for fewer than two axes or non-square matrices (NumPy's "Last 2
/// dimensions of the array must be square").
///
/// # Examples
/// ```
/// use mlinalg::linalg::stacked::square_dim;
/// assert_eq!(square_dim("det", &[7, 3, 3])?, 3);
/// let e = square_dim("det", &[2, 3]).unwrap_err();
/// assert!(e.to_string().contains("must be square"));
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn square_dim(op: &'static str, shape: &[usize]) -> Result<usize> {
    let (m, n) = matrix_dims(op, shape)?;
    if m != n {
        return Err(Error::shape(
            op,
            format!(
                "Last 2 dimensions of the array must be square, got shape {}",
                fmt_shape(shape)
            ),
        ));
    }
    Ok(m)
}

/// The leading (stack) axes of an array of shape `(..., M, N)`.
fn batch(shape: &[usize]) -> &[usize] {
    &shape[..shape.len().saturating_sub(2)]
}

/// `batch ++ core`.
fn concat(batch: &[usize], core: &[usize]) -> Vec<usize> {
    let mut s = batch.to_vec();
    s.extend_from_slice(core);
    s
}

/// `f` applied to every matrix of the stack `a` (shape `(..., M, N)`), in stack order
/// (row-major over the leading axes). `work` is the approximate flop count of one call;
/// the stack is computed in parallel in chunks of at least [`TASK_WORK`] flops.
///
/// The first error (in some matrix of the stack) is returned, as NumPy raises if any
/// matrix of a stack fails.
///
/// # Errors
/// [`Error::Shape`] if `a` has fewer than two axes; any error of `f`.
///
/// # Examples
/// ```
/// use ndarray::Array3;
/// use mlinalg::linalg::stacked::map_matrices;
/// let a = Array3::<f64>::ones((4, 2, 3));
/// let sums = map_matrices("sum", a.view().into_dyn(), 6, |m| Ok(m.sum()))?;
/// assert_eq!(sums, vec![6.0; 4]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn map_matrices<T, R, F>(
    op: &'static str,
    a: ArrayViewD<'_, T>,
    work: usize,
    f: F,
) -> Result<Vec<R>>
where
    T: Clone + Send + Sync,
    R: Send,
    F: Fn(ArrayView2<'_, T>) -> Result<R> + Sync,
{
    let (m, n) = matrix_dims(op, a.shape())?;
    let count: usize = batch(a.shape()).iter().product();
    let a3 = a
        .to_shape((count, m, n))
        .map_err(|e| Error::shape(op, e.to_string()))?;
    let a3 = a3.view();
    let min_len = (TASK_WORK / work.max(1)).max(1);
    if count <= min_len {
        (0..count).map(|i| f(a3.index_axis(Axis(0), i))).collect()
    } else {
        (0..count)
            .into_par_iter()
            .with_min_len(min_len)
            .map(|i| f(a3.index_axis(Axis(0), i)))
            .collect()
    }
}

/// Stacks equally shaped `parts` (one per matrix of a stack with leading axes `batch`)
/// into one array of shape `batch ++ core`.
fn stack_parts<T: Clone, D: Dimension>(
    op: &'static str,
    batch: &[usize],
    core: &[usize],
    parts: Vec<Array<T, D>>,
) -> Result<ArrayD<T>> {
    let len: usize = core.iter().product::<usize>() * batch.iter().product::<usize>();
    let mut v = Vec::with_capacity(len);
    for p in parts {
        v.extend(p.iter().cloned());
    }
    ArrayD::from_shape_vec(IxDyn(&concat(batch, core)), v)
        .map_err(|e| Error::shape(op, e.to_string()))
}

/// Stacks scalars (one per matrix) into an array of shape `batch`.
fn stack_scalars<T>(op: &'static str, batch: &[usize], v: Vec<T>) -> Result<ArrayD<T>> {
    ArrayD::from_shape_vec(IxDyn(batch), v).map_err(|e| Error::shape(op, e.to_string()))
}

/// The `n × n` identity stacked to shape `batch ++ [n, n]`.
pub(crate) fn eye_stack<T: Scalar>(batch: &[usize], n: usize) -> ArrayD<T> {
    let mut out = ArrayD::<T>::zeros(IxDyn(&concat(batch, &[n, n])));
    for i in 0..n {
        let nd = out.ndim();
        let mut lane = out.view_mut();
        lane.collapse_axis(Axis(nd - 2), i);
        lane.collapse_axis(Axis(nd - 1), i);
        lane.fill(T::from_f64(1.0));
    }
    out
}

/// Inverse of every matrix of a stack `(..., M, M)` (NumPy `linalg.inv`).
///
/// # Errors
/// [`Error::Shape`] unless the matrices are square; [`Error::Singular`] if one is singular;
/// [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::Array3;
/// let mut a = Array3::<f64>::zeros((3, 2, 2));
/// for k in 0..3 { a[[k, 0, 0]] = 2.0; a[[k, 1, 1]] = 4.0; }
/// let ai = mlinalg::linalg::stacked::inv(a.view().into_dyn())?;
/// assert_eq!(ai.shape(), &[3, 2, 2]);
/// assert_eq!(ai[[2, 1, 1]], 0.25);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn inv<T: Scalar>(a: ArrayViewD<'_, T>) -> Result<ArrayD<T>> {
    const OP: &str = "inv";
    let m = square_dim(OP, a.shape())?;
    if a.is_empty() {
        return Ok(ArrayD::zeros(a.raw_dim()));
    }
    // single precision, small: the whole stack in double (as `linalg::inv` of each)
    return_in_double!(widen_stack(OP, a.view())?, |w| inv(w.view())
        .map(narrow_array));
    if let Some(a) = small_f64::<T>(a.view(), m) {
        let out = inv_small_f64(a, m)?;
        return Ok(crate::scalar::cast(out).expect("T is f64"));
    }
    let parts = map_matrices(OP, a.view(), m * m * m, linalg::inv)?;
    stack_parts(OP, batch(a.shape()), &[m, m], parts)
}

/// Solves `A X = B` for every matrix of a stack (NumPy `linalg.solve`): `a` is
/// `(..., M, M)`; `b` is a vector `(M,)` (result `(..., M)`) or a stack `(..., M, K)`
/// whose leading axes broadcast against `a`'s (result `(broadcast..., M, K)`).
///
/// # Errors
/// [`Error::Shape`] for non-square `a`, a `b` whose `M` differs, or leading axes that do
/// not broadcast; [`Error::Singular`]; [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::{array, Array3};
/// let a = Array3::from_shape_vec((2, 2, 2), vec![2., 0., 0., 4., 1., 0., 0., 1.]).unwrap();
/// let x = mlinalg::linalg::stacked::solve(a.view().into_dyn(), array![2., 4.].view().into_dyn())?;
/// assert_eq!(x, array![[1., 1.], [2., 4.]].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn solve<T: Scalar>(a: ArrayViewD<'_, T>, b: ArrayViewD<'_, T>) -> Result<ArrayD<T>> {
    const OP: &str = "solve";
    let m = square_dim(OP, a.shape())?;
    // single precision, small: in double (as `linalg::solve` of each), rounded once
    return_in_double!(
        widen_stack(OP, a.view())?,
        widen_exact(b.view()),
        |wa, wb| solve(wa.view(), wb.view()).map(narrow_array)
    );
    let abatch = batch(a.shape());
    match b.ndim() {
        0 => Err(Error::shape(
            OP,
            "b is a 0-d array; expected a vector (M,) or a stack of matrices (..., M, K)",
        )),
        1 => {
            if b.len() != m {
                return Err(Error::shape(
                    OP,
                    format!(
                        "a is {} but b has {} rows, expected {m}",
                        fmt_shape(a.shape()),
                        b.len()
                    ),
                ));
            }
            if a.is_empty() {
                return Ok(ArrayD::zeros(IxDyn(&concat(abatch, &[m]))));
            }
            let b1 = b
                .view()
                .into_dimensionality::<ndarray::Ix1>()
                .map_err(|e| Error::shape(OP, e.to_string()))?;
            if let (Some(a), Some(b)) = (
                small_f64::<T>(a.view(), m),
                crate::scalar::cast_view::<T, f64, _>(b.view()),
            ) {
                let count: usize = abatch.iter().product();
                let column = b.insert_axis(Axis(1));
                let bb = column
                    .broadcast(IxDyn(&[count, m, 1]))
                    .ok_or_else(|| Error::shape(OP, "b does not broadcast"))?
                    .into_dyn();
                let x = solve_small_f64(a, bb, &concat(abatch, &[m]), m, 1)?;
                return Ok(crate::scalar::cast(x).expect("T is f64"));
            }
            let parts = map_matrices(OP, a.view(), m * m * m, |x| linalg::solve(x, &b1))?;
            stack_parts(OP, abatch, &[m], parts)
        }
        _ => {
            let (bm, k) = matrix_dims(OP, b.shape())?;
            if bm != m {
                return Err(Error::shape(
                    OP,
                    format!(
                        "a is {} but b is {}: b has {bm} rows, expected {m}",
                        fmt_shape(a.shape()),
                        fmt_shape(b.shape())
                    ),
                ));
            }
            let bbatch = batch(b.shape());
            let common = crate::ops::broadcast_shapes(OP, abatch, bbatch)?;
            let count: usize = common.iter().product();
            if m == 0 || k == 0 || count == 0 {
                return Ok(ArrayD::zeros(IxDyn(&concat(&common, &[m, k]))));
            }
            let ab = a
                .broadcast(IxDyn(&concat(&common, &[m, m])))
                .ok_or_else(|| Error::shape(OP, "a does not broadcast"))?;
            let bb = b
                .broadcast(IxDyn(&concat(&common, &[m, k])))
                .ok_or_else(|| Error::shape(OP, "b does not broadcast"))?;
            if let (Some(a), Some(b)) = (
                small_f64::<T>(ab.view(), m),
                crate::scalar::cast_view::<T, f64, _>(bb.view()),
            ) {
                let x = solve_small_f64(a, b, &concat(&common, &[m, k]), m, k)?;
                return Ok(crate::scalar::cast(x).expect("T is f64"));
            }
            let b3 = bb
                .to_shape((count, m, k))
                .map_err(|e| Error::shape(OP, e.to_string()))?;
            let b3 = b3.view();
            let idx: Vec<usize> = (0..count).collect();
            let idx = ArrayD::from_shape_vec(IxDyn(&[count, 1, 1]), idx)
                .map_err(|e| Error::shape(OP, e.to_string()))?;
            // Pair each matrix of `a` with its right-hand side through the stack index.
            let a3 = ab
                .to_shape((count, m, m))
                .map_err(|e| Error::shape(OP, e.to_string()))?;
            let a3 = a3.view();
            let parts = map_matrices(OP, idx.view(), m * m * (m + k), |i| {
                let i = i[[0, 0]];
                linalg::solve(a3.index_axis(Axis(0), i), &b3.index_axis(Axis(0), i))
            })?;
            stack_parts(OP, &common, &[m, k], parts)
        }
    }
}

/// Determinant of every matrix of a stack `(..., M, M)` (NumPy `linalg.det`); 1 for
/// 0 × 0 matrices.
///
/// # Errors
/// [`Error::Shape`] unless square; [`Error::NonFinite`].
///
/// # Examples
/// ```
/// let e = ndarray::ArrayD::<f64>::zeros(ndarray::IxDyn(&[0, 0]));
/// assert_eq!(mlinalg::linalg::stacked::det(e.view())?[[]], 1.0);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn det<T: Scalar>(a: ArrayViewD<'_, T>) -> Result<ArrayD<T>> {
    const OP: &str = "det";
    let m = square_dim(OP, a.shape())?;
    // single precision, small: in double (as `linalg::det` of each), rounded once
    return_in_double!(widen_stack(OP, a.view())?, |w| det(w.view())
        .map(narrow_array));
    let v = if m == 0 {
        vec![T::from_f64(1.0); batch(a.shape()).iter().product()]
    } else if let Some(a) = small_f64::<T>(a.view(), m) {
        let d = small_lu_scalars(OP, a, m, |x, lu| match lu {
            Some(lu) if lu.is_singular() => Ok(0.0),
            Some(lu) => Ok(lu.det()),
            None => linalg::det(x),
        })?;
        crate::scalar::cast(d).expect("T is f64")
    } else {
        map_matrices(OP, a.view(), m * m * m, linalg::det)?
    };
    stack_scalars(OP, batch(a.shape()), v)
}

/// [`widen_single`] of a stack whose matrices are small, after checking that the widened
/// copy fits in the memory available (a stack can be large however small its matrices).
fn widen_stack<T: Scalar>(
    op: &'static str,
    a: ArrayViewD<'_, T>,
) -> Result<Option<Widened<IxDyn>>> {
    if !(crate::scalar::same_type::<T, f32>() || crate::scalar::same_type::<T, crate::Complex32>())
    {
        return Ok(None);
    }
    let bytes = (a.len() as u64).saturating_mul(2 * std::mem::size_of::<T>() as u64);
    crate::memory::check_available(op, bytes, "the stack widened to double precision")?;
    Ok(widen_single(a))
}

/// `a` as an `f64` view when `T` is `f64` and its matrices (order `m`) are small enough for
/// the stacked small-LU path ([`SmallLu`], order ≤ [`SMALL_LU`]).
fn small_f64<'a, T: Scalar>(a: ArrayViewD<'a, T>, m: usize) -> Option<ArrayViewD<'a, f64>> {
    if m == 0 || m > SMALL_LU {
        return None;
    }
    crate::scalar::cast_view::<T, f64, _>(a)
}

/// Runs `body` on every matrix of the `f64` stack `a` (`(..., m, m)`, `m ≤` [`SMALL_LU`],
/// finite) with its LU factored into buffers each task reuses ([`SmallLu`]): `body` gets
/// the stack index, the matrix, its factors (`None` when the matrix takes [`linalg`]'s
/// general path: see [`SmallLu::factor`]) and the `per` elements of `out` it writes. In
/// parallel over the stack in tasks of at least [`TASK_WORK`] flops; the first error is
/// returned.
fn small_lu_each<R, F>(
    op: &'static str,
    a: ArrayViewD<'_, f64>,
    m: usize,
    out: &mut [R],
    per: usize,
    body: F,
) -> Result<()>
where
    R: Send,
    F: Fn(usize, ArrayView2<'_, f64>, Option<&SmallLu>, &mut [R]) -> Result<()> + Sync,
{
    let count: usize = batch(a.shape()).iter().product();
    let a3 = a
        .to_shape((count, m, m))
        .map_err(|e| Error::shape(op, e.to_string()))?;
    let a3 = a3.view();
    if out.len() != count * per || per == 0 {
        return Err(Error::shape(
            op,
            format!(
                "{} outputs for {count} matrices of {per} elements",
                out.len()
            ),
        ));
    }
    let min_len = (TASK_WORK / (m * m * m)).max(1);
    out.par_chunks_mut(per)
        .enumerate()
        .with_min_len(min_len)
        .try_for_each_init(
            || SmallLu::new(m),
            |lu, (i, o)| {
                let x = a3.index_axis(Axis(0), i);
                let factored = lu.factor(x);
                body(i, x, factored.then_some(&*lu), o)
            },
        )
}

/// One scalar per matrix of a small `f64` stack (see [`small_lu_each`]): `det`, `slogdet`.
fn small_lu_scalars<R, F>(
    op: &'static str,
    a: ArrayViewD<'_, f64>,
    m: usize,
    f: F,
) -> Result<Vec<R>>
where
    R: Send + Clone + Default,
    F: Fn(ArrayView2<'_, f64>, Option<&SmallLu>) -> Result<R> + Sync,
{
    crate::array::check_finite(op, &a)?;
    let count: usize = batch(a.shape()).iter().product();
    let mut v = vec![R::default(); count];
    small_lu_each(op, a, m, &mut v, 1, |_, x, lu, o| {
        o[0] = f(x, lu)?;
        Ok(())
    })?;
    Ok(v)
}

/// [`inv`] of a non-empty stack of small `f64` matrices: written straight into the result,
/// with no allocation per matrix.
fn inv_small_f64(a: ArrayViewD<'_, f64>, m: usize) -> Result<ArrayD<f64>> {
    const OP: &str = "inv";
    crate::array::check_finite(OP, &a)?;
    let mut out = crate::array::try_zeros(OP, a.shape())?;
    let data = out
        .as_slice_mut()
        .ok_or_else(|| Error::shape(OP, "the result is not contiguous"))?;
    small_lu_each(OP, a, m, data, m * m, |_, x, lu, o| match lu {
        Some(lu) if lu.is_singular() => Err(Error::Singular { op: OP }),
        Some(lu) => {
            lu.inverse_into(o);
            Ok(())
        }
        None => {
            o.iter_mut()
                .zip(linalg::inv(x)?.iter())
                .for_each(|(d, &v)| *d = v);
            Ok(())
        }
    })?;
    Ok(out)
}

/// [`solve`] of a non-empty stack of small `f64` matrices `a` (`(..., m, m)`) against `b`,
/// already broadcast to `a`'s stack: `(count, m, k)` elements in stack order, written as
/// the result of shape `shape` (`k` columns per matrix; `k = 1` for a vector `b`).
fn solve_small_f64(
    a: ArrayViewD<'_, f64>,
    b: ArrayViewD<'_, f64>,
    shape: &[usize],
    m: usize,
    k: usize,
) -> Result<ArrayD<f64>> {
    const OP: &str = "solve";
    crate::array::check_finite(OP, &a)?;
    crate::array::check_finite(OP, &b)?;
    let mut out = crate::array::try_zeros(OP, shape)?;
    if out.is_empty() {
        return Ok(out);
    }
    let count: usize = batch(a.shape()).iter().product();
    let b3 = b
        .to_shape((count, m, k))
        .map_err(|e| Error::shape(OP, e.to_string()))?;
    let b3 = b3.view();
    let data = out
        .as_slice_mut()
        .ok_or_else(|| Error::shape(OP, "the result is not contiguous"))?;
    small_lu_each(OP, a, m, data, m * k, |i, x, lu, o| {
        let bi = b3.index_axis(Axis(0), i);
        match lu {
            Some(lu) if lu.is_singular() => Err(Error::Singular { op: OP }),
            Some(lu) => {
                o.iter_mut().zip(bi.iter()).for_each(|(d, &v)| *d = v);
                lu.solve_in_place(o, k);
                Ok(())
            }
            None => {
                o.iter_mut()
                    .zip(linalg::solve(x, &bi)?.iter())
                    .for_each(|(d, &v)| *d = v);
                Ok(())
            }
        }
    })?;
    Ok(out)
}

/// Sign and log-magnitude of the determinants of a stack (NumPy `linalg.slogdet`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Slogdet<T: Scalar = f64> {
    /// +1, −1, or 0 for a singular matrix (a unit complex number for complex input);
    /// shape: the leading axes.
    pub sign: ArrayD<T>,
    /// `ln |det A|`, −∞ for a singular matrix.
    pub logabsdet: ArrayD<T::Real>,
}

impl<W: Scalar> Slogdet<W> {
    /// Both parts rounded into `T` (see [`widen_single`]).
    fn narrow<T: Scalar>(self) -> Slogdet<T> {
        Slogdet {
            sign: narrow_array(self.sign),
            logabsdet: narrow_array(self.logabsdet),
        }
    }
}

/// [`Slogdet`] of every matrix of a stack `(..., M, M)`: (1, 0) for 0 × 0 matrices.
///
/// # Errors
/// [`Error::Shape`] unless square; [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let s = mlinalg::linalg::stacked::slogdet(array![[0., 1.], [1., 0.]].view().into_dyn())?;
/// assert_eq!(s.sign[[]], -1.0);
/// assert_eq!(s.logabsdet[[]], 0.0);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn slogdet<T: Scalar>(a: ArrayViewD<'_, T>) -> Result<Slogdet<T>> {
    const OP: &str = "slogdet";
    let m = square_dim(OP, a.shape())?;
    // single precision, small: in double (as `linalg::slogdet` of each), rounded once
    return_in_double!(widen_stack(OP, a.view())?, |w| slogdet(w.view())
        .map(Slogdet::narrow));
    let b = batch(a.shape());
    let v = if m == 0 {
        vec![(T::from_f64(1.0), <T::Real as Scalar>::from_f64(0.0)); b.iter().product()]
    } else if let Some(a) = small_f64::<T>(a.view(), m) {
        let v = small_lu_scalars(OP, a, m, |x, lu| match lu {
            Some(lu) if lu.is_singular() => Ok((0.0, f64::NEG_INFINITY)),
            Some(lu) => Ok(lu.slogdet()),
            None => linalg::slogdet(x).map(|s| (s.sign, s.logabsdet)),
        })?;
        crate::scalar::cast(v).expect("T is f64")
    } else {
        map_matrices(OP, a.view(), m * m * m, |x| {
            linalg::slogdet(x).map(|s| (s.sign, s.logabsdet))
        })?
    };
    let (sign, logabsdet): (Vec<T>, Vec<T::Real>) = v.into_iter().unzip();
    Ok(Slogdet {
        sign: stack_scalars(OP, b, sign)?,
        logabsdet: stack_scalars(OP, b, logabsdet)?,
    })
}

/// Which triangle of a Hermitian matrix to read (NumPy's `UPLO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uplo {
    /// The lower triangle (`'L'`, NumPy's default).
    Lower,
    /// The upper triangle (`'U'`).
    Upper,
}

/// The Hermitian matrix whose `uplo` triangle is that of `x`: LAPACK's `syevd`/`heevd`
/// never read the other triangle, nor the imaginary parts of the diagonal.
fn symmetric_from<T: Scalar>(x: ArrayView2<'_, T>, uplo: Uplo) -> Array2<T> {
    let n = x.nrows();
    Array2::from_shape_fn((n, n), |(i, j)| {
        if i == j {
            return T::from_real(x[[i, i]].re());
        }
        match (uplo, i > j) {
            (Uplo::Lower, true) | (Uplo::Upper, false) => x[[i, j]],
            _ => x[[j, i]].conj(),
        }
    })
}

/// Eigen-decompositions of a stack of symmetric matrices.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Eigh<T: Scalar = f64> {
    /// Ascending (real) eigenvalues, `(..., M)`.
    pub eigenvalues: ArrayD<T::Real>,
    /// Orthonormal eigenvectors as columns, `(..., M, M)`.
    pub eigenvectors: ArrayD<T>,
}

/// Eigenvalues and eigenvectors of every symmetric matrix of a stack (NumPy
/// `linalg.eigh`). With `uplo`, only that triangle is read, as NumPy does; with `None`
/// each matrix must be symmetric (within NumPy's `allclose` tolerances).
///
/// # Errors
/// [`Error::Shape`] unless square; [`Error::NotSymmetric`] (only with `uplo = None`);
/// [`Error::NonFinite`]; [`Error::NoConvergence`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::stacked::{eigh, Uplo};
/// // Only the lower triangle is read.
/// let f = eigh(array![[0f64, 99.], [1., 0.]].view().into_dyn(), Some(Uplo::Lower))?;
/// assert!((f.eigenvalues[[0]] + 1.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn eigh<T: Scalar>(a: ArrayViewD<'_, T>, uplo: Option<Uplo>) -> Result<Eigh<T>> {
    const OP: &str = "eigh";
    let m = square_dim(OP, a.shape())?;
    let b = batch(a.shape());
    if a.is_empty() {
        return Ok(Eigh {
            eigenvalues: ArrayD::zeros(IxDyn(&concat(b, &[m]))),
            eigenvectors: ArrayD::zeros(a.raw_dim()),
        });
    }
    let parts = map_matrices(OP, a.view(), 9 * m * m * m, |x| match uplo {
        Some(u) => linalg::eigh(symmetric_from(x, u).view()),
        None => linalg::eigh(x),
    })?;
    let (w, v): (Vec<_>, Vec<_>) = parts
        .into_iter()
        .map(|e| (e.eigenvalues, e.eigenvectors))
        .unzip();
    Ok(Eigh {
        eigenvalues: stack_parts(OP, b, &[m], w)?,
        eigenvectors: stack_parts(OP, b, &[m, m], v)?,
    })
}

/// Ascending eigenvalues of every symmetric matrix of a stack (NumPy `linalg.eigvalsh`);
/// `uplo` as in [`eigh`].
///
/// # Errors
/// As [`eigh`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::stacked::{eigvalsh, Uplo};
/// let w = eigvalsh(array![[0f64, 1.], [0., 0.]].view().into_dyn(), Some(Uplo::Upper))?;
/// assert!((w[[1]] - 1.0).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn eigvalsh<T: Scalar>(a: ArrayViewD<'_, T>, uplo: Option<Uplo>) -> Result<ArrayD<T::Real>> {
    const OP: &str = "eigvalsh";
    let m = square_dim(OP, a.shape())?;
    let b = batch(a.shape());
    if a.is_empty() {
        return Ok(ArrayD::zeros(IxDyn(&concat(b, &[m]))));
    }
    let parts = map_matrices(OP, a.view(), 4 * m * m * m, |x| match uplo {
        Some(u) => linalg::eigvalsh(symmetric_from(x, u).view()),
        None => linalg::eigvalsh(x),
    })?;
    stack_parts(OP, b, &[m], parts)
}

/// Eigenvalues and eigenvectors of a stack of general matrices (NumPy `linalg.eig`): real
/// arrays when every eigenvalue of every matrix is real, complex arrays otherwise (NumPy's
/// dtype switch).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Eig<T: Scalar = f64> {
    /// Real input and all eigenvalues real.
    Real {
        /// `(..., M)`.
        eigenvalues: ArrayD<T::Real>,
        /// Unit-norm columns, `(..., M, M)`.
        eigenvectors: ArrayD<T::Real>,
    },
    /// Complex input, or some eigenvalue complex.
    Complex {
        /// `(..., M)`.
        eigenvalues: ArrayD<ComplexOf<T>>,
        /// Unit-norm columns, `(..., M, M)`.
        eigenvectors: ArrayD<ComplexOf<T>>,
    },
}

/// [`Eig`] of every matrix of a stack `(..., M, M)`.
///
/// # Errors
/// [`Error::Shape`] unless square; [`Error::NonFinite`]; [`Error::NoConvergence`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::stacked::{eig, Eig};
/// let f = eig(array![[0., -1.], [1., 0.]].view().into_dyn())?;
/// assert!(matches!(f, Eig::Complex { .. }));
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn eig<T: Scalar>(a: ArrayViewD<'_, T>) -> Result<Eig<T>> {
    const OP: &str = "eig";
    let m = square_dim(OP, a.shape())?;
    let b = batch(a.shape());
    if a.is_empty() {
        // NumPy: real input gives real (empty) arrays, complex input complex ones.
        return Ok(if T::IS_COMPLEX {
            Eig::Complex {
                eigenvalues: ArrayD::zeros(IxDyn(&concat(b, &[m]))),
                eigenvectors: ArrayD::zeros(a.raw_dim()),
            }
        } else {
            Eig::Real {
                eigenvalues: ArrayD::zeros(IxDyn(&concat(b, &[m]))),
                eigenvectors: ArrayD::zeros(a.raw_dim()),
            }
        });
    }
    let parts = map_matrices(OP, a.view(), 25 * m * m * m, linalg::eig)?;
    if parts.iter().all(linalg::Eig::is_real) {
        let (w, v): (Vec<_>, Vec<_>) = parts
            .into_iter()
            .filter_map(|e| match e {
                linalg::Eig::Real {
                    eigenvalues,
                    eigenvectors,
                } => Some((eigenvalues, eigenvectors)),
                _ => None,
            })
            .unzip();
        Ok(Eig::Real {
            eigenvalues: stack_parts(OP, b, &[m], w)?,
            eigenvectors: stack_parts(OP, b, &[m, m], v)?,
        })
    } else {
        let (w, v): (Vec<_>, Vec<_>) = parts
            .iter()
            .map(|e| (e.eigenvalues_complex(), e.eigenvectors_complex()))
            .unzip();
        Ok(Eig::Complex {
            eigenvalues: stack_parts(OP, b, &[m], w)?,
            eigenvectors: stack_parts(OP, b, &[m, m], v)?,
        })
    }
}

/// Singular value decompositions of a stack.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Svd<T: Scalar = f64> {
    /// Left singular vectors, `(..., M, K)` (`(..., M, M)` when full).
    pub u: ArrayD<T>,
    /// Singular values, descending, `(..., K)` with `K = min(M, N)`.
    pub s: ArrayD<T::Real>,
    /// Right singular vectors as rows (`Vᴴ`), `(..., K, N)` (`(..., N, N)` when full).
    pub vt: ArrayD<T>,
}

/// [`Svd`] of every matrix of a stack `(..., M, N)` (NumPy `linalg.svd`). An empty matrix
/// gives identity factors where NumPy does: `u = I₄` for a full SVD of a 4 × 0 matrix.
///
/// # Errors
/// [`Error::Shape`] for fewer than two axes; [`Error::NonFinite`]; [`Error::NoConvergence`].
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// let f = mlinalg::linalg::stacked::svd(Array2::<f64>::zeros((4, 0)).view().into_dyn(), true)?;
/// assert_eq!(f.u, ndarray::Array2::<f64>::eye(4).into_dyn());
/// assert_eq!(f.s.shape(), &[0]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn svd<T: Scalar>(a: ArrayViewD<'_, T>, full_matrices: bool) -> Result<Svd<T>> {
    const OP: &str = "svd";
    let (m, n) = matrix_dims(OP, a.shape())?;
    let b = batch(a.shape());
    let k = m.min(n);
    let (ucols, vrows) = if full_matrices { (m, n) } else { (k, k) };
    if a.is_empty() {
        // NumPy: the factors of an empty matrix are identities (or empty).
        let u = if full_matrices {
            eye_stack(b, m)
        } else {
            ArrayD::zeros(IxDyn(&concat(b, &[m, k])))
        };
        let vt = if full_matrices {
            eye_stack(b, n)
        } else {
            ArrayD::zeros(IxDyn(&concat(b, &[k, n])))
        };
        return Ok(Svd {
            u,
            s: ArrayD::zeros(IxDyn(&concat(b, &[k]))),
            vt,
        });
    }
    let parts = map_matrices(OP, a.view(), 12 * m * n * k, |x| {
        linalg::svd(x, full_matrices)
    })?;
    let mut us = Vec::with_capacity(parts.len());
    let mut ss = Vec::with_capacity(parts.len());
    let mut vs = Vec::with_capacity(parts.len());
    for f in parts {
        us.push(f.u);
        ss.push(f.s);
        vs.push(f.vt);
    }
    Ok(Svd {
        u: stack_parts(OP, b, &[m, ucols], us)?,
        s: stack_parts(OP, b, &[k], ss)?,
        vt: stack_parts(OP, b, &[vrows, n], vs)?,
    })
}

/// Singular values (descending) of every matrix of a stack (NumPy `linalg.svdvals`).
///
/// # Errors
/// As [`svd`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let s = mlinalg::linalg::stacked::svdvals(array![[3., 0.], [0., -4.]].view().into_dyn())?;
/// assert_eq!(s, array![4., 3.].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn svdvals<T: Scalar>(a: ArrayViewD<'_, T>) -> Result<ArrayD<T::Real>> {
    const OP: &str = "svdvals";
    let (m, n) = matrix_dims(OP, a.shape())?;
    let b = batch(a.shape());
    let k = m.min(n);
    if a.is_empty() {
        return Ok(ArrayD::zeros(IxDyn(&concat(b, &[k]))));
    }
    let parts = map_matrices(OP, a.view(), 4 * m * n * k, linalg::svdvals)?;
    stack_parts(OP, b, &[k], parts)
}

/// QR decompositions of a stack.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Qr<T: Scalar = f64> {
    /// Orthonormal columns, `(..., M, K)` (`(..., M, M)` complete).
    pub q: ArrayD<T>,
    /// Upper triangular, `(..., K, N)` (`(..., M, N)` complete).
    pub r: ArrayD<T>,
}

/// [`Qr`] of every matrix of a stack `(..., M, N)` (NumPy `linalg.qr`, modes `reduced`
/// and `complete`; mode `r` is this `r`).
///
/// # Errors
/// [`Error::Shape`] for fewer than two axes; [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// use mlinalg::linalg::{QrMode, stacked};
/// let f = stacked::qr(Array2::<f64>::zeros((3, 0)).view().into_dyn(), QrMode::Complete)?;
/// assert_eq!(f.q, Array2::<f64>::eye(3).into_dyn());
/// assert_eq!(f.r.shape(), &[3, 0]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn qr<T: Scalar>(a: ArrayViewD<'_, T>, mode: QrMode) -> Result<Qr<T>> {
    const OP: &str = "qr";
    let (m, n) = matrix_dims(OP, a.shape())?;
    let b = batch(a.shape());
    let k = m.min(n);
    let complete = matches!(mode, QrMode::Complete);
    let qcols = if complete { m } else { k };
    if a.is_empty() {
        let q = if complete {
            eye_stack(b, m)
        } else {
            ArrayD::zeros(IxDyn(&concat(b, &[m, k])))
        };
        return Ok(Qr {
            q,
            r: ArrayD::zeros(IxDyn(&concat(b, &[qcols, n]))),
        });
    }
    let parts = map_matrices(OP, a.view(), 4 * m * n * k, |x| linalg::qr(x, mode))?;
    let (qs, rs): (Vec<_>, Vec<_>) = parts.into_iter().map(|f| (f.q, f.r)).unzip();
    Ok(Qr {
        q: stack_parts(OP, b, &[m, qcols], qs)?,
        r: stack_parts(OP, b, &[qcols, n], rs)?,
    })
}

/// NumPy's `qr(a, mode='raw')`: LAPACK `geqrf`'s output `(h, tau)`. `h` is `(..., N, M)`
/// (the Fortran-ordered factor as NumPy returns it, i.e. transposed): its upper triangle
/// (in `hᵀ`) is R and below it are the Householder vectors; `tau` is `(..., K)`.
///
/// # Errors
/// [`Error::Shape`] for fewer than two axes; [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let (h, tau) = mlinalg::linalg::stacked::qr_raw(array![[3., 1.], [4., 2.], [0., 5.]].view().into_dyn())?;
/// assert_eq!(h.shape(), &[2, 3]);
/// assert_eq!(tau.shape(), &[2]);
/// assert!((h[[0, 0]].abs() - 5.0).abs() < 1e-12); // |R₀₀| = ‖first column‖
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn qr_raw(a: ArrayViewD<'_, f64>) -> Result<(ArrayD<f64>, ArrayD<f64>)> {
    const OP: &str = "qr";
    let (m, n) = matrix_dims(OP, a.shape())?;
    let b = batch(a.shape());
    let k = m.min(n);
    if a.is_empty() {
        return Ok((
            ArrayD::zeros(IxDyn(&concat(b, &[n, m]))),
            ArrayD::zeros(IxDyn(&concat(b, &[k]))),
        ));
    }
    crate::array::check_finite(OP, &a)?;
    let parts = map_matrices(OP, a.view(), 4 * m * n * k, |x| Ok(geqr2(x)))?;
    let (hs, ts): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
    Ok((
        stack_parts(OP, b, &[n, m], hs)?,
        stack_parts(OP, b, &[k], ts)?,
    ))
}

/// LAPACK's unblocked Householder QR (`dgeqr2`): returns `(hᵀ, tau)`, with `H(i) = I −
/// τ v vᵀ`, `v[i] = 1` implicit.
fn geqr2(x: ArrayView2<'_, f64>) -> (Array2<f64>, Array1<f64>) {
    let (m, n) = x.dim();
    let k = m.min(n);
    let mut a = x.to_owned();
    let mut tau = Array1::zeros(k);
    for i in 0..k {
        let alpha = a[[i, i]];
        let xnorm = crate::vector::l2_iter((i + 1..m).map(|r| a[[r, i]]));
        if xnorm == 0.0 {
            continue;
        }
        let beta = -alpha.signum() * alpha.hypot(xnorm);
        let t = (beta - alpha) / beta;
        let scale = 1.0 / (alpha - beta);
        for r in i + 1..m {
            a[[r, i]] *= scale;
        }
        a[[i, i]] = beta;
        tau[i] = t;
        // Apply H(i) to the trailing columns: A ← A − τ v (vᵀ A).
        for j in i + 1..n {
            let mut w = a[[i, j]];
            for r in i + 1..m {
                w += a[[r, i]] * a[[r, j]];
            }
            w *= t;
            a[[i, j]] -= w;
            for r in i + 1..m {
                let vr = a[[r, i]];
                a[[r, j]] -= w * vr;
            }
        }
    }
    (a.reversed_axes().as_standard_layout().into_owned(), tau)
}

/// Cholesky factor of every matrix of a stack (NumPy `linalg.cholesky`): lower `L` with
/// `A = L Lᵀ`, or with `upper` the upper `U = Lᵀ` with `A = Uᵀ U`.
///
/// # Errors
/// [`Error::Shape`] unless square; [`Error::NotPositiveDefinite`]; [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let u = mlinalg::linalg::stacked::cholesky(array![[4., 2.], [2., 5.]].view().into_dyn(), true)?;
/// assert_eq!(u, array![[2., 1.], [0., 2.]].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn cholesky<T: Scalar>(a: ArrayViewD<'_, T>, upper: bool) -> Result<ArrayD<T>> {
    const OP: &str = "cholesky";
    let m = square_dim(OP, a.shape())?;
    if a.is_empty() {
        return Ok(ArrayD::zeros(a.raw_dim()));
    }
    if let Some(a) = crate::scalar::cast_view::<T, f64, _>(a.view()) {
        let out = cholesky_stack_f64(a, m, upper)?;
        return Ok(crate::scalar::cast(out).expect("T is f64"));
    }
    let parts = map_matrices(OP, a.view(), m * m * m, |x| {
        let l = linalg::cholesky(x)?;
        // U = Lᴴ, so that A = Uᴴ U.
        Ok(if upper { l.t().mapv(Scalar::conj) } else { l })
    })?;
    stack_parts(OP, batch(a.shape()), &[m, m], parts)
}

/// [`cholesky`] of a non-empty `f64` stack: one C-order copy of the whole stack, each
/// matrix factored in place by the kernels' Cholesky (its unblocked leaf for small
/// matrices) and, for `upper`, transposed in place; in parallel over the stack in tasks of
/// at least [`TASK_WORK`] flops. No allocation per matrix: a stack of 10⁵ 4 × 4 matrices
/// is dominated by the per-matrix overhead otherwise.
fn cholesky_stack_f64(a: ArrayViewD<'_, f64>, m: usize, upper: bool) -> Result<ArrayD<f64>> {
    const OP: &str = "cholesky";
    if let Some(src) = a.as_slice() {
        return cholesky_stack_contiguous(a.view(), src, m, upper);
    }
    crate::array::check_finite(OP, &a)?;
    let mut out = crate::array::try_zeros(OP, a.shape())?;
    out.assign(&a);
    let data = out
        .as_slice_mut()
        .ok_or_else(|| Error::shape(OP, "the copy of the stack is not contiguous"))?;
    let min_len = (TASK_WORK / (m * m * m).max(1)).max(1);
    data.par_chunks_mut(m * m)
        .with_min_len(min_len)
        .try_for_each(|c| {
            let mut x = ndarray::ArrayViewMut2::from_shape((m, m), c)
                .map_err(|e| Error::shape(OP, e.to_string()))?;
            crate::kernels::cholesky::cholesky_in_place(&mut x)
                .map_err(|_| Error::NotPositiveDefinite { op: OP })?;
            if upper {
                // U = Lᵀ: the strict upper triangle is zero, so a swap across the diagonal
                for i in 0..m {
                    for j in i + 1..m {
                        c.swap(i * m + j, j * m + i);
                    }
                }
            }
            Ok(())
        })?;
    Ok(out)
}

/// [`cholesky_stack_f64`] of a C-contiguous stack: each task copies its matrices into the
/// (uninitialised) result, checks them finite and factors them, so the copy, the check
/// and the first touch of the result's pages run in parallel too, in one pass over the
/// data instead of three serial ones before the factorizations. Matrices of order ≤ 32 go
/// through the kernel eight at a time, one per vector lane
/// ([`cholesky_lanes`](crate::kernels::cholesky::cholesky_lanes)), with the results of each
/// matrix alone.
fn cholesky_stack_contiguous(
    a: ArrayViewD<'_, f64>,
    src: &[f64],
    m: usize,
    upper: bool,
) -> Result<ArrayD<f64>> {
    const OP: &str = "cholesky";
    use crate::kernels::cholesky::{LANE_MAX, LANES, cholesky_lanes};
    let total = src.len();
    let mut v = crate::array::try_vec_uninit(OP, total)?;
    // Orders up to LANE_MAX: groups of LANES matrices, each lane of the kernel's vectors a
    // matrix (the results of each matrix alone, bit for bit); the last, smaller group and
    // larger orders one matrix at a time.
    let group = if m <= LANE_MAX { LANES } else { 1 };
    let min_len = (TASK_WORK / (group * m * m * m).max(1)).max(1);
    let ok = v.spare_capacity_mut()[..total]
        .par_chunks_mut(group * m * m)
        .zip(src.par_chunks(group * m * m))
        .with_min_len(min_len)
        .all(|(d, s)| {
            if group > 1 && s.len() == group * m * m {
                return crate::array::all_finite(s) && cholesky_lanes(s, d, m, upper);
            }
            d.chunks_mut(m * m)
                .zip(s.chunks(m * m))
                .all(|(d, s)| factor_one(d, s, m, upper))
        });
    if !ok {
        // The error the serial order gives: a non-finite value anywhere first.
        crate::array::check_finite(OP, &a)?;
        return Err(Error::NotPositiveDefinite { op: OP });
    }
    // SAFETY: `all` returned true, so every chunk of the `total` elements was written.
    unsafe { v.set_len(total) };
    ArrayD::from_shape_vec(IxDyn(a.shape()), v).map_err(|e| Error::shape(OP, e.to_string()))
}

/// One matrix of [`cholesky_stack_contiguous`]: copied from `s` into `d`, checked finite,
/// factored in place (and transposed for `upper`); `false` on a non-finite value or a
/// matrix that is not positive definite.
fn factor_one(d: &mut [std::mem::MaybeUninit<f64>], s: &[f64], m: usize, upper: bool) -> bool {
    for (d, &s) in d.iter_mut().zip(s) {
        d.write(s);
    }
    // SAFETY: every element of `d` was written just above; `MaybeUninit<f64>` and `f64`
    // have the same layout.
    let c = unsafe { &mut *(std::ptr::from_mut(d) as *mut [f64]) };
    if !crate::array::all_finite(c) {
        return false;
    }
    let Ok(mut x) = ndarray::ArrayViewMut2::from_shape((m, m), &mut *c) else {
        return false;
    };
    if crate::kernels::cholesky::cholesky_in_place(&mut x).is_err() {
        return false;
    }
    if upper {
        // U = Lᵀ: the strict upper triangle is zero, so a swap across the diagonal
        for i in 0..m {
            for j in i + 1..m {
                c.swap(i * m + j, j * m + i);
            }
        }
    }
    true
}

/// Condition number of every matrix of a stack (NumPy `linalg.cond`): `p = None`, ±2 from
/// the singular values (any shape); 1, −1, ±∞, `fro` as `‖A‖ ‖A⁻¹‖` (square only). A
/// singular matrix has condition number ∞.
///
/// # Errors
/// [`Error::Shape`]; [`Error::Empty`] for empty matrices (NumPy raises); [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::{NormOrd, stacked};
/// let c = stacked::cond(array![[1., 0.], [0., 0.]].view().into_dyn(), Some(NormOrd::P(1.0)))?;
/// assert_eq!(c[[]], f64::INFINITY);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn cond<T: Scalar>(a: ArrayViewD<'_, T>, p: Option<NormOrd>) -> Result<ArrayD<T::Real>> {
    const OP: &str = "cond";
    let (m, n) = matrix_dims(OP, a.shape())?;
    let svd_based = matches!(p, None | Some(NormOrd::P(2.0)) | Some(NormOrd::P(-2.0)));
    if !svd_based {
        square_dim(OP, a.shape())?;
    }
    if m == 0 || n == 0 {
        return Err(Error::Empty {
            op: OP,
            detail: format!(
                "shape {}: the condition number of an empty matrix is undefined",
                fmt_shape(a.shape())
            ),
        });
    }
    let b = batch(a.shape());
    if b.iter().product::<usize>() == 0 {
        return Ok(ArrayD::zeros(IxDyn(b)));
    }
    let v = map_matrices(OP, a.view(), 8 * m * n * m.min(n), |x| linalg::cond(x, p))?;
    stack_scalars(OP, b, v)
}

/// Pseudo-inverse of every matrix of a stack (NumPy `linalg.pinv`): `(..., M, N)` →
/// `(..., N, M)`; singular values at or below `rcond · σ_max` are dropped (`rcond`
/// defaults to NumPy's `1e-15`).
///
/// # Errors
/// [`Error::Shape`] for fewer than two axes; [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// let p = mlinalg::linalg::stacked::pinv(array![[2., 0.], [0., 0.]].view().into_dyn(), None)?;
/// assert_eq!(p, array![[0.5, 0.], [0., 0.]].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn pinv<T: Scalar>(a: ArrayViewD<'_, T>, rcond: Option<f64>) -> Result<ArrayD<T>> {
    const OP: &str = "pinv";
    let (m, n) = matrix_dims(OP, a.shape())?;
    let b = batch(a.shape());
    if a.is_empty() {
        return Ok(ArrayD::zeros(IxDyn(&concat(b, &[n, m]))));
    }
    let parts = map_matrices(OP, a.view(), 14 * m * n * m.min(n), |x| {
        linalg::pinv(x, rcond)
    })?;
    stack_parts(OP, b, &[n, m], parts)
}

/// Rank of every matrix of a stack (NumPy `linalg.matrix_rank`): the number of singular
/// values above `tol`, or above `rtol · σ_max` (default `rtol = max(M, N) · ε`). An empty
/// matrix has rank 0.
///
/// # Errors
/// [`Error::Shape`] for fewer than two axes; [`Error::NonFinite`].
///
/// # Examples
/// ```
/// use ndarray::{array, Array3};
/// let mut a = Array3::<f64>::zeros((2, 2, 2));
/// a[[0, 0, 0]] = 1.0;
/// let r = mlinalg::linalg::stacked::matrix_rank(a.view().into_dyn(), None, None)?;
/// assert_eq!(r, array![1, 0].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn matrix_rank<T: Scalar>(
    a: ArrayViewD<'_, T>,
    tol: Option<f64>,
    rtol: Option<f64>,
) -> Result<ArrayD<usize>> {
    const OP: &str = "matrix_rank";
    let (m, n) = matrix_dims(OP, a.shape())?;
    let b = batch(a.shape());
    if a.is_empty() {
        return Ok(ArrayD::zeros(IxDyn(b)));
    }
    let v = map_matrices(OP, a.view(), 4 * m * n * m.min(n), |x| {
        let s = linalg::svdvals(x)?;
        let smax = s.iter().map(|v| v.to_f64()).fold(0.0, f64::max);
        // NumPy: tol = S.max() · rtol with rtol = max(M, N) · ε (of the input's precision)
        // unless given.
        let eps = T::eps().to_f64();
        let tol = tol.unwrap_or_else(|| smax * rtol.unwrap_or(m.max(n) as f64 * eps));
        Ok(s.iter().filter(|v| v.to_f64() > tol).count())
    })?;
    stack_scalars(OP, b, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, array};

    #[test]
    fn eye_stack_fills_every_diagonal() {
        let e = eye_stack::<f64>(&[2], 3);
        assert_eq!(e.shape(), &[2, 3, 3]);
        for k in 0..2 {
            for i in 0..3 {
                for j in 0..3 {
                    assert_eq!(e[[k, i, j]], f64::from(u8::from(i == j)));
                }
            }
        }
    }

    #[test]
    fn geqr2_reconstructs() {
        let a = array![[1., 2.], [3., 4.], [5., 6.]];
        let (h, tau) = geqr2(a.view());
        let h = h.reversed_axes();
        // Q = H(0) H(1); A = Q R.
        let mut q = Array2::<f64>::eye(3);
        for i in (0..2).rev() {
            let mut v = Array1::<f64>::zeros(3);
            v[i] = 1.0;
            for r in i + 1..3 {
                v[r] = h[[r, i]];
            }
            let hv = Array2::<f64>::eye(3)
                - tau[i]
                    * v.view()
                        .insert_axis(Axis(1))
                        .dot(&v.view().insert_axis(Axis(0)));
            q = hv.dot(&q);
        }
        let mut r = Array2::<f64>::zeros((3, 2));
        for i in 0..2 {
            for j in i..2 {
                r[[i, j]] = h[[i, j]];
            }
        }
        let back = q.dot(&r);
        for (x, y) in back.iter().zip(a.iter()) {
            assert!((x - y).abs() < 1e-12, "{back}");
        }
    }

    #[test]
    fn large_stacks_match_one_by_one() {
        let a = Array3::from_shape_fn((3000, 2, 2), |(k, i, j)| {
            (k as f64 + 1.0) * if i == j { 2.0 } else { 0.5 }
        });
        let ai = inv(a.view().into_dyn()).unwrap();
        for k in [0, 1234, 2999] {
            let one = linalg::inv(a.index_axis(Axis(0), k)).unwrap();
            assert_eq!(ai.index_axis(Axis(0), k), one.into_dyn());
        }
    }
}
