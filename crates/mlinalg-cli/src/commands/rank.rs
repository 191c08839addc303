//! `rank A [--tol T | --rtol R] [--hermitian]`: the number of singular values above the
//! tolerance, for every matrix of a stack (NumPy `linalg.matrix_rank`).

use anyhow::Result;
use mlinalg::io::{Dtype, TypedArray};
use ndarray::ArrayD;

use crate::cli::RankArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::report::{Report, StoreAs, Value};

const OP: &str = "rank";

pub fn run(args: &RankArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    if a.data.ndim() < 2 {
        // NumPy's matrix_rank of a scalar or vector: `int(not all(A == 0))`, whatever the
        // tolerance.
        let nonzero = match &a.data {
            TypedArray::Float32(x) => x.iter().any(|&v| v != 0.0),
            TypedArray::Float64(x) => x.iter().any(|&v| v != 0.0),
            TypedArray::Complex64(x) => x.iter().any(|v| v.re != 0.0 || v.im != 0.0),
            TypedArray::Complex128(x) => x.iter().any(|v| v.re != 0.0 || v.im != 0.0),
        };
        return Ok(Report::new().int("rank", usize::from(nonzero)));
    }
    dispatch!(a.data, go, args.tol, args.rtol)
}

fn go<T: Elem>(a: ArrayD<T>, tol: Option<f64>, rtol: Option<f64>) -> Result<Report> {
    // NumPy's default rtol is max(M, N) · ε of the input's precision (the library's default).
    let r = mlinalg::linalg::stacked::matrix_rank(a.view(), tol, rtol)?;
    if r.ndim() == 0 {
        return Ok(Report::new().int("rank", r.iter().copied().next().unwrap_or(0)));
    }
    // A stack: an int64 array (NumPy's intp).
    let v = r.mapv(|x| x as f64);
    Ok(Report::new().value(
        "rank",
        Value::Stored(TypedArray::Float64(v), StoreAs::Dtype(Dtype::Int64)),
    ))
}
