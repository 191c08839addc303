//! Regressions found by the acceptance run (`scripts/contract_check.py`), one test each.

use serde_json::json;

use crate::errors::npy_f64;
use crate::util::{Workdir, flat, fx, json, num, rows};

/// A `.npy` file: `descr` (`|b1`, `<i8`, `<f8`), shape, C or Fortran order, raw payload.
fn npy(descr: &str, shape: &[usize], fortran: bool, payload: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
    let shape_txt = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let order = if fortran { "True" } else { "False" };
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape_txt}, }}");
    let total = 10 + h.len() + 1;
    h.push_str(&" ".repeat((64 - total % 64) % 64));
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// A `.npy` file of booleans (`|b1`) with the given shape.
fn npy_bool(shape: &[usize], values: &[bool]) -> Vec<u8> {
    let payload: Vec<u8> = values.iter().map(|&b| u8::from(b)).collect();
    npy("|b1", shape, false, &payload)
}

/// Deterministic pseudo-random values in [-1, 1) (a 64-bit LCG, high bits).
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}

/// A Matrix Market coordinate file of shape (m, n) with 1-based `(i, j, v)` entries.
fn mtx(m: usize, n: usize, entries: &[(usize, usize, f64)]) -> String {
    let mut s = format!(
        "%%MatrixMarket matrix coordinate real general\n{m} {n} {}\n",
        entries.len()
    );
    for (i, j, v) in entries {
        s.push_str(&format!("{i} {j} {v:e}\n"));
    }
    s
}

/// The entries of a directory, sorted.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn failing_out_dir_run_renames_nothing() {
    let d = Workdir::new();
    std::fs::create_dir_all(d.path("out/s.npy")).unwrap();
    d.write("out/vt.npy", "original");
    // `u` comes before the directory `s` in the results: it must not be renamed into place,
    // and `vt` (an existing file) must stay as it was.
    let line = d
        .run(&["svd", &fx("tall63.npy"), "--out-dir", "out"])
        .fails()
        .to_string();
    assert!(line.starts_with("error: svd: "), "{line}");
    assert!(
        line.contains("s.npy") && line.contains("directory"),
        "{line}"
    );
    assert_eq!(listing(&d.path("out")), vec!["s.npy", "vt.npy"]);
    assert_eq!(
        std::fs::read_to_string(d.path("out/vt.npy")).unwrap(),
        "original"
    );

    // With --plot: neither the plot nor any result file is renamed into place.
    std::fs::create_dir_all(d.path("pc/transformed.npy")).unwrap();
    let line = d
        .run(&["pca", &fx("data.npy"), "--plot", "p.svg", "--out-dir", "pc"])
        .fails()
        .to_string();
    assert!(line.contains("transformed.npy"), "{line}");
    assert_eq!(listing(&d.path("pc")), vec!["transformed.npy"]);
    assert_eq!(d.listing(), vec!["out", "pc"]);
}

#[test]
fn pca_transformed_is_centred_data_times_components() {
    let d = Workdir::new();
    let (n, p) = (100, 40);
    let x = values(n * p, 7);
    let f = d.write("x.npy", npy_f64(&[n, p], &x));
    for solver in ["auto", "eigh", "svd", "randomized"] {
        let v = json(&["pca", &f, "-k", "5", "--solver", solver, "--seed", "3"]);
        let comps = rows(&v["components"]);
        let mean = flat(&v["mean"]["data"]);
        let z = rows(&v["transformed"]);
        for i in 0..n {
            for (k, c) in comps.iter().enumerate() {
                let want: f64 = (0..p).map(|j| (x[i * p + j] - mean[j]) * c[j]).sum();
                assert!(
                    (z[i][k] - want).abs() <= 1e-12 * (1.0 + want.abs()),
                    "{solver}: transformed[{i}, {k}] = {} != {want}",
                    z[i][k]
                );
            }
        }
    }
}

#[test]
fn norm_of_huge_sparse_matrix_names_norm_or_is_computed_sparsely() {
    let d = Workdir::new();
    // min(m, n) is large: the singular values need the dense form, which cannot be had.
    let big = d.write(
        "big.mtx",
        mtx(
            1_000_000,
            1_000_000,
            &[(1, 1, 3.0), (1_000_000, 1_000_000, 4.0)],
        ),
    );
    for ord in ["2", "-2", "nuc"] {
        let line = d.run(&["norm", &big, "--ord", ord]).fails().to_string();
        assert!(
            line.starts_with(&format!("error: norm: --ord {ord} needs the dense")),
            "{line}"
        );
        assert!(line.contains("(1000000, 1000000)"), "{line}");
    }
    // tsvd's exact solver works on the sparse matrix itself (Lanczos), never densified.
    let out = d
        .run(&["tsvd", &big, "--algorithm", "exact"])
        .ok()
        .to_string();
    assert!(out.contains("singular_values  # (2,)\n[4. 3.]"), "{out}");

    // Tall and wide matrices with few columns (rows) are computed without densifying, and
    // agree with the dense computation on the same entries (zero rows add nothing).
    let entries = [
        (1, 1, 1.5),
        (1, 3, -2.0),
        (7, 2, 0.25),
        (400_000, 1, 3.0),
        (999_999, 3, 1e-3),
        (999_999, 2, 4.0),
    ];
    // The same entries with the non-zero rows 1, 7, 400000, 999999 numbered 1..4.
    let small: Vec<(usize, usize, f64)> = entries
        .iter()
        .map(|&(i, j, v)| {
            (
                [1, 7, 400_000, 999_999]
                    .iter()
                    .position(|&r| r == i)
                    .unwrap()
                    + 1,
                j,
                v,
            )
        })
        .collect();
    let tall = d.write("tall.mtx", mtx(1_000_000, 3, &entries));
    let wide = d.write(
        "wide.mtx",
        mtx(3, 1_000_000, &entries.map(|(i, j, v)| (j, i, v))),
    );
    let dense = d.write("dense.mtx", mtx(4, 3, &small));
    for ord in ["2", "-2", "nuc"] {
        let want = num(&json(&["norm", &dense, "--ord", ord])["norm"]);
        for f in [&tall, &wide] {
            let got = num(&json(&["norm", f, "--ord", ord])["norm"]);
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "{ord}: {got} != {want}"
            );
        }
    }
    // Fewer non-zero rows than columns: the smallest singular value is 0.
    let two = d.write("two.mtx", mtx(1_000_000, 3, &[(5, 1, 1.0), (9, 2, 2.0)]));
    assert_eq!(json(&["norm", &two, "--ord", "-2"])["norm"], json!(0.0));
    assert_eq!(json(&["norm", &two, "--ord", "2"])["norm"], json!(2.0));
    assert_eq!(json(&["norm", &two, "--ord", "nuc"])["norm"], json!(3.0));
    // Non-finite stored values follow the dense rules.
    let nan = d.write(
        "nan.mtx",
        mtx(1_000_000, 3, &[(5, 1, f64::NAN), (9, 2, 2.0)]),
    );
    assert_eq!(json(&["norm", &nan, "--ord", "2"])["norm"], json!("nan"));
    let inf = d.write(
        "inf.mtx",
        mtx(1_000_000, 3, &[(5, 1, f64::INFINITY), (9, 2, 2.0)]),
    );
    assert_eq!(json(&["norm", &inf, "--ord", "2"])["norm"], json!("inf"));
}

#[test]
fn norm_is_never_negative_zero() {
    let d = Workdir::new();
    // Row 2 and column 3 are empty.
    let f = d.write("z.mtx", mtx(3, 3, &[(1, 1, 1.0), (3, 2, -2.0)]));
    for ord in ["-inf", "-1"] {
        let out = d.run(&["norm", &f, &format!("--ord={ord}"), "--json"]);
        assert_eq!(out.ok(), "{\"norm\": 0.0}\n", "{ord}");
        let out = d.run(&["norm", &f, &format!("--ord={ord}")]);
        assert_eq!(out.ok().trim_end(), "norm  0.0", "{ord}");
    }
}

#[test]
fn rank_of_a_vector_is_zero_or_one() {
    let d = Workdir::new();
    let zeros = d.write("zeros.npy", npy_f64(&[3], &[0.0, 0.0, 0.0]));
    let some = d.write("some.npy", npy_f64(&[3], &[0.0, -1e-300, 0.0]));
    assert_eq!(json(&["rank", &zeros])["rank"], json!(0));
    assert_eq!(json(&["rank", &some])["rank"], json!(1));
    let empty = d.write("empty.npy", npy_f64(&[0], &[]));
    // NumPy: int(not all(A == 0)), and all([]) is true (contract amendment 1).
    assert_eq!(json(&["rank", &empty])["rank"], json!(0));
    let nan = d.write("nan.npy", npy_f64(&[2], &[f64::NAN, 1.0]));
    assert!(d.run(&["rank", &nan]).fails().contains("non-finite"));
}

#[test]
fn outer_flattens_its_inputs() {
    let d = Workdir::new();
    // scalar.npy is 0-d (2.5); t3.npy is (2, 2, 2) holding 0..8; v3.npy is [1, 3, -1]… as
    // NumPy, the inputs are flattened in C order.
    let v = json(&["outer", &fx("scalar.npy"), &fx("v3.npy")]);
    let vec3 = flat(&json(&["transpose", &fx("v3.npy")])["transpose"]["data"]);
    assert_eq!(v["outer"]["shape"], json!([1, 3]));
    assert_eq!(
        flat(&v["outer"]["data"]),
        vec3.iter().map(|x| 2.5 * x).collect::<Vec<_>>()
    );
    let v = json(&["outer", &fx("t3.npy"), &fx("scalar.npy")]);
    assert_eq!(v["outer"]["shape"], json!([8, 1]));
    assert_eq!(
        flat(&v["outer"]["data"]),
        (0..8).map(|i| 2.5 * f64::from(i)).collect::<Vec<_>>()
    );
    let m = d.write("m.npy", npy_f64(&[2, 2], &[1.0, 2.0, 3.0, 4.0]));
    let v = json(&["outer", &m, &m]);
    assert_eq!(v["outer"]["shape"], json!([4, 4]));
    assert_eq!(flat(&v["outer"]["data"])[4..8], [2.0, 4.0, 6.0, 8.0]);
    let empty = d.write("empty.npy", npy_f64(&[0, 3], &[]));
    assert!(d.run(&["outer", &empty, &m]).fails().contains("empty"));
}

#[test]
fn info_mean_uses_numpy_pairwise_summation() {
    let d = Workdir::new();
    let n = 2_000_000;
    let f = d.write("tenths.npy", npy_f64(&[n], &vec![0.1; n]));
    let out = d.run(&["info", &f, "--json"]);
    assert!(
        out.ok().contains("\"mean\": 0.10000000000000003"),
        "{}",
        out.stdout
    );
    // Shapes around the block sizes of NumPy's pairwise_sum (8, 128), in a matrix: the
    // mean is that of the C-order data (reference values from NumPy 2).
    for (shape, want) in [
        (vec![7], 0.09999999999999999),
        (vec![3, 3], 0.1),
        (vec![129], 0.09999999999999999),
        (vec![10, 100], 0.10000000000000002),
    ] {
        let len: usize = shape.iter().product();
        let f = d.write("t.npy", npy_f64(&shape, &vec![0.1; len]));
        let got = num(&json(&["info", &f])["mean"]);
        assert_eq!(got, want, "{shape:?}");
    }
}

#[test]
fn info_mean_sums_in_numpy_order_and_buffers() {
    let d = Workdir::new();
    // A Fortran-order file: NumPy sums in memory order (file order), not C order.
    let scale = [1e-3, 1e-1, 1e1, 1e3, 1e5, 1e-2, 1e4];
    let v: Vec<f64> = values(300 * 70, 2)
        .iter()
        .enumerate()
        .map(|(i, x)| x * scale[i % 7])
        .collect();
    let payload: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    let f = d.write("f.npy", npy("<f8", &[300, 70], true, &payload));
    // NumPy 2: np.load("f.npy").mean(); the C-order sum gives 193.22283885758816.
    assert_eq!(num(&json(&["info", &f])["mean"]), 193.22283885758821);
    // int64 is cast to float64 in buffers of 8192 values, each summed pairwise.
    let ints: Vec<i64> = (0..100_000i64)
        .map(|i| (i % 13 - 6) * ((1i64 << 60) + i * 1_000_003))
        .collect();
    let payload: Vec<u8> = ints.iter().flat_map(|x| x.to_le_bytes()).collect();
    let f = d.write("i.npy", npy("<i8", &[100_000], false, &payload));
    // NumPy: -207525874829307.16; one pairwise sum over all would give …309.62.
    assert_eq!(num(&json(&["info", &f])["mean"]), -207525874829307.16);
}

#[test]
fn bool_matmul_is_a_logical_product() {
    let d = Workdir::new();
    let a = d.write("a.npy", npy_bool(&[2, 2], &[true, true, false, true]));
    let v = json(&["matmul", &a, &a]);
    assert_eq!(v["product"]["data"], json!([[1.0, 1.0], [0.0, 1.0]]));
    let v1 = d.write("v.npy", npy_bool(&[2], &[true, true]));
    assert_eq!(json(&["matmul", &v1, &v1])["product"], json!(1.0));
    // Only when both operands are bool: a float operand gives counts.
    let f = d.write("f.npy", npy_f64(&[2, 2], &[1.0, 1.0, 0.0, 1.0]));
    let v = json(&["matmul", &a, &f]);
    assert_eq!(v["product"]["data"], json!([[1.0, 2.0], [0.0, 1.0]]));
}
