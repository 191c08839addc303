//! `cholesky A [--upper]`: the lower factor `L` with `A = L Lᴴ` of every matrix of a stack
//! (result `l`), or the upper factor `U = Lᴴ` (result `u`).

use anyhow::Result;
use ndarray::ArrayD;

use crate::cli::CholeskyArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "cholesky";

pub fn run(args: &CholeskyArgs) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go, args.upper)
}

fn go<T: Elem>(a: ArrayD<T>, upper: bool) -> Result<Report> {
    let f = mlinalg::linalg::stacked::cholesky(a.view(), upper)?;
    let name = if upper { "u" } else { "l" };
    Ok(Report::new().value(name, nd::val(f)))
}
