//! `linreg X y [--alpha A] [--no-intercept] [--save M]`: scikit-learn's `LinearRegression`,
//! or `Ridge` when `--alpha` > 0. Results `coef`, `intercept` and `r2` (R² on the training
//! data, scikit-learn's `score`).

use anyhow::{Result, anyhow, bail};
use mlinalg::linear_model::{LinearRegression, Ridge};
use mlinalg::persistence::Model;
use mlinalg::stream::ZipSource;

use crate::cli::LinregArgs;
use crate::input;
use crate::report::Report;
use crate::streaming;

const OP: &str = "linreg";

pub fn run(args: &LinregArgs) -> Result<Report> {
    if let Some(path) = &args.save {
        super::model::check_save_path(OP, path)?;
    }
    let intercept = !args.no_intercept;
    let (model, r2): (Model, f64) =
        if let Some(plan) = streaming::plan(OP, &args.x, args.memory_limit)? {
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
