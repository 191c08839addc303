//! `eigvalsh A [--uplo L|U]`: ascending (real) eigenvalues of every symmetric (Hermitian)
//! matrix of a stack.

use anyhow::Result;
use mlinalg::linalg::stacked::Uplo;
use ndarray::ArrayD;

use crate::cli::EighArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "eigvalsh";

pub fn run(args: &EighArgs) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go, args.uplo)
}

fn go<T: Elem>(a: ArrayD<T>, uplo: Option<Uplo>) -> Result<Report> {
    let w = mlinalg::linalg::stacked::eigvalsh(a.view(), uplo)?;
    Ok(Report::new().value("eigenvalues", nd::real::<T>(w)))
}
