//! Every command on small inputs, against NumPy / scikit-learn values from the fixtures.

use serde_json::json;

use crate::util::{assert_case, assert_result, assert_up_to_sign, expected, flat, fx, json, num};

const TOL: f64 = 1e-9;

#[test]
fn matmul_matches_numpy() {
    assert_case(
        &json(&["matmul", &fx("a23.npy"), &fx("b32.npy")]),
        "matmul",
        TOL,
    );
    assert_case(
        &json(&["matmul", &fx("a23.npy"), &fx("v3.npy")]),
        "matmul_mv",
        TOL,
    );
    let vv = json(&["matmul", &fx("v3.npy"), &fx("w3.npy")]);
    assert!(
        vv["product"].is_number(),
        "a 1-d @ 1-d product is a JSON number: {vv}"
    );
    assert_case(&vv, "matmul_vv", TOL);
}

#[test]
fn matmul_sparse_left_operand() {
    assert_case(
        &json(&["matmul", &fx("sparse.mtx"), &fx("b42.npy")]),
        "matmul_sparse_dense",
        TOL,
    );
    assert_case(
        &json(&["matmul", &fx("sparse.mtx"), &fx("vec4.npy")]),
        "matmul_sparse_vec",
        TOL,
    );
}

#[test]
fn transpose_matrix_and_vector() {
    assert_case(&json(&["transpose", &fx("a23.npy")]), "transpose", TOL);
    let v = json(&["transpose", &fx("v3.npy")]);
    assert_eq!(
        v["transpose"],
        json!({"shape": [3], "data": [2.0, 3.0, -1.0]})
    );
    let t = json(&["transpose", &fx("t3.npy")]);
    assert_eq!(t["transpose"]["shape"], json!([2, 2, 2]));
    assert_eq!(
        flat(&t["transpose"]["data"]),
        vec![0.0, 4.0, 2.0, 6.0, 1.0, 5.0, 3.0, 7.0]
    );
    let e = json(&["transpose", &fx("empty.npy")]);
    assert_eq!(
        e["transpose"],
        json!({"shape": [3, 0], "data": [[], [], []]})
    );
}

#[test]
fn inv_solve_det_trace() {
    assert_case(&json(&["inv", &fx("sq4.npy")]), "inv", TOL);
    assert_case(
        &json(&["solve", &fx("sq4.npy"), &fx("rhs4.npy")]),
        "solve_vec",
        TOL,
    );
    assert_case(
        &json(&["solve", &fx("sq4.npy"), &fx("rhs42.npy")]),
        "solve_mat",
        TOL,
    );
    assert_case(&json(&["det", &fx("sq4.npy")]), "det", TOL);
    assert_case(&json(&["trace", &fx("a23.npy")]), "trace", TOL);
}

#[test]
fn lstsq_matches_numpy() {
    assert_case(
        &json(&["lstsq", &fx("tall63.npy"), &fx("y6.npy")]),
        "lstsq_vec",
        TOL,
    );
    assert_case(
        &json(&["lstsq", &fx("tall63.npy"), &fx("y62.npy")]),
        "lstsq_mat",
        TOL,
    );
}

#[test]
fn lstsq_rank_deficient_has_empty_residuals() {
    let d = crate::util::Workdir::new();
    // NumPy's case uses the first 5 entries of y6.
    let y5: Vec<String> = flat(&json(&["transpose", &fx("y6.npy")])["transpose"]["data"])[..5]
        .iter()
        .map(|x| format!("{x:?}"))
        .collect();
    let y = d.write("y5.csv", format!("y\n{}\n", y5.join("\n")));
    let v = json(&["lstsq", &fx("deficient.npy"), &y]);
    assert_case(&v, "lstsq_deficient", 1e-8);
    assert_eq!(v["rank"], json!(2));
    assert_eq!(v["residuals"], json!({"shape": [0], "data": []}));
}

#[test]
fn rank_default_and_tol() {
    assert_case(
        &json(&["rank", &fx("deficient.npy")]),
        "rank_deficient",
        0.0,
    );
    assert_case(
        &json(&["rank", &fx("sq4.npy"), "--tol", "3.5"]),
        "rank_tol",
        0.0,
    );
}

#[test]
fn norm_every_ord() {
    let exp = expected("norm").as_object().unwrap();
    let spell = |o: &str| match o {
        "inf" => "inf".to_string(),
        "-inf" => "-inf".to_string(),
        o => o.to_string(),
    };
    for (key, value) in exp {
        let (kind, ord) = key.split_once(' ').unwrap();
        let file = match kind {
            "matrix" => fx("a23.npy"),
            "vector" => fx("v3.npy"),
            "sparse" => fx("sparse.mtx"),
            _ => fx("t3.npy"),
        };
        let mut args = vec!["norm".to_string(), file];
        if ord != "None" {
            // `--ord=-1` and `--ord -1` must both work; alternate between them.
            if ord.starts_with('-') && kind == "matrix" {
                args.push(format!("--ord={}", spell(ord)));
            } else {
                args.push("--ord".into());
                args.push(spell(ord));
            }
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_result(&json(&a)["norm"], value, 1e-10, key);
    }
}

#[test]
fn cosine_and_outer() {
    assert_case(
        &json(&["cosine", &fx("v3.npy"), &fx("w3.npy")]),
        "cosine",
        1e-12,
    );
    assert_case(
        &json(&["outer", &fx("v3.npy"), &fx("w3.npy")]),
        "outer",
        0.0,
    );
}

#[test]
fn qr_reduced_and_complete() {
    for (mode, case) in [("reduced", "qr_reduced"), ("complete", "qr_complete")] {
        let v = json(&["qr", &fx("tall63.npy"), "--mode", mode]);
        let e = expected(case);
        assert_up_to_sign(&v["q"], &e["q"], false, 1e-9, case);
        // R's rows carry the same signs as Q's columns; R is only k × n (k = rows of R).
        let (vr, er) = (&v["r"], &e["r"]);
        assert_eq!(vr["shape"], json!([crate::util::nested_shape(er)[0], 3]));
        let r_rows = crate::util::rows(vr);
        let e_rows = crate::util::rows(er);
        for (k, (a, b)) in r_rows.iter().zip(&e_rows).enumerate().take(3) {
            let s = if a[k] * b[k] < 0.0 { -1.0 } else { 1.0 };
            for (x, y) in a.iter().zip(b) {
                assert!(
                    (s * x - y).abs() < 1e-9,
                    "{case}: r row {k}: {a:?} vs {b:?}"
                );
            }
        }
    }
}

#[test]
fn cholesky_eigh_eig() {
    assert_case(&json(&["cholesky", &fx("spd4.npy")]), "cholesky", TOL);
    let v = json(&["eigh", &fx("spd4.npy")]);
    assert_result(
        &v["eigenvalues"],
        &expected("eigh")["eigenvalues"],
        TOL,
        "eigh values",
    );
    assert_up_to_sign(
        &v["eigenvectors"],
        &expected("eigh")["eigenvectors"],
        false,
        1e-8,
        "eigh vectors",
    );

    let v = json(&["eig", &fx("eig22.npy")]);
    assert!(
        v["eigenvalues"].get("data").is_some(),
        "real eigenvalues are a real array: {v}"
    );
    let mut w = flat(&v["eigenvalues"]["data"]);
    w.sort_by(f64::total_cmp);
    let e = flat(&expected("eig_real")["eigenvalues"]);
    assert!(
        w.iter().zip(&e).all(|(a, b)| (a - b).abs() < 1e-12),
        "{w:?} vs {e:?}"
    );

    let v = json(&["eig", &fx("rot.npy")]);
    let vals = &v["eigenvalues"];
    assert_eq!(vals["shape"], json!([2]));
    let (mut re, mut im) = (flat(&vals["re"]), flat(&vals["im"]));
    re.sort_by(f64::total_cmp);
    im.sort_by(f64::total_cmp);
    assert_eq!(re, flat(&expected("eig_complex")["re"]));
    assert!(
        im.iter()
            .zip(flat(&expected("eig_complex")["im"]))
            .all(|(a, b)| (a - b).abs() < 1e-12)
    );
    assert_eq!(v["eigenvectors"]["shape"], json!([2, 2]));
    assert!(v["eigenvectors"].get("re").is_some() && v["eigenvectors"].get("im").is_some());
}

#[test]
fn svd_thin_and_full() {
    for (flag, case) in [(None, "svd"), (Some("--full"), "svd_full")] {
        let mut args = vec!["svd".to_string(), fx("tall63.npy")];
        args.extend(flag.map(String::from));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = json(&a);
        let e = expected(case);
        assert_result(&v["s"], &e["s"], TOL, "s");
        assert_eq!(v["u"]["shape"], json!(crate::util::nested_shape(&e["u"])));
        assert_eq!(v["vt"]["shape"], json!(crate::util::nested_shape(&e["vt"])));
        // Only the first 3 columns of U / rows of Vᵀ are determined (up to sign).
        let first_cols = |m: &serde_json::Value| -> serde_json::Value {
            json!(
                crate::util::rows(m)
                    .iter()
                    .map(|r| r[..3].to_vec())
                    .collect::<Vec<_>>()
            )
        };
        assert_up_to_sign(&first_cols(&v["u"]), &first_cols(&e["u"]), false, 1e-9, "u");
        let vt_rows = |m: &serde_json::Value| json!(crate::util::rows(m)[..3].to_vec());
        assert_up_to_sign(&vt_rows(&v["vt"]), &vt_rows(&e["vt"]), true, 1e-9, "vt");
    }
}

#[test]
fn lowrank_matches_numpy() {
    let v = json(&["lowrank", &fx("tall63.npy"), "-k", "2"]);
    assert_case(&v, "lowrank", 1e-9);
}

#[test]
fn pca_matches_sklearn_for_every_solver() {
    for solver in ["auto", "svd", "eigh", "randomized"] {
        let v = json(&["pca", &fx("data.npy"), "--solver", solver]);
        assert_case(&v, "pca_None", 1e-7);
        let v = json(&["pca", &fx("data.npy"), "-k", "2", "--solver", solver]);
        assert_case(&v, "pca_2", 1e-7);
    }
}

#[test]
fn tsvd_matches_sklearn() {
    for algorithm in ["randomized", "exact"] {
        let v = json(&[
            "tsvd",
            &fx("data5.npy"),
            "-k",
            "2",
            "--algorithm",
            algorithm,
        ]);
        let e = expected("tsvd");
        for key in [
            "singular_values",
            "explained_variance",
            "explained_variance_ratio",
        ] {
            assert_result(&v[key], &e[key], 1e-8, key);
        }
        assert_up_to_sign(&v["components"], &e["components"], true, 1e-7, "components");
        assert_up_to_sign(
            &v["transformed"],
            &e["transformed"],
            false,
            1e-7,
            "transformed",
        );
    }
}

#[test]
fn tsvd_sparse_input() {
    let v = json(&["tsvd", &fx("sparse.mtx"), "-k", "2"]);
    let e = expected("tsvd_sparse");
    for key in [
        "singular_values",
        "explained_variance",
        "explained_variance_ratio",
    ] {
        assert_result(&v[key], &e[key], 1e-8, key);
    }
    assert_up_to_sign(&v["components"], &e["components"], true, 1e-7, "components");
    assert_up_to_sign(
        &v["transformed"],
        &e["transformed"],
        false,
        1e-7,
        "transformed",
    );
}

#[test]
fn check_properties() {
    assert_case(&json(&["check", &fx("spd4.npy")]), "check_spd", 0.0);
    assert_case(&json(&["check", &fx("rot.npy")]), "check_rot", 0.0);
    assert_case(&json(&["check", &fx("a23.npy")]), "check_a23", 0.0);
    assert_case(&json(&["check", &fx("sq4.npy")]), "check_sq4", 0.0);
}

#[test]
fn info_every_input_kind() {
    for (file, case) in [
        ("int32.npy", "info_int32"),
        ("int64.npy", "info_int64"),
        ("bool.npy", "info_bool"),
        ("f32be.npy", "info_f32be"),
        ("fortran.npy", "info_fortran"),
        ("scalar.npy", "info_scalar"),
        ("i64be.npy", "info_i64be"),
        ("format2.npy", "info_v2"),
        ("format3.npy", "info_v3"),
        ("t3.npy", "info_t3"),
        ("table.csv", "info_table"),
        ("column.csv", "info_column"),
        ("sparse.mtx", "info_sparse"),
        ("symmetric.mtx", "info_symmetric"),
        ("pattern.mtx", "info_pattern"),
    ] {
        let v = json(&["info", &fx(file)]);
        assert_case(&v, case, 1e-12);
    }
}

#[test]
fn info_empty_array_is_fine() {
    let v = json(&["info", &fx("empty.npy")]);
    assert_eq!(v["shape"], json!([0, 3]));
    assert_eq!(v["nnz"], json!(0));
    assert!(num(&v["mean"]).is_nan());
}

#[test]
fn fortran_order_and_format_versions_read_as_numpy() {
    let v = json(&["transpose", &fx("fortran.npy")]);
    assert_result(
        &v["transpose"],
        &expected("transpose")["transpose"],
        0.0,
        "fortran",
    );
    // b32 stored in Fortran order as .npy format 2.0 and 3.0.
    for f in ["format2.npy", "format3.npy"] {
        let v = json(&["matmul", &fx("a23.npy"), &fx(f)]);
        assert_result(&v["product"], &expected("matmul")["product"], 0.0, f);
    }
}
