//! `eigh A [--uplo L|U]`: eigenvalues (ascending, real) and orthonormal eigenvectors of every
//! symmetric (Hermitian) matrix of a stack. With `--uplo` only that triangle is read, as
//! NumPy does; without it the matrix must be symmetric.

use anyhow::Result;
use mlinalg::linalg::stacked::Uplo;
use ndarray::ArrayD;

use crate::cli::EighArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "eigh";

pub fn run(args: &EighArgs) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go, args.uplo)
}

fn go<T: Elem>(a: ArrayD<T>, uplo: Option<Uplo>) -> Result<Report> {
    let f = mlinalg::linalg::stacked::eigh(a.view(), uplo)?;
    Ok(Report::new()
        .value("eigenvalues", nd::real::<T>(f.eigenvalues))
        .value("eigenvectors", nd::val(f.eigenvectors)))
}
