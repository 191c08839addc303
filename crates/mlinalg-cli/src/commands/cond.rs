//! `cond A [--p P]`: the condition number (real) of every matrix of a stack (NumPy
//! `linalg.cond`; ∞ for a singular matrix).

use anyhow::Result;
use mlinalg::linalg::NormOrd;
use ndarray::ArrayD;

use crate::cli::CondArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "cond";

pub fn run(args: &CondArgs) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go, args.p)
}

fn go<T: Elem>(a: ArrayD<T>, p: Option<NormOrd>) -> Result<Report> {
    let c = mlinalg::linalg::stacked::cond(a.view(), p)?;
    Ok(Report::new().value("cond", nd::real::<T>(c)))
}
