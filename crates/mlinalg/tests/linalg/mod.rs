//! `mlinalg::linalg`: one module per routine family, each with fixture comparisons against
//! NumPy (`tests/fixtures/generate.py`), residual properties and edge cases (STYLE.md C11).

mod checks;
mod cholesky;
mod det;
mod eig;
mod lstsq;
mod norm;
mod qr;
mod rank;
mod solve;
mod svd;

use mlinalg::linalg::{
    Cholesky, QrMode, cholesky, cond, det, eig, eigh, eigvalsh, inv, low_rank, lstsq, matrix_rank,
    pinv, qr, slogdet, solve, svd, svdvals,
};
use ndarray::{Array1, Array2, array};

/// The message of an error result (panics on `Ok`).
fn message<T>(r: mlinalg::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// Every routine names itself (its public function name) at the start of its messages, with
/// the exact wording of `Error`'s variants.
#[test]
fn error_messages_start_with_the_function_name() {
    let e = Array2::<f64>::zeros((0, 0));
    let e1 = Array1::<f64>::zeros(0);
    let empty: Vec<(&str, String)> = vec![
        ("solve", message(solve(e.view(), &e1))),
        ("inv", message(inv(e.view()))),
        ("lstsq", message(lstsq(e.view(), &e1, None))),
        ("det", message(det(e.view()))),
        ("slogdet", message(slogdet(e.view()))),
        ("qr", message(qr(e.view(), QrMode::Reduced))),
        ("cholesky", message(cholesky(e.view()))),
        ("cholesky", message(Cholesky::new(e.view()))),
        ("eigh", message(eigh(e.view()))),
        ("eigvalsh", message(eigvalsh(e.view()))),
        ("eig", message(eig(e.view()))),
        ("svd", message(svd(e.view(), false))),
        ("svdvals", message(svdvals(e.view()))),
        ("low_rank", message(low_rank(e.view(), 1))),
        ("pinv", message(pinv(e.view(), None))),
        ("matrix_rank", message(matrix_rank(e.view(), None))),
        ("cond", message(cond(e.view(), None))),
    ];
    let nan = array![[f64::NAN]];
    let non_finite: Vec<(&str, String)> = vec![
        ("solve", message(solve(nan.view(), &array![1.0]))),
        ("inv", message(inv(nan.view()))),
        ("lstsq", message(lstsq(nan.view(), &array![1.0], None))),
        ("det", message(det(nan.view()))),
        ("qr", message(qr(nan.view(), QrMode::Complete))),
        ("cholesky", message(cholesky(nan.view()))),
        ("eigh", message(eigh(nan.view()))),
        ("eig", message(eig(nan.view()))),
        ("svd", message(svd(nan.view(), true))),
        ("low_rank", message(low_rank(nan.view(), 1))),
        ("pinv", message(pinv(nan.view(), None))),
        ("matrix_rank", message(matrix_rank(nan.view(), None))),
    ];
    let mut wrong = Vec::new();
    for (op, msg) in &empty {
        if msg != &format!("{op}: empty input: shape (0, 0)") {
            wrong.push(format!("{op}: {msg:?}"));
        }
    }
    for (op, msg) in &non_finite {
        if msg != &format!("{op}: input contains non-finite values (NaN or infinity)") {
            wrong.push(format!("{op}: {msg:?}"));
        }
    }
    assert_eq!(
        message(cholesky(array![[-1.0]].view())),
        "cholesky: matrix is not positive definite"
    );
    assert!(
        wrong.is_empty(),
        "messages not of the form `<function>: …`: {wrong:#?}"
    );
}
