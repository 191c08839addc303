//! `multi-dot A B [C…]`: the product of a chain of arrays in the cheapest order (NumPy
//! `linalg.multi_dot`); the first and last may be vectors.

use anyhow::Result;

use crate::cli::MultiDotArgs;
use crate::commands::nd;
use crate::report::Report;

const OP: &str = "multi-dot";

pub fn run(args: &MultiDotArgs) -> Result<Report> {
    let inputs = args
        .arrays
        .iter()
        .map(|p| nd::load(OP, p))
        .collect::<Result<Vec<_>>>()?;
    let prec = inputs.iter().fold(nd::Prec::F32, |p, x| p.join(x.prec));
    let views: Vec<_> = inputs.iter().map(|x| x.data.view()).collect();
    let prod = mlinalg::linalg::multi_dot(&views)?;
    Ok(Report::new().value("product", prec.value(prod)))
}
