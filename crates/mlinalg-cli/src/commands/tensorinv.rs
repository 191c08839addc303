//! `tensorinv A [--ind N]`: the inverse of a tensor with respect to `tensordot` over N axes
//! (NumPy `linalg.tensorinv`).

use anyhow::{Result, bail};
use ndarray::ArrayD;

use crate::cli::TensorinvArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "tensorinv";

pub fn run(args: &TensorinvArgs) -> Result<Report> {
    let Ok(ind) = usize::try_from(args.ind) else {
        bail!(
            "{OP}: Invalid ind argument {}: expected a positive integer",
            args.ind
        );
    };
    dispatch!(nd::load_finite(OP, &args.a)?.data, go, ind)
}

fn go<T: Elem>(a: ArrayD<T>, ind: usize) -> Result<Report> {
    let inv = mlinalg::linalg::tensorinv(a.view(), ind)?;
    Ok(Report::new().value("inverse", nd::val(inv)))
}
