//! `info`'s statistics in one parallel pass over the data as it is read: NumPy's
//! `count_nonzero`, `min`, `max` and `mean`, the mean to the last bit.
//!
//! NumPy sums with pairwise summation ([`pairwise_sum`]) in the array's memory order. Its
//! recursion splits a range in two at a fixed point, so the sum is a fixed binary tree over
//! the elements. The tree is cut into leaves of at most [`LEAF`] elements; the leaves are
//! read and summed in parallel (a `.npy` file straight from disk through a small buffer per
//! task, never the whole array), and their sums are combined bottom-up along the same tree,
//! which gives NumPy's rounding exactly. Dtypes NumPy casts for the sum (int and bool to
//! float64, float16 to float32) are summed in buffers of 8192 elements whose sums are added
//! in order, as NumPy's buffered reduction does. Min, max and the count of non-zeros do not
//! depend on the order and are computed in the same pass.

use std::fs::File;
use std::mem::MaybeUninit;
use std::path::Path;

use ndarray::ArrayD;
use num_complex::{Complex, Complex64};
use rayon::prelude::*;

use super::element::{NpyElement, is_native, round_to_f16};
use super::fileio::{read_exact_at, read_exact_at_uninit, uninit_bytes};
use super::npy::{open_npy, truncated};
use super::typed::{TypedArray, TypedLoaded, load_typed_keep_sparse};
use super::{Dtype, extension};
use crate::error::Result;
use crate::sparse::CsrMatrix;

/// One statistic of a [`Summary`]: real, or complex for complex data (NumPy's `min`, `max`
/// and `mean` of a complex array are complex).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SummaryValue {
    /// A real value (NaN for an empty array).
    Real(f64),
    /// A complex value (complex64 data widened exactly).
    Complex(Complex64),
}

/// What `mlinalg info` prints about an array file.
///
/// Dense data follows NumPy: `nnz` is `np.count_nonzero(a)` (NaN counts), `min`/`max` are
/// `a.min()`/`a.max()` (NaN if any element is NaN; complex values compare
/// lexicographically, real part first, and the first NaN met is the result), `mean` is
/// `a.mean()` bit for bit (pairwise summation in memory order; a complex mean is complex).
/// Sparse data follows scipy: `nnz` counts stored entries, the statistics cover all
/// `nrows × ncols` entries, implicit zeros included. An empty array gives NaN statistics
/// (where NumPy raises or warns).
///
/// One difference: when the minimum (maximum) is a zero and both `0.0` and `-0.0` occur,
/// the sign of the zero reported may differ from NumPy's, whose SIMD reduction picks one
/// depending on the CPU.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Summary {
    /// The array's shape.
    pub shape: Vec<usize>,
    /// The stored dtype.
    pub dtype: Dtype,
    /// Non-zero elements (dense) or stored entries (sparse).
    pub nnz: usize,
    /// The smallest element.
    pub min: SummaryValue,
    /// The largest element.
    pub max: SummaryValue,
    /// The mean of all elements.
    pub mean: SummaryValue,
    /// Whether the input was read as a sparse matrix (`.mtx`, scipy.sparse `.npz`).
    pub sparse: bool,
}

/// Computes the [`Summary`] of an input file, choosing the reader by the extension as
/// [`load`](super::load) does. A `.npy` file is summarised as it is read, in parallel, with
/// a few MiB of buffers and no copy of the array in memory.
///
/// # Errors
/// As [`load_typed_keep_sparse`].
///
/// # Examples
/// ```
/// use mlinalg::io::SummaryValue;
/// let dir = std::env::temp_dir().join(format!("mlinalg-summary-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("a.npy");
/// mlinalg::io::write_npy(&path, &ndarray::array![[0.0, 1.5], [-2.0, 4.0]])?;
/// let s = mlinalg::io::summarize(&path)?;
/// assert_eq!(s.shape, vec![2, 2]);
/// assert_eq!(s.nnz, 3);
/// assert_eq!(s.min, SummaryValue::Real(-2.0));
/// assert_eq!(s.mean, SummaryValue::Real(0.875));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn summarize(path: &Path) -> Result<Summary> {
    if extension(path).as_deref() == Some("npy") && path.is_file() {
        return summarize_npy(path);
    }
    Ok(match load_typed_keep_sparse(path)? {
        TypedLoaded::Dense(d) => summarize_array(&d.data, d.dtype),
        TypedLoaded::Sparse { matrix, dtype } => summarize_sparse(&matrix, dtype),
    })
}

/// The [`Summary`] of an array in memory, stored in a file as `dtype` (which decides how
/// NumPy sums it: int and bool data, held as `f64`, are summed as NumPy sums a cast).
///
/// # Examples
/// ```
/// use mlinalg::io::{Dtype, SummaryValue, TypedArray, summarize_array};
/// use num_complex::Complex64;
/// let z = TypedArray::Complex128(ndarray::array![Complex64::new(1.0, 2.0), Complex64::new(3.0, -1.0)].into_dyn());
/// let s = summarize_array(&z, Dtype::Complex128);
/// assert_eq!(s.max, SummaryValue::Complex(Complex64::new(3.0, -1.0)));
/// assert_eq!(s.mean, SummaryValue::Complex(Complex64::new(2.0, 0.5)));
/// ```
#[must_use]
pub fn summarize_array(a: &TypedArray, dtype: Dtype) -> Summary {
    let shape = a.shape().to_vec();
    let (nnz, min, max, mean) = match a {
        TypedArray::Float64(x) => real_stats_mem(memory_order(x), dtype),
        TypedArray::Float32(x) => real_stats_mem(memory_order(x), dtype),
        TypedArray::Complex64(x) => complex_stats_mem(memory_order(x)),
        TypedArray::Complex128(x) => complex_stats_mem(memory_order(x)),
    };
    Summary {
        shape,
        dtype,
        nnz,
        min,
        max,
        mean,
        sparse: false,
    }
}

/// The elements in memory order (NumPy's reductions visit memory in order); a copy only
/// for an array whose memory is not contiguous (never for arrays read from files).
fn memory_order<T: Copy>(a: &ArrayD<T>) -> std::borrow::Cow<'_, [T]> {
    match a.as_slice_memory_order() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(a.iter().copied().collect()),
    }
}

/// The [`Summary`] of a sparse matrix (scipy's semantics).
fn summarize_sparse(m: &CsrMatrix, dtype: Dtype) -> Summary {
    let (nrows, ncols) = m.shape();
    let empty = nrows == 0 || ncols == 0;
    let (min, max, mean) = if empty {
        (f64::NAN, f64::NAN, f64::NAN)
    } else {
        (m.min(), m.max(), m.mean())
    };
    Summary {
        shape: vec![nrows, ncols],
        dtype,
        nnz: m.nnz(),
        min: SummaryValue::Real(min),
        max: SummaryValue::Real(max),
        mean: SummaryValue::Real(mean),
        sparse: true,
    }
}

/// Summarises a `.npy` file while reading it.
fn summarize_npy(path: &Path) -> Result<Summary> {
    let (file, header) = open_npy(path)?;
    let (dtype, big_endian) = header.numeric(path)?;
    let count = header.count().unwrap_or(0); // safe: the body length was checked
    let src = FileSource {
        file: &file,
        offset: header.data_offset as u64,
        dtype,
        big_endian,
    };
    let stats = match dtype {
        Dtype::Float32 | Dtype::Float16 => real_stats::<f32, _>(&src, count, dtype),
        Dtype::Complex64 => complex_stats::<f32, _>(&src, count),
        Dtype::Complex128 => complex_stats::<f64, _>(&src, count),
        _ => real_stats::<f64, _>(&src, count, dtype),
    };
    let (nnz, min, max, mean) = stats.map_err(|e| truncated(path, e))?;
    Ok(Summary {
        shape: header.shape,
        dtype,
        nnz,
        min,
        max,
        mean,
        sparse: false,
    })
}

// ---------------------------------------------------------------------------------------
// Sources of elements
// ---------------------------------------------------------------------------------------

/// Per-task buffers: the elements of one leaf, and the file's bytes when they need
/// converting.
struct Scratch<W> {
    vals: Vec<W>,
    bytes: Vec<u8>,
}

impl<W> Scratch<W> {
    fn new() -> Self {
        Scratch {
            vals: Vec::new(),
            bytes: Vec::new(),
        }
    }
}

/// Where the elements come from, in memory order.
trait Source<W>: Sync {
    /// Calls `f` with the elements `start..start + len`.
    fn with<R>(
        &self,
        start: usize,
        len: usize,
        scratch: &mut Scratch<W>,
        f: impl FnOnce(&[W]) -> R,
    ) -> std::io::Result<R>;
}

/// Elements already in memory.
struct MemSource<'a, W: Clone>(std::borrow::Cow<'a, [W]>);

impl<W: Copy + Sync> Source<W> for MemSource<'_, W> {
    fn with<R>(
        &self,
        start: usize,
        len: usize,
        _: &mut Scratch<W>,
        f: impl FnOnce(&[W]) -> R,
    ) -> std::io::Result<R> {
        Ok(f(&self.0[start..start + len]))
    }
}

/// The body of a `.npy` file, read piece by piece with positioned reads.
struct FileSource<'a> {
    file: &'a File,
    offset: u64,
    dtype: Dtype,
    big_endian: bool,
}

impl<W: NpyElement> Source<W> for FileSource<'_> {
    fn with<R>(
        &self,
        start: usize,
        len: usize,
        scratch: &mut Scratch<W>,
        f: impl FnOnce(&[W]) -> R,
    ) -> std::io::Result<R> {
        let itemsize = self.dtype.itemsize();
        let at = self.offset + (start * itemsize) as u64;
        scratch.vals.clear();
        scratch.vals.reserve(len);
        let dst: &mut [MaybeUninit<W>] = &mut scratch.vals.spare_capacity_mut()[..len];
        if is_native::<W>(self.dtype, self.big_endian) {
            read_exact_at_uninit(self.file, uninit_bytes(dst), at)?;
        } else {
            scratch.bytes.resize(len * itemsize, 0);
            read_exact_at(self.file, &mut scratch.bytes, at)?;
            W::decode(self.dtype, self.big_endian, &scratch.bytes, dst);
        }
        // SAFETY: the read (or the decoding of the bytes read) wrote all `len` elements;
        // a short read returned an error above.
        unsafe { scratch.vals.set_len(len) };
        Ok(f(&scratch.vals))
    }
}

// ---------------------------------------------------------------------------------------
// Pairwise summation
// ---------------------------------------------------------------------------------------

/// Largest leaf of the summation tree, in elements (scalars for complex data): 1 MiB of
/// float64, so that a leaf read from the file is summed while it is in the L2 cache. Must
/// be at least 128, NumPy's block, so that every leaf is a node NumPy sums as one block
/// or splits exactly as [`pairwise_sum`] does.
pub(crate) const LEAF: usize = 1 << 17;

/// NumPy's buffer size (`NPY_BUFSIZE`, in elements): a reduction that casts its input
/// (int or bool to float64, float16 to float32) sums one buffer at a time and adds the
/// buffer sums in order.
const NPY_BUFSIZE: usize = 8192;

/// Buffers per parallel task of a cast sum (1 Mi elements).
const CAST_TASK_BUFFERS: usize = 128;

/// A float type the statistics are computed in (`f64`, `f32`).
pub(crate) trait Real:
    Copy + Send + Sync + PartialOrd + std::ops::Add<Output = Self> + std::ops::AddAssign + 'static
{
    const ZERO: Self;
    const INFINITY: Self;
    const NEG_INFINITY: Self;
    const NAN: Self;
    fn to_f64(self) -> f64;
    /// `x` rounded to this type, as a value of `f64`.
    fn round_f64(x: f64) -> f64;
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const INFINITY: Self = f64::INFINITY;
    const NEG_INFINITY: Self = f64::NEG_INFINITY;
    const NAN: Self = f64::NAN;
    fn to_f64(self) -> f64 {
        self
    }
    fn round_f64(x: f64) -> f64 {
        x
    }
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const INFINITY: Self = f32::INFINITY;
    const NEG_INFINITY: Self = f32::NEG_INFINITY;
    const NAN: Self = f32::NAN;
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn round_f64(x: f64) -> f64 {
        f64::from(x as f32)
    }
}

/// The sum of `values` as NumPy computes it (`pairwise_sum` in
/// numpy/_core/src/umath/loops_utils.h.src): below 8 values a plain loop; up to 128, eight
/// interleaved accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the
/// tail; above, the two halves (the first a multiple of 8 long) summed recursively. The
/// rounding error grows as O(log n) instead of O(n).
pub(crate) fn pairwise_sum<T: Real>(values: &[T]) -> T {
    let n = values.len();
    if n < 8 {
        let mut res = T::ZERO;
        for &x in values {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [T::ZERO; 8];
        r.copy_from_slice(&values[..8]);
        let blocks = n - n % 8;
        for block in values[8..blocks].chunks_exact(8) {
            for (acc, &x) in r.iter_mut().zip(block) {
                *acc += x;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &values[blocks..] {
            res += x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&values[..n2]) + pairwise_sum(&values[n2..])
    }
}

/// NumPy's pairwise sum of complex values (`@TYPE@_pairwise_sum` for complex types): the
/// same recursion over the interleaved real and imaginary parts, counted in scalars, so a
/// block of 8 scalars is 4 complex numbers; the real parts of the four lanes are combined
/// as (r0+r2)+(r4+r6), the imaginary parts as (r1+r3)+(r5+r7).
pub(crate) fn pairwise_sum_complex<T: Real>(values: &[Complex<T>]) -> (T, T) {
    let n = 2 * values.len();
    if n < 8 {
        let (mut rr, mut ri) = (T::ZERO, T::ZERO);
        for z in values {
            rr += z.re;
            ri += z.im;
        }
        (rr, ri)
    } else if n <= 128 {
        let mut r = [T::ZERO; 8];
        for k in 0..4 {
            r[2 * k] = values[k].re;
            r[2 * k + 1] = values[k].im;
        }
        let blocks = (n - n % 8) / 2;
        for block in values[4..blocks].chunks_exact(4) {
            for (k, z) in block.iter().enumerate() {
                r[2 * k] += z.re;
                r[2 * k + 1] += z.im;
            }
        }
        let mut rr = (r[0] + r[2]) + (r[4] + r[6]);
        let mut ri = (r[1] + r[3]) + (r[5] + r[7]);
        for z in &values[blocks..] {
            rr += z.re;
            ri += z.im;
        }
        (rr, ri)
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        let (a, b) = values.split_at(n2 / 2);
        let (ar, ai) = pairwise_sum_complex(a);
        let (br, bi) = pairwise_sum_complex(b);
        (ar + br, ai + bi)
    }
}

/// The leaves of NumPy's summation tree over `n` items (scalars), in order: `(start, len)`
/// of every node of at most `leaf` items whose parent is larger.
fn tree_leaves(start: usize, n: usize, leaf: usize, out: &mut Vec<(usize, usize)>) {
    if n <= leaf {
        out.push((start, n));
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        tree_leaves(start, n2, leaf, out);
        tree_leaves(start + n2, n - n2, leaf, out);
    }
}

/// Combines the leaf sums (in order) along the tree [`tree_leaves`] cut.
fn combine_tree<S: Copy>(
    n: usize,
    leaf: usize,
    sums: &mut impl Iterator<Item = S>,
    add: &impl Fn(S, S) -> S,
    zero: S,
) -> S {
    if n <= leaf {
        sums.next().unwrap_or(zero) // one sum per leaf, in the same order
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        let a = combine_tree(n2, leaf, sums, add, zero);
        let b = combine_tree(n - n2, leaf, sums, add, zero);
        add(a, b)
    }
}

// ---------------------------------------------------------------------------------------
// Min, max and non-zeros
// ---------------------------------------------------------------------------------------

/// Min, max and non-zero count of a run of real values, and whether one was NaN.
#[derive(Clone, Copy)]
struct Extremes<W> {
    min: W,
    max: W,
    nnz: usize,
    nan: bool,
}

impl<W: Real> Extremes<W> {
    const EMPTY: Self = Extremes {
        min: W::INFINITY,
        max: W::NEG_INFINITY,
        nnz: 0,
        nan: false,
    };

    /// Eight independent lanes, so that the loop compiles to vector compares and blends.
    fn of(x: &[W]) -> Self {
        let mut mn = [W::INFINITY; 8];
        let mut mx = [W::NEG_INFINITY; 8];
        let mut nz = [0usize; 8];
        let mut nan = [false; 8];
        let chunks = x.chunks_exact(8);
        let tail = chunks.remainder();
        for c in chunks {
            for l in 0..8 {
                let v = c[l];
                mn[l] = if v < mn[l] { v } else { mn[l] };
                mx[l] = if v > mx[l] { v } else { mx[l] };
                nz[l] += usize::from(v != W::ZERO);
                // NaN is the only value unequal to itself.
                #[allow(clippy::eq_op)]
                let is_nan = v != v;
                nan[l] |= is_nan;
            }
        }
        let mut e = Self::EMPTY;
        for l in 0..8 {
            e = e.merge(Extremes {
                min: mn[l],
                max: mx[l],
                nnz: nz[l],
                nan: nan[l],
            });
        }
        for &v in tail {
            #[allow(clippy::eq_op)]
            let is_nan = v != v;
            e = e.merge(Extremes {
                min: v,
                max: v,
                nnz: usize::from(v != W::ZERO),
                nan: is_nan,
            });
        }
        e
    }

    fn merge(self, o: Self) -> Self {
        Extremes {
            min: if o.min < self.min { o.min } else { self.min },
            max: if o.max > self.max { o.max } else { self.max },
            nnz: self.nnz + o.nnz,
            nan: self.nan || o.nan,
        }
    }

    /// (min, max), NaN if any value was NaN.
    fn result(self) -> (f64, f64) {
        if self.nan {
            (f64::NAN, f64::NAN)
        } else {
            (self.min.to_f64(), self.max.to_f64())
        }
    }
}

/// The statistics as [`Summary`] holds them: nnz, min, max, mean.
type Stats = (usize, SummaryValue, SummaryValue, SummaryValue);

/// NaN statistics of an empty array.
fn empty_stats(complex: bool) -> Stats {
    let nan = if complex {
        SummaryValue::Complex(Complex64::new(f64::NAN, f64::NAN))
    } else {
        SummaryValue::Real(f64::NAN)
    };
    (0, nan, nan, nan)
}

/// Statistics of `n` real values of a file of `dtype`, computed in `W`.
fn real_stats<W: Real, S: Source<W>>(src: &S, n: usize, dtype: Dtype) -> std::io::Result<Stats> {
    real_stats_with(src, n, dtype, LEAF)
}

fn real_stats_with<W: Real, S: Source<W>>(
    src: &S,
    n: usize,
    dtype: Dtype,
    leaf: usize,
) -> std::io::Result<Stats> {
    if n == 0 {
        return Ok(empty_stats(false));
    }
    let cast = dtype.is_integer_or_bool() || dtype == Dtype::Float16;
    let (extremes, mean) = if cast {
        // Tasks of whole buffers; each returns its buffer sums in order.
        let task = NPY_BUFSIZE * CAST_TASK_BUFFERS;
        let parts = (0..n.div_ceil(task))
            .into_par_iter()
            .map_init(Scratch::new, |sc, t| {
                let start = t * task;
                let len = task.min(n - start);
                src.with(start, len, sc, |x| {
                    let sums: Vec<W> = x.chunks(NPY_BUFSIZE).map(pairwise_sum).collect();
                    (sums, Extremes::of(x))
                })
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        let mut acc = W::ZERO;
        let mut ext = Extremes::EMPTY;
        for (sums, e) in parts {
            for s in sums {
                acc += s;
            }
            ext = ext.merge(e);
        }
        let mut mean = numpy_divide::<W>(acc, n);
        if dtype == Dtype::Float16 {
            // NumPy sums float16 in float32 and casts the mean back to float16.
            mean = f64::from(round_to_f16(mean as f32));
        }
        (ext, mean)
    } else {
        let mut leaves = Vec::new();
        tree_leaves(0, n, leaf, &mut leaves);
        let parts = leaves
            .par_iter()
            .map_init(Scratch::new, |sc, &(start, len)| {
                src.with(start, len, sc, |x| (pairwise_sum(x), Extremes::of(x)))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        let ext = parts.iter().fold(Extremes::EMPTY, |e, p| e.merge(p.1));
        let total = combine_tree(
            n,
            leaf,
            &mut parts.iter().map(|p| p.0),
            &|a, b| a + b,
            W::ZERO,
        );
        // The reduction starts from the identity +0.0 (an all −0.0 array sums to 0.0).
        let mean = numpy_divide::<W>(W::ZERO + total, n);
        (ext, mean)
    };
    let (min, max) = extremes.result();
    Ok((
        extremes.nnz,
        SummaryValue::Real(min),
        SummaryValue::Real(max),
        SummaryValue::Real(mean),
    ))
}

/// NumPy's `sum / count` of a reduction in `W`: the count is an `intp`, so the division
/// happens in double precision and is rounded back to `W` (for float32 this also keeps a
/// count beyond 2²⁴ exact).
fn numpy_divide<W: Real>(sum: W, n: usize) -> f64 {
    W::round_f64(sum.to_f64() / n as f64)
}

/// Lexicographic order of complex numbers without NaN (NumPy's `CLT`).
fn complex_lt<W: Real>(a: Complex<W>, b: Complex<W>) -> bool {
    a.re < b.re || (a.re == b.re && a.im < b.im)
}

/// Min, max, non-zeros and the first NaN of a run of complex values.
#[derive(Clone, Copy)]
struct ComplexExtremes<W> {
    min: Option<Complex<W>>,
    max: Option<Complex<W>>,
    nnz: usize,
    first_nan: Option<Complex<W>>,
}

impl<W: Real> ComplexExtremes<W> {
    const EMPTY: Self = ComplexExtremes {
        min: None,
        max: None,
        nnz: 0,
        first_nan: None,
    };

    fn of(x: &[Complex<W>]) -> Self {
        let mut e = Self::EMPTY;
        for &z in x {
            e.nnz += usize::from(z.re != W::ZERO || z.im != W::ZERO);
            #[allow(clippy::eq_op)]
            let is_nan = z.re != z.re || z.im != z.im;
            if is_nan {
                if e.first_nan.is_none() {
                    e.first_nan = Some(z);
                }
                continue;
            }
            e = e.merge(ComplexExtremes {
                min: Some(z),
                max: Some(z),
                nnz: 0,
                first_nan: None,
            });
        }
        e
    }

    /// `self` then `o`: ties keep the earlier value, as NumPy's reduction does.
    fn merge(self, o: Self) -> Self {
        let pick = |a: Option<Complex<W>>,
                    b: Option<Complex<W>>,
                    b_wins: fn(Complex<W>, Complex<W>) -> bool| match (a, b) {
            (Some(a), Some(b)) => Some(if b_wins(a, b) { b } else { a }),
            (a, b) => a.or(b),
        };
        ComplexExtremes {
            min: pick(self.min, o.min, |a, b| complex_lt(b, a)),
            max: pick(self.max, o.max, |a, b| complex_lt(a, b)),
            nnz: self.nnz + o.nnz,
            first_nan: self.first_nan.or(o.first_nan),
        }
    }
}

/// A complex number widened to `Complex64`.
fn widen<W: Real>(z: Complex<W>) -> Complex64 {
    Complex64::new(z.re.to_f64(), z.im.to_f64())
}

/// Statistics of `n` complex values.
fn complex_stats<W: Real, S: Source<Complex<W>>>(src: &S, n: usize) -> std::io::Result<Stats> {
    complex_stats_with(src, n, LEAF)
}

fn complex_stats_with<W: Real, S: Source<Complex<W>>>(
    src: &S,
    n: usize,
    leaf: usize,
) -> std::io::Result<Stats> {
    if n == 0 {
        return Ok(empty_stats(true));
    }
    // The tree is over the 2n scalars; every node boundary is a multiple of 8 scalars, so
    // leaves hold whole complex numbers.
    let mut leaves = Vec::new();
    tree_leaves(0, 2 * n, leaf, &mut leaves);
    let parts = leaves
        .par_iter()
        .map_init(Scratch::new, |sc, &(start, len)| {
            src.with(start / 2, len / 2, sc, |x| {
                (pairwise_sum_complex(x), ComplexExtremes::of(x))
            })
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let ext = parts
        .iter()
        .fold(ComplexExtremes::EMPTY, |e, p| e.merge(p.1));
    let (sr, si) = combine_tree(
        2 * n,
        leaf,
        &mut parts.iter().map(|p| p.0),
        &|a: (W, W), b: (W, W)| (a.0 + b.0, a.1 + b.1),
        (W::ZERO, W::ZERO),
    );
    let (sr, si) = ((W::ZERO + sr).to_f64(), (W::ZERO + si).to_f64());
    // NumPy divides the sum by the count (an intp), which promotes complex64 to
    // complex128: a complex division by (n + 0j) in double precision — Smith's algorithm
    // with a zero imaginary part multiplies by 1/n, re = (sr + si·0)·(1/n) — rounded back
    // to the array's precision.
    let scale = 1.0 / n as f64;
    let mean = Complex64::new(
        W::round_f64((sr + si * 0.0) * scale),
        W::round_f64((si - sr * 0.0) * scale),
    );
    let (min, max) = match ext.first_nan {
        Some(z) => (z, z),
        None => (
            ext.min.unwrap_or(Complex::new(W::NAN, W::NAN)),
            ext.max.unwrap_or(Complex::new(W::NAN, W::NAN)),
        ),
    };
    Ok((
        ext.nnz,
        SummaryValue::Complex(widen(min)),
        SummaryValue::Complex(widen(max)),
        SummaryValue::Complex(mean),
    ))
}

/// Statistics of an in-memory run of real values (infallible source).
fn real_stats_mem<W: Real>(x: std::borrow::Cow<'_, [W]>, dtype: Dtype) -> Stats {
    let n = x.len();
    match real_stats(&MemSource(x), n, dtype) {
        Ok(s) => s,
        // A memory source never fails.
        Err(_) => empty_stats(false),
    }
}

/// Statistics of an in-memory run of complex values (infallible source).
fn complex_stats_mem<W: Real>(x: std::borrow::Cow<'_, [Complex<W>]>) -> Stats {
    let n = x.len();
    match complex_stats(&MemSource(x), n) {
        Ok(s) => s,
        // A memory source never fails.
        Err(_) => empty_stats(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values whose sum depends on the order of additions.
    fn hard(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let m = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                let e = ((s >> 3) % 40) as i32 - 20;
                m * 2f64.powi(e)
            })
            .collect()
    }

    #[test]
    fn pairwise_sum_follows_numpy_blocks() {
        // NumPy: np.full(n, 0.1).sum() for these n.
        for (n, want) in [
            (7, 0.7),
            (9, 0.9),
            (16, 1.6),
            (100, 9.999999999999998),
            (129, 12.899999999999999),
            (1000, 100.00000000000001),
        ] {
            assert_eq!(pairwise_sum(&vec![0.1; n]), want, "{n}");
        }
        assert_eq!(pairwise_sum::<f64>(&[]), 0.0);
        assert_eq!(pairwise_sum(&[1.5f32, 2.0]), 3.5);
    }

    #[test]
    fn the_leaf_tree_gives_the_sum_of_the_whole() {
        for n in [1, 7, 8, 127, 128, 129, 255, 256, 1000, 4099, 65_537] {
            let x = hard(n, n as u64);
            let want = pairwise_sum(&x);
            for leaf in [128, 129, 200, 256, 1024, 1 << 17] {
                let mut leaves = Vec::new();
                tree_leaves(0, n, leaf, &mut leaves);
                assert_eq!(leaves.iter().map(|l| l.1).sum::<usize>(), n);
                let sums: Vec<f64> = leaves
                    .iter()
                    .map(|&(s, l)| pairwise_sum(&x[s..s + l]))
                    .collect();
                let got = combine_tree(n, leaf, &mut sums.into_iter(), &|a, b| a + b, 0.0);
                assert_eq!(got.to_bits(), want.to_bits(), "n {n} leaf {leaf}");
                let (_, _, _, mean) =
                    real_stats_with(&MemSource(x.as_slice().into()), n, Dtype::Float64, leaf)
                        .unwrap();
                assert_eq!(
                    mean,
                    SummaryValue::Real((0.0 + want) / n as f64),
                    "n {n} leaf {leaf}"
                );
            }
        }
    }

    #[test]
    fn complex_sums_split_at_whole_numbers() {
        for n in [1, 3, 4, 5, 63, 64, 65, 200, 1001, 5000] {
            let re = hard(n, 1);
            let im = hard(n, 2);
            let z: Vec<Complex64> = re
                .iter()
                .zip(&im)
                .map(|(&a, &b)| Complex64::new(a, b))
                .collect();
            let want = pairwise_sum_complex(&z);
            for leaf in [128, 136, 1000, 1 << 17] {
                let (_, _, _, mean) =
                    complex_stats_with(&MemSource(z.as_slice().into()), n, leaf).unwrap();
                let scale = 1.0 / n as f64;
                let expect = Complex64::new((0.0 + want.0) * scale, (0.0 + want.1) * scale);
                assert_eq!(mean, SummaryValue::Complex(expect), "n {n} leaf {leaf}");
            }
        }
    }

    #[test]
    fn extremes_propagate_nan_in_every_lane_and_the_tail() {
        for len in [1usize, 7, 8, 9, 17, 33] {
            let v: Vec<f64> = (0..len).map(|i| i as f64 - 3.0).collect();
            let e = Extremes::of(&v);
            assert_eq!(e.result(), (-3.0, len as f64 - 4.0));
            assert_eq!(e.nnz, len - usize::from(len > 3));
            for at in 0..len {
                let mut w = v.clone();
                w[at] = f64::NAN;
                let (mn, mx) = Extremes::of(&w).result();
                assert!(mn.is_nan() && mx.is_nan(), "len {len} at {at}");
            }
        }
    }

    #[test]
    fn mean_of_negative_zeros_is_positive_zero() {
        for n in [3, 10, 300] {
            let s = real_stats_mem(vec![-0.0f64; n].into(), Dtype::Float64);
            assert!(matches!(s.3, SummaryValue::Real(m) if m == 0.0 && m.is_sign_positive()));
        }
    }
}
