//! Files in and out on the real binary (issue 16): `.npz` inputs (one array, a named
//! member, scipy.sparse, hostile archives), `info` of every dtype (NumPy's statistics bit
//! for bit, complex ones complex), and `transpose --out` written as `np.save(a.T)` writes.
//! Fixtures are the library's (`crates/mlinalg/tests/fixtures/io`, made by NumPy).

use std::path::Path;

use serde_json::Value;

use crate::util::{Workdir, flat, json, mlinalg, num};

/// The path of a library I/O fixture, as an argument.
fn iofx(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../mlinalg/tests/fixtures/io")
        .join(rel);
    assert!(p.exists(), "missing fixture {}", p.display());
    p.to_string_lossy().into_owned()
}

/// NumPy's [nnz, min, max, mean] of a summary fixture, as (re, im) pairs.
fn expected_stats(name: &str) -> Vec<(f64, f64)> {
    match mlinalg::io::read_npy_typed(Path::new(&iofx(&format!("summary/{name}_expected.npy"))))
        .unwrap()
        .data
    {
        mlinalg::io::TypedArray::Float64(a) => a.iter().map(|&x| (x, 0.0)).collect(),
        mlinalg::io::TypedArray::Complex128(a) => a.iter().map(|z| (z.re, z.im)).collect(),
        other => panic!("{:?}", other.dtype()),
    }
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()) || (a == 0.0 && b == 0.0)
}

#[test]
fn info_prints_numpys_statistics_for_every_dtype() {
    for (name, dtype) in [
        ("f8_5001", "float64"),
        ("f8_fortran", "float64"),
        ("f4_5000", "float32"),
        ("f2_20000", "float16"),
        ("i2_20000", "int16"),
        ("i8_big", "int64"),
        ("u1_9000", "uint8"),
        ("b1_10000", "bool"),
    ] {
        let j = json(&["info", &iofx(&format!("summary/{name}.npy"))]);
        assert_eq!(j["dtype"], dtype, "{name}");
        let want = expected_stats(name);
        assert_eq!(j["nnz"].as_u64().unwrap() as f64, want[0].0, "{name}");
        for (key, w) in [("min", want[1]), ("max", want[2]), ("mean", want[3])] {
            let got = num(&j[key]);
            assert!(same(got, w.0), "{name} {key}: {got:e} vs NumPy {:e}", w.0);
        }
    }
}

#[test]
fn info_of_complex_data_is_complex() {
    for name in ["c16_3001", "c8_2000", "c16_nan", "c16_ties"] {
        let j = json(&["info", &iofx(&format!("summary/{name}.npy"))]);
        let want = expected_stats(name);
        for (key, w) in [("min", want[1]), ("max", want[2]), ("mean", want[3])] {
            let (re, im) = (num(&j[key]["re"]), num(&j[key]["im"]));
            assert!(
                same(re, w.0) && same(im, w.1),
                "{name} {key}: {re}{im:+}j vs {w:?}"
            );
        }
    }
    let out = mlinalg(&["info", &iofx("typed/c8_le_c.npy")])
        .ok()
        .to_string();
    assert!(out.contains("dtype  complex64\n"), "{out}");
    // Lexicographic: the smallest real part, -6 (with imaginary part 4).
    assert!(out.contains("min    (-6.0+4.0j)\n"), "{out}");
    assert!(out.contains("max    (5.0+5.0j)\n"), "{out}");
}

#[test]
fn npz_inputs_work_everywhere_a_npy_does() {
    let single = json(&["transpose", &iofx("npz_input/single.npz")]);
    let named = json(&[
        "transpose",
        &format!("{}:x", iofx("npz_input/single_named.npz")),
    ]);
    let reference = json(&["transpose", &iofx("npz_input/single_ref.npy")]);
    assert_eq!(single, reference);
    assert_eq!(named, reference);
    // A member of several, by name, for a computing command.
    let member = format!("{}:x", iofx("npz_input/several.npz"));
    let a = json(&["svd", &member]);
    let b = json(&["svd", &iofx("npz_input/single_ref.npy")]);
    assert_eq!(a["s"], b["s"]);
    let j = json(&["info", &format!("{}:z", iofx("npz_input/several.npz"))]);
    assert_eq!(j["dtype"], "int32");
    assert_eq!(j["shape"], serde_json::json!([4]));
}

#[test]
fn npz_errors_speak_the_command_lines_language() {
    let several = iofx("npz_input/several.npz");
    let line = mlinalg(&["info", &several]).fails().to_string();
    assert_eq!(
        line,
        format!(
            "error: info: {several}: the archive holds 5 arrays (x, y, z, w, f): pick one with \
             {several}:NAME"
        )
    );
    let line = mlinalg(&["det", &format!("{several}:nope")])
        .fails()
        .to_string();
    assert!(
        line.ends_with("no array named 'nope' in the archive (it holds: x, y, z, w, f)"),
        "{line}"
    );
    for rel in [
        "npz_input/bad_crc.npz",
        "npz_input/truncated.npz",
        "npz_input/lying_header.npz",
        "npz_input/bomb.npz",
        "npz_input/not_zip.npz",
        "npz_input/empty.npz",
    ] {
        for cmd in ["info", "inv", "transpose"] {
            let line = mlinalg(&[cmd, &iofx(rel)]).fails().to_string();
            assert!(
                line.starts_with(&format!("error: {cmd}: ")),
                "{rel}: {line}"
            );
            assert!(
                !line.contains("::") && !line.contains("read_npz"),
                "{rel}: {line}"
            );
        }
    }
}

#[test]
fn scipy_sparse_npz_is_a_sparse_input() {
    let f = iofx("npz_input/sparse.npz");
    let info = json(&["info", &f]);
    let dense = json(&["info", &iofx("npz_input/sparse_ref.npy")]);
    assert_eq!(info["shape"], dense["shape"]);
    assert_eq!(info["nnz"], dense["nnz"]);
    assert!((num(&info["mean"]) - num(&dense["mean"])).abs() < 1e-15);
    // tsvd takes it sparse; svd densifies it.
    let t = json(&["tsvd", &f, "-k", "2"]);
    assert_eq!(t["components"]["shape"], serde_json::json!([2, 3]));
    let s = json(&["svd", &f]);
    let s_ref = json(&["svd", &iofx("npz_input/sparse_ref.npy")]);
    for (x, y) in flat(&s["s"]["data"]).iter().zip(flat(&s_ref["s"]["data"])) {
        assert!((x - y).abs() < 1e-12, "{x} vs {y}");
    }
}

#[test]
fn transpose_out_is_written_as_numpy_writes_a_transpose() {
    let d = Workdir::new();
    let out = d.path("t.npy");
    d.run(&[
        "transpose",
        &iofx("typed/saved_source_f8.npy"),
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    // Byte for byte what np.save(x.T) wrote: Fortran order, no copy.
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(iofx("typed/saved_t_f8.npy")).unwrap()
    );
    // Other dtypes keep their dtype.
    for (src, want) in [
        ("typed/saved_source_c16.npy", "typed/saved_t_c16.npy"),
        ("typed/saved_source_cube.npy", "typed/saved_t_cube.npy"),
    ] {
        d.run(&["transpose", &iofx(src), "--out", out.to_str().unwrap()])
            .ok();
        assert_eq!(
            std::fs::read(&out).unwrap(),
            std::fs::read(iofx(want)).unwrap(),
            "{src}"
        );
    }
    let out32 = d.path("t32.npy");
    d.run(&[
        "transpose",
        &iofx("typed/f4_le_c.npy"),
        "--out",
        out32.to_str().unwrap(),
    ])
    .ok();
    let h = mlinalg::io::read_npy_header(&out32).unwrap();
    assert_eq!(h.dtype, mlinalg::io::Dtype::Float32);
    assert!(h.fortran_order);
    assert_eq!(h.shape, vec![3, 2]);
    // A Fortran-order input transposes to a C-order file, again without a copy.
    d.run(&[
        "transpose",
        &iofx("typed/f8_le_f.npy"),
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    let h = mlinalg::io::read_npy_header(&out).unwrap();
    assert!(!h.fortran_order);
    let back = mlinalg::io::read_npy(&out).unwrap().data;
    let src = mlinalg::io::read_npy(Path::new(&iofx("typed/f8_le_f.npy")))
        .unwrap()
        .data;
    assert_eq!(back, src.t());
    // The human summary of a float32 result prints float32's digits.
    let text = mlinalg(&["transpose", &iofx("summary/f4_5000.npy")])
        .ok()
        .to_string();
    assert!(text.starts_with("transpose  # (5000,) float32\n"), "{text}");
    let j: Value = json(&["transpose", &iofx("typed/c8_le_c.npy")]);
    assert_eq!(j["transpose"]["shape"], serde_json::json!([3, 2]));
    assert_eq!(flat(&j["transpose"]["im"])[0], 3.0);
}
