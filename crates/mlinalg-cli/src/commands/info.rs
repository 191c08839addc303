//! `info A`: shape, dtype, non-zeros, min, max and mean of any array file.
//!
//! The statistics are the library's ([`mlinalg::io::summarize`]): NumPy's to the last bit
//! (pairwise summation in memory order), computed in one parallel pass over a `.npy` file
//! as it is read. Complex data gives complex `min`, `max` and `mean` (NumPy's lexicographic
//! order; the first NaN met wins).

use anyhow::{Result, anyhow};
use mlinalg::io::SummaryValue;

use crate::cli::OneInput;
use crate::report::{Report, Value};

const OP: &str = "info";

pub fn run(args: &OneInput) -> Result<Report> {
    let s = mlinalg::io::summarize(&args.a).map_err(|e| anyhow!("{OP}: {e}"))?;
    let value = |v: SummaryValue| match v {
        SummaryValue::Real(x) => Value::Float(x),
        SummaryValue::Complex(z) => Value::Complex(z),
    };
    Ok(Report::new()
        .value("shape", Value::Shape(s.shape.clone()))
        .value("dtype", Value::Str(s.dtype.numpy_name().to_string()))
        .int("nnz", s.nnz)
        .value("min", value(s.min))
        .value("max", value(s.max))
        .value("mean", value(s.mean)))
}
