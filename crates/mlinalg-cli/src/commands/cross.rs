//! `cross A B [--axis K]`: cross products of (arrays of) 3-vectors (NumPy `linalg.cross`).

use anyhow::Result;
use mlinalg::io::TypedArray;
use ndarray::ArrayD;

use crate::cli::CrossArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::Report;

const OP: &str = "cross";

pub fn run(args: &CrossArgs) -> Result<Report> {
    let a = nd::load_any(OP, &args.a)?;
    let b = nd::load_any(OP, &args.b)?;
    let (a, b) = nd::promote(a.data, b.data);
    dispatch!(a, go, b, args.axis)
}

fn go<T: Elem>(a: ArrayD<T>, b: TypedArray, axis: isize) -> Result<Report> {
    let b = nd::downcast::<T>(b)?;
    let c = mlinalg::linalg::cross(a.view(), b.view(), axis)?;
    Ok(Report::new().value("cross", nd::val(c)))
}
