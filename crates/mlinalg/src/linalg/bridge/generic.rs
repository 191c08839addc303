//! faer's generic kernels for every [`Scalar`] (`f32`, `f64`, [`Complex32`](crate::Complex32),
//! [`Complex64`](crate::Complex64)): the adapter the dtype-generic routines of
//! [`crate::linalg`] call for the types without a hand-written kernel.
//!
//! `f64` keeps its own paths in the parent module (our LU, Cholesky and GEMM in
//! [`crate::kernels`], LAPACK-style range scaling, the 2 × 2 symmetric eigensolver); the
//! functions here serve `f32` and the complex types, in the input's own precision, as
//! LAPACK's `s*`, `c*` and `z*` routines do for NumPy. They accept `f64` too, which the
//! tests use to check the two paths against each other.
//!
//! Like the parent module, this is the only place naming faer types for those types.

use faer::linalg::solvers::{DenseSolveCore, SolveCore};
use faer::{Accum, Conj, MatMut, MatRef, Par, Side};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};

use super::{SvdKind, par_for};
use crate::error::{Error, Result};
use crate::scalar::{ComplexOf, RealScalar, Scalar};

/// `(U, s, V)` of an SVD with element type `T` and real type `R`.
pub(crate) type SvdParts<T, R> = (Array2<T>, Array1<R>, Array2<T>);

/// `(eigenvalues, eigenvectors)` of a general eigendecomposition (complex type `C`).
pub(crate) type EigParts<C> = (Array1<C>, Array2<C>);

/// A zero-copy faer view of an ndarray view.
pub(crate) fn view<'a, T: Scalar>(a: &ArrayView2<'a, T>) -> MatRef<'a, T> {
    let (m, n) = a.dim();
    let s = a.strides();
    // SAFETY: the pointer, shape and element strides come from a live ndarray view with
    // lifetime 'a, so every (i, j) with i < m, j < n addresses an initialised T of that view.
    unsafe { MatRef::from_raw_parts(a.as_ptr(), m, n, s[0], s[1]) }
}

/// A zero-copy mutable faer view of an ndarray view, borrowing it for as long as the faer
/// view lives.
pub(crate) fn view_mut<'b, T: Scalar>(a: &'b mut ArrayViewMut2<'_, T>) -> MatMut<'b, T> {
    let (m, n) = a.dim();
    let (rs, cs) = (a.strides()[0], a.strides()[1]);
    // SAFETY: as `view`; the ndarray view is borrowed mutably for 'b, the faer view's
    // lifetime, and mutable ndarray views never alias themselves.
    unsafe { MatMut::from_raw_parts_mut(a.as_mut_ptr(), m, n, rs, cs) }
}

/// Copies a faer matrix into an owned (column-major) ndarray array.
pub(crate) fn to_array<T: Scalar>(m: MatRef<'_, T>) -> Array2<T> {
    Array2::from_shape_fn((m.nrows(), m.ncols()).f(), |(i, j)| m[(i, j)])
}

/// `v · 2^e` in two steps, so that factors beyond the type's exponent range (subnormal
/// input) do not overflow the factor itself.
pub(crate) fn pow2_scale<T: Scalar>(v: T, e: i32) -> T {
    let h = e / 2;
    let f1 = <T::Real as Scalar>::from_f64(2f64.powi(h));
    let f2 = <T::Real as Scalar>::from_f64(2f64.powi(e - h));
    v.mul_real(f1).mul_real(f2)
}

/// The half-width (as a power of two) of the magnitude range in which faer's iterative
/// solvers are accurate: 2^±64 for `f64` (as the parent module), 2^±32 for `f32`, whose
/// squares and sums of squares must stay inside its exponent range of 2^±126.
fn safe_exponent<T: Scalar>() -> i32 {
    if T::eps().to_f64() > 1e-10 { 32 } else { 64 }
}

/// Power-of-two scaling of a matrix whose largest magnitude is far from 1 (LAPACK's
/// `xlascl`): `Some((2^-e · A, e))`, or `None` when `A` is in range.
pub(crate) fn scale_into_range<T: Scalar>(a: &ArrayView2<'_, T>) -> Option<(Array2<T>, i32)> {
    let amax = a
        .iter()
        .fold(<T::Real as RealScalar>::from_usize(0), |m, v| {
            RealScalar::max(m, v.abs())
        })
        .to_f64();
    let lim = 2f64.powi(safe_exponent::<T>());
    if amax == 0.0 || !amax.is_finite() || (1.0 / lim..=lim).contains(&amax) {
        return None;
    }
    let e = amax.log2().round() as i32;
    Some((a.mapv(|v| pow2_scale(v, -e)), e))
}

/// `x · 2^e` for a real value.
fn rescale<R: RealScalar>(x: R, e: i32) -> R {
    pow2_scale(x, e)
}

/// `c = a @ b` (or `c += a @ b` when `accumulate`) by faer's generic product.
pub(crate) fn matmul_into<T: Scalar>(
    c: &mut ArrayViewMut2<'_, T>,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
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
    let par = par_for(flops);
    let one = T::from_f64(1.0);
    if par == Par::Seq {
        faer::linalg::matmul::matmul(view_mut(c), beta, view(a), view(b), one, par);
    } else {
        let cv = view_mut(c);
        let (av, bv) = (view(a), view(b));
        crate::kernels::pool::in_pool(usize::MAX, || {
            faer::linalg::matmul::matmul(cv, beta, av, bv, one, par);
        });
    }
}

/// LU with partial pivoting `P A = L U` of a square matrix (LAPACK `xgetrf`), scaled into
/// range first as the `f64` path does.
pub(crate) struct Lu<T: Scalar> {
    f: faer::linalg::solvers::PartialPivLu<T>,
    exp: i32,
}

impl<T: Scalar> Lu<T> {
    pub(crate) fn new(a: &ArrayView2<'_, T>) -> Self {
        let n = a.nrows();
        let go = |a: &ArrayView2<'_, T>| {
            crate::kernels::pool::in_pool(n, || faer::linalg::solvers::PartialPivLu::new(view(a)))
        };
        match scale_into_range(a) {
            Some((scaled, exp)) => Lu {
                f: go(&scaled.view()),
                exp,
            },
            None => Lu { f: go(a), exp: 0 },
        }
    }

    /// The order n.
    pub(crate) fn n(&self) -> usize {
        self.f.U().nrows()
    }

    /// The scaling exponent e of `A = 2^e · A_s`.
    pub(crate) fn exp(&self) -> i32 {
        self.exp
    }

    /// `l_ij` (unit diagonal).
    pub(crate) fn l(&self, i: usize, j: usize) -> T {
        self.f.L()[(i, j)]
    }

    /// `u_ij`.
    pub(crate) fn u(&self, i: usize, j: usize) -> T {
        self.f.U()[(i, j)]
    }

    /// The sign (±1) of the row permutation: (−1)^(n − number of cycles).
    pub(crate) fn perm_sign(&self) -> f64 {
        let (fwd, _) = self.f.P().arrays();
        let n = fwd.len();
        let mut seen = vec![false; n];
        let mut transpositions = 0usize;
        for start in 0..n {
            let mut i = start;
            let mut len = 0usize;
            while !seen[i] {
                seen[i] = true;
                i = fwd[i];
                len += 1;
            }
            transpositions += len.saturating_sub(1);
        }
        if transpositions.is_multiple_of(2) {
            1.0
        } else {
            -1.0
        }
    }

    /// Solves `A X = B` in place (`X = A_s⁻¹ B · 2^-e`).
    pub(crate) fn solve_in_place(&self, b: &mut Array2<T>) {
        self.f
            .solve_in_place_with_conj(Conj::No, view_mut(&mut b.view_mut()));
        if self.exp != 0 {
            b.mapv_inplace(|v| pow2_scale(v, -self.exp));
        }
    }

    /// `A⁻¹ = A_s⁻¹ · 2^-e`.
    pub(crate) fn inverse(&self) -> Array2<T> {
        let inv = to_array(self.f.inverse().as_ref());
        if self.exp == 0 {
            inv
        } else {
            inv.mapv(|v| pow2_scale(v, -self.exp))
        }
    }
}

/// Lower Cholesky factor of a Hermitian positive-definite matrix from its lower triangle
/// (LAPACK `xpotrf`), exact zeros above the diagonal.
pub(crate) fn llt<T: Scalar>(op: &'static str, a: &ArrayView2<'_, T>) -> Result<Array2<T>> {
    let n = a.nrows();
    let f = crate::kernels::pool::in_pool(n, || view(a).llt(Side::Lower))
        .map_err(|_| Error::NotPositiveDefinite { op })?;
    let mut l = to_array(f.L());
    // exact zeros above the diagonal, as LAPACK's potrf leaves them for NumPy, and a real
    // diagonal (the square roots of real pivots; faer's complex arithmetic may leave a
    // rounding-level imaginary part)
    for ((i, j), v) in l.indexed_iter_mut() {
        if j > i {
            *v = T::from_f64(0.0);
        } else if j == i {
            *v = T::from_real(v.re());
        }
    }
    Ok(l)
}

/// Solves `L Y = B` then `Lᴴ X = Y` in place: `A X = B` for `A = L Lᴴ`.
pub(crate) fn llt_solve_in_place<T: Scalar>(l: &ArrayView2<'_, T>, b: &mut ArrayViewMut2<'_, T>) {
    let lv = view(l);
    let par = par_for(
        l.nrows()
            .saturating_mul(l.nrows())
            .saturating_mul(b.ncols()),
    );
    faer::linalg::triangular_solve::solve_lower_triangular_in_place(lv, view_mut(b), par);
    faer::linalg::triangular_solve::solve_upper_triangular_in_place(lv.adjoint(), view_mut(b), par);
}

/// Hermitian eigendecomposition from the lower triangle: ascending real eigenvalues and
/// orthonormal eigenvector columns (LAPACK `xsyevd`/`xheevd`).
pub(crate) fn self_adjoint_eigen<T: Scalar>(
    op: &'static str,
    a: &ArrayView2<'_, T>,
) -> Result<(Array1<T::Real>, Array2<T>)> {
    if let Some((scaled, e)) = scale_into_range(a) {
        let (w, v) = self_adjoint_eigen(op, &scaled.view())?;
        return Ok((w.mapv(|x| rescale(x, e)), v));
    }
    let n = a.nrows();
    let f = crate::kernels::pool::in_pool(n, || view(a).self_adjoint_eigen(Side::Lower))
        .map_err(|_| Error::NoConvergence { op })?;
    let w = Array1::from_shape_fn(n, |i| f.S().column_vector()[i].re());
    Ok((w, to_array(f.U())))
}

/// Hermitian eigenvalues only, ascending.
pub(crate) fn self_adjoint_eigenvalues<T: Scalar>(
    op: &'static str,
    a: &ArrayView2<'_, T>,
) -> Result<Array1<T::Real>> {
    if let Some((scaled, e)) = scale_into_range(a) {
        return Ok(self_adjoint_eigenvalues(op, &scaled.view())?.mapv(|x| rescale(x, e)));
    }
    let w =
        crate::kernels::pool::in_pool(a.nrows(), || view(a).self_adjoint_eigenvalues(Side::Lower))
            .map_err(|_| Error::NoConvergence { op })?;
    Ok(Array1::from(w))
}

/// General eigendecomposition (LAPACK `xgeev`): complex eigenvalues and eigenvectors, for
/// real or complex input.
pub(crate) fn eigen<T: Scalar>(
    op: &'static str,
    a: &ArrayView2<'_, T>,
) -> Result<EigParts<ComplexOf<T>>> {
    if let Some((scaled, e)) = scale_into_range(a) {
        let (w, v) = eigen(op, &scaled.view())?;
        return Ok((
            w.mapv(|z| <T::Real as RealScalar>::complex(rescale(z.re(), e), rescale(z.im(), e))),
            v,
        ));
    }
    let n = a.nrows();
    let f = crate::kernels::pool::in_pool(n, || view(a).eigen())
        .map_err(|_| Error::NoConvergence { op })?;
    let c = |z: &num_complex::Complex<T::Real>| <T::Real as RealScalar>::complex(z.re, z.im);
    let w = Array1::from_shape_fn(n, |i| c(&f.S().column_vector()[i]));
    let u = f.U();
    let v = Array2::from_shape_fn((n, n).f(), |(i, j)| c(&u[(i, j)]));
    Ok((w, v))
}

/// SVD `A = U Σ Vᴴ`; returns `(U, s, V)` (V, not Vᴴ), s descending (LAPACK `xgesdd`).
pub(crate) fn svd<T: Scalar>(
    op: &'static str,
    a: &ArrayView2<'_, T>,
    kind: SvdKind,
) -> Result<SvdParts<T, T::Real>> {
    if let Some((scaled, e)) = scale_into_range(a) {
        let (u, s, v) = svd(op, &scaled.view(), kind)?;
        return Ok((u, s.mapv(|x| rescale(x, e)), v));
    }
    let (m, n) = a.dim();
    let f = crate::kernels::pool::in_pool(m.max(n), || match kind {
        SvdKind::Thin => view(a).thin_svd(),
        SvdKind::Full => view(a).svd(),
    })
    .map_err(|_| Error::NoConvergence { op })?;
    let s = Array1::from_shape_fn(m.min(n), |i| f.S().column_vector()[i].re());
    Ok((to_array(f.U()), s, to_array(f.V())))
}

/// Singular values only, descending.
pub(crate) fn singular_values<T: Scalar>(
    op: &'static str,
    a: &ArrayView2<'_, T>,
) -> Result<Array1<T::Real>> {
    if let Some((scaled, e)) = scale_into_range(a) {
        return Ok(singular_values(op, &scaled.view())?.mapv(|x| rescale(x, e)));
    }
    let s = crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || view(a).singular_values())
        .map_err(|_| Error::NoConvergence { op })?;
    Ok(Array1::from(s))
}

/// Householder QR (LAPACK `xgeqrf` + `xungqr`): `(Q, R)`, thin (`k = min(m, n)` columns of
/// Q, R k × n) or complete (Q m × m, R min(m, n) × n).
pub(crate) fn qr<T: Scalar>(a: &ArrayView2<'_, T>, complete: bool) -> (Array2<T>, Array2<T>) {
    if let Some((scaled, e)) = scale_into_range(a) {
        let (q, r) = qr(&scaled.view(), complete);
        return (q, r.mapv(|v| pow2_scale(v, e)));
    }
    let f = crate::kernels::pool::in_pool(a.nrows().max(a.ncols()), || {
        faer::linalg::solvers::Qr::new(view(a))
    });
    if complete {
        (to_array(f.compute_Q().as_ref()), to_array(f.R()))
    } else {
        (to_array(f.compute_thin_Q().as_ref()), to_array(f.thin_R()))
    }
}
