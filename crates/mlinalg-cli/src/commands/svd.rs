//! `svd A [--full]`: `A = U Σ Vᵀ`, singular values descending.

use anyhow::Result;

use crate::cli::SvdArgs;
use crate::input;
use crate::report::Report;

const OP: &str = "svd";

pub fn run(args: &SvdArgs) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let f = mlinalg::linalg::svd(a.view(), args.full)?;
    Ok(Report::new()
        .array("u", f.u)
        .array("s", f.s)
        .array("vt", f.vt))
}
