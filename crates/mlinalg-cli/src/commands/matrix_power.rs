//! `matrix-power A N`: every square matrix of a stack to the integer power N (NumPy
//! `linalg.matrix_power`). The result keeps the input's dtype for N ≥ 0 (an int8 matrix
//! gives int8 powers, bool gives bool); negative powers go through the inverse and are
//! float64 (float32 for float32 input).

use anyhow::{Result, bail};
use mlinalg::io::Dtype;

use crate::cli::MatrixPowerArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "matrix-power";

pub fn run(args: &MatrixPowerArgs) -> Result<Report> {
    let a = nd::load_any(OP, &args.a)?;
    if args.n < 0 && (a.stored == Dtype::Float16 || a.long) {
        let name = if a.long { "float128" } else { "float16" };
        bail!("{OP}: array type {name} is unsupported in linalg");
    }
    let mut p = mlinalg::linalg::matrix_power(a.data.view(), args.n)?;
    let value = if args.n < 0 {
        a.prec.value(p)
    } else {
        if a.stored == Dtype::Bool {
            // NumPy's bool @ bool is the logical or of ands.
            p.mapv_inplace(|x| f64::from(u8::from(x != 0.0)));
        }
        nd::stored_value(&a, p)
    };
    Ok(Report::new().value("power", value))
}
