//! `info A`: shape, dtype, non-zeros, min, max and mean of any array file.

use anyhow::Result;
use ndarray::ArrayD;

use crate::cli::OneInput;
use crate::input::{self, Operand};
use crate::report::{Report, Value};

const OP: &str = "info";

pub fn run(args: &OneInput) -> Result<Report> {
    match input::load(OP, &args.a)? {
        Operand::Dense(d) => {
            let a = &d.data;
            // NumPy's count_nonzero: NaN is not zero, so it counts.
            let nnz = a.iter().filter(|&&x| x != 0.0).count();
            let (min, max, mean) = stats(a);
            Ok(Report::new()
                .value("shape", Value::Shape(a.shape().to_vec()))
                .value("dtype", Value::Str(d.dtype.numpy_name().to_string()))
                .int("nnz", nnz)
                .float("min", min)
                .float("max", max)
                .float("mean", mean))
        }
        Operand::Sparse { matrix, dtype } => {
            let (nrows, ncols) = (matrix.nrows(), matrix.ncols());
            let empty = nrows == 0 || ncols == 0;
            // Over all nrows × ncols entries, implicit zeros included (scipy's .min(), .max(),
            // .mean()); an empty matrix has none, so NaN as for an empty dense array.
            let (min, max, mean) = if empty {
                (f64::NAN, f64::NAN, f64::NAN)
            } else {
                (matrix.min(), matrix.max(), matrix.mean())
            };
            Ok(Report::new()
                .value("shape", Value::Shape(vec![nrows, ncols]))
                .value("dtype", Value::Str(dtype.numpy_name().to_string()))
                .int("nnz", matrix.nnz())
                .float("min", min)
                .float("max", max)
                .float("mean", mean))
        }
    }
}

/// Min, max and mean with NumPy's NaN propagation; NaN for an empty array (where NumPy's
/// `min` raises and `mean` warns and returns NaN).
fn stats(a: &ArrayD<f64>) -> (f64, f64, f64) {
    if a.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    let mut sum = 0.0;
    for &x in a {
        if x.is_nan() || min.is_nan() {
            min = f64::NAN;
            max = f64::NAN;
        } else {
            min = min.min(x);
            max = max.max(x);
        }
        sum += x;
    }
    (min, max, sum / a.len() as f64)
}
