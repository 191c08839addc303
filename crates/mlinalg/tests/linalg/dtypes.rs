//! `numpy.linalg` in float32, complex64 and complex128 (issue 12): the generic routines
//! against NumPy's results in each dtype (`tests/fixtures/generate_dtypes.py`), compared at
//! that dtype's tolerance (complex vectors up to phase), and residual properties per dtype
//! with thresholds scaled by the dtype's ε (LAPACK's test ratios).
//!
//! Everything is written once over [`Dtype`] and run for `f32`, `Complex32` and `Complex64`
//! (`f64` has its own modules); comparisons happen in `Complex64`.

use mlinalg::linalg::NormOrd;
use mlinalg::linalg::{
    Cholesky, Eig, QrMode, cholesky, cond, det, eig, eigh, eigvalsh, inv, lstsq, matrix_rank, norm,
    pinv, qr, slogdet, solve, svd, svdvals,
};
use mlinalg::{Complex32, Complex64, RealScalar, Scalar};
use ndarray::{Array1, Array2, ArrayD};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::common;

/// A dtype under test: NumPy's name in the fixture files and a constructor from parts.
trait Dtype: Scalar {
    /// The fixture prefix: `f32`, `c64` (complex64) or `c128` (complex128).
    const TAG: &'static str;
    /// `re + i·im` (the imaginary part is dropped for a real type).
    fn make(re: f64, im: f64) -> Self;
}

impl Dtype for f32 {
    const TAG: &'static str = "f32";
    fn make(re: f64, _: f64) -> Self {
        re as f32
    }
}

impl Dtype for Complex32 {
    const TAG: &'static str = "c64";
    fn make(re: f64, im: f64) -> Self {
        Complex32::new(re as f32, im as f32)
    }
}

impl Dtype for Complex64 {
    const TAG: &'static str = "c128";
    fn make(re: f64, im: f64) -> Self {
        Complex64::new(re, im)
    }
}

impl Dtype for f64 {
    const TAG: &'static str = "f64";
    fn make(re: f64, _: f64) -> Self {
        re
    }
}

/// ε of the dtype's real type, as `f64`.
fn eps<T: Scalar>() -> f64 {
    T::eps().to_f64()
}

/// The value as a `Complex64` (exact for every dtype).
fn up<T: Scalar>(x: T) -> Complex64 {
    Complex64::new(x.re().to_f64(), x.im().to_f64())
}

fn up2<T: Scalar>(a: &Array2<T>) -> Array2<Complex64> {
    a.mapv(up)
}

fn up1<T: Scalar>(a: &Array1<T>) -> Array1<Complex64> {
    a.mapv(up)
}

// ------------------------------------------------------------------------------- fixtures

fn raw<T: Dtype>(case: &str, key: &str) -> ArrayD<f64> {
    raw_tag(T::TAG, case, key)
}

fn raw_tag(tag: &str, case: &str, key: &str) -> ArrayD<f64> {
    let path = common::fixtures_dir()
        .join("dtypes")
        .join(format!("{tag}_{case}__{key}.npy"));
    common::read_npy(&path)
}

/// A fixture of the dtype `T` (complex ones carry a trailing (re, im) axis).
fn load<T: Dtype>(case: &str, key: &str) -> ArrayD<T> {
    load_tag::<T>(T::TAG, case, key)
}

/// A fixture of dtype `tag` read as element type `T`.
fn load_tag<T: Dtype>(tag: &str, case: &str, key: &str) -> ArrayD<T> {
    let a = raw_tag(tag, case, key);
    if T::IS_COMPLEX {
        let lead = a.shape()[..a.ndim() - 1].to_vec();
        let parts = a.into_shape_with_order((a_len(&lead), 2)).expect("(…, 2)");
        let v: Vec<T> = parts.outer_iter().map(|p| T::make(p[0], p[1])).collect();
        ArrayD::from_shape_vec(lead, v).expect("shape")
    } else {
        a.mapv(|x| T::make(x, 0.0))
    }
}

fn a_len(shape: &[usize]) -> usize {
    shape.iter().product()
}

fn load2<T: Dtype>(case: &str, key: &str) -> Array2<T> {
    load::<T>(case, key).into_dimensionality().expect("2-d")
}

fn load1<T: Dtype>(case: &str, key: &str) -> Array1<T> {
    load::<T>(case, key).into_dimensionality().expect("1-d")
}

fn load0<T: Dtype>(case: &str, key: &str) -> T {
    let a = load::<T>(case, key);
    assert_eq!(a.len(), 1, "{case}__{key}: not a scalar");
    a.iter().copied().next().expect("one")
}

/// A real-valued fixture (singular values, eigenvalues, norms, …) as f64.
fn real1<T: Dtype>(case: &str, key: &str) -> Array1<f64> {
    raw::<T>(case, key).into_dimensionality().expect("1-d")
}

fn real0<T: Dtype>(case: &str, key: &str) -> f64 {
    let a = raw::<T>(case, key);
    assert_eq!(a.len(), 1, "{case}__{key}: not a scalar");
    a.iter().copied().next().expect("one")
}

// ---------------------------------------------------------------------------- comparisons

/// ‖got − want‖ / ‖want‖ over complex arrays (absolute when `want` is 0).
fn rel(got: &[Complex64], want: &[Complex64]) -> f64 {
    assert_eq!(got.len(), want.len(), "lengths differ");
    let d: f64 = got
        .iter()
        .zip(want)
        .map(|(g, w)| (g - w).norm_sqr())
        .sum::<f64>()
        .sqrt();
    let n: f64 = want.iter().map(|w| w.norm_sqr()).sum::<f64>().sqrt();
    if n == 0.0 { d } else { d / n }
}

/// NumPy and mlinalg both run a backward-stable algorithm in the dtype's precision on a
/// well-conditioned input (κ ≲ 10), so they agree to a few hundred ulps of that dtype.
fn tol<T: Scalar>() -> f64 {
    200.0 * eps::<T>()
}

#[track_caller]
fn assert_near<T: Scalar>(got: &[Complex64], want: &[Complex64], what: &str) {
    let r = rel(got, want);
    assert!(
        r <= tol::<T>(),
        "{} {what}: relative difference {r:e} > {:e}\n got: {got:?}\nwant: {want:?}",
        T::DTYPE,
        tol::<T>()
    );
}

#[track_caller]
fn assert_near_real<T: Scalar>(got: &[f64], want: &[f64], what: &str) {
    let g: Vec<Complex64> = got.iter().map(|&x| Complex64::new(x, 0.0)).collect();
    let w: Vec<Complex64> = want.iter().map(|&x| Complex64::new(x, 0.0)).collect();
    assert_near::<T>(&g, &w, what);
}

/// Column j of `got` equals column j of `want` times a unit complex number (±1 for real).
#[track_caller]
fn assert_cols_up_to_phase<T: Scalar>(
    got: &Array2<Complex64>,
    want: &Array2<Complex64>,
    what: &str,
) {
    assert_eq!(got.dim(), want.dim(), "{} {what}: shapes", T::DTYPE);
    for j in 0..got.ncols() {
        let r = common::phase_rel_diff(got.column(j), want.column(j));
        assert!(
            r <= tol::<T>(),
            "{} {what}: column {j} differs even up to phase: {r:e}",
            T::DTYPE
        );
    }
}

fn flat(a: &Array2<Complex64>) -> Vec<Complex64> {
    a.iter().copied().collect()
}

fn realv<R: RealScalar>(a: &Array1<R>) -> Vec<f64> {
    a.iter().map(|x| x.to_f64()).collect()
}

// ------------------------------------------------------------------------ fixture checks

fn fixture_solve_inv_det<T: Dtype>() {
    let a = load2::<T>("square", "a");
    let b = load2::<T>("square", "b");
    let x: Array2<T> = solve(a.view(), &b).unwrap();
    assert_near::<T>(
        &flat(&up2(&x)),
        &flat(&up2(&load2::<T>("square", "x"))),
        "solve",
    );
    // a 1-d right-hand side keeps its shape
    let x1 = solve(a.view(), &b.column(0)).unwrap();
    assert_eq!(x1.dim(), 6);
    assert_near::<T>(
        &up1(&x1).to_vec(),
        &up2(&load2::<T>("square", "x")).column(0).to_vec(),
        "solve 1-d",
    );
    let ai = inv(a.view()).unwrap();
    assert_near::<T>(
        &flat(&up2(&ai)),
        &flat(&up2(&load2::<T>("square", "inverse"))),
        "inv",
    );
    for case in ["square", "swapped"] {
        let a = load2::<T>(case, "a");
        let d: T = det(a.view()).unwrap();
        assert_near::<T>(&[up(d)], &[up(load0::<T>(case, "det"))], "det");
    }
    let sd = slogdet(a.view()).unwrap();
    let logabsdet: T::Real = sd.logabsdet;
    assert_near::<T>(
        &[up(sd.sign)],
        &[up(load0::<T>("square", "sign"))],
        "slogdet sign",
    );
    assert_near_real::<T>(
        &[logabsdet.to_f64()],
        &[real0::<T>("square", "logabsdet")],
        "slogdet logabsdet",
    );
}

fn fixture_eigh<T: Dtype>() {
    let a = load2::<T>("herm", "a");
    let e = eigh(a.view()).unwrap();
    let w: &Array1<T::Real> = &e.eigenvalues;
    assert_near_real::<T>(
        &realv(w),
        &real1::<T>("herm", "eigenvalues").to_vec(),
        "eigh w",
    );
    assert_cols_up_to_phase::<T>(
        &up2(&e.eigenvectors),
        &up2(&load2::<T>("herm", "eigenvectors")),
        "eigh V",
    );
    // the largest entry of each eigenvector is real and positive (deterministic phase)
    for col in e.eigenvectors.columns() {
        let big = col.iter().copied().fold(
            T::from_f64(0.0),
            |m, v| if v.abs() > m.abs() { v } else { m },
        );
        assert!(
            big.re().to_f64() > 0.0 && big.im().to_f64() == 0.0,
            "{big:?}"
        );
    }
    let wv = eigvalsh(a.view()).unwrap();
    assert_near_real::<T>(
        &realv(&wv),
        &real1::<T>("herm", "eigvalsh").to_vec(),
        "eigvalsh",
    );
}

fn fixture_eig<T: Dtype>() {
    let a = load2::<T>("general", "a");
    // NumPy's eig results are stored as complex128 whatever the dtype
    let want_w = load_tag::<Complex64>(T::TAG, "general", "eigenvalues")
        .into_dimensionality::<ndarray::Ix1>()
        .unwrap();
    let want_v = load_tag::<Complex64>(T::TAG, "general", "eigenvectors")
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap();
    let e = eig(a.view()).unwrap();
    if T::IS_COMPLEX {
        assert!(
            matches!(e, Eig::Complex { .. }),
            "complex input gives complex output"
        );
    }
    let (w, v) = (e.eigenvalues_complex(), e.eigenvectors_complex());
    let (w, v) = (w.mapv(up), v.mapv(up));
    let scale = common::cfro(a.mapv(up).view());
    // match each of NumPy's eigenvalues with the nearest of ours (they are well separated)
    for (i, wi) in want_w.iter().enumerate() {
        let j = (0..w.len())
            .min_by(|&x, &y| (w[x] - wi).norm().total_cmp(&(w[y] - wi).norm()))
            .unwrap();
        let d = (w[j] - wi).norm() / scale;
        assert!(
            d <= tol::<T>(),
            "{} eig: eigenvalue {wi} vs {}: {d:e}",
            T::DTYPE,
            w[j]
        );
        let r = common::phase_rel_diff(v.column(j), want_v.column(i));
        assert!(
            r <= 10.0 * tol::<T>(),
            "{} eig: eigenvector {i}: {r:e}",
            T::DTYPE
        );
    }
}

fn fixture_svd_qr_pinv_norm<T: Dtype>() {
    for case in ["tall", "wide"] {
        let a = load2::<T>(case, "a");
        let (m, n) = a.dim();
        let f = svd(a.view(), false).unwrap();
        let s: &Array1<T::Real> = &f.s;
        assert_near_real::<T>(&realv(s), &real1::<T>(case, "s").to_vec(), "svd s");
        assert_cols_up_to_phase::<T>(&up2(&f.u), &up2(&load2::<T>(case, "u")), "svd U");
        assert_cols_up_to_phase::<T>(
            &up2(&f.vt).t().to_owned(),
            &up2(&load2::<T>(case, "vt")).t().to_owned(),
            "svd Vh",
        );
        let full = svd(a.view(), true).unwrap();
        assert_eq!((full.u.dim(), full.vt.dim()), ((m, m), (n, n)));
        assert!(common::orth_residual_c(up2(&full.u).view()) < 60.0 * eps::<T>() / common::EPS);
        assert!(
            common::orth_residual_c(up2(&full.vt).t()) < 60.0 * eps::<T>() / common::EPS,
            "{} full Vh not unitary",
            T::DTYPE
        );
        let sv = svdvals(a.view()).unwrap();
        assert_near_real::<T>(
            &realv(&sv),
            &real1::<T>(case, "svdvals").to_vec(),
            "svdvals",
        );

        let p = pinv(a.view(), None).unwrap();
        assert_near::<T>(
            &flat(&up2(&p)),
            &flat(&up2(&load2::<T>(case, "pinv"))),
            "pinv",
        );
        assert_eq!(
            matrix_rank(a.view(), None).unwrap() as f64,
            real0::<T>(case, "matrix_rank")
        );
        assert_near_real::<T>(
            &[cond(a.view(), None).unwrap().to_f64()],
            &[real0::<T>(case, "cond")],
            "cond",
        );

        let q = qr(a.view(), QrMode::Reduced).unwrap();
        assert_cols_up_to_phase::<T>(&up2(&q.q), &up2(&load2::<T>(case, "q")), "qr Q");
        let r_rows = up2(&q.r).t().to_owned();
        assert_cols_up_to_phase::<T>(
            &r_rows,
            &up2(&load2::<T>(case, "r")).t().to_owned(),
            "qr R rows",
        );

        for (name, ord) in [
            ("fro", Some(NormOrd::Fro)),
            ("nuc", Some(NormOrd::Nuc)),
            ("1", Some(NormOrd::P(1.0))),
            ("m1", Some(NormOrd::P(-1.0))),
            ("2", Some(NormOrd::P(2.0))),
            ("m2", Some(NormOrd::P(-2.0))),
            ("inf", Some(NormOrd::Inf)),
            ("minf", Some(NormOrd::NegInf)),
        ] {
            let got: T::Real = norm(&a, ord).unwrap();
            assert_near_real::<T>(
                &[got.to_f64()],
                &[real0::<T>(case, &format!("norm_{name}"))],
                &format!("norm {name}"),
            );
        }
    }
    let v = load1::<T>("vector", "a");
    for (name, ord) in [
        ("2", None),
        ("1", Some(NormOrd::P(1.0))),
        ("inf", Some(NormOrd::Inf)),
        ("minf", Some(NormOrd::NegInf)),
        ("3", Some(NormOrd::P(3.0))),
        ("0", Some(NormOrd::P(0.0))),
    ] {
        let got = norm(&v, ord).unwrap();
        assert_near_real::<T>(
            &[got.to_f64()],
            &[real0::<T>("vector", &format!("norm_{name}"))],
            &format!("vector norm {name}"),
        );
    }
}

fn fixture_cholesky_lstsq_matmul<T: Dtype>() {
    let a = load2::<T>("hpd", "a");
    let l = cholesky(a.view()).unwrap();
    assert_near::<T>(
        &flat(&up2(&l)),
        &flat(&up2(&load2::<T>("hpd", "l"))),
        "cholesky",
    );
    // the reusable factor solves A x = b
    let b = load1::<T>("vector", "a").slice(ndarray::s![..6]).to_owned();
    let x = Cholesky::new(a.view()).unwrap().solve(&b).unwrap();
    let xs = solve(a.view(), &b).unwrap();
    assert_near::<T>(&up1(&x).to_vec(), &up1(&xs).to_vec(), "Cholesky::solve");

    let a = load2::<T>("lstsq", "a");
    let b = load2::<T>("lstsq", "b");
    let f = lstsq(a.view(), &b, None).unwrap();
    assert_near::<T>(
        &flat(&up2(&f.x)),
        &flat(&up2(&load2::<T>("lstsq", "x"))),
        "lstsq x",
    );
    assert_near_real::<T>(
        &realv(&f.residuals),
        &real1::<T>("lstsq", "residuals").to_vec(),
        "lstsq residuals",
    );
    assert_eq!(f.rank as f64, real0::<T>("lstsq", "rank"));
    assert_near_real::<T>(
        &realv(&f.singular_values),
        &real1::<T>("lstsq", "singular_values").to_vec(),
        "lstsq singular values",
    );
    let a = load2::<T>("rankdef", "a");
    assert_eq!(
        matrix_rank(a.view(), None).unwrap() as f64,
        real0::<T>("rankdef", "matrix_rank")
    );
    let f = lstsq(a.view(), &load1::<T>("rankdef", "b"), None).unwrap();
    assert_eq!(f.rank as f64, real0::<T>("rankdef", "rank"));
    // the minimum-norm solution of a rank-2 system: looser, κ of the rank-2 part enters
    let want = up1(&load1::<T>("rankdef", "x")).to_vec();
    let r = rel(&up1(&f.x).to_vec(), &want);
    assert!(
        r < 1e3 * eps::<T>(),
        "{} lstsq rank-deficient: {r:e}",
        T::DTYPE
    );

    let ma = load2::<T>("matmul", "a");
    let mb = load2::<T>("matmul", "b");
    let c = mlinalg::ops::matmul_2d(ma.view(), mb.view()).unwrap();
    assert_near::<T>(
        &flat(&up2(&c)),
        &flat(&up2(&load2::<T>("matmul", "c"))),
        "matmul_2d",
    );
    let cd = mlinalg::ops::matmul(ma.view().into_dyn(), mb.view().into_dyn()).unwrap();
    assert_eq!(cd.shape(), &[7, 3]);
    let cd: Array2<T> = cd.into_dimensionality().unwrap();
    assert_near::<T>(&flat(&up2(&cd)), &flat(&up2(&c)), "matmul");
}

macro_rules! per_dtype {
    ($($name:ident => $f:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $f::<f32>();
                $f::<Complex32>();
                $f::<Complex64>();
            }
        )*
    };
}

per_dtype! {
    solve_inv_det_match_numpy_per_dtype => fixture_solve_inv_det,
    eigh_matches_numpy_per_dtype => fixture_eigh,
    eig_matches_numpy_per_dtype => fixture_eig,
    svd_qr_pinv_norm_match_numpy_per_dtype => fixture_svd_qr_pinv_norm,
    cholesky_lstsq_matmul_match_numpy_per_dtype => fixture_cholesky_lstsq_matmul,
}

/// The result types follow NumPy's rules at compile time: real results of complex input are
/// in the real type of the same precision; eig of a real matrix is complex of that precision.
#[test]
fn result_types_follow_numpy() {
    let z = Array2::from_elem((2, 2), Complex32::new(1.0, 0.0))
        + Array2::eye(2).mapv(|x: f32| Complex32::new(x, 0.0));
    let _: Array1<f32> = eigvalsh(z.view()).unwrap();
    let _: Array1<f32> = svdvals(z.view()).unwrap();
    let _: f32 = norm(&z, None).unwrap();
    let _: f32 = slogdet(z.view()).unwrap().logabsdet;
    let _: Complex32 = det(z.view()).unwrap();
    let rot = ndarray::array![[0.0f32, -1.0], [1.0, 0.0]];
    match eig(rot.view()).unwrap() {
        Eig::Complex { eigenvalues, .. } => {
            let w: Array1<Complex32> = eigenvalues;
            assert!((w[0].im.abs() - 1.0).abs() < 1e-6);
        }
        other => panic!("rotation has complex eigenvalues: {other:?}"),
    }
}

/// Errors of the generic paths: singular matrices, non-Hermitian input, non-positive
/// definite, non-finite values, in every dtype.
fn errors<T: Dtype>() {
    let sing = Array2::from_shape_fn((3, 3), |(i, j)| T::make((i * 3 + j + 1) as f64, 0.0));
    assert_eq!(
        inv(sing.view()).unwrap_err().to_string(),
        "inv: singular matrix",
        "{}",
        T::DTYPE
    );
    assert_eq!(det(sing.view()).unwrap(), T::from_f64(0.0));
    assert_eq!(slogdet(sing.view()).unwrap().sign, T::from_f64(0.0));
    let not_pd = Array2::from_shape_fn((2, 2), |(i, j)| {
        T::make(if i == j { 1.0 } else { 2.0 }, 0.0)
    });
    assert_eq!(
        cholesky(not_pd.view()).unwrap_err().to_string(),
        "cholesky: matrix is not positive definite"
    );
    let asym = Array2::from_shape_fn((2, 2), |(i, j)| T::make((i + 2 * j) as f64, 0.0));
    common::assert_err_contains(eigh(asym.view()), "eigh: ");
    let mut nan = Array2::from_elem((2, 2), T::from_f64(1.0));
    nan[(1, 0)] = T::make(f64::NAN, 0.0);
    for msg in [
        svd(nan.view(), false).map(|_| ()),
        solve(nan.view(), &Array1::from_elem(2, T::from_f64(1.0))).map(|_| ()),
        eig(nan.view()).map(|_| ()),
    ] {
        assert!(msg.unwrap_err().to_string().contains("non-finite"));
    }
    if T::IS_COMPLEX {
        // a complex symmetric (not Hermitian) matrix is refused by eigh
        let cs = Array2::from_shape_fn((2, 2), |(i, j)| {
            if i == j {
                T::make(1.0, 0.0)
            } else {
                T::make(0.0, 1.0)
            }
        });
        common::assert_err_contains(eigvalsh(cs.view()), "Hermitian");
        // and a complex diagonal is not Hermitian either
        let cd = Array2::from_shape_fn((2, 2), |(i, j)| {
            if i == j {
                T::make(1.0, 1.0)
            } else {
                T::make(0.0, 0.0)
            }
        });
        common::assert_err_contains(eigh(cd.view()), "Hermitian");
    }
}

#[test]
fn errors_per_dtype() {
    errors::<f32>();
    errors::<Complex32>();
    errors::<Complex64>();
}

/// Data near the ends of float32's range (1e±30) is scaled into range first, as LAPACK's
/// `slascl`: results stay accurate instead of overflowing or losing digits.
#[test]
fn float32_extreme_scales() {
    for scale in [1e30f32, 1e-30] {
        let a = ndarray::array![[4.0f32, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 2.0]] * scale;
        let s = svdvals(a.view()).unwrap();
        let s1 =
            svdvals(ndarray::array![[4.0f32, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 2.0]].view())
                .unwrap();
        for (x, y) in s.iter().zip(s1.iter()) {
            assert!(((x / scale) / y - 1.0).abs() < 1e-5, "{scale}: {x} vs {y}");
        }
        let w = eigvalsh(a.view()).unwrap();
        for (x, y) in w.iter().zip(s1.iter().rev()) {
            assert!(((x / scale) / y - 1.0).abs() < 1e-5, "{scale}: {x} vs {y}");
        }
        let d = det(a.view()).unwrap();
        assert!(d.is_finite() || scale > 1.0);
    }
}

// -------------------------------------------------------------------------------- properties

fn random<T: Dtype>(m: usize, n: usize, seed: u64) -> Array2<T> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array2::from_shape_simple_fn((m, n), || {
        let re: f64 = StandardNormal.sample(&mut rng);
        let im: f64 = StandardNormal.sample(&mut rng);
        T::make(re, im)
    })
}

/// ‖x‖_F of a complex matrix.
fn fro(a: &Array2<Complex64>) -> f64 {
    common::cfro(a.view())
}

/// LAPACK's ratio ‖resid‖ / (‖scale‖ · n · ε) with the dtype's ε.
fn ratio<T: Scalar>(resid: f64, scale: f64, n: usize) -> f64 {
    if resid == 0.0 {
        0.0
    } else {
        resid / scale / (n.max(1) as f64) / eps::<T>()
    }
}

fn orth<T: Scalar>(q: &Array2<Complex64>) -> f64 {
    common::orth_residual_c(q.view()) * common::EPS / eps::<T>()
}

fn conj_t(a: &Array2<Complex64>) -> Array2<Complex64> {
    a.t().mapv(|z| z.conj())
}

/// Every residual property of the generic routines for one random input of the dtype.
fn properties<T: Dtype>(m: usize, n: usize, seed: u64) -> Result<(), TestCaseError> {
    let what = T::DTYPE;
    let a = random::<T>(m, n, seed);
    let ac = up2(&a);
    let na = fro(&ac);
    let (mn, k) = (m.max(n), m.min(n));

    // svd: A = U Σ Vᴴ, orthonormal factors, descending non-negative values
    for full in [false, true] {
        let f = svd(a.view(), full).unwrap();
        let (u, vt) = (up2(&f.u), up2(&f.vt));
        let s: Vec<f64> = realv(&f.s);
        prop_assert!(s.windows(2).all(|w| w[0] >= w[1]) && s.iter().all(|&x| x >= 0.0));
        let us = Array2::from_shape_fn((m, k), |(i, j)| u[(i, j)] * s[j]);
        let r = ratio::<T>(
            fro(&(&ac - &common::cmatmul(us.view(), vt.slice(ndarray::s![..k, ..])))),
            na,
            mn,
        );
        prop_assert!(r < 35.0, "{what} svd {m}×{n}: {r}");
        prop_assert!(
            orth::<T>(&u) < 30.0 && orth::<T>(&conj_t(&vt)) < 30.0,
            "{what} svd orth"
        );
    }
    // qr: A = Q R, Q orthonormal, R upper triangular
    let f = qr(a.view(), QrMode::Reduced).unwrap();
    let (q, r) = (up2(&f.q), up2(&f.r));
    let res = ratio::<T>(fro(&(&ac - &common::cmatmul(q.view(), r.view()))), na, mn);
    prop_assert!(res < 30.0, "{what} qr {m}×{n}: {res}");
    prop_assert!(orth::<T>(&q) < 30.0, "{what} qr Q");
    prop_assert!(
        r.indexed_iter()
            .all(|((i, j), z)| i <= j || z.norm() == 0.0)
    );
    // lstsq: the normal equations Aᴴ (b − A x) = 0 hold to working precision
    if m >= n {
        let b = random::<T>(m, 2, seed ^ 1);
        let fit = lstsq(a.view(), &b, None).unwrap();
        let (bc, xc) = (up2(&b), up2(&fit.x));
        let g = common::cmatmul(
            conj_t(&ac).view(),
            (&bc - &common::cmatmul(ac.view(), xc.view())).view(),
        );
        let denom = na * (na * fro(&xc) + fro(&bc));
        let cond = {
            let s = realv(&fit.singular_values);
            s[0] / s[s.len() - 1]
        };
        // the bound of a backward-stable solver grows with κ(A) for the residual's part
        let rr = ratio::<T>(fro(&g), denom, mn);
        prop_assert!(
            rr < 30.0 * cond.max(1.0),
            "{what} lstsq {m}×{n}: {rr} (κ {cond})"
        );
    }
    if m != n {
        return Ok(());
    }
    // square: solve, inv, det/slogdet, eig, eigh, cholesky
    let shift = Array2::from_shape_fn((n, n), |(i, j)| {
        if i == j {
            T::make(2.0 * n as f64, 0.0)
        } else {
            T::make(0.0, 0.0)
        }
    });
    let sq = &a + &shift;
    let sqc = up2(&sq);
    let nsq = fro(&sqc);
    let b = random::<T>(n, 3, seed ^ 2);
    let x = solve(sq.view(), &b).unwrap();
    let xc = up2(&x);
    let res = fro(&(&up2(&b) - &common::cmatmul(sqc.view(), xc.view())));
    let r = ratio::<T>(res, nsq * fro(&xc), n);
    prop_assert!(r < 30.0, "{what} solve {n}: {r}");
    let ai = up2(&inv(sq.view()).unwrap());
    let eye = Array2::from_shape_fn((n, n), |(i, j)| {
        Complex64::new(if i == j { 1.0 } else { 0.0 }, 0.0)
    });
    let r = ratio::<T>(
        fro(&(&common::cmatmul(sqc.view(), ai.view()) - &eye)),
        nsq * fro(&ai),
        n,
    );
    prop_assert!(r < 30.0, "{what} inv {n}: {r}");
    // det = sign · exp(logabsdet), and |det| = Π σᵢ
    let d = up(det(sq.view()).unwrap());
    let sd = slogdet(sq.view()).unwrap();
    let (sign, lad) = (up(sd.sign), sd.logabsdet.to_f64());
    prop_assert!((sign.norm() - 1.0).abs() < 10.0 * eps::<T>());
    let recon = sign * lad.exp();
    prop_assert!(
        (recon - d).norm() <= 1e3 * (n as f64) * eps::<T>() * d.norm(),
        "{what} det {d} vs {recon}"
    );
    let lsum: f64 = realv(&svdvals(sq.view()).unwrap())
        .iter()
        .map(|x| x.ln())
        .sum();
    prop_assert!(
        (lad - lsum).abs() < 1e3 * n as f64 * eps::<T>() * lsum.abs().max(1.0),
        "{what} slogdet {lad} vs {lsum}"
    );
    // eig: A V = V Λ with unit columns
    let e = eig(a.view()).unwrap();
    let (w, v) = (
        e.eigenvalues_complex().mapv(up),
        e.eigenvectors_complex().mapv(up),
    );
    let vl = Array2::from_shape_fn((n, n), |(i, j)| v[(i, j)] * w[j]);
    let r = ratio::<T>(fro(&(&common::cmatmul(ac.view(), v.view()) - &vl)), na, n);
    prop_assert!(r < 60.0, "{what} eig {n}: {r}");
    for col in v.columns() {
        let nrm: f64 = col.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
        prop_assert!((nrm - 1.0).abs() < 30.0 * eps::<T>() * n as f64);
    }
    // eigh on the Hermitian part: A V = V Λ, VᴴV = I, ascending
    let h =
        (&a + &a.t().mapv(Scalar::conj)).mapv(|z| z.mul_real(<T::Real as Scalar>::from_f64(0.5)));
    let hc = up2(&h);
    let e = eigh(h.view()).unwrap();
    let (w, v) = (realv(&e.eigenvalues), up2(&e.eigenvectors));
    prop_assert!(w.windows(2).all(|p| p[0] <= p[1]));
    let vl = Array2::from_shape_fn((n, n), |(i, j)| v[(i, j)] * w[j]);
    let nh = fro(&hc);
    let r = ratio::<T>(fro(&(&common::cmatmul(hc.view(), v.view()) - &vl)), nh, n);
    prop_assert!(r < 60.0, "{what} eigh {n}: {r}");
    prop_assert!(orth::<T>(&v) < 60.0, "{what} eigh V");
    let wv = realv(&eigvalsh(h.view()).unwrap());
    for (x, y) in wv.iter().zip(&w) {
        prop_assert!((x - y).abs() <= 30.0 * n as f64 * eps::<T>() * nh.max(f64::MIN_POSITIVE));
    }
    // cholesky of B Bᴴ + n I: A = L Lᴴ, L lower with a positive real diagonal
    let hpd = common::cmatmul(ac.view(), conj_t(&ac).view()) + &eye * n as f64;
    let hpd_t = hpd.mapv(|z| T::make(z.re, z.im));
    let hpd = up2(&hpd_t);
    let l = up2(&cholesky(hpd_t.view()).unwrap());
    let r = ratio::<T>(
        fro(&(&hpd - &common::cmatmul(l.view(), conj_t(&l).view()))),
        fro(&hpd),
        n,
    );
    prop_assert!(r < 30.0, "{what} cholesky {n}: {r}");
    prop_assert!(
        l.indexed_iter()
            .all(|((i, j), z)| j <= i || z.norm() == 0.0)
    );
    prop_assert!(l.diag().iter().all(|z| z.re > 0.0 && z.im == 0.0));
    // matmul against the exact product of the (exactly upcast) inputs
    let c = up2(&mlinalg::ops::matmul_2d(a.view(), a.t()).unwrap());
    let want = common::cmatmul(ac.view(), ac.t());
    let r = ratio::<T>(fro(&(&c - &want)), na * na, n);
    prop_assert!(r < 10.0, "{what} matmul {n}: {r}");
    Ok(())
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn float32_residuals_scale_with_float32_eps(m in 1usize..=12, n in 1usize..=12, seed: u64) {
        properties::<f32>(m, n, seed)?;
        properties::<f32>(n, n, seed)?;
    }

    #[test]
    fn complex64_residuals_scale_with_float32_eps(m in 1usize..=12, n in 1usize..=12, seed: u64) {
        properties::<Complex32>(m, n, seed)?;
        properties::<Complex32>(n, n, seed)?;
    }

    #[test]
    fn complex128_residuals_scale_with_float64_eps(m in 1usize..=12, n in 1usize..=12, seed: u64) {
        properties::<Complex64>(m, n, seed)?;
        properties::<Complex64>(n, n, seed)?;
    }
}

/// The generic entry points keep `f64` on its own kernels: the same properties hold there.
#[test]
fn float64_through_the_generic_api() {
    for (m, n, seed) in [(5, 5, 1u64), (7, 3, 2), (3, 7, 3), (12, 12, 4)] {
        properties::<f64>(m, n, seed).unwrap();
        properties::<f64>(n, n, seed).unwrap();
    }
}

/// Larger sizes take faer's blocked (and parallel) generic kernels.
#[test]
fn larger_sizes_per_dtype() {
    properties::<f32>(100, 100, 7).unwrap();
    properties::<Complex32>(70, 40, 8).unwrap();
    properties::<Complex64>(64, 64, 9).unwrap();
}

// ------------------------------------------------- small single precision: double, rounded

/// Asserts `got` is `want` rounded to single precision, bit for bit (both as `Complex64`;
/// `f32`/`Complex32` values widen exactly).
fn assert_rounded(got: &[Complex64], want: &[Complex64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let r = Complex64::new(f64::from(w.re as f32), f64::from(w.im as f32));
        let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
        assert!(
            same(g.re, r.re) && same(g.im, r.im),
            "{what}[{i}]: {g} is not {w} rounded ({r})"
        );
    }
}

/// The elements of an array in logical order, whatever its layout.
fn elems<A: Copy, D: ndarray::Dimension>(a: &ndarray::Array<A, D>) -> Vec<A> {
    a.iter().copied().collect()
}

/// Every routine of one single-precision matrix `a` (of at most 32 rows and columns)
/// against the same routine of `w`, its exact widening to double precision: the single
/// results are the double ones rounded once. Written as a macro so each instance names
/// concrete types (the generic form with an associated wide type sends rustc's trait
/// solver into minutes of projection normalisation).
macro_rules! check_rounded {
    ($s:ty, $w:ty, $widen:expr, $a:expr, $b:expr) => {{
        let (a, b): (Array2<$s>, Array2<$s>) = ($a, $b);
        let widen = $widen;
        let (w, wb): (Array2<$w>, Array2<$w>) = (a.mapv(widen), b.mapv(widen));
        let (m, n) = a.dim();
        let c = |x: &[$s]| x.iter().map(|&v| up(v)).collect::<Vec<_>>();
        let cw = |x: &[$w]| x.iter().map(|&v| up(v)).collect::<Vec<_>>();
        let r = |x: &[f32]| x.iter().map(|&v| up(v)).collect::<Vec<_>>();
        let rw = |x: &[f64]| x.iter().map(|&v| up(v)).collect::<Vec<_>>();
        let f = lstsq(a.view(), &b, None).unwrap();
        // the rank is decided with the single-precision rcond, as NumPy decides it
        let rcond = f64::from(f32::EPSILON) * m.max(n) as f64;
        let g = lstsq(w.view(), &wb, Some(rcond)).unwrap();
        assert_rounded(&c(&elems(&f.x)), &cw(&elems(&g.x)), "lstsq x");
        assert_eq!(f.rank, g.rank);
        assert_rounded(&r(&elems(&f.residuals)), &rw(&elems(&g.residuals)), "res");
        assert_rounded(
            &r(&elems(&f.singular_values)),
            &rw(&elems(&g.singular_values)),
            "lstsq sv",
        );
        for mode in [QrMode::Reduced, QrMode::Complete] {
            let (f, g) = (qr(a.view(), mode).unwrap(), qr(w.view(), mode).unwrap());
            assert_rounded(&c(&elems(&f.q)), &cw(&elems(&g.q)), "qr q");
            assert_rounded(&c(&elems(&f.r)), &cw(&elems(&g.r)), "qr r");
        }
        for full in [false, true] {
            let (f, g) = (svd(a.view(), full).unwrap(), svd(w.view(), full).unwrap());
            assert_rounded(&c(&elems(&f.u)), &cw(&elems(&g.u)), "svd u");
            assert_rounded(&r(&elems(&f.s)), &rw(&elems(&g.s)), "svd s");
            assert_rounded(&c(&elems(&f.vt)), &cw(&elems(&g.vt)), "svd vt");
        }
        let (f, g) = (svdvals(a.view()).unwrap(), svdvals(w.view()).unwrap());
        assert_rounded(&r(&elems(&f)), &rw(&elems(&g)), "svdvals");
        // cond divides the (rounded) extreme singular values in single precision, as NumPy's
        // test computes `s[0] / s[-1]` from svd
        let s = svdvals(a.view()).unwrap();
        assert_eq!(cond(a.view(), None).unwrap(), s[0] / s[s.len() - 1], "cond");
        if m == n {
            let (f, g) = (det(a.view()).unwrap(), det(w.view()).unwrap());
            assert_rounded(&c(&[f]), &cw(&[g]), "det");
            let (f, g) = (slogdet(a.view()).unwrap(), slogdet(w.view()).unwrap());
            assert_rounded(&c(&[f.sign]), &cw(&[g.sign]), "slogdet sign");
            assert_rounded(&r(&[f.logabsdet]), &rw(&[g.logabsdet]), "slogdet logabsdet");
            let (f, g) = (inv(a.view()).unwrap(), inv(w.view()).unwrap());
            assert_rounded(&c(&elems(&f)), &cw(&elems(&g)), "inv");
            let (f, g) = (solve(a.view(), &b).unwrap(), solve(w.view(), &wb).unwrap());
            assert_rounded(&c(&elems(&f)), &cw(&elems(&g)), "solve");
            // A Aᴴ + n I: Hermitian positive definite, and exactly so after widening
            let h = a.dot(&a.t().mapv(Scalar::conj))
                + &Array2::from_diag_elem(n, <$s>::make(n as f64, 0.0));
            let wh: Array2<$w> = h.mapv(widen);
            let (f, g) = (eigh(h.view()).unwrap(), eigh(wh.view()).unwrap());
            assert_rounded(
                &r(&elems(&f.eigenvalues)),
                &rw(&elems(&g.eigenvalues)),
                "eigh w",
            );
            assert_rounded(
                &c(&elems(&f.eigenvectors)),
                &cw(&elems(&g.eigenvectors)),
                "eigh v",
            );
            let (f, g) = (eigvalsh(h.view()).unwrap(), eigvalsh(wh.view()).unwrap());
            assert_rounded(&r(&elems(&f)), &rw(&elems(&g)), "eigvalsh");
        }
    }};
}

#[test]
fn small_single_precision_is_double_precision_rounded() {
    let shapes = [
        (1, 1, 1u64),
        (2, 2, 2),
        (5, 3, 3),
        (3, 5, 4),
        (12, 12, 5),
        (32, 32, 6),
        (32, 9, 7),
    ];
    for (m, n, seed) in shapes {
        check_rounded!(
            f32,
            f64,
            f64::from,
            random(m, n, seed),
            random(m, 2, seed + 1)
        );
        check_rounded!(
            Complex32,
            Complex64,
            up::<Complex32>,
            random(m, n, seed),
            random(m, 2, seed + 1)
        );
    }
}
/// The cases of NumPy's own tests (`test_linalg.py` of NumPy 2.4.6) that a single-precision
/// factorization misses at their 6-decimal tolerance: now each result is the rounded
/// double-precision one.
#[test]
fn numpy_single_precision_cases_to_six_decimals() {
    // TestDet::test_generalized_sq_cases, `single_tile3`: det of 3 · [[1, 2], [3, 4]]
    let a = ndarray::array![[3f32, 6.], [9., 12.]];
    assert_eq!(det(a.view()).unwrap(), -18.0);
    let stack = ndarray::Array3::from_shape_fn((3, 2, 2), |(k, i, j)| {
        (k + 1) as f32 * [[1., 2.], [3., 4.]][i][j]
    });
    let d = linalg_stacked_det(stack.into_dyn());
    assert_eq!(d, vec![-2.0, -8.0, -18.0]);
    // TestLstsq, `single_nsq_1`: b ≈ a·x (computed in float32, as the test does)
    let a = ndarray::array![[1f32, 2., 3.], [3., 4., 6.]];
    let b = ndarray::array![2f32, 1.];
    let x = lstsq(a.view(), &b, None).unwrap().x;
    let r = &b - &a.dot(&x);
    assert!(r.iter().all(|e| e.abs() < 1.5e-6), "{r}");
    // TestQR::test_mode_all_but_economic: Q R ≈ A to 6 decimals
    let a = ndarray::array![[1f32, 2.], [3., 4.], [5., 6.]];
    for mode in [QrMode::Reduced, QrMode::Complete] {
        let f = qr(a.view(), mode).unwrap();
        let e = &f.q.dot(&f.r) - &a;
        assert!(e.iter().all(|e| e.abs() < 1.5e-6), "{e}");
    }
    // TestLstsq, `single_nsq_2`: lstsq's singular values are svd's
    let s = svd(a.view(), false).unwrap().s;
    let sv = lstsq(a.view(), &ndarray::array![2f32, 1., 3.], None)
        .unwrap()
        .singular_values;
    assert_eq!(s, sv);
}

/// Each matrix of a small single-precision stack gives what the 2-D routine gives for it
/// alone (the stack is widened whole, each matrix alone).
#[test]
fn small_single_precision_stacks_equal_each_alone() {
    use mlinalg::linalg::stacked;
    let a = random::<f32>(40 * 5, 5, 11)
        .into_shape_with_order((40, 5, 5))
        .unwrap()
        .into_dyn();
    let b = random::<f32>(40 * 5, 2, 12)
        .into_shape_with_order((40, 5, 2))
        .unwrap()
        .into_dyn();
    let inv_s = stacked::inv(a.view()).unwrap();
    let det_s = stacked::det(a.view()).unwrap();
    let sl_s = stacked::slogdet(a.view()).unwrap();
    let x_s = stacked::solve(a.view(), b.view()).unwrap();
    for k in 0..40 {
        let ak = a.index_axis(ndarray::Axis(0), k);
        let ak = ak.into_dimensionality::<ndarray::Ix2>().unwrap();
        let bk = b.index_axis(ndarray::Axis(0), k);
        let bk = bk.into_dimensionality::<ndarray::Ix2>().unwrap();
        assert_eq!(
            inv_s.index_axis(ndarray::Axis(0), k),
            inv(ak).unwrap().into_dyn()
        );
        assert_eq!(det_s[[k]], det(ak).unwrap());
        let sl = slogdet(ak).unwrap();
        assert_eq!(
            (sl_s.sign[[k]], sl_s.logabsdet[[k]]),
            (sl.sign, sl.logabsdet)
        );
        assert_eq!(
            x_s.index_axis(ndarray::Axis(0), k),
            solve(ak, &bk).unwrap().into_dyn()
        );
    }
}

fn linalg_stacked_det(a: ndarray::ArrayD<f32>) -> Vec<f32> {
    mlinalg::linalg::stacked::det(a.view())
        .unwrap()
        .into_iter()
        .collect()
}
