//! `inv A`: the inverse of every square matrix of a stack `(..., M, M)`.

use anyhow::Result;

use crate::cli::OneInput;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "inv";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let inv = mlinalg::linalg::stacked::inv(a.data.view())?;
    Ok(Report::new().value("inverse", a.prec.value(inv)))
}
