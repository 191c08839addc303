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
    Ok(Report::new().array("q", f.q).array("r", f.r))
}
