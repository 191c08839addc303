//! `tensorsolve A B [--axes I,J]`: `x` with `tensordot(A, x, x.ndim) = B` (NumPy
//! `linalg.tensorsolve`).

use anyhow::Result;
use mlinalg::io::TypedArray;
use ndarray::ArrayD;

use crate::cli::TensorsolveArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "tensorsolve";

pub fn run(args: &TensorsolveArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let b = nd::load_finite(OP, &args.b)?;
    let (a, b) = nd::promote(a.data, b.data);
    dispatch!(a, go, b, args.axes.as_deref())
}

fn go<T: Elem>(a: ArrayD<T>, b: TypedArray, axes: Option<&[isize]>) -> Result<Report> {
    let b = nd::downcast::<T>(b)?;
    let x = mlinalg::linalg::tensorsolve(a.view(), b.view(), axes)?;
    Ok(Report::new().value("x", nd::val(x)))
}
