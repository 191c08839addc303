//! Every streamed fit equals the in-memory fit for block sizes 1, 7, a prime near the row
//! count and all rows, with and without the reader thread.

use ndarray::{Array1, Array2, Axis, concatenate};

use mlinalg::MemoryLimit;
use mlinalg::decomposition::{Pca, PcaSolver, TruncatedSvd, TruncatedSvdAlgorithm};
use mlinalg::linalg::lstsq;
use mlinalg::linear_model::{LinearRegression, Ridge};
use mlinalg::stream::{ArraySource, NpySource, StreamOptions, ZipSource, lstsq_stream};

use crate::common::{ill_conditioned, normal, rel_diff};

fn sizes(n: usize) -> Vec<usize> {
    let prime = (2..n)
        .rev()
        .find(|&p| (2..p).take_while(|d| d * d <= p).all(|d| p % d != 0));
    vec![1, 7, prime.unwrap_or(n), n]
}

fn opts(rows: usize, prefetch: bool) -> StreamOptions {
    StreamOptions {
        prefetch,
        ..StreamOptions::with_block_rows(rows)
    }
}

fn max_rel(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    (a - b).iter().fold(0.0f64, |m, v| m.max(v.abs())) / scale
}

/// Low rank plus noise, with offsets: a clear spectral gap after 4 directions.
fn low_rank(n: usize, p: usize, seed: u64) -> Array2<f64> {
    let mut x =
        normal(n, 4, seed).dot(&normal(4, p, seed + 1)) * 10.0 + normal(n, p, seed + 2) * 0.01;
    for (j, mut c) in x.columns_mut().into_iter().enumerate() {
        c += j as f64;
    }
    x
}

#[test]
fn pca_exact_solvers_equal_in_memory() {
    let x = low_rank(181, 6, 3);
    for solver in [PcaSolver::CovarianceEigh, PcaSolver::Svd, PcaSolver::Auto] {
        let pca = Pca::new(Some(3)).solver(solver);
        let want = pca.clone().solver(PcaSolver::Svd).fit(x.view()).unwrap();
        for size in sizes(x.nrows()) {
            for prefetch in [true, false] {
                let got = pca
                    .fit_stream(&mut ArraySource::new(x.view()), &opts(size, prefetch))
                    .unwrap();
                let what = format!("{solver:?} block {size}");
                assert!(
                    max_rel(got.components(), want.components()) < 1e-12,
                    "{what}"
                );
                assert!(
                    rel_diff(got.explained_variance(), want.explained_variance()) < 1e-12,
                    "{what}"
                );
                assert!(
                    rel_diff(
                        got.explained_variance_ratio(),
                        want.explained_variance_ratio()
                    ) < 1e-12
                );
                assert!(rel_diff(got.singular_values(), want.singular_values()) < 1e-12);
                assert!(rel_diff(got.mean(), want.mean()) < 1e-13);
                assert!(
                    (got.noise_variance() - want.noise_variance()).abs()
                        <= 1e-9 * want.noise_variance()
                );
                assert_eq!(got.n_samples(), 181);
                let z = got.transform(x.view()).unwrap();
                assert!(max_rel(&z, &want.transform(x.view()).unwrap()) < 1e-10);
            }
        }
    }
}

#[test]
fn pca_randomized_stream_equals_exact_on_data_with_a_gap() {
    let x = low_rank(400, 30, 7);
    let want = Pca::new(Some(3))
        .solver(PcaSolver::Svd)
        .fit(x.view())
        .unwrap();
    let in_mem = Pca::new(Some(3))
        .solver(PcaSolver::Randomized)
        .fit(x.view())
        .unwrap();
    for size in [7, 397, 400] {
        let got = Pca::new(Some(3))
            .solver(PcaSolver::Randomized)
            .fit_stream(&mut ArraySource::new(x.view()), &opts(size, true))
            .unwrap();
        assert_eq!(got.solver_used(), PcaSolver::Randomized);
        for other in [&want, &in_mem] {
            assert!(
                max_rel(got.components(), other.components()) < 1e-10,
                "block {size}"
            );
            assert!(rel_diff(got.explained_variance(), other.explained_variance()) < 1e-10);
            assert!(
                rel_diff(
                    got.explained_variance_ratio(),
                    other.explained_variance_ratio()
                ) < 1e-10
            );
        }
        assert!(
            (got.noise_variance() - in_mem.noise_variance()).abs()
                < 1e-8 * in_mem.noise_variance().max(1e-300)
        );
    }
}

#[test]
fn tsvd_streams_equal_in_memory() {
    let x = low_rank(211, 12, 11);
    let exact = TruncatedSvd::new(3).algorithm(TruncatedSvdAlgorithm::Exact);
    let want = exact.fit(x.view()).unwrap();
    for size in sizes(x.nrows()) {
        let got = exact
            .fit_stream(&mut ArraySource::new(x.view()), &opts(size, true))
            .unwrap();
        assert!(
            max_rel(got.components(), want.components()) < 1e-12,
            "exact block {size}"
        );
        assert!(rel_diff(got.singular_values(), want.singular_values()) < 1e-12);
        assert!(rel_diff(got.explained_variance(), want.explained_variance()) < 1e-10);
        assert!(
            rel_diff(
                got.explained_variance_ratio(),
                want.explained_variance_ratio()
            ) < 1e-10
        );
    }
    let rand = TruncatedSvd::new(3);
    let want = rand.fit(x.view()).unwrap();
    for size in [7, 211] {
        let got = rand
            .fit_stream(&mut ArraySource::new(x.view()), &opts(size, true))
            .unwrap();
        assert!(
            max_rel(got.components(), want.components()) < 1e-9,
            "randomized block {size}"
        );
        assert!(rel_diff(got.singular_values(), want.singular_values()) < 1e-10);
        assert!(rel_diff(got.explained_variance(), want.explained_variance()) < 1e-9);
        assert!(
            rel_diff(
                got.explained_variance_ratio(),
                want.explained_variance_ratio()
            ) < 1e-9
        );
    }
}

#[test]
fn regression_streams_equal_in_memory() {
    let x = normal(157, 5, 21) + 3.0;
    let w = Array1::from(vec![1.0, -2.0, 0.5, 3.0, 0.0]);
    let y = x.dot(&w) + 7.0 + normal(157, 1, 22).column(0).to_owned() * 0.1;
    let y2 = y.clone().insert_axis(Axis(1));
    for intercept in [true, false] {
        let lr = LinearRegression::new().fit_intercept(intercept);
        let want = lr.fit(x.view(), y.view()).unwrap();
        let want_r2 = want.score(x.view(), y.view()).unwrap();
        let rg = Ridge::new(3.0).fit_intercept(intercept);
        let want_rg = rg.fit(x.view(), y.view()).unwrap();
        for size in sizes(157) {
            let mut src = ZipSource::new(
                Box::new(ArraySource::new(x.view())),
                Box::new(ArraySource::new(y2.view())),
            );
            let (got, r2) = lr.fit_stream(&mut src, &opts(size, true)).unwrap();
            assert!(rel_diff(got.coef(), want.coef()) < 1e-10, "block {size}");
            assert!((got.intercept() - want.intercept()).abs() < 1e-10);
            assert!((r2 - want_r2).abs() < 1e-12);
            let (got, _) = rg.fit_stream(&mut src, &opts(size, false)).unwrap();
            assert!(
                rel_diff(got.coef(), want_rg.coef()) < 1e-10,
                "ridge block {size}"
            );
            assert!((got.intercept() - want_rg.intercept()).abs() < 1e-10);
        }
    }
}

/// κ = 10⁷: the streamed lstsq stays within 10× of the in-memory lstsq's error.
#[test]
fn lstsq_stream_keeps_qr_accuracy() {
    let a = ill_conditioned(300, 5, 1e7, 5);
    let w = Array1::from(vec![1.0, -2.0, 0.5, 3.0, -1.0]);
    let b = a.dot(&w).insert_axis(Axis(1));
    let ab = concatenate![Axis(1), a, b];
    let mem = lstsq(a.view(), &b, None).unwrap();
    let e_mem = rel_diff(&mem.x.column(0).to_owned(), &w);
    for size in sizes(300) {
        let got =
            lstsq_stream(&mut ArraySource::new(ab.view()), 1, None, &opts(size, true)).unwrap();
        let e = rel_diff(&got.x.column(0).to_owned(), &w);
        assert!(e <= 10.0 * e_mem.max(1e-13), "block {size}: {e} vs {e_mem}");
        assert_eq!(got.rank, 5);
    }
}

#[test]
fn memory_limits_are_checked_before_reading() {
    let x = normal(50, 4, 1);
    // below one row
    let o = StreamOptions::with_memory_limit(MemoryLimit::from_bytes(100));
    let e = Pca::new(Some(1))
        .solver(PcaSolver::Randomized)
        .fit_stream(&mut ArraySource::new(x.view()), &o)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("limit of 100 bytes is below what one row needs: 32 bytes per row"),
        "{e}"
    );
    // a covariance state larger than the limit: named, with the randomized solver suggested
    let o = StreamOptions::with_memory_limit(MemoryLimit::from_bytes(200));
    let e = Pca::new(Some(1))
        .solver(PcaSolver::CovarianceEigh)
        .fit_stream(&mut ArraySource::new(x.view()), &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("4 × 4") && e.contains("randomized"), "{e}");
    // Auto falls back to the randomized solver when the state does not fit
    let wide = low_rank(300, 40, 2);
    let o = StreamOptions::with_memory_limit(MemoryLimit::from_bytes(30_000));
    let got = Pca::new(Some(2))
        .fit_stream(&mut ArraySource::new(wide.view()), &o)
        .unwrap();
    assert_eq!(got.solver_used(), PcaSolver::Randomized);
}

#[test]
fn non_finite_values_name_the_file_and_rows() {
    let dir = std::env::temp_dir().join(format!("mlinalg-stream-nan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("nan.npy");
    let mut x = normal(30, 3, 1);
    x[[17, 1]] = f64::NAN;
    mlinalg::io::write_npy(&p, &x).unwrap();
    let e = Pca::new(Some(1))
        .fit_stream(&mut NpySource::open(&p).unwrap(), &opts(10, true))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{}: rows 10..20: non-finite value (NaN or infinity)",
            p.display()
        )
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn npy_file_stream_equals_in_memory() {
    let dir = std::env::temp_dir().join(format!("mlinalg-stream-npyfit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("x.npy");
    let x = low_rank(97, 5, 9);
    mlinalg::io::write_npy(&p, &x).unwrap();
    let want = Pca::new(Some(2))
        .solver(PcaSolver::CovarianceEigh)
        .fit(x.view())
        .unwrap();
    let mut src = NpySource::open(&p).unwrap();
    let got = Pca::new(Some(2))
        .fit_stream(&mut src, &opts(13, true))
        .unwrap();
    assert!(max_rel(got.components(), want.components()) < 1e-12);
    std::fs::remove_dir_all(&dir).ok();
}
