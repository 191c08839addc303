//! `check A`: symmetric, orthogonal, positive definite (NumPy `allclose` tolerances).

use anyhow::Result;
use mlinalg::linalg::{is_orthogonal, is_positive_definite, is_symmetric};

use crate::cli::OneInput;
use crate::input;
use crate::report::Report;

const OP: &str = "check";

pub fn run(args: &OneInput) -> Result<Report> {
    // A non-square matrix is simply none of the three; only a non-matrix is an error.
    let a = input::matrix(OP, &args.a)?;
    Ok(Report::new()
        .bool("symmetric", is_symmetric(a.view()))
        .bool("orthogonal", is_orthogonal(a.view()))
        .bool("positive_definite", is_positive_definite(a.view())))
}
