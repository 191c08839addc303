//! `mlinalg tour`: the course's results, computed on built-in data.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::{flat, json, mlinalg, num};

const SECTIONS: [&str; 9] = [
    "arrays",
    "vectors",
    "matrices",
    "special",
    "eigen",
    "svd",
    "network",
    "regression",
    "sparse",
];

#[test]
fn tour_reproduces_the_course() {
    let start = Instant::now();
    let v = json(&["tour"]);
    assert!(start.elapsed() < Duration::from_secs(10));
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), SECTIONS.len());

    assert_eq!(
        v["matrices"]["product"],
        json!({"shape": [2, 2], "data": [[58.0, 64.0], [139.0, 154.0]]})
    );
    let w = flat(&v["matrices"]["w_lstsq"]["data"]);
    for (got, want) in w.iter().zip([1.0, 2.0, -1.0, 3.0]) {
        assert!((got - want).abs() < 0.05, "{w:?}");
    }
    assert_eq!(num(&v["matrices"]["determinant"]), 10.0);

    let vec = &v["vectors"];
    assert_eq!(num(&vec["dot"]), 9.0);
    assert_eq!(
        (num(&vec["l0"]), num(&vec["l1"]), num(&vec["linf"])),
        (3.0, 6.0, 3.0)
    );
    assert!((num(&vec["l2"]) - 14f64.sqrt()).abs() < 1e-15);
    assert!((num(&vec["cosine"]) - 0.5249).abs() < 1e-4);
    assert!((num(&vec["angle_degrees"]) - 58.3).abs() < 0.1);

    let e = flat(&v["eigen"]["eigenvalues"]["data"]);
    assert!(
        (e[0] - 5.0).abs() < 1e-12 && (e[1] - 2.0).abs() < 1e-12,
        "{e:?}"
    );
    assert!(num(&v["eigen"]["max_residual_av_minus_lambda_v"]) < 1e-12);
    assert_eq!(v["eigen"]["projected_shape"], json!([200, 2]));

    assert_eq!(v["arrays"]["image_batch_shape"], json!([32, 224, 224, 3]));
    assert_eq!(v["arrays"]["dataset_shape"], json!([1000, 20]));
    assert_eq!(v["special"]["sparse_nnz"], json!(10000));
    assert_eq!(v["special"]["dense_entries"], json!(100_000_000));
    assert_eq!(v["special"]["orthogonal"], json!(true));
    assert_eq!(v["special"]["positive_definite"], json!(true));
    assert!(num(&v["svd"]["reconstruction_error"]) < 1e-12);
    assert!(
        (num(&v["svd"]["rank2_frobenius_error"])
            - num(&v["svd"]["rank2_error_from_singular_values"]))
        .abs()
            < 1e-12
    );

    let sp = &v["sparse"];
    assert_eq!(flat(&sp["a_times_x"]["data"]), vec![5.0, 6.0, 11.0]);
    let (t, e) = (
        flat(&sp["tsvd_singular_values"]["data"]),
        flat(&sp["exact_top5_singular_values"]["data"]),
    );
    assert!(
        t.iter().zip(&e).all(|(a, b)| (a - b).abs() < 1e-6 * b),
        "{t:?} vs {e:?}"
    );
    assert_eq!(sp["tsvd_transformed_shape"], json!([2000, 5]));

    let trace = v["network"]["shape_trace"].as_array().unwrap();
    assert_eq!(trace[0], json!("(32, 10) @ (10, 64) + (64,) → (32, 64)"));
    assert_eq!(v["network"]["output_shape"], json!([32, 1]));
    let (lo, hi) = (
        num(&v["network"]["output_min"]),
        num(&v["network"]["output_max"]),
    );
    assert!(0.0 < lo && hi < 1.0);
}

#[test]
fn tour_human_output_shows_shapes() {
    let out = mlinalg(&["tour"]).ok().to_string();
    for section in SECTIONS {
        assert!(out.contains(&format!("== {section} ==")), "{section}");
    }
    assert!(out.contains("[[ 58.  64.]\n [139. 154.]]"));
    assert!(out.contains("# A @ B: (2, 3) @ (3, 2) → (2, 2)"));
    assert!(out.contains("(32, 224, 224, 3)"));
    assert!(out.contains("  (32, 64) @ (64, 32) + (32,) → (32, 32)"));
}

#[test]
fn one_section() {
    for section in SECTIONS {
        let v = json(&["tour", "--section", section]);
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, vec![section]);
    }
}
