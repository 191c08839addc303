//! `cond A [--p P]`: the condition number of every matrix of a stack (NumPy `linalg.cond`;
//! ∞ for a singular matrix).

use anyhow::Result;

use crate::cli::CondArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "cond";

pub fn run(args: &CondArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let c = mlinalg::linalg::stacked::cond(a.data.view(), args.p)?;
    Ok(Report::new().value("cond", a.prec.value(c)))
}
