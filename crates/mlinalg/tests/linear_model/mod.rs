//! `mlinalg::linear_model`: LinearRegression (three solvers) and Ridge against scikit-learn
//! fixtures (`tests/fixtures/generate_ml.py`), the course's weight-recovery exercise, the
//! ill-conditioned design that motivates lstsq, and every error.

use mlinalg::Error;
use mlinalg::linear_model::{LinearRegression, LinearSolver, Ridge};
use ndarray::{Array1, Array2, Axis, array, concatenate};

use crate::common::{assert_close_norm, assert_err_contains, ill_conditioned, normal};
use crate::decomposition::{ml0, ml1, ml2};

const SOLVERS: [LinearSolver; 3] = [
    LinearSolver::Lstsq,
    LinearSolver::NormalEquation,
    LinearSolver::Solve,
];

struct Data {
    x: Array2<f64>,
    y: Array1<f64>,
    xt: Array2<f64>,
    yt: Array1<f64>,
}

fn data() -> Data {
    Data {
        x: ml2("linreg", "x"),
        y: ml1("linreg", "y"),
        xt: ml2("linreg", "xtest"),
        yt: ml1("linreg", "ytest"),
    }
}

/// coef, intercept, predict and score against the sklearn fixture `case`.
fn check(case: &str, coef: &Array1<f64>, intercept: f64, pred: &Array1<f64>, score: f64, tol: f64) {
    assert_close_norm(coef, &ml1(case, "coef"), tol, &format!("{case} coef"));
    let b = ml0(case, "intercept");
    assert!(
        (intercept - b).abs() <= tol * b.abs().max(1.0),
        "{case} intercept {intercept} vs {b}"
    );
    assert_close_norm(pred, &ml1(case, "predict"), tol, &format!("{case} predict"));
    let s = ml0(case, "score");
    assert!((score - s).abs() <= tol, "{case} score {score} vs {s}");
}

#[test]
fn linear_regression_matches_sklearn_with_every_solver() {
    let d = data();
    for solver in SOLVERS {
        for (case, fi) in [("linreg_intercept", true), ("linreg_nointercept", false)] {
            let m = LinearRegression::new()
                .solver(solver)
                .fit_intercept(fi)
                .fit(d.x.view(), d.y.view())
                .unwrap();
            let pred = m.predict(d.xt.view()).unwrap();
            let score = m.score(d.xt.view(), d.yt.view()).unwrap();
            check(case, m.coef(), m.intercept(), &pred, score, 1e-10);
            if !fi {
                assert_eq!(m.intercept(), 0.0);
            }
        }
    }
}

#[test]
fn ridge_matches_sklearn() {
    let d = data();
    for (case, alpha, fi) in [
        ("ridge_a1_intercept", 1.0, true),
        ("ridge_a05_nointercept", 0.5, false),
        ("ridge_a100_intercept", 100.0, true),
    ] {
        let m = Ridge::new(alpha)
            .fit_intercept(fi)
            .fit(d.x.view(), d.y.view())
            .unwrap();
        let pred = m.predict(d.xt.view()).unwrap();
        let score = m.score(d.xt.view(), d.yt.view()).unwrap();
        check(case, m.coef(), m.intercept(), &pred, score, 1e-10);
    }
    // alpha = 0 is ordinary least squares
    let r0 = Ridge::new(0.0).fit(d.x.view(), d.y.view()).unwrap();
    assert_close_norm(
        r0.coef(),
        &ml1("linreg_intercept", "coef"),
        1e-10,
        "ridge alpha=0",
    );
}

#[test]
fn ridge_does_not_penalise_the_intercept() {
    // Shifting y by a constant shifts only the intercept, whatever alpha.
    let d = data();
    let a = Ridge::new(50.0).fit(d.x.view(), d.y.view()).unwrap();
    let b = Ridge::new(50.0)
        .fit(d.x.view(), (&d.y + 1000.0).view())
        .unwrap();
    assert_close_norm(b.coef(), a.coef(), 1e-12, "coef unchanged");
    assert!((b.intercept() - a.intercept() - 1000.0).abs() < 1e-9);
}

#[test]
fn rank_deficient_design_gives_sklearns_minimum_norm_coefficients() {
    let d = data();
    let xr = ml2("linreg_rankdef", "x");
    let m = LinearRegression::new().fit(xr.view(), d.y.view()).unwrap();
    let pred = m.predict(d.xt.view()).unwrap();
    // the fixture's predictions use sklearn's xt; only coef/intercept are the min-norm pin
    assert_close_norm(
        m.coef(),
        &ml1("linreg_rankdef_intercept", "coef"),
        1e-8,
        "min-norm coef",
    );
    assert!((m.intercept() - ml0("linreg_rankdef_intercept", "intercept")).abs() < 1e-8);
    assert_close_norm(
        &pred,
        &ml1("linreg_rankdef_intercept", "predict"),
        1e-8,
        "predict",
    );
    // an exactly zero column: the normal equations are exactly singular
    let x = array![[1., 0.], [2., 0.], [3., 0.]];
    let y = array![2., 4., 6.];
    let m = LinearRegression::new()
        .fit_intercept(false)
        .fit(x.view(), y.view())
        .unwrap();
    assert_close_norm(m.coef(), &array![2., 0.], 1e-14, "lstsq min-norm");
    let e = LinearRegression::new()
        .solver(LinearSolver::NormalEquation)
        .fit_intercept(false)
        .fit(x.view(), y.view())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "linear_regression: matrix is not positive definite"
    );
    let e = LinearRegression::new()
        .solver(LinearSolver::Solve)
        .fit_intercept(false)
        .fit(x.view(), y.view())
        .unwrap_err();
    assert_eq!(e.to_string(), "linear_regression: singular matrix");
}

/// The course exercise: X = [1 | randn(100, 3)], y = X·[1, 2, −1, 3] + 0.1·noise, no
/// intercept term (the column of ones is the intercept).
#[test]
fn course_data_recovers_the_weights_with_every_solver() {
    let ones = Array2::<f64>::ones((100, 1));
    let x = concatenate(
        Axis(1),
        &[ones.view(), mlinalg::random::randn2(100, 3, 0).view()],
    )
    .unwrap();
    let w = array![1.0, 2.0, -1.0, 3.0];
    let noise = mlinalg::random::randn2(100, 1, 1).column(0).to_owned();
    let y = x.dot(&w) + &(noise * 0.1);
    for solver in SOLVERS {
        let m = LinearRegression::new()
            .solver(solver)
            .fit_intercept(false)
            .fit(x.view(), y.view())
            .unwrap();
        for (got, want) in m.coef().iter().zip(&w) {
            assert!((got - want).abs() < 0.05, "{solver:?}: {got} vs {want}");
        }
        assert!(m.score(x.view(), y.view()).unwrap() > 0.99);
    }
}

/// Why lstsq is the default: with κ(X) = 10⁷ the normal equations square it to 10¹⁴ and
/// keep ~2 digits, while lstsq keeps ~9.
#[test]
fn ill_conditioned_design_normal_equation_loses_digits_lstsq_keeps() {
    let x = ill_conditioned(100, 4, 1e7, 21);
    let w = array![1.0, -2.0, 0.5, 3.0];
    let y = x.dot(&w);
    let err = |solver| {
        let m = LinearRegression::new()
            .solver(solver)
            .fit_intercept(false)
            .fit(x.view(), y.view())
            .unwrap();
        crate::common::rel_diff(m.coef(), &w)
    };
    let (e_lstsq, e_ne, e_solve) = (
        err(LinearSolver::Lstsq),
        err(LinearSolver::NormalEquation),
        err(LinearSolver::Solve),
    );
    assert!(e_lstsq < 1e-7, "lstsq error {e_lstsq}");
    assert!(
        e_ne > 1e-6 && e_ne > 100.0 * e_lstsq,
        "normal equations error {e_ne} vs lstsq {e_lstsq}"
    );
    assert!(e_solve > 1e-6, "solve error {e_solve}");
}

#[test]
fn r2_edge_cases() {
    let x = array![[0.], [1.], [2.]];
    let m = LinearRegression::new()
        .fit(x.view(), array![5., 5., 5.].view())
        .unwrap();
    // constant y predicted perfectly: 1 (sklearn's r2_score convention)
    assert_eq!(m.score(x.view(), array![5., 5., 5.].view()).unwrap(), 1.0);
    // worse than the mean: negative
    assert!(m.score(x.view(), array![0., 5., 20.].view()).unwrap() < 0.0);
}

#[test]
fn errors() {
    let x = normal(5, 2, 0);
    let y = Array1::<f64>::zeros(4);
    let msg = assert_err_contains(
        LinearRegression::new().fit(x.view(), y.view()),
        "different numbers of samples",
    );
    assert_eq!(
        msg,
        "linear_regression: x and y have different numbers of samples: x is (5, 2), y is (4,): 5 != 4"
    );
    let e = LinearRegression::new()
        .fit(Array2::<f64>::zeros((0, 2)).view(), Array1::zeros(0).view())
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Empty {
                op: "linear_regression",
                ..
            }
        ),
        "{e}"
    );
    let mut xn = x.clone();
    xn[[1, 1]] = f64::NAN;
    let e = LinearRegression::new()
        .fit(xn.view(), Array1::zeros(5).view())
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::NonFinite {
                op: "linear_regression"
            }
        ),
        "{e}"
    );
    let e = Ridge::new(1.0)
        .fit(x.view(), array![1., 2., f64::INFINITY, 0., 0.].view())
        .unwrap_err();
    assert!(matches!(e, Error::NonFinite { op: "ridge" }), "{e}");
    let m = LinearRegression::new()
        .fit(x.view(), Array1::zeros(5).view())
        .unwrap();
    let msg = assert_err_contains(m.predict(normal(2, 3, 1).view()), "features");
    assert!(
        msg.starts_with("linear_regression_predict: x has 3 features, the model was fitted on 2"),
        "{msg}"
    );
    assert!(matches!(
        m.score(x.view(), Array1::zeros(4).view()).unwrap_err(),
        Error::Shape { .. }
    ));
    for alpha in [-1.0, f64::NAN, f64::INFINITY] {
        let e = Ridge::new(alpha)
            .fit(x.view(), Array1::zeros(5).view())
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidParameter {
                    op: "ridge",
                    name: "alpha",
                    ..
                }
            ),
            "{e}"
        );
    }
    let r = Ridge::new(1.0)
        .fit(x.view(), Array1::zeros(5).view())
        .unwrap();
    assert!(matches!(
        r.predict(normal(1, 1, 2).view()).unwrap_err(),
        Error::Shape { .. }
    ));
}
