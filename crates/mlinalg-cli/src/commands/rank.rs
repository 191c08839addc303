//! `rank A [--tol T]`: the number of singular values above the tolerance.

use anyhow::Result;

use crate::cli::RankArgs;
use crate::input;
use crate::report::Report;

const OP: &str = "rank";

pub fn run(args: &RankArgs) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    Ok(Report::new().int("rank", mlinalg::linalg::matrix_rank(a.view(), args.tol)?))
}
