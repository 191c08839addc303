//! The one place that names faer types (STYLE.md C7).
//!
//! ndarray views are handed to faer zero-copy: `MatRef::from_raw_parts` takes the element
//! strides, which ndarray already stores (negative strides included), so no layout forces a
//! copy. Results come back as owned ndarray arrays. faer errors become [`Error`] variants
//! carrying the caller's operation name.
//!
//! faer's QR, eigen and SVD drivers run inside the rayon pool
//! ([`crate::kernels::pool::in_pool`]): their parallel loops then fork from a worker
//! instead of handing work over from the calling thread each time (same-run A/B on Zen 5,
//! commit a75f8c5: qr 1024 58 → 41 ms, eigh 1024 89 → 73 ms, eig 512 172 → 129 ms, svd 512
//! 50 → 36 ms, lstsq 53 → 46 ms).

use faer::{Accum, Conj, MatMut, MatRef, Par, Side};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};
use num_complex::Complex64;

use crate::error::{Error, Result};

pub(crate) mod generic;

/// A zero-copy faer view of an ndarray view.
pub(crate) fn view<'a>(a: &ArrayView2<'a, f64>) -> MatRef<'a, f64> {
    let (m, n) = a.dim();
    let s = a.strides();
    // SAFETY: the pointer, shape and element strides come from a live ndarray view with
    // lifetime 'a, so every (i, j) with i < m, j < n addresses an initialised f64 of that view.
    unsafe { MatRef::from_raw_parts(a.as_ptr(), m, n, s[0], s[1]) }
}

/// A zero-copy mutable faer view of an ndarray view, borrowing it for as long as the faer
/// view lives (two calls cannot hand out aliasing `MatMut`s).
pub(crate) fn view_mut<'b>(a: &'b mut ArrayViewMut2<'_, f64>) -> MatMut<'b, f64> {
    let (m, n) = a.dim();
    let (rs, cs) = (a.strides()[0], a.strides()[1]);
    // SAFETY: the pointer, shape and element strides come from a live ndarray view, so every
    // (i, j) with i < m, j < n addresses an initialised f64 of it; the view is borrowed
    // mutably for 'b, the faer view's lifetime, so nothing else reaches those elements
    // meanwhile, and mutable ndarray views never alias themselves (ndarray rejects
    // overlapping strides for them).
    unsafe { MatMut::from_raw_parts_mut(a.as_mut_ptr(), m, n, rs, cs) }
}

/// Copies a faer matrix into an owned (column-major) ndarray array.
pub(crate) fn to_array(m: MatRef<'_, f64>) -> Array2<f64> {
    let mut out = Array2::<f64>::zeros((m.nrows(), m.ncols()).f());
    for (j, mut col) in out.columns_mut().into_iter().enumerate() {
        col.iter_mut()
            .zip(m.col(j).iter())
            .for_each(|(o, v)| *o = *v);
    }
    out
}

/// Power-of-two scaling of a matrix whose largest magnitude is far from 1.
///
/// faer's iterative SVD and eigen solvers lose convergence (or accuracy) when entries are
/// near the overflow or underflow thresholds (seen at 1e±150 and beyond). LAPACK's drivers
/// scale such input into range first (`dlascl`); we do the same with a power of two, which
/// is exact, and scale singular values/eigenvalues back.
pub(crate) fn scale_into_range(a: &ArrayView2<'_, f64>) -> Option<(Array2<f64>, Rescale)> {
    let amax = match a.as_slice_memory_order() {
        Some(s) => crate::array::abs_max(s),
        None => a.iter().fold(0.0f64, |m, v| m.max(v.abs())),
    };
    // Within [2^-64, 2^64] products and sums of squares are safe for any n we can store.
    if amax == 0.0 || !amax.is_finite() || (2f64.powi(-64)..=2f64.powi(64)).contains(&amax) {
        return None;
    }
    let e = amax.log2().round() as i32;
    Some((a.mapv(|v| pow2_scale(v, -e)), Rescale(e)))
}

/// `v · 2^e` in two steps, so that exponents beyond ±1023 (subnormal input has a
/// largest magnitude down to 2^-1074) do not overflow the factor itself.
pub(crate) fn pow2_scale(v: f64, e: i32) -> f64 {
    let h = e / 2;
    v * 2f64.powi(h) * 2f64.powi(e - h)
}

/// The power of two a scaled problem's singular values or eigenvalues are multiplied by.
#[derive(Clone, Copy)]
pub(crate) struct Rescale(pub(crate) i32);

impl Rescale {
    fn apply(self, v: f64) -> f64 {
        pow2_scale(v, self.0)
    }
}

/// The parallelism faer uses for the size of problem at hand: sequential for small
/// problems, where thread start-up costs more than it saves.
pub(crate) fn par_for(flops: usize) -> Par {
    // Below ~2·64³ flops a single core finishes in microseconds; spawning costs more.
    if flops < 2 * 64 * 64 * 64 {
        Par::Seq
    } else {
        faer::get_global_parallelism()
    }
}

/// Sets faer's global thread count.
pub(crate) fn set_threads(n: usize) {
    faer::set_global_parallelism(if n <= 1 { Par::Seq } else { Par::rayon(n) });
}

/// faer's current thread count.
pub(crate) fn threads() -> usize {
    faer::get_global_parallelism().degree().max(1)
}

/// `c = a @ b` (or `c += a @ b` when `accumulate`), written into `c` in place.
pub(crate) fn matmul_into(
    c: &mut ArrayViewMut2<'_, f64>,
    a: &ArrayView2<'_, f64>,
    b: &ArrayView2<'_, f64>,
    accumulate: bool,
) {
    // Large products go to our packed GEMM (AVX-512 or AVX2 kernel), which beats faer at
    // 2048–4096 and for every transposed `A` ≥ 1024 (crate::kernels::gemm::preferred has the
    // rule and the measurements); everything else stays on faer, which is faster for small
    // and skinny shapes.
    // Matrix–vector products (and vector–matrix ones, transposed) with a matrix larger
    // than the cache are memory-bound: the gemv kernel streams it once, on every core,
    // without packing.
    if b.ncols() == 1
        && crate::kernels::gemv::preferred(a.nrows(), a.ncols())
        && crate::kernels::gemv::gemv(a, &b.column(0), &mut c.column_mut(0), accumulate)
    {
        return;
    }
    if a.nrows() == 1
        && crate::kernels::gemv::preferred(b.ncols(), b.nrows())
        && crate::kernels::gemv::gemv(&b.t(), &a.row(0), &mut c.row_mut(0), accumulate)
    {
        return;
    }
    if crate::kernels::gemm::preferred(a, b) {
        crate::kernels::gemm::gemm_into(c, a, b, accumulate);
        return;
    }
    let flops = a
        .nrows()
        .saturating_mul(a.ncols())
        .saturating_mul(b.ncols());
    let beta = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    let par = par_for(flops);
    if par == Par::Seq {
        faer::linalg::matmul::matmul(view_mut(c), beta, view(a), view(b), 1.0, par);
    } else {
        let cv = view_mut(c);
        let (av, bv) = (view(a), view(b));
        crate::kernels::pool::in_pool(usize::MAX, || {
            faer::linalg::matmul::matmul(cv, beta, av, bv, 1.0, par);
        });
    }
}

/// `c = a @ b` (or `c += a @ b`) in single precision: our packed `f32` GEMM where
/// [`crate::kernels::gemm::preferred_f32`] says it wins, faer's `f32` product otherwise.
pub(crate) fn matmul_into_f32(
    c: &mut ArrayViewMut2<'_, f32>,
    a: &ArrayView2<'_, f32>,
    b: &ArrayView2<'_, f32>,
    accumulate: bool,
) {
    if crate::kernels::gemm::preferred_f32(a, b) {
        crate::kernels::gemm::gemm_into(c, a, b, accumulate);
    } else {
        generic::matmul_into(c, a, b, accumulate);
    }
}

/// `c = alpha · a @ b` (or `c += alpha · a @ b` when `accumulate`) by faer's GEMM, parallel
/// for large products: the kernels' fallback where they have no SIMD micro-kernel.
pub(crate) fn faer_gemm(
    c: &mut ArrayViewMut2<'_, f64>,
    a: &ArrayView2<'_, f64>,
    b: &ArrayView2<'_, f64>,
    alpha: f64,
    accumulate: bool,
) {
    let flops = a
        .nrows()
        .saturating_mul(a.ncols())
        .saturating_mul(b.ncols());
    let beta = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    faer::linalg::matmul::matmul(view_mut(c), beta, view(a), view(b), alpha, par_for(flops));
}

/// Householder QR of a tall `a` (m ≥ n ≥ 1) by faer's low-level driver on one column-major
/// copy: returns the unit lower trapezoidal basis (m × n, as faer's `split_LU` leaves it),
/// the block coefficients, and R (n × n, exact zeros below the diagonal).
fn householder_qr(a: &ArrayView2<'_, f64>, par: Par) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let (m, n) = a.dim();
    debug_assert!(m >= n);
    let mut f = Array2::<f64>::zeros((m, n).f());
    f.assign(a);
    let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(m, n);
    let mut coeff = Array2::<f64>::zeros((bs, n).f());
    let req = faer::linalg::qr::no_pivoting::factor::qr_in_place_scratch::<f64>(
        m,
        n,
        bs,
        par,
        Default::default(),
    );
    let mut mem = faer::dyn_stack::MemBuffer::new(req);
    faer::linalg::qr::no_pivoting::factor::qr_in_place(
        view_mut(&mut f.view_mut()),
        view_mut(&mut coeff.view_mut()),
        par,
        faer::dyn_stack::MemStack::new(&mut mem),
        Default::default(),
    );
    // R: the upper triangle of the top n × n block, which then becomes unit lower.
    let mut r = Array2::<f64>::zeros((n, n).f());
    for j in 0..n {
        for i in 0..=j {
            r[(i, j)] = f[(i, j)];
            f[(i, j)] = if i == j { 1.0 } else { 0.0 };
        }
    }
    (f, coeff, r)
}

/// Householder QR: `(Q, R)`, thin (`k = min(m, n)` columns of Q) or complete.
pub(crate) fn qr(a: &ArrayView2<'_, f64>, complete: bool) -> (Array2<f64>, Array2<f64>) {
    crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || qr_impl(a, complete))
}

fn qr_impl(a: &ArrayView2<'_, f64>, complete: bool) -> (Array2<f64>, Array2<f64>) {
    // Householder norms of subnormal columns underflow; factor 2^-e · A and scale R back.
    if let Some((scaled, factor)) = scale_into_range(a) {
        let (q, r) = qr(&scaled.view(), complete);
        return (q, r.mapv(|v| factor.apply(v)));
    }
    let (m, n) = a.dim();
    if m < n || n == 0 {
        let f = faer::linalg::solvers::Qr::new(view(a));
        return if complete {
            (to_array(f.compute_Q().as_ref()), to_array(f.R()))
        } else {
            (to_array(f.compute_thin_Q().as_ref()), to_array(f.thin_R()))
        };
    }
    // m ≥ n: faer's low-level drivers on one column-major copy of A, which becomes the
    // Householder basis; Q is formed straight in the output array (faer's `Qr` would hold
    // three more copies: its own A, the split basis and R, then ours of Q and R).
    let par = faer::get_global_parallelism();
    let (f, coeff, r) = householder_qr(a, par);
    let bs = coeff.nrows();
    let qcols = if complete { m } else { n };
    let mut q = Array2::<f64>::zeros((m, qcols).f());
    for i in 0..qcols {
        q[(i, i)] = 1.0;
    }
    let req =
        faer::linalg::householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<
            f64,
        >(m, bs, qcols);
    let mut mem = faer::dyn_stack::MemBuffer::new(req);
    faer::linalg::householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
        view(&f.view()),
        view(&coeff.view()),
        Conj::No,
        view_mut(&mut q.view_mut()),
        par,
        faer::dyn_stack::MemStack::new(&mut mem),
    );
    (q, r)
}

/// Householder QR of a tall `a` (m ≥ n) applied to `b` without forming Q: overwrites `b`
/// with `Qᵀ b` and returns the n × n factor R. Returns `None` when `a` needs rescaling
/// (entries outside [2^-64, 2^64]); callers then take the SVD path.
pub(crate) fn qr_apply_qt(
    a: &ArrayView2<'_, f64>,
    b: &mut ArrayViewMut2<'_, f64>,
) -> Option<Array2<f64>> {
    crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || qr_apply_qt_impl(a, b))
}

fn qr_apply_qt_impl(
    a: &ArrayView2<'_, f64>,
    b: &mut ArrayViewMut2<'_, f64>,
) -> Option<Array2<f64>> {
    if scale_into_range(a).is_some() {
        return None;
    }
    let (f, coeff, r) = householder_qr(a, faer::get_global_parallelism());
    let req = faer::linalg::householder::apply_block_householder_sequence_transpose_on_the_left_in_place_scratch::<f64>(
        a.nrows(),
        coeff.nrows(),
        b.ncols(),
    );
    let mut mem = faer::dyn_stack::MemBuffer::new(req);
    faer::linalg::householder::apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj(
        view(&f.view()),
        view(&coeff.view()),
        Conj::No,
        view_mut(b),
        faer::get_global_parallelism(),
        faer::dyn_stack::MemStack::new(&mut mem),
    );
    Some(r)
}

thread_local! {
    /// [`qr_r_leaf`]'s buffers, kept between calls: the column-major matrix, the block
    /// Householder coefficients and faer's scratch. Fresh megabyte-sized allocations for
    /// every small QR are returned to the OS and page-faulted back each time.
    static QR_LEAF: std::cell::RefCell<QrLeaf> = std::cell::RefCell::new(QrLeaf::default());
}

#[derive(Default)]
struct QrLeaf {
    a: Vec<f64>,
    coeff: Vec<f64>,
    scratch: Option<(usize, usize, faer::dyn_stack::MemBuffer)>,
}

/// The `n × n` factor R (upper triangle; signs as faer leaves them) of the Householder QR
/// of the `m × n` matrix (`m ≥ n`) that `fill` writes into a zeroed column-major buffer,
/// on the calling thread only and in buffers this thread reuses: the leaves of a tree of
/// QRs whose branches run in parallel. Returns `None` when the matrix needs rescaling
/// (entries outside [2^-64, 2^64]: the caller takes the general path).
pub(crate) fn qr_r_leaf(
    m: usize,
    n: usize,
    fill: impl FnOnce(&mut ArrayViewMut2<'_, f64>),
) -> Option<Array2<f64>> {
    debug_assert!(m >= n);
    QR_LEAF.with(|cell| {
        let mut guard = cell.borrow_mut();
        let QrLeaf { a, coeff, scratch } = &mut *guard;
        a.clear();
        a.resize(m * n, 0.0);
        let mut av = ArrayViewMut2::from_shape((m, n).f(), &mut a[..]).ok()?;
        fill(&mut av);
        if scale_into_range(&av.view()).is_some() {
            return None;
        }
        let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(m, n);
        coeff.clear();
        coeff.resize(bs * n, 0.0);
        let mut cv = ArrayViewMut2::from_shape((bs, n).f(), &mut coeff[..]).ok()?;
        let req = faer::linalg::qr::no_pivoting::factor::qr_in_place_scratch::<f64>(
            m,
            n,
            bs,
            Par::Seq,
            Default::default(),
        );
        let fits = matches!(scratch, Some((size, align, _))
            if *size >= req.size_bytes() && *align >= req.align_bytes());
        if !fits {
            *scratch = Some((
                req.size_bytes(),
                req.align_bytes(),
                faer::dyn_stack::MemBuffer::new(req),
            ));
        }
        let (_, _, mem) = scratch.as_mut()?;
        faer::linalg::qr::no_pivoting::factor::qr_in_place(
            view_mut(&mut av),
            view_mut(&mut cv),
            Par::Seq,
            faer::dyn_stack::MemStack::new(mem),
            Default::default(),
        );
        Some(Array2::from_shape_fn((n, n), |(i, j)| {
            if i <= j { av[(i, j)] } else { 0.0 }
        }))
    })
}

/// Solves `L Y = B` (lower triangular) then `Lᵀ X = Y`, in place: `A X = B` for `A = L Lᵀ`.
pub(crate) fn llt_solve_in_place(l: &ArrayView2<'_, f64>, b: &mut ArrayViewMut2<'_, f64>) {
    let lv = view(l);
    let par = par_for(
        l.nrows()
            .saturating_mul(l.nrows())
            .saturating_mul(b.ncols()),
    );
    faer::linalg::triangular_solve::solve_lower_triangular_in_place(lv, view_mut(b), par);
    faer::linalg::triangular_solve::solve_upper_triangular_in_place(
        lv.transpose(),
        view_mut(b),
        par,
    );
}

/// Eigen-decomposition of the symmetric 2 × 2 matrix `[[a, b], [b, c]]`, as LAPACK's
/// `dlaev2`: returns `(rt1, rt2, cs1, sn1)` with |rt1| ≥ |rt2| and (cs1, sn1) the unit
/// eigenvector of rt1. The smaller eigenvalue is computed as det / rt1, without the
/// cancellation of the textbook formula, so diag(1, 1e-17) keeps its 1e-17 (faer's
/// general path returns 0 there).
fn laev2(a: f64, b: f64, c: f64) -> (f64, f64, f64, f64) {
    let sm = a + c;
    let df = a - c;
    let adf = df.abs();
    let tb = b + b;
    let ab = tb.abs();
    let (acmx, acmn) = if a.abs() > c.abs() { (a, c) } else { (c, a) };
    let rt = if adf > ab {
        adf * (1.0 + (ab / adf).powi(2)).sqrt()
    } else if adf < ab {
        ab * (1.0 + (adf / ab).powi(2)).sqrt()
    } else {
        ab * std::f64::consts::SQRT_2
    };
    let (rt1, rt2, sgn1) = if sm < 0.0 {
        let rt1 = 0.5 * (sm - rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b, -1.0)
    } else if sm > 0.0 {
        let rt1 = 0.5 * (sm + rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b, 1.0)
    } else {
        (0.5 * rt, -0.5 * rt, 1.0)
    };
    let (cs, sgn2) = if df >= 0.0 {
        (df + rt, 1.0)
    } else {
        (df - rt, -1.0)
    };
    let (mut cs1, mut sn1);
    if cs.abs() > ab {
        let ct = -tb / cs;
        sn1 = 1.0 / (1.0 + ct * ct).sqrt();
        cs1 = ct * sn1;
    } else if ab == 0.0 {
        cs1 = 1.0;
        sn1 = 0.0;
    } else {
        let tn = -cs / tb;
        cs1 = 1.0 / (1.0 + tn * tn).sqrt();
        sn1 = tn * cs1;
    }
    if sgn1 == sgn2 {
        let tn = cs1;
        cs1 = -sn1;
        sn1 = tn;
    }
    (rt1, rt2, cs1, sn1)
}

/// [`laev2`] arranged as `eigh` returns it: ascending values, eigenvectors as columns.
fn eigh_2x2(a: &ArrayView2<'_, f64>) -> (Array1<f64>, Array2<f64>) {
    let (rt1, rt2, cs1, sn1) = laev2(a[[0, 0]], a[[1, 0]], a[[1, 1]]);
    // eigenvector of rt1 is (cs1, sn1); of rt2 the orthogonal (−sn1, cs1)
    if rt1 <= rt2 {
        (
            ndarray::array![rt1, rt2],
            ndarray::array![[cs1, -sn1], [sn1, cs1]],
        )
    } else {
        (
            ndarray::array![rt2, rt1],
            ndarray::array![[-sn1, cs1], [cs1, sn1]],
        )
    }
}

/// Symmetric eigendecomposition from the lower triangle: ascending eigenvalues and
/// orthonormal eigenvector columns.
pub(crate) fn self_adjoint_eigen(
    op: &'static str,
    a: &ArrayView2<'_, f64>,
) -> Result<(Array1<f64>, Array2<f64>)> {
    crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || self_adjoint_eigen_impl(op, a))
}

fn self_adjoint_eigen_impl(
    op: &'static str,
    a: &ArrayView2<'_, f64>,
) -> Result<(Array1<f64>, Array2<f64>)> {
    if let Some((scaled, factor)) = scale_into_range(a) {
        let (w, v) = self_adjoint_eigen(op, &scaled.view())?;
        return Ok((w.mapv(|x| factor.apply(x)), v));
    }
    if a.nrows() == 2 {
        return Ok(eigh_2x2(a));
    }
    // faer's low-level driver writes straight into the (column-major) output arrays: no
    // second copy of the eigenvectors, at peak or afterwards.
    let n = a.nrows();
    let mut w = Array1::<f64>::zeros(n);
    let mut u = Array2::<f64>::zeros((n, n).f());
    let par = faer::get_global_parallelism();
    let compute = faer::linalg::evd::ComputeEigenvectors::Yes;
    let req =
        faer::linalg::evd::self_adjoint_evd_scratch::<f64>(n, compute, par, Default::default());
    let mut mem = faer::dyn_stack::MemBuffer::new(req);
    faer::linalg::evd::self_adjoint_evd(
        view(a),
        diag_mut(&mut w),
        Some(view_mut(&mut u.view_mut())),
        par,
        faer::dyn_stack::MemStack::new(&mut mem),
        Default::default(),
    )
    .map_err(|_| Error::NoConvergence { op })?;
    Ok((w, u))
}

/// A faer diagonal over a contiguous ndarray vector.
fn diag_mut(v: &mut Array1<f64>) -> faer::diag::DiagMut<'_, f64> {
    // safe because the vector was just created by Array1::zeros, which is contiguous
    let s = v.as_slice_mut().expect("a fresh Array1 is contiguous");
    faer::diag::DiagMut::from_slice_mut(s)
}

/// Symmetric eigenvalues only, ascending.
pub(crate) fn self_adjoint_eigenvalues(
    op: &'static str,
    a: &ArrayView2<'_, f64>,
) -> Result<Array1<f64>> {
    crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || {
        self_adjoint_eigenvalues_impl(op, a)
    })
}

fn self_adjoint_eigenvalues_impl(op: &'static str, a: &ArrayView2<'_, f64>) -> Result<Array1<f64>> {
    if let Some((scaled, factor)) = scale_into_range(a) {
        return Ok(self_adjoint_eigenvalues(op, &scaled.view())?.mapv(|x| factor.apply(x)));
    }
    if a.nrows() == 2 {
        return Ok(eigh_2x2(a).0);
    }
    let w = view(a)
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|_| Error::NoConvergence { op })?;
    Ok(Array1::from(w))
}

/// General (real) eigendecomposition: complex eigenvalues and eigenvectors.
pub(crate) fn eigen(
    op: &'static str,
    a: &ArrayView2<'_, f64>,
) -> Result<(Array1<Complex64>, Array2<Complex64>)> {
    crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || eigen_impl(op, a))
}

fn eigen_impl(
    op: &'static str,
    a: &ArrayView2<'_, f64>,
) -> Result<(Array1<Complex64>, Array2<Complex64>)> {
    if let Some((scaled, factor)) = scale_into_range(a) {
        let (w, v) = eigen(op, &scaled.view())?;
        return Ok((
            w.mapv(|z| Complex64::new(factor.apply(z.re), factor.apply(z.im))),
            v,
        ));
    }
    // faer's low-level driver writes the real eigenvector matrix (conjugate pairs as
    // (re, im) column pairs) into our array; we expand it to complex once, as faer's
    // `Eigen::new_from_real` does, without its second complex copy.
    let n = a.nrows();
    let mut s_re = Array1::<f64>::zeros(n);
    let mut s_im = Array1::<f64>::zeros(n);
    let mut u = Array2::<f64>::zeros((n, n).f());
    let par = faer::get_global_parallelism();
    let req = faer::linalg::evd::evd_scratch::<f64>(
        n,
        faer::linalg::evd::ComputeEigenvectors::No,
        faer::linalg::evd::ComputeEigenvectors::Yes,
        par,
        Default::default(),
    );
    let mut mem = faer::dyn_stack::MemBuffer::new(req);
    faer::linalg::evd::evd_real(
        view(a),
        diag_mut(&mut s_re),
        diag_mut(&mut s_im),
        None,
        Some(view_mut(&mut u.view_mut())),
        par,
        faer::dyn_stack::MemStack::new(&mut mem),
        Default::default(),
    )
    .map_err(|_| Error::NoConvergence { op })?;
    drop(mem);
    let mut w = Array1::<Complex64>::zeros(n);
    let mut uc = Array2::<Complex64>::zeros((n, n).f());
    let mut j = 0;
    while j < n {
        if s_im[j] == 0.0 || j + 1 == n {
            w[j] = Complex64::new(s_re[j], s_im[j]);
            for (o, &x) in uc.column_mut(j).iter_mut().zip(u.column(j)) {
                *o = Complex64::new(x, 0.0);
            }
            j += 1;
        } else {
            w[j] = Complex64::new(s_re[j], s_im[j]);
            w[j + 1] = Complex64::new(s_re[j], -s_im[j]);
            for i in 0..n {
                let (re, im) = (u[(i, j)], u[(i, j + 1)]);
                uc[(i, j)] = Complex64::new(re, im);
                uc[(i, j + 1)] = Complex64::new(re, -im);
            }
            j += 2;
        }
    }
    Ok((w, uc))
}

/// Which singular vectors to compute.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SvdKind {
    Thin,
    Full,
}

/// SVD `A = U Σ Vᵀ`; returns `(U, s, V)` (V, not Vᵀ), s descending.
pub(crate) fn svd(
    op: &'static str,
    a: &ArrayView2<'_, f64>,
    kind: SvdKind,
) -> Result<(Array2<f64>, Array1<f64>, Array2<f64>)> {
    crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || svd_impl(op, a, kind))
}

fn svd_impl(
    op: &'static str,
    a: &ArrayView2<'_, f64>,
    kind: SvdKind,
) -> Result<(Array2<f64>, Array1<f64>, Array2<f64>)> {
    if let Some((scaled, factor)) = scale_into_range(a) {
        let (u, s, v) = svd(op, &scaled.view(), kind)?;
        return Ok((u, s.mapv(|x| factor.apply(x)), v));
    }
    // faer's low-level driver writes straight into the (column-major) output arrays.
    let (m, n) = a.dim();
    let k = m.min(n);
    let (compute, ucols, vcols) = match kind {
        SvdKind::Thin => (faer::linalg::svd::ComputeSvdVectors::Thin, k, k),
        SvdKind::Full => (faer::linalg::svd::ComputeSvdVectors::Full, m, n),
    };
    let mut s = Array1::<f64>::zeros(k);
    let mut u = Array2::<f64>::zeros((m, ucols).f());
    let mut v = Array2::<f64>::zeros((n, vcols).f());
    let par = faer::get_global_parallelism();
    let req =
        faer::linalg::svd::svd_scratch::<f64>(m, n, compute, compute, par, Default::default());
    let mut mem = faer::dyn_stack::MemBuffer::new(req);
    faer::linalg::svd::svd(
        view(a),
        diag_mut(&mut s),
        Some(view_mut(&mut u.view_mut())),
        Some(view_mut(&mut v.view_mut())),
        par,
        faer::dyn_stack::MemStack::new(&mut mem),
        Default::default(),
    )
    .map_err(|_| Error::NoConvergence { op })?;
    Ok((u, s, v))
}

/// Singular values only, descending.
pub(crate) fn singular_values(op: &'static str, a: &ArrayView2<'_, f64>) -> Result<Array1<f64>> {
    crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || singular_values_impl(op, a))
}

fn singular_values_impl(op: &'static str, a: &ArrayView2<'_, f64>) -> Result<Array1<f64>> {
    if let Some((scaled, factor)) = scale_into_range(a) {
        return Ok(singular_values(op, &scaled.view())?.mapv(|x| factor.apply(x)));
    }
    let s = view(a)
        .singular_values()
        .map_err(|_| Error::NoConvergence { op })?;
    Ok(Array1::from(s))
}
