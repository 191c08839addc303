//! The streamed fits: `fit_stream` of [`Pca`], [`TruncatedSvd`], [`LinearRegression`] and
//! [`Ridge`], and [`lstsq_stream`]: passes over a [`RowSource`] feeding the mergeable
//! states (or the streamed randomized range finder), memory bounded by
//! [`StreamOptions::memory_limit`].

use std::path::Path;

use ndarray::{Array1, Array2, ArrayView2, Axis, s};

use super::gram::Gram;
use super::moments::Moments;
use super::solve::lstsq_tsqr;
use super::source::{Block, RowSource, StreamOptions, for_each_block};
use super::sparse::CsrRowSource;
use super::tsqr::{Tsqr, r_factor};
use crate::array::{checked_len, fmt_shape};
use crate::decomposition::randomized::{PowerIterationNormalizer, auto_n_iter, normalize};
use crate::decomposition::sign::{row_signs, scale_rows};
use crate::decomposition::{
    FittedPca, FittedTruncatedSvd, Pca, PcaSolver, TruncatedSvd, TruncatedSvdAlgorithm,
};
use crate::error::{Error, Result};
use crate::linalg::{Lstsq, svd};
use crate::linear_model::{FittedLinearRegression, FittedRidge, LinearRegression, Ridge};
use crate::ops::matmul_2d;
use crate::random::{randn2_with, rng};
use crate::sparse::CsrMatrix;

/// Re-labels an error raised on a block with the input's name and the block's rows:
/// `data.npy: rows 1000..2000: non-finite value (NaN or infinity)`.
fn at_block(name: &Path, b: &Block, e: Error) -> Error {
    let rows = format!(
        "rows {}..{}",
        b.first_row(),
        b.first_row() + b.rows() as u64
    );
    match e {
        Error::NonFinite { .. } => {
            Error::format(name, format!("{rows}: non-finite value (NaN or infinity)"))
        }
        other => other,
    }
}

/// Errors unless the source has columns.
fn check_cols(op: &'static str, source: &dyn RowSource) -> Result<usize> {
    let p = source.ncols();
    if p == 0 {
        return Err(Error::Empty {
            op,
            detail: format!("{}: 0 columns", source.name().display()),
        });
    }
    Ok(p)
}

/// Errors unless a `d × d` state (and a little workspace) fits in the memory limit; the
/// message names the size and suggests the randomized solver.
fn check_state_fits(op: &'static str, opts: &StreamOptions, d: usize, what: &str) -> Result<u64> {
    let bytes = Gram::memory_bytes(d, 0).unwrap_or(u64::MAX);
    let limit = opts.memory_limit.bytes();
    // the state, plus the copy an eigen- or QR-solve of it makes at the end
    if bytes.saturating_mul(3) > limit {
        return Err(Error::Unsupported {
            op,
            detail: format!(
                "the {what} of {d} columns needs {} bytes ({d} × {d} f64, and a copy to solve it), \
                 more than the memory limit of {limit} bytes; use the randomized solver, whose \
                 memory grows with n_features · n_components",
                bytes.saturating_mul(3)
            ),
        });
    }
    Ok(bytes.saturating_mul(3))
}

/// One pass feeding a [`Gram`] with `n_targets` of the source's columns as targets.
pub(crate) fn gram_pass(
    op: &'static str,
    source: &mut dyn RowSource,
    n_targets: usize,
    opts: &StreamOptions,
) -> Result<Gram> {
    let d = check_cols(op, source)?;
    let state = check_state_fits(op, opts, d, "cross-product matrix")?;
    let rows = opts.rows_per_block(op, d, state, 0)?;
    let mut g = Gram::with_targets(d - n_targets, n_targets);
    let name = source.name().to_path_buf();
    for_each_block(source, rows, opts, (0, Some(1)), |b| {
        g.update(b.view()).map_err(|e| at_block(&name, b, e))
    })?;
    Ok(g)
}

/// One pass feeding a [`Tsqr`] with `n_targets` of the source's columns as targets.
pub(crate) fn tsqr_pass(
    op: &'static str,
    source: &mut dyn RowSource,
    n_targets: usize,
    opts: &StreamOptions,
) -> Result<Tsqr> {
    let d = check_cols(op, source)?;
    let state = check_state_fits(op, opts, d, "R factor")?;
    // the stack [R; block] and faer's copy of it: two more copies per row
    let rows = opts.rows_per_block(op, d, state, 2 * 8 * d as u64)?;
    let mut t = Tsqr::with_targets(d - n_targets, n_targets);
    let name = source.name().to_path_buf();
    for_each_block(source, rows, opts, (0, Some(1)), |b| {
        t.update(b.view()).map_err(|e| at_block(&name, b, e))
    })?;
    Ok(t)
}

/// One pass feeding a [`Moments`].
pub(crate) fn moments_pass(
    op: &'static str,
    source: &mut dyn RowSource,
    opts: &StreamOptions,
    pass: (usize, Option<usize>),
) -> Result<Moments> {
    let p = check_cols(op, source)?;
    let rows = opts.rows_per_block(op, p, 0, 0)?;
    let mut m = Moments::new(p);
    let name = source.name().to_path_buf();
    for_each_block(source, rows, opts, pass, |b| {
        m.update(b.view()).map_err(|e| at_block(&name, b, e))
    })?;
    Ok(m)
}

fn n_samples_err(op: &'static str, n: u64, p: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::Empty {
            op,
            detail: format!("shape (0, {p})"),
        });
    }
    if n < 2 {
        return Err(Error::shape(
            op,
            format!(
                "at least 2 samples are needed (variances divide by n_samples − 1), got shape ({n}, {p})"
            ),
        ));
    }
    Ok(())
}

fn check_k(op: &'static str, k: usize, kmax: usize) -> Result<()> {
    if k == 0 || k > kmax {
        return Err(Error::param(
            op,
            "n_components",
            format!("n_components={k} must be between 1 and min(n_samples, n_features)={kmax}"),
        ));
    }
    Ok(())
}

impl Pca {
    /// Fits the model to data read block by block from `source`, in memory bounded by
    /// `opts.memory_limit`: the same model as [`Pca::fit`] on all the rows.
    ///
    /// Solvers (scikit-learn's `'auto'` rule decides with the source's row count, or as
    /// if it were large when unknown; a state that does not fit the limit falls back to
    /// the randomized solver under `Auto`):
    /// * `CovarianceEigh`: one pass into a [`Gram`], then [`Pca::fit_gram`];
    /// * `Svd`: one pass into a [`Tsqr`]; the SVD of its p × p factor R has the singular
    ///   values and right singular vectors of the centred data (exact, without squaring
    ///   the condition number);
    /// * `Randomized`: a pass for the mean, then `n_iter` passes each applying `AᵀA` to
    ///   the p × (k + n_oversamples) block (normalised between passes), then one pass for
    ///   the R factor of `A Ω` and `(A Ω)ᵀ A`: `2 + n_iter` passes, never materialising
    ///   the data or any n_samples-long matrix.
    ///
    /// # Errors
    /// As [`Pca::fit`]; [`Error::Unsupported`] when a p × p state does not fit the memory
    /// limit with an explicit exact solver (naming the size, suggesting the randomized
    /// solver); [`Error::InvalidParameter`] if the limit is below one row;
    /// [`Error::Format`] / [`Error::Io`] from the source (naming the file and rows).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::Pca;
    /// use mlinalg::stream::{ArraySource, StreamOptions};
    /// let x = array![[2., 0.], [0., 1.], [-2., 0.], [0., -1.]];
    /// let opts = StreamOptions::with_block_rows(3);
    /// let pca = Pca::new(Some(1)).fit_stream(&mut ArraySource::new(x.view()), &opts)?;
    /// assert!((pca.explained_variance()[0] - 8.0 / 3.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_stream(
        &self,
        source: &mut dyn RowSource,
        opts: &StreamOptions,
    ) -> Result<FittedPca> {
        const OP: &str = "pca";
        let p = check_cols(OP, source)?;
        let n_hint = source
            .nrows()
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let k_hint = self.n_components.unwrap_or(n_hint.min(p));
        let fits = Gram::memory_bytes(p, 0)
            .is_some_and(|b| b.saturating_mul(3) <= opts.memory_limit.bytes());
        let solver = match self.solver {
            PcaSolver::Auto => match Pca::auto_solver((n_hint, p), k_hint) {
                PcaSolver::Randomized => PcaSolver::Randomized,
                _ if !fits => PcaSolver::Randomized,
                s => s,
            },
            s => s,
        };
        match solver {
            PcaSolver::CovarianceEigh => {
                let g = gram_pass(OP, source, 0, opts)?;
                self.fit_gram(&g)
            }
            PcaSolver::Randomized => self.fit_randomized_stream(source, opts),
            _ => {
                let t = tsqr_pass(OP, source, 0, opts)?;
                self.fit_tsqr(&t)
            }
        }
    }

    /// PCA from the R factor of the centred data (the `Svd` solver's answer).
    fn fit_tsqr(&self, t: &Tsqr) -> Result<FittedPca> {
        const OP: &str = "pca";
        let p = t.n_features();
        n_samples_err(OP, t.count(), p)?;
        let n = usize::try_from(t.count()).unwrap_or(usize::MAX);
        let kmax = n.min(p);
        let k = self.n_components.unwrap_or(kmax);
        check_k(OP, k, kmax)?;
        let r = t.r();
        let mut f = svd(r.slice(s![..p, ..p]), false).map_err(|e| e.with_op(OP))?;
        let signs = row_signs(f.vt.view());
        scale_rows(&mut f.vt, &signs);
        let dof = n as f64 - 1.0;
        // the centred data have min(n, p) singular values; R's others are zero
        let sv = f.s.slice(s![..kmax]).to_owned();
        let ev = sv.mapv(|v| v * v / dof);
        let total: f64 = ev.sum();
        let ratio = if total > 0.0 {
            ev.mapv(|v| v / total)
        } else {
            Array1::zeros(kmax)
        };
        let noise = if k < kmax {
            ev.slice(s![k..]).sum() / (kmax - k) as f64
        } else {
            0.0
        };
        Ok(FittedPca {
            components: f.vt.slice(s![..k, ..]).to_owned(),
            explained_variance: ev.slice(s![..k]).to_owned(),
            explained_variance_ratio: ratio.slice(s![..k]).to_owned(),
            singular_values: sv.slice(s![..k]).to_owned(),
            mean: t.mean().to_owned(),
            noise_variance: noise,
            n_samples: n,
            whiten: self.whiten,
            solver_used: PcaSolver::Svd,
        })
    }

    fn fit_randomized_stream(
        &self,
        source: &mut dyn RowSource,
        opts: &StreamOptions,
    ) -> Result<FittedPca> {
        const OP: &str = "pca";
        let p = check_cols(OP, source)?;
        let n_iter_hint = self.n_iter;
        let m = moments_pass(OP, source, opts, (0, n_iter_hint.map(|i| i + 2)))?;
        let n = m.count();
        n_samples_err(OP, n, p)?;
        let nu = usize::try_from(n).unwrap_or(usize::MAX);
        let kmax = nu.min(p);
        let k = self.n_components.unwrap_or(kmax);
        check_k(OP, k, kmax)?;
        let dof = n as f64 - 1.0;
        let total_var = m.m2().sum() / dof;
        let cfg = RandomizedStream {
            k,
            n_oversamples: self.n_oversamples,
            n_iter: self.n_iter.unwrap_or_else(|| auto_n_iter(k, (nu, p))),
            normalizer: self.normalizer,
            seed: self.seed,
            center: Some(m.mean().clone()),
        };
        let (s_k, vt) = randomized_stream(
            OP,
            &mut Streamed::Dense(source),
            opts,
            &cfg,
            &mut |_| Ok(()),
        )?;
        let ev = s_k.mapv(|v| v * v / dof);
        let ratio = if total_var > 0.0 {
            ev.mapv(|v| v / total_var)
        } else {
            Array1::zeros(ev.len())
        };
        // Probabilistic PCA: the mean variance of the discarded directions (as Pca::fit)
        let noise = if k < kmax {
            (total_var - ev.sum()) / (kmax - k) as f64
        } else {
            0.0
        };
        Ok(FittedPca {
            components: vt,
            explained_variance: ev,
            explained_variance_ratio: ratio,
            singular_values: s_k,
            mean: m.mean().clone(),
            noise_variance: noise,
            n_samples: nu,
            whiten: self.whiten,
            solver_used: PcaSolver::Randomized,
        })
    }
}

/// The knobs of the streamed randomized SVD.
struct RandomizedStream {
    k: usize,
    n_oversamples: usize,
    n_iter: usize,
    normalizer: PowerIterationNormalizer,
    seed: u64,
    /// Subtract this mean from every row (PCA); `None` for TruncatedSVD.
    center: Option<Array1<f64>>,
}

/// A streamed matrix for the randomized solver: dense row blocks or sparse (CSR) ones.
pub(crate) enum Streamed<'a> {
    Dense(&'a mut dyn RowSource),
    Sparse(&'a mut dyn CsrRowSource),
}

/// One block of a [`Streamed`] matrix (dense blocks already centred when asked).
pub(crate) enum BlockRef<'b> {
    Dense(ArrayView2<'b, f64>),
    Sparse(&'b CsrMatrix),
}

impl BlockRef<'_> {
    /// `A_b B`.
    fn dot(&self, b: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        match self {
            BlockRef::Dense(a) => matmul_2d(*a, b),
            BlockRef::Sparse(m) => m.dot_dense(b),
        }
    }
    /// `z += A_bᵀ Y` (sparse: straight into `z`, no `p × k` temporary per block, and the
    /// sum over the blocks is that of the whole product, bit for bit).
    fn t_dot_add(&self, y: ArrayView2<'_, f64>, z: &mut Array2<f64>) -> Result<()> {
        match self {
            BlockRef::Dense(a) => {
                *z += &matmul_2d(a.t(), y)?;
                Ok(())
            }
            BlockRef::Sparse(m) => m.t_dot_dense_add(y, z),
        }
    }
    fn nrows(&self) -> usize {
        match self {
            BlockRef::Dense(a) => a.nrows(),
            BlockRef::Sparse(m) => m.nrows(),
        }
    }
}

impl Streamed<'_> {
    fn ncols(&self) -> usize {
        match self {
            Streamed::Dense(s) => s.ncols(),
            Streamed::Sparse(s) => s.ncols(),
        }
    }

    fn nrows_hint(&self) -> Option<u64> {
        match self {
            Streamed::Dense(s) => s.nrows(),
            Streamed::Sparse(s) => Some(s.nrows()),
        }
    }

    /// Rows per block within `opts`' memory limit (sparse blocks sized by their share of
    /// the stored entries, not by the dense width).
    fn rows_per_block(
        &self,
        op: &'static str,
        opts: &StreamOptions,
        state_bytes: u64,
        per_row_extra: u64,
    ) -> Result<usize> {
        match self {
            Streamed::Dense(s) => opts.rows_per_block(op, s.ncols(), state_bytes, per_row_extra),
            Streamed::Sparse(s) => opts.rows_per_sparse_block(
                op,
                s.ncols(),
                s.nnz().map(|nnz| (nnz, s.nrows())),
                state_bytes,
                per_row_extra,
            ),
        }
    }

    /// One pass: `f` on every block (dense blocks centred by `center` and checked finite),
    /// errors re-labelled with the input's name and rows.
    fn pass(
        &mut self,
        op: &'static str,
        rows: usize,
        opts: &StreamOptions,
        pass: (usize, Option<usize>),
        center: Option<&Array1<f64>>,
        f: &mut dyn FnMut(BlockRef<'_>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Streamed::Dense(source) => {
                let name = source.name().to_path_buf();
                for_each_block(&mut **source, rows, opts, pass, |b| {
                    let mut run = || -> Result<()> {
                        let v = b.view();
                        crate::array::check_finite(op, &v)?;
                        match center {
                            Some(mu) => {
                                let a = &v - mu;
                                f(BlockRef::Dense(a.view()))
                            }
                            None => f(BlockRef::Dense(v)),
                        }
                    };
                    run().map_err(|e| at_block(&name, b, e))
                })
            }
            Streamed::Sparse(source) => {
                source.rewind()?;
                let name = source.name().to_path_buf();
                let start = std::time::Instant::now();
                let total = source.nrows();
                let mut done = 0u64;
                while let Some((first, m)) = source.read_block(rows)? {
                    if !crate::array::all_finite(m.data()) {
                        return Err(Error::format(
                            &name,
                            format!(
                                "rows {first}..{}: non-finite value (NaN or infinity)",
                                first + m.nrows() as u64
                            ),
                        ));
                    }
                    f(BlockRef::Sparse(&m))?;
                    done += m.nrows() as u64;
                    if let Some(p) = &opts.progress {
                        p(&super::source::PassProgress {
                            pass: pass.0,
                            passes: pass.1,
                            rows_done: done,
                            rows_total: Some(total),
                            bytes_total: source.input_bytes(),
                            elapsed: start.elapsed().as_secs_f64(),
                        });
                    }
                }
                Ok(())
            }
        }
    }
}

/// Top-k singular values and right singular vectors (rows, signed by their largest
/// entry) of the streamed matrix A (centred rows if asked), by the randomized range finder
/// with `AᵀA` power iterations: `n_iter + 1` passes. `first_pass` sees every block of the
/// first pass (TruncatedSVD accumulates the column variances there).
fn randomized_stream(
    op: &'static str,
    source: &mut Streamed<'_>,
    opts: &StreamOptions,
    cfg: &RandomizedStream,
    first_pass: &mut dyn FnMut(&BlockRef<'_>) -> Result<()>,
) -> Result<(Array1<f64>, Array2<f64>)> {
    let p = source.ncols();
    let size = cfg.k.checked_add(cfg.n_oversamples).ok_or_else(|| {
        Error::param(
            op,
            "n_oversamples",
            format!("n_oversamples={} is too large", cfg.n_oversamples),
        )
    })?;
    checked_len(op, &[p, size])?;
    // the random block, Z = AᵀAΩ and Yᵀ A: three p × size matrices; per row the centred
    // copy (counted in BLOCK_COPIES) and the row's A Ω
    let state = (3 * p * size * 8) as u64;
    // (the last pass also stacks each block's A Ω under R for its QR: twice A Ω's rows)
    let rows = source.rows_per_block(op, opts, state, (size * 8 * 3) as u64)?;
    let normalizer = match cfg.normalizer {
        PowerIterationNormalizer::Auto if cfg.n_iter <= 2 => PowerIterationNormalizer::None,
        PowerIterationNormalizer::Auto => PowerIterationNormalizer::Lu,
        other => other,
    };
    let passes = Some(cfg.n_iter + 1 + usize::from(cfg.center.is_some()));
    let first = usize::from(cfg.center.is_some());
    let mut r = rng(cfg.seed);
    let mut omega = randn2_with(&mut r, p, size);
    let center = cfg.center.as_ref();
    for it in 0..cfg.n_iter {
        // Z = Aᵀ (A Ω), one pass
        let mut z = Array2::<f64>::zeros((p, omega.ncols()));
        source.pass(op, rows, opts, (first + it, passes), center, &mut |a| {
            if it == 0 {
                first_pass(&a)?;
            }
            let y = a.dot(omega.view())?;
            a.t_dot_add(y.view(), &mut z)?;
            Ok(())
        })?;
        omega = normalize(op, z, normalizer)?;
        // Unit columns: the span is unchanged, but an LU multiplier column of a
        // rank-deficient block (tiny pivot) cannot dwarf the others in A Ω below.
        for mut c in omega.columns_mut() {
            let nrm = c.dot(&c).sqrt();
            if nrm > 0.0 && nrm.is_finite() {
                c.mapv_inplace(|v| v / nrm);
            }
        }
    }
    // Last pass: R of Y = A Ω by stacked QR, and Yᵀ A (= (Aᵀ Y)ᵀ).
    let l = omega.ncols();
    let mut ry = Array2::<f64>::zeros((l, l));
    let mut aty = Array2::<f64>::zeros((p, l));
    source.pass(
        op,
        rows,
        opts,
        (first + cfg.n_iter, passes),
        center,
        &mut |a| {
            if cfg.n_iter == 0 {
                first_pass(&a)?;
            }
            let y = a.dot(omega.view())?;
            a.t_dot_add(y.view(), &mut aty)?;
            let mut st = Array2::<f64>::zeros((l + a.nrows(), l));
            st.slice_mut(s![..l, ..]).assign(&ry);
            st.slice_mut(s![l.., ..]).assign(&y);
            ry = r_factor(st.view())?;
            Ok(())
        },
    )?;
    let yta = aty.reversed_axes();
    // Y = Q R and R = U_r S V_rᵀ, so the orthonormal basis of range(Y) is Q U_r over the
    // non-zero S, and (Q U_r)ᵀ A = S⁻¹ V_rᵀ Yᵀ A. Directions with S below rounding level
    // (A of rank < l) are dropped rather than divided by ~0.
    let f = svd(ry.view(), false).map_err(|e| e.with_op(op))?;
    let smax = f.s.first().copied().unwrap_or(0.0);
    let cut = smax * f64::EPSILON * l as f64;
    let rank = f.s.iter().filter(|&&v| v > cut).count();
    if rank == 0 {
        // A is zero: no direction to find
        return Ok((Array1::zeros(cfg.k), Array2::zeros((cfg.k, p))));
    }
    let vr = f.vt.slice(s![..rank, ..]);
    let mut bmat = vr.dot(&yta);
    for (mut row, &sv) in bmat.axis_iter_mut(Axis(0)).zip(f.s.iter()) {
        row.mapv_inplace(|v| v / sv);
    }
    let small = svd(bmat.view(), false).map_err(|e| e.with_op(op))?;
    let kk = cfg.k.min(small.s.len());
    let mut vt = Array2::<f64>::zeros((cfg.k, p));
    vt.slice_mut(s![..kk, ..])
        .assign(&small.vt.slice(s![..kk, ..]));
    let mut sv = Array1::<f64>::zeros(cfg.k);
    sv.slice_mut(s![..kk]).assign(&small.s.slice(s![..kk]));
    let signs = row_signs(vt.view());
    scale_rows(&mut vt, &signs);
    Ok((sv, vt))
}

impl TruncatedSvd {
    /// Fits the model to data read block by block from `source` (no centring, as
    /// [`TruncatedSvd::fit`]), in memory bounded by `opts.memory_limit`.
    ///
    /// * `Exact`: one pass into a [`Tsqr`]: the SVD of the p × p factor R of X gives its
    ///   singular values and right singular vectors exactly, and the variances of the
    ///   projections follow from the centred R without another pass;
    /// * `Randomized`: `n_iter + 1` passes of the streamed range finder (normalised `AᵀA`
    ///   power iterations, then the R factor of `A Ω` and `(A Ω)ᵀ A`), then one more pass
    ///   for the variances of `X Vᵀ` (`explained_variance`, as scikit-learn computes it).
    ///
    /// # Errors
    /// As [`TruncatedSvd::fit`]; as [`Pca::fit_stream`] for memory and input errors.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::{TruncatedSvd, TruncatedSvdAlgorithm};
    /// use mlinalg::stream::{ArraySource, StreamOptions};
    /// let x = array![[3., 0., 0.], [0., 2., 0.], [0., 0., 1.], [0., 0., 0.]];
    /// let opts = StreamOptions::with_block_rows(2);
    /// let t = TruncatedSvd::new(2)
    ///     .algorithm(TruncatedSvdAlgorithm::Exact)
    ///     .fit_stream(&mut ArraySource::new(x.view()), &opts)?;
    /// assert!((t.singular_values()[0] - 3.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_stream(
        &self,
        source: &mut dyn RowSource,
        opts: &StreamOptions,
    ) -> Result<FittedTruncatedSvd> {
        const OP: &str = "tsvd";
        let p = check_cols(OP, source)?;
        match self.algorithm {
            TruncatedSvdAlgorithm::Exact => {
                let t = tsqr_pass(OP, source, 0, opts)?;
                let n = t.count();
                if n == 0 {
                    return Err(Error::Empty {
                        op: OP,
                        detail: format!("shape (0, {p})"),
                    });
                }
                let nu = usize::try_from(n).unwrap_or(usize::MAX);
                let k = self.check_k((nu, p))?;
                let ru = t.r_uncentered()?;
                let mut f = svd(ru.view(), false).map_err(|e| e.with_op(OP))?;
                let signs = row_signs(f.vt.view());
                scale_rows(&mut f.vt, &signs);
                let vt = f.vt.slice(s![..k, ..]).to_owned();
                // var(X v) = ‖R_c v‖² / n (NumPy's var, ddof 0)
                let rc = t.r();
                let z = rc.dot(&vt.t());
                let ev = z.map_axis(Axis(0), |c| c.dot(&c) / n as f64);
                let full_var = rc.iter().map(|v| v * v).sum::<f64>() / n as f64;
                Ok(finish_tsvd(vt, f.s.slice(s![..k]).to_owned(), ev, full_var))
            }
            TruncatedSvdAlgorithm::Randomized => {
                self.randomized_stream(&mut Streamed::Dense(source), opts)
            }
        }
    }

    /// Fits the model to a sparse matrix read block by block (CSR blocks from a SciPy
    /// `.npz` or a row-ordered `.mtx`): the randomized algorithm of
    /// [`TruncatedSvd::fit_stream`], never densifying a block.
    ///
    /// # Errors
    /// As [`TruncatedSvd::fit_stream`]; [`Error::InvalidParameter`] for the exact
    /// algorithm (its p × p state is dense: use the randomized one).
    pub fn fit_stream_sparse(
        &self,
        source: &mut dyn CsrRowSource,
        opts: &StreamOptions,
    ) -> Result<FittedTruncatedSvd> {
        if self.algorithm == TruncatedSvdAlgorithm::Exact {
            return Err(Error::param(
                "tsvd",
                "algorithm",
                "the exact algorithm cannot stream a sparse matrix (its state is a dense \
                 n_features × n_features factor); use the randomized algorithm",
            ));
        }
        self.randomized_stream(&mut Streamed::Sparse(source), opts)
    }

    fn randomized_stream(
        &self,
        source: &mut Streamed<'_>,
        opts: &StreamOptions,
    ) -> Result<FittedTruncatedSvd> {
        const OP: &str = "tsvd";
        let p = source.ncols();
        if p == 0 {
            return Err(Error::Empty {
                op: OP,
                detail: "0 columns".into(),
            });
        }
        // scikit-learn's TruncatedSVD checks (n_components ≤ n_features), with the row
        // count known only after a pass when the source cannot tell
        let n_hint = source
            .nrows_hint()
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let k = self.check_k((n_hint, p))?;
        let mut col = Moments::new(p);
        let cfg = RandomizedStream {
            k,
            n_oversamples: self.n_oversamples,
            n_iter: self.n_iter,
            normalizer: self.normalizer,
            seed: self.seed,
            center: None,
        };
        let (sv, vt) = randomized_stream(OP, source, opts, &cfg, &mut |a| match a {
            BlockRef::Dense(v) => col.update(*v),
            BlockRef::Sparse(m) => {
                let (mean, var) = m.try_mean_variance_axis0()?;
                let n = m.nrows() as f64;
                col.merge(&Moments::from_parts(m.nrows() as u64, mean, var * n))
            }
        })?;
        let n = col.count();
        if n == 0 {
            return Err(Error::Empty {
                op: OP,
                detail: format!("shape (0, {p})"),
            });
        }
        let k = k.min(usize::try_from(n).unwrap_or(usize::MAX));
        let vt = vt.slice(s![..k, ..]).to_owned();
        let sv = sv.slice(s![..k]).to_owned();
        // one more pass: the variances of X Vᵀ (scikit-learn's explained_variance_)
        let rows = source.rows_per_block(OP, opts, 0, (k * 8) as u64)?;
        let mut zm = Moments::new(k);
        source.pass(
            OP,
            rows,
            opts,
            (self.n_iter + 1, Some(self.n_iter + 2)),
            None,
            &mut |a| {
                let z = a.dot(vt.t())?;
                zm.update(z.view())
            },
        )?;
        let full_var = col.m2().sum() / n as f64;
        Ok(finish_tsvd(vt, sv, zm.variance(0.0), full_var))
    }
}

fn finish_tsvd(
    components: Array2<f64>,
    singular_values: Array1<f64>,
    ev: Array1<f64>,
    full_var: f64,
) -> FittedTruncatedSvd {
    let explained_variance_ratio = if full_var > 0.0 {
        ev.mapv(|v| v / full_var)
    } else {
        Array1::zeros(ev.len())
    };
    FittedTruncatedSvd {
        components,
        singular_values,
        explained_variance: ev,
        explained_variance_ratio,
    }
}

impl LinearRegression {
    /// Fits from a source whose rows are `[x | y]` (the last column is the target; join
    /// separate X and y files with [`ZipSource`](super::ZipSource)): one pass into a
    /// [`Tsqr`], then [`LinearRegression::fit_tsqr`] — QR accuracy, the in-memory `Lstsq`
    /// solver's answer. Also returns R² on the training rows (scikit-learn `score`).
    ///
    /// # Errors
    /// [`Error::Empty`] for no rows or a single column; as [`Pca::fit_stream`] for memory
    /// and input errors.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::LinearRegression;
    /// use mlinalg::stream::{ArraySource, StreamOptions};
    /// let xy = array![[0.0, 1.0], [1.0, 3.0], [2.0, 5.0], [3.0, 7.0]];
    /// let (m, r2) = LinearRegression::new()
    ///     .fit_stream(&mut ArraySource::new(xy.view()), &StreamOptions::with_block_rows(3))?;
    /// assert!((m.coef()[0] - 2.0).abs() < 1e-13 && (r2 - 1.0).abs() < 1e-13);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_stream(
        &self,
        source: &mut dyn RowSource,
        opts: &StreamOptions,
    ) -> Result<(FittedLinearRegression, f64)> {
        let t = xy_pass("linear_regression", source, opts)?;
        let m = self.fit_tsqr(&t)?;
        let r2 = t.score(m.coef.view(), m.intercept)?;
        Ok((m, r2))
    }
}

impl Ridge {
    /// As [`LinearRegression::fit_stream`], with the ridge penalty ([`Ridge::fit_tsqr`]).
    ///
    /// # Errors
    /// As [`LinearRegression::fit_stream`]; [`Error::InvalidParameter`] for a bad alpha.
    pub fn fit_stream(
        &self,
        source: &mut dyn RowSource,
        opts: &StreamOptions,
    ) -> Result<(FittedRidge, f64)> {
        let t = xy_pass("ridge", source, opts)?;
        let m = self.fit_tsqr(&t)?;
        let r2 = t.score(m.coef.view(), m.intercept)?;
        Ok((m, r2))
    }
}

fn xy_pass(op: &'static str, source: &mut dyn RowSource, opts: &StreamOptions) -> Result<Tsqr> {
    if source.ncols() < 2 {
        return Err(Error::Empty {
            op,
            detail: format!(
                "{}: {} column(s): need at least one feature and the target",
                source.name().display(),
                source.ncols()
            ),
        });
    }
    let t = tsqr_pass(op, source, 1, opts)?;
    if t.count() == 0 {
        return Err(Error::Empty {
            op,
            detail: format!("shape (0, {})", t.n_features()),
        });
    }
    Ok(t)
}

/// NumPy's `lstsq(A, B)` where the source's rows are `[a | b]` with `n_targets` columns of
/// B at the end: one pass into a [`Tsqr`], then [`lstsq_tsqr`] (QR then SVD of R, as
/// the in-memory [`lstsq`](crate::linalg::lstsq) does for tall systems).
///
/// # Errors
/// [`Error::Empty`] for no rows, no A columns or no B columns; as [`Pca::fit_stream`] for
/// memory and input errors.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::stream::{ArraySource, StreamOptions, lstsq_stream};
/// let ab = array![[0., 1., -1.], [1., 1., 0.2], [2., 1., 0.9], [3., 1., 2.1]];
/// let fit = lstsq_stream(&mut ArraySource::new(ab.view()), 1, None, &StreamOptions::with_block_rows(2))?;
/// assert!((fit.x[[0, 0]] - 1.0).abs() < 1e-12 && (fit.x[[1, 0]] + 0.95).abs() < 1e-12);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn lstsq_stream(
    source: &mut dyn RowSource,
    n_targets: usize,
    rcond: Option<f64>,
    opts: &StreamOptions,
) -> Result<Lstsq> {
    const OP: &str = "lstsq";
    let d = source.ncols();
    if n_targets == 0 || n_targets >= d {
        return Err(Error::Empty {
            op: OP,
            detail: format!(
                "{}: {d} columns cannot hold A and {n_targets} column(s) of b: shape {}",
                source.name().display(),
                fmt_shape(&[d])
            ),
        });
    }
    let t = tsqr_pass(OP, source, n_targets, opts)?;
    lstsq_tsqr(&t, rcond)
}
