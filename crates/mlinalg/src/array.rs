//! Array constructors, shape helpers and input checks.
//!
//! mlinalg's arrays are [`ndarray`] arrays. A dataset is a 2-d array in the
//! `(n_samples, n_features)` layout, as in scikit-learn: one row per sample, one
//! column per feature.

use ndarray::{Array, Array2, ArrayBase, ArrayD, Data, Dimension, IxDyn};

use crate::error::{Error, Result};
use crate::scalar::Scalar;

/// The `n × n` identity matrix (NumPy `eye`).
///
/// # Examples
/// ```
/// let i = mlinalg::array::eye(3);
/// assert_eq!(i[[1, 1]], 1.0);
/// assert_eq!(i.sum(), 3.0);
/// ```
#[must_use]
pub fn eye(n: usize) -> Array2<f64> {
    Array2::eye(n)
}

/// Formats a shape the way NumPy prints it: `(2, 3)`, `(5,)`, `()`.
///
/// # Examples
/// ```
/// assert_eq!(mlinalg::array::fmt_shape(&[2, 3]), "(2, 3)");
/// assert_eq!(mlinalg::array::fmt_shape(&[5]), "(5,)");
/// assert_eq!(mlinalg::array::fmt_shape(&[]), "()");
/// ```
#[must_use]
pub fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(ToString::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// Returns `Err(Error::NonFinite)` if any element is NaN or ±∞.
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert!(mlinalg::array::check_finite("inv", &array![1.0, 2.0]).is_ok());
/// let e = mlinalg::array::check_finite("inv", &array![1.0, f64::NAN]).unwrap_err();
/// assert!(e.to_string().contains("non-finite"));
/// ```
pub fn check_finite<T, S, D>(op: &'static str, a: &ArrayBase<S, D>) -> Result<()>
where
    T: Scalar,
    S: Data<Elem = T>,
    D: Dimension,
{
    let finite = match a.as_slice_memory_order() {
        Some(s) => match crate::scalar::cast_slice::<T, f64>(s) {
            Some(s) => all_finite(s),
            None => s.iter().all(|v| v.is_finite()),
        },
        None => a.iter().all(|v| v.is_finite()),
    };
    if finite {
        Ok(())
    } else {
        Err(Error::NonFinite { op })
    }
}

/// Whether every element is finite, eight lanes at a time (`x · 0` is 0 for a finite `x`
/// and NaN for NaN or ±∞, and NaN survives the sums), so the loop vectorises.
pub(crate) fn all_finite(s: &[f64]) -> bool {
    let mut lanes = [0.0f64; 8];
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        for k in 0..8 {
            lanes[k] += c[k] * 0.0;
        }
    }
    lanes.iter().all(|v| *v == 0.0) && chunks.remainder().iter().all(|v| v.is_finite())
}

/// The largest magnitude (0 for an empty slice; NaN is ignored), eight lanes at a time.
pub(crate) fn abs_max(s: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        for k in 0..8 {
            let v = c[k].abs();
            lanes[k] = if v > lanes[k] { v } else { lanes[k] };
        }
    }
    let m = lanes.iter().fold(0.0f64, |m, &v| if v > m { v } else { m });
    chunks
        .remainder()
        .iter()
        .fold(m, |m, v| if v.abs() > m { v.abs() } else { m })
}

/// Returns `Err(Error::Empty)` if any dimension has length zero.
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// let e = mlinalg::array::check_nonempty("svd", &Array2::<f64>::zeros((0, 3))).unwrap_err();
/// assert_eq!(e.to_string(), "svd: empty input: shape (0, 3)");
/// ```
pub fn check_nonempty<S, D>(op: &'static str, a: &ArrayBase<S, D>) -> Result<()>
where
    S: Data,
    D: Dimension,
{
    if a.is_empty() {
        Err(Error::Empty {
            op,
            detail: format!("shape {}", fmt_shape(a.shape())),
        })
    } else {
        Ok(())
    }
}

/// Returns `Err(Error::Shape)` unless `a` is square.
pub(crate) fn check_square<S, D>(op: &'static str, a: &ArrayBase<S, D>) -> Result<()>
where
    S: Data,
    D: Dimension,
{
    let s = a.shape();
    if s.len() == 2 && s[0] == s[1] {
        Ok(())
    } else {
        Err(Error::shape(
            op,
            format!("expected a square matrix, got shape {}", fmt_shape(s)),
        ))
    }
}

/// The usual checks of a solver or decomposition: non-empty, then finite.
pub(crate) fn check_input<T, S, D>(op: &'static str, a: &ArrayBase<S, D>) -> Result<()>
where
    T: Scalar,
    S: Data<Elem = T>,
    D: Dimension,
{
    check_nonempty(op, a)?;
    check_finite(op, a)
}

/// Largest number of `f64` elements mlinalg will allocate in one array (2⁴⁰ bytes = 1 TiB
/// worth would already be absurd; this cap keeps size arithmetic far from overflow).
const MAX_ELEMENTS: usize = 1 << 37;

/// The number of elements of `shape`, or an error if it overflows or is absurdly large.
///
/// # Examples
/// ```
/// assert_eq!(mlinalg::array::checked_len("zeros", &[2, 3]).unwrap(), 6);
/// assert!(mlinalg::array::checked_len("zeros", &[1 << 40, 1 << 40]).is_err());
/// ```
pub fn checked_len(op: &'static str, shape: &[usize]) -> Result<usize> {
    let mut n: usize = 1;
    for &d in shape {
        n = n
            .checked_mul(d)
            .filter(|&n| n <= MAX_ELEMENTS)
            .ok_or_else(|| Error::Unsupported {
                op,
                detail: format!("shape {} is too large to allocate", fmt_shape(shape)),
            })?;
    }
    Ok(n)
}

/// A zero-filled `Vec<f64>` of length `len`, failing (not aborting) if memory is short.
///
/// Buffers of 4 MiB and more ask the kernel for transparent huge pages before they are
/// first touched, as NumPy does: with THP in `madvise` mode (the usual default), touching
/// a fresh 51 MB buffer took 60 ms without them and 14 ms with them on our machine.
pub(crate) fn try_vec(op: &'static str, len: usize) -> Result<Vec<f64>> {
    let mut v = try_vec_uninit(op, len)?;
    v.resize(len, 0.0);
    Ok(v)
}

/// An empty `Vec<f64>` with room for exactly `len` elements, checked and advised as
/// [`try_vec`] but not zero-filled: for kernels that write every element once, in parallel,
/// so the pages are first touched (and faulted in) by the threads that fill them instead of
/// by a serial zeroing pass. Fill it through `spare_capacity_mut` and `set_len`.
pub(crate) fn try_vec_uninit(op: &'static str, len: usize) -> Result<Vec<f64>> {
    let bytes = len.saturating_mul(std::mem::size_of::<f64>());
    // Linux overcommits: a reservation larger than RAM succeeds and the process is killed
    // when the pages are touched. Refuse requests beyond the memory actually available
    // (cgroup and rlimit limits included: inside a container /proc/meminfo describes the
    // host).
    crate::memory::check_available(op, bytes as u64, &format!("{len} elements"))?;
    let mut v: Vec<f64> = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::Unsupported {
        op,
        detail: format!("cannot allocate {len} elements ({bytes} bytes)"),
    })?;
    advise_huge_pages(v.as_mut_ptr().cast(), bytes);
    Ok(v)
}

/// [`try_vec_uninit`] for any element type (`f32`, complex, bytes): an empty `Vec<T>` with
/// room for exactly `len` elements, refused with an error when the shape is absurd or larger
/// than the memory available, advised for transparent huge pages. The readers of
/// `mlinalg::io` fill it in place (positioned reads) and then set its length.
pub(crate) fn try_vec_uninit_of<T>(op: &'static str, len: usize) -> Result<Vec<T>> {
    checked_len(op, &[len])?;
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    crate::memory::check_available(op, bytes as u64, &format!("{len} elements"))?;
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::Unsupported {
        op,
        detail: format!("cannot allocate {len} elements ({bytes} bytes)"),
    })?;
    advise_huge_pages(v.as_mut_ptr().cast(), bytes);
    Ok(v)
}

/// `madvise(MADV_HUGEPAGE)` on the 2 MiB-aligned interior of a large, untouched buffer.
/// Purely advisory: failure is ignored.
#[cfg(target_os = "linux")]
fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    const HUGE: usize = 2 << 20;
    const MIN_BYTES: usize = 4 << 20;
    if bytes < MIN_BYTES {
        return;
    }
    let start = (ptr as usize).div_ceil(HUGE) * HUGE;
    let end = (ptr as usize + bytes) / HUGE * HUGE;
    if end > start {
        // SAFETY: [start, end) lies inside the allocation just reserved for this Vec;
        // madvise with MADV_HUGEPAGE only changes paging policy, never contents.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_ptr: *mut u8, _bytes: usize) {}

/// A zero-filled n-d array of `shape` (C order), failing with an error instead of aborting
/// when the shape is too large for memory.
///
/// # Examples
/// ```
/// let a = mlinalg::array::try_zeros("demo", &[2, 3]).unwrap();
/// assert_eq!(a.shape(), &[2, 3]);
/// assert!(mlinalg::array::try_zeros("demo", &[100_000_000_000, 100_000_000_000]).is_err());
/// ```
pub fn try_zeros(op: &'static str, shape: &[usize]) -> Result<Array<f64, IxDyn>> {
    let len = checked_len(op, shape)?;
    let v = try_vec(op, len)?;
    // safe because `v.len()` is the product of `shape`, checked above
    Array::from_shape_vec(IxDyn(shape), v).map_err(|e| Error::shape(op, e.to_string()))
}

/// A zero-filled 2-d array, failing instead of aborting on a huge shape or one larger than
/// the memory available.
///
/// # Errors
/// [`Error::Unsupported`] when the array cannot be allocated.
///
/// # Examples
/// ```
/// let a = mlinalg::array::try_zeros2("demo", 2, 3)?;
/// assert_eq!(a.dim(), (2, 3));
/// // 2^36 elements = 512 GiB: refused with an error, not an abort or the OOM killer
/// let e = mlinalg::array::try_zeros2("demo", 1 << 20, 1 << 16).unwrap_err();
/// assert!(e.to_string().starts_with("demo: cannot allocate"));
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn try_zeros2(op: &'static str, nrows: usize, ncols: usize) -> Result<Array2<f64>> {
    let len = checked_len(op, &[nrows, ncols])?;
    let v = try_vec(op, len)?;
    Array2::from_shape_vec((nrows, ncols), v).map_err(|e| Error::shape(op, e.to_string()))
}

/// [`try_zeros`] for any [`Scalar`] element type (the `f64` buffer advised for huge pages
/// as [`try_vec`]).
pub(crate) fn try_zeros_of<T: Scalar>(op: &'static str, shape: &[usize]) -> Result<ArrayD<T>> {
    let len = checked_len(op, shape)?;
    let v: Vec<T> = if crate::scalar::same_type::<T, f64>() {
        crate::scalar::cast(try_vec(op, len)?).expect("T is f64")
    } else {
        let mut v = try_vec_uninit_of::<T>(op, len)?;
        v.resize(len, T::from_f64(0.0));
        v
    };
    Array::from_shape_vec(IxDyn(shape), v).map_err(|e| Error::shape(op, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{abs_max, all_finite};

    #[test]
    fn all_finite_finds_a_bad_value_in_every_lane_and_the_tail() {
        for len in [0usize, 1, 7, 8, 9, 16, 17, 100] {
            let v: Vec<f64> = (0..len).map(|i| i as f64 - 3.5).collect();
            assert!(all_finite(&v), "len {len}");
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                for at in 0..len {
                    let mut w = v.clone();
                    w[at] = bad;
                    assert!(!all_finite(&w), "len {len}, {bad} at {at}");
                }
            }
        }
        // huge finite values do not overflow into a false alarm
        assert!(all_finite(&[f64::MAX; 20]));
    }

    #[test]
    fn abs_max_matches_a_fold() {
        for len in [0usize, 1, 7, 8, 9, 33] {
            let v: Vec<f64> = (0..len).map(|i| ((i * 37) % 11) as f64 - 6.0).collect();
            let want = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            assert_eq!(abs_max(&v), want, "len {len}");
        }
        assert_eq!(abs_max(&[1.0, f64::NAN, -3.0]), 3.0);
        assert_eq!(abs_max(&[f64::NEG_INFINITY]), f64::INFINITY);
    }
}
