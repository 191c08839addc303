//! `norm A [--ord ORD]`: NumPy `linalg.norm` of a vector or a matrix.

use anyhow::{Result, bail};
use mlinalg::array::{check_nonempty, fmt_shape};
use mlinalg::linalg::NormOrd;
use mlinalg::sparse::CsrMatrix;
use ndarray::Array1;

use crate::cli::NormArgs;
use crate::input::{self, Operand};
use crate::report::Report;

const OP: &str = "norm";

pub fn run(args: &NormArgs) -> Result<Report> {
    let value = match input::load(OP, &args.a)? {
        Operand::Dense(d) => {
            let a = d.data;
            check_nonempty(OP, &a)?;
            match (a.ndim(), args.ord) {
                (1 | 2, ord) => mlinalg::linalg::norm(&a, ord)?,
                // NumPy: without `ord`, any array is flattened and its 2-norm taken.
                (_, None) => mlinalg::vector::norm_l2(Array1::from_iter(a.iter().copied()).view()),
                (n, Some(o)) => bail!(
                    "{OP}: --ord {o} needs a 1-d vector or a 2-d matrix, got a {n}-d array of \
                     shape {}",
                    fmt_shape(a.shape())
                ),
            }
        }
        Operand::Sparse { matrix, .. } => {
            let (m, n) = (matrix.nrows(), matrix.ncols());
            if m == 0 || n == 0 {
                bail!("{OP}: empty input: shape {}", fmt_shape(&[m, n]));
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
                // 2, −2, nuc need singular values: densify (the library refuses a dense form
                // too large to allocate); a vector-only ord is rejected by the library.
                ord => mlinalg::linalg::norm(&matrix.to_dense()?, ord)?,
            }
        }
    };
    Ok(Report::new().float("norm", value))
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
