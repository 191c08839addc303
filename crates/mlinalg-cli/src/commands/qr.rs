//! `qr A [--mode reduced|complete]`: `A = Q R`.

use anyhow::Result;
use mlinalg::linalg::QrMode;

use crate::cli::{QrArgs, QrModeArg};
use crate::input;
use crate::report::Report;

const OP: &str = "qr";

pub fn run(args: &QrArgs) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let mode = match args.mode {
        QrModeArg::Reduced => QrMode::Reduced,
        QrModeArg::Complete => QrMode::Complete,
    };
    let f = mlinalg::linalg::qr(a.view(), mode)?;
    let (q, mut r) = (f.q, f.r);
    // NumPy's complete mode returns R as (m, n): zero rows below the n × n triangle of a
    // tall matrix. Pad if the library returned only the square part.
    if r.nrows() < q.ncols() {
        let mut full = ndarray::Array2::zeros((q.ncols(), r.ncols()));
        full.slice_mut(ndarray::s![..r.nrows(), ..]).assign(&r);
        r = full;
    }
    Ok(Report::new().array("q", q).array("r", r))
}
