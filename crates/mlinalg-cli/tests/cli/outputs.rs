//! The human summary, `--out`, `--out-dir`, atomic writes and a closed stdout.

use std::io::Read;
use std::process::Stdio;

use serde_json::json;

use crate::util::{Workdir, fx, json, mlinalg};

/// The f64 values and shape of a `.npy` file written by the CLI, read by the library.
fn read_npy(path: &std::path::Path) -> (Vec<usize>, Vec<f64>) {
    let a = mlinalg::io::load_dense(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (a.data.shape().to_vec(), a.data.iter().copied().collect())
}

#[test]
fn human_summary_is_numpy_like() {
    let out = mlinalg(&["matmul", &fx("a23.npy"), &fx("b32.npy")])
        .ok()
        .to_string();
    assert_eq!(out, "product  # (2, 2)\n[[ 58.  64.]\n [139. 154.]]\n");
    // Scalars: names padded to one column, Python-repr digits.
    let out = mlinalg(&["det", &fx("eig22.npy")]).ok().to_string();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("det        10.0"), "{out}");
    assert_eq!(lines[1], "sign       1.0");
    assert!(lines[2].starts_with("logabsdet  2.30258509299404"), "{out}");
    let out = mlinalg(&["eig", &fx("rot.npy")]).ok().to_string();
    assert!(
        out.contains("[0.+1.j 0.-1.j]") || out.contains("[0.-1.j 0.+1.j]"),
        "{out}"
    );
    let out = mlinalg(&["info", &fx("sparse.mtx")]).ok().to_string();
    assert!(
        out.starts_with("shape  (5, 4)\ndtype  float64\nnnz    "),
        "{out}"
    );
}

#[test]
fn large_arrays_are_elided() {
    let d = Workdir::new();
    let rows: Vec<String> = (0..60)
        .map(|i| {
            (0..40)
                .map(|j| format!("{}", i * 40 + j))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let f = d.write("big.csv", rows.join("\n") + "\n");
    let out = d.run(&["transpose", &f]).ok().to_string();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "transpose  # (40, 60)");
    assert_eq!(lines.len(), 8, "{out}");
    assert_eq!(lines[4], " ...");
    assert!(lines[1].contains(" ... "), "{out}");
}

#[test]
fn out_writes_single_result_npy_and_csv() {
    let d = Workdir::new();
    let r = d.run(&["inv", &fx("sq4.npy"), "--out", "inv.npy"]);
    r.ok();
    let (shape, vals) = read_npy(&d.path("inv.npy"));
    assert_eq!(shape, vec![4, 4]);
    let v = json(&["inv", &fx("sq4.npy")]);
    assert_eq!(vals, crate::util::flat(&v["inverse"]["data"]));

    d.run(&["solve", &fx("sq4.npy"), &fx("rhs4.npy"), "--out", "x.csv"])
        .ok();
    let text = std::fs::read_to_string(d.path("x.csv")).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    let back: Vec<f64> = text.lines().map(|l| l.parse().unwrap()).collect();
    let v = json(&["solve", &fx("sq4.npy"), &fx("rhs4.npy")]);
    assert_eq!(back, crate::util::flat(&v["x"]["data"]));

    d.run(&["outer", &fx("v3.npy"), &fx("w3.npy"), "--out", "o.csv"])
        .ok();
    assert_eq!(
        std::fs::read_to_string(d.path("o.csv")).unwrap(),
        "8.0,2.0,4.0\n12.0,3.0,6.0\n-4.0,-1.0,-2.0\n"
    );
    // A .csv written by --out reads back through the CLI.
    let v = crate::util::json(&["info", d.path("o.csv").to_str().unwrap()]);
    assert_eq!(v["shape"], json!([3, 3]));

    d.run(&["matmul", &fx("v3.npy"), &fx("w3.npy"), "--out", "dot.npy"])
        .ok();
    assert_eq!(read_npy(&d.path("dot.npy")), (vec![], vec![9.0]));
    assert!(
        !d.listing().iter().any(|n| n.contains("tmp")),
        "{:?}",
        d.listing()
    );
}

#[test]
fn out_dir_writes_every_array_result() {
    let d = Workdir::new();
    d.run(&["svd", &fx("tall63.npy"), "--out-dir", "res/svd"])
        .ok();
    let mut names: Vec<String> = std::fs::read_dir(d.path("res/svd"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["s.npy", "u.npy", "vt.npy"]);
    assert_eq!(read_npy(&d.path("res/svd/u.npy")).0, vec![6, 3]);

    d.run(&["pca", &fx("data.npy"), "-k", "2", "--out-dir", "pca"])
        .ok();
    for name in [
        "components",
        "explained_variance",
        "explained_variance_ratio",
        "singular_values",
        "mean",
        "transformed",
    ] {
        assert!(d.path(&format!("pca/{name}.npy")).exists(), "{name}");
    }
    assert_eq!(read_npy(&d.path("pca/transformed.npy")).0, vec![20, 2]);

    // Scalars and counts are not files; arrays of lstsq are.
    d.run(&[
        "lstsq",
        &fx("tall63.npy"),
        &fx("y6.npy"),
        "--out-dir",
        "ls",
        "--json",
    ])
    .ok();
    let mut names: Vec<String> = std::fs::read_dir(d.path("ls"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["residuals.npy", "singular_values.npy", "x.npy"]);
}

#[test]
fn complex_results_are_complex128_files() {
    let d = Workdir::new();
    d.run(&["eig", &fx("rot.npy"), "--out-dir", "e"]).ok();
    let bytes = std::fs::read(d.path("e/eigenvalues.npy")).unwrap();
    let end = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let header = String::from_utf8_lossy(&bytes[..end]);
    assert!(
        header.contains("'descr': '<c16'") && header.contains("(2,)"),
        "{header}"
    );
    assert_eq!(end % 64, 0);
    assert_eq!(bytes.len(), end + 2 * 16);
}

#[test]
fn failures_leave_nothing_and_keep_existing_files() {
    let d = Workdir::new();
    d.write("keep.npy", b"original");
    // A computation error: --out target untouched, --out-dir never created.
    d.run(&["inv", &fx("a23.npy"), "--out", "keep.npy"]).fails();
    assert_eq!(std::fs::read(d.path("keep.npy")).unwrap(), b"original");
    d.run(&["svd", &fx("nan.npy"), "--out-dir", "new/dir"])
        .fails();
    assert!(!d.path("new").exists());
    // An unknown --out extension fails before any work, writing nothing.
    let line = d
        .run(&["inv", &fx("sq4.npy"), "--out", "inv.txt"])
        .fails()
        .to_string();
    assert!(line.contains(".txt"), "{line}");
    // A 3-d result cannot be a CSV: error, nothing written.
    d.run(&["transpose", &fx("t3.npy"), "--out", "t.csv"])
        .fails();
    // A missing target directory: the message names the file asked for.
    let line = d
        .run(&["inv", &fx("sq4.npy"), "--out", "no/such/dir/x.npy"])
        .fails()
        .to_string();
    assert!(
        line.starts_with("error: inv: no/such/dir/x.npy: "),
        "{line}"
    );
    assert!(!line.contains("tmp"), "{line}");
    // --out-dir naming an existing file.
    d.run(&["svd", &fx("tall63.npy"), "--out-dir", "keep.npy"])
        .fails();
    assert_eq!(std::fs::read(d.path("keep.npy")).unwrap(), b"original");
    assert_eq!(d.listing(), vec!["keep.npy"]);
}

#[test]
fn closed_stdout_is_success() {
    let d = Workdir::new();
    let rows: Vec<String> = (0..300)
        .map(|i| {
            (0..300)
                .map(|j| format!("{}.5", i + j))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let f = d.write("big.csv", rows.join("\n") + "\n");
    let mut child = d
        .command(&["transpose", &f, "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn no_spinner_when_stderr_is_not_a_terminal() {
    let r = mlinalg(&["svd", &fx("tall63.npy")]);
    r.ok();
    assert!(r.stderr.is_empty());
}
