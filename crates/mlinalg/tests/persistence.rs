//! Saved models (`mlinalg::persistence`): scikit-learn-written model files give
//! scikit-learn's outputs, mlinalg's files round-trip bit for bit and have the layout
//! scikit-learn's attributes have, and hostile files are errors that name the key.
//!
//! Fixtures: `tests/fixtures/generate_models.py` (scikit-learn 1.9) writes
//! `tests/fixtures/models/<case>.npz` and the outputs of the fitted estimators.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use mlinalg::decomposition::{
    FittedPca, FittedTruncatedSvd, IncrementalPca, Pca, PcaSolver, TruncatedSvd,
    TruncatedSvdAlgorithm,
};
use mlinalg::io::read_npz_member;
use mlinalg::linear_model::{FittedLinearRegression, FittedRidge, LinearRegression, Ridge};
use mlinalg::persistence::{Estimator, FORMAT_VERSION, Model};
use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};
use proptest::prelude::*;

use crate::common::{self, assert_err_contains, read_npy};

fn models_dir() -> PathBuf {
    common::fixtures_dir().join("models")
}

fn model_path(case: &str) -> PathBuf {
    models_dir().join(format!("{case}.npz"))
}

fn fx(case: &str, key: &str) -> ArrayD<f64> {
    read_npy(&models_dir().join(format!("{case}__{key}.npy")))
}

fn fx2(case: &str, key: &str) -> Array2<f64> {
    fx(case, key).into_dimensionality::<Ix2>().expect("2-d")
}

fn data(name: &str) -> ArrayD<f64> {
    read_npy(&models_dir().join(format!("{name}.npy")))
}

/// `|got − want| ≤ 1e-12 (1 + |want|)` everywhere.
#[track_caller]
fn assert_1e12(got: &ArrayD<f64>, want: &ArrayD<f64>, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * (1.0 + w.abs()),
            "{what}[{i}]: {g} vs scikit-learn {w} (diff {:e})",
            (g - w).abs()
        );
    }
}

const TRANSFORMERS: [(&str, Estimator); 5] = [
    ("pca", Estimator::Pca),
    ("pca_whiten", Estimator::Pca),
    ("pca_all", Estimator::Pca),
    ("incremental_pca", Estimator::IncrementalPca),
    ("truncated_svd", Estimator::TruncatedSvd),
];

const REGRESSORS: [(&str, Estimator); 3] = [
    ("linear_regression", Estimator::LinearRegression),
    (
        "linear_regression_no_intercept",
        Estimator::LinearRegression,
    ),
    ("ridge", Estimator::Ridge),
];

#[test]
fn scikit_learn_transformers_transform_new_data_as_scikit_learn() {
    for (case, est) in TRANSFORMERS {
        let m = Model::load(&model_path(case)).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(m.estimator(), est, "{case}");
        let x = fx2(case, "x_new");
        let z = m.transform(x.view()).expect("transform");
        assert_1e12(&z.clone().into_dyn(), &fx(case, "expected"), case);
        let back = m
            .inverse_transform(fx2(case, "expected").view())
            .expect("inverse");
        assert_1e12(
            &back.into_dyn(),
            &fx(case, "inverse"),
            &format!("{case} inverse"),
        );
    }
}

#[test]
fn scikit_learn_regressors_predict_new_data_as_scikit_learn() {
    for (case, est) in REGRESSORS {
        let m = Model::load(&model_path(case)).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(m.estimator(), est, "{case}");
        let p = m.predict(fx2(case, "x_new").view()).expect("predict");
        assert_1e12(&p.into_dyn(), &fx(case, "expected"), case);
    }
}

#[test]
fn typed_loaders_read_their_own_estimator_and_reject_others() {
    let pca = FittedPca::load(&model_path("pca")).expect("PCA");
    assert_eq!(pca.n_components(), 3);
    assert_eq!(pca.solver_used(), PcaSolver::Svd);
    assert!(
        FittedPca::load(&model_path("pca_whiten"))
            .expect("whiten")
            .whiten()
    );
    assert_eq!(
        IncrementalPca::load(&model_path("incremental_pca"))
            .expect("IncrementalPCA")
            .n_samples_seen(),
        40
    );
    FittedTruncatedSvd::load(&model_path("truncated_svd")).expect("TruncatedSVD");
    FittedRidge::load(&model_path("ridge")).expect("Ridge");
    let lr = FittedLinearRegression::load(&model_path("linear_regression_no_intercept"))
        .expect("LinearRegression");
    assert_eq!(lr.intercept(), 0.0);
    let msg = assert_err_contains(FittedPca::load(&model_path("ridge")), "'mlinalg_model'");
    assert!(msg.contains("holds a Ridge model, expected PCA"), "{msg}");
    assert_err_contains(
        FittedRidge::load(&model_path("linear_regression")),
        "holds a LinearRegression model, expected Ridge",
    );
}

/// Models fitted in mlinalg on the fixtures' training data.
fn fitted_models() -> Vec<(&'static str, Model)> {
    let x = data("x_fit").into_dimensionality::<Ix2>().unwrap();
    let xs = data("xs_fit").into_dimensionality::<Ix2>().unwrap();
    let xr = data("xr_fit").into_dimensionality::<Ix2>().unwrap();
    let yr = data("yr_fit").into_dimensionality::<Ix1>().unwrap();
    let mut ipca = IncrementalPca::new(Some(3)).batch_size(Some(10));
    ipca.fit(x.view()).unwrap();
    vec![
        (
            "pca",
            Pca::new(Some(3))
                .solver(PcaSolver::Svd)
                .fit(x.view())
                .unwrap()
                .into(),
        ),
        (
            "pca_whiten",
            Pca::new(Some(2))
                .solver(PcaSolver::Svd)
                .whiten(true)
                .fit(x.view())
                .unwrap()
                .into(),
        ),
        (
            "pca_all",
            Pca::new(None)
                .solver(PcaSolver::CovarianceEigh)
                .fit(x.view())
                .unwrap()
                .into(),
        ),
        ("incremental_pca", ipca.into()),
        (
            "truncated_svd",
            TruncatedSvd::new(3)
                .algorithm(TruncatedSvdAlgorithm::Exact)
                .fit(xs.view())
                .unwrap()
                .into(),
        ),
        (
            "linear_regression",
            LinearRegression::new()
                .fit(xr.view(), yr.view())
                .unwrap()
                .into(),
        ),
        (
            "linear_regression_no_intercept",
            LinearRegression::new()
                .fit_intercept(false)
                .fit(xr.view(), yr.view())
                .unwrap()
                .into(),
        ),
        (
            "ridge",
            Ridge::new(1.5).fit(xr.view(), yr.view()).unwrap().into(),
        ),
    ]
}

#[test]
fn saved_models_round_trip_bit_for_bit_and_give_scikit_learns_outputs() {
    let dir = tempfile::tempdir().unwrap();
    for (case, model) in fitted_models() {
        let path = dir.path().join(format!("{case}.npz"));
        model.save(&path).unwrap();
        let back = Model::load(&path).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(back, model, "{case}: round trip");
        // mlinalg's own fit, saved and loaded, still predicts what scikit-learn's did
        let x = fx2(case, "x_new");
        let got = if model.estimator().is_transformer() {
            back.transform(x.view()).unwrap().into_dyn()
        } else {
            back.predict(x.view()).unwrap().into_dyn()
        };
        let want = fx(case, "expected");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            // a different fit (solver, signs fixed by svd_flip): 1e-9 relative
            assert!(
                (g - w).abs() <= 1e-9 * (1.0 + w.abs()),
                "{case}[{i}]: {g} vs {w}"
            );
        }
    }
}

#[test]
fn saved_files_have_the_keys_dtypes_and_shapes_of_the_scikit_learn_files() {
    let dir = tempfile::tempdir().unwrap();
    for (case, model) in fitted_models() {
        let ours = dir.path().join(format!("{case}.npz"));
        model.save(&ours).unwrap();
        let theirs = model_path(case);
        let mut a = mlinalg::io::npz_names(&ours).unwrap();
        let mut b = mlinalg::io::npz_names(&theirs).unwrap();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{case}: keys");
        for key in a.iter().filter(|k| *k != "mlinalg_model") {
            let (x, y) = (
                read_npz_member(&ours, key).unwrap(),
                read_npz_member(&theirs, key).unwrap(),
            );
            assert_eq!(x.dtype, y.dtype, "{case}.{key}: dtype");
            assert_eq!(x.data.shape(), y.data.shape(), "{case}.{key}: shape");
        }
        let marker = std::fs::read(&ours).unwrap();
        let text = format!(
            "estimator={};format_version={FORMAT_VERSION}",
            model.estimator()
        );
        let utf32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert!(
            marker.windows(utf32.len()).any(|w| w == utf32.as_slice()),
            "{case}: marker text"
        );
    }
}

#[test]
fn models_reject_data_with_another_number_of_features_naming_both() {
    let pca = Model::load(&model_path("pca")).unwrap();
    let e = pca
        .transform(Array2::zeros((2, 5)).view())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "transform: X has 5 features, but the PCA model was fitted on 6"
    );
    let e = pca
        .inverse_transform(Array2::zeros((2, 4)).view())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "inverse_transform: Z has 4 columns, but the PCA model has 3 components"
    );
    assert_err_contains(pca.predict(Array2::zeros((2, 6)).view()), "use transform");
    let lr = Model::load(&model_path("linear_regression")).unwrap();
    let e = lr
        .predict(Array2::zeros((3, 2)).view())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "predict: X has 2 features, but the LinearRegression model was fitted on 4"
    );
    assert_err_contains(lr.transform(Array2::zeros((2, 4)).view()), "use predict");
    assert_err_contains(
        lr.score(Array2::zeros((3, 4)).view(), Array1::zeros(2).view()),
        "score",
    );
}

// ---- hostile files --------------------------------------------------------------------------

/// The entries (name with `.npy`, bytes) of a zip archive.
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut e = z.by_index(i).unwrap();
            let mut b = Vec::new();
            e.read_to_end(&mut b).unwrap();
            (e.name().to_string(), b)
        })
        .collect()
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// `.npy` bytes with the given header dict text and body.
fn npy(descr: &str, shape: &str, body: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(body);
    out
}

fn text(s: &str) -> Vec<u8> {
    npy(
        &format!("<U{}", s.chars().count()),
        "()",
        &s.chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect::<Vec<_>>(),
    )
}

fn f64s(shape: &str, v: &[f64]) -> Vec<u8> {
    npy(
        "<f8",
        shape,
        &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<_>>(),
    )
}

/// `case`'s fixture with `edit` applied to its entries, written to a temporary file;
/// returns the load error's message.
fn load_edited(case: &str, edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.npz");
    let mut e = entries(&model_path(case));
    edit(&mut e);
    write_zip(&path, &e);
    match Model::load(&path) {
        Ok(m) => panic!("{case}: a hostile file loaded: {m:?}"),
        Err(err) => {
            let msg = err.to_string();
            assert!(msg.starts_with(&path.display().to_string()), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
            msg
        }
    }
}

fn set(e: &mut [(String, Vec<u8>)], key: &str, bytes: Vec<u8>) {
    let name = format!("{key}.npy");
    let slot = e
        .iter_mut()
        .find(|(n, _)| *n == name)
        .expect("key in fixture");
    slot.1 = bytes;
}

fn drop_key(e: &mut Vec<(String, Vec<u8>)>, key: &str) {
    let name = format!("{key}.npy");
    e.retain(|(n, _)| *n != name);
}

#[test]
fn hostile_model_files_are_errors_naming_the_key_and_what_was_expected() {
    fn marker(s: &'static str) -> impl FnOnce(&mut Vec<(String, Vec<u8>)>) {
        move |e| set(e, "mlinalg_model", text(s))
    }
    type Edit = Box<dyn FnOnce(&mut Vec<(String, Vec<u8>)>)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "pca",
            Box::new(|e| drop_key(e, "mlinalg_model")),
            "not an mlinalg model file: no 'mlinalg_model' entry (it holds: ",
        ),
        (
            "pca",
            Box::new(marker("estimator=PCA;format_version=2")),
            "'mlinalg_model': format version 2 is not supported: this mlinalg reads versions 1 to 1",
        ),
        (
            "pca",
            Box::new(marker("estimator=KMeans;format_version=1")),
            "'mlinalg_model': unknown estimator \"KMeans\"",
        ),
        (
            "pca",
            Box::new(marker("estimator=PCA")),
            "'mlinalg_model': no format_version",
        ),
        (
            "pca",
            Box::new(marker("estimator=PCA;format_version=one")),
            "is not a whole number",
        ),
        (
            "pca",
            Box::new(|e| set(e, "mlinalg_model", f64s("()", &[1.0]))),
            "'mlinalg_model': expected a string",
        ),
        (
            "pca",
            Box::new(|e| drop_key(e, "mean_")),
            "'mean_' (PCA model): missing",
        ),
        (
            "pca",
            Box::new(|e| set(e, "mean_", f64s("(7,)", &[0.0; 7]))),
            "'mean_' (PCA model): expected float64 of shape (6,) (n_features_in_,), got shape (7,)",
        ),
        (
            "pca",
            Box::new(|e| set(e, "components_", npy("<f4", "(3, 6)", &[0u8; 72]))),
            "'components_' (PCA model): expected float64 of shape (3, 6) (n_components_, n_features_in_), got dtype float32",
        ),
        (
            "pca",
            Box::new(|e| set(e, "components_", f64s("(6,)", &[0.0; 6]))),
            "'components_' (PCA model): expected float64 of shape (n_components_, n_features_in_), both ≥ 1, got shape (6,)",
        ),
        (
            "pca",
            Box::new(|e| set(e, "components_", f64s("(7, 6)", &[0.0; 42]))),
            "'components_' (PCA model): 7 components of 6 features",
        ),
        (
            "pca",
            Box::new(|e| set(e, "n_components_", npy("<i8", "()", &2i64.to_le_bytes()))),
            "'n_components_' (PCA model): is 2, but the arrays say 3",
        ),
        (
            "pca",
            Box::new(|e| set(e, "n_features_in_", f64s("()", &[6.0]))),
            "'n_features_in_' (PCA model): expected a 0-d integer (int64), got dtype float64 shape ()",
        ),
        (
            "pca",
            Box::new(|e| set(e, "n_samples_", npy("<i8", "()", &(-3i64).to_le_bytes()))),
            "'n_samples_' (PCA model): expected an integer ≥ 1, got -3",
        ),
        (
            "pca",
            Box::new(|e| set(e, "whiten", f64s("()", &[1.0]))),
            "'whiten' (PCA model): expected a 0-d bool, got dtype float64",
        ),
        (
            "pca",
            Box::new(|e| {
                let mut v = vec![0.5; 3];
                v[1] = f64::NAN;
                set(e, "singular_values_", f64s("(3,)", &v));
            }),
            "'singular_values_' (PCA model): non-finite value NaN",
        ),
        (
            "pca",
            Box::new(|e| set(e, "noise_variance_", f64s("()", &[f64::INFINITY]))),
            "'noise_variance_' (PCA model): non-finite value inf",
        ),
        (
            "incremental_pca",
            Box::new(|e| drop_key(e, "var_")),
            "'var_' (IncrementalPCA model): missing",
        ),
        (
            "truncated_svd",
            Box::new(|e| set(e, "explained_variance_", f64s("(2,)", &[1.0, 2.0]))),
            "'explained_variance_' (TruncatedSVD model): expected float64 of shape (3,) (n_components_,), got shape (2,)",
        ),
        (
            "ridge",
            Box::new(|e| set(e, "coef_", f64s("(2, 4)", &[0.0; 8]))),
            "'coef_' (Ridge model): expected float64 of shape (n_features_in_,) with n_features_in_ ≥ 1 (one target), got shape (2, 4)",
        ),
        (
            "linear_regression",
            Box::new(|e| set(e, "intercept_", f64s("(1,)", &[1.0]))),
            "'intercept_' (LinearRegression model): expected float64 of shape () (a scalar), got shape (1,)",
        ),
        (
            "linear_regression",
            Box::new(|e| set(e, "coef_", npy("<f8", "(4,)", &[0u8; 16]))),
            "truncated",
        ),
    ];
    for (case, edit, want) in cases {
        let msg = load_edited(case, edit);
        assert!(
            msg.contains(want),
            "{case}: {msg:?} does not contain {want:?}"
        );
    }
}

#[test]
fn files_that_are_not_model_archives_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(model_path("pca")).unwrap();
    for (name, content) in [
        ("truncated.npz", bytes[..bytes.len() / 2].to_vec()),
        ("empty.npz", Vec::new()),
        ("text.npz", b"not a zip archive at all".to_vec()),
        ("npy.npz", f64s("(2,)", &[1.0, 2.0])),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let e = Model::load(&path).expect_err(name).to_string();
        assert!(e.starts_with(&path.display().to_string()), "{name}: {e}");
    }
    let e = Model::load(&dir.path().join("missing.npz"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.npz"), "{e}");
}

#[test]
fn an_unfitted_incremental_pca_is_not_saved_and_a_failed_save_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.npz");
    assert_err_contains(IncrementalPca::new(Some(2)).save(&path), "not fitted yet");
    assert!(!path.exists());
    let bad = dir.path().join("no/such/dir/m.npz");
    let fit = Pca::new(Some(1))
        .fit(mlinalg::random::randn2(5, 2, 0).view())
        .unwrap();
    assert!(fit.save(&bad).is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..common::config() })]

    /// Any fitted PCA / TruncatedSVD / Ridge round-trips exactly, and the loaded model's
    /// outputs are those of the original, bit for bit.
    #[test]
    fn round_trips_are_exact(x in common::matrix(3..=12, 2..=6), k in 1usize..=6, alpha in 0.01f64..10.0) {
        let dir = tempfile::tempdir().unwrap();
        let k = k.min(x.nrows()).min(x.ncols());
        let path = dir.path().join("m.npz");
        let pca = Pca::new(Some(k)).fit(x.view()).unwrap();
        pca.save(&path).unwrap();
        let back = FittedPca::load(&path).unwrap();
        prop_assert_eq!(&back, &pca);
        prop_assert_eq!(back.transform(x.view()).unwrap(), pca.transform(x.view()).unwrap());
        let t = TruncatedSvd::new(k).algorithm(TruncatedSvdAlgorithm::Exact).fit(x.view()).unwrap();
        t.save(&path).unwrap();
        prop_assert_eq!(FittedTruncatedSvd::load(&path).unwrap(), t);
        let y = x.column(0).mapv(|v| 2.0 * v + 1.0);
        let r = Ridge::new(alpha).fit(x.view(), y.view()).unwrap();
        r.save(&path).unwrap();
        let back = FittedRidge::load(&path).unwrap();
        prop_assert_eq!(back.predict(x.view()).unwrap(), r.predict(x.view()).unwrap());
        prop_assert_eq!(back, r);
    }
}

/// A model fitted on float32 data is saved with float32 arrays (as scikit-learn's float32
/// attributes) and `dtype=float32` in its marker, and loads back bit for bit; `Model::load`
/// and the f64 loads widen it exactly.
#[test]
fn float32_models_save_float32_arrays_and_round_trip() {
    use mlinalg::io::{Dtype, TypedArray};
    let dir = tempfile::tempdir().unwrap();
    let x = common::normal(40, 5, 7).mapv(|v| v as f32);
    let y = x.column(1).mapv(|v| 2.0 * v - 1.0);
    let float32_keys = |path: &Path, keys: &[&str]| {
        for key in keys {
            let m = read_npz_member(path, key).unwrap();
            assert_eq!(m.dtype, Dtype::Float32, "{key}");
            assert!(matches!(m.data, TypedArray::Float32(_)), "{key}");
        }
    };

    let path = dir.path().join("pca32.npz");
    let pca: FittedPca<f32> = Pca::new(Some(3)).whiten(true).fit(x.view()).unwrap();
    pca.save(&path).unwrap();
    float32_keys(
        &path,
        &[
            "components_",
            "explained_variance_",
            "explained_variance_ratio_",
            "singular_values_",
            "mean_",
            "noise_variance_",
        ],
    );
    let back = FittedPca::<f32>::load_as(&path).unwrap();
    assert_eq!(back, pca);
    assert_eq!(
        back.transform(x.view()).unwrap(),
        pca.transform(x.view()).unwrap()
    );
    // the f64 model of the same file: widened exactly
    let wide = FittedPca::load(&path).unwrap();
    assert_eq!(wide, pca.clone().into_precision::<f64>());
    match Model::load(&path).unwrap() {
        Model::Pca(m) => assert_eq!(m, wide),
        other => panic!("{other:?}"),
    }

    let path = dir.path().join("tsvd32.npz");
    let t: FittedTruncatedSvd<f32> = TruncatedSvd::new(2).fit(x.view()).unwrap();
    t.save(&path).unwrap();
    float32_keys(&path, &["components_", "singular_values_"]);
    assert_eq!(FittedTruncatedSvd::<f32>::load_as(&path).unwrap(), t);

    let path = dir.path().join("linreg32.npz");
    let m: FittedLinearRegression<f32> = LinearRegression::new().fit(x.view(), y.view()).unwrap();
    m.save(&path).unwrap();
    float32_keys(&path, &["coef_", "intercept_"]);
    assert_eq!(FittedLinearRegression::<f32>::load_as(&path).unwrap(), m);

    let path = dir.path().join("ridge32.npz");
    let r: FittedRidge<f32> = Ridge::new(0.5).fit(x.view(), y.view()).unwrap();
    r.save(&path).unwrap();
    float32_keys(&path, &["coef_", "intercept_"]);
    let back = FittedRidge::<f32>::load_as(&path).unwrap();
    assert_eq!(
        back.predict(x.view()).unwrap(),
        r.predict(x.view()).unwrap()
    );
    assert_eq!(back, r);

    // an f64 model still writes float64, and an f32 load of it rounds
    let path = dir.path().join("ridge64.npz");
    let r64 = Ridge::new(0.5)
        .fit(x.mapv(f64::from).view(), y.mapv(f64::from).view())
        .unwrap();
    r64.save(&path).unwrap();
    assert_eq!(
        read_npz_member(&path, "coef_").unwrap().dtype,
        Dtype::Float64
    );
    assert_eq!(
        FittedRidge::<f32>::load_as(&path).unwrap(),
        r64.into_precision::<f32>()
    );
}

/// A model archive's entries (name, bytes).
type Entries = Vec<(String, Vec<u8>)>;

/// A float32 model file whose array is float64 (or whose marker names another dtype) is
/// an error naming the key.
#[test]
fn float32_model_files_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.npz");
    let x = common::normal(10, 2, 1).mapv(|v| v as f32);
    let y = x.column(0).to_owned();
    let r: FittedRidge<f32> = Ridge::new(1.0).fit(x.view(), y.view()).unwrap();
    r.save(&path).unwrap();
    let edited = dir.path().join("edited.npz");
    let load = |edit: &dyn Fn(&mut Entries)| {
        let mut e = entries(&path);
        edit(&mut e);
        write_zip(&edited, &e);
        FittedRidge::<f32>::load_as(&edited)
            .unwrap_err()
            .to_string()
    };
    let e = load(&|e| set(e, "coef_", f64s("(2,)", &[1.0, 2.0])));
    assert!(
        e.contains("'coef_' (Ridge model): expected float32 of shape (2,) (n_features_in_,), got dtype float64"),
        "{e}"
    );
    let e = load(&|e| {
        set(
            e,
            "mlinalg_model",
            text("estimator=Ridge;format_version=1;dtype=float16"),
        )
    });
    assert!(
        e.contains("'mlinalg_model': unsupported dtype \"float16\" (expected float64 or float32)"),
        "{e}"
    );
}
