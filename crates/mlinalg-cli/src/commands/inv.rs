//! `inv A`: the inverse of a square matrix.

use anyhow::Result;

use crate::cli::OneInput;
use crate::input;
use crate::report::Report;

const OP: &str = "inv";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    Ok(Report::new().array("inverse", mlinalg::linalg::inv(a.view())?))
}
