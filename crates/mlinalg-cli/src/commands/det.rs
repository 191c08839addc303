//! `det A`: the determinant of every square matrix of a stack, with its sign and
//! log-magnitude (NumPy `det`, `slogdet`); 1 (sign 1, logabsdet 0) for 0 × 0 matrices.

use anyhow::Result;

use crate::cli::OneInput;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "det";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let det = mlinalg::linalg::stacked::det(a.data.view())?;
    let s = mlinalg::linalg::stacked::slogdet(a.data.view())?;
    Ok(Report::new()
        .value("det", a.prec.value(det))
        .value("sign", a.prec.value(s.sign))
        .value("logabsdet", a.prec.value(s.logabsdet)))
}
