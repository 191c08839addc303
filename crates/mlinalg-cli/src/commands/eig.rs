//! `eig A`: eigenvalues and eigenvectors of every general square matrix of a stack; for real
//! input real arrays when every eigenvalue is real, complex arrays otherwise (NumPy's dtype
//! switch); complex input gives complex arrays.

use anyhow::Result;
use mlinalg::linalg::stacked::{self, Eig};
use ndarray::ArrayD;

use crate::cli::OneInput;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "eig";

pub fn run(args: &OneInput) -> Result<Report> {
    dispatch!(nd::load_finite(OP, &args.a)?.data, go)
}

fn go<T: Elem>(a: ArrayD<T>) -> Result<Report> {
    let r = Report::new();
    Ok(match stacked::eig(a.view())? {
        Eig::Real {
            eigenvalues,
            eigenvectors,
        } => r
            .value("eigenvalues", nd::real::<T>(eigenvalues))
            .value("eigenvectors", nd::real::<T>(eigenvectors)),
        Eig::Complex {
            eigenvalues,
            eigenvectors,
        } => r
            .value("eigenvalues", nd::complex::<T>(eigenvalues))
            .value("eigenvectors", nd::complex::<T>(eigenvectors)),
        _ => anyhow::bail!("{OP}: unexpected result"),
    })
}
