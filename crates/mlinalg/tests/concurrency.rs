//! Concurrency stress (issue 11): eight OS threads call the library at once — solve, svd,
//! eigh, PCA (full, covariance and randomized), CSR products, `.npy`/CSV/`.mtx` I/O — for
//! a bounded number of iterations, and every result equals the one computed on a single
//! thread before. One run leaves the thread settings alone; the other calls
//! `set_num_threads` from inside the workers while they compute (faer's global
//! parallelism changes under running kernels). Every run has a deadline: a deadlock fails
//! the test instead of hanging the suite.
//!
//! Results are compared exactly where the computation is a fixed sequence of operations
//! (I/O, CSR structure) and to 1e-12 relative to the norm where a parallel reduction may
//! associate differently on another schedule.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use ndarray::{Array1, Array2, ArrayD};

use mlinalg::decomposition::{Pca, PcaSolver};
use mlinalg::linalg::{eigh, solve, svd};
use mlinalg::random::randn2;
use mlinalg::sparse::CsrMatrix;

/// Threads calling the library at once.
const THREADS: usize = 8;
/// Iterations per thread.
const ITERS: usize = 3;
/// The longest a run may take before it counts as a deadlock (the whole work takes a few
/// seconds on two loaded cores).
const DEADLINE: Duration = Duration::from_secs(300);

/// The inputs every thread works on.
struct Inputs {
    a: Array2<f64>,
    b: Array2<f64>,
    sym: Array2<f64>,
    x: Array2<f64>,
    csr: CsrMatrix,
    dense_block: Array2<f64>,
    dir: PathBuf,
}

/// Everything one round computes.
#[derive(Debug, Clone)]
struct Results {
    solve: Array2<f64>,
    s: Array1<f64>,
    u_abs: Array2<f64>,
    eigenvalues: Array1<f64>,
    eigvec_abs: Array2<f64>,
    pca: Vec<(Array2<f64>, Array1<f64>, Array2<f64>)>,
    csr_dot: Array2<f64>,
    csr_tdot: Array2<f64>,
    csr_vec: Array1<f64>,
    csr_structure: (Vec<usize>, Vec<usize>),
    npy: ArrayD<f64>,
    csv: ArrayD<f64>,
    mtx: (Vec<usize>, Vec<usize>, Vec<f64>),
}

fn inputs(name: &str) -> Inputs {
    let n = 160;
    let a = randn2(n, n, 1) + Array2::<f64>::eye(n) * (n as f64);
    let b = randn2(n, 4, 2);
    let g = randn2(n, n, 3);
    let sym = &g + &g.t();
    // low-rank plus noise, so the randomized PCA has a clear spectrum
    let x = randn2(400, 5, 4).dot(&randn2(5, 40, 5)) + randn2(400, 40, 6) * 0.01;
    let (rows, cols, vals): (Vec<usize>, Vec<usize>, Vec<f64>) = (0..6000usize)
        .map(|k| {
            (
                (k * 7919) % 3000,
                (k * 104_729) % 700,
                (k % 13) as f64 - 6.0,
            )
        })
        .fold(
            (vec![], vec![], vec![]),
            |(mut r, mut c, mut v), (i, j, x)| {
                r.push(i);
                c.push(j);
                v.push(x);
                (r, c, v)
            },
        );
    let csr = CsrMatrix::from_triplets(3000, 700, &rows, &cols, &vals).unwrap();
    let dense_block = randn2(700, 8, 7);
    let dir =
        std::env::temp_dir().join(format!("mlinalg-concurrency-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Inputs {
        a,
        b,
        sym,
        x,
        csr,
        dense_block,
        dir,
    }
}

/// One round of every operation; `tag` keeps the files of concurrent rounds apart.
fn round(inp: &Inputs, tag: &str) -> Results {
    let solve_r = solve(inp.a.view(), &inp.b).unwrap();
    let f = svd(inp.a.view(), false).unwrap();
    let e = eigh(inp.sym.view()).unwrap();
    let pca = [
        PcaSolver::Svd,
        PcaSolver::CovarianceEigh,
        PcaSolver::Randomized,
    ]
    .iter()
    .map(|&solver| {
        let fit = Pca::new(Some(3))
            .solver(solver)
            .seed(7)
            .fit(inp.x.view())
            .unwrap();
        let z = fit.transform(inp.x.view()).unwrap();
        (
            fit.components().clone(),
            fit.explained_variance().clone(),
            z,
        )
    })
    .collect();
    let csr_dot = inp.csr.dot_dense(inp.dense_block.view()).unwrap();
    let left = randn2(3000, 5, 8);
    let csr_tdot = inp.csr.t_dot_dense(left.view()).unwrap();
    let csr_vec = inp.csr.dot_vec(inp.dense_block.column(0)).unwrap();
    let t = inp.csr.try_transpose().unwrap();
    let csr_structure = (t.indptr().to_vec(), t.indices().to_vec());
    // I/O: write, read back
    let npy_path = inp.dir.join(format!("{tag}.npy"));
    mlinalg::io::write_npy(&npy_path, &inp.x).unwrap();
    let npy = mlinalg::io::read_npy(&npy_path).unwrap().data;
    let csv_path = inp.dir.join(format!("{tag}.csv"));
    mlinalg::io::write_csv(&csv_path, &inp.b).unwrap();
    let csv = mlinalg::io::read_csv(&csv_path).unwrap();
    let mtx_path = inp.dir.join(format!("{tag}.mtx"));
    mlinalg::io::write_mtx(&mtx_path, &inp.csr).unwrap();
    let (m, _) = mlinalg::io::read_mtx(&mtx_path).unwrap();
    for p in [&npy_path, &csv_path, &mtx_path] {
        std::fs::remove_file(p).ok();
    }
    Results {
        solve: solve_r,
        s: f.s,
        // singular and eigen vectors up to sign
        u_abs: f.u.mapv(f64::abs),
        eigenvalues: e.eigenvalues,
        eigvec_abs: e.eigenvectors.mapv(f64::abs),
        pca,
        csr_dot,
        csr_tdot,
        csr_vec,
        csr_structure,
        npy,
        csv,
        mtx: (m.indptr().to_vec(), m.indices().to_vec(), m.data().to_vec()),
    }
}

/// `‖got − want‖ ≤ 1e-12 ‖want‖` (entrywise max norms).
fn assert_close<D: ndarray::Dimension>(
    got: &ndarray::Array<f64, D>,
    want: &ndarray::Array<f64, D>,
    what: &str,
) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let diff = got
        .iter()
        .zip(want.iter())
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        diff <= 1e-12 * scale,
        "{what}: differs by {diff:e} (scale {scale:e})"
    );
}

fn assert_same(got: &Results, want: &Results, who: &str) {
    assert_close(&got.solve, &want.solve, &format!("{who} solve"));
    assert_close(&got.s, &want.s, &format!("{who} svd s"));
    // abs of singular vectors: loose where singular values are close is not a concern for
    // a diagonally dominant matrix with distinct values; still compare to 1e-8
    let d = (&got.u_abs - &want.u_abs)
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(d < 1e-8, "{who} svd |u| differs by {d:e}");
    assert_close(&got.eigenvalues, &want.eigenvalues, &format!("{who} eigh"));
    let d = (&got.eigvec_abs - &want.eigvec_abs)
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(d < 1e-8, "{who} eigh |v| differs by {d:e}");
    for (k, (g, w)) in got.pca.iter().zip(&want.pca).enumerate() {
        assert_close(&g.0, &w.0, &format!("{who} pca {k} components"));
        assert_close(&g.1, &w.1, &format!("{who} pca {k} variance"));
        assert_close(&g.2, &w.2, &format!("{who} pca {k} transform"));
    }
    assert_close(&got.csr_dot, &want.csr_dot, &format!("{who} csr dot"));
    assert_close(&got.csr_tdot, &want.csr_tdot, &format!("{who} csr t_dot"));
    assert_close(&got.csr_vec, &want.csr_vec, &format!("{who} csr dot_vec"));
    assert_eq!(got.csr_structure, want.csr_structure, "{who} transpose");
    assert_eq!(got.npy, want.npy, "{who} npy round trip");
    assert_eq!(got.csv, want.csv, "{who} csv round trip");
    assert_eq!(got.mtx, want.mtx, "{who} mtx round trip");
}

/// Runs `THREADS` workers of `ITERS` rounds each against the single-threaded reference;
/// `knob` is called by each worker before each round (to change thread settings).
fn stress(name: &str, knob: fn(usize, usize)) {
    let (tx, rx) = mpsc::channel();
    let name = name.to_string();
    let runner = std::thread::spawn(move || {
        let inp = Arc::new(inputs(&name));
        let want = Arc::new(round(&inp, &format!("{name}-ref")));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (inp, want, name) = (Arc::clone(&inp), Arc::clone(&want), name.clone());
                std::thread::spawn(move || {
                    for i in 0..ITERS {
                        knob(t, i);
                        let got = round(&inp, &format!("{name}-{t}-{i}"));
                        assert_same(&got, &want, &format!("thread {t}, round {i}"));
                    }
                })
            })
            .collect();
        let mut failures = Vec::new();
        for (t, w) in workers.into_iter().enumerate() {
            if let Err(e) = w.join() {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
                    .unwrap_or_default();
                failures.push(format!("thread {t}: {msg}"));
            }
        }
        std::fs::remove_dir_all(&inp.dir).ok();
        tx.send(failures).ok();
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(failures) => {
            runner.join().ok();
            assert!(failures.is_empty(), "{failures:#?}");
        }
        Err(_) => panic!("no result after {DEADLINE:?}: deadlock between the threads?"),
    }
}

#[test]
fn eight_threads_at_once() {
    stress("plain", |_, _| {});
}

#[test]
fn eight_threads_while_thread_counts_change() {
    // Workers set faer's and rayon's thread count while the others compute: the first
    // call may size the global rayon pool (later ones return an error for rayon, as
    // documented, but still change faer's parallelism).
    stress("knob", |t, i| {
        let _ = mlinalg::set_num_threads(1 + (t + i) % 2);
    });
}
