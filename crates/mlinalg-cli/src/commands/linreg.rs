//! `linreg X y [--alpha A] [--no-intercept] [--save M]`: scikit-learn's `LinearRegression`,
//! or `Ridge` when `--alpha` > 0. Results `coef`, `intercept` and `r2` (R² on the training
//! data, scikit-learn's `score`).

use anyhow::{Result, anyhow, bail};
use mlinalg::linear_model::{LinearRegression, Ridge};
use mlinalg::persistence::{Estimator, Model};
use mlinalg::stream::ZipSource;
use ndarray::{Array1, Array2, arr0};

use crate::cli::LinregArgs;
use crate::input::{self, f32_value};
use crate::report::Report;
use crate::streaming;

const OP: &str = "linreg";

pub fn run(args: &LinregArgs) -> Result<Report> {
    if crate::engine::requested(&args.engine) {
        if args.no_intercept || args.save.is_some() {
            bail!("{OP}: --no-intercept and --save are not available with --engine/--cluster");
        }
        return crate::engine::linreg(OP, &args.engine, &args.x, &args.y, args.alpha);
    }
    if let Some(path) = &args.save {
        super::model::check_save_path(OP, path)?;
    }
    let intercept = !args.no_intercept;
    let streamed = streaming::plan(OP, &args.x, args.memory_limit)?;
    if streamed.is_none()
        && let Some(x) = input::float32_matrix(OP, &args.x)?
    {
        return run32(args, &x, intercept);
    }
    let (model, r2): (Model, f64) = if let Some(plan) = streamed {
        // X larger than the memory limit: [X | y] streamed into a TSQR state (QR
        // accuracy, the in-memory lstsq solver's answer).
        let y = streaming::plan(OP, &args.y, Some(mlinalg::MemoryLimit::from_bytes(1)))?
            .ok_or_else(|| {
                anyhow!(
                    "{OP}: {}: a streamed X needs y as a .npy or Parquet file",
                    args.y.display()
                )
            })?;
        if y.source.ncols() != 1 {
            return Err(anyhow!(
                "{OP}: y must be one target (a vector), got {} columns",
                y.source.ncols()
            ));
        }
        let mut zipped = ZipSource::new(plan.source, y.source);
        if args.alpha > 0.0 {
            let (m, r2) = Ridge::new(args.alpha)
                .fit_intercept(intercept)
                .fit_stream(&mut zipped, &plan.opts)?;
            (m.into(), r2)
        } else {
            let (m, r2) = LinearRegression::new()
                .fit_intercept(intercept)
                .fit_stream(&mut zipped, &plan.opts)?;
            (m.into(), r2)
        }
    } else {
        let x = input::finite_matrix(OP, &args.x)?;
        let y = input::vector(OP, &args.y)?;
        mlinalg::array::check_finite(OP, &y)?;
        if args.alpha > 0.0 {
            let m = Ridge::new(args.alpha)
                .fit_intercept(intercept)
                .fit(x.view(), y.view())?;
            let r2 = m.score(x.view(), y.view())?;
            (m.into(), r2)
        } else {
            let m = LinearRegression::new()
                .fit_intercept(intercept)
                .fit(x.view(), y.view())?;
            let r2 = m.score(x.view(), y.view())?;
            (m.into(), r2)
        }
    };
    let (coef, b) = match &model {
        Model::LinearRegression(m) => (m.coef().clone(), m.intercept()),
        Model::Ridge(m) => (m.coef().clone(), m.intercept()),
        other => bail!("{OP}: internal error: fitted a {} model", other.estimator()),
    };
    let mut report = Report::new()
        .array("coef", coef)
        .float("intercept", b)
        .float("r2", r2);
    if let Some(path) = &args.save {
        super::model::save(OP, &model, path, &mut report)?;
    }
    Ok(report)
}

/// A float32 X (a float32 `.npy` that fits in memory): fitted as scikit-learn fits it,
/// `y` cast to X's dtype, `coef` and `intercept` float32 (computed in double precision and
/// rounded once), and `--save` writes a float32 model.
fn run32(args: &LinregArgs, x: &Array2<f32>, intercept: bool) -> Result<Report> {
    let y = input::vector(OP, &args.y)?;
    mlinalg::array::check_finite(OP, &y)?;
    let y = y.mapv(|v| v as f32);
    if args.alpha > 0.0 {
        let m = Ridge::new(args.alpha)
            .fit_intercept(intercept)
            .fit(x.view(), y.view())?;
        let r2 = m.score(x.view(), y.view())?;
        let report = report32(m.coef(), m.intercept(), r2);
        saved32(report, args, Estimator::Ridge, |p| m.save(p))
    } else {
        let m = LinearRegression::new()
            .fit_intercept(intercept)
            .fit(x.view(), y.view())?;
        let r2 = m.score(x.view(), y.view())?;
        let report = report32(m.coef(), m.intercept(), r2);
        saved32(report, args, Estimator::LinearRegression, |p| m.save(p))
    }
}

/// The results of a float32 fit: `coef` and `intercept` float32, `r2` a number.
fn report32(coef: &Array1<f32>, intercept: f32, r2: f64) -> Report {
    Report::new()
        .value("coef", f32_value(coef.clone()))
        .value("intercept", f32_value(arr0(intercept)))
        .float("r2", r2)
}

/// Saves a float32 model if `--save` asks to.
fn saved32(
    mut report: Report,
    args: &LinregArgs,
    estimator: Estimator,
    save: impl FnOnce(&std::path::Path) -> mlinalg::Result<()>,
) -> Result<Report> {
    if let Some(path) = &args.save {
        super::model::save_f32(OP, estimator, save, path, &mut report)?;
    }
    Ok(report)
}
