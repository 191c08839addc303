//! `eigvals A`: eigenvalues of every general square matrix of a stack (NumPy `eigvals`):
//! real for real input when all are real, complex otherwise.

use anyhow::Result;
use mlinalg::linalg::stacked::{self, Eig};
use ndarray::ArrayD;

use crate::cli::OneInput;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "eigvals";

pub fn run(args: &OneInput) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go)
}

fn go<T: Elem>(a: ArrayD<T>) -> Result<Report> {
    let r = Report::new();
    Ok(match stacked::eig(a.view())? {
        Eig::Real { eigenvalues, .. } => r.value("eigenvalues", nd::real::<T>(eigenvalues)),
        Eig::Complex { eigenvalues, .. } => r.value("eigenvalues", nd::complex::<T>(eigenvalues)),
        _ => anyhow::bail!("{OP}: unexpected result"),
    })
}
