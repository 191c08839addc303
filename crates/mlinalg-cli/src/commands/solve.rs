//! `solve A B`: `x` with `A x = B` for every matrix of a stack; B is a vector `(M,)` or a
//! stack `(..., M, K)` broadcast against A's leading axes (NumPy `linalg.solve`).

use anyhow::Result;

use crate::cli::TwoInputs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "solve";

pub fn run(args: &TwoInputs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let b = nd::load_finite(OP, &args.b)?;
    let x = mlinalg::linalg::stacked::solve(a.data.view(), b.data.view())?;
    Ok(Report::new().value("x", a.prec.join(b.prec).value(x)))
}
