//! `eigh A`: eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix.

use anyhow::Result;

use crate::cli::OneInput;
use crate::input;
use crate::report::Report;

const OP: &str = "eigh";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let f = mlinalg::linalg::eigh(a.view())?;
    Ok(Report::new()
        .array("eigenvalues", f.eigenvalues)
        .array("eigenvectors", f.eigenvectors))
}
