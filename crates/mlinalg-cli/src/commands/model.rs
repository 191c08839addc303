//! Saved models: `transform M X`, `inverse-transform M Z`, `predict M X [--y y]`, and the
//! `--save M.npz` of `pca`, `tsvd` and `linreg` (`mlinalg::persistence`).

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use mlinalg::decomposition::{FittedPca, FittedTruncatedSvd};
use mlinalg::io::Dtype;
use mlinalg::linear_model::{FittedLinearRegression, FittedRidge};
use mlinalg::persistence::{Estimator, Model};
use ndarray::Array2;

use crate::cli::{ModelArgs, PredictArgs};
use crate::input::{self, Operand};
use crate::report::Report;

/// A `--save` path must name a `.npz` file (checked before any work is done).
pub fn check_save_path(op: &str, path: &Path) -> Result<()> {
    let npz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npz"));
    if !npz {
        bail!(
            "{op}: --save {}: a model file is a .npz archive: use a name ending in .npz",
            path.display()
        );
    }
    Ok(())
}

/// Saves `model` to `path` and notes it in the human summary.
pub fn save(op: &str, model: &Model, path: &Path, report: &mut Report) -> Result<()> {
    model.save(path).map_err(|e| anyhow!("{op}: {e}"))?;
    report.note(format!(
        "# saved the {} model to {}",
        model.estimator(),
        path.display()
    ));
    Ok(())
}

/// Saves a model fitted on float32 data (`save` of an `f32` model writes float32 arrays,
/// as scikit-learn keeps them) and notes it in the human summary.
pub fn save_f32(
    op: &str,
    estimator: Estimator,
    save: impl FnOnce(&Path) -> mlinalg::Result<()>,
    path: &Path,
    report: &mut Report,
) -> Result<()> {
    save(path).map_err(|e| anyhow!("{op}: {e}"))?;
    report.note(format!(
        "# saved the {estimator} model (float32) to {}",
        path.display()
    ));
    Ok(())
}

/// Reads a model file, errors prefixed with the command.
fn load(op: &str, path: &Path) -> Result<Model> {
    Model::load(path).map_err(|e| anyhow!("{op}: {e}"))
}

/// Whether a model fitted on float32 data (float32 attributes: PCA, TruncatedSVD,
/// LinearRegression, Ridge) is applied to float32 data: scikit-learn then computes and
/// returns float32 (any float64 side makes the result float64).
fn single_precision(op: &str, model: &Model, path: &Path) -> Result<bool> {
    let kind = matches!(
        model.estimator(),
        Estimator::Pca | Estimator::TruncatedSvd | Estimator::LinearRegression | Estimator::Ridge
    );
    Ok(kind && Model::stored_dtype(path).map_err(|e| anyhow!("{op}: {e}"))? == Dtype::Float32)
}

/// `f` on the model file read as `f32` (its arrays are float32: exact).
fn as_f32<M>(op: &str, loaded: mlinalg::Result<M>) -> Result<M> {
    loaded.map_err(|e| anyhow!("{op}: {e}"))
}

/// The float32 transform of float32 data by a float32 PCA or TruncatedSVD model.
fn transform32(op: &str, model: &Model, path: &Path, x: &Array2<f32>) -> Result<Array2<f32>> {
    Ok(match model.estimator() {
        Estimator::Pca => as_f32(op, FittedPca::<f32>::load_as(path))?.transform(x.view())?,
        _ => as_f32(op, FittedTruncatedSvd::<f32>::load_as(path))?.transform(x.view())?,
    })
}

pub fn transform(args: &ModelArgs) -> Result<Report> {
    const OP: &str = "transform";
    let model = load(OP, &args.model)?;
    if !model.estimator().is_transformer() {
        bail!(
            "{OP}: {}: a {} model predicts a target: use `mlinalg predict`",
            args.model.display(),
            model.estimator()
        );
    }
    let single = single_precision(OP, &model, &args.model)?;
    if single && let Some(x) = input::float32_matrix(OP, &args.x)? {
        let z = transform32(OP, &model, &args.model, &x)?;
        return Ok(Report::new().value("transformed", input::f32_value(z)));
    }
    let z = match input::load(OP, &args.x)? {
        Operand::Sparse { matrix, dtype } => {
            if matrix.data().iter().any(|v| !v.is_finite()) {
                bail!("{OP}: input contains non-finite values (NaN or infinity)");
            }
            let z = model.transform_sparse(&matrix)?;
            if single && dtype == Dtype::Float32 {
                // A float32 sparse matrix (its values exact in f64) through a float32
                // TruncatedSVD: scikit-learn's result is float32.
                let z = z.mapv(|v| v as f32);
                return Ok(Report::new().value("transformed", input::f32_value(z)));
            }
            z
        }
        Operand::Dense(d) => {
            let x = input::to_matrix(OP, d.data)?;
            mlinalg::array::check_finite(OP, &x)?;
            model.transform(x.view())?
        }
    };
    Ok(Report::new().array("transformed", z))
}

pub fn inverse_transform(args: &ModelArgs) -> Result<Report> {
    const OP: &str = "inverse-transform";
    let model = load(OP, &args.model)?;
    if !model.estimator().is_transformer() {
        bail!(
            "{OP}: {}: a {} model has no components: use `mlinalg predict`",
            args.model.display(),
            model.estimator()
        );
    }
    if single_precision(OP, &model, &args.model)?
        && let Some(z) = input::float32_matrix(OP, &args.x)?
    {
        let x = match model.estimator() {
            Estimator::Pca => {
                as_f32(OP, FittedPca::<f32>::load_as(&args.model))?.inverse_transform(z.view())?
            }
            _ => as_f32(OP, FittedTruncatedSvd::<f32>::load_as(&args.model))?
                .inverse_transform(z.view())?,
        };
        return Ok(Report::new().value("x", input::f32_value(x)));
    }
    let z = input::to_matrix(OP, input::dense(OP, &args.x)?)?;
    mlinalg::array::check_finite(OP, &z)?;
    Ok(Report::new().array("x", model.inverse_transform(z.view())?))
}

pub fn predict(args: &PredictArgs) -> Result<Report> {
    const OP: &str = "predict";
    let model = load(OP, &args.model)?;
    if model.estimator().is_transformer() {
        bail!(
            "{OP}: {}: a {} model transforms data: use `mlinalg transform`",
            args.model.display(),
            model.estimator()
        );
    }
    if single_precision(OP, &model, &args.model)?
        && let Some(x) = input::float32_matrix(OP, &args.x)?
    {
        return predict32(OP, &model, args, &x);
    }
    let x = input::to_matrix(OP, input::dense(OP, &args.x)?)?;
    mlinalg::array::check_finite(OP, &x)?;
    let prediction = model.predict(x.view())?;
    let mut report = Report::new();
    if let Some(y_path) = &args.y {
        let y = input::to_vector(OP, input::dense(OP, y_path)?)?;
        mlinalg::array::check_finite(OP, &y)?;
        if y.len() != prediction.len() {
            bail!(
                "{OP}: --y has {} values but X has {} samples",
                y.len(),
                prediction.len()
            );
        }
        let r2 = model.score(x.view(), y.view())?;
        report = report.array("prediction", prediction).float("r2", r2);
    } else {
        report = report.array("prediction", prediction);
    }
    Ok(report)
}

/// `predict` of a float32 linear model on float32 data: float32 predictions (scikit-learn's
/// result type); `--y` is read as float32, as scikit-learn casts `y` to X's dtype, and
/// R² is a float.
fn predict32(
    op: &'static str,
    model: &Model,
    args: &PredictArgs,
    x: &Array2<f32>,
) -> Result<Report> {
    enum Linear {
        Ols(FittedLinearRegression<f32>),
        Ridge(FittedRidge<f32>),
    }
    let m = match model.estimator() {
        Estimator::Ridge => Linear::Ridge(as_f32(op, FittedRidge::<f32>::load_as(&args.model))?),
        _ => Linear::Ols(as_f32(
            op,
            FittedLinearRegression::<f32>::load_as(&args.model),
        )?),
    };
    let prediction = match &m {
        Linear::Ols(m) => m.predict(x.view())?,
        Linear::Ridge(m) => m.predict(x.view())?,
    };
    let n = prediction.len();
    let mut report = Report::new().value("prediction", input::f32_value(prediction));
    if let Some(y_path) = &args.y {
        let y = input::to_vector(op, input::dense(op, y_path)?)?;
        mlinalg::array::check_finite(op, &y)?;
        if y.len() != n {
            bail!("{op}: --y has {} values but X has {n} samples", y.len());
        }
        let y = y.mapv(|v| v as f32);
        let r2 = match &m {
            Linear::Ols(m) => m.score(x.view(), y.view())?,
            Linear::Ridge(m) => m.score(x.view(), y.view())?,
        };
        report = report.float("r2", r2);
    }
    Ok(report)
}
