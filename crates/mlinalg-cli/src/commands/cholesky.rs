//! `cholesky A [--upper]`: the lower factor `L` with `A = L Lᵀ` of every matrix of a stack
//! (result `l`), or the upper factor `U = Lᵀ` (result `u`).

use anyhow::Result;

use crate::cli::CholeskyArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "cholesky";

pub fn run(args: &CholeskyArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let f = mlinalg::linalg::stacked::cholesky(a.data.view(), args.upper)?;
    let name = if args.upper { "u" } else { "l" };
    Ok(Report::new().value(name, a.prec.value(f)))
}
