//! `matrix-power A N`: every square matrix of a stack to the integer power N (NumPy
//! `linalg.matrix_power`). The result keeps the input's dtype for N ≥ 0 (an int8 matrix
//! gives int8 powers, bool gives bool, long double stays); negative powers go through the
//! inverse, in NumPy's linalg result type (float64 for ints).

use anyhow::{Result, bail};
use mlinalg::io::Dtype;
use ndarray::ArrayD;

use crate::cli::MatrixPowerArgs;
use crate::commands::nd::{self, Elem, Input, dispatch};
use crate::report::Report;

const OP: &str = "matrix-power";

pub fn run(args: &MatrixPowerArgs) -> Result<Report> {
    let a = nd::load_any(OP, &args.a)?;
    if args.n < 0 && (a.stored == Dtype::Float16 || a.long) {
        let name = if a.long { "long double" } else { "float16" };
        bail!("{OP}: array type {name} is unsupported in linalg");
    }
    let data = a.data.clone();
    dispatch!(data, go, &a, args.n)
}

fn go<T: Elem>(a: ArrayD<T>, x: &Input, n: i128) -> Result<Report> {
    let mut p = mlinalg::linalg::matrix_power(a.view(), n)?;
    let value = if n < 0 {
        nd::val(p)
    } else {
        if x.stored == Dtype::Bool {
            // NumPy's bool @ bool is the logical or of ands.
            let one = T::from_f64(1.0);
            let zero = T::from_f64(0.0);
            p.mapv_inplace(|v| if v == zero { zero } else { one });
        }
        nd::stored_value(x, p)
    };
    Ok(Report::new().value("power", value))
}
