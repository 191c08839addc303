//! `eigvalsh A [--uplo L|U]`: ascending eigenvalues of every symmetric matrix of a stack.

use anyhow::Result;

use crate::cli::EighArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "eigvalsh";

pub fn run(args: &EighArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let w = mlinalg::linalg::stacked::eigvalsh(a.data.view(), args.uplo)?;
    Ok(Report::new().value("eigenvalues", a.prec.value(w)))
}
