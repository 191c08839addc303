//! NumPy's products and tensor routines of `numpy.linalg`: [`matrix_power`], [`multi_dot`],
//! [`tensordot`], [`tensorsolve`], [`tensorinv`], [`cross`], [`diagonal`], [`trace`].
//!
//! All take arrays of any dimension with NumPy's shape rules and return owned arrays.

use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewD, Axis, Ix2, IxDyn};

use crate::array::fmt_shape;
use crate::error::{Error, Result};
use crate::linalg::stacked;
use crate::scalar::Scalar;

/// `a` raised to the integer power `n` for every matrix of a stack `(..., M, M)` (NumPy
/// `linalg.matrix_power`): `n = 0` gives identities, `n < 0` powers of the inverse. Uses
/// binary powering (squarings and products, about 2·log₂|n| matrix products), as NumPy.
///
/// # Errors
/// [`Error::Shape`] unless the last two axes are square; [`Error::Singular`] for `n < 0`
/// and a singular matrix.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::matrix_power;
/// let shift = array![[0., 1.], [1., 0.]];
/// assert_eq!(matrix_power(shift.view().into_dyn(), (1 << 100) + 1)?, shift.clone().into_dyn());
/// let a = array![[2., 0.], [0., 4.]];
/// assert_eq!(matrix_power(a.view().into_dyn(), -1)?, array![[0.5, 0.], [0., 0.25]].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn matrix_power<T: Scalar>(a: ArrayViewD<'_, T>, n: i128) -> Result<ArrayD<T>> {
    const OP: &str = "matrix_power";
    let m = stacked::square_dim(OP, a.shape())?;
    if n == 0 {
        let b = &a.shape()[..a.ndim() - 2];
        return Ok(stacked::eye_stack(b, m));
    }
    let base = if n < 0 {
        stacked::inv(a)?
    } else {
        a.to_owned()
    };
    let mut e = n.unsigned_abs();
    if e == 1 {
        return Ok(base);
    }
    let mul = |x: &ArrayD<T>, y: &ArrayD<T>| crate::ops::matmul(x.view(), y.view());
    // Binary powering, least significant bit first (NumPy's loop).
    let mut z: Option<ArrayD<T>> = None;
    let mut result: Option<ArrayD<T>> = None;
    while e > 0 {
        let next = match &z {
            None => base.clone(),
            Some(z) => mul(z, z)?,
        };
        if e & 1 == 1 {
            result = Some(match result {
                None => next.clone(),
                Some(r) => mul(&r, &next)?,
            });
        }
        z = Some(next);
        e >>= 1;
    }
    // `e ≥ 2` here, so the loop ran and set a bit at least once.
    result.ok_or_else(|| Error::shape(OP, "empty exponent"))
}

/// The product of a chain of matrices in the cheapest order (NumPy `linalg.multi_dot`).
/// The first array may be a vector (a row), the last a vector (a column); the others are
/// matrices. The result drops the axes of vector ends: a vector, or a 0-d scalar when both
/// ends are vectors.
///
/// # Errors
/// [`Error::Shape`] for fewer than two arrays, a middle array that is not 2-d, or inner
/// dimensions that differ.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::multi_dot;
/// let a = array![1., 2.];
/// let b = array![[1., 0.], [0., 1.]];
/// let c = array![3., 4.];
/// let p = multi_dot(&[a.view().into_dyn(), b.view().into_dyn(), c.view().into_dyn()])?;
/// assert_eq!(p[[]], 11.0);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn multi_dot<T: Scalar>(arrays: &[ArrayViewD<'_, T>]) -> Result<ArrayD<T>> {
    const OP: &str = "multi_dot";
    let n = arrays.len();
    if n < 2 {
        return Err(Error::shape(
            OP,
            format!("Expecting at least two arrays, got {n}"),
        ));
    }
    let first_vec = arrays[0].ndim() == 1;
    let last_vec = arrays[n - 1].ndim() == 1;
    let mut mats: Vec<ArrayView2<'_, T>> = Vec::with_capacity(n);
    for (i, a) in arrays.iter().enumerate() {
        let v = if i == 0 && first_vec {
            a.view().insert_axis(Axis(0))
        } else if i == n - 1 && last_vec {
            a.view().insert_axis(Axis(1))
        } else {
            a.view()
        };
        let v = v.into_dimensionality::<Ix2>().map_err(|_| {
            Error::shape(
                OP,
                format!(
                    "array {i} is {}-dimensional (shape {}); every array but the first and \
                     last must be two-dimensional",
                    a.ndim(),
                    fmt_shape(a.shape())
                ),
            )
        })?;
        mats.push(v);
    }
    for i in 1..n {
        if mats[i - 1].ncols() != mats[i].nrows() {
            return Err(Error::shape(
                OP,
                format!(
                    "shapes {} (array {}) and {} (array {i}) not aligned: {} != {}",
                    fmt_shape(arrays[i - 1].shape()),
                    i - 1,
                    fmt_shape(arrays[i].shape()),
                    mats[i - 1].ncols(),
                    mats[i].nrows()
                ),
            ));
        }
    }
    let order = chain_order(&mats);
    let prod = chain_product(&mats, &order, 0, n - 1)?;
    let mut out = prod.into_dyn();
    if last_vec {
        let last = out.ndim() - 1;
        out = out.index_axis_move(Axis(last), 0);
    }
    if first_vec {
        out = out.index_axis_move(Axis(0), 0);
    }
    Ok(out)
}

/// The split points `s[i][j]` of the cheapest parenthesisation of the chain (Cormen's
/// dynamic programme, as NumPy's `_multi_dot_matrix_chain_order`).
fn chain_order<T>(mats: &[ArrayView2<'_, T>]) -> Vec<Vec<usize>> {
    let n = mats.len();
    let p: Vec<f64> = std::iter::once(mats[0].nrows() as f64)
        .chain(mats.iter().map(|m| m.ncols() as f64))
        .collect();
    let mut cost = vec![vec![0.0f64; n]; n];
    let mut split = vec![vec![0usize; n]; n];
    for l in 1..n {
        for i in 0..n - l {
            let j = i + l;
            cost[i][j] = f64::INFINITY;
            for k in i..j {
                let q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1];
                if q < cost[i][j] {
                    cost[i][j] = q;
                    split[i][j] = k;
                }
            }
        }
    }
    split
}

/// The product of `mats[i..=j]` in the order of `split`.
fn chain_product<T: Scalar>(
    mats: &[ArrayView2<'_, T>],
    split: &[Vec<usize>],
    i: usize,
    j: usize,
) -> Result<Array2<T>> {
    if i == j {
        return Ok(mats[i].to_owned());
    }
    let k = split[i][j];
    let left = chain_product(mats, split, i, k)?;
    let right = chain_product(mats, split, k + 1, j)?;
    crate::ops::matmul_2d(left.view(), right.view())
}

/// Normalises a possibly negative axis of an `ndim`-dimensional array (NumPy's
/// `AxisError` message otherwise).
pub(crate) fn normalize_axis(op: &'static str, axis: isize, ndim: usize) -> Result<usize> {
    let n = ndim as isize;
    if axis < -n || axis >= n {
        return Err(Error::shape(
            op,
            format!("axis {axis} is out of bounds for array of dimension {ndim}"),
        ));
    }
    Ok(if axis < 0 {
        (axis + n) as usize
    } else {
        axis as usize
    })
}

/// Which axes [`tensordot`] sums over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TensordotAxes {
    /// The last `n` axes of `a` with the first `n` of `b`.
    Count(usize),
    /// These axes of `a` with these of `b`, pairwise (negative values count from the end).
    Pairs(Vec<isize>, Vec<isize>),
}

/// The tensor dot product (NumPy `tensordot`, also `linalg.tensordot`): sums products over
/// the given axes; the result has `a`'s remaining axes, then `b`'s.
///
/// # Errors
/// [`Error::Shape`] for axes out of bounds, lists of different lengths or summed axes of
/// different lengths.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::{tensordot, TensordotAxes};
/// let x = array![[0., 1., 2.], [3., 4., 5.]];
/// let t = tensordot(x.view().into_dyn(), x.view().into_dyn(), &TensordotAxes::Count(2))?;
/// assert_eq!(t[[]], 55.0);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn tensordot<T: Scalar>(
    a: ArrayViewD<'_, T>,
    b: ArrayViewD<'_, T>,
    axes: &TensordotAxes,
) -> Result<ArrayD<T>> {
    const OP: &str = "tensordot";
    let (axa, axb): (Vec<isize>, Vec<isize>) = match axes {
        TensordotAxes::Count(n) => {
            let n = *n as isize;
            if n as usize > a.ndim() || n as usize > b.ndim() {
                return Err(Error::shape(
                    OP,
                    format!(
                        "cannot sum over {n} axes of arrays of shapes {} and {}",
                        fmt_shape(a.shape()),
                        fmt_shape(b.shape())
                    ),
                ));
            }
            ((-n..0).collect(), (0..n).collect())
        }
        TensordotAxes::Pairs(x, y) => (x.clone(), y.clone()),
    };
    if axa.len() != axb.len() {
        return Err(Error::shape(
            OP,
            format!(
                "shape-mismatch for sum: {} axes of a, {} of b",
                axa.len(),
                axb.len()
            ),
        ));
    }
    let axa: Vec<usize> = axa
        .iter()
        .map(|&k| normalize_axis(OP, k, a.ndim()))
        .collect::<Result<_>>()?;
    let axb: Vec<usize> = axb
        .iter()
        .map(|&k| normalize_axis(OP, k, b.ndim()))
        .collect::<Result<_>>()?;
    for (&i, &j) in axa.iter().zip(&axb) {
        if a.shape()[i] != b.shape()[j] {
            return Err(Error::shape(
                OP,
                format!(
                    "shape-mismatch for sum: axis {i} of {} has {} elements, axis {j} of {} \
                     has {}",
                    fmt_shape(a.shape()),
                    a.shape()[i],
                    fmt_shape(b.shape()),
                    b.shape()[j]
                ),
            ));
        }
    }
    let keep_a: Vec<usize> = (0..a.ndim()).filter(|k| !axa.contains(k)).collect();
    let keep_b: Vec<usize> = (0..b.ndim()).filter(|k| !axb.contains(k)).collect();
    let sum_len: usize = axa.iter().map(|&k| a.shape()[k]).product();
    let rows: usize = keep_a.iter().map(|&k| a.shape()[k]).product();
    let cols: usize = keep_b.iter().map(|&k| b.shape()[k]).product();
    let perm_a: Vec<usize> = keep_a.iter().chain(&axa).copied().collect();
    let perm_b: Vec<usize> = axb.iter().chain(&keep_b).copied().collect();
    let at = a.view().permuted_axes(IxDyn(&perm_a));
    let bt = b.view().permuted_axes(IxDyn(&perm_b));
    let at = at
        .to_shape((rows, sum_len))
        .map_err(|e| Error::shape(OP, e.to_string()))?;
    let bt = bt
        .to_shape((sum_len, cols))
        .map_err(|e| Error::shape(OP, e.to_string()))?;
    let prod = at.dot(&bt);
    let shape: Vec<usize> = keep_a
        .iter()
        .map(|&k| a.shape()[k])
        .chain(keep_b.iter().map(|&k| b.shape()[k]))
        .collect();
    prod.into_shape_with_order(IxDyn(&shape))
        .map_err(|e| Error::shape(OP, e.to_string()))
}

/// Solves the tensor equation `tensordot(a, x, x.ndim) = b` for `x` (NumPy
/// `linalg.tensorsolve`). `axes` are moved to the end of `a` first. `x` has shape
/// `a.shape[b.ndim:]`.
///
/// # Errors
/// [`Error::Shape`] unless `prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])` (NumPy's
/// `LinAlgError`); [`Error::Singular`].
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// use mlinalg::linalg::tensorsolve;
/// let a = Array2::<f64>::eye(6).into_shape_with_order((6, 2, 3)).unwrap();
/// let b = ndarray::Array1::<f64>::ones(6);
/// let x = tensorsolve(a.view().into_dyn(), b.view().into_dyn(), None)?;
/// assert_eq!(x.shape(), &[2, 3]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn tensorsolve<T: Scalar>(
    a: ArrayViewD<'_, T>,
    b: ArrayViewD<'_, T>,
    axes: Option<&[isize]>,
) -> Result<ArrayD<T>> {
    const OP: &str = "tensorsolve";
    let an = a.ndim();
    let mut a = a;
    if let Some(axes) = axes {
        let mut all: Vec<usize> = (0..an).collect();
        for &k in axes {
            let k = normalize_axis(OP, k, an)?;
            let pos = all
                .iter()
                .position(|&x| x == k)
                .ok_or_else(|| Error::shape(OP, format!("axis {k} given twice in axes")))?;
            all.remove(pos);
            all.push(k);
        }
        a = a.permuted_axes(IxDyn(&all));
    }
    if b.ndim() > an {
        return Err(Error::shape(
            OP,
            format!("b has more dimensions ({}) than a ({an})", b.ndim()),
        ));
    }
    // NumPy: `a.shape[-(an - b.ndim):]`, which is the whole shape when an == b.ndim.
    let start = if an == b.ndim() { 0 } else { b.ndim() };
    let oldshape = a.shape()[start..].to_vec();
    let prod: usize = oldshape.iter().product();
    if a.len() != prod * prod || b.len() != prod {
        return Err(Error::shape(
            OP,
            format!(
                "Input arrays must satisfy the requirement prod(a.shape[b.ndim:]) == \
                 prod(a.shape[:b.ndim]); got a {} and b {}",
                fmt_shape(a.shape()),
                fmt_shape(b.shape())
            ),
        ));
    }
    let a2 = a
        .to_shape((prod, prod))
        .map_err(|e| Error::shape(OP, e.to_string()))?;
    let b1 = b
        .to_shape(prod)
        .map_err(|e| Error::shape(OP, e.to_string()))?;
    let x = stacked::solve(a2.view().into_dyn(), b1.view().into_dyn())?;
    x.into_shape_with_order(IxDyn(&oldshape))
        .map_err(|e| Error::shape(OP, e.to_string()))
}

/// The inverse of a tensor with respect to `tensordot` over `ind` axes (NumPy
/// `linalg.tensorinv`): `a` is reshaped to `prod(a.shape[:ind]) × prod(a.shape[ind:])`,
/// inverted, and shaped `a.shape[ind:] + a.shape[:ind]`.
///
/// # Errors
/// [`Error::InvalidParameter`] for `ind = 0`; [`Error::Shape`] if the reshaped matrix is
/// not square; [`Error::Singular`].
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// use mlinalg::linalg::tensorinv;
/// let a = Array2::<f64>::eye(24).into_shape_with_order((4, 6, 8, 3)).unwrap();
/// let ai = tensorinv(a.view().into_dyn(), 2)?;
/// assert_eq!(ai.shape(), &[8, 3, 4, 6]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn tensorinv<T: Scalar>(a: ArrayViewD<'_, T>, ind: usize) -> Result<ArrayD<T>> {
    const OP: &str = "tensorinv";
    if ind == 0 {
        return Err(Error::param(OP, "ind", "0: expected a positive integer"));
    }
    let ind = ind.min(a.ndim());
    let rows: usize = a.shape()[ind..].iter().product();
    let total = a.len();
    if rows == 0 || rows.checked_mul(rows) != Some(total) {
        return Err(Error::shape(
            OP,
            format!(
                "a of shape {} with ind={ind} is not square: prod(a.shape[ind:]) = {rows}, \
                 prod(a.shape[:ind]) = {}",
                fmt_shape(a.shape()),
                a.shape()[..ind].iter().product::<usize>()
            ),
        ));
    }
    let a2 = a
        .to_shape((rows, rows))
        .map_err(|e| Error::shape(OP, e.to_string()))?;
    let inv = crate::linalg::inv(a2.view())?;
    let shape: Vec<usize> = a.shape()[ind..]
        .iter()
        .chain(&a.shape()[..ind])
        .copied()
        .collect();
    inv.into_shape_with_order(IxDyn(&shape))
        .map_err(|e| Error::shape(OP, e.to_string()))
}

/// The cross product of (stacks of) 3-vectors along `axis` (NumPy `linalg.cross`, which,
/// unlike `numpy.cross`, takes only 3-vectors). The other axes broadcast.
///
/// # Errors
/// [`Error::Shape`] unless both inputs have length 3 along `axis`, or if the other axes do
/// not broadcast; an axis out of bounds.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let c = mlinalg::linalg::cross(array![1., 0., 0.].view().into_dyn(), array![0., 1., 0.].view().into_dyn(), -1)?;
/// assert_eq!(c, array![0., 0., 1.].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn cross<T: Scalar>(
    a: ArrayViewD<'_, T>,
    b: ArrayViewD<'_, T>,
    axis: isize,
) -> Result<ArrayD<T>> {
    const OP: &str = "cross";
    let ia = normalize_axis(OP, axis, a.ndim())?;
    let ib = normalize_axis(OP, axis, b.ndim())?;
    if a.shape()[ia] != 3 || b.shape()[ib] != 3 {
        return Err(Error::shape(
            OP,
            format!(
                "Both input arrays must be (arrays of) 3-dimensional vectors, but they are {} \
                 and {} dimensional instead",
                a.shape()[ia],
                b.shape()[ib]
            ),
        ));
    }
    fn move_last<T>(x: ArrayViewD<'_, T>, k: usize) -> ArrayViewD<'_, T> {
        let mut perm: Vec<usize> = (0..x.ndim()).filter(|&j| j != k).collect();
        perm.push(k);
        x.permuted_axes(IxDyn(&perm))
    }
    let a = move_last(a, ia);
    let b = move_last(b, ib);
    let common = crate::ops::broadcast_shapes(OP, a.shape(), b.shape())?;
    let ab = a
        .broadcast(IxDyn(&common))
        .ok_or_else(|| Error::shape(OP, "a does not broadcast"))?;
    let bb = b
        .broadcast(IxDyn(&common))
        .ok_or_else(|| Error::shape(OP, "b does not broadcast"))?;
    let last = Axis(common.len() - 1);
    let mut out = ArrayD::<T>::zeros(IxDyn(&common));
    for ((mut o, x), y) in out
        .lanes_mut(last)
        .into_iter()
        .zip(ab.lanes(last))
        .zip(bb.lanes(last))
    {
        o[0] = x[1] * y[2] - x[2] * y[1];
        o[1] = x[2] * y[0] - x[0] * y[2];
        o[2] = x[0] * y[1] - x[1] * y[0];
    }
    // The vector axis goes back to `axis` of the result.
    let nd = out.ndim();
    let k = normalize_axis(OP, axis, nd)?;
    let mut perm: Vec<usize> = (0..nd - 1).collect();
    perm.insert(k, nd - 1);
    Ok(out
        .permuted_axes(IxDyn(&perm))
        .as_standard_layout()
        .into_owned())
}

/// The `offset` diagonal of every matrix of a stack (NumPy `linalg.diagonal`: the last two
/// axes): shape `(..., L)`.
///
/// # Errors
/// [`Error::Shape`] for fewer than two axes.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1., 2., 3.], [4., 5., 6.]];
/// assert_eq!(mlinalg::linalg::diagonal(x.view().into_dyn(), 1)?, array![2., 6.].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn diagonal<T: Scalar>(a: ArrayViewD<'_, T>, offset: isize) -> Result<ArrayD<T>> {
    const OP: &str = "diagonal";
    let (m, n) = stacked::matrix_dims(OP, a.shape())?;
    let (r0, c0) = if offset >= 0 {
        (0, offset.unsigned_abs())
    } else {
        (offset.unsigned_abs(), 0)
    };
    let len = m.saturating_sub(r0).min(n.saturating_sub(c0));
    let nd = a.ndim();
    let b = &a.shape()[..nd - 2];
    let mut shape = b.to_vec();
    shape.push(len);
    let mut out = ArrayD::<T>::zeros(IxDyn(&shape));
    for i in 0..len {
        let src = a
            .index_axis(Axis(nd - 1), c0 + i)
            .index_axis_move(Axis(nd - 2), r0 + i);
        out.index_axis_mut(Axis(nd - 2), i).assign(&src);
    }
    Ok(out)
}

/// The sum of the `offset` diagonal of every matrix of a stack (NumPy `linalg.trace`):
/// shape `(...)`.
///
/// # Errors
/// [`Error::Shape`] for fewer than two axes.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(mlinalg::linalg::trace(array![[1., 2.], [3., 4.]].view().into_dyn(), 0)?[[]], 5.0);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn trace<T: Scalar>(a: ArrayViewD<'_, T>, offset: isize) -> Result<ArrayD<T>> {
    stacked::matrix_dims("trace", a.shape())?;
    let d = diagonal(a, offset)?;
    Ok(d.sum_axis(Axis(d.ndim() - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, array};

    #[test]
    fn chain_order_matches_cormen() {
        // CLRS 15.2: dimensions 30×35, 35×15, 15×5, 5×10, 10×20, 20×25.
        let dims = [30, 35, 15, 5, 10, 20, 25];
        let mats: Vec<Array2<f64>> = dims
            .windows(2)
            .map(|w| Array2::zeros((w[0], w[1])))
            .collect();
        let views: Vec<_> = mats.iter().map(|m| m.view()).collect();
        let s = chain_order(&views);
        // ((A1 (A2 A3)) ((A4 A5) A6)), 0-based splits.
        assert_eq!(s[0][5], 2);
        assert_eq!(s[0][2], 0);
        assert_eq!(s[3][5], 4);
    }

    #[test]
    fn diagonal_of_stacks() {
        let x = Array3::from_shape_fn((3, 4, 5), |(i, j, k)| (i * 20 + j * 5 + k) as f64);
        let d = diagonal(x.view().into_dyn(), 0).unwrap();
        assert_eq!(
            d,
            array![
                [0., 6., 12., 18.],
                [20., 26., 32., 38.],
                [40., 46., 52., 58.]
            ]
            .into_dyn()
        );
        let t = trace(x.view().into_dyn(), 0).unwrap();
        assert_eq!(t, array![36., 116., 196.].into_dyn());
        assert_eq!(diagonal(x.view().into_dyn(), -5).unwrap().shape(), &[3, 0]);
    }

    #[test]
    fn cross_rows() {
        let x = Array2::from_shape_fn((3, 3), |(i, j)| (3 * i + j) as f64);
        let y = x.mapv(|v| v + 1.0);
        let c = cross(x.view().into_dyn(), y.view().into_dyn(), -1).unwrap();
        assert_eq!(
            c,
            array![[-1., 2., -1.], [-1., 2., -1.], [-1., 2., -1.]].into_dyn()
        );
        let e = cross(
            x.slice(ndarray::s![.., 1..]).into_dyn(),
            x.slice(ndarray::s![.., 1..]).into_dyn(),
            -1,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("(arrays of) 3-dimensional vectors"),
            "{e}"
        );
    }
}
