//! IncrementalPca against scikit-learn's IncrementalPCA on the same batches (fixtures from
//! `tests/fixtures/generate_stream.py`).

use ndarray::{Array1, Array2, s};

use mlinalg::decomposition::IncrementalPca;
use mlinalg::stream::{ArraySource, StreamOptions};

use crate::common::{fixtures_dir, read_npy, rel_diff};

fn fx(case: &str, key: &str) -> ndarray::ArrayD<f64> {
    read_npy(
        &fixtures_dir()
            .join("stream")
            .join(format!("ipca_{case}__{key}.npy")),
    )
}

fn max_rel(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    (a - b).iter().fold(0.0f64, |m, v| m.max(v.abs())) / scale
}

#[test]
fn partial_fit_matches_scikit_learn() {
    for (case, k) in [
        ("basic", Some(3)),
        ("uneven", Some(2)),
        ("all", None),
        ("large_mean", Some(2)),
    ] {
        let x: Array2<f64> = fx(case, "x").into_dimensionality().unwrap();
        let bounds: Vec<usize> = fx(case, "batches").iter().map(|&v| v as usize).collect();
        let mut ipca = IncrementalPca::new(k);
        for w in bounds.windows(2) {
            ipca.partial_fit(x.slice(s![w[0]..w[1], ..])).unwrap();
        }
        let comp: Array2<f64> = fx(case, "components").into_dimensionality().unwrap();
        assert!(max_rel(&ipca.components(), &comp) < 1e-10, "{case}");
        for (key, got) in [
            ("explained_variance", ipca.explained_variance()),
            ("explained_variance_ratio", ipca.explained_variance_ratio()),
            ("singular_values", ipca.singular_values()),
            ("mean", ipca.mean()),
            ("var", ipca.var()),
        ] {
            let want: Array1<f64> = fx(case, key).into_dimensionality().unwrap();
            assert!(
                rel_diff(&got, &want) < 1e-10,
                "{case} {key}: {got} vs {want}"
            );
        }
        let noise = fx(case, "noise_variance").iter().next().copied().unwrap();
        assert!(
            (ipca.noise_variance() - noise).abs() <= 1e-10 * noise.abs().max(1e-300),
            "{case}"
        );
        assert_eq!(
            ipca.n_samples_seen() as f64,
            fx(case, "n_samples_seen").iter().next().copied().unwrap()
        );
        let z: Array2<f64> = fx(case, "transform").into_dimensionality().unwrap();
        assert!(
            max_rel(&ipca.transform(x.slice(s![..7, ..])).unwrap(), &z) < 1e-9,
            "{case}"
        );
    }
}

#[test]
fn fit_stream_is_partial_fit_per_block() {
    let x: Array2<f64> = fx("basic", "x").into_dimensionality().unwrap();
    let mut a = IncrementalPca::new(Some(3)).batch_size(Some(13));
    a.fit_stream(&mut ArraySource::new(x.view()), &StreamOptions::default())
        .unwrap();
    let comp: Array2<f64> = fx("basic", "components").into_dimensionality().unwrap();
    assert!(max_rel(&a.components(), &comp) < 1e-10);
}

#[test]
fn errors_follow_scikit_learn() {
    let x: Array2<f64> = fx("basic", "x").into_dimensionality().unwrap();
    let mut ipca = IncrementalPca::new(Some(7));
    let e = ipca.partial_fit(x.view()).unwrap_err().to_string();
    assert!(e.contains("n_components=7 invalid for n_features=6"), "{e}");
    let mut ipca = IncrementalPca::new(Some(5));
    let e = ipca
        .partial_fit(x.slice(s![..3, ..]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("must be less or equal to the batch number of samples 3"),
        "{e}"
    );
    let mut ipca = IncrementalPca::new(Some(2));
    ipca.partial_fit(x.view()).unwrap();
    assert!(ipca.partial_fit(x.slice(s![.., ..4])).is_err());
    assert!(IncrementalPca::new(Some(2)).transform(x.view()).is_err());
}
