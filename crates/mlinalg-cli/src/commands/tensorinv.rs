//! `tensorinv A [--ind N]`: the inverse of a tensor with respect to `tensordot` over N axes
//! (NumPy `linalg.tensorinv`).

use anyhow::{Result, bail};

use crate::cli::TensorinvArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "tensorinv";

pub fn run(args: &TensorinvArgs) -> Result<Report> {
    let Ok(ind) = usize::try_from(args.ind) else {
        bail!(
            "{OP}: Invalid ind argument {}: expected a positive integer",
            args.ind
        );
    };
    let a = nd::load_finite(OP, &args.a)?;
    let inv = mlinalg::linalg::tensorinv(a.data.view(), ind)?;
    Ok(Report::new().value("inverse", a.prec.value(inv)))
}
