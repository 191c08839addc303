//! `diagonal A [--offset K]`: the (offset) diagonal of every matrix of a stack (NumPy
//! `linalg.diagonal`), in the input's dtype.

use anyhow::Result;
use ndarray::ArrayD;

use crate::cli::OffsetArgs;
use crate::commands::nd::{self, Elem, Input, dispatch};
use crate::report::Report;

const OP: &str = "diagonal";

pub fn run(args: &OffsetArgs) -> Result<Report> {
    let a = nd::load_any(OP, &args.a)?;
    let data = a.data.clone();
    dispatch!(data, go, &a, args.offset)
}

fn go<T: Elem>(a: ArrayD<T>, x: &Input, offset: isize) -> Result<Report> {
    let d = mlinalg::linalg::diagonal(a.view(), offset)?;
    Ok(Report::new().value("diagonal", nd::stored_value(x, d)))
}
