//! `tsvd X [-k K] [--iters N] [--seed S] [--algorithm A]`: scikit-learn's `TruncatedSVD`
//! (no centring). A `.mtx` input is fitted and transformed sparse, never densified.

use anyhow::{Result, anyhow, bail};
use mlinalg::array::{check_finite, check_nonempty, fmt_shape};
use mlinalg::decomposition::{FittedTruncatedSvd, TruncatedSvd, TruncatedSvdAlgorithm};
use mlinalg::io::Dtype;
use mlinalg::persistence::Estimator;

use crate::cli::{TsvdAlgorithmArg, TsvdArgs};
use crate::input::{self, Operand, f32_value};
use crate::output::plot;
use crate::report::Report;
use crate::streaming;

const OP: &str = "tsvd";

pub fn run(args: &TsvdArgs) -> Result<Report> {
    // A --plot name that cannot be an SVG file is found before any work is done.
    if let Some(path) = &args.plot {
        plot::check_path(OP, path)?;
    }
    if let Some(path) = &args.save {
        super::model::check_save_path(OP, path)?;
    }
    let algorithm = match args.algorithm {
        TsvdAlgorithmArg::Randomized => TruncatedSvdAlgorithm::Randomized,
        TsvdAlgorithmArg::Exact => TruncatedSvdAlgorithm::Exact,
    };
    let k = usize::try_from(args.k).unwrap_or(usize::MAX);
    let iters = usize::try_from(args.iters).unwrap_or(usize::MAX);
    let model = TruncatedSvd::new(k)
        .algorithm(algorithm)
        .n_iter(iters)
        .seed(args.seed);
    if let Some(mut plan) = streaming::plan(OP, &args.x, args.memory_limit)? {
        // Larger than the memory limit: streamed in row blocks; the transformed data go
        // only to --out-dir, written block by block.
        if args.plot.is_some() {
            bail!(
                "{OP}: --plot needs the transformed data in memory: not available when the input is streamed (larger than --memory-limit)"
            );
        }
        let fit = model.fit_stream(plan.source.as_mut(), &plan.opts)?;
        if let Some(dir) = &args.output.out_dir {
            std::fs::create_dir_all(dir).map_err(|e| anyhow!("{OP}: {}: {e}", dir.display()))?;
            fit.transform_stream(
                plan.source.as_mut(),
                &dir.join("transformed.npy"),
                &plan.opts,
            )?;
        }
        return saved(summary(&fit), fit, args);
    }
    if let Some(mut plan) = streaming::plan_sparse(OP, &args.x, args.memory_limit)? {
        // A sparse matrix larger than the limit: CSR row blocks, never densified.
        if args.plot.is_some() {
            bail!(
                "{OP}: --plot needs the transformed data in memory: not available when the input is streamed (larger than --memory-limit)"
            );
        }
        if args.output.out_dir.is_some() {
            bail!(
                "{OP}: --out-dir with a sparse input larger than --memory-limit: the streamed sparse fit does not write the transformed data"
            );
        }
        let fit = model.fit_stream_sparse(plan.source.as_mut(), &plan.opts)?;
        return saved(summary(&fit), fit, args);
    }
    if let Some(x) = input::float32_matrix(OP, &args.x)? {
        // float32 data are fitted in single precision and every result is float32, as
        // scikit-learn's TruncatedSVD keeps the dtype of a dense X.
        let fit = model.fit(x.view())?;
        let transformed = fit.transform(x.view())?;
        let report = summary32(&fit).value("transformed", f32_value(transformed));
        return saved32(report, &fit, args);
    }
    let (fit, transformed) = match input::load(OP, &args.x)? {
        Operand::Dense(d) => {
            let x = input::to_matrix(OP, d.data)?;
            check_nonempty(OP, &x)?;
            check_finite(OP, &x)?;
            let fit = model.fit(x.view())?;
            let z = fit.transform(x.view())?;
            (fit, z)
        }
        Operand::Sparse { matrix, dtype } => {
            let (m, n) = (matrix.nrows(), matrix.ncols());
            if m == 0 || n == 0 {
                bail!("{OP}: empty input: shape {}", fmt_shape(&[m, n]));
            }
            if matrix.data().iter().any(|v| !v.is_finite()) {
                bail!("{OP}: input contains non-finite values (NaN or infinity)");
            }
            let fit = model.fit_sparse(&matrix).map_err(|e| match e {
                // The exact solver's Lanczos vectors do not fit in memory: say which
                // option needed them, and what needs less.
                mlinalg::Error::Unsupported { detail, .. }
                    if matches!(args.algorithm, TsvdAlgorithmArg::Exact) =>
                {
                    anyhow!(
                        "{OP}: --algorithm exact on the {} matrix: {detail}; \
                         --algorithm randomized needs less memory",
                        fmt_shape(&[m, n])
                    )
                }
                e => e.into(),
            })?;
            let z = fit.transform_sparse(&matrix)?;
            if dtype == Dtype::Float32 {
                // A float32 sparse matrix (scipy.sparse .npz): fitted on its values, exact
                // in f64, and every result rounded once to float32, as scikit-learn keeps
                // a sparse X's float32 dtype.
                let fit = fit.into_precision::<f32>();
                let report = summary32(&fit).value("transformed", f32_value(z.mapv(|v| v as f32)));
                return saved32(report, &fit, args);
            }
            (fit, z)
        }
    };
    saved(summary(&fit).array("transformed", transformed), fit, args)
}

/// Saves the model if `--save` asks to.
fn saved(mut report: Report, fit: FittedTruncatedSvd, args: &TsvdArgs) -> Result<Report> {
    if let Some(path) = &args.save {
        super::model::save(OP, &fit.into(), path, &mut report)?;
    }
    Ok(report)
}

/// Saves a float32 model if `--save` asks to.
fn saved32(mut report: Report, fit: &FittedTruncatedSvd<f32>, args: &TsvdArgs) -> Result<Report> {
    if let Some(path) = &args.save {
        let save = |p: &std::path::Path| fit.save(p);
        super::model::save_f32(OP, Estimator::TruncatedSvd, save, path, &mut report)?;
    }
    Ok(report)
}

/// [`summary`] of a float32 fit, every array float32.
fn summary32(fit: &FittedTruncatedSvd<f32>) -> Report {
    Report::new()
        .value("components", f32_value(fit.components().clone()))
        .value("singular_values", f32_value(fit.singular_values().clone()))
        .value(
            "explained_variance",
            f32_value(fit.explained_variance().clone()),
        )
        .value(
            "explained_variance_ratio",
            f32_value(fit.explained_variance_ratio().clone()),
        )
}

/// Every result but `transformed`.
fn summary(fit: &FittedTruncatedSvd) -> Report {
    Report::new()
        .array("components", fit.components().clone())
        .array("singular_values", fit.singular_values().clone())
        .array("explained_variance", fit.explained_variance().clone())
        .array(
            "explained_variance_ratio",
            fit.explained_variance_ratio().clone(),
        )
}
