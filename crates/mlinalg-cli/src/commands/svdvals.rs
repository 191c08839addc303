//! `svdvals A`: singular values (descending, real) of every matrix of a stack.

use anyhow::Result;
use ndarray::ArrayD;

use crate::cli::OneInput;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "svdvals";

pub fn run(args: &OneInput) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go)
}

fn go<T: Elem>(a: ArrayD<T>) -> Result<Report> {
    let s = mlinalg::linalg::stacked::svdvals(a.view())?;
    Ok(Report::new().value("s", nd::real::<T>(s)))
}
