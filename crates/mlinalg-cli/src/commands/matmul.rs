//! `matmul A B`: `A @ B` with NumPy semantics; a `.mtx` left operand stays sparse.

use anyhow::{Result, bail};
use mlinalg::array::{check_nonempty, fmt_shape};
use ndarray::{Ix1, Ix2};

use crate::cli::TwoInputs;
use crate::input::{self, Operand};
use crate::report::Report;

const OP: &str = "matmul";

pub fn run(args: &TwoInputs) -> Result<Report> {
    let a = input::load(OP, &args.a)?;
    let b = input::dense(OP, &args.b)?;
    let product = match a {
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
    Ok(Report::new().array("product", product))
}
