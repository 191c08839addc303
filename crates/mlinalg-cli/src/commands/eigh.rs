//! `eigh A [--uplo L|U]`: eigenvalues (ascending) and orthonormal eigenvectors of every
//! symmetric matrix of a stack. With `--uplo` only that triangle is read, as NumPy does;
//! without it the matrix must be symmetric.

use anyhow::Result;

use crate::cli::EighArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "eigh";

pub fn run(args: &EighArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let f = mlinalg::linalg::stacked::eigh(a.data.view(), args.uplo)?;
    Ok(Report::new()
        .value("eigenvalues", a.prec.value(f.eigenvalues))
        .value("eigenvectors", a.prec.value(f.eigenvectors)))
}
