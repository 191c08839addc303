//! `tensordot A B [--axes N | --axes I,J:K,L]`: the tensor dot product (NumPy `tensordot`).

use anyhow::Result;
use mlinalg::io::TypedArray;
use mlinalg::linalg::TensordotAxes;
use ndarray::ArrayD;

use crate::cli::TensordotArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "tensordot";

pub fn run(args: &TensordotArgs) -> Result<Report> {
    let a = nd::load_any(OP, &args.a)?;
    let b = nd::load_any(OP, &args.b)?;
    let (a, b) = nd::promote(a.data, b.data);
    dispatch!(a, go, b, &args.axes)
}

fn go<T: Elem>(a: ArrayD<T>, b: TypedArray, axes: &TensordotAxes) -> Result<Report> {
    let b = nd::downcast::<T>(b)?;
    let p = mlinalg::linalg::tensordot(a.view(), b.view(), axes)?;
    Ok(Report::new().value("product", nd::val(p)))
}
