//! Saved models: `transform M X`, `inverse-transform M Z`, `predict M X [--y y]`, and the
//! `--save M.npz` of `pca`, `tsvd` and `linreg` (`mlinalg::persistence`).

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use mlinalg::persistence::Model;

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

/// Reads a model file, errors prefixed with the command.
fn load(op: &str, path: &Path) -> Result<Model> {
    Model::load(path).map_err(|e| anyhow!("{op}: {e}"))
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
    let z = match input::load(OP, &args.x)? {
        Operand::Sparse { matrix } => {
            if matrix.data().iter().any(|v| !v.is_finite()) {
                bail!("{OP}: input contains non-finite values (NaN or infinity)");
            }
            model.transform_sparse(&matrix)?
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
