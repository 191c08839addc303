//! `trace A [--offset K]`: the sum of the (offset) diagonal of every matrix of a stack
//! (non-square allowed, as in NumPy; 0 for an empty diagonal).

use anyhow::Result;

use crate::cli::OffsetArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "trace";

pub fn run(args: &OffsetArgs) -> Result<Report> {
    let a = nd::load(OP, &args.a)?;
    let t = mlinalg::linalg::trace(a.data.view(), args.offset)?;
    Ok(Report::new().value("trace", nd::stored_value(&a, t)))
}
