//! Cholesky `A = L Lᵀ` (LAPACK `potrf`), recursive (Toledo; LAPACK's `dpotrf2`): every
//! level factors the leading half, solves for the off-diagonal block ([`super::trsm`]) and
//! updates the trailing half with one symmetric rank-k update ([`super::syrk`]), so almost
//! all the flops run in the packed GEMM; the leaves are unblocked dot-product loops over
//! contiguous rows.

use ndarray::{Array2, ArrayBase, ArrayView2, DataMut, Ix2};

use super::block::{Block, LEAF, dot, split};
use super::isa::Isa;
use super::pool::in_pool;
use super::syrk::syrk_lower;
use super::trsm::trsm_right_lower_t;
use crate::error::{Error, Result};

/// Lower Cholesky factor L with `A = L Lᵀ`, reading the lower triangle of `a`; C order,
/// exact zeros above the diagonal.
///
/// # Errors
/// [`Error::NotPositiveDefinite`] (named `op`) when a leading minor is not positive
/// definite; [`Error::Unsupported`] when the copy cannot be allocated.
pub(crate) fn llt(op: &'static str, a: &ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let mut l = super::c_order(op, a.view())?;
    cholesky_in_place(&mut l).map_err(|_| Error::NotPositiveDefinite { op })?;
    Ok(l)
}

/// Cholesky `A = L Lᵀ` in place on a square C-order array, reading its lower triangle; the
/// strict upper triangle is set to zero (NumPy's output). `Err(j)` when the leading minor
/// of order `j + 1` is not positive definite (LAPACK's `info = j + 1`).
///
/// # Panics
/// If `a` is not square or not in C order (the recursion addresses `(i, j)` as
/// `ptr + i·ld + j` for `i, j < n`).
#[track_caller]
pub(crate) fn cholesky_in_place<S: DataMut<Elem = f64>>(
    a: &mut ArrayBase<S, Ix2>,
) -> std::result::Result<(), usize> {
    let n = a.nrows();
    assert!(
        a.ncols() == n,
        "cholesky_in_place: {} × {} is not square",
        n,
        a.ncols()
    );
    if n > 0 {
        let blk = Block::of(a);
        // SAFETY: the block is the whole of `a`, borrowed mutably here.
        in_pool(n, || unsafe { potrf(blk, 0) })?;
    }
    if let Some(flat) = a.as_slice_mut() {
        // (a stack of small matrices spent 9 % of its time in `slice_mut` otherwise)
        for (i, row) in flat.chunks_exact_mut(n).enumerate() {
            row[i + 1..].fill(0.0);
        }
    } else {
        for (i, mut row) in a.rows_mut().into_iter().enumerate() {
            row.slice_mut(ndarray::s![i + 1..]).fill(0.0);
        }
    }
    Ok(())
}

/// Recursive Cholesky of the lower triangle of a square block; `offset` is the block's
/// position on the diagonal (for the error index).
///
/// # Safety
/// `a` is a valid square block no one else accesses during the call.
unsafe fn potrf(a: Block, offset: usize) -> std::result::Result<(), usize> {
    let n = a.rows;
    if n <= 2 * LEAF {
        // SAFETY: forwarded.
        return unsafe { potf2(a, offset) };
    }
    let n1 = split(n);
    let n2 = n - n1;
    // SAFETY: sub-blocks of `a`; each update writes a block disjoint from what it reads.
    unsafe {
        potrf(a.sub(0, 0, n1, n1), offset)?;
        trsm_right_lower_t(a.sub(0, 0, n1, n1), a.sub(n1, 0, n2, n1));
        syrk_lower(a.sub(n1, n1, n2, n2), a.sub(n1, 0, n2, n1));
        potrf(a.sub(n1, n1, n2, n2), offset + n1)
    }
}

/// Unblocked Cholesky (dot-product form over contiguous rows).
///
/// # Safety
/// `a` is a valid square block no one else accesses during the call.
unsafe fn potf2(a: Block, offset: usize) -> std::result::Result<(), usize> {
    let n = a.rows;
    // SAFETY: indices (i, p) with p ≤ i < n.
    unsafe {
        for j in 0..n {
            let rj = std::slice::from_raw_parts(a.at(j, 0), j);
            let d = *a.at(j, j) - dot(rj, rj);
            // LAPACK's test: not (ajj > 0), which also catches NaN.
            if d.is_nan() || d <= 0.0 {
                return Err(offset + j);
            }
            let l = d.sqrt();
            *a.at(j, j) = l;
            for i in j + 1..n {
                let ri = std::slice::from_raw_parts(a.at(i, 0), j);
                let x = a.at(i, j);
                *x = (*x - dot(ri, rj)) / l;
            }
        }
    }
    Ok(())
}

/// Matrices a lane group of [`cholesky_lanes`] factors at once.
pub(crate) const LANES: usize = 8;

/// The largest order [`cholesky_lanes`] takes: the orders whose Cholesky is one unblocked
/// leaf ([`potf2`]) in [`cholesky_in_place`].
pub(crate) const LANE_MAX: usize = 2 * LEAF;

/// Cholesky of [`LANES`] matrices at once, each lane of every vector operation a different
/// matrix: `src` holds `LANES` C-order `m × m` matrices back to back (their lower triangles
/// are read), `dst` receives their factors in the same layout — `L` with exact zeros above
/// the diagonal, or `U = Lᵀ` when `upper`, as [`cholesky_in_place`] (then transposed)
/// leaves them, **bit for bit**: every lane runs [`potf2`]'s operations in its order
/// (the same eight partial sums of [`dot`], no FMA), so a stack of small matrices gets the
/// results of each matrix alone without the per-matrix dot products' horizontal sums and
/// short tails. `false` when a matrix is not positive definite (or holds NaN): `dst` is
/// then partly written.
///
/// # Panics
/// If `m` is 0 or above [`LANE_MAX`], or the slices are not `LANES · m²` long.
pub(crate) fn cholesky_lanes(
    src: &[f64],
    dst: &mut [std::mem::MaybeUninit<f64>],
    m: usize,
    upper: bool,
) -> bool {
    assert!(
        (1..=LANE_MAX).contains(&m) && src.len() == LANES * m * m && dst.len() == src.len(),
        "cholesky_lanes: order {m}, {} and {} elements for {LANES} matrices",
        src.len(),
        dst.len()
    );
    match Isa::detect() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `detect` returned a level this CPU runs.
        Isa::Avx512 => unsafe { lanes_avx512(src, dst, m, upper) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Isa::Avx2 => unsafe { lanes_avx2(src, dst, m, upper) },
        _ => lanes(src, dst, m, upper),
    }
}

/// [`lanes`] compiled for AVX-512.
///
/// # Safety
/// The CPU runs AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn lanes_avx512(
    src: &[f64],
    dst: &mut [std::mem::MaybeUninit<f64>],
    m: usize,
    upper: bool,
) -> bool {
    lanes(src, dst, m, upper)
}

/// [`lanes`] compiled for AVX2.
///
/// # Safety
/// The CPU runs AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn lanes_avx2(
    src: &[f64],
    dst: &mut [std::mem::MaybeUninit<f64>],
    m: usize,
    upper: bool,
) -> bool {
    lanes(src, dst, m, upper)
}

/// One value per lane.
type Lanes = [f64; LANES];

/// Position of `(i, j)`, `j ≤ i`, in a packed lower triangle.
#[inline(always)]
fn tri(i: usize, j: usize) -> usize {
    i * (i + 1) / 2 + j
}

/// [`dot`] of two packed rows, lane by lane, in [`dot`]'s order.
#[inline(always)]
fn dot_lanes(x: &[Lanes], y: &[Lanes]) -> Lanes {
    let mut s = [[0.0f64; LANES]; 8];
    let c = x.len() / 8 * 8;
    for (a, b) in x[..c].chunks_exact(8).zip(y[..c].chunks_exact(8)) {
        for k in 0..8 {
            for l in 0..LANES {
                s[k][l] += a[k][l] * b[k][l];
            }
        }
    }
    let mut t = [0.0f64; LANES];
    for l in 0..LANES {
        t[l] = ((s[0][l] + s[1][l]) + (s[2][l] + s[3][l]))
            + ((s[4][l] + s[5][l]) + (s[6][l] + s[7][l]));
    }
    for (a, b) in x[c..].iter().zip(&y[c..]) {
        for l in 0..LANES {
            t[l] += a[l] * b[l];
        }
    }
    t
}

/// The body of [`cholesky_lanes`] (arguments checked there).
#[inline(always)]
fn lanes(src: &[f64], dst: &mut [std::mem::MaybeUninit<f64>], m: usize, upper: bool) -> bool {
    let mm = m * m;
    // The lower triangles, packed by rows, lanes innermost (≤ 33 KiB at order 32).
    let mut b = [[0.0f64; LANES]; LANE_MAX * (LANE_MAX + 1) / 2];
    for i in 0..m {
        for j in 0..=i {
            let v = &mut b[tri(i, j)];
            for (l, v) in v.iter_mut().enumerate() {
                *v = src[l * mm + i * m + j];
            }
        }
    }
    // `potf2`, every scalar a lane vector.
    for j in 0..m {
        let rj = tri(j, 0);
        let d = dot_lanes(&b[rj..rj + j], &b[rj..rj + j]);
        let mut lj = [0.0f64; LANES];
        let mut ok = true;
        for l in 0..LANES {
            let dl = b[rj + j][l] - d[l];
            // LAPACK's test: not (ajj > 0), which also catches NaN.
            ok &= dl > 0.0;
            lj[l] = dl.sqrt();
        }
        if !ok {
            return false;
        }
        b[rj + j] = lj;
        for i in j + 1..m {
            let ri = tri(i, 0);
            let (head, tail) = b.split_at_mut(ri);
            let t = dot_lanes(&tail[..j], &head[rj..rj + j]);
            let x = &mut tail[j];
            for l in 0..LANES {
                x[l] = (x[l] - t[l]) / lj[l];
            }
        }
    }
    for (l, out) in dst.chunks_exact_mut(mm).enumerate() {
        for (i, row) in out.chunks_exact_mut(m).enumerate() {
            let (left, right) = row.split_at_mut(if upper { i } else { i + 1 });
            if upper {
                // row i of U = column i of L, zeros before the diagonal
                for x in left.iter_mut() {
                    x.write(0.0);
                }
                for (j, x) in right.iter_mut().enumerate() {
                    x.write(b[tri(i + j, i)][l]);
                }
            } else {
                let ti = tri(i, 0);
                for (x, v) in left.iter_mut().zip(&b[ti..=ti + i]) {
                    x.write(v[l]);
                }
                for x in right.iter_mut() {
                    x.write(0.0);
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::testing::{SIZES, matrix, max_abs_diff, naive_cholesky};

    #[test]
    fn cholesky_matches_the_textbook_algorithm() {
        for &n in &SIZES {
            let g = matrix(n, n, 100 + n as u64);
            let a = g.dot(&g.t()) + Array2::<f64>::eye(n) * n as f64;
            // junk in the strict upper triangle must not be read
            let mut input = a.clone();
            for i in 0..n {
                for j in i + 1..n {
                    input[[i, j]] = f64::NAN;
                }
            }
            cholesky_in_place(&mut input).unwrap();
            let want = naive_cholesky(&a).unwrap();
            let d = max_abs_diff(&input, &want);
            assert!(d < 1e-11 * (n as f64).sqrt(), "n = {n}: differs by {d:e}");
            for i in 0..n {
                for j in i + 1..n {
                    assert_eq!(input[[i, j]], 0.0);
                }
            }
        }
    }

    /// Every lane of [`cholesky_lanes`] is [`cholesky_in_place`] of its matrix, bit for
    /// bit, `L` and `U`, at every order it takes; an indefinite or NaN lane is `false`.
    #[test]
    fn cholesky_lanes_equal_each_matrix_alone() {
        for m in 1..=LANE_MAX {
            let mut src = Vec::new();
            let mut want = Vec::new();
            for l in 0..LANES {
                let g = matrix(m, m, 1000 + (m * LANES + l) as u64);
                let mut a = g.dot(&g.t()) + Array2::<f64>::eye(m) * (l + 1) as f64;
                // junk above the diagonal must not be read
                for i in 0..m {
                    for j in i + 1..m {
                        a[[i, j]] = f64::NAN;
                    }
                }
                src.extend(a.iter().copied());
                cholesky_in_place(&mut a).unwrap();
                want.push(a);
            }
            for upper in [false, true] {
                let mut dst = vec![std::mem::MaybeUninit::<f64>::uninit(); src.len()];
                assert!(cholesky_lanes(&src, &mut dst, m, upper), "m = {m}");
                for (l, w) in want.iter().enumerate() {
                    let w = if upper { w.t().to_owned() } else { w.clone() };
                    for (k, (d, &e)) in dst[l * m * m..(l + 1) * m * m]
                        .iter()
                        .zip(w.iter())
                        .enumerate()
                    {
                        // SAFETY: `cholesky_lanes` returned true: every element was written.
                        let got = unsafe { d.assume_init() };
                        assert_eq!(
                            got.to_bits(),
                            e.to_bits(),
                            "m = {m}, lane {l}, entry {k}, upper {upper}"
                        );
                    }
                }
            }
            // one indefinite lane, then one NaN lane: false
            for bad in [-1.0, f64::NAN] {
                let mut s2 = src.clone();
                s2[5 * m * m + (m - 1) * m + (m - 1)] = bad;
                let mut dst = vec![std::mem::MaybeUninit::<f64>::uninit(); src.len()];
                assert!(
                    !cholesky_lanes(&s2, &mut dst, m, false),
                    "m = {m}, bad {bad}"
                );
            }
        }
    }

    #[test]
    fn cholesky_reports_the_first_failing_minor() {
        for &(n, bad) in &[(5usize, 3usize), (40, 0), (100, 70), (300, 299), (300, 150)] {
            let g = matrix(n, n, 9);
            let mut a = g.dot(&g.t()) + Array2::<f64>::eye(n) * n as f64;
            // make the leading minor of order bad + 1 indefinite
            a[[bad, bad]] = -1.0;
            let err = cholesky_in_place(&mut a.clone()).unwrap_err();
            assert_eq!(err, bad, "n = {n}");
            assert!(naive_cholesky(&a).is_none());
        }
    }
}
