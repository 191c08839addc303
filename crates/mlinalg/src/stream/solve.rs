//! The solves on the mergeable states: PCA from a [`Gram`], linear and ridge regression
//! from a [`Gram`] or a [`Tsqr`], NumPy's `lstsq` from a [`Tsqr`].

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};

use super::gram::Gram;
use super::tsqr::Tsqr;
use crate::decomposition::sign::{row_signs, scale_rows};
use crate::decomposition::{FittedPca, Pca, PcaSolver};
use crate::error::{Error, Result};
use crate::linalg::{Cholesky, Lstsq, eigh, lstsq};
use crate::linear_model::{FittedLinearRegression, FittedRidge, LinearRegression, Ridge};

impl Pca {
    /// Fits the model from a [`Gram`] state (the covariance-eigh solver on the state's
    /// centred cross products): the same [`FittedPca`] as [`Pca::fit`] with
    /// [`PcaSolver::CovarianceEigh`] on the rows the state has seen, but centred
    /// exactly (`Pca::fit` centres `XᵀX` afterwards). The configured solver is not used.
    /// A state with targets contributes its feature columns only.
    ///
    /// # Errors
    /// [`Error::Empty`] for a state with no rows or no features; [`Error::Shape`] for a
    /// single row; [`Error::InvalidParameter`] for `n_components` outside
    /// `1..=min(count, n_features)`; [`Error::Unsupported`] if the cross products
    /// overflowed.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::Pca;
    /// use mlinalg::stream::Gram;
    /// let x = array![[2., 0.], [0., 1.], [-2., 0.], [0., -1.]];
    /// let mut g = Gram::new(2);
    /// g.update(x.view())?;
    /// let pca = Pca::new(Some(1)).fit_gram(&g)?;
    /// assert!((pca.explained_variance()[0] - 8.0 / 3.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_gram(&self, g: &Gram) -> Result<FittedPca> {
        const OP: &str = "pca";
        let p = g.n_features();
        let n = usize::try_from(g.count()).unwrap_or(usize::MAX);
        if n == 0 || p == 0 {
            return Err(Error::Empty {
                op: OP,
                detail: format!("shape ({n}, {p})"),
            });
        }
        if n < 2 {
            return Err(Error::shape(
                OP,
                format!(
                    "at least 2 samples are needed (variances divide by n_samples − 1), got shape ({n}, {p})"
                ),
            ));
        }
        let kmax = n.min(p);
        let k = self.n_components.unwrap_or(kmax);
        if k == 0 || k > kmax {
            return Err(Error::param(
                OP,
                "n_components",
                format!("n_components={k} must be between 1 and min(n_samples, n_features)={kmax}"),
            ));
        }
        let dof = n as f64 - 1.0;
        // safe because count ≥ 2 and p ≥ 1 mean the state is allocated
        let s_all = g
            .scatter_view()
            .ok_or_else(|| Error::shape(OP, "no cross products"))?;
        let c = s_all.slice(s![..p, ..p]).mapv(|v| v / dof);
        if c.iter().any(|v| !v.is_finite()) {
            return Err(Error::Unsupported {
                op: OP,
                detail: "the covariance matrix overflows for this data; scale the data".into(),
            });
        }
        let e = eigh(c.view()).map_err(|e| e.with_op(OP))?;
        // eigh ascends; PCA wants descending. Rounding can make tiny eigenvalues of the PSD
        // covariance negative: clip them to 0 as scikit-learn does.
        let ev: Array1<f64> = e.eigenvalues.iter().rev().map(|&l| l.max(0.0)).collect();
        let mut vt = e.eigenvectors.slice(s![.., ..;-1]).t().to_owned();
        let signs = row_signs(vt.view());
        scale_rows(&mut vt, &signs);
        let total: f64 = ev.sum();
        let ratio = if total > 0.0 {
            ev.mapv(|v| v / total)
        } else {
            Array1::zeros(ev.len())
        };
        // scikit-learn's covariance_eigh: the mean of all n_features − k discarded eigenvalues
        let noise = if k < kmax {
            let rest = ev.slice(s![k..]);
            rest.sum() / rest.len() as f64
        } else {
            0.0
        };
        Ok(FittedPca {
            components: vt.slice(s![..k, ..]).to_owned(),
            explained_variance: ev.slice(s![..k]).to_owned(),
            explained_variance_ratio: ratio.slice(s![..k]).to_owned(),
            singular_values: ev.slice(s![..k]).mapv(|l| (l * dof).sqrt()),
            mean: g.mean().slice(s![..p]).to_owned(),
            noise_variance: noise,
            n_samples: n,
            whiten: self.whiten,
            solver_used: PcaSolver::CovarianceEigh,
        })
    }
}

/// Checks a regression state: at least one row, exactly one target.
fn check_regression(op: &'static str, count: u64, p: usize, targets: usize) -> Result<()> {
    if targets != 1 {
        return Err(Error::shape(
            op,
            format!("a regression state needs exactly one target column, this one has {targets}"),
        ));
    }
    if count == 0 || p == 0 {
        return Err(Error::Empty {
            op,
            detail: format!("shape ({count}, {p})"),
        });
    }
    Ok(())
}

/// `R` of [X | y] (centred for an intercept, else uncentred) from a Tsqr state.
fn tsqr_factor(op: &'static str, t: &Tsqr, fit_intercept: bool) -> Result<Array2<f64>> {
    check_regression(op, t.count(), t.n_features(), t.n_targets())?;
    if fit_intercept {
        Ok(t.r())
    } else {
        t.r_uncentered()
    }
}

/// The minimum-norm least-squares `w` of `Rxx w ≈ rxy`, optionally with the ridge rows
/// `√α I` below (then `rcond` plays no part: the stack has full rank).
fn solve_r(op: &'static str, r: &Array2<f64>, p: usize, alpha: f64, m: u64) -> Result<Array1<f64>> {
    let rxx = r.slice(s![..p, ..p]);
    let rxy = r.slice(s![..p, p]);
    // NumPy's lstsq default cut-off for the m × p centred design: ε · max(m, p)
    let rcond = f64::EPSILON * (m as f64).max(p as f64);
    if alpha > 0.0 {
        let mut a = Array2::<f64>::zeros((2 * p, p));
        a.slice_mut(s![..p, ..]).assign(&rxx);
        a.slice_mut(s![p.., ..]).diag_mut().fill(alpha.sqrt());
        let mut b = Array1::<f64>::zeros(2 * p);
        b.slice_mut(s![..p]).assign(&rxy);
        Ok(lstsq(a.view(), &b, Some(rcond))
            .map_err(|e| e.with_op(op))?
            .x)
    } else {
        Ok(lstsq(rxx, &rxy, Some(rcond)).map_err(|e| e.with_op(op))?.x)
    }
}

fn check_alpha(op: &'static str, alpha: f64) -> Result<()> {
    if alpha.is_finite() && alpha >= 0.0 {
        Ok(())
    } else {
        Err(Error::param(
            op,
            "alpha",
            format!("alpha={alpha} must be a finite number >= 0"),
        ))
    }
}

/// `w` from the cross products: `(Sxx + αI) w = sxy`. With α = 0 the minimum-norm solution
/// through the eigendecomposition of Sxx (eigenvalues below `(ε·max(m, p))² λ_max` are
/// treated as 0, NumPy lstsq's cut-off on the singular values √λ); with α > 0 Cholesky.
fn solve_gram(
    op: &'static str,
    s: &Array2<f64>,
    p: usize,
    alpha: f64,
    m: u64,
) -> Result<Array1<f64>> {
    let sxx = s.slice(s![..p, ..p]);
    let sxy = s.slice(s![..p, p]).to_owned();
    if alpha > 0.0 {
        let mut a = sxx.to_owned();
        a.diag_mut().mapv_inplace(|d| d + alpha);
        return Cholesky::new(a.view())
            .map_err(|e| e.with_op(op))?
            .solve(&sxy)
            .map_err(|e| e.with_op(op));
    }
    let e = eigh(sxx).map_err(|e| e.with_op(op))?;
    let lmax = e.eigenvalues.iter().fold(0.0f64, |a, &b| a.max(b));
    let rcond = f64::EPSILON * (m as f64).max(p as f64);
    let cut = rcond * rcond * lmax;
    let vty = e.eigenvectors.t().dot(&sxy);
    let scaled: Array1<f64> = vty
        .iter()
        .zip(e.eigenvalues.iter())
        .map(|(&c, &l)| if l > cut && l > 0.0 { c / l } else { 0.0 })
        .collect();
    Ok(e.eigenvectors.dot(&scaled))
}

/// The uncentred cross products `S + n · mean meanᵀ`.
fn uncentered(g: &Gram) -> Array2<f64> {
    let mut s = g.scatter();
    let m = g.mean();
    let n = g.count() as f64;
    for ((i, j), v) in s.indexed_iter_mut() {
        *v += n * m[i] * m[j];
    }
    s
}

fn gram_solve(
    op: &'static str,
    g: &Gram,
    fit_intercept: bool,
    alpha: f64,
) -> Result<(Array1<f64>, f64)> {
    check_regression(op, g.count(), g.n_features(), g.n_targets())?;
    let p = g.n_features();
    let s = if fit_intercept {
        g.scatter()
    } else {
        uncentered(g)
    };
    let w = solve_gram(op, &s, p, alpha, g.count())?;
    Ok((w.clone(), intercept(g.mean().view(), &w, p, fit_intercept)))
}

fn tsqr_solve(
    op: &'static str,
    t: &Tsqr,
    fit_intercept: bool,
    alpha: f64,
) -> Result<(Array1<f64>, f64)> {
    let r = tsqr_factor(op, t, fit_intercept)?;
    let p = t.n_features();
    let w = solve_r(op, &r, p, alpha, t.count())?;
    Ok((w.clone(), intercept(t.mean().view(), &w, p, fit_intercept)))
}

/// `ȳ − x̄ᵀ w`, or 0 without an intercept.
fn intercept(mean: ArrayView1<'_, f64>, w: &Array1<f64>, p: usize, fit_intercept: bool) -> f64 {
    if fit_intercept {
        mean[p] - mean.slice(s![..p]).dot(w)
    } else {
        0.0
    }
}

impl LinearRegression {
    /// Fits from a [`Tsqr`] state of `[x | y]` (one target): the minimum-norm
    /// least-squares solution from the R factor, as accurate as [`LinearRegression::fit`]
    /// with the `Lstsq` solver (the configured solver is not used).
    ///
    /// # Errors
    /// [`Error::Shape`] unless the state has one target; [`Error::Empty`] for no rows;
    /// [`Error::NoConvergence`] if the SVD of R fails.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::LinearRegression;
    /// use mlinalg::stream::Tsqr;
    /// let x = array![[0.0], [1.0], [2.0], [3.0]];
    /// let y = array![1.0, 3.0, 5.0, 7.0];
    /// let mut t = Tsqr::with_targets(1, 1);
    /// t.update_xy(x.view(), y.view())?;
    /// let m = LinearRegression::new().fit_tsqr(&t)?;
    /// assert!((m.coef()[0] - 2.0).abs() < 1e-13 && (m.intercept() - 1.0).abs() < 1e-13);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_tsqr(&self, t: &Tsqr) -> Result<FittedLinearRegression> {
        let (coef, intercept) = tsqr_solve("linear_regression", t, self.fit_intercept, 0.0)?;
        Ok(FittedLinearRegression { coef, intercept })
    }

    /// Fits from a [`Gram`] state of `[x | y]` (one target): the normal equations on the
    /// centred cross products (minimum norm through an eigendecomposition). Exact for
    /// well-conditioned data; an ill-conditioned design loses twice the digits of
    /// [`LinearRegression::fit_tsqr`].
    ///
    /// # Errors
    /// As [`LinearRegression::fit_tsqr`].
    pub fn fit_gram(&self, g: &Gram) -> Result<FittedLinearRegression> {
        let (coef, intercept) = gram_solve("linear_regression", g, self.fit_intercept, 0.0)?;
        Ok(FittedLinearRegression { coef, intercept })
    }
}

impl Ridge {
    /// Fits from a [`Tsqr`] state of `[x | y]`: the least-squares solution of
    /// `[R_xx; √α I] w ≈ [r_xy; 0]`, i.e. `(XcᵀXc + αI) w = Xcᵀ yc` without forming XcᵀXc.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a negative or non-finite alpha; as
    /// [`LinearRegression::fit_tsqr`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::Ridge;
    /// use mlinalg::stream::Tsqr;
    /// let x = array![[0.0], [1.0], [2.0], [3.0]];
    /// let y = array![1.0, 3.0, 5.0, 7.0];
    /// let mut t = Tsqr::with_targets(1, 1);
    /// t.update_xy(x.view(), y.view())?;
    /// let m = Ridge::new(5.0).fit_tsqr(&t)?;
    /// // Σ(x − x̄)² = 5, Σ(x − x̄)(y − ȳ) = 10: w = 10 / (5 + 5)
    /// assert!((m.coef()[0] - 1.0).abs() < 1e-13);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_tsqr(&self, t: &Tsqr) -> Result<FittedRidge> {
        check_alpha("ridge", self.alpha)?;
        let (coef, intercept) = tsqr_solve("ridge", t, self.fit_intercept, self.alpha)?;
        Ok(FittedRidge { coef, intercept })
    }

    /// Fits from a [`Gram`] state: Cholesky of `Sxx + αI` (scikit-learn's `cholesky`
    /// solver on the centred data; α = 0 falls back to the minimum-norm solution).
    ///
    /// # Errors
    /// As [`Ridge::fit_tsqr`]; [`Error::NotPositiveDefinite`] cannot occur for α > 0.
    pub fn fit_gram(&self, g: &Gram) -> Result<FittedRidge> {
        check_alpha("ridge", self.alpha)?;
        let (coef, intercept) = gram_solve("ridge", g, self.fit_intercept, self.alpha)?;
        Ok(FittedRidge { coef, intercept })
    }
}

/// `(SS_res, SS_tot)` → R² as scikit-learn's `r2_score` (1 for a perfect fit of constant
/// y, 0 for an imperfect one).
fn r2(ss_res: f64, ss_tot: f64) -> f64 {
    if ss_tot == 0.0 {
        if ss_res == 0.0 { 1.0 } else { 0.0 }
    } else {
        1.0 - ss_res / ss_tot
    }
}

fn check_coef(op: &'static str, p: usize, coef: ArrayView1<'_, f64>) -> Result<()> {
    if coef.len() != p {
        return Err(Error::shape(
            op,
            format!(
                "coef has {} entries, the state has {p} features",
                coef.len()
            ),
        ));
    }
    Ok(())
}

impl Tsqr {
    /// R² of the linear model `x·coef + intercept` on the rows this state has seen (one
    /// target), computed from R: `SS_res = ‖R [coef; −1]‖² + n (x̄ᵀcoef + intercept − ȳ)²`.
    ///
    /// # Errors
    /// [`Error::Shape`] unless the state has one target and `coef` has n_features entries;
    /// [`Error::Empty`] for no rows.
    pub fn score(&self, coef: ArrayView1<'_, f64>, intercept: f64) -> Result<f64> {
        const OP: &str = "score";
        let p = self.n_features();
        check_regression(OP, self.count(), p, self.n_targets())?;
        check_coef(OP, p, coef)?;
        let r = self.r();
        let mut v = Array1::<f64>::from_elem(p + 1, -1.0);
        v.slice_mut(s![..p]).assign(&coef);
        let e = r.dot(&v);
        let m = self.mean();
        let off = m.slice(s![..p]).dot(&coef) + intercept - m[p];
        let ss_res = e.dot(&e) + self.count() as f64 * off * off;
        let col = r.column(p);
        Ok(r2(ss_res, col.dot(&col)))
    }
}

impl Gram {
    /// R² of the linear model `x·coef + intercept` on the rows this state has seen (one
    /// target), from the cross products (`SS_res = vᵀ S v + n·offset²`, `v = [coef; −1]`).
    ///
    /// # Errors
    /// As [`Tsqr::score`].
    pub fn score(&self, coef: ArrayView1<'_, f64>, intercept: f64) -> Result<f64> {
        const OP: &str = "score";
        let p = self.n_features();
        check_regression(OP, self.count(), p, self.n_targets())?;
        check_coef(OP, p, coef)?;
        let s = self.scatter();
        let mut v = Array1::<f64>::from_elem(p + 1, -1.0);
        v.slice_mut(s![..p]).assign(&coef);
        let m = self.mean();
        let off = m.slice(s![..p]).dot(&coef) + intercept - m[p];
        let ss_res = (v.dot(&s.dot(&v))).max(0.0) + self.count() as f64 * off * off;
        Ok(r2(ss_res, s[[p, p]]))
    }
}

/// NumPy's `lstsq(A, B, rcond)` from a [`Tsqr`] state of the rows `[a | b]` (features are
/// A's columns, targets B's): `x` (n_features, n_targets), `residuals` (the squared
/// 2-norm of each column of `B − A x`; empty unless A has full column rank and more rows
/// than columns, as NumPy), `rank` and the singular values of A. `rcond` as
/// [`lstsq`](crate::linalg::lstsq) (default `ε · max(m, n)`).
///
/// # Errors
/// [`Error::Empty`] for a state with no rows, features or targets; [`Error::NoConvergence`]
/// if the SVD of R fails.
///
/// # Examples
/// ```
/// use ndarray::{array, concatenate, Axis};
/// use mlinalg::stream::{Tsqr, lstsq_tsqr};
/// let a = array![[0., 1.], [1., 1.], [2., 1.], [3., 1.]];
/// let b = array![[-1.], [0.2], [0.9], [2.1]];
/// let mut t = Tsqr::with_targets(2, 1);
/// t.update(concatenate![Axis(1), a, b].view())?;
/// let fit = lstsq_tsqr(&t, None)?;
/// let want = mlinalg::linalg::lstsq(a.view(), &b, None)?;
/// assert!((&fit.x - &want.x).iter().all(|d| d.abs() < 1e-13));
/// assert!((fit.residuals[0] - want.residuals[0]).abs() < 1e-13);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn lstsq_tsqr(t: &Tsqr, rcond: Option<f64>) -> Result<Lstsq> {
    const OP: &str = "lstsq";
    let (p, k, m) = (t.n_features(), t.n_targets(), t.count());
    if m == 0 || p == 0 || k == 0 {
        return Err(Error::Empty {
            op: OP,
            detail: format!("a is ({m}, {p}), b has {k} columns"),
        });
    }
    let r = t.r_uncentered()?;
    let r11 = r.slice(s![..p, ..p]);
    let r12 = r.slice(s![..p, p..]);
    let rcond = match rcond {
        Some(v) if v >= 0.0 => v,
        _ => f64::EPSILON * (m as f64).max(p as f64),
    };
    let sol = lstsq(r11, &r12, Some(rcond)).map_err(|e| e.with_op(OP))?;
    let residuals = if sol.rank == p && m > p as u64 {
        let fit: Array2<f64> = &r12 - &r11.dot(&sol.x);
        let r22 = r.slice(s![p.., p..]);
        column_sq_norms(fit.view()) + column_sq_norms(r22)
    } else {
        Array1::zeros(0)
    };
    Ok(Lstsq {
        x: sol.x,
        residuals,
        rank: sol.rank,
        singular_values: sol.singular_values,
    })
}

fn column_sq_norms(a: ArrayView2<'_, f64>) -> Array1<f64> {
    a.map_axis(Axis(0), |c| c.dot(&c))
}
