//! `outer a b`: the outer product `a bᵀ`; inputs of any dimension are flattened first (in C
//! order), as NumPy's `outer` does.

use std::path::Path;

use anyhow::Result;
use mlinalg::array::check_nonempty;
use ndarray::Array1;

use crate::cli::TwoInputs;
use crate::input;
use crate::report::Report;

const OP: &str = "outer";

pub fn run(args: &TwoInputs) -> Result<Report> {
    let a = flattened(&args.a)?;
    let b = flattened(&args.b)?;
    mlinalg::array::checked_len(OP, &[a.len(), b.len()])?;
    Ok(Report::new().array("outer", mlinalg::ops::outer(a.view(), b.view())))
}

/// The non-empty array in `path`, flattened in C order.
fn flattened(path: &Path) -> Result<Array1<f64>> {
    let a = input::dense(OP, path)?;
    check_nonempty(OP, &a)?;
    Ok(a.into_iter().collect())
}
