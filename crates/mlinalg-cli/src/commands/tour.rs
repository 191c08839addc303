//! `mlinalg tour`: the whole linear-algebra-for-ML course, run on built-in seeded data.
//!
//! Each section computes its steps with the library and reports them as named results, with
//! the shapes of the intermediates written as comments (`# (2, 3) @ (3, 2) → (2, 2)`), the
//! way the course writes them. Every number is computed here, none is copied from the
//! course. `--section NAME` runs one section; `--json` gives one object per section.

use anyhow::{Result, anyhow};
use mlinalg::array::{eye, fmt_shape};
use mlinalg::decomposition::{Pca, TruncatedSvd};
use mlinalg::linalg::{self, Eig, QrMode};
use mlinalg::linear_model::{LinearRegression, LinearSolver, Ridge};
use mlinalg::nn::{Activation, Dense, Init, Sequential};
use mlinalg::random;
use mlinalg::sparse::CsrMatrix;
use mlinalg::{ops, vector};
use ndarray::{Array1, Array2, Axis, array, concatenate, s};

use crate::cli::{Section, TourArgs};
use crate::output::human::repr_f64;
use crate::report::{Report, Value};

/// The seed of every random array in the tour (any fixed value would do).
const SEED: u64 = 42;

pub fn run(args: &TourArgs) -> Result<Report> {
    let mut report = Report::new();
    for section in Section::ALL {
        if args.section.is_some_and(|s| s != section) {
            continue;
        }
        let r = match section {
            Section::Arrays => arrays(),
            Section::Vectors => vectors(),
            Section::Matrices => matrices(),
            Section::Special => special(),
            Section::Eigen => eigen(),
            Section::Svd => svd(),
            Section::Network => network(),
            Section::Regression => regression(),
            Section::Sparse => sparse(),
        }
        .map_err(|e| anyhow!("tour: {}: {e:#}", section.name()))?;
        report.push(section.name(), Value::Section(r));
    }
    Ok(report)
}

/// The shape of an array, as NumPy prints it.
fn sh<D: ndarray::Dimension>(a: &ndarray::Array<f64, D>) -> String {
    fmt_shape(a.shape())
}

/// The largest absolute element of `a − b` (0 for empty arrays).
fn max_abs_diff<D: ndarray::Dimension>(
    a: &ndarray::Array<f64, D>,
    b: &ndarray::Array<f64, D>,
) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn shape_value(s: &[usize]) -> Value {
    Value::Shape(s.to_vec())
}

fn arrays() -> Result<Report> {
    let mut r = Report::new();
    r.note("# Scalars, vectors, matrices and tensors are arrays of 0, 1, 2 and n axes.");
    let scalar = ndarray::arr0(3.5);
    r.push("scalar_shape", shape_value(scalar.shape()));
    r.push("scalar", Value::Array(scalar.into_dyn()));
    let v = array![2.0, 3.0, -1.0];
    r.note(format!("# vector: {}", sh(&v)));
    r.push("vector_shape", shape_value(v.shape()));
    r.push("vector", Value::Array(v.into_dyn()));
    let m = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    r.note(format!("# matrix: {} = (rows, columns)", sh(&m)));
    r.push("matrix_shape", shape_value(m.shape()));
    r.push("matrix", Value::Array(m.into_dyn()));
    let t = random::randn(&[2, 3, 4], SEED);
    r.note(format!(
        "# tensor: {} = randn(2, 3, 4); ndim = {}",
        sh(&t),
        t.ndim()
    ));
    r.push("tensor_shape", shape_value(t.shape()));
    r.push("tensor_ndim", Value::Int(t.ndim() as i64));

    // An image batch is shown by its shape only: 4.8 million float64 values are 38.5 MB
    // that nothing in the tour would read.
    let batch = [32usize, 224, 224, 3];
    let elements = mlinalg::array::checked_len("tour", &batch)?;
    let megabytes = (elements * std::mem::size_of::<f64>()) as f64 / 1e6;
    r.note(format!(
        "# image batch: {} = (batch, height, width, channels): {elements} values, {megabytes} MB as float64 (not allocated)",
        fmt_shape(&batch)
    ));
    r.push("image_batch_shape", shape_value(&batch));
    r.push("image_batch_elements", Value::Int(elements as i64));
    r.push("image_batch_megabytes", Value::Float(megabytes));

    let data = random::randn2(1000, 20, SEED);
    let (n_samples, n_features) = data.dim();
    let means = data
        .mean_axis(Axis(0))
        .ok_or_else(|| anyhow!("empty dataset"))?;
    r.note(format!(
        "# dataset: {} = (n_samples, n_features); one row per sample",
        sh(&data)
    ));
    r.note(format!(
        "# data.mean(axis=0): {} @ axis 0 → {}",
        sh(&data),
        sh(&means)
    ));
    r.push("dataset_shape", shape_value(data.shape()));
    r.push("n_samples", Value::Int(n_samples as i64));
    r.push("n_features", Value::Int(n_features as i64));
    r.push("feature_means_shape", shape_value(means.shape()));
    r.push(
        "feature_means_max_abs",
        Value::Float(means.iter().fold(0.0, |a: f64, b| a.max(b.abs()))),
    );
    Ok(r)
}

fn vectors() -> Result<Report> {
    let mut r = Report::new();
    let v = array![2.0, 3.0, -1.0];
    let w = array![4.0, 1.0, 2.0];
    r.note(format!("# v, w: {} each", sh(&v)));
    r.push("v", Value::Array(v.clone().into_dyn()));
    r.push("w", Value::Array(w.clone().into_dyn()));
    r.push("v_plus_w", Value::Array((&v + &w).into_dyn()));
    r.push("two_v", Value::Array((&v * 2.0).into_dyn()));
    r.push("v_times_w", Value::Array((&v * &w).into_dyn()));
    r.note(
        "# norms of v: L0 counts non-zeros, L1 sums |vᵢ|, L2 is the length, L∞ the largest |vᵢ|",
    );
    let l2 = vector::norm_l2(v.view());
    r.push("l0", Value::Float(vector::norm_l0(v.view())));
    r.push("l1", Value::Float(vector::norm_l1(v.view())));
    r.push("l2", Value::Float(l2));
    r.push("linf", Value::Float(vector::norm_inf(v.view())));
    let unit = &v / l2;
    r.push("unit_v_norm", Value::Float(vector::norm_l2(unit.view())));
    r.note("# v · w = Σ vᵢ wᵢ: (3,) · (3,) → ()");
    r.push("dot", Value::Float(vector::dot(v.view(), w.view())?));
    r.note("# cos θ = v · w / (‖v‖ ‖w‖)");
    r.push(
        "cosine",
        Value::Float(vector::cosine_similarity(v.view(), w.view())?),
    );
    r.push(
        "angle_degrees",
        Value::Float(vector::angle_degrees(v.view(), w.view())?),
    );
    r.note("# gradient step w ← w − η ∇L, as axpy(−η, ∇L, w): (3,) → (3,)");
    let weights = array![0.5, -0.3, 0.8];
    let gradient = array![0.1, -0.2, 0.05];
    let lr = 0.1;
    r.push("weights", Value::Array(weights.clone().into_dyn()));
    r.push("gradient", Value::Array(gradient.clone().into_dyn()));
    r.push("learning_rate", Value::Float(lr));
    let stepped = vector::axpy(-lr, gradient.view(), weights.view())?;
    r.push("updated_weights", Value::Array(stepped.into_dyn()));
    Ok(r)
}

/// `X = [1 | randn(100, 3)]`, `w = [1, 2, −1, 3]`, `y = X w + 0.1 · noise`.
fn regression_data() -> Result<(Array2<f64>, Array1<f64>, Array1<f64>)> {
    let mut rng = random::rng(SEED);
    let features = random::randn2_with(&mut rng, 100, 3);
    let ones = Array2::<f64>::ones((100, 1));
    let x = concatenate(Axis(1), &[ones.view(), features.view()])?;
    let w_true = array![1.0, 2.0, -1.0, 3.0];
    let noise = random::randn2_with(&mut rng, 100, 1).column(0).to_owned();
    let y = ops::matvec(x.view(), w_true.view())? + &(noise * 0.1);
    Ok((x, y, w_true))
}

fn matrices() -> Result<Report> {
    let mut r = Report::new();
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let b = array![[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]];
    let product = ops::matmul_2d(a.view(), b.view())?;
    r.note(format!(
        "# A @ B: {} @ {} → {}",
        sh(&a),
        sh(&b),
        sh(&product)
    ));
    r.push("product", Value::Array(product.into_dyn()));
    let at = a.t().to_owned();
    r.note(format!("# Aᵀ: {} → {}", sh(&a), sh(&at)));
    r.push("transpose", Value::Array(at.into_dyn()));

    let m = array![[4.0, 7.0], [2.0, 6.0]];
    let inverse = linalg::inv(m.view())?;
    let check = ops::matmul_2d(m.view(), inverse.view())?;
    r.note(format!("# M⁻¹: {} → {}; M @ M⁻¹ = I", sh(&m), sh(&inverse)));
    r.push("m", Value::Array(m.clone().into_dyn()));
    r.push("inverse", Value::Array(inverse.into_dyn()));
    r.push(
        "inverse_check_error",
        Value::Float(max_abs_diff(&check, &eye(2))),
    );
    r.push("determinant", Value::Float(linalg::det(m.view())?));

    let (x, y, w_true) = regression_data()?;
    r.note(format!(
        "# X = [1 | randn(100, 3)]: {}, w = [1, 2, −1, 3], y = X w + 0.1·noise: {}",
        sh(&x),
        sh(&y)
    ));
    let xtx = x.t().dot(&x);
    let xty = x.t().dot(&y);
    r.note(format!(
        "# Xᵀ X: {} @ {} → {}; Xᵀ y: {} @ {} → {}",
        fmt_shape(&[4, 100]),
        sh(&x),
        sh(&xtx),
        fmt_shape(&[4, 100]),
        sh(&y),
        sh(&xty)
    ));
    let w_normal = ops::matvec(linalg::inv(xtx.view())?.view(), xty.view())?;
    r.note("# normal equation: w = (Xᵀ X)⁻¹ Xᵀ y: (4, 4) @ (4,) → (4,)");
    r.push("w_true", Value::Array(w_true.clone().into_dyn()));
    r.push(
        "w_normal_equation",
        Value::Array(w_normal.clone().into_dyn()),
    );
    let w_solve = linalg::solve(xtx.view(), &xty)?;
    r.note("# solve(Xᵀ X, Xᵀ y): no explicit inverse");
    r.push("w_solve", Value::Array(w_solve.clone().into_dyn()));
    let fit = linalg::lstsq(x.view(), &y, None)?;
    r.note("# lstsq(X, y): SVD-based, works on X itself: (100, 4), (100,) → (4,)");
    r.push("w_lstsq", Value::Array(fit.x.clone().into_dyn()));
    r.push("lstsq_rank", Value::Int(fit.rank as i64));
    r.push(
        "max_error_vs_true",
        Value::Float(max_abs_diff(&fit.x, &w_true)),
    );
    r.push(
        "max_disagreement_between_methods",
        Value::Float(max_abs_diff(&w_normal, &fit.x).max(max_abs_diff(&w_solve, &fit.x))),
    );
    Ok(r)
}

fn special() -> Result<Report> {
    let mut r = Report::new();
    let i3 = eye(3);
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]];
    r.note(format!("# identity I: {}; I @ A = A", sh(&i3)));
    r.push("identity", Value::Array(i3.clone().into_dyn()));
    r.push(
        "identity_preserves",
        Value::Bool(ops::matmul_2d(i3.view(), a.view())? == a),
    );

    let x = random::randn2(50, 4, SEED);
    let mean = x.mean_axis(Axis(0)).ok_or_else(|| anyhow!("empty data"))?;
    let xc = &x - &mean;
    let cov = xc.t().dot(&xc) / (x.nrows() as f64 - 1.0);
    r.note(format!(
        "# covariance C = Xcᵀ Xc / (n − 1): {} @ {} → {}; C = Cᵀ",
        fmt_shape(&[4, 50]),
        sh(&xc),
        sh(&cov)
    ));
    r.push("covariance", Value::Array(cov.clone().into_dyn()));
    r.push("symmetric", Value::Bool(linalg::is_symmetric(cov.view())));
    r.push(
        "max_asymmetry",
        Value::Float(max_abs_diff(&cov, &cov.t().to_owned())),
    );

    let qr = linalg::qr(random::randn2(4, 4, SEED + 1).view(), QrMode::Reduced)?;
    let qtq = qr.q.t().dot(&qr.q);
    r.note(format!(
        "# Q from QR of randn(4, 4): {}; Qᵀ Q = I",
        sh(&qr.q)
    ));
    r.push("q", Value::Array(qr.q.clone().into_dyn()));
    r.push("qtq_error", Value::Float(max_abs_diff(&qtq, &eye(4))));
    r.push(
        "orthogonal",
        Value::Bool(linalg::is_orthogonal(qr.q.view())),
    );

    let ev = linalg::eigvalsh(cov.view())?;
    r.note("# positive definite: symmetric with every eigenvalue > 0 (a covariance of independent columns)");
    r.push(
        "covariance_eigenvalues",
        Value::Array(ev.clone().into_dyn()),
    );
    r.push(
        "positive_definite",
        Value::Bool(ev.iter().all(|&l| l > 0.0) && linalg::is_positive_definite(cov.view())),
    );

    let n = 10_000;
    let sparse = CsrMatrix::identity(n);
    let dense_entries = n * n;
    r.note(format!(
        "# sparse identity {}: stores {} non-zeros of {} entries",
        fmt_shape(&[n, n]),
        sparse.nnz(),
        dense_entries
    ));
    r.push(
        "sparse_shape",
        shape_value(&[sparse.nrows(), sparse.ncols()]),
    );
    r.push("sparse_nnz", Value::Int(sparse.nnz() as i64));
    r.push("dense_entries", Value::Int(dense_entries as i64));
    r.push(
        "sparse_memory_bytes",
        Value::Int(sparse.memory_bytes() as i64),
    );
    r.push(
        "dense_memory_bytes",
        Value::Int(sparse.dense_memory_bytes() as i64),
    );
    r.push(
        "memory_ratio",
        Value::Float(sparse.dense_memory_bytes() as f64 / sparse.memory_bytes() as f64),
    );
    let xv = random::randn(&[n], SEED).into_dimensionality::<ndarray::Ix1>()?;
    let iv = sparse.dot_vec(xv.view())?;
    r.note(format!(
        "# I @ x without densifying: {} @ {} → {}",
        fmt_shape(&[n, n]),
        sh(&xv),
        sh(&iv)
    ));
    r.push("sparse_matvec_error", Value::Float(max_abs_diff(&iv, &xv)));
    Ok(r)
}

fn eigen() -> Result<Report> {
    let mut r = Report::new();
    let a = array![[4.0f64, 1.0], [2.0, 3.0]];
    let (mut values, vectors) = match linalg::eig(a.view())? {
        Eig::Real {
            eigenvalues,
            eigenvectors,
        } => (eigenvalues.to_vec(), eigenvectors),
        _ => return Err(anyhow!("eig of [[4, 1], [2, 3]] should be real")),
    };
    // Descending order, as the course lists them; the vectors follow their values.
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]));
    let vecs = vectors.select(Axis(1), &order);
    values = order.iter().map(|&i| values[i]).collect();
    r.note(format!(
        "# eig(A): A {} → eigenvalues {}, eigenvectors {} (columns)",
        sh(&a),
        fmt_shape(&[values.len()]),
        sh(&vecs)
    ));
    r.push("a", Value::Array(a.clone().into_dyn()));
    r.push(
        "eigenvalues",
        Value::Array(Array1::from(values.clone()).into_dyn()),
    );
    r.push("eigenvectors", Value::Array(vecs.clone().into_dyn()));
    let mut worst: f64 = 0.0;
    for (k, &lambda) in values.iter().enumerate() {
        let v = vecs.column(k).to_owned();
        let av = ops::matvec(a.view(), v.view())?;
        let res = vector::norm_l2((&av - &(&v * lambda)).view());
        r.note(format!(
            "# ‖A v − λ v‖ for λ = {}: {}",
            repr_f64(lambda),
            repr_f64(res)
        ));
        worst = worst.max(res);
    }
    r.push("max_residual_av_minus_lambda_v", Value::Float(worst));
    r.push(
        "sum_equals_trace",
        Value::Bool((values.iter().sum::<f64>() - ops::trace(a.view())).abs() < 1e-12),
    );
    r.push(
        "product_equals_det",
        Value::Bool((values.iter().product::<f64>() - linalg::det(a.view())?).abs() < 1e-9),
    );

    // PCA from scratch: features with standard deviations 3, 2, 1, 0.5, 0.2 so that the
    // components have something to find.
    let scales = array![3.0, 2.0, 1.0, 0.5, 0.2];
    let x = random::randn2(200, 5, SEED) * &scales;
    let mean = x.mean_axis(Axis(0)).ok_or_else(|| anyhow!("empty data"))?;
    let xc = &x - &mean;
    let cov = xc.t().dot(&xc) / (x.nrows() as f64 - 1.0);
    r.note("# PCA from scratch on X = randn(200, 5) · diag(3, 2, 1, 0.5, 0.2)");
    r.note(format!(
        "# centre: {} − {} → {}",
        sh(&x),
        sh(&mean),
        sh(&xc)
    ));
    r.note(format!(
        "# covariance: {} @ {} / (n − 1) → {}",
        fmt_shape(&[5, 200]),
        sh(&xc),
        sh(&cov)
    ));
    let e = linalg::eigh(cov.view())?;
    // eigh is ascending; PCA wants the largest variance first.
    let desc: Vec<usize> = (0..e.eigenvalues.len()).rev().collect();
    let variances = e.eigenvalues.select(Axis(0), &desc);
    let components = e.eigenvectors.select(Axis(1), &desc);
    let ratio = &variances / variances.sum();
    r.note(format!(
        "# eigh → sort descending: eigenvalues {}, eigenvectors {}",
        sh(&variances),
        sh(&components)
    ));
    r.push(
        "pca_explained_variance",
        Value::Array(variances.clone().into_dyn()),
    );
    r.push(
        "pca_explained_variance_ratio",
        Value::Array(ratio.clone().into_dyn()),
    );
    r.push("pca_ratio_top2", Value::Float(ratio.slice(s![..2]).sum()));
    let w = components.slice(s![.., ..2]).to_owned();
    let projected = ops::matmul_2d(xc.view(), w.view())?;
    r.note(format!(
        "# project: {} @ {} → {}",
        sh(&xc),
        sh(&w),
        sh(&projected)
    ));
    r.push("projected_shape", shape_value(projected.shape()));
    let fitted = Pca::new(Some(2)).fit(x.view())?;
    r.note("# the same with decomposition::Pca: explained variances agree");
    r.push(
        "pca_library_max_difference",
        Value::Float(max_abs_diff(
            fitted.explained_variance(),
            &variances.slice(s![..2]).to_owned(),
        )),
    );
    Ok(r)
}

fn svd() -> Result<Report> {
    let mut r = Report::new();
    let m = random::randn2(4, 6, SEED);
    let f = linalg::svd(m.view(), true)?;
    r.note(format!(
        "# full SVD of M {}: U {}, S {}, Vᵀ {}",
        sh(&m),
        sh(&f.u),
        sh(&f.s),
        sh(&f.vt)
    ));
    r.push("m", Value::Array(m.clone().into_dyn()));
    r.push("u", Value::Array(f.u.clone().into_dyn()));
    r.push("s", Value::Array(f.s.clone().into_dyn()));
    r.push("vt", Value::Array(f.vt.clone().into_dyn()));
    let k = f.s.len();
    let us = &f.u * &f.s;
    let rebuilt = us.dot(&f.vt.slice(s![..k, ..]));
    r.note(format!(
        "# U Σ Vᵀ[:4]: {} @ {} @ {} → {}",
        sh(&f.u),
        fmt_shape(&[k, k]),
        fmt_shape(&[k, 6]),
        sh(&rebuilt)
    ));
    r.push(
        "reconstruction_error",
        Value::Float(max_abs_diff(&rebuilt, &m)),
    );

    let low = linalg::low_rank(m.view(), 2)?;
    let tail = f.s.slice(s![2..]).iter().map(|x| x * x).sum::<f64>().sqrt();
    r.note(format!(
        "# rank-2 approximation: U[:, :2] Σ[:2] Vᵀ[:2] → {}; ‖M − M₂‖_F = √(σ₃² + σ₄²)",
        sh(&low.approx)
    ));
    r.push("rank2_approx", Value::Array(low.approx.clone().into_dyn()));
    r.push("rank2_frobenius_error", Value::Float(low.frobenius_error));
    r.push("rank2_error_from_singular_values", Value::Float(tail));
    r.push("rank2_energy", Value::Float(low.energy));

    // A rank-3 signal plus small noise: the truncated SVD should find three strong
    // directions.
    let signal = ops::matmul_2d(
        random::randn2(100, 3, SEED).view(),
        random::randn2(3, 20, SEED + 1).view(),
    )?;
    let data = signal + random::randn2(100, 20, SEED + 2) * 0.01;
    let tsvd = TruncatedSvd::new(3).seed(0).fit(data.view())?;
    let z = tsvd.transform(data.view())?;
    let exact = linalg::svdvals(data.view())?;
    r.note(format!(
        "# TruncatedSVD(3) of a rank-3 signal + noise {}: components {}, transformed {}",
        sh(&data),
        sh(tsvd.components()),
        sh(&z)
    ));
    r.push(
        "tsvd_singular_values",
        Value::Array(tsvd.singular_values().clone().into_dyn()),
    );
    r.push(
        "exact_top3_singular_values",
        Value::Array(exact.slice(s![..3]).to_owned().into_dyn()),
    );
    r.push(
        "tsvd_explained_variance_ratio_sum",
        Value::Float(tsvd.explained_variance_ratio().sum()),
    );
    r.push("tsvd_transformed_shape", shape_value(z.shape()));
    Ok(r)
}

fn network() -> Result<Report> {
    let mut r = Report::new();
    let mut rng = random::rng(SEED);
    let x = random::randn2_with(&mut rng, 32, 10);
    let net = Sequential::new(vec![
        Dense::new(10, 64, Activation::Relu, Init::HeNormal, &mut rng)?,
        Dense::new(64, 32, Activation::Relu, Init::HeNormal, &mut rng)?,
        Dense::new(32, 1, Activation::Sigmoid, Init::HeNormal, &mut rng)?,
    ]);
    let (y, trace) = net.forward_traced(x.view())?;
    let params: usize = net
        .layers
        .iter()
        .map(|l| l.weights.len() + l.bias.len())
        .sum();
    r.note("# a forward pass: 32 samples, 10 → 64 → 32 → 1, He init, ReLU, sigmoid output");
    r.push("input_shape", shape_value(x.shape()));
    r.push("shape_trace", Value::Lines(trace.lines()));
    r.push("output_shape", shape_value(y.shape()));
    r.push("parameters", Value::Int(params as i64));
    r.push(
        "output_min",
        Value::Float(y.iter().copied().fold(f64::INFINITY, f64::min)),
    );
    r.push(
        "output_max",
        Value::Float(y.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
    );
    r.push(
        "first_outputs",
        Value::Array(y.slice(s![..5, 0]).to_owned().into_dyn()),
    );
    Ok(r)
}

fn regression() -> Result<Report> {
    let mut r = Report::new();
    let (x, y, _) = regression_data()?;
    // The intercept column is dropped: LinearRegression fits it itself.
    let features = x.slice(s![.., 1..]).to_owned();
    r.note(format!(
        "# LinearRegression on X {} (intercept fitted), y {}; true intercept 1, coef [2, −1, 3]",
        sh(&features),
        sh(&y)
    ));
    for (name, solver) in [
        ("normal_equation", LinearSolver::NormalEquation),
        ("solve", LinearSolver::Solve),
        ("lstsq", LinearSolver::Lstsq),
    ] {
        let fit = LinearRegression::new()
            .solver(solver)
            .fit(features.view(), y.view())?;
        let mut coef = vec![fit.intercept()];
        coef.extend(fit.coef().iter());
        r.push(
            &format!("{name}_intercept_and_coef"),
            Value::Array(Array1::from(coef).into_dyn()),
        );
        if matches!(solver, LinearSolver::Lstsq) {
            r.push("r2", Value::Float(fit.score(features.view(), y.view())?));
            let pred = fit.predict(features.view())?;
            r.note(format!(
                "# predict: {} @ {} + b → {}",
                sh(&features),
                sh(fit.coef()),
                sh(&pred)
            ));
        }
    }
    let ridge = Ridge::new(10.0).fit(features.view(), y.view())?;
    r.note("# Ridge(alpha = 10) shrinks the coefficients towards 0");
    r.push("ridge_coef", Value::Array(ridge.coef().clone().into_dyn()));
    r.push("ridge_intercept", Value::Float(ridge.intercept()));
    Ok(r)
}

fn sparse() -> Result<Report> {
    let mut r = Report::new();
    // scipy's csr_matrix example: three arrays describe the matrix.
    let (rows, cols, vals) = (
        [0, 0, 1, 2, 2, 2],
        [0, 2, 2, 0, 1, 2],
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    );
    let m = CsrMatrix::from_triplets(3, 3, &rows, &cols, &vals)?;
    let as_f64 =
        |v: &[usize]| Value::Array(Array1::from_iter(v.iter().map(|&x| x as f64)).into_dyn());
    r.note(format!(
        "# CSR {}: row i holds data[indptr[i]..indptr[i + 1]] at columns indices[…]",
        fmt_shape(&[3, 3])
    ));
    r.push("indptr", as_f64(m.indptr()));
    r.push("indices", as_f64(m.indices()));
    r.push(
        "data",
        Value::Array(Array1::from(m.data().to_vec()).into_dyn()),
    );
    let dense = m.to_dense()?;
    r.push("dense", Value::Array(dense.clone().into_dyn()));
    let x = array![1.0, -1.0, 2.0];
    let y = m.dot_vec(x.view())?;
    r.note(format!(
        "# A @ x touches only the {} stored entries: {} @ {} → {}",
        m.nnz(),
        sh(&dense),
        sh(&x),
        sh(&y)
    ));
    r.push("a_times_x", Value::Array(y.clone().into_dyn()));
    r.push(
        "matches_dense",
        Value::Bool(y == ops::matvec(dense.view(), x.view())?),
    );

    // A 2000 × 500 matrix with 1 % non-zeros at seeded random positions (duplicates summed).
    let (n, p, nnz) = (2000usize, 500usize, 10_000usize);
    let u = random::uniform(&[nnz, 3], 0.0, 1.0, SEED);
    let ri: Vec<usize> = u
        .outer_iter()
        .map(|t| ((t[0] * n as f64) as usize).min(n - 1))
        .collect();
    let ci: Vec<usize> = u
        .outer_iter()
        .map(|t| ((t[1] * p as f64) as usize).min(p - 1))
        .collect();
    // Column j scaled by 1 / (1 + j / 5): a decaying spectrum, so the top directions stand
    // out (on flat noise no truncated method has much to find).
    let vi: Vec<f64> = u
        .outer_iter()
        .zip(&ci)
        .map(|(t, &j)| t[2] / (1.0 + j as f64 / 5.0))
        .collect();
    let x = CsrMatrix::from_triplets(n, p, &ri, &ci, &vi)?;
    r.note(format!(
        "# X {}: {} stored entries ({} bytes) instead of {} dense ({} bytes)",
        fmt_shape(&[n, p]),
        x.nnz(),
        x.memory_bytes(),
        n * p,
        x.dense_memory_bytes()
    ));
    r.push("x_shape", shape_value(&[x.nrows(), x.ncols()]));
    r.push("x_nnz", Value::Int(x.nnz() as i64));
    r.push("x_density", Value::Float(x.nnz() as f64 / (n * p) as f64));
    r.push("x_memory_bytes", Value::Int(x.memory_bytes() as i64));
    r.push(
        "x_dense_memory_bytes",
        Value::Int(x.dense_memory_bytes() as i64),
    );
    let fit = TruncatedSvd::new(5).seed(0).fit_sparse(&x)?;
    let z = fit.transform_sparse(&x)?;
    r.note(format!(
        "# TruncatedSVD(5) on the sparse X, never densified: X {} @ Vᵀ {} → {}",
        fmt_shape(&[n, p]),
        fmt_shape(&[p, 5]),
        sh(&z)
    ));
    r.push(
        "tsvd_singular_values",
        Value::Array(fit.singular_values().clone().into_dyn()),
    );
    let exact = linalg::svdvals(x.to_dense()?.view())?;
    r.push(
        "exact_top5_singular_values",
        Value::Array(exact.slice(s![..5]).to_owned().into_dyn()),
    );
    r.push("tsvd_transformed_shape", shape_value(z.shape()));
    Ok(r)
}
