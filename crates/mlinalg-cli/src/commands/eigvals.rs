//! `eigvals A`: eigenvalues of every general square matrix of a stack (NumPy `eigvals`):
//! real when all are real, complex otherwise.

use anyhow::Result;
use mlinalg::linalg::stacked::{self, Eig};

use crate::cli::OneInput;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "eigvals";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let r = Report::new();
    Ok(match stacked::eig(a.data.view())? {
        Eig::Real { eigenvalues, .. } => r.value("eigenvalues", a.prec.value(eigenvalues)),
        Eig::Complex { eigenvalues, .. } => {
            r.value("eigenvalues", a.prec.complex_value(eigenvalues))
        }
        _ => anyhow::bail!("{OP}: unexpected result"),
    })
}
