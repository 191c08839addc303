//! `cosine a b`: cosine similarity and the angle in degrees.

use anyhow::Result;

use crate::cli::TwoInputs;
use crate::input;
use crate::report::Report;

const OP: &str = "cosine";

pub fn run(args: &TwoInputs) -> Result<Report> {
    let a = input::vector(OP, &args.a)?;
    let b = input::vector(OP, &args.b)?;
    let c = mlinalg::vector::cosine_similarity(a.view(), b.view())?;
    let deg = mlinalg::vector::angle_degrees(a.view(), b.view())?;
    Ok(Report::new().float("cosine", c).float("angle_degrees", deg))
}
