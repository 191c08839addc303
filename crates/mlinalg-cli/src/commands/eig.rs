//! `eig A`: eigenvalues and eigenvectors of every general square matrix of a stack; real
//! arrays when every eigenvalue is real, complex arrays otherwise (NumPy's dtype switch).

use anyhow::Result;
use mlinalg::linalg::stacked::{self, Eig};

use crate::cli::OneInput;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "eig";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let r = Report::new();
    Ok(match stacked::eig(a.data.view())? {
        Eig::Real {
            eigenvalues,
            eigenvectors,
        } => r
            .value("eigenvalues", a.prec.value(eigenvalues))
            .value("eigenvectors", a.prec.value(eigenvectors)),
        Eig::Complex {
            eigenvalues,
            eigenvectors,
        } => r
            .value("eigenvalues", a.prec.complex_value(eigenvalues))
            .value("eigenvectors", a.prec.complex_value(eigenvectors)),
        _ => anyhow::bail!("{OP}: unexpected result"),
    })
}
