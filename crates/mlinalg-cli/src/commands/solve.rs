//! `solve A B`: `x` with `A x = B`, B a vector or a matrix.

use anyhow::Result;
use ndarray::{Ix1, Ix2};

use crate::cli::TwoInputs;
use crate::input;
use crate::report::Report;

const OP: &str = "solve";

pub fn run(args: &TwoInputs) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let b = input::rhs(OP, &args.b)?;
    let r = Report::new();
    Ok(if b.ndim() == 1 {
        r.array(
            "x",
            mlinalg::linalg::solve(a.view(), &b.into_dimensionality::<Ix1>()?)?,
        )
    } else {
        r.array(
            "x",
            mlinalg::linalg::solve(a.view(), &b.into_dimensionality::<Ix2>()?)?,
        )
    })
}
