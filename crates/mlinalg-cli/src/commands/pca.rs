//! `pca X [-k K] [--solver S] [--seed S]`: scikit-learn's `PCA`.

use anyhow::Result;
use mlinalg::decomposition::{Pca, PcaSolver};

use crate::cli::{PcaArgs, PcaSolverArg};
use crate::input;
use crate::output::plot;
use crate::report::Report;

const OP: &str = "pca";

pub fn run(args: &PcaArgs) -> Result<Report> {
    // A --plot name that cannot be an SVG file is found before any work is done.
    if let Some(path) = &args.plot {
        plot::check_path(OP, path)?;
    }
    let x = input::finite_matrix(OP, &args.x)?;
    let solver = match args.solver {
        PcaSolverArg::Auto => PcaSolver::Auto,
        PcaSolverArg::Eigh => PcaSolver::CovarianceEigh,
        PcaSolverArg::Svd => PcaSolver::Svd,
        PcaSolverArg::Randomized => PcaSolver::Randomized,
    };
    let k = args.k.map(|k| usize::try_from(k).unwrap_or(usize::MAX));
    let fit = Pca::new(k).solver(solver).seed(args.seed).fit(x.view())?;
    // The contract's `(X − mean) · componentsᵀ` for every solver: `fit_transform` returns
    // U·S, which the randomized solver only approximates (to ~1e-5).
    let transformed = fit.transform(x.view())?;
    Ok(Report::new()
        .array("components", fit.components().clone())
        .array("explained_variance", fit.explained_variance().clone())
        .array(
            "explained_variance_ratio",
            fit.explained_variance_ratio().clone(),
        )
        .array("singular_values", fit.singular_values().clone())
        .array("mean", fit.mean().clone())
        .array("transformed", transformed))
}
