//! `trace A`: the sum of the main diagonal (non-square allowed, as in NumPy).

use anyhow::Result;

use crate::cli::OneInput;
use crate::input;
use crate::report::Report;

const OP: &str = "trace";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = input::matrix(OP, &args.a)?;
    Ok(Report::new().float("trace", mlinalg::ops::trace(a.view())))
}
