//! `rank A [--tol T | --rtol R] [--hermitian]`: the number of singular values above the
//! tolerance, for every matrix of a stack (NumPy `linalg.matrix_rank`).

use anyhow::Result;
use mlinalg::array::check_finite;
use mlinalg::io::{Dtype, TypedArray};

use crate::cli::RankArgs;
use crate::commands::nd;
use crate::report::{Report, StoreAs, Value};

const OP: &str = "rank";

pub fn run(args: &RankArgs) -> Result<Report> {
    let a = nd::load(OP, &args.a)?;
    check_finite(OP, &a.data)?;
    if a.data.ndim() < 2 {
        // NumPy's matrix_rank of a scalar or vector: `int(not all(A == 0))`, whatever the
        // tolerance.
        return Ok(Report::new().int("rank", usize::from(a.data.iter().any(|&x| x != 0.0))));
    }
    let (m, n) = mlinalg::linalg::stacked::matrix_dims(OP, a.data.shape())?;
    // NumPy's default rtol is max(M, N) · ε of the input's precision.
    let rtol = args
        .rtol
        .or_else(|| (args.tol.is_none()).then(|| m.max(n) as f64 * a.prec.eps()));
    let r = mlinalg::linalg::stacked::matrix_rank(a.data.view(), args.tol, rtol)?;
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
