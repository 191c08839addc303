//! `lowrank A -k K`: the best rank-K approximation (Eckart–Young).

use anyhow::Result;

use crate::cli::LowrankArgs;
use crate::input;
use crate::report::Report;

const OP: &str = "lowrank";

pub fn run(args: &LowrankArgs) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let k = usize::try_from(args.k).unwrap_or(usize::MAX);
    let f = mlinalg::linalg::low_rank(a.view(), k)?;
    Ok(Report::new()
        .array("approx", f.approx)
        .float("frobenius_error", f.frobenius_error)
        .float("energy", f.energy))
}
