//! Exit statuses and the one-line `error:` messages: usage errors (2), data errors (1),
//! hostile files.

use std::time::{Duration, Instant};

use crate::util::{Workdir, fx, mlinalg};

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &[],
        &["frobnicate"],
        &["svd"],
        &["svd", "a.npy", "--bogus"],
        &["lowrank", "a.npy"],
        &["lowrank", "a.npy", "-k", "abc"],
        &["lowrank", "a.npy", "-k", "0"],
        &["lowrank", "a.npy", "-k", "-3"],
        &["pca", "a.npy", "--solver", "magic"],
        &["tsvd", "a.npy", "--iters", "-1"],
        &["tsvd", "a.npy", "--algorithm", "arpack"],
        &["qr", "a.npy", "--mode", "economic"],
        &["norm", "a.npy", "--ord", "banana"],
        &["rank", "a.npy", "--tol", "x"],
        &["matmul", "a.npy"],
        &["tour", "--section", "nope"],
    ];
    for args in cases {
        let r = mlinalg(args);
        r.usage();
    }
}

#[test]
fn out_on_multi_result_command_is_usage_error() {
    let d = Workdir::new();
    let r = d.run(&["svd", &fx("a23.npy"), "--out", "u.npy"]);
    let err = r.usage();
    assert!(err.contains("--out-dir"), "{err}");
    assert!(err.contains("u, s, vt"), "{err}");
    let r = d.run(&["det", &fx("sq4.npy"), "--out", "d.npy"]);
    r.usage();
    assert!(d.listing().is_empty(), "{:?}", d.listing());
}

#[test]
fn unknown_section_lists_valid_names() {
    let r = mlinalg(&["tour", "--section", "nope"]);
    let err = r.usage();
    for name in [
        "arrays",
        "vectors",
        "matrices",
        "special",
        "eigen",
        "svd",
        "network",
        "regression",
    ] {
        assert!(err.contains(name), "{name} missing: {err}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let r = mlinalg(&["--help"]);
    assert_eq!(r.code, 0);
    for cmd in ["info", "matmul", "lstsq", "norm", "pca", "tsvd", "tour"] {
        assert!(r.stdout.contains(cmd), "{cmd} not in help");
    }
    let r = mlinalg(&["norm", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("--ord"));
    assert_eq!(mlinalg(&["--version"]).code, 0);
}

#[test]
fn a_panic_is_one_error_line() {
    let d = Workdir::new();
    let out = d
        .command(&["trace", &fx("a23.npy")])
        .env("MLINALG_TEST_PANIC", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        "error: internal error: forced by MLINALG_TEST_PANIC second line\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn matmul_shape_mismatch_message() {
    let line = mlinalg(&["matmul", &fx("a23.npy"), &fx("a23.npy")])
        .fails()
        .to_string();
    assert_eq!(
        line,
        "error: matmul: inner dimensions differ: (2, 3) @ (2, 3): 3 != 2"
    );
}

#[test]
fn missing_file_and_unknown_extension() {
    let line = mlinalg(&["inv", "does-not-exist.npy"]).fails().to_string();
    assert!(
        line.contains("inv") && line.contains("does-not-exist.npy"),
        "{line}"
    );
    let d = Workdir::new();
    let p = d.write("a.txt", "1 2\n3 4\n");
    let line = d.run(&["det", &p]).fails().to_string();
    assert!(line.contains(".txt"), "{line}");
}

#[test]
fn singular_not_pd_not_symmetric() {
    let d = Workdir::new();
    let sing = d.write("s.csv", "1,2\n2,4\n");
    assert!(d.run(&["inv", &sing]).fails().contains("singular"));
    assert!(
        d.run(&["solve", &sing, &fx("w3.npy")])
            .fails()
            .starts_with("error: solve")
    );
    let indefinite = d.write("i.csv", "1,2\n2,1\n");
    assert!(
        d.run(&["cholesky", &indefinite])
            .fails()
            .contains("positive definite")
    );
    assert!(
        d.run(&["eigh", &fx("sq4.npy")])
            .fails()
            .contains("not symmetric")
    );
}

#[test]
fn non_finite_input_to_solvers() {
    let d = Workdir::new();
    let nan = fx("nan.npy");
    let b = d.write("b.csv", "b\n1\n2\n");
    let cases: Vec<Vec<&str>> = vec![
        vec!["inv", &nan],
        vec!["solve", &nan, &b],
        vec!["lstsq", &nan, &b],
        vec!["det", &nan],
        vec!["rank", &nan],
        vec!["qr", &nan],
        vec!["cholesky", &nan],
        vec!["eigh", &nan],
        vec!["eig", &nan],
        vec!["svd", &nan],
        vec!["lowrank", &nan, "-k", "1"],
        vec!["pca", &nan],
        vec!["tsvd", &nan, "-k", "1"],
    ];
    for args in cases {
        let line = d.run(&args).fails().to_string();
        assert!(line.contains("non-finite"), "{args:?}: {line}");
        assert!(
            line.starts_with(&format!("error: {}", args[0])),
            "{args:?}: {line}"
        );
    }
    // A non-finite right-hand side too.
    let line = d
        .run(&["solve", &fx("sq4.npy"), &fx("inf_vec.npy")])
        .fails()
        .to_string();
    assert!(
        line.contains("non-finite") || line.contains("(3,)"),
        "{line}"
    );
}

#[test]
fn elementwise_commands_follow_ieee() {
    // No error for NaN/inf in matmul, transpose, trace, norm, outer, info.
    let nan = fx("nan.npy");
    for args in [
        vec!["matmul", nan.as_str(), nan.as_str()],
        vec!["transpose", nan.as_str()],
        vec!["trace", nan.as_str()],
        vec!["norm", nan.as_str()],
        vec!["info", nan.as_str()],
    ] {
        mlinalg(&args).ok();
    }
    let inf = fx("inf_vec.npy");
    mlinalg(&["outer", &inf, &fx("v3.npy")]).ok();
    mlinalg(&["cosine", &inf, &fx("v3.npy")]).ok();
}

#[test]
fn empty_input_follows_numpy() {
    // Contract amendment 1: where NumPy returns a result for an empty input, so do we.
    let e = fx("empty.npy"); // shape (0, 3)
    let computed: Vec<Vec<&str>> = vec![
        vec!["lstsq", &e, &e],
        vec!["trace", &e],
        vec!["rank", &e],
        vec!["norm", &e],
        vec!["qr", &e],
        vec!["svd", &e],
        vec!["info", &e],
        vec!["transpose", &e],
    ];
    for args in computed {
        mlinalg(&args).ok();
    }
    // Where NumPy raises (a 0 × 3 matrix is not square), exit 1.
    for cmd in ["inv", "det", "cholesky", "eigh", "eig"] {
        mlinalg(&[cmd, &e]).fails();
    }
    mlinalg(&["solve", &e, &e]).fails();
    // scikit-learn's rule for the estimators, and the vector commands: "empty".
    let cases: Vec<Vec<&str>> = vec![
        vec!["matmul", &e, &e],
        vec!["lowrank", &e, "-k", "1"],
        vec!["pca", &e],
        vec!["tsvd", &e, "-k", "1"],
        vec!["check", &e],
    ];
    for args in cases {
        let line = mlinalg(&args).fails().to_string();
        assert!(line.contains("empty"), "{args:?}: {line}");
    }
    let d = Workdir::new();
    let ev = d.write("ev.npy", npy_f64(&[0], &[]));
    for cmd in ["cosine", "outer"] {
        let line = d.run(&[cmd, &ev, &ev]).fails().to_string();
        assert!(line.contains("empty"), "{cmd}: {line}");
    }
}

#[test]
fn wrong_dimensions_name_command_and_shape() {
    let v = fx("v3.npy");
    let t = fx("t3.npy");
    for cmd in [
        "inv", "det", "svd", "qr", "cholesky", "eigh", "eig", "trace", "check", "pca",
    ] {
        let line = mlinalg(&[cmd, &v]).fails().to_string();
        assert!(line.starts_with(&format!("error: {cmd}:")), "{line}");
        assert!(line.contains("(3,)"), "{line}");
    }
    // A 3-d array is a stack of matrices for the linalg commands (contract amendment 3),
    // but not a data matrix.
    for cmd in ["check", "pca"] {
        let line = mlinalg(&[cmd, &t]).fails().to_string();
        assert!(line.contains("(2, 2, 2)"), "{line}");
    }
    mlinalg(&["inv", &t]).ok();
    let line = mlinalg(&["lowrank", &v, "-k", "1"]).fails().to_string();
    assert!(line.contains("(3,)"), "{line}");
    let line = mlinalg(&["cosine", &fx("a23.npy"), &v]).fails().to_string();
    assert!(
        line.starts_with("error: cosine:") && line.contains("(2, 3)"),
        "{line}"
    );
    // rank takes a vector as NumPy does (`int(not all(x == 0))`) and a 3-d array as a stack;
    // outer flattens any input (tests/cli/acceptance.rs).
    mlinalg(&["rank", &t]).ok();
    let line = mlinalg(&["solve", &fx("sq4.npy"), &t]).fails().to_string();
    assert!(line.contains("(2, 2, 2)"), "{line}");
    let line = mlinalg(&["cosine", &v, &fx("vec4.npy")])
        .fails()
        .to_string();
    assert!(line.starts_with("error: cosine"), "{line}");
    let line = mlinalg(&["norm", &t, "--ord", "1"]).fails().to_string();
    assert!(line.contains("(2, 2, 2)"), "{line}");
}

#[test]
fn values_the_data_rules_out_exit_1() {
    let a = fx("a23.npy");
    let line = mlinalg(&["lowrank", &a, "-k", "3"]).fails().to_string();
    assert_eq!(
        line,
        "error: lowrank: invalid -k: k=3 must be between 1 and min(n_rows, n_cols)=2 for shape (2, 3)"
    );
    assert!(
        mlinalg(&["pca", &a, "-k", "5"])
            .fails()
            .contains("n_components")
    );
    mlinalg(&["tsvd", &a, "-k", "7"]).fails();
    // A matrix norm on a vector, a vector-only order on a matrix.
    assert!(
        mlinalg(&["norm", &fx("v3.npy"), "--ord", "fro"])
            .fails()
            .contains("fro")
    );
    mlinalg(&["norm", &a, "--ord", "3"]).fails();
    mlinalg(&["norm", &a, "--ord", "0"]).fails();
}

/// A float64 `.npy` file with the given shape and values.
pub fn npy_f64(shape: &[usize], values: &[f64]) -> Vec<u8> {
    let shape_txt = match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    npy_raw(
        &format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_txt}, }}"),
        values,
    )
}

fn npy_raw(header: &str, values: &[f64]) -> Vec<u8> {
    let mut h = header.to_string();
    let total = 10 + h.len() + 1;
    h.push_str(&" ".repeat((64 - total % 64) % 64));
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[test]
fn hostile_files_fail_fast_with_one_line() {
    let d = Workdir::new();
    let mut truncated = npy_f64(&[3, 3], &[1.0; 9]);
    truncated.truncate(truncated.len() - 20);
    let files = [
        d.write("truncated.npy", truncated),
        d.write(
            "huge.npy",
            npy_raw(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }",
                &[1.0; 4],
            ),
        ),
        d.write("badmagic.npy", b"not a numpy file at all"),
        d.write(
            "baddtype.npy",
            npy_raw(
                "{'descr': '<M8[s]', 'fortran_order': False, 'shape': (2,), }",
                &[1.0, 2.0],
            ),
        ),
        d.write("ragged.csv", "1,2,3\n4,5\n"),
        d.write("text.csv", "a,b\n1,2\nx,4\n"),
        d.write("nodata.csv", "a,b\n"),
        d.write(
            "range.mtx",
            "%%MatrixMarket matrix coordinate real general\n3 3 1\n4 1 1.0\n",
        ),
        d.write(
            "hugedim.mtx",
            "%%MatrixMarket matrix coordinate real general\n100000000000 100000000000 1\n1 1 1.0\n",
        ),
        d.write(
            "short.mtx",
            "%%MatrixMarket matrix coordinate real general\n3 3 5\n1 1 1.0\n",
        ),
        d.write("notmm.mtx", "hello\n"),
    ];
    for f in &files {
        for cmd in ["svd", "info"] {
            let start = Instant::now();
            let out_dir = d.path("outdir");
            let r = d.run(&[cmd, f, "--out-dir", out_dir.to_str().unwrap()]);
            let line = r.fails().to_string();
            assert!(start.elapsed() < Duration::from_secs(5), "{f}: slow");
            // info keeps a huge sparse matrix sparse: only svd would need its dense form.
            assert!(line.starts_with(&format!("error: {cmd}: ")), "{f}: {line}");
            assert!(!out_dir.exists(), "{f}: --out-dir created on failure");
        }
    }
    let before = d.listing();
    assert!(!before.iter().any(|n| n.contains("tmp")), "{before:?}");
}

#[test]
fn huge_sparse_matrix_stays_sparse_where_allowed() {
    let d = Workdir::new();
    let f = d.write("big.mtx", "%%MatrixMarket matrix coordinate real general\n1000000 1000000 2\n1 1 3.0\n1000000 1000000 4.0\n");
    let v = crate::util::json(&["info", &f]);
    assert_eq!(v["nnz"], serde_json::json!(2));
    assert_eq!(v["max"], serde_json::json!(4.0));
    let v = crate::util::json(&["norm", &f]);
    assert_eq!(v["norm"], serde_json::json!(5.0));
    let v = crate::util::json(&["norm", &f, "--ord", "inf"]);
    assert_eq!(v["norm"], serde_json::json!(4.0));
    let v = crate::util::json(&["norm", &f, "--ord", "1"]);
    assert_eq!(v["norm"], serde_json::json!(4.0));
    // Densifying 10¹² entries is refused with one line, not an abort.
    let line = d.run(&["svd", &f]).fails().to_string();
    assert!(line.starts_with("error: svd"), "{line}");
}
