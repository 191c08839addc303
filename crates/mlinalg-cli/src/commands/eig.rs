//! `eig A`: eigenvalues and eigenvectors of a general matrix; real arrays when every
//! eigenvalue is real, complex arrays otherwise (NumPy's dtype switch).

use anyhow::Result;
use mlinalg::linalg::Eig;

use crate::cli::OneInput;
use crate::input;
use crate::report::Report;

const OP: &str = "eig";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let r = Report::new();
    Ok(match mlinalg::linalg::eig(a.view())? {
        Eig::Real {
            eigenvalues,
            eigenvectors,
        } => r
            .array("eigenvalues", eigenvalues)
            .array("eigenvectors", eigenvectors),
        other => r
            .complex("eigenvalues", other.eigenvalues_complex())
            .complex("eigenvectors", other.eigenvectors_complex()),
    })
}
