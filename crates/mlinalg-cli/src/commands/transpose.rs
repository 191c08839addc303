//! `transpose A`: the axes reversed (NumPy `.T`); a 1-d array is returned as it is.

use anyhow::Result;

use crate::cli::OneInput;
use crate::input;
use crate::report::Report;

const OP: &str = "transpose";

pub fn run(args: &OneInput) -> Result<Report> {
    // Empty arrays are fine here, as in NumPy: (0, 3) becomes (3, 0).
    let a = input::dense(OP, &args.a)?;
    Ok(Report::new().array("transpose", mlinalg::ops::transpose(a.view())))
}
