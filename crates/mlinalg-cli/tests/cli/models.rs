//! Saved models on the real binary: `pca/tsvd/linreg --save`, `transform`,
//! `inverse-transform`, `predict`, against scikit-learn's fitted models (the library's
//! fixtures, `crates/mlinalg/tests/fixtures/generate_models.py`) and hostile model files.

use std::path::PathBuf;

use serde_json::Value;

use crate::util::{Workdir, flat, fx, nested_shape};

/// A model fixture of the library's tests (written by scikit-learn).
fn lib_fx(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../mlinalg/tests/fixtures/models")
        .join(name);
    assert!(p.exists(), "missing fixture {}", p.display());
    p.to_string_lossy().into_owned()
}

/// Runs with `--json` in `w` and parses the object.
fn json_in(w: &Workdir, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let run = w.run(&a);
    serde_json::from_str(run.ok()).expect("one JSON object")
}

fn data(v: &Value, key: &str) -> Vec<f64> {
    flat(&v[key]["data"])
}

#[track_caller]
fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

/// The float64 values of a member of a `.npz` (read with the library).
fn npz_values(path: &str, key: &str) -> Vec<f64> {
    let m = mlinalg::io::read_npz_member(std::path::Path::new(path), key).expect("member");
    match m.data {
        mlinalg::io::TypedArray::Float64(a) => a.iter().copied().collect(),
        other => panic!("{key}: not float64: {other:?}"),
    }
}

fn npy_values(path: &str) -> Vec<f64> {
    mlinalg::io::read_npy(std::path::Path::new(path))
        .expect("npy")
        .data
        .iter()
        .copied()
        .collect()
}

#[test]
fn pca_save_then_transform_gives_the_fits_transformed_bit_for_bit() {
    let w = Workdir::new();
    let fit = json_in(&w, &["pca", &fx("data.npy"), "-k", "2", "--save", "m.npz"]);
    assert!(w.path("m.npz").exists());
    let z = json_in(&w, &["transform", "m.npz", &fx("data.npy")]);
    assert_eq!(nested_shape(&z["transformed"]["data"]), [20, 2]);
    assert_eq!(data(&z, "transformed"), data(&fit, "transformed"));
    // back to feature space: the rank-2 approximation of the data
    w.run(&["transform", "m.npz", &fx("data.npy"), "--out", "z.npy"])
        .ok();
    let back = json_in(&w, &["inverse-transform", "m.npz", "z.npy"]);
    assert_eq!(nested_shape(&back["x"]["data"]), [20, 4]);
    let x = npy_values(&fx("data.npy"));
    let err: f64 = data(&back, "x")
        .iter()
        .zip(&x)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt();
    assert!(
        err > 1e-3,
        "two of four components cannot reconstruct the data exactly"
    );
}

#[test]
fn all_components_reconstruct_the_data() {
    let w = Workdir::new();
    w.run(&[
        "pca",
        &fx("data.npy"),
        "--save",
        "all.npz",
        "--out-dir",
        "p",
    ])
    .ok();
    let back = json_in(&w, &["inverse-transform", "all.npz", "p/transformed.npy"]);
    assert_close(
        &data(&back, "x"),
        &npy_values(&fx("data.npy")),
        1e-12,
        "inverse(transform(X))",
    );
}

#[test]
fn scikit_learn_models_transform_and_predict_as_scikit_learn() {
    for case in [
        "pca",
        "pca_whiten",
        "pca_all",
        "incremental_pca",
        "truncated_svd",
    ] {
        let w = Workdir::new();
        let z = json_in(
            &w,
            &[
                "transform",
                &lib_fx(&format!("{case}.npz")),
                &lib_fx(&format!("{case}__x_new.npy")),
            ],
        );
        let want = npy_values(&lib_fx(&format!("{case}__expected.npy")));
        assert_close(&data(&z, "transformed"), &want, 1e-12, case);
        let x = json_in(
            &w,
            &[
                "inverse-transform",
                &lib_fx(&format!("{case}.npz")),
                &lib_fx(&format!("{case}__expected.npy")),
            ],
        );
        let want = npy_values(&lib_fx(&format!("{case}__inverse.npy")));
        assert_close(&data(&x, "x"), &want, 1e-12, case);
    }
    for case in [
        "linear_regression",
        "linear_regression_no_intercept",
        "ridge",
    ] {
        let w = Workdir::new();
        let p = json_in(
            &w,
            &[
                "predict",
                &lib_fx(&format!("{case}.npz")),
                &lib_fx(&format!("{case}__x_new.npy")),
            ],
        );
        let want = npy_values(&lib_fx(&format!("{case}__expected.npy")));
        assert_close(&data(&p, "prediction"), &want, 1e-12, case);
        assert!(p.get("r2").is_none());
    }
}

#[test]
fn linreg_fits_scikit_learns_models() {
    let (x, y) = (lib_fx("xr_fit.npy"), lib_fx("yr_fit.npy"));
    for (case, extra) in [
        ("linear_regression", &[][..]),
        ("linear_regression_no_intercept", &["--no-intercept"][..]),
        ("ridge", &["--alpha", "1.5"][..]),
    ] {
        let w = Workdir::new();
        let mut args = vec!["linreg", x.as_str(), y.as_str(), "--save", "m.npz"];
        args.extend_from_slice(extra);
        let v = json_in(&w, &args);
        let npz = lib_fx(&format!("{case}.npz"));
        assert_close(&data(&v, "coef"), &npz_values(&npz, "coef_"), 1e-10, case);
        let b = v["intercept"].as_f64().expect("intercept");
        assert_close(&[b], &npz_values(&npz, "intercept_"), 1e-10, case);
        let r2 = v["r2"].as_f64().expect("r2");
        // the data have an intercept of 4: without one the fit is poor, but R² stays ≤ 1
        let floor = if case.ends_with("no_intercept") {
            0.0
        } else {
            0.99
        };
        assert!(r2 > floor && r2 <= 1.0, "{case}: r2 {r2}");
        // the saved model predicts what scikit-learn's does
        let p = json_in(
            &w,
            &["predict", "m.npz", &lib_fx(&format!("{case}__x_new.npy"))],
        );
        let want = npy_values(&lib_fx(&format!("{case}__expected.npy")));
        assert_close(&data(&p, "prediction"), &want, 1e-9, case);
        // and on its training data, R² is linreg's r2
        let p = json_in(&w, &["predict", "m.npz", &x, "--y", &y]);
        assert_close(&[p["r2"].as_f64().unwrap()], &[r2], 1e-12, case);
    }
}

#[test]
fn linreg_streamed_above_the_memory_limit_gives_the_in_memory_fit() {
    let (x, y) = (lib_fx("xr_fit.npy"), lib_fx("yr_fit.npy"));
    let w = Workdir::new();
    for extra in [&[][..], &["--alpha", "2"][..], &["--no-intercept"][..]] {
        let mut a = vec!["linreg", x.as_str(), y.as_str()];
        a.extend_from_slice(extra);
        let mem = json_in(&w, &a);
        a.extend_from_slice(&["--memory-limit", "1K"]);
        let streamed = json_in(&w, &a);
        assert_close(&data(&streamed, "coef"), &data(&mem, "coef"), 1e-10, "coef");
        for key in ["intercept", "r2"] {
            let (g, m) = (streamed[key].as_f64(), mem[key].as_f64());
            assert_close(&[g.expect(key)], &[m.expect(key)], 1e-10, key);
        }
    }
}

#[test]
fn tsvd_save_then_transform_sparse_input() {
    let w = Workdir::new();
    let fit = json_in(
        &w,
        &[
            "tsvd",
            &fx("sparse.mtx"),
            "-k",
            "2",
            "--algorithm",
            "exact",
            "--save",
            "t.npz",
        ],
    );
    let z = json_in(&w, &["transform", "t.npz", &fx("sparse.mtx")]);
    assert_close(
        &data(&z, "transformed"),
        &data(&fit, "transformed"),
        1e-13,
        "tsvd",
    );
}

#[test]
fn data_with_another_number_of_features_is_exit_1_naming_both() {
    let w = Workdir::new();
    w.run(&["pca", &fx("data.npy"), "-k", "2", "--save", "m.npz"])
        .ok();
    let line = w
        .run(&["transform", "m.npz", &fx("data5.npy")])
        .fails()
        .to_string();
    assert_eq!(
        line,
        "error: transform: X has 5 features, but the PCA model was fitted on 4"
    );
    let line = w
        .run(&["inverse-transform", "m.npz", &fx("data.npy")])
        .fails()
        .to_string();
    assert_eq!(
        line,
        "error: inverse_transform: Z has 4 columns, but the PCA model has 2 components"
    );
    w.run(&[
        "linreg",
        &fx("tall63.npy"),
        &fx("y6.npy"),
        "--save",
        "r.npz",
    ])
    .ok();
    let line = w
        .run(&["predict", "r.npz", &fx("data.npy")])
        .fails()
        .to_string();
    assert_eq!(
        line,
        "error: predict: X has 4 features, but the LinearRegression model was fitted on 3"
    );
    let line = w
        .run(&[
            "predict",
            "r.npz",
            &fx("tall63.npy"),
            "--y",
            &fx("vec4.npy"),
        ])
        .fails()
        .to_string();
    assert!(
        line.contains("--y has 4 values but X has 6 samples"),
        "{line}"
    );
}

#[test]
fn the_wrong_kind_of_model_is_exit_1() {
    let w = Workdir::new();
    w.run(&["pca", &fx("data.npy"), "-k", "2", "--save", "m.npz"])
        .ok();
    w.run(&[
        "linreg",
        &fx("tall63.npy"),
        &fx("y6.npy"),
        "--save",
        "r.npz",
    ])
    .ok();
    assert!(
        w.run(&["predict", "m.npz", &fx("data.npy")])
            .fails()
            .contains("a PCA model transforms data: use `mlinalg transform`")
    );
    assert!(
        w.run(&["transform", "r.npz", &fx("tall63.npy")])
            .fails()
            .contains("a LinearRegression model predicts a target")
    );
    assert!(
        w.run(&["inverse-transform", "r.npz", &fx("tall63.npy")])
            .fails()
            .contains("has no components")
    );
    // an ordinary array archive is not a model
    let line = w
        .run(&["transform", &fx("data.npy"), &fx("data.npy")])
        .fails()
        .to_string();
    assert!(line.starts_with("error: transform: "), "{line}");
}

#[test]
fn hostile_model_files_are_exit_1_with_one_line() {
    let w = Workdir::new();
    w.run(&["pca", &fx("data.npy"), "-k", "2", "--save", "m.npz"])
        .ok();
    let good = std::fs::read(w.path("m.npz")).unwrap();
    w.write("truncated.npz", &good[..good.len() / 2]);
    w.write("garbage.npz", b"PK\x03\x04 not really a zip");
    for (file, want) in [
        ("truncated.npz", "error: transform: "),
        ("garbage.npz", "error: transform: "),
    ] {
        let line = w
            .run(&["transform", file, &fx("data.npy")])
            .fails()
            .to_string();
        assert!(line.starts_with(want), "{file}: {line}");
        assert!(line.contains(file), "{file}: {line}");
    }
    // the library's hostile-entry tests cover every key; here: dtype and shape through the CLI
    let bytes = rewrite_member(&good, "components_.npy", |b| {
        // '<f8' → '<f4' keeps the header length; the body is then twice too long
        replace_bytes(b, b"'<f8'", b"'<f4'")
    });
    w.write("f32.npz", bytes);
    let line = w
        .run(&["transform", "f32.npz", &fx("data.npy")])
        .fails()
        .to_string();
    assert!(line.contains("components_"), "{line}");
    let bytes = rewrite_member(&good, "mean_.npy", |b| {
        let s = replace_bytes(b, b"(4,)", b"(3,)");
        s[..s.len() - 8].to_vec()
    });
    w.write("shape.npz", bytes);
    let line = w
        .run(&["transform", "shape.npz", &fx("data.npy")])
        .fails()
        .to_string();
    assert!(
        line.contains("'mean_' (PCA model): expected float64 of shape (4,)"),
        "{line}"
    );
}

/// `b` with the first `from` replaced by `to` (of the same length).
fn replace_bytes(b: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = b
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern in entry");
    let mut out = b.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

/// An uncompressed zip with member `name`'s bytes changed by `f`.
fn rewrite_member(zip_bytes: &[u8], name: &str, f: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let mut b = Vec::new();
        e.read_to_end(&mut b).expect("read");
        let n = e.name().to_string();
        let b = if n == name { f(&b) } else { b };
        out.start_file(n, zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(&b).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

#[test]
fn save_paths_are_checked_before_the_work_and_a_failed_save_leaves_nothing() {
    let w = Workdir::new();
    let line = w
        .run(&["pca", &fx("data.npy"), "--save", "m.bin"])
        .fails()
        .to_string();
    assert_eq!(
        line,
        "error: pca: --save m.bin: a model file is a .npz archive: use a name ending in .npz"
    );
    let line = w
        .run(&[
            "linreg",
            &fx("tall63.npy"),
            &fx("y6.npy"),
            "--save",
            "no/dir/m.npz",
        ])
        .fails()
        .to_string();
    assert!(line.starts_with("error: linreg: "), "{line}");
    assert!(w.listing().is_empty(), "{:?}", w.listing());
    // usage errors
    w.run(&["linreg", &fx("tall63.npy"), &fx("y6.npy"), "--alpha", "-1"])
        .usage();
    w.run(&["linreg", &fx("tall63.npy"), &fx("y6.npy"), "--alpha", "nan"])
        .usage();
    w.run(&["predict", "m.npz"]).usage();
}

#[test]
fn linreg_rejects_bad_data() {
    let w = Workdir::new();
    let line = w
        .run(&["linreg", &fx("tall63.npy"), &fx("vec4.npy")])
        .fails()
        .to_string();
    assert!(
        line.starts_with("error: linear_regression: ") || line.starts_with("error: linreg: "),
        "{line}"
    );
    let line = w
        .run(&["linreg", &fx("nan.npy"), &fx("zeros3.npy")])
        .fails()
        .to_string();
    assert!(line.contains("non-finite"), "{line}");
    let line = w
        .run(&["linreg", &fx("empty.npy"), &fx("zeros3.npy")])
        .fails()
        .to_string();
    assert!(line.contains("empty"), "{line}");
}
