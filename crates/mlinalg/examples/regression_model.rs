//! Fit once, apply later: a linear regression is fitted, saved to a `.npz` model file
//! (scikit-learn's attribute names: `np.load` shows `coef_`, `intercept_`, …), loaded back
//! and used to predict new samples.
//!
//!     cargo run -p mlinalg --example regression_model
//!
//! The data are seeded: y = 3 x₀ − 2 x₁ + 0.5 x₂ + 4 plus noise of standard deviation 0.1,
//! so the printed coefficients are close to (3, −2, 0.5) and the intercept to 4.

use mlinalg::linear_model::{FittedLinearRegression, LinearRegression};
use mlinalg::persistence::Model;
use ndarray::array;

fn main() -> mlinalg::Result<()> {
    let x = mlinalg::random::randn2(200, 3, 1);
    let noise = mlinalg::random::randn2(200, 1, 2).column(0).to_owned() * 0.1;
    let y = x.dot(&array![3.0, -2.0, 0.5]) + 4.0 + noise;

    let model = LinearRegression::new().fit(x.view(), y.view())?;
    println!("coef      {:.4}", model.coef());
    println!("intercept {:.4}", model.intercept());
    println!(
        "R² on the training data {:.6}",
        model.score(x.view(), y.view())?
    );

    let dir = std::env::temp_dir().join(format!("mlinalg-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| mlinalg::Error::Io {
        path: dir.clone(),
        source: e,
    })?;
    let path = dir.join("model.npz");
    model.save(&path)?;
    println!(
        "saved to {} ({} bytes)",
        path.display(),
        std::fs::metadata(&path).map_or(0, |m| m.len())
    );

    // later, elsewhere: load the file (any estimator) and predict
    let loaded = Model::load(&path)?;
    println!(
        "loaded a {} model with {} features",
        loaded.estimator(),
        loaded.n_features_in()
    );
    let x_new = array![[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [-1.0, 2.0, 0.5]];
    let p = loaded.predict(x_new.view())?;
    println!("predictions for {} new samples: {:.4}", x_new.nrows(), p);
    assert_eq!(
        FittedLinearRegression::load(&path)?,
        model,
        "bit-exact round trip"
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
