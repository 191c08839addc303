//! `outer a b`: the outer product `a bᵀ`.

use anyhow::Result;

use crate::cli::TwoInputs;
use crate::input;
use crate::report::Report;

const OP: &str = "outer";

pub fn run(args: &TwoInputs) -> Result<Report> {
    let a = input::vector(OP, &args.a)?;
    let b = input::vector(OP, &args.b)?;
    mlinalg::array::checked_len(OP, &[a.len(), b.len()])?;
    Ok(Report::new().array("outer", mlinalg::ops::outer(a.view(), b.view())))
}
