//! A BLIS-style packed GEMM for `f64` and `f32` ([`Element`]): `C = A B` or `C += A B` on
//! ndarray views of any layout (C order, F order, transposed, negative strides; the output
//! too).
//!
//! The classic five loops (Goto & van de Geijn; BLIS): for each `nc`-wide column block of
//! `B` and each `kc`-deep slice of the inner dimension, `B` is packed into `kc × NR`
//! micro-panels (by all threads together; shared, L3-resident); the rows of `A` are then
//! cut into `mc`-row blocks that the threads take dynamically (rayon): each packs its
//! block into `MR × kc` micro-panels in its own buffer (L1/L2-resident) and sweeps the
//! register-blocked micro-kernel over them. Packing reads any element strides and pads
//! partial panels with zeros, so the kernel only ever sees contiguous, aligned data.
//! Products below `PAR_THRESHOLD` never touch the thread pool.
//!
//! The micro-kernel (`MR × NR` accumulators held in registers) is chosen at run time:
//! AVX-512F (24 × 8 for `f64`, 48 × 8 for `f32`), AVX2 + FMA (8 × 6; 16 × 6 for `f32`), or
//! portable scalar code (4 × 4). The `f32` kernels are the `f64` ones with twice the lanes
//! per vector register (16 on AVX-512, 8 on AVX2), so the same register tile holds twice
//! the rows and a cycle does twice the multiply-adds. Products are
//! plain IEEE multiply-adds without any zero-skipping, so NaN and ±inf propagate as in
//! NumPy's OpenBLAS-backed `@` (`[[nan]] @ [[0]]` is `[[nan]]`).
//!
//! The kernel's vectors run down a column of `C`; when `C` is row-major the problem is
//! transposed first (`Cᵀ = Bᵀ Aᵀ`, which only swaps strides), so both layouts write `C`
//! with unit-stride vector stores.
use ndarray::{ArrayView2, ArrayViewMut2};
use rayon::prelude::*;
use std::cell::RefCell;
use std::thread::LocalKey;

use super::cache;
use super::isa::Isa;

/// Cache-blocking parameters: depth `kc`, rows of the packed `A` block `mc`, columns of
/// the packed `B` block `nc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Blocking {
    pub(crate) kc: usize,
    pub(crate) mc: usize,
    pub(crate) nc: usize,
}

impl Blocking {
    /// The blocking of the `isa` kernel on the running CPU: [`Blocking::derive`] from the
    /// caches it reports ([`cache::caches`]), or the measured [`Blocking::table`] when they
    /// cannot be read.
    pub(crate) fn for_cpu(isa: Isa) -> Blocking {
        Blocking::for_cpu_of::<f64>(isa)
    }

    /// [`Blocking::for_cpu`] for the `E` kernel: [`Blocking::derive`] with `E`'s size,
    /// or the `f64` table scaled by the element size when the caches cannot be read.
    pub(crate) fn for_cpu_of<E: Element>(isa: Isa) -> Blocking {
        let c = cache::caches();
        let (mr, nr) = E::tile(isa);
        if c.source == cache::Source::Fallback {
            // The same bytes per packed panel as the measured f64 table: a 4-byte element
            // doubles kc; mc stays in whole micro-panels.
            let t = Blocking::table(isa);
            let kc = t.kc * 8 / E::BYTES;
            return Blocking {
                kc,
                mc: (t.mc * 8 * t.kc / (kc * E::BYTES)).div_ceil(mr).max(1) * mr,
                nc: t.nc,
            };
        }
        Blocking::derive(&c, mr, nr, E::BYTES)
    }

    /// BLIS's analytical blocking (Low, Igual, Smith, Quintana-Ortí, "Analytical modeling
    /// is enough for high-performance BLIS", TOMS 2016) for an `mr × nr` micro-kernel, from
    /// the cache sizes; every packed buffer gets half of the cache level it lives in, the
    /// other half being left to the operands that stream through that level:
    ///
    /// * `kc`: the `kc × nr` micro-panel of packed `B` is reused by every `mr × kc`
    ///   micro-panel of `A` that streams past it, so it stays in **L1d**:
    ///   `kc·nr·8 ≤ L1d / 2` (the other half holds the streamed `A` panel and the `C` tile);
    /// * `mc`: the packed `mc × kc` block of `A` is reused for every micro-panel of `B`, so it
    ///   stays in the core's **L2**: `mc·kc·8 ≤ L2 / 2`, in whole micro-panels;
    /// * `nc`: the packed `kc × nc` panel of `B`, shared by the threads, is re-read for
    ///   every `A` block, so it stays in the **L3**, which other cores and processes share:
    ///   `kc·nc·8 ≤ L3 / 8` (on Zen 5, 2–4 MiB panels in a 32 MiB L3 beat 8 MiB ones).
    ///   Without an L3, `kc·nc·8 ≤ 4 · L2`.
    ///
    /// Clamped to `kc` in 32..=1024 (multiples of 8), `nc` in 16·`nr`..=8192, `mc` ≥ `mr`.
    ///
    /// | CPU (caches) | 24 × 8 (AVX-512) | 8 × 6 (AVX2) |
    /// |---|---|---|
    /// | AMD EPYC Zen 4 (this session: 32 KiB L1d, 1 MiB L2, 32 MiB L3) | 256 / 240 / 2048 | 336 / 192 / 1560 |
    /// | AMD Zen 5 (48 KiB, 1 MiB, 32 MiB) | 384 / 168 / 1360 | 512 / 128 / 1020 |
    /// | Intel Xeon of issue 10 (48 KiB, 2 MiB; a 32 MiB L3) | 384 / 336 / 1360 | 512 / 256 / 1020 |
    ///
    /// (`kc / mc / nc`.)
    ///
    /// For elements of `bytes` bytes (the formulas above are for `f64`, 8): `f32` (4)
    /// doubles `kc` for the same `nr`, clamped to 32..=2048:
    ///
    /// | CPU (caches) | 48 × 8 (AVX-512, `f32`) | 16 × 6 (AVX2, `f32`) |
    /// |---|---|---|
    /// | AMD EPYC Zen 4 (32 KiB L1d, 1 MiB L2, 32 MiB L3) | 512 / 240 / 2048 | 680 / 192 / 1542 |
    pub(crate) fn derive(c: &cache::Caches, mr: usize, nr: usize, bytes: usize) -> Blocking {
        let kc = (c.l1d.size / 2 / (nr * bytes)) / 8 * 8;
        let kc = kc.clamp(32, 1024 * 8 / bytes);
        let mc = (c.l2.size / 2 / (kc * bytes)) / mr * mr;
        let mc = mc.max(mr);
        let l3_share = c.l3.map_or(4 * c.l2.size, |l3| l3.size / 8);
        let nc = (l3_share / (kc * bytes)) / nr * nr;
        let nc = nc.clamp(16 * nr, 8192 / nr * nr);
        Blocking { kc, mc, nc }
    }

    /// The constant blocking of the `isa` kernel measured on AMD Zen 5 (L1d 48 KiB, L2
    /// 1 MiB per core, L3 32 MiB shared): the fallback when the caches cannot be read.
    pub(crate) fn table(isa: Isa) -> Blocking {
        match isa {
            // Measured on Zen 5 (2 cores): mc of two micro-panels beats 96–192 with two
            // threads (finer work items balance better and the A block stays in L1/L2);
            // kc 256–512 are within noise of each other; an nc of 1024–2048 (a 2–4 MiB
            // packed B) beats 4096 at n = 4096, most for `Aᵀ B`.
            Isa::Avx512 => Blocking {
                kc: 256,
                mc: 48,
                nc: 2048,
            },
            Isa::Avx2 => Blocking {
                kc: 256,
                mc: 128,
                nc: 4098,
            },
            Isa::Scalar => Blocking {
                kc: 256,
                mc: 64,
                nc: 1024,
            },
        }
    }
}

/// `(MR, NR)` of the `isa` micro-kernel for `f64` (see [`Element::tile`] for `f32`).
pub(crate) const fn tile(isa: Isa) -> (usize, usize) {
    match isa {
        Isa::Avx512 => (24, 8),
        Isa::Avx2 => (8, 6),
        Isa::Scalar => (4, 4),
    }
}

/// Below this many multiply-adds (`m·n·k`) a product runs on the calling thread only:
/// thread hand-off costs more than it saves.
pub(crate) const PAR_THRESHOLD: usize = 128 * 128 * 128;

/// An element type the packed GEMM runs on: `f64` or `f32`, each with its own kernels.
pub(crate) trait Element:
    Copy
    + Send
    + Sync
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Neg<Output = Self>
{
    /// Size in bytes (for the cache blocking).
    const BYTES: usize;
    const ZERO: Self;

    /// `(MR, NR)` of the `isa` micro-kernel for this type.
    fn tile(isa: Isa) -> (usize, usize);

    /// Runs the five loops with the `isa` kernel of this type.
    ///
    /// # Safety
    /// As [`run`]; `isa` is available on this CPU.
    unsafe fn dispatch(p: &Problem<Self>, isa: Isa);
}

impl Element for f64 {
    const BYTES: usize = 8;
    const ZERO: Self = 0.0;

    fn tile(isa: Isa) -> (usize, usize) {
        tile(isa)
    }

    unsafe fn dispatch(p: &Problem<f64>, isa: Isa) {
        // SAFETY: forwarded contract.
        unsafe {
            match isa {
                #[cfg(target_arch = "x86_64")]
                Isa::Avx512 => run::<Avx512>(p),
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 => run::<Avx2>(p),
                _ => run::<Scalar<f64>>(p),
            }
        }
    }
}

impl Element for f32 {
    const BYTES: usize = 4;
    const ZERO: Self = 0.0;

    fn tile(isa: Isa) -> (usize, usize) {
        match isa {
            Isa::Avx512 => (48, 8),
            Isa::Avx2 => (16, 6),
            Isa::Scalar => (4, 4),
        }
    }

    unsafe fn dispatch(p: &Problem<f32>, isa: Isa) {
        // SAFETY: forwarded contract.
        unsafe {
            match isa {
                #[cfg(target_arch = "x86_64")]
                Isa::Avx512 => run::<Avx512F32>(p),
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 => run::<Avx2F32>(p),
                _ => run::<Scalar<f32>>(p),
            }
        }
    }
}

/// `c = a @ b` (or `c += a @ b` when `accumulate`), written into `c` in place.
///
/// Shapes must agree (`a` is `m × k`, `b` is `k × n`, `c` is `m × n`); callers check them.
/// Uses all threads of the current rayon pool when `m·n·k ≥ PAR_THRESHOLD`.
pub(crate) fn gemm_into<E: Element>(
    c: &mut ArrayViewMut2<'_, E>,
    a: &ArrayView2<'_, E>,
    b: &ArrayView2<'_, E>,
    accumulate: bool,
) {
    let isa = Isa::detect();
    let work = c
        .nrows()
        .saturating_mul(c.ncols())
        .saturating_mul(a.ncols());
    let threads = if work < PAR_THRESHOLD {
        1
    } else {
        rayon::current_num_threads()
    };
    gemm_with(
        c,
        a,
        b,
        accumulate,
        isa,
        Blocking::for_cpu_of::<E>(isa),
        threads,
    );
}

/// Whether [`gemm_into`] beats faer's GEMM for `a @ b` (`f64`), by measurements on two
/// machines (2 cores each, two threads, medians of 5–7 in the `bench` harness of this
/// module's tests, both products in the same run):
///
/// * AMD Zen 5, AVX-512 (48 × 8 kernel, quiet machine): C-order `A @ B` faster than faer
///   from 1536³ (1.02×) to 4096³ (1.16–1.21×) and for `4096 × 1024 @ 1024 × 4096`
///   (1.13–1.18×), slower for a 1024 × 1024 output (0.93–0.98× at 1024³, 0.96× at
///   `1024 × 4096 @ 4096 × 1024`); `Aᵀ @ B` on a transposed view faster at every measured
///   size ≥ 1024 (1.09–1.47×).
/// * AMD EPYC Zen 3 (family 25 model 1), AVX2 only (8 × 6 kernel; 32 KiB L1d, 512 KiB L2
///   per core, 32 MiB L3), 2026-12-07, a VM with noisy neighbours (first runs of a series
///   up to 25 % slow, on both sides): C-order 1024³ 0.90–1.02× faer, 2048³ 1.02–1.09×
///   (one 0.76× first run), 4096³ 1.15–1.41×; `Aᵀ @ B` 1.59× at 1024, 2.29× at 2048,
///   2.81× at 4096 (faer's product reads the transposed view at 31–54 GFLOP/s there).
///
/// Hence one rule for both kernels: every dimension ≥ 1024, and either a transposed `A`
/// or an output of at least 1536²; skinny products and matrix–vector products stay with
/// faer. Without AVX2 (the scalar kernel) faer always runs the product.
pub(crate) fn preferred(a: &ArrayView2<'_, f64>, b: &ArrayView2<'_, f64>) -> bool {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if m < 1024 || n < 1024 || k < 1024 || Isa::detect() == Isa::Scalar {
        return false;
    }
    let a_transposed = a.t().is_standard_layout() && !a.is_standard_layout();
    a_transposed || m.saturating_mul(n) >= 1536 * 1536
}

/// [`preferred`] for `f32`: whether our `f32` kernel beats faer's `f32` GEMM for `a @ b`.
///
/// Measured on the AVX2 Zen 3 machine of [`preferred`] (two threads, medians of 7, same
/// run): C-order squares, ours against faer's in GFLOP/s, 130 / 151 at 1024, 135 / 144 at
/// 1536, 176 / 171 at 2048, 167 / 131 at 4096; `Aᵀ @ B` on a transposed view 139 / 117,
/// 176 / 126, 174 / 122, 168 / 79 (our `f32` kernel ran at 1.8–2.3× our `f64` one).
/// On AVX-512 (Zen 4, one thread, a loaded machine, so ratios only) ours won at 512 and
/// lost 1.2–1.8× at 1024–2048 in C order: there `f32` stays with faer until a quiet
/// two-thread run says otherwise (`GEMM_F32=1` in the `bench` harness times both).
///
/// The rule (AVX2 only): every dimension ≥ 1024, and a transposed `A` or an output of at
/// least 2048².
pub(crate) fn preferred_f32(a: &ArrayView2<'_, f32>, b: &ArrayView2<'_, f32>) -> bool {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    if m < 1024 || n < 1024 || k < 1024 || Isa::detect() != Isa::Avx2 {
        return false;
    }
    let a_transposed = a.t().is_standard_layout() && !a.is_standard_layout();
    a_transposed || m.saturating_mul(n) >= 2048 * 2048
}

/// `c -= a @ b` in place: the trailing-matrix update of the blocked factorizations
/// (LU, Cholesky, triangular solves). Threads as [`gemm_into`]. Without AVX2 (any
/// non-x86 target, old x86 CPUs) the update runs on faer's GEMM ([`Backend::Faer`]).
pub(crate) fn gemm_sub(
    c: &mut ArrayViewMut2<'_, f64>,
    a: &ArrayView2<'_, f64>,
    b: &ArrayView2<'_, f64>,
) {
    gemm_sub_with(Isa::detect(), c, a, b);
}

/// Whose kernels run a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// This module's packed GEMM with an AVX2 or AVX-512 micro-kernel.
    Packed,
    /// faer's GEMM, which has NEON, SSE and AVX paths of its own: used where this module
    /// only has its portable 4 × 4 kernel.
    Faer,
}

impl Backend {
    /// The backend of the products and factorization updates for `isa`.
    pub(crate) fn for_isa(isa: Isa) -> Backend {
        match isa.or_scalar() {
            Isa::Scalar => Backend::Faer,
            Isa::Avx2 | Isa::Avx512 => Backend::Packed,
        }
    }
}

/// [`gemm_sub`] for a given instruction set.
pub(crate) fn gemm_sub_with(
    isa: Isa,
    c: &mut ArrayViewMut2<'_, f64>,
    a: &ArrayView2<'_, f64>,
    b: &ArrayView2<'_, f64>,
) {
    if Backend::for_isa(isa) == Backend::Faer {
        assert!(
            a.nrows() == c.nrows() && b.nrows() == a.ncols() && b.ncols() == c.ncols(),
            "gemm: shapes {:?} @ {:?} -> {:?}",
            a.dim(),
            b.dim(),
            c.dim()
        );
        crate::linalg::bridge::faer_gemm(c, a, b, -1.0, true);
        return;
    }
    let work = c
        .nrows()
        .saturating_mul(c.ncols())
        .saturating_mul(a.ncols());
    let threads = if work < PAR_THRESHOLD {
        1
    } else {
        rayon::current_num_threads()
    };
    gemm_impl(c, a, b, true, true, isa, Blocking::for_cpu(isa), threads);
}

/// [`gemm_into`] with an explicit kernel, blocking and thread count (for tests and tuning).
///
/// An `isa` this CPU cannot run falls back to the scalar kernel.
pub(crate) fn gemm_with<E: Element>(
    c: &mut ArrayViewMut2<'_, E>,
    a: &ArrayView2<'_, E>,
    b: &ArrayView2<'_, E>,
    accumulate: bool,
    isa: Isa,
    blocking: Blocking,
    threads: usize,
) {
    gemm_impl(c, a, b, accumulate, false, isa, blocking, threads);
}

/// The driver behind [`gemm_with`] and [`gemm_sub`]: `c (+)= a @ b`, or `c (+)= −(a @ b)`
/// when `negate` (the packed `B` panels are negated, which is exact).
#[allow(clippy::too_many_arguments)]
fn gemm_impl<E: Element>(
    c: &mut ArrayViewMut2<'_, E>,
    a: &ArrayView2<'_, E>,
    b: &ArrayView2<'_, E>,
    accumulate: bool,
    negate: bool,
    isa: Isa,
    blocking: Blocking,
    threads: usize,
) {
    let (m, n) = c.dim();
    let k = a.ncols();
    assert!(
        a.nrows() == m && b.nrows() == k && b.ncols() == n,
        "gemm: shapes {:?} @ {:?} -> {:?}",
        a.dim(),
        b.dim(),
        c.dim()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c.fill(E::ZERO);
        }
        return;
    }
    let isa = isa.or_scalar();
    let (rs, cs) = (c.strides()[0], c.strides()[1]);
    // The kernel stores down columns of C: transpose a row-major problem.
    let transpose = cs.unsigned_abs() < rs.unsigned_abs();
    let (cm, am, bm, m, n) = if transpose {
        (
            MatMut::new(c.as_mut_ptr(), cs, rs),
            Mat::new(b.as_ptr(), b.strides()[1], b.strides()[0]),
            Mat::new(a.as_ptr(), a.strides()[1], a.strides()[0]),
            n,
            m,
        )
    } else {
        (
            MatMut::new(c.as_mut_ptr(), rs, cs),
            Mat::new(a.as_ptr(), a.strides()[0], a.strides()[1]),
            Mat::new(b.as_ptr(), b.strides()[0], b.strides()[1]),
            m,
            n,
        )
    };
    let p = Problem {
        m,
        n,
        k,
        c: cm,
        a: am,
        b: bm,
        accumulate,
        negate,
        blocking: sane(blocking),
        threads: threads.max(1),
    };
    // SAFETY: `c`, `a` and `b` are live views with the shapes checked above, so every
    // index (i < m, p < k, j < n) of the (possibly transposed) descriptors addresses an
    // element of its view; `c` is borrowed mutably for the whole call and ndarray's
    // mutable views never have overlapping elements, so distinct (i, j) are distinct
    // memory and the threads below write disjoint rows of it.
    let go = || unsafe { E::dispatch(&p, isa) };
    if p.threads > 1 && rayon::current_thread_index().is_none() {
        // Enter the pool once: the parallel loops inside then fork from a worker thread
        // instead of each paying the hand-off from an outside thread.
        rayon::scope(|_| go());
    } else {
        go();
    }
}

fn sane(b: Blocking) -> Blocking {
    Blocking {
        kc: b.kc.max(1),
        mc: b.mc.max(1),
        nc: b.nc.max(1),
    }
}

/// A read-only strided matrix: element (i, j) at `ptr + i·rs + j·cs`.
struct Mat<E> {
    ptr: *const E,
    rs: isize,
    cs: isize,
}

// Not derived: a derive would require `E: Copy` on the impl, which the raw pointer does
// not need.
impl<E> Clone for Mat<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for Mat<E> {}

impl<E> Mat<E> {
    fn new(ptr: *const E, rs: isize, cs: isize) -> Self {
        Mat { ptr, rs, cs }
    }

    /// # Safety
    /// (i, j) must lie inside the matrix the descriptor was made from.
    #[inline(always)]
    unsafe fn at(self, i: usize, j: usize) -> *const E {
        // SAFETY: the caller keeps (i, j) in bounds, so the offset stays inside the view.
        unsafe {
            self.ptr
                .offset(i as isize * self.rs)
                .offset(j as isize * self.cs)
        }
    }
}

/// A writable strided matrix, as [`Mat`].
struct MatMut<E> {
    ptr: *mut E,
    rs: isize,
    cs: isize,
}

impl<E> Clone for MatMut<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for MatMut<E> {}

impl<E> MatMut<E> {
    fn new(ptr: *mut E, rs: isize, cs: isize) -> Self {
        MatMut { ptr, rs, cs }
    }

    /// # Safety
    /// (i, j) must lie inside the matrix the descriptor was made from.
    #[inline(always)]
    unsafe fn at(self, i: usize, j: usize) -> *mut E {
        // SAFETY: as in `Mat::at`.
        unsafe {
            self.ptr
                .offset(i as isize * self.rs)
                .offset(j as isize * self.cs)
        }
    }
}

// SAFETY: the descriptors are shared between the threads of one `gemm_with` call only.
// Reads of `a`/`b` never race with writes (they are distinct arrays: `c` is borrowed
// mutably, `a`, `b` immutably), and threads write disjoint rows of `c`.
unsafe impl<E: Sync> Send for Mat<E> {}
// SAFETY: as above.
unsafe impl<E: Sync> Sync for Mat<E> {}
// SAFETY: as above.
unsafe impl<E: Send> Send for MatMut<E> {}
// SAFETY: as above.
unsafe impl<E: Send> Sync for MatMut<E> {}

/// One product for the five-loop driver (descriptors already transposed as needed).
pub(crate) struct Problem<E> {
    m: usize,
    n: usize,
    k: usize,
    c: MatMut<E>,
    a: Mat<E>,
    b: Mat<E>,
    accumulate: bool,
    negate: bool,
    blocking: Blocking,
    threads: usize,
}

/// A 64-byte aligned block of eight `f64`.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f64; 8]);

thread_local! {
    /// Packed-B buffer of the thread that calls the GEMM, kept between calls as OpenBLAS
    /// keeps its buffers: a fresh multi-megabyte buffer per product would be faulted in
    /// page by page every time (time, and resident memory counted against every op).
    static PACK_B: RefCell<Vec<Line>> = const { RefCell::new(Vec::new()) };
    /// Packed-A buffer of each thread that runs row blocks.
    static PACK_A: RefCell<Vec<Line>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f(ptr, len)` with a 64-byte aligned buffer of `len ≥ elems` elements `E` from
/// this thread's `cache` (raw bytes shared by the `f64` and `f32` products), grown when
/// too small; a nested call on the same thread (rayon may run another GEMM while this one
/// waits) gets a fresh buffer instead.
///
/// The memory is left uninitialised (no zero-fill pass): it is only reached through raw
/// pointers, and the packing routines write every element of a panel (padding included)
/// before the kernel reads it.
fn with_buf<E: Element, R>(
    cache: &'static LocalKey<RefCell<Vec<Line>>>,
    elems: usize,
    f: impl FnOnce(*mut E, usize) -> R,
) -> R {
    let per_line = std::mem::size_of::<Line>() / E::BYTES;
    let lines = elems.div_ceil(per_line);
    cache.with(|c| match c.try_borrow_mut() {
        Ok(mut v) => {
            if v.capacity() < lines {
                *v = Vec::with_capacity(lines);
            }
            f(v.as_mut_ptr().cast::<E>(), v.capacity() * per_line)
        }
        Err(_) => {
            let mut v: Vec<Line> = Vec::with_capacity(lines);
            f(v.as_mut_ptr().cast::<E>(), v.capacity() * per_line)
        }
    })
}

/// A register-blocked micro-kernel.
trait Kernel {
    type E: Element;
    const MR: usize;
    const NR: usize;

    /// `C[0..MR, 0..NR] (+)= Σ_p a[p] b[p]ᵀ` for packed panels `a` (`kc × MR`) and `b`
    /// (`kc × NR`); `C` has unit row stride and column stride `cs`.
    ///
    /// # Safety
    /// `a` and `b` point to `kc·MR` and `kc·NR` readable elements, `a` 64-byte aligned;
    /// `c + i + j·cs` is writable (and initialised when `acc`) for i < MR, j < NR; the
    /// CPU supports the kernel's instruction set.
    unsafe fn run(
        kc: usize,
        a: *const Self::E,
        b: *const Self::E,
        c: *mut Self::E,
        cs: isize,
        acc: bool,
    );
}

/// The five-loop driver.
///
/// # Safety
/// The descriptors of `p` must satisfy what `gemm_with` states; `K` must run on this CPU.
unsafe fn run<K: Kernel>(p: &Problem<K::E>) {
    let (mr, nr) = (K::MR, K::NR);
    let blk = p.blocking;
    // Equal slices of at most kc (nc): 2 × 150 instead of 256 + 44 for k = 300.
    let kc = even_split(p.k, blk.kc);
    let nc = even_split(p.n, blk.nc).div_ceil(nr) * nr;
    // Row blocks of C (and packed A), in whole micro-panels; with several threads their
    // count is a multiple of the thread count so that an even split exists, and rayon's
    // work stealing rebalances when a core is busy with something else.
    let units = p.m.div_ceil(mr);
    let threads = p.threads.min(units).max(1);
    let blocks = {
        let b = units.div_ceil(blk.mc.div_ceil(mr).max(1));
        (b.div_ceil(threads) * threads).min(units)
    };
    let block_rows = |b: usize| {
        (
            (units * b / blocks * mr).min(p.m),
            (units * (b + 1) / blocks * mr).min(p.m),
        )
    };
    let mc = units.div_ceil(blocks) * mr;
    // SAFETY: forwarded; the buffer holds at least kc·nc elements.
    with_buf(&PACK_B, kc * nc, |bptr: *mut K::E, nbuf| unsafe {
        run_blocks::<K>(
            p,
            kc,
            nc,
            mc,
            threads,
            blocks,
            &block_rows,
            SendPtr(bptr),
            nbuf,
        );
    });
}

/// The jc/pc loops of [`run`] over a packed-B buffer `bptr` of `nbuf` elements.
///
/// # Safety
/// As [`run`]; `bptr` is valid for `nbuf ≥ kc·nc` elements and used by nothing else.
#[allow(clippy::too_many_arguments)]
unsafe fn run_blocks<K: Kernel>(
    p: &Problem<K::E>,
    kc: usize,
    nc: usize,
    mc: usize,
    threads: usize,
    blocks: usize,
    block_rows: &(dyn Fn(usize) -> (usize, usize) + Sync),
    bptr: SendPtr<K::E>,
    nbuf: usize,
) {
    let nr = K::NR;

    for jc in (0..p.n).step_by(nc) {
        let nb = nc.min(p.n - jc);
        for pc in (0..p.k).step_by(kc) {
            let kb = kc.min(p.k - pc);
            let acc = p.accumulate || pc > 0;
            let panels = nb.div_ceil(nr);
            assert!(panels * nr * kb <= nbuf, "gemm: packed-B buffer too small");
            // Pack B[pc.., jc..] (kb × nb), panel by panel, split between the threads.
            let pack = |lo: usize, hi: usize| {
                for q in lo..hi {
                    let j0 = q * nr;
                    // SAFETY: panel q occupies bbuf[q·kb·nr ..][.. kb·nr], inside the
                    // buffer (checked above); B's indices stay within kb × nb.
                    unsafe {
                        let dst = bptr.get().add(q * kb * nr);
                        pack_b::<K>(p.b, pc, jc + j0, kb, nr.min(nb - j0), dst);
                        if p.negate {
                            for e in std::slice::from_raw_parts_mut(dst, kb * nr) {
                                *e = -*e;
                            }
                        }
                    }
                }
            };
            if threads > 1 && panels > 1 {
                (0..threads).into_par_iter().for_each(|t| {
                    pack(panels * t / threads, panels * (t + 1) / threads);
                });
            } else {
                pack(0, panels);
            }
            let work = |b: usize| {
                let (r0, r1) = block_rows(b);
                // The worker's own packed-A buffer (kept between calls).
                // SAFETY: the buffer holds mc·kc ≥ ceil((r1 − r0)/MR)·MR·kb elements; the
                // block (r0.., pc.., jc..) lies inside A, B and C; rows r0..r1 of C belong
                // to this block alone.
                with_buf(&PACK_A, mc * kc, |abuf: *mut K::E, _| unsafe {
                    pack_a::<K>(p.a, r0, pc, r1 - r0, kb, abuf);
                    macro_kernel::<K>(p.c, r0, jc, r1 - r0, nb, kb, abuf, bptr.get(), acc);
                });
            };
            if threads > 1 {
                (0..blocks).into_par_iter().for_each(work);
            } else {
                (0..blocks).for_each(work);
            }
        }
    }
}

/// The size of the slices when `total` is cut into the fewest slices of at most `max`.
fn even_split(total: usize, max: usize) -> usize {
    if total == 0 {
        return max.max(1);
    }
    total.div_ceil(total.div_ceil(max.max(1)))
}

struct SendPtr<E>(*mut E);

impl<E> Clone for SendPtr<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for SendPtr<E> {}

impl<E> SendPtr<E> {
    fn get(self) -> *mut E {
        self.0
    }
}

// SAFETY: the packed-B buffer is written by disjoint panels while packing, then only read
// by every thread; rayon's joins order the two phases.
unsafe impl<E: Send> Send for SendPtr<E> {}
// SAFETY: as above.
unsafe impl<E: Send> Sync for SendPtr<E> {}

/// Packs `A[i0.., p0..]` (`mb × kb`) into `MR × kb` micro-panels: element (i, p) of panel
/// `r` at `dst[r·kb·MR + p·MR + i]`, rows past `mb` zero.
///
/// # Safety
/// The block lies inside `a`; `dst` has room for `ceil(mb/MR)·MR·kb` elements.
unsafe fn pack_a<K: Kernel>(
    a: Mat<K::E>,
    i0: usize,
    p0: usize,
    mb: usize,
    kb: usize,
    dst: *mut K::E,
) {
    let mr = K::MR;
    for (r, ir) in (0..mb).step_by(mr).enumerate() {
        // SAFETY: rows i0 + ir .. + min(MR, mb − ir) and columns p0 .. p0 + kb lie inside
        // `a`; panel r ends at (r + 1)·kb·MR ≤ ceil(mb/MR)·MR·kb.
        unsafe {
            pack_panel(
                a.at(i0 + ir, p0),
                a.rs,
                a.cs,
                mr.min(mb - ir),
                mr,
                kb,
                dst.add(r * kb * mr),
            );
        }
    }
}

/// Packs `B[p0.., j0..]` (`kb × cols`, `cols ≤ NR`) into one micro-panel: element (p, j)
/// at `dst[p·NR + j]`, columns past `cols` zero.
///
/// # Safety
/// The block lies inside `b`; `dst` has room for `kb·NR` elements.
unsafe fn pack_b<K: Kernel>(
    b: Mat<K::E>,
    p0: usize,
    j0: usize,
    kb: usize,
    cols: usize,
    dst: *mut K::E,
) {
    // SAFETY: forwarded contract.
    unsafe { pack_panel(b.at(p0, j0), b.cs, b.rs, cols, K::NR, kb, dst) }
}

/// One micro-panel of width `w`: `dst[p·w + i] = src[i·ws + p·ds]` for `i < cnt`, zero for
/// `cnt ≤ i < w`, `p < kb`. `w` is a kernel constant, so the loops specialise.
///
/// # Safety
/// `src + i·ws + p·ds` is readable for i < cnt, p < kb; `dst` has room for `kb·w`.
#[inline(always)]
unsafe fn pack_panel<E: Element>(
    src: *const E,
    ws: isize,
    ds: isize,
    cnt: usize,
    w: usize,
    kb: usize,
    dst: *mut E,
) {
    // The widest micro-panel: MR = 48 of the AVX-512 f32 kernel.
    const MAX_W: usize = 48;
    // SAFETY: every read is src + i·ws + p·ds with i < cnt, p < kb; every write is below
    // dst + kb·w.
    unsafe {
        if ws == 1 {
            // The panel's rows are contiguous in the source: plain copies.
            for p in 0..kb {
                let d = dst.add(p * w);
                std::ptr::copy_nonoverlapping(src.offset(p as isize * ds), d, cnt);
                for i in cnt..w {
                    *d.add(i) = E::ZERO;
                }
            }
        } else if ds == 1 && cnt == w && w <= MAX_W {
            // Transposing copy: read `w` contiguous streams along p, write one.
            let mut rows = [src; MAX_W];
            for (i, r) in rows.iter_mut().enumerate().take(w) {
                *r = src.offset(i as isize * ws);
            }
            for p in 0..kb {
                let d = dst.add(p * w);
                for (i, r) in rows.iter().enumerate().take(w) {
                    *d.add(i) = *r.add(p);
                }
            }
        } else {
            for p in 0..kb {
                let s = src.offset(p as isize * ds);
                let d = dst.add(p * w);
                for i in 0..cnt {
                    *d.add(i) = *s.offset(i as isize * ws);
                }
                for i in cnt..w {
                    *d.add(i) = E::ZERO;
                }
            }
        }
    }
}

/// Sweeps the micro-kernel over the packed `mb × kb` block of A and `kb × nb` block of B,
/// updating `C[i0.., j0..]`.
///
/// # Safety
/// The packed buffers hold the panels `pack_a`/`pack_b` wrote for these sizes; the block
/// of C lies inside `c` and no other thread touches it.
#[allow(clippy::too_many_arguments)]
unsafe fn macro_kernel<K: Kernel>(
    c: MatMut<K::E>,
    i0: usize,
    j0: usize,
    mb: usize,
    nb: usize,
    kb: usize,
    apack: *const K::E,
    bpack: *const K::E,
    acc: bool,
) {
    let (mr, nr) = (K::MR, K::NR);
    // Room for the largest tile (48 × 8, f32 AVX-512); partial or strided tiles go
    // through it.
    let mut tmp = [<K::E as Element>::ZERO; 48 * 8];
    assert!(
        mr * nr <= tmp.len(),
        "gemm: micro-tile larger than its buffer"
    );
    // SAFETY: panel offsets stay inside the packed buffers (ceil(mb/MR) A panels and
    // ceil(nb/NR) B panels of depth kb); C indices are (i0 + ir + i, j0 + jr + j) with
    // ir + i < mb, jr + j < nb.
    unsafe {
        for (q, jr) in (0..nb).step_by(nr).enumerate() {
            let cols = nr.min(nb - jr);
            let bp = bpack.add(q * kb * nr);
            for (r, ir) in (0..mb).step_by(mr).enumerate() {
                let rows = mr.min(mb - ir);
                let ap = apack.add(r * kb * mr);
                let cp = c.at(i0 + ir, j0 + jr);
                if rows == mr && cols == nr && c.rs == 1 {
                    K::run(kb, ap, bp, cp, c.cs, acc);
                } else {
                    K::run(kb, ap, bp, tmp.as_mut_ptr(), mr as isize, false);
                    for j in 0..cols {
                        for i in 0..rows {
                            let d = cp.offset(i as isize * c.rs + j as isize * c.cs);
                            let v = tmp[i + j * mr];
                            *d = if acc { *d + v } else { v };
                        }
                    }
                }
            }
        }
    }
}

/// Portable 4 × 4 kernel, for either element type.
struct Scalar<E>(std::marker::PhantomData<E>);

impl<E: Element> Kernel for Scalar<E> {
    type E = E;
    const MR: usize = 4;
    const NR: usize = 4;

    unsafe fn run(kc: usize, a: *const E, b: *const E, c: *mut E, cs: isize, acc: bool) {
        let mut r = [[E::ZERO; 4]; 4];
        // SAFETY: the trait's contract: kc·4 readable elements behind `a` and `b`, a
        // writable 4 × 4 tile at `c`.
        unsafe {
            for p in 0..kc {
                let ap = a.add(p * 4);
                let bp = b.add(p * 4);
                for (j, rj) in r.iter_mut().enumerate() {
                    let bj = *bp.add(j);
                    for (i, x) in rj.iter_mut().enumerate() {
                        *x = *x + *ap.add(i) * bj;
                    }
                }
            }
            for (j, rj) in r.iter().enumerate() {
                let col = c.offset(j as isize * cs);
                for (i, x) in rj.iter().enumerate() {
                    let d = col.add(i);
                    *d = if acc { *d + *x } else { *x };
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::{
    __m256, __m256d, __m512, __m512d, _MM_HINT_T0, _mm_prefetch, _mm256_add_pd, _mm256_add_ps,
    _mm256_fmadd_pd, _mm256_fmadd_ps, _mm256_load_pd, _mm256_load_ps, _mm256_loadu_pd,
    _mm256_loadu_ps, _mm256_set1_pd, _mm256_set1_ps, _mm256_setzero_pd, _mm256_setzero_ps,
    _mm256_storeu_pd, _mm256_storeu_ps, _mm512_add_pd, _mm512_add_ps, _mm512_fmadd_pd,
    _mm512_fmadd_ps, _mm512_load_pd, _mm512_load_ps, _mm512_loadu_pd, _mm512_loadu_ps,
    _mm512_set1_pd, _mm512_set1_ps, _mm512_setzero_pd, _mm512_setzero_ps, _mm512_storeu_pd,
    _mm512_storeu_ps,
};

/// AVX-512F 24 × 8 kernel: 24 zmm accumulators, three A vectors, one broadcast.
#[cfg(target_arch = "x86_64")]
struct Avx512;

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx512 {
    type E = f64;
    const MR: usize = 24;
    const NR: usize = 8;

    unsafe fn run(kc: usize, a: *const f64, b: *const f64, c: *mut f64, cs: isize, acc: bool) {
        // SAFETY: the caller guarantees AVX-512F (`Isa::available`) and the pointer
        // contract of `Kernel::run`.
        unsafe { avx512_24x8(kc, a, b, c, cs, acc) }
    }
}

/// # Safety
/// As `Kernel::run`, on a CPU with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512_24x8(
    kc: usize,
    mut a: *const f64,
    mut b: *const f64,
    c: *mut f64,
    cs: isize,
    acc: bool,
) {
    // SAFETY: each iteration reads a[0..24] (64-byte aligned: panels start at multiples
    // of 24·8 bytes·kb from an aligned buffer, and advance by 192 bytes) and b[0..8], within
    // the kc·24 and kc·8 elements the caller provides; the stores hit the 24 × 8 tile.
    unsafe {
        // Fetch the C tile while the products run (prefetches never fault).
        for j in 0..8 {
            let col = c.wrapping_offset(j * cs).cast::<i8>();
            _mm_prefetch::<_MM_HINT_T0>(col);
            _mm_prefetch::<_MM_HINT_T0>(col.wrapping_add(64));
            _mm_prefetch::<_MM_HINT_T0>(col.wrapping_add(128));
            _mm_prefetch::<_MM_HINT_T0>(col.wrapping_add(191));
        }
        let mut r = [[_mm512_setzero_pd(); 3]; 8];
        for _ in 0..kc {
            let a0 = _mm512_load_pd(a);
            let a1 = _mm512_load_pd(a.add(8));
            let a2 = _mm512_load_pd(a.add(16));
            for (j, rj) in r.iter_mut().enumerate() {
                let bj = _mm512_set1_pd(*b.add(j));
                rj[0] = _mm512_fmadd_pd(a0, bj, rj[0]);
                rj[1] = _mm512_fmadd_pd(a1, bj, rj[1]);
                rj[2] = _mm512_fmadd_pd(a2, bj, rj[2]);
            }
            a = a.add(24);
            b = b.add(8);
        }
        for (j, rj) in r.iter().enumerate() {
            let col = c.offset(j as isize * cs);
            for (v, x) in rj.iter().enumerate() {
                let d = col.add(8 * v);
                let y: __m512d = if acc {
                    _mm512_add_pd(_mm512_loadu_pd(d), *x)
                } else {
                    *x
                };
                _mm512_storeu_pd(d, y);
            }
        }
    }
}

/// AVX2 + FMA 8 × 6 kernel: 12 ymm accumulators.
#[cfg(target_arch = "x86_64")]
struct Avx2;

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx2 {
    type E = f64;
    const MR: usize = 8;
    const NR: usize = 6;

    unsafe fn run(kc: usize, a: *const f64, b: *const f64, c: *mut f64, cs: isize, acc: bool) {
        // SAFETY: the caller guarantees AVX2 + FMA and the pointer contract.
        unsafe { avx2_8x6(kc, a, b, c, cs, acc) }
    }
}

/// # Safety
/// As `Kernel::run`, on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_8x6(
    kc: usize,
    mut a: *const f64,
    mut b: *const f64,
    c: *mut f64,
    cs: isize,
    acc: bool,
) {
    // SAFETY: reads a[0..8] (32-byte aligned: panels are 64 bytes·kb apart in an aligned
    // buffer) and b[0..6] per iteration, within the caller's kc·8 and kc·6; stores hit the
    // 8 × 6 tile.
    unsafe {
        let mut r = [[_mm256_setzero_pd(); 2]; 6];
        for _ in 0..kc {
            let a0 = _mm256_load_pd(a);
            let a1 = _mm256_load_pd(a.add(4));
            for (j, rj) in r.iter_mut().enumerate() {
                let bj = _mm256_set1_pd(*b.add(j));
                rj[0] = _mm256_fmadd_pd(a0, bj, rj[0]);
                rj[1] = _mm256_fmadd_pd(a1, bj, rj[1]);
            }
            a = a.add(8);
            b = b.add(6);
        }
        for (j, rj) in r.iter().enumerate() {
            let col = c.offset(j as isize * cs);
            for (v, x) in rj.iter().enumerate() {
                let d = col.add(4 * v);
                let y: __m256d = if acc {
                    _mm256_add_pd(_mm256_loadu_pd(d), *x)
                } else {
                    *x
                };
                _mm256_storeu_pd(d, y);
            }
        }
    }
}

/// AVX-512F 48 × 8 `f32` kernel: [`Avx512`] with 16 lanes per zmm register.
#[cfg(target_arch = "x86_64")]
struct Avx512F32;

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx512F32 {
    type E = f32;
    const MR: usize = 48;
    const NR: usize = 8;

    unsafe fn run(kc: usize, a: *const f32, b: *const f32, c: *mut f32, cs: isize, acc: bool) {
        // SAFETY: the caller guarantees AVX-512F (`Isa::available`) and the pointer
        // contract of `Kernel::run`.
        unsafe { avx512_48x8_f32(kc, a, b, c, cs, acc) }
    }
}

/// # Safety
/// As `Kernel::run`, on a CPU with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512_48x8_f32(
    kc: usize,
    mut a: *const f32,
    mut b: *const f32,
    c: *mut f32,
    cs: isize,
    acc: bool,
) {
    // SAFETY: each iteration reads a[0..48] (64-byte aligned: panels start at multiples
    // of 48·4 bytes·kb from an aligned buffer, and advance by 192 bytes) and b[0..8], within
    // the kc·48 and kc·8 elements the caller provides; the stores hit the 48 × 8 tile.
    unsafe {
        for j in 0..8 {
            let col = c.wrapping_offset(j * cs).cast::<i8>();
            _mm_prefetch::<_MM_HINT_T0>(col);
            _mm_prefetch::<_MM_HINT_T0>(col.wrapping_add(64));
            _mm_prefetch::<_MM_HINT_T0>(col.wrapping_add(128));
            _mm_prefetch::<_MM_HINT_T0>(col.wrapping_add(191));
        }
        let mut r = [[_mm512_setzero_ps(); 3]; 8];
        for _ in 0..kc {
            let a0 = _mm512_load_ps(a);
            let a1 = _mm512_load_ps(a.add(16));
            let a2 = _mm512_load_ps(a.add(32));
            for (j, rj) in r.iter_mut().enumerate() {
                let bj = _mm512_set1_ps(*b.add(j));
                rj[0] = _mm512_fmadd_ps(a0, bj, rj[0]);
                rj[1] = _mm512_fmadd_ps(a1, bj, rj[1]);
                rj[2] = _mm512_fmadd_ps(a2, bj, rj[2]);
            }
            a = a.add(48);
            b = b.add(8);
        }
        for (j, rj) in r.iter().enumerate() {
            let col = c.offset(j as isize * cs);
            for (v, x) in rj.iter().enumerate() {
                let d = col.add(16 * v);
                let y: __m512 = if acc {
                    _mm512_add_ps(_mm512_loadu_ps(d), *x)
                } else {
                    *x
                };
                _mm512_storeu_ps(d, y);
            }
        }
    }
}

/// AVX2 + FMA 16 × 6 `f32` kernel: [`Avx2`] with 8 lanes per ymm register.
#[cfg(target_arch = "x86_64")]
struct Avx2F32;

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx2F32 {
    type E = f32;
    const MR: usize = 16;
    const NR: usize = 6;

    unsafe fn run(kc: usize, a: *const f32, b: *const f32, c: *mut f32, cs: isize, acc: bool) {
        // SAFETY: the caller guarantees AVX2 + FMA and the pointer contract.
        unsafe { avx2_16x6_f32(kc, a, b, c, cs, acc) }
    }
}

/// # Safety
/// As `Kernel::run`, on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_16x6_f32(
    kc: usize,
    mut a: *const f32,
    mut b: *const f32,
    c: *mut f32,
    cs: isize,
    acc: bool,
) {
    // SAFETY: reads a[0..16] (32-byte aligned: panels are 64 bytes·kb apart in an aligned
    // buffer) and b[0..6] per iteration, within the caller's kc·16 and kc·6; stores hit the
    // 16 × 6 tile.
    unsafe {
        let mut r = [[_mm256_setzero_ps(); 2]; 6];
        for _ in 0..kc {
            let a0 = _mm256_load_ps(a);
            let a1 = _mm256_load_ps(a.add(8));
            for (j, rj) in r.iter_mut().enumerate() {
                let bj = _mm256_set1_ps(*b.add(j));
                rj[0] = _mm256_fmadd_ps(a0, bj, rj[0]);
                rj[1] = _mm256_fmadd_ps(a1, bj, rj[1]);
            }
            a = a.add(16);
            b = b.add(6);
        }
        for (j, rj) in r.iter().enumerate() {
            let col = c.offset(j as isize * cs);
            for (v, x) in rj.iter().enumerate() {
                let d = col.add(8 * v);
                let y: __m256 = if acc {
                    _mm256_add_ps(_mm256_loadu_ps(d), *x)
                } else {
                    *x
                };
                _mm256_storeu_ps(d, y);
            }
        }
    }
}

#[cfg(test)]
#[path = "gemm_tests.rs"]
mod tests;
