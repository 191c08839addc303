//! `pinv A [--rcond R | --rtol R] [--hermitian]`: the pseudo-inverse of every matrix of a
//! stack (NumPy `linalg.pinv`).

use anyhow::Result;

use crate::cli::PinvArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "pinv";

pub fn run(args: &PinvArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    // `--hermitian` only lets NumPy use eigh; the SVD gives the same pseudo-inverse.
    let p = mlinalg::linalg::stacked::pinv(a.data.view(), args.rcond.or(args.rtol))?;
    Ok(Report::new().value("pinv", a.prec.value(p)))
}
