//! `transpose A`: the axes reversed (NumPy `.T`); a 1-d array is returned as it is.
//!
//! The array keeps its dtype (float32, complex, …) and is never copied: reversing the axes
//! of the array as read is a change of strides, and `--out` writes the result as `np.save`
//! writes `a.T` — in Fortran order, straight from the memory of the array read — so the
//! command's peak memory is the input's size.

use anyhow::{Result, anyhow};

use crate::cli::OneInput;
use crate::report::{Report, Value};

const OP: &str = "transpose";

pub fn run(args: &OneInput) -> Result<Report> {
    // Empty arrays are fine here, as in NumPy: (0, 3) becomes (3, 0).
    let a = mlinalg::io::load_typed(&args.a).map_err(|e| anyhow!("{OP}: {e}"))?;
    Ok(Report::new().value("transpose", Value::Typed(a.data.reversed_axes())))
}
