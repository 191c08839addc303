//! The `numpy.linalg` surface of the binary (issue 12): stacks `(..., M, N)`, NumPy's
//! result dtypes, empty arrays, the newer commands and options. Reference values are the
//! library's NumPy fixtures (`crates/mlinalg/tests/fixtures/generate_stacked.py`).

use std::path::{Path, PathBuf};

use mlinalg::io::{Dtype, TypedArray};
use ndarray::ArrayD;
use serde_json::json;

use crate::util::{Workdir, json};

/// A fixture of the library's `generate_stacked.py`.
fn stk(case: &str, key: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../mlinalg/tests/fixtures/linalg")
        .join(format!("{case}__{key}.npy"));
    assert!(p.exists(), "missing fixture {}", p.display());
    p.to_string_lossy().into_owned()
}

/// Reads a `.npy` file written by the binary: its dtype and values (as f64).
fn read(path: &Path) -> (Dtype, ArrayD<f64>) {
    let t = mlinalg::io::load_typed(path).expect("readable .npy");
    let v = match t.data {
        TypedArray::Float64(a) => a,
        TypedArray::Float32(a) => a.mapv(f64::from),
        other => panic!("unexpected complex result {other:?}"),
    };
    (t.dtype, v)
}

/// Runs `args --out-dir DIR` and reads `DIR/<key>.npy`.
fn result(d: &Workdir, args: &[&str], key: &str) -> (Dtype, ArrayD<f64>) {
    let out = d.path("out");
    let mut a = args.to_vec();
    let o = out.to_string_lossy().into_owned();
    a.extend(["--out-dir", &o]);
    d.run(&a).ok();
    let r = read(&out.join(format!("{key}.npy")));
    std::fs::remove_dir_all(&out).expect("clean out dir");
    r
}

fn assert_close(got: &ArrayD<f64>, want: &ArrayD<f64>, tol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.iter().zip(want.iter()) {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()) || g == w,
            "{what}: {g} vs {w}"
        );
    }
}

fn fixture(case: &str, key: &str) -> ArrayD<f64> {
    read(&PathBuf::from(stk(case, key))).1
}

/// A little-endian C-order `.npy` file of `descr` with the raw payload.
fn npy(descr: &str, shape: &[usize], payload: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
    let shape_txt = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_txt}, }}");
    let total = 10 + h.len() + 1;
    h.push_str(&" ".repeat((64 - total % 64) % 64));
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(payload);
    out
}

fn f64s(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn f32s(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn stacks_broadcast_over_leading_axes() {
    let d = Workdir::new();
    let a = stk("stk_sq", "a");
    let (dt, inv) = result(&d, &["inv", &a], "inverse");
    assert_eq!(dt, Dtype::Float64);
    assert_close(&inv, &fixture("stk_sq", "inverse"), 1e-12, "inv");
    assert_close(
        &result(&d, &["det", &a], "det").1,
        &fixture("stk_sq", "det"),
        1e-12,
        "det",
    );
    let x = result(&d, &["solve", &a, &stk("stk_sq", "b")], "x").1;
    assert_close(&x, &fixture("stk_sq", "x"), 1e-12, "solve");
    let w = result(&d, &["eigvalsh", &a, "--uplo", "U"], "eigenvalues").1;
    assert_close(&w, &fixture("stk_sq", "eigvalsh_u"), 1e-12, "eigvalsh U");
    let s = result(&d, &["svdvals", &a], "s").1;
    assert_close(&s, &fixture("stk_sq", "svdvals"), 1e-12, "svdvals");
    let c = result(&d, &["cond", &a, "--p=-inf"], "cond").1;
    assert_close(&c, &fixture("stk_sq", "cond_minf"), 1e-10, "cond");
    let p = result(&d, &["matrix-power", &a, "-3"], "power").1;
    assert_close(&p, &fixture("stk_sq", "power_m3"), 1e-11, "matrix-power");
    let t = stk("stk_tall", "a");
    let pi = result(&d, &["pinv", &t], "pinv").1;
    assert_close(&pi, &fixture("stk_tall", "pinv"), 1e-12, "pinv");
    let (dt, r) = result(&d, &["rank", &t], "rank");
    assert_eq!(dt, Dtype::Int64, "a stack of ranks is intp");
    assert_eq!(r, fixture("stk_tall", "rank"));
    let u = result(&d, &["cholesky", &stk("stk_spd", "a"), "--upper"], "u").1;
    assert_close(&u, &fixture("stk_spd", "u"), 1e-12, "cholesky --upper");
    let n = result(
        &d,
        &["norm", &stk("stk_norm", "a"), "--ord=nuc", "--axis=2,0"],
        "norm",
    )
    .1;
    assert_close(&n, &fixture("stk_norm", "m_nuc"), 1e-12, "norm --axis");
}

#[test]
fn float32_in_float32_out_and_ints_promote() {
    let d = Workdir::new();
    let a32 = d.write("a32.npy", npy("<f4", &[2, 2], &f32s(&[4.0, 7.0, 2.0, 6.0])));
    let (dt, inv) = result(&d, &["inv", &a32], "inverse");
    assert_eq!(dt, Dtype::Float32);
    assert_close(
        &inv,
        &ndarray::array![[0.6, -0.7], [-0.2, 0.4]].into_dyn(),
        1e-6,
        "inv f32",
    );
    assert_eq!(result(&d, &["svd", &a32], "s").0, Dtype::Float32);
    // float32 @ float32 is float32 (a stack times a matrix too); a float64 operand promotes
    let b32 = d.write(
        "b32.npy",
        npy(
            "<f4",
            &[2, 2, 2],
            &f32s(&[1.0, 0.5, -1.0, 2.0, 0.25, 3.0, 8.0, -2.0]),
        ),
    );
    let (dt, p) = result(&d, &["matmul", &b32, &a32], "product");
    assert_eq!(dt, Dtype::Float32);
    assert_close(
        &p,
        &ndarray::array![[[5.0, 10.0], [0.0, 5.0]], [[7.0, 19.75], [28.0, 44.0]]].into_dyn(),
        1e-6,
        "matmul f32",
    );
    let a64 = d.write("a64.npy", npy("<f8", &[2, 2], &f64s(&[4.0, 7.0, 2.0, 6.0])));
    let (dt, p64) = result(&d, &["matmul", &b32, &a64], "product");
    assert_eq!(dt, Dtype::Float64);
    assert_close(&p64, &p, 1e-12, "matmul f32 @ f64");
    assert_eq!(result(&d, &["norm", &a32], "norm").0, Dtype::Float32);
    let i8s = d.write("i8.npy", npy("|i1", &[2, 2], &[0, 1, 1, 0]));
    assert_eq!(result(&d, &["det", &i8s], "det").0, Dtype::Float64);
    // matrix_power keeps the dtype for N ≥ 0, inverts in float64 for N < 0.
    let (dt, p) = result(&d, &["matrix-power", &i8s, "3"], "power");
    assert_eq!(dt, Dtype::Int8);
    assert_eq!(p, ndarray::array![[0., 1.], [1., 0.]].into_dyn());
    assert_eq!(
        result(&d, &["matrix-power", &i8s, "-1"], "power").0,
        Dtype::Float64
    );
    let b = d.write("b.npy", npy("|b1", &[2, 2], &[1, 1, 0, 1]));
    let (dt, p) = result(&d, &["matrix-power", &b, "2"], "power");
    assert_eq!(dt, Dtype::Bool);
    assert_eq!(p, ndarray::array![[1., 1.], [0., 1.]].into_dyn());
    let (dt, p) = result(
        &d,
        &["matrix-power", &i8s, "1267650600228229401496703205377"],
        "power",
    );
    assert_eq!(
        (dt, p),
        (Dtype::Int8, ndarray::array![[0., 1.], [1., 0.]].into_dyn())
    );
    // float16 is refused by the linalg routines, as NumPy refuses it.
    let h = d.write("h.npy", npy("<f2", &[1, 1], &[0, 0x3c]));
    let line = d.run(&["cholesky", &h]).fails().to_string();
    assert!(line.contains("unsupported in linalg"), "{line}");
}

/// A small non-negative integer as NumPy's x86-64 `longdouble`: x87 80-bit extended in 16
/// little-endian bytes.
fn longdouble(v: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    if v > 0 {
        let e = 63 - v.leading_zeros();
        b[..8].copy_from_slice(&(v << (63 - e)).to_le_bytes());
        b[8..10].copy_from_slice(&(16383 + e as u16).to_le_bytes());
    }
    b
}

#[test]
fn long_double_in_fortran_order_is_read_through_the_library_header() {
    let d = Workdir::new();
    // [[1, 2], [3, 4]] stored column by column, as np.save writes np.asfortranarray(a)
    let body: Vec<u8> = [1, 3, 2, 4].iter().flat_map(|&v| longdouble(v)).collect();
    let mut file = Vec::new();
    mlinalg::io::write_npy_raw_to(&mut file, "<f16", &[2, 2], true, &body).unwrap();
    let a = d.write("a.npy", &file);
    // NumPy: np.linalg.norm(a) = √30; a @ a = [[7, 10], [15, 22]], kept in longdouble
    assert_eq!(json(&["norm", &a])["norm"], json!(30f64.sqrt()));
    let out = d.path("out");
    let o = out.to_string_lossy().into_owned();
    d.run(&["matrix-power", &a, "2", "--out-dir", &o]).ok();
    let p = out.join("power.npy");
    let h = mlinalg::io::read_npy_header_raw(&p).unwrap();
    assert_eq!(
        (h.descr.as_str(), h.fortran_order, h.shape.as_slice()),
        ("<f16", false, &[2usize, 2][..])
    );
    let bytes = std::fs::read(&p).unwrap();
    let want: Vec<u8> = [7, 10, 15, 22]
        .iter()
        .flat_map(|&v| longdouble(v))
        .collect();
    assert_eq!(&bytes[h.data_offset as usize..], &want[..]);
    // a long double file the header reader refuses (a truncated body) is an error, not a panic
    let short = d.write("short.npy", &file[..file.len() - 16]);
    let line = d.run(&["norm", &short]).fails().to_string();
    assert!(line.starts_with("error: norm: "), "{line}");
}

#[test]
fn empty_arrays_follow_numpy() {
    let d = Workdir::new();
    let e00 = d.write("e00.npy", npy("<f8", &[0, 0], &[]));
    let v = json(&["det", &e00]);
    assert_eq!(
        (&v["det"], &v["sign"], &v["logabsdet"]),
        (&json!(1.0), &json!(1.0), &json!(0.0))
    );
    let e40 = d.write("e40.npy", npy("<f8", &[4, 0], &[]));
    let u = result(&d, &["svd", &e40, "--full"], "u").1;
    assert_eq!(u, ndarray::Array2::<f64>::eye(4).into_dyn());
    assert_eq!(
        result(&d, &["svd", &e40, "--full"], "vt").1.shape(),
        &[0, 0]
    );
    let e0 = d.write("e0.npy", npy("<f8", &[0], &[]));
    assert_eq!(json(&["norm", &e0])["norm"], json!(0.0));
    let a = d.write(
        "a.npy",
        npy("<f8", &[4, 2], &f64s(&[0., 1., 2., 3., 4., 5., 6., 7.])),
    );
    let b = d.write("b.npy", npy("<f8", &[4, 0], &[]));
    assert_eq!(result(&d, &["lstsq", &a, &b], "x").1.shape(), &[2, 0]);
    let z = d.write("z.npy", npy("<f8", &[3, 0, 5], &[]));
    assert_eq!(
        result(&d, &["rank", &z], "rank").1,
        ndarray::array![0., 0., 0.].into_dyn()
    );
    let line = d.run(&["cond", &e00]).fails().to_string();
    assert!(line.contains("empty"), "{line}");
}

#[test]
fn new_commands_and_their_errors() {
    let d = Workdir::new();
    let chain: Vec<String> = (0..5).map(|k| stk("stk_chain", &format!("a{k}"))).collect();
    let mut args = vec!["multi-dot"];
    args.extend(chain.iter().map(String::as_str));
    let v = json(&args);
    let want = fixture("stk_chain", "product")[[]];
    assert!((crate::util::num(&v["product"]) - want).abs() < 1e-12 * want.abs().max(1.0));
    d.run(&["multi-dot", &chain[1]]).usage();
    let sq = stk("stk_sq", "a");
    d.run(&["matrix-power", &sq, "1.5"]).usage();
    d.run(&["matrix-power", &sq, "[1]"]).usage();
    let line = d.run(&["matrix-power", &chain[0], "1"]).fails().to_string();
    assert!(line.contains("1-dimensional array given"), "{line}");
    d.run(&["eigh", &sq, "--uplo", "lower"]).usage();
    let t = stk("stk_tall", "a");
    let line = d.run(&["cross", &sq, &sq]).fails().to_string();
    assert!(line.contains("(arrays of) 3-dimensional vectors"), "{line}");
    let line = d.run(&["norm", &t, "--axis=3"]).fails().to_string();
    assert!(line.contains("axis 3 is out of bounds"), "{line}");
    let line = d.run(&["tensorinv", &t, "--ind=0"]).fails().to_string();
    assert!(line.contains("ind"), "{line}");
    let dd = stk("stk_tensor", "d");
    assert_close(
        &result(&d, &["diagonal", &dd, "--offset=-1"], "diagonal").1,
        &fixture("stk_tensor", "diagonal_m1"),
        0.0,
        "diagonal",
    );
    assert_close(
        &result(&d, &["trace", &dd, "--offset=2"], "trace").1,
        &fixture("stk_tensor", "trace_2"),
        1e-14,
        "trace",
    );
    assert_close(
        &result(&d, &["tensordot", &dd, &dd, "--axes=0,2:0,2"], "product").1,
        &fixture("stk_tensor", "tensordot_pairs"),
        1e-13,
        "tensordot",
    );
    let x = result(
        &d,
        &[
            "tensorsolve",
            &stk("stk_tensor", "a"),
            &stk("stk_tensor", "b"),
        ],
        "x",
    )
    .1;
    assert_close(&x, &fixture("stk_tensor", "x"), 1e-10, "tensorsolve");
    let (h, tau) = (
        result(&d, &["qr", &t, "--mode", "raw"], "h").1,
        result(&d, &["qr", &t, "--mode", "raw"], "tau").1,
    );
    assert_eq!((h.shape(), tau.shape()), (&[2, 3, 5][..], &[2, 3][..]));
    let r = result(&d, &["qr", &t, "--mode", "r"], "r").1.mapv(f64::abs);
    assert_close(&r, &fixture("stk_tall", "r").mapv(f64::abs), 1e-12, "qr r");
}

#[test]
fn lstsq_rcond_has_numpys_meaning() {
    // NumPy's test_rcond: rank 4 with rcond = -1 (machine ε), 3 with the default.
    let d = Workdir::new();
    let at = [
        [0., 1., 0., 1., 2., 0.],
        [0., 2., 0., 0., 1., 0.],
        [1., 0., 1., 0., 0., 4.],
        [0., 0., 0., 2., 3., 0.],
    ];
    let a: Vec<f64> = (0..6).flat_map(|i| (0..4).map(move |j| at[j][i])).collect();
    let a = d.write("a.npy", npy("<f8", &[6, 4], &f64s(&a)));
    let b = d.write("b.npy", npy("<f8", &[6], &f64s(&[1., 0., 0., 0., 0., 0.])));
    assert_eq!(json(&["lstsq", &a, &b, "--rcond=-1"])["rank"], json!(4));
    assert_eq!(json(&["lstsq", &a, &b])["rank"], json!(3));
}

/// `lstsq` of complex128 A and b (NumPy's `test_sq_cases` with complex dtypes): the
/// `--memory-limit` planner must leave complex input to the in-memory path, whatever the
/// limit, instead of refusing it as a real row stream would.
#[test]
fn lstsq_complex_takes_the_in_memory_path() {
    let d = Workdir::new();
    // A = [[1+i, 2], [0, 1-i]], b = [1, i]: x = [0.5-1.5i, -0.5+0.5i]
    let a = d.write(
        "a.npy",
        npy(
            "<c16",
            &[2, 2],
            &f64s(&[1.0, 1.0, 2.0, 0.0, 0.0, 0.0, 1.0, -1.0]),
        ),
    );
    let b = d.write("b.npy", npy("<c16", &[2], &f64s(&[1.0, 0.0, 0.0, 1.0])));
    let want = [(0.5, -1.5), (-0.5, 0.5)];
    for limit in [None, Some("1K")] {
        let out = d.path("out");
        let o = out.to_string_lossy().into_owned();
        let mut args = vec!["lstsq", a.as_str(), b.as_str(), "--out-dir", o.as_str()];
        if let Some(l) = limit {
            args.extend(["--memory-limit", l]);
        }
        d.run(&args).ok();
        let t = mlinalg::io::load_typed(&out.join("x.npy")).expect("readable x.npy");
        assert_eq!(t.dtype, Dtype::Complex128, "limit {limit:?}");
        let TypedArray::Complex128(x) = t.data else {
            panic!("x is not complex128");
        };
        assert_eq!(x.shape(), &[2]);
        for (g, (re, im)) in x.iter().zip(want) {
            assert!(
                (g.re - re).abs() < 1e-14 && (g.im - im).abs() < 1e-14,
                "limit {limit:?}: {g} vs {re}{im:+}i"
            );
        }
        std::fs::remove_dir_all(&out).expect("clean out dir");
    }
}

/// `pca` of a float32 `.npy` fits in single precision and writes every result as float32,
/// as scikit-learn's PCA keeps X's dtype; the values agree with the fit of the same data
/// as float64 to float32 precision (up to each component's sign).
#[test]
fn pca_of_float32_data_gives_float32_results() {
    let d = Workdir::new();
    let (n, p) = (60usize, 5usize);
    // deterministic data with distinct variances along the axes
    let vals: Vec<f32> = (0..n * p)
        .map(|k| {
            let (i, j) = (k / p, k % p);
            let t = (i as f32 * 0.37 + j as f32 * 1.3).sin();
            t * (p - j) as f32 + 0.1 * (i * j % 7) as f32
        })
        .collect();
    let x32 = d.write("x32.npy", npy("<f4", &[n, p], &f32s(&vals)));
    let vals64: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
    let x64 = d.write("x64.npy", npy("<f8", &[n, p], &f64s(&vals64)));
    for key in [
        "components",
        "explained_variance",
        "explained_variance_ratio",
        "singular_values",
        "mean",
        "transformed",
    ] {
        let args32 = ["pca", x32.as_str(), "-k", "3"];
        let args64 = ["pca", x64.as_str(), "-k", "3"];
        let (dt, got) = result(&d, &args32, key);
        assert_eq!(dt, Dtype::Float32, "{key}");
        let (dt64, want) = result(&d, &args64, key);
        assert_eq!(dt64, Dtype::Float64, "{key}");
        assert_eq!(got.shape(), want.shape(), "{key}");
        let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let close = |a: &ArrayD<f64>, b: &ArrayD<f64>| {
            a.iter()
                .zip(b.iter())
                .all(|(x, y)| (x - y).abs() <= 1e-4 * scale)
        };
        if key == "components" || key == "transformed" {
            // each component (row of components, column of transformed) up to its sign
            let by_rows = key == "components";
            let axis = ndarray::Axis(usize::from(!by_rows));
            for (g, w) in got.axis_iter(axis).zip(want.axis_iter(axis)) {
                let (g, w) = (g.to_owned(), w.to_owned());
                assert!(
                    close(&g, &w) || close(&g, &w.mapv(|v| -v)),
                    "{key}: {g} vs {w}"
                );
            }
        } else {
            assert!(close(&got, &want), "{key}: {got} vs {want}");
        }
    }
}

/// `tsvd` of a float32 `.npy` gives float32 results close to the float64 fit; a float16
/// `.npy` is fitted in float64, as scikit-learn converts every dtype but float32.
#[test]
fn tsvd_keeps_float32_and_float16_becomes_float64() {
    let d = Workdir::new();
    let (n, p) = (40usize, 4usize);
    let vals: Vec<f32> = (0..n * p)
        .map(|k| ((k as f32) * 0.71).cos() * (1 + k % p) as f32)
        .collect();
    let x32 = d.write("x32.npy", npy("<f4", &[n, p], &f32s(&vals)));
    let vals64: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
    let x64 = d.write("x64.npy", npy("<f8", &[n, p], &f64s(&vals64)));
    let args32 = ["tsvd", x32.as_str(), "-k", "2", "--algorithm", "exact"];
    let args64 = ["tsvd", x64.as_str(), "-k", "2", "--algorithm", "exact"];
    for key in [
        "singular_values",
        "explained_variance",
        "explained_variance_ratio",
    ] {
        let (dt, got) = result(&d, &args32, key);
        assert_eq!(dt, Dtype::Float32, "{key}");
        let (_, want) = result(&d, &args64, key);
        assert_close(&got, &want, 1e-4, key);
    }
    assert_eq!(result(&d, &args32, "components").0, Dtype::Float32);
    assert_eq!(result(&d, &args32, "transformed").0, Dtype::Float32);
    let halves: Vec<u8> = [1.0f32, 2.0, 3.0, 5.0, 4.0, 1.0]
        .iter()
        .flat_map(|&v| half_bits(v).to_le_bytes())
        .collect();
    let x16 = d.write("x16.npy", npy("<f2", &[3, 2], &halves));
    assert_eq!(
        result(&d, &["pca", &x16, "-k", "1"], "mean").0,
        Dtype::Float64
    );
}

/// The IEEE binary16 bits of a small integer-valued `v` (exact in half precision).
fn half_bits(v: f32) -> u16 {
    if v == 0.0 {
        return 0;
    }
    let bits = v.to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127 + 15;
    let mant = (bits >> 13) & 0x3ff;
    ((exp as u16) << 10) | mant as u16
}
