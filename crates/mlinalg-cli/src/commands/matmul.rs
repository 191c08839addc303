//! `matmul A B`: `A @ B` with NumPy semantics; a `.mtx` left operand stays sparse.

use anyhow::{Result, anyhow, bail};
use mlinalg::array::{check_nonempty, fmt_shape};
use mlinalg::io::Dtype;
use ndarray::{Ix1, Ix2};

use crate::cli::TwoInputs;
use crate::input::{self, Operand};
use crate::report::Report;

const OP: &str = "matmul";

pub fn run(args: &TwoInputs) -> Result<Report> {
    let a = input::load(OP, &args.a)?;
    let b = mlinalg::io::load_dense(&args.b).map_err(|e| anyhow!("{OP}: {e}"))?;
    let both_bool =
        matches!(&a, Operand::Dense(d) if d.dtype == Dtype::Bool) && b.dtype == Dtype::Bool;
    let b = b.data;
    let mut product = match a {
        Operand::Sparse { matrix, .. } => {
            let (m, n) = (matrix.nrows(), matrix.ncols());
            if m == 0 || n == 0 {
                bail!("{OP}: empty input: shape {}", fmt_shape(&[m, n]));
            }
            check_nonempty(OP, &b)?;
            match b.ndim() {
                1 => matrix
                    .dot_vec(b.view().into_dimensionality::<Ix1>()?)?
                    .into_dyn(),
                2 => matrix
                    .dot_dense(b.view().into_dimensionality::<Ix2>()?)?
                    .into_dyn(),
                // A stack of right operands: NumPy broadcasting needs the dense form.
                _ => mlinalg::ops::matmul(matrix.to_dense()?.into_dyn().view(), b.view())?,
            }
        }
        Operand::Dense(d) => {
            check_nonempty(OP, &d.data)?;
            check_nonempty(OP, &b)?;
            mlinalg::ops::matmul(d.data.view(), b.view())?
        }
    };
    if both_bool {
        // NumPy's bool @ bool is bool: the logical or of ands. The counts computed in
        // float64 are non-negative integers, so any count above 1 becomes True (1.0).
        product.mapv_inplace(|x| x.min(1.0));
    }
    Ok(Report::new().array("product", product))
}
