//! `pinv A [--rcond R | --rtol R] [--hermitian]`: the pseudo-inverse of every matrix of a
//! stack (NumPy `linalg.pinv`).

use anyhow::Result;
use ndarray::ArrayD;

use crate::cli::PinvArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "pinv";

pub fn run(args: &PinvArgs) -> Result<Report> {
    // `--hermitian` only lets NumPy use eigh; the SVD gives the same pseudo-inverse.
    dispatch!(
        nd::load_finite(OP, &args.a)?.data,
        go,
        args.rcond.or(args.rtol)
    )
}

fn go<T: Elem>(a: ArrayD<T>, rcond: Option<f64>) -> Result<Report> {
    let p = mlinalg::linalg::stacked::pinv(a.view(), rcond)?;
    Ok(Report::new().value("pinv", nd::val(p)))
}
