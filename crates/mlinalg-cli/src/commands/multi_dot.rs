//! `multi-dot A B [C…]`: the product of a chain of arrays in the cheapest order (NumPy
//! `linalg.multi_dot`); the first and last may be vectors. Computed in the common type.

use anyhow::Result;
use mlinalg::io::TypedArray;

use crate::cli::MultiDotArgs;
use crate::commands::nd::{self, Elem};
use crate::report::Report;

const OP: &str = "multi-dot";

pub fn run(args: &MultiDotArgs) -> Result<Report> {
    let inputs = args
        .arrays
        .iter()
        .map(|p| nd::load(OP, p).map(|x| x.data))
        .collect::<Result<Vec<_>>>()?;
    let complex = inputs.iter().any(TypedArray::is_complex);
    let double = inputs
        .iter()
        .any(|t| matches!(t, TypedArray::Float64(_) | TypedArray::Complex128(_)));
    let all: Vec<TypedArray> = inputs
        .into_iter()
        .map(|t| nd::to_kind(t, complex, double))
        .collect();
    match (complex, double) {
        (false, false) => go::<f32>(all),
        (false, true) => go::<f64>(all),
        (true, false) => go::<mlinalg::Complex32>(all),
        (true, true) => go::<mlinalg::Complex64>(all),
    }
}

fn go<T: Elem>(all: Vec<TypedArray>) -> Result<Report> {
    let arrays = all
        .into_iter()
        .map(nd::downcast::<T>)
        .collect::<Result<Vec<_>>>()?;
    let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
    let prod = mlinalg::linalg::multi_dot(&views)?;
    Ok(Report::new().value("product", nd::val(prod)))
}
