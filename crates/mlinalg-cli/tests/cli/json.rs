//! `--json` encoding: one object, arrays as shape + data, complex as re/im, non-finite
//! numbers as strings, integers and booleans as JSON integers and booleans, shortest
//! round-trip digits.

use serde_json::{Value, json};

use crate::util::{Workdir, fx, json, mlinalg};

#[test]
fn non_finite_numbers_are_strings() {
    let v = json(&["transpose", &fx("inf_vec.npy")]);
    assert_eq!(v["transpose"]["data"], json!([1.0, "inf", -2.0]));
    let v = json(&["info", &fx("nan.npy")]);
    assert_eq!(v["min"], json!("nan"));
    assert_eq!(v["mean"], json!("nan"));
    let v = json(&["norm", &fx("inf_vec.npy")]);
    assert_eq!(v["norm"], json!("inf"));
    let v = json(&["norm", &fx("inf_vec.npy"), "--ord=-inf"]);
    assert_eq!(v["norm"], json!(1.0));
    let v = json(&["cosine", &fx("zeros3.npy"), &fx("v3.npy")]);
    assert_eq!(v["cosine"], json!("nan"));
    let d = Workdir::new();
    let neg = d.write("neg.csv", "x\n-1e308\n-1e308\n");
    let v = crate::util::json(&["matmul", &neg, &d.write("pos.csv", "x\n1e308\n1e308\n")]);
    assert_eq!(v["product"], json!("-inf"));
    let _ = neg;
}

#[test]
fn complex_arrays_have_re_and_im() {
    let v = json(&["eig", &fx("rot.npy")]);
    let vals = &v["eigenvalues"];
    let mut keys: Vec<&String> = vals.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, vec!["im", "re", "shape"]);
    let raw = mlinalg(&["eig", &fx("rot.npy"), "--json"]).ok().to_string();
    assert!(
        raw.starts_with("{\"eigenvalues\": {\"shape\": [2], \"re\": ["),
        "{raw}"
    );
    assert_eq!(vals["re"], json!([0.0, 0.0]));
    let im: Vec<f64> = vals["im"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(
        im.iter().map(|x| x.abs()).collect::<Vec<_>>(),
        vec![1.0, 1.0]
    );
    assert_eq!(v["eigenvectors"]["re"].as_array().unwrap().len(), 2);
}

#[test]
fn integers_booleans_strings_and_shapes() {
    let v = json(&["rank", &fx("deficient.npy")]);
    assert!(v["rank"].is_u64(), "{v}");
    let v = json(&["check", &fx("rot.npy")]);
    assert_eq!(v["orthogonal"], json!(true));
    assert_eq!(v["symmetric"], json!(false));
    let v = json(&["info", &fx("int32.npy")]);
    assert_eq!(v["shape"], json!([2, 2]));
    assert_eq!(v["dtype"], json!("int32"));
    assert!(v["nnz"].is_u64());
    let v = json(&["info", &fx("scalar.npy")]);
    assert_eq!(v["shape"], json!([]));
}

#[test]
fn keys_in_contract_order() {
    let v = json(&["lstsq", &fx("tall63.npy"), &fx("y6.npy")]);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    let mut want = vec!["x", "residuals", "rank", "singular_values"];
    want.sort();
    assert_eq!(sorted, want);
    let run = mlinalg(&["lstsq", &fx("tall63.npy"), &fx("y6.npy"), "--json"]);
    let out = run.ok();
    let pos: Vec<usize> = ["\"x\"", "\"residuals\"", "\"rank\"", "\"singular_values\""]
        .iter()
        .map(|k| out.find(k).unwrap())
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{out}");
}

#[test]
fn numbers_round_trip_with_shortest_digits() {
    let d = Workdir::new();
    let f = d.write(
        "v.csv",
        "x\n0.1\n1e-300\n58\n-0.0\n123456789.123\n2.5e+20\n",
    );
    let out = d.run(&["transpose", &f, "--json"]).ok().to_string();
    assert!(
        out.contains("[0.1, 1e-300, 58.0, -0.0, 123456789.123, 2.5e20]"),
        "{out}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let back: Vec<f64> = v["transpose"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(back, vec![0.1, 1e-300, 58.0, -0.0, 123456789.123, 2.5e20]);
    // An integral scalar is still a JSON number.
    let v = json(&["matmul", &fx("v3.npy"), &fx("w3.npy")]);
    assert_eq!(v["product"].as_f64(), Some(9.0));
}

#[test]
fn exactly_one_object_on_stdout() {
    let run = mlinalg(&["svd", &fx("tall63.npy"), "--json"]);
    let out = run.ok();
    assert!(out.ends_with("}\n"));
    assert_eq!(out.matches('\n').count(), 1);
    let v: Value = serde_json::from_str(out).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 3);
}
