//! `inv A`: the inverse of every square matrix of a stack `(..., M, M)`, in the input's
//! precision (float32, float64, complex64, complex128).

use anyhow::Result;
use ndarray::ArrayD;

use crate::cli::OneInput;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "inv";

pub fn run(args: &OneInput) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go)
}

fn go<T: Elem>(a: ArrayD<T>) -> Result<Report> {
    let inv = mlinalg::linalg::stacked::inv(a.view())?;
    Ok(Report::new().value("inverse", nd::val(inv)))
}
