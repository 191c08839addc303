//! `cross A B [--axis K]`: cross products of (arrays of) 3-vectors (NumPy `linalg.cross`).

use anyhow::Result;

use crate::cli::CrossArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "cross";

pub fn run(args: &CrossArgs) -> Result<Report> {
    let a = nd::load_any(OP, &args.a)?;
    let b = nd::load_any(OP, &args.b)?;
    let c = mlinalg::linalg::cross(a.data.view(), b.data.view(), args.axis)?;
    Ok(Report::new().value("cross", a.prec.join(b.prec).value(c)))
}
