//! `norm A [--ord ORD]`: NumPy `linalg.norm` of a vector or a matrix.

use anyhow::{Result, bail};
use mlinalg::array::{check_nonempty, fmt_shape};
use mlinalg::linalg::NormOrd;
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
                ord => mlinalg::linalg::norm(&matrix.to_dense()?, ord)?,
            }
        }
    };
    Ok(Report::new().float("norm", value))
}
