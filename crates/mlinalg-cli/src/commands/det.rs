//! `det A`: the determinant, and its sign and log-magnitude (NumPy `det`, `slogdet`).

use anyhow::Result;

use crate::cli::OneInput;
use crate::input;
use crate::report::Report;

const OP: &str = "det";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let det = mlinalg::linalg::det(a.view())?;
    let s = mlinalg::linalg::slogdet(a.view())?;
    Ok(Report::new()
        .float("det", det)
        .float("sign", s.sign)
        .float("logabsdet", s.logabsdet))
}
