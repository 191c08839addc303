//! `det A`: the determinant of every square matrix of a stack, with its sign and
//! log-magnitude (NumPy `det`, `slogdet`); 1 (sign 1, logabsdet 0) for 0 × 0 matrices. For
//! complex input `det` and `sign` are complex, `logabsdet` real.

use anyhow::Result;
use ndarray::ArrayD;

use crate::cli::OneInput;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "det";

pub fn run(args: &OneInput) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go)
}

fn go<T: Elem>(a: ArrayD<T>) -> Result<Report> {
    let det = mlinalg::linalg::stacked::det(a.view())?;
    let s = mlinalg::linalg::stacked::slogdet(a.view())?;
    Ok(Report::new()
        .value("det", nd::val(det))
        .value("sign", nd::val(s.sign))
        .value("logabsdet", nd::real::<T>(s.logabsdet)))
}
