//! `pca X [-k K] [--solver S] [--seed S]`: scikit-learn's `PCA`.

use anyhow::{Result, bail};
use mlinalg::decomposition::{FittedPca, Pca, PcaSolver};
use mlinalg::persistence::Estimator;

use crate::cli::{PcaArgs, PcaSolverArg};
use crate::input;
use crate::output::plot;
use crate::report::Report;
use crate::streaming;

const OP: &str = "pca";

pub fn run(args: &PcaArgs) -> Result<Report> {
    // A --plot name that cannot be an SVG file is found before any work is done.
    if let Some(path) = &args.plot {
        plot::check_path(OP, path)?;
    }
    if let Some(path) = &args.save {
        super::model::check_save_path(OP, path)?;
    }
    let solver = match args.solver {
        PcaSolverArg::Auto => PcaSolver::Auto,
        PcaSolverArg::Eigh => PcaSolver::CovarianceEigh,
        PcaSolverArg::Svd => PcaSolver::Svd,
        PcaSolverArg::Randomized => PcaSolver::Randomized,
    };
    if crate::engine::requested(&args.engine) {
        if args.plot.is_some() {
            bail!(
                "{OP}: --plot needs the transformed data in memory: not available with --engine/--cluster"
            );
        }
        return crate::engine::pca(OP, &args.engine, &args.x, args.k);
    }
    let k = args.k.map(|k| usize::try_from(k).unwrap_or(usize::MAX));
    let model = Pca::new(k).solver(solver).seed(args.seed);
    if let Some(mut plan) = streaming::plan(OP, &args.x, args.memory_limit)? {
        // Larger than the memory limit: streamed in row blocks, the same results; the
        // transformed data go only to --out-dir, written block by block.
        if args.plot.is_some() {
            bail!(
                "{OP}: --plot needs the transformed data in memory: not available when the input is streamed (larger than --memory-limit)"
            );
        }
        let fit = model.fit_stream(plan.source.as_mut(), &plan.opts)?;
        if let Some(dir) = &args.output.out_dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("{OP}: {}: {e}", dir.display()))?;
            fit.transform_stream(
                plan.source.as_mut(),
                &dir.join("transformed.npy"),
                &plan.opts,
            )?;
        }
        return saved(summary(&fit), fit, args);
    }
    if let Some(x) = input::float32_matrix(OP, &args.x)? {
        // float32 data are fitted in single precision and every result is float32, as
        // scikit-learn's PCA keeps the dtype of X.
        let fit = model.fit(x.view())?;
        let transformed = fit.transform(x.view())?;
        let mut report = summary32(&fit).value("transformed", input::f32_value(transformed));
        if let Some(path) = &args.save {
            let save = |p: &std::path::Path| fit.save(p);
            super::model::save_f32(OP, Estimator::Pca, save, path, &mut report)?;
        }
        return Ok(report);
    }
    let x = input::finite_matrix(OP, &args.x)?;
    let fit = model.fit(x.view())?;
    // The contract's `(X − mean) · componentsᵀ` for every solver: `fit_transform` returns
    // U·S, which the randomized solver only approximates (to ~1e-5).
    let transformed = fit.transform(x.view())?;
    saved(summary(&fit).array("transformed", transformed), fit, args)
}

/// Saves the model if `--save` asks to.
fn saved(mut report: Report, fit: FittedPca, args: &PcaArgs) -> Result<Report> {
    if let Some(path) = &args.save {
        super::model::save(OP, &fit.into(), path, &mut report)?;
    }
    Ok(report)
}

/// Every result but `transformed`.
fn summary(fit: &FittedPca) -> Report {
    Report::new()
        .array("components", fit.components().clone())
        .array("explained_variance", fit.explained_variance().clone())
        .array(
            "explained_variance_ratio",
            fit.explained_variance_ratio().clone(),
        )
        .array("singular_values", fit.singular_values().clone())
        .array("mean", fit.mean().clone())
}

/// [`summary`] of a single-precision fit, every array float32.
fn summary32(fit: &FittedPca<f32>) -> Report {
    Report::new()
        .value("components", input::f32_value(fit.components().clone()))
        .value(
            "explained_variance",
            input::f32_value(fit.explained_variance().clone()),
        )
        .value(
            "explained_variance_ratio",
            input::f32_value(fit.explained_variance_ratio().clone()),
        )
        .value(
            "singular_values",
            input::f32_value(fit.singular_values().clone()),
        )
        .value("mean", input::f32_value(fit.mean().clone()))
}
