//! Norms of n-d arrays along axes (NumPy `linalg.norm` with `axis`/`keepdims`,
//! `linalg.vector_norm`, `linalg.matrix_norm`): [`norm_nd`], [`vector_norm`],
//! [`matrix_norm`].

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, RemoveAxis};

use crate::array::fmt_shape;
use crate::error::{Error, Result};
use crate::linalg::norm::{NormOrd, norm};
use crate::linalg::products::normalize_axis;
use crate::scalar::{RealScalar, Scalar};

/// NumPy `linalg.norm(x, ord, axis, keepdims)` of an array of any dimension.
///
/// * `axis = None`: the 2-norm of the flattened array when `ord` is `None` (or `fro` of a
///   matrix, `2` of a vector); otherwise the vector norm of a 1-d or the matrix norm of a
///   2-d array.
/// * one axis: vector norms of the lanes along it;
/// * two axes `(row, col)`: matrix norms of the matrices they span.
///
/// With `keepdims` the reduced axes stay, with length 1. Empty reductions follow NumPy:
/// `0` for the sums and maxima (`norm([]) = 0`), an error for minima (`-inf`, `-1`, `-2`).
///
/// # Errors
/// [`Error::Shape`] for an axis out of bounds (NumPy's `AxisError` text), duplicate axes or
/// more than two axes; [`Error::InvalidParameter`] for an `ord` invalid for vectors or
/// matrices; [`Error::Empty`] for a minimum over nothing.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::linalg::{norm_nd, NormOrd};
/// let a = array![[3., 4.], [6., 8.]];
/// let rows = norm_nd(a.view().into_dyn(), None, Some(&[1]), false)?;
/// assert_eq!(rows, array![5., 10.].into_dyn());
/// let kept = norm_nd(a.view().into_dyn(), Some(NormOrd::P(1.0)), Some(&[0, 1]), true)?;
/// assert_eq!(kept, array![[12.]].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn norm_nd<T: Scalar>(
    x: ArrayViewD<'_, T>,
    ord: Option<NormOrd>,
    axis: Option<&[isize]>,
    keepdims: bool,
) -> Result<ArrayD<T::Real>> {
    const OP: &str = "norm";
    let nd = x.ndim();
    if axis.is_none() {
        let flat = ord.is_none()
            || (ord == Some(NormOrd::Fro) && nd == 2)
            || (ord == Some(NormOrd::P(2.0)) && nd == 1);
        if flat {
            // NumPy: sqrt(x·x) of the flattened array.
            // |x| in f64 (exact), accumulated without overflow, rounded to T's precision.
            let v = crate::vector::l2_iter(x.iter().map(|v| v.abs().to_f64()));
            let shape = if keepdims { vec![1; nd] } else { vec![] };
            return Ok(ArrayD::from_elem(IxDyn(&shape), real::<T>(v)));
        }
    }
    let axes: Vec<isize> = match axis {
        Some(a) => a.to_vec(),
        None => (0..nd as isize).collect(),
    };
    match axes.len() {
        1 => {
            let k = normalize_axis(OP, axes[0], nd)?;
            if matches!(ord, Some(NormOrd::Fro | NormOrd::Nuc)) {
                return Err(Error::param(
                    OP,
                    "ord",
                    format!(
                        "Invalid norm order '{}' for vectors",
                        ord.map_or_else(String::new, |o| o.to_string())
                    ),
                ));
            }
            let mut out = ArrayD::<T::Real>::zeros(x.raw_dim().remove_axis(Axis(k)));
            for (o, lane) in out.iter_mut().zip(x.lanes(Axis(k))) {
                *o = if lane.is_empty() {
                    real::<T>(empty_reduction(OP, ord, x.shape())?)
                } else {
                    norm(&lane, ord)?
                };
            }
            if keepdims {
                out = out.insert_axis(Axis(k));
            }
            Ok(out)
        }
        2 => {
            let r = normalize_axis(OP, axes[0], nd)?;
            let c = normalize_axis(OP, axes[1], nd)?;
            if r == c {
                return Err(Error::shape(
                    OP,
                    format!("Duplicate axes given: ({r}, {c})"),
                ));
            }
            if let Some(NormOrd::P(p)) = ord
                && ![1.0, -1.0, 2.0, -2.0].contains(&p)
            {
                return Err(Error::param(
                    OP,
                    "ord",
                    format!("Invalid norm order {p} for matrices"),
                ));
            }
            let mut perm: Vec<usize> = (0..nd).filter(|&j| j != r && j != c).collect();
            perm.push(r);
            perm.push(c);
            let moved = x.view().permuted_axes(IxDyn(&perm));
            let (m, n) = (x.shape()[r], x.shape()[c]);
            let v = if m == 0 || n == 0 {
                let count: usize = perm[..nd - 2].iter().map(|&j| x.shape()[j]).product();
                let z = real::<T>(empty_reduction(OP, ord, x.shape())?);
                vec![z; count]
            } else {
                crate::linalg::stacked::map_matrices(OP, moved, 4 * m * n, |a| norm(&a, ord))?
            };
            let shape: Vec<usize> = perm[..nd - 2].iter().map(|&j| x.shape()[j]).collect();
            let mut out = ArrayD::from_shape_vec(IxDyn(&shape), v)
                .map_err(|e| Error::shape(OP, e.to_string()))?;
            if keepdims {
                for &k in [r, c].iter().min().into_iter().chain([r, c].iter().max()) {
                    out = out.insert_axis(Axis(k));
                }
            }
            Ok(out)
        }
        _ => Err(Error::shape(
            OP,
            format!(
                "Improper number of dimensions to norm: {} axes of an array of shape {}",
                axes.len(),
                fmt_shape(x.shape())
            ),
        )),
    }
}

/// `x` as `T`'s real type.
fn real<T: Scalar>(x: f64) -> T::Real {
    <T::Real as Scalar>::from_f64(x)
}

/// The norm of an empty vector or matrix: NumPy reduces with `initial=0` for sums and
/// maxima and raises for minima.
fn empty_reduction(op: &'static str, ord: Option<NormOrd>, shape: &[usize]) -> Result<f64> {
    match ord {
        Some(NormOrd::NegInf) | Some(NormOrd::P(-1.0)) | Some(NormOrd::P(-2.0)) => {
            Err(Error::Empty {
                op,
                detail: format!(
                    "shape {}: the minimum over an empty axis (ord={}) is undefined",
                    fmt_shape(shape),
                    ord.map_or_else(String::new, |o| o.to_string())
                ),
            })
        }
        _ => Ok(0.0),
    }
}

/// NumPy `linalg.vector_norm(x, ord, axis, keepdims)`: the vector norm over `axis` (all
/// axes, flattened, by default; several axes are flattened together). `ord` defaults to 2.
///
/// # Errors
/// As [`norm_nd`]; `fro`/`nuc` are not vector norms.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[0., 3.], [4., 0.]];
/// assert_eq!(mlinalg::linalg::vector_norm(x.view().into_dyn(), None, None, false)?[[]], 5.0);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn vector_norm<T: Scalar>(
    x: ArrayViewD<'_, T>,
    ord: Option<NormOrd>,
    axis: Option<&[isize]>,
    keepdims: bool,
) -> Result<ArrayD<T::Real>> {
    const OP: &str = "vector_norm";
    let nd = x.ndim();
    let axes: Vec<usize> = match axis {
        None => (0..nd).collect(),
        Some(a) => a
            .iter()
            .map(|&k| normalize_axis(OP, k, nd))
            .collect::<Result<_>>()?,
    };
    let rest: Vec<usize> = (0..nd).filter(|k| !axes.contains(k)).collect();
    let perm: Vec<usize> = axes.iter().chain(&rest).copied().collect();
    let len: usize = axes.iter().map(|&k| x.shape()[k]).product();
    let mut shape = vec![len];
    shape.extend(rest.iter().map(|&k| x.shape()[k]));
    let moved = x.view().permuted_axes(IxDyn(&perm));
    let flat = moved
        .to_shape(IxDyn(&shape))
        .map_err(|e| Error::shape(OP, e.to_string()))?;
    let ord = ord.or(Some(NormOrd::P(2.0)));
    let mut out = norm_nd(flat.view(), ord, Some(&[0]), false)?;
    if keepdims {
        let mut kept = x.shape().to_vec();
        for &k in &axes {
            kept[k] = 1;
        }
        out = out
            .into_shape_with_order(IxDyn(&kept))
            .map_err(|e| Error::shape(OP, e.to_string()))?;
    }
    Ok(out)
}

/// NumPy `linalg.matrix_norm(x, ord, keepdims)`: the matrix norm of every matrix of a stack
/// (the last two axes); `ord` defaults to `fro`.
///
/// # Errors
/// As [`norm_nd`].
///
/// # Examples
/// ```
/// use ndarray::Array3;
/// let x = Array3::<f64>::ones((2, 2, 2));
/// assert_eq!(mlinalg::linalg::matrix_norm(x.view().into_dyn(), None, false)?, ndarray::array![2., 2.].into_dyn());
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn matrix_norm<T: Scalar>(
    x: ArrayViewD<'_, T>,
    ord: Option<NormOrd>,
    keepdims: bool,
) -> Result<ArrayD<T::Real>> {
    norm_nd(x, ord.or(Some(NormOrd::Fro)), Some(&[-2, -1]), keepdims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, array};

    #[test]
    fn matrix_norms_over_axis_pairs_match_slices() {
        let b = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (1 + i * 12 + j * 4 + k) as f64);
        for ord in [
            None,
            Some(NormOrd::P(1.0)),
            Some(NormOrd::Inf),
            Some(NormOrd::P(-2.0)),
        ] {
            let n = norm_nd(b.view().into_dyn(), ord, Some(&[2, 0]), false).unwrap();
            assert_eq!(n.shape(), &[3]);
            for j in 0..3 {
                let m = b.index_axis(Axis(1), j).reversed_axes();
                let want = norm(&m, ord).unwrap();
                assert!((n[[j]] - want).abs() <= 1e-12 * want, "{ord:?}");
            }
            let k = norm_nd(b.view().into_dyn(), ord, Some(&[2, 0]), true).unwrap();
            assert_eq!(k.shape(), &[1, 3, 1]);
        }
    }

    #[test]
    fn empty_and_errors() {
        let e = ndarray::Array1::<f64>::zeros(0);
        assert_eq!(
            norm_nd(e.view().into_dyn(), None, None, false).unwrap()[[]],
            0.0
        );
        let z = ndarray::Array2::<f64>::zeros((0, 2));
        let n = norm_nd(z.view().into_dyn(), Some(NormOrd::P(2.0)), None, false).unwrap();
        assert_eq!(n[[]], 0.0);
        let b = Array3::<f64>::zeros((2, 3, 4));
        let err = norm_nd(b.view().into_dyn(), None, Some(&[3]), false).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{err}");
        assert!(norm_nd(b.view().into_dyn(), None, Some(&[0, 1, 2]), false).is_err());
        assert!(norm_nd(b.view().into_dyn(), None, Some(&[1, -2]), false).is_err());
        let a = array![[1., 2.], [3., 4.]];
        assert!(norm_nd(a.view().into_dyn(), Some(NormOrd::Fro), Some(&[0]), false).is_err());
        assert!(norm_nd(a.view().into_dyn(), Some(NormOrd::P(0.0)), None, false).is_err());
    }
}
