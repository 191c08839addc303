//! `diagonal A [--offset K]`: the (offset) diagonal of every matrix of a stack (NumPy
//! `linalg.diagonal`).

use anyhow::Result;

use crate::cli::OffsetArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "diagonal";

pub fn run(args: &OffsetArgs) -> Result<Report> {
    let a = nd::load_any(OP, &args.a)?;
    let d = mlinalg::linalg::diagonal(a.data.view(), args.offset)?;
    Ok(Report::new().value("diagonal", nd::stored_value(&a, d)))
}
