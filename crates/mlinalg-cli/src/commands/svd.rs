//! `svd A [--full]`: `A = U Σ Vᴴ` for every matrix of a stack, singular values descending
//! (real); empty matrices give NumPy's identity factors.

use anyhow::Result;
use ndarray::ArrayD;

use crate::cli::SvdArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "svd";

pub fn run(args: &SvdArgs) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go, args.full)
}

fn go<T: Elem>(a: ArrayD<T>, full: bool) -> Result<Report> {
    let f = mlinalg::linalg::stacked::svd(a.view(), full)?;
    Ok(Report::new()
        .value("u", nd::val(f.u))
        .value("s", nd::real::<T>(f.s))
        .value("vt", nd::val(f.vt)))
}
