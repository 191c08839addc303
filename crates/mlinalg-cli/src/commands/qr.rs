//! `qr A [--mode reduced|complete|r|raw]`: `A = Q R` for every matrix of a stack (NumPy
//! `linalg.qr`'s four modes; `raw` for real float64 input).

use anyhow::{Result, bail};
use mlinalg::io::TypedArray;
use mlinalg::linalg::{QrMode, stacked};
use ndarray::ArrayD;

use crate::cli::{QrArgs, QrModeArg};
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "qr";

pub fn run(args: &QrArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?.data;
    if matches!(args.mode, QrModeArg::Raw) {
        let TypedArray::Float64(a) = a else {
            bail!(
                "{OP}: --mode raw supports float64 input only, got {}",
                a.dtype().numpy_name()
            );
        };
        let (h, tau) = stacked::qr_raw(a.view())?;
        return Ok(Report::new()
            .value("h", nd::val(h))
            .value("tau", nd::val(tau)));
    }
    dispatch!(a, go, args.mode)
}

fn go<T: Elem>(a: ArrayD<T>, mode: QrModeArg) -> Result<Report> {
    let r = Report::new();
    Ok(match mode {
        QrModeArg::R | QrModeArg::Raw => {
            let f = stacked::qr(a.view(), QrMode::Reduced)?;
            r.value("r", nd::val(f.r))
        }
        QrModeArg::Reduced | QrModeArg::Complete => {
            let mode = if matches!(mode, QrModeArg::Complete) {
                QrMode::Complete
            } else {
                QrMode::Reduced
            };
            let f = stacked::qr(a.view(), mode)?;
            r.value("q", nd::val(f.q)).value("r", nd::val(f.r))
        }
    })
}
