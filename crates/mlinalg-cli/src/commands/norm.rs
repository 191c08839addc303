//! `norm A [--ord ORD]`: NumPy `linalg.norm` of a vector or a matrix.
//!
//! A `.mtx` matrix stays sparse: the Frobenius norm and the row/column-sum norms need only
//! the stored entries, and the singular-value norms (`2`, `-2`, `nuc`) of a large matrix
//! with a small side come from the R factor of its non-zero rows ([`r_factor`]).

use anyhow::{Result, anyhow, bail};
use mlinalg::Scalar;
use mlinalg::array::fmt_shape;
use mlinalg::io::{Dtype, TypedLoaded};
use mlinalg::linalg::{NormOrd, QrMode};
use mlinalg::sparse::CsrMatrix;
use ndarray::{Array1, Array2, ArrayD, array, s};

use crate::cli::NormArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::input;
use crate::report::{Report, StoreAs, Value};

const OP: &str = "norm";

/// Up to this many entries (8 MiB of float64) a sparse matrix is densified for the
/// singular-value norms, which then match the dense computation bit for bit.
const DENSE_LIMIT: usize = 1 << 20;
/// The largest small side `k = min(m, n)` for which the singular-value norms are computed
/// from R factors: each block QR works on at most `5k × k` values (40 MB at k = 1000).
const MAX_SIDE: usize = 1000;
/// The largest `rows × k²` (about the flop count of the block QRs, a few seconds) for which
/// the R factor is computed; beyond that the dense form is tried.
const MAX_WORK: f64 = 2e10;

/// The norm of a dense array in its own element type (NumPy computes float32 and complex64
/// norms in single precision), written in NumPy's result dtype `out`.
fn dense<T: Elem>(x: ArrayD<T>, args: &NormArgs, out: Out) -> Result<Report> {
    let n = mlinalg::linalg::norm_nd(x.view(), args.ord, args.axis.as_deref(), args.keepdims)?;
    // NumPy never returns −0.0 here (a sum over nothing starts from −0.0 in Rust).
    let zero = <T::Real as Scalar>::from_f64(0.0);
    let n = n.mapv(|v| if v == zero { zero } else { v });
    let v = match out {
        Out::Same => nd::real::<T>(n),
        Out::F16 => Value::Stored(T::real_typed(n), StoreAs::Dtype(Dtype::Float16)),
        Out::Long => Value::Stored(T::real_typed(n), StoreAs::LongDouble),
    };
    Ok(Report::new().value("norm", v))
}

/// How a dense norm result is written: NumPy's norm has the input's real dtype.
#[derive(Clone, Copy)]
enum Out {
    /// The real type of the computing precision (float64 also for int and bool input).
    Same,
    /// float16.
    F16,
    /// longdouble (longdouble and clongdouble input).
    Long,
}

pub fn run(args: &NormArgs) -> Result<Report> {
    if input::is_parquet(&args.a) {
        return dense(input::dense(OP, &args.a)?, args, Out::Same);
    }
    if let Some(long) = nd::longdouble::read(OP, &args.a)? {
        return match long {
            nd::longdouble::Long::Real(x) => dense(x, args, Out::Long),
            nd::longdouble::Long::Complex(z) => dense(z, args, Out::Long),
        };
    }
    let loaded = mlinalg::io::load_typed_keep_sparse(&args.a).map_err(|e| anyhow!("{OP}: {e}"))?;
    let value = match loaded {
        TypedLoaded::Dense(d) => {
            let out = if d.dtype == Dtype::Float16 {
                Out::F16
            } else {
                Out::Same
            };
            return dispatch!(d.data, dense, args, out);
        }
        TypedLoaded::Sparse { matrix, .. } => {
            let (m, n) = (matrix.nrows(), matrix.ncols());
            if m == 0 || n == 0 {
                bail!("{OP}: empty input: shape {}", fmt_shape(&[m, n]));
            }
            if args.axis.is_some() {
                bail!("{OP}: --axis needs a dense input (.npy), got a sparse matrix");
            }
            match args.ord {
                // The Frobenius norm needs only the stored values: no densifying.
                None | Some(NormOrd::Fro) => mlinalg::vector::norm_l2(
                    Array1::from_iter(matrix.data().iter().copied()).view(),
                ),
                // Row and column sums of |aᵢⱼ| need only the stored entries too.
                Some(NormOrd::Inf) => extreme(row_abs_sums(&matrix), f64::max),
                Some(NormOrd::NegInf) => extreme(row_abs_sums(&matrix), f64::min),
                Some(NormOrd::P(1.0)) => extreme(col_abs_sums(&matrix), f64::max),
                Some(NormOrd::P(-1.0)) => extreme(col_abs_sums(&matrix), f64::min),
                Some(ord @ (NormOrd::P(2.0) | NormOrd::P(-2.0) | NormOrd::Nuc)) => {
                    spectral(&matrix, ord)?
                }
                // Any other ord is one that only vectors have: the library's message for a
                // matrix, without densifying to get it.
                ord => match mlinalg::linalg::norm(&Array2::<f64>::zeros((1, 1)), ord) {
                    Err(e) => return Err(e.into()),
                    Ok(_) => mlinalg::linalg::norm(&densify(&matrix, ord)?, ord)?,
                },
            }
        }
    };
    // NumPy never returns −0.0 here, but a sum over an empty row does (Rust's f64 sum
    // starts from −0.0); a zero norm prints as 0.0.
    let value = if value == 0.0 { 0.0 } else { value };
    Ok(Report::new().float("norm", value))
}

/// A singular-value norm (`2`, `-2`, `nuc`) of a sparse matrix.
fn spectral(x: &CsrMatrix, ord: NormOrd) -> Result<f64> {
    let (m, n) = (x.nrows(), x.ncols());
    // Non-finite entries: the dense rules (NaN gives NaN; ±∞ gives ∞, or NaN for −2),
    // which the library applies to a 1 × 1 matrix holding the culprit just the same.
    if x.data().iter().any(|v| v.is_nan()) {
        return Ok(mlinalg::linalg::norm(&array![[f64::NAN]], Some(ord))?);
    }
    if x.data().iter().any(|v| v.is_infinite()) {
        return Ok(mlinalg::linalg::norm(&array![[f64::INFINITY]], Some(ord))?);
    }
    let small = m.checked_mul(n).is_some_and(|len| len <= DENSE_LIMIT);
    if !small && m.min(n) <= MAX_SIDE {
        // Wide: the singular values of Xᵀ are those of X.
        let t;
        let tall = if n <= m {
            x
        } else {
            // checked: a wide matrix may declare 2·10⁸ columns for a few entries
            t = x.try_transpose()?;
            &t
        };
        let k = tall.ncols();
        let rows = tall.indptr().windows(2).filter(|w| w[1] > w[0]).count();
        if rows as f64 * (k * k) as f64 <= MAX_WORK {
            return Ok(mlinalg::linalg::norm(&r_factor(tall)?, Some(ord))?);
        }
    }
    Ok(mlinalg::linalg::norm(&densify(x, Some(ord))?, Some(ord))?)
}

/// The dense form of `x`, or an error naming `norm` and the `--ord` that needed it.
fn densify(x: &CsrMatrix, ord: Option<NormOrd>) -> Result<Array2<f64>> {
    let (m, n) = (x.nrows(), x.ncols());
    x.to_dense().map_err(|e| {
        let detail = match e {
            mlinalg::Error::Unsupported { detail, .. } => detail,
            e => e.to_string(),
        };
        let ord = ord.map_or_else(|| "fro".to_string(), |o| o.to_string());
        anyhow!(
            "{OP}: --ord {ord} needs the dense {} matrix: {detail} (computed sparsely only \
             when min(rows, columns) <= {MAX_SIDE})",
            fmt_shape(&[m, n])
        )
    })
}

/// A `k × k` matrix with the singular values of the tall sparse `x` (`k` = its number of
/// columns): the R factor of a QR factorization of its non-zero rows, zero rows padded.
///
/// The rows are densified a block at a time and stacked under the R of the rows before
/// (`[R; B] = Q' R'`, so `XᵀX = RᵀR` throughout). Unlike the Gram matrix `XᵀX`, this does
/// not square the condition number, so small singular values (`--ord -2`) stay accurate.
fn r_factor(x: &CsrMatrix) -> Result<Array2<f64>> {
    let k = x.ncols();
    // Blocks several times taller than R keep the re-factoring of R a small overhead.
    let block = (4 * k).max(256);
    let (indptr, indices, data) = (x.indptr(), x.indices(), x.data());
    let mut r = Array2::<f64>::zeros((0, k));
    let mut pending: Vec<usize> = Vec::with_capacity(block);
    let flush = |r: &Array2<f64>, pending: &mut Vec<usize>| -> Result<Array2<f64>> {
        let h = r.nrows();
        let mut stack = Array2::<f64>::zeros((h + pending.len(), k));
        stack.slice_mut(s![..h, ..]).assign(r);
        for (row, &i) in pending.iter().enumerate() {
            for p in indptr[i]..indptr[i + 1] {
                stack[[h + row, indices[p]]] = data[p];
            }
        }
        pending.clear();
        let f = mlinalg::linalg::qr(stack.view(), QrMode::Reduced);
        Ok(f.map_err(|e| anyhow!("{OP}: {e}"))?.r)
    };
    for i in 0..x.nrows() {
        if indptr[i + 1] > indptr[i] {
            pending.push(i);
            if pending.len() == block {
                r = flush(&r, &mut pending)?;
            }
        }
    }
    if !pending.is_empty() {
        r = flush(&r, &mut pending)?;
    }
    // Fewer non-zero rows than columns: the missing singular values are zeros.
    let mut square = Array2::<f64>::zeros((k, k));
    square.slice_mut(s![..r.nrows(), ..]).assign(&r);
    Ok(square)
}

/// Σⱼ |aᵢⱼ| for every row of a CSR matrix.
fn row_abs_sums(m: &CsrMatrix) -> Vec<f64> {
    let (indptr, data) = (m.indptr(), m.data());
    indptr
        .windows(2)
        .map(|w| data[w[0]..w[1]].iter().map(|x| x.abs()).sum())
        .collect()
}

/// Σᵢ |aᵢⱼ| for every column of a CSR matrix.
fn col_abs_sums(m: &CsrMatrix) -> Vec<f64> {
    let mut sums = vec![0.0; m.ncols()];
    for (&j, &x) in m.indices().iter().zip(m.data()) {
        sums[j] += x.abs();
    }
    sums
}

/// The max or min of `v`, NaN if any element is NaN (NumPy's propagation).
fn extreme(v: Vec<f64>, pick: fn(f64, f64) -> f64) -> f64 {
    if v.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    v.into_iter().reduce(pick).unwrap_or(f64::NAN)
}
