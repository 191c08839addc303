//! `--memory-limit`: inputs larger than the limit are streamed and print the same results
//! as in memory; `transformed` goes only to `--out-dir`; bad limits and bad files are one
//! `error:` line with no output file.

use serde_json::Value;

use crate::util::Workdir;

/// A 600 × 5 float64 matrix (24 000 bytes) with distinct column scales and offsets.
fn data(w: &Workdir) -> (String, ndarray::Array2<f64>) {
    let x = ndarray::Array2::from_shape_fn((600, 5), |(i, j)| {
        let t = i as f64 * 0.37 + j as f64;
        (t.sin() * (j + 1) as f64) + (t * 1.7).cos() * 0.3 + 10.0 * j as f64
    });
    let p = w.path("x.npy");
    mlinalg::io::write_npy(&p, &x).unwrap();
    (p.to_string_lossy().into_owned(), x)
}

fn run_json(w: &Workdir, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let r = w.run(&a);
    serde_json::from_str(r.ok()).unwrap()
}

fn flat(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        // an array result: {"shape": [...], "data": [...]}
        Value::Object(o) if o.contains_key("data") => flat(&o["data"]),
        other => panic!("not numeric: {other}"),
    }
}

fn close(a: &Value, b: &Value, tol: f64, what: &str) {
    let (a, b) = (flat(a), flat(b));
    assert_eq!(a.len(), b.len(), "{what}");
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() <= tol * scale, "{what}: {x} vs {y}");
    }
}

#[test]
fn pca_streams_above_the_limit_with_the_same_results() {
    let w = Workdir::new();
    let (x, _) = data(&w);
    let mem = run_json(&w, &["pca", &x, "-k", "2"]);
    // 24 kB of data, a 16 kB limit: streamed
    let streamed = run_json(&w, &["pca", &x, "-k", "2", "--memory-limit", "16K"]);
    for key in [
        "components",
        "explained_variance",
        "explained_variance_ratio",
        "singular_values",
        "mean",
    ] {
        close(&streamed[key], &mem[key], 1e-12, key);
    }
    assert!(
        streamed.get("transformed").is_none(),
        "transformed is never printed when streaming"
    );
    // --out-dir gets transformed.npy, written block by block
    let out = w.path("out");
    let r = w.run(&[
        "pca",
        &x,
        "-k",
        "2",
        "--memory-limit",
        "16K",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    r.ok();
    let z = mlinalg::io::read_npy(&out.join("transformed.npy"))
        .unwrap()
        .data;
    assert_eq!(z.shape(), &[600, 2]);
    close(
        &serde_json::to_value(z.iter().collect::<Vec<_>>()).unwrap(),
        &mem["transformed"],
        1e-10,
        "transformed",
    );
    assert!(out.join("components.npy").exists());
    for solver in ["eigh", "svd", "randomized"] {
        let m = run_json(&w, &["pca", &x, "-k", "2", "--solver", solver]);
        let s = run_json(
            &w,
            &[
                "pca",
                &x,
                "-k",
                "2",
                "--solver",
                solver,
                "--memory-limit",
                "16K",
            ],
        );
        close(&s["components"], &m["components"], 1e-9, solver);
        close(
            &s["explained_variance"],
            &m["explained_variance"],
            1e-9,
            solver,
        );
    }
}

#[test]
fn tsvd_and_lstsq_stream_above_the_limit() {
    let w = Workdir::new();
    let (x, a) = data(&w);
    for alg in ["exact", "randomized"] {
        let m = run_json(&w, &["tsvd", &x, "-k", "2", "--algorithm", alg]);
        let s = run_json(
            &w,
            &[
                "tsvd",
                &x,
                "-k",
                "2",
                "--algorithm",
                alg,
                "--memory-limit",
                "16K",
            ],
        );
        for key in [
            "components",
            "singular_values",
            "explained_variance",
            "explained_variance_ratio",
        ] {
            close(&s[key], &m[key], 1e-9, &format!("{alg} {key}"));
        }
    }
    let b = a.column(0).mapv(|v| 2.0 * v) + a.column(3) - 1.0
        + a.column(1).mapv(|v| (v * 3.0).sin() * 0.1);
    let bp = w.path("b.npy");
    mlinalg::io::write_npy(&bp, &b).unwrap();
    let m = run_json(&w, &["lstsq", &x, bp.to_str().unwrap()]);
    let s = run_json(
        &w,
        &["lstsq", &x, bp.to_str().unwrap(), "--memory-limit", "16K"],
    );
    for key in ["x", "residuals", "singular_values"] {
        close(&s[key], &m[key], 1e-9, key);
    }
    assert_eq!(s["rank"], m["rank"]);
    assert_eq!(s["x"]["shape"], serde_json::json!([5]));
}

#[test]
fn bad_limits_and_truncated_inputs_are_one_error_line() {
    let w = Workdir::new();
    let (x, _) = data(&w);
    // below one row (40 bytes per row)
    let e = w
        .run(&[
            "pca",
            &x,
            "-k",
            "2",
            "--memory-limit",
            "100",
            "--solver",
            "randomized",
        ])
        .fails()
        .to_string();
    assert!(
        e.contains("100 bytes") && e.contains("40 bytes per row"),
        "{e}"
    );
    // not a size: usage error
    w.run(&["pca", &x, "--memory-limit", "lots"]).usage();
    // truncated .npy: exit 1, naming the file, no output left
    let bytes = std::fs::read(&x).unwrap();
    let t = w.write("t.npy", &bytes[..bytes.len() - 100]);
    let out = w.path("o");
    let e = w
        .run(&[
            "pca",
            &t,
            "--memory-limit",
            "16K",
            "--out-dir",
            out.to_str().unwrap(),
        ])
        .fails()
        .to_string();
    assert!(e.contains("t.npy") && e.contains("truncated"), "{e}");
    assert!(!out.exists());
    // NaN in the middle: names the file and rows; no transformed file left behind
    let mut a = mlinalg::io::read_npy(std::path::Path::new(&x))
        .unwrap()
        .data;
    a[[450, 2]] = f64::NAN;
    let n = w.path("nan.npy");
    mlinalg::io::write_npy(&n, &a).unwrap();
    let e = w
        .run(&[
            "pca",
            n.to_str().unwrap(),
            "-k",
            "1",
            "--memory-limit",
            "16K",
        ])
        .fails()
        .to_string();
    assert!(
        e.contains("nan.npy: rows") && e.contains("non-finite"),
        "{e}"
    );
}

/// The library's pyarrow-written Parquet fixtures (`generate_stream.py`).
fn pq(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../mlinalg/tests/fixtures/stream")
        .join(name);
    p.to_string_lossy().into_owned()
}

#[test]
fn parquet_is_a_dense_input_with_columns() {
    let w = Workdir::new();
    let from_pq = run_json(&w, &["pca", &pq("pq/one.parquet"), "-k", "2"]);
    let from_npy = run_json(&w, &["pca", &pq("pq_one__x.npy"), "-k", "2"]);
    for key in ["components", "explained_variance", "mean", "transformed"] {
        close(&from_pq[key], &from_npy[key], 1e-12, key);
    }
    // streamed: the same numbers
    let s = run_json(
        &w,
        &[
            "pca",
            &pq("pq/one.parquet"),
            "-k",
            "2",
            "--memory-limit",
            "4K",
        ],
    );
    close(
        &s["components"],
        &from_npy["components"],
        1e-10, // the in-memory covariance solver centres XᵀX afterwards (mean 1e3): ~3e-12 apart
        "streamed components",
    );
    // --columns picks and orders columns; a directory is one table
    let ca = run_json(
        &w,
        &["pca", &pq("pq/one.parquet"), "--columns", "c,a", "-k", "1"],
    );
    let want = run_json(&w, &["pca", &pq("pq_one__ca.npy"), "-k", "1"]);
    close(&ca["components"], &want["components"], 1e-12, "--columns");
    let d = run_json(&w, &["pca", &pq("pq/dir"), "-k", "1"]);
    let want = run_json(&w, &["pca", &pq("pq_dir__x.npy"), "-k", "1"]);
    close(&d["components"], &want["components"], 1e-12, "directory");
}

#[test]
fn bad_parquet_inputs_are_one_error_line_naming_file_and_column() {
    let w = Workdir::new();
    let e = w.run(&["pca", &pq("pq/null.parquet")]).fails().to_string();
    assert!(
        e.contains("null.parquet: column 'b' has a null in row group 1"),
        "{e}"
    );
    let e = w
        .run(&["pca", &pq("pq/one.parquet"), "--columns", "a,s"])
        .fails()
        .to_string();
    assert!(e.contains("column 's' is not numeric"), "{e}");
    let e = w
        .run(&["pca", &pq("pq/corrupt_footer.parquet")])
        .fails()
        .to_string();
    assert!(
        e.contains("corrupt_footer.parquet: not a valid Parquet file"),
        "{e}"
    );
    let e = w
        .run(&[
            "pca",
            &pq("pq/corrupt_page.parquet"),
            "--memory-limit",
            "4K",
        ])
        .fails()
        .to_string();
    assert!(
        e.contains("corrupt_page.parquet: row group 0: cannot be read"),
        "{e}"
    );
    let e = w.run(&["pca", &pq("pq/mixed")]).fails().to_string();
    assert!(e.contains("p1.parquet"), "{e}");
}
