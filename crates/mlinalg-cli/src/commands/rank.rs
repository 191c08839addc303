//! `rank A [--tol T]`: the number of singular values above the tolerance.

use anyhow::Result;
use mlinalg::array::{check_finite, check_nonempty};

use crate::cli::RankArgs;
use crate::input;
use crate::report::Report;

const OP: &str = "rank";

pub fn run(args: &RankArgs) -> Result<Report> {
    let a = input::dense(OP, &args.a)?;
    if a.ndim() < 2 {
        // NumPy's matrix_rank of a scalar or vector: `int(not all(A == 0))`, whatever the
        // tolerance. Empty and non-finite input are still errors, as for a matrix.
        check_nonempty(OP, &a)?;
        check_finite(OP, &a)?;
        return Ok(Report::new().int("rank", usize::from(a.iter().any(|&x| x != 0.0))));
    }
    let a = input::to_matrix(OP, a)?;
    check_nonempty(OP, &a)?;
    check_finite(OP, &a)?;
    Ok(Report::new().int("rank", mlinalg::linalg::matrix_rank(a.view(), args.tol)?))
}
