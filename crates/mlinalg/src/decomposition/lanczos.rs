//! Leading singular triplets of a large (sparse) operator by Golub–Kahan–Lanczos
//! bidiagonalization with full reorthogonalization: the exact `TruncatedSvd` solver on
//! sparse input that is too large to densify (scikit-learn uses ARPACK's `svds` there).
//!
//! `p` steps build orthonormal `U_p` (m × p), `V_p` (n × p) and an upper bidiagonal `B`
//! with `A V_p = U_p B` and `Aᵀ U_p = V_p Bᵀ + β_p v_{p+1} e_pᵀ`. The SVD `B = P Σ Qᵀ` gives
//! Ritz triplets `(σ_i, U_p P e_i, V_p Q e_i)` whose residual `‖Aᵀ u_i − σ_i v_i‖` is exactly
//! `|β_p P_{p,i}|`; `p` doubles until the leading `k` residuals are below `1e-14 · σ_1`
//! (or `p` reaches `min(m, n)`, where the factorization is complete).

use ndarray::{Array1, Array2, Axis, s};

use crate::decomposition::randomized::LinearOperator;
use crate::error::Result;
use crate::random::Rng;
use rand::Rng as _;
use rand_distr::StandardNormal;

/// `(s, vt)`: the `k` largest singular values (descending) and right singular vectors as
/// rows (`k × n`).
pub(crate) fn leading_svd(
    op: &'static str,
    a: &dyn LinearOperator,
    k: usize,
    seed: u64,
) -> Result<(Array1<f64>, Array2<f64>)> {
    let (m, n) = a.shape();
    let pmax = m.min(n);
    let mut p = (3 * k).max(k + 30).min(pmax);
    loop {
        let (s, vt, converged) = attempt(op, a, k, p, seed)?;
        if converged || p == pmax {
            return Ok((s, vt));
        }
        p = (2 * p).min(pmax);
    }
}

/// One bidiagonalization of `p` steps; returns the Ritz values/vectors and whether the
/// leading `k` converged.
fn attempt(
    op: &'static str,
    a: &dyn LinearOperator,
    k: usize,
    p: usize,
    seed: u64,
) -> Result<(Array1<f64>, Array2<f64>, bool)> {
    let (m, n) = a.shape();
    let mut rng = crate::random::rng(seed);
    // rows v_1..v_{p+1} and u_1..u_p; checked allocations (an absurd shape is an error,
    // not an abort)
    let mut v = crate::array::try_zeros2(op, p + 1, n)?;
    let mut u = crate::array::try_zeros2(op, p, m)?;
    let mut alpha = vec![0.0f64; p];
    let mut beta = vec![0.0f64; p];
    let mut scale = 0.0f64; // running estimate of ‖A‖ for the breakdown test
    let start = random_unit(&mut rng, n, &v, 0);
    v.row_mut(0).assign(&start);
    for j in 0..p {
        // u_j = A v_j − β_{j−1} u_{j−1}, reorthogonalised against u_0..u_{j−1}
        let mut w = apply(a, &v.row(j).to_owned(), false)?;
        if j > 0 {
            w.scaled_add(-beta[j - 1], &u.row(j - 1));
        }
        reorthogonalize(&mut w, &u, j);
        let mut aj = norm(&w);
        scale = scale.max(aj);
        if aj <= 1e-15 * scale.max(f64::MIN_POSITIVE) {
            // invariant subspace: continue from a fresh direction, orthogonal to the others
            w = random_unit(&mut rng, m, &u, j);
            aj = 0.0;
        } else {
            w /= aj;
        }
        alpha[j] = aj;
        u.row_mut(j).assign(&w);
        // v_{j+1} = Aᵀ u_j − α_j v_j, reorthogonalised against v_0..v_j
        let mut z = apply(a, &u.row(j).to_owned(), true)?;
        z.scaled_add(-alpha[j], &v.row(j));
        reorthogonalize(&mut z, &v, j + 1);
        let mut bj = norm(&z);
        scale = scale.max(bj);
        if bj <= 1e-15 * scale.max(f64::MIN_POSITIVE) {
            if j + 1 < n {
                z = random_unit(&mut rng, n, &v, j + 1);
            }
            bj = 0.0;
        } else {
            z /= bj;
        }
        beta[j] = bj;
        v.row_mut(j + 1).assign(&z);
    }
    // B: α on the diagonal, β_0..β_{p−2} above it; β_{p−1} is the residual coupling.
    let mut b = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        b[(j, j)] = alpha[j];
        if j + 1 < p {
            b[(j, j + 1)] = beta[j];
        }
    }
    let f = crate::linalg::svd(b.view(), false)?;
    let k = k.min(p);
    let sigma1 = f.s.first().copied().unwrap_or(0.0);
    let resid = beta[p - 1];
    let converged =
        (0..k).all(|i| (resid * f.u[(p - 1, i)]).abs() <= 1e-14 * sigma1.max(f64::MIN_POSITIVE));
    // right Ritz vectors: (V_p Q)ᵀ = Qᵀ V_p, rows
    let vt = f.vt.slice(s![..k, ..]).dot(&v.slice(s![..p, ..]));
    Ok((f.s.slice(s![..k]).to_owned(), vt, converged))
}

/// `A x` (or `Aᵀ x`) for a vector.
fn apply(a: &dyn LinearOperator, x: &Array1<f64>, transpose: bool) -> Result<Array1<f64>> {
    let col = x.view().insert_axis(Axis(1));
    let y = if transpose {
        a.t_dot_dense(col)?
    } else {
        a.dot_dense(col)?
    };
    Ok(y.index_axis_move(Axis(1), 0))
}

/// Two passes of classical Gram–Schmidt against the first `rows` rows of `basis` ("twice is
/// enough": orthogonal to working precision).
fn reorthogonalize(w: &mut Array1<f64>, basis: &Array2<f64>, rows: usize) {
    if rows == 0 {
        return;
    }
    let q = basis.slice(s![..rows, ..]);
    for _ in 0..2 {
        let c = q.dot(&*w);
        *w -= &q.t().dot(&c);
    }
}

fn norm(w: &Array1<f64>) -> f64 {
    crate::vector::norm_l2(w.view())
}

/// A random unit vector of length `len` orthogonal to the first `rows` rows of `basis`.
fn random_unit(rng: &mut Rng, len: usize, basis: &Array2<f64>, rows: usize) -> Array1<f64> {
    loop {
        let mut w: Array1<f64> = (0..len).map(|_| rng.sample(StandardNormal)).collect();
        reorthogonalize(&mut w, basis, rows.min(basis.nrows()));
        let nw = norm(&w);
        if nw > 1e-8 {
            return w / nw;
        }
    }
}
