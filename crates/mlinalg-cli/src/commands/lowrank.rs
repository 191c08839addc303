//! `lowrank A -k K`: the best rank-K approximation (Eckart–Young).

use anyhow::{Result, bail};
use mlinalg::array::fmt_shape;

use crate::cli::LowrankArgs;
use crate::input;
use crate::report::Report;

const OP: &str = "lowrank";

pub fn run(args: &LowrankArgs) -> Result<Report> {
    let a = input::finite_matrix(OP, &args.a)?;
    let k = usize::try_from(args.k).unwrap_or(usize::MAX);
    // Checked here so the message names the command and its option (the library's says
    // `low_rank`).
    let kmax = a.nrows().min(a.ncols());
    if k > kmax {
        bail!(
            "{OP}: invalid -k: k={k} must be between 1 and min(n_rows, n_cols)={kmax} for shape {}",
            fmt_shape(a.shape())
        );
    }
    let f = mlinalg::linalg::low_rank(a.view(), k)?;
    Ok(Report::new()
        .array("approx", f.approx)
        .float("frobenius_error", f.frobenius_error)
        .float("energy", f.energy))
}
