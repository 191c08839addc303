//! `tensorsolve A B [--axes I,J]`: `x` with `tensordot(A, x, x.ndim) = B` (NumPy
//! `linalg.tensorsolve`).

use anyhow::Result;

use crate::cli::TensorsolveArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "tensorsolve";

pub fn run(args: &TensorsolveArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let b = nd::load_finite(OP, &args.b)?;
    let x = mlinalg::linalg::tensorsolve(a.data.view(), b.data.view(), args.axes.as_deref())?;
    Ok(Report::new().value("x", a.prec.join(b.prec).value(x)))
}
