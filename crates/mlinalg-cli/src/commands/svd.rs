//! `svd A [--full]`: `A = U Σ Vᵀ` for every matrix of a stack, singular values descending;
//! empty matrices give NumPy's identity factors.

use anyhow::Result;

use crate::cli::SvdArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "svd";

pub fn run(args: &SvdArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let f = mlinalg::linalg::stacked::svd(a.data.view(), args.full)?;
    Ok(Report::new()
        .value("u", a.prec.value(f.u))
        .value("s", a.prec.value(f.s))
        .value("vt", a.prec.value(f.vt)))
}
