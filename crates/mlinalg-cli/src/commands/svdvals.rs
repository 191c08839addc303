//! `svdvals A`: singular values (descending) of every matrix of a stack.

use anyhow::Result;

use crate::cli::OneInput;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "svdvals";

pub fn run(args: &OneInput) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let s = mlinalg::linalg::stacked::svdvals(a.data.view())?;
    Ok(Report::new().value("s", a.prec.value(s)))
}
