//! `lstsq A B [--rcond R]`: least squares with NumPy's `lstsq` results.

use anyhow::Result;
use ndarray::{Ix1, Ix2};

use crate::cli::LstsqArgs;
use crate::input;
use crate::report::Report;

const OP: &str = "lstsq";

pub fn run(args: &LstsqArgs) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let b = input::rhs(OP, &args.b)?;
    let r = Report::new();
    Ok(if b.ndim() == 1 {
        let f = mlinalg::linalg::lstsq(a.view(), &b.into_dimensionality::<Ix1>()?, args.rcond)?;
        r.array("x", f.x)
            .array("residuals", f.residuals)
            .int("rank", f.rank)
            .array("singular_values", f.singular_values)
    } else {
        let f = mlinalg::linalg::lstsq(a.view(), &b.into_dimensionality::<Ix2>()?, args.rcond)?;
        r.array("x", f.x)
            .array("residuals", f.residuals)
            .int("rank", f.rank)
            .array("singular_values", f.singular_values)
    })
}
