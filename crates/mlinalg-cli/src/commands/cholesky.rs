//! `cholesky A`: the lower factor `L` with `A = L Lᵀ`.

use anyhow::Result;

use crate::cli::OneInput;
use crate::input;
use crate::report::Report;

const OP: &str = "cholesky";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    Ok(Report::new().array("l", mlinalg::linalg::cholesky(a.view())?))
}
