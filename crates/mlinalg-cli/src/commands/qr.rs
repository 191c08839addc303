//! `qr A [--mode reduced|complete|r|raw]`: `A = Q R` for every matrix of a stack (NumPy
//! `linalg.qr`'s four modes).

use anyhow::Result;
use mlinalg::linalg::{QrMode, stacked};

use crate::cli::{QrArgs, QrModeArg};
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "qr";

pub fn run(args: &QrArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let p = a.prec;
    let r = Report::new();
    Ok(match args.mode {
        QrModeArg::Raw => {
            let (h, tau) = stacked::qr_raw(a.data.view())?;
            r.value("h", p.value(h)).value("tau", p.value(tau))
        }
        QrModeArg::R => {
            let f = stacked::qr(a.data.view(), QrMode::Reduced)?;
            r.value("r", p.value(f.r))
        }
        QrModeArg::Reduced | QrModeArg::Complete => {
            let mode = if matches!(args.mode, QrModeArg::Complete) {
                QrMode::Complete
            } else {
                QrMode::Reduced
            };
            let f = stacked::qr(a.data.view(), mode)?;
            r.value("q", p.value(f.q)).value("r", p.value(f.r))
        }
    })
}
