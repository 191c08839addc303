//! `tensordot A B [--axes N | --axes I,J:K,L]`: the tensor dot product (NumPy `tensordot`).

use anyhow::Result;

use crate::cli::TensordotArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "tensordot";

pub fn run(args: &TensordotArgs) -> Result<Report> {
    let a = nd::load_any(OP, &args.a)?;
    let b = nd::load_any(OP, &args.b)?;
    let p = mlinalg::linalg::tensordot(a.data.view(), b.data.view(), &args.axes)?;
    Ok(Report::new().value("product", a.prec.join(b.prec).value(p)))
}
