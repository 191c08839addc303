//! `solve A B`: `x` with `A x = B` for every matrix of a stack; B is a vector `(M,)` or a
//! stack `(..., M, K)` broadcast against A's leading axes (NumPy `linalg.solve`), in the
//! common type of A and B.

use anyhow::Result;
use mlinalg::io::TypedArray;
use ndarray::ArrayD;

use crate::cli::TwoInputs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "solve";

pub fn run(args: &TwoInputs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let b = nd::load_finite(OP, &args.b)?;
    let (a, b) = nd::promote(a.data, b.data);
    dispatch!(a, go, b)
}

fn go<T: Elem>(a: ArrayD<T>, b: TypedArray) -> Result<Report> {
    let b = nd::downcast::<T>(b)?;
    let x = mlinalg::linalg::stacked::solve(a.view(), b.view())?;
    Ok(Report::new().value("x", nd::val(x)))
}
