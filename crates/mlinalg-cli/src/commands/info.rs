//! `info A`: shape, dtype, non-zeros, min, max and mean of any array file.
//!
//! The mean is NumPy's to the last bit: NumPy sums with pairwise summation
//! ([`pairwise_sum`]), in the array's memory order, and a dtype that is cast to float64
//! (int, bool) in buffers of 8192 elements; float32 is summed in float32.

use std::io::Read;
use std::path::Path;

use anyhow::Result;
use mlinalg::io::Dtype;
use ndarray::ArrayD;

use crate::cli::OneInput;
use crate::input::{self, Operand};
use crate::report::{Report, Value};

const OP: &str = "info";

/// NumPy's buffer size (`NPY_BUFSIZE`, in elements): a reduction that casts its input sums
/// one buffer at a time and adds the buffer sums in order.
const NPY_BUFSIZE: usize = 8192;

pub fn run(args: &OneInput) -> Result<Report> {
    match input::load(OP, &args.a)? {
        Operand::Dense(d) => {
            let a = &d.data;
            // NumPy's count_nonzero: NaN is not zero, so it counts.
            let nnz = a.iter().filter(|&&x| x != 0.0).count();
            let fortran = a.ndim() > 1 && npy_fortran_order(&args.a);
            let (min, max) = min_max(a);
            let mean = mean(a, d.dtype, fortran);
            Ok(Report::new()
                .value("shape", Value::Shape(a.shape().to_vec()))
                .value("dtype", Value::Str(d.dtype.numpy_name().to_string()))
                .int("nnz", nnz)
                .float("min", min)
                .float("max", max)
                .float("mean", mean))
        }
        Operand::Sparse { matrix, dtype } => {
            let (nrows, ncols) = (matrix.nrows(), matrix.ncols());
            let empty = nrows == 0 || ncols == 0;
            // Over all nrows × ncols entries, implicit zeros included (scipy's .min(), .max(),
            // .mean()); an empty matrix has none, so NaN as for an empty dense array.
            let (min, max, mean) = if empty {
                (f64::NAN, f64::NAN, f64::NAN)
            } else {
                (matrix.min(), matrix.max(), matrix.mean())
            };
            Ok(Report::new()
                .value("shape", Value::Shape(vec![nrows, ncols]))
                .value("dtype", Value::Str(dtype.numpy_name().to_string()))
                .int("nnz", matrix.nnz())
                .float("min", min)
                .float("max", max)
                .float("mean", mean))
        }
    }
}

/// Min and max with NumPy's NaN propagation; NaN for an empty array (where NumPy's `min`
/// raises). Ties of 0.0 and −0.0 keep the later element, as NumPy's `minpd`/`maxpd`
/// reduction does.
fn min_max(a: &ArrayD<f64>) -> (f64, f64) {
    if a.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    for &x in a {
        if x.is_nan() || min.is_nan() {
            min = f64::NAN;
            max = f64::NAN;
        } else {
            min = if min < x { min } else { x };
            max = if max > x { max } else { x };
        }
    }
    (min, max)
}

/// NumPy's `a.mean()` of an array read from a file of dtype `dtype`, stored in Fortran
/// order if `fortran`; NaN for an empty array (NumPy warns and returns NaN).
fn mean(a: &ArrayD<f64>, dtype: Dtype, fortran: bool) -> f64 {
    if a.is_empty() {
        return f64::NAN;
    }
    // The values in the order NumPy visits them: memory order.
    let values: Vec<f64> = if fortran {
        a.t().iter().copied().collect()
    } else {
        a.iter().copied().collect()
    };
    let n = values.len();
    match dtype {
        // The reduction starts from the identity +0.0 (so an all −0.0 array sums to 0.0).
        Dtype::Float64 => (0.0 + pairwise_sum(&values)) / n as f64,
        Dtype::Float32 => {
            // Same dtype, no cast: one pairwise sum in float32, divided in float32. The
            // values came from float32, so narrowing them back is exact.
            let v32: Vec<f32> = values.iter().map(|&x| x as f32).collect();
            f64::from((0.0 + pairwise_sum(&v32)) / n as f32)
        }
        // Int and bool (and any future dtype) are cast to float64 buffer by buffer.
        _ => {
            let sum = values
                .chunks(NPY_BUFSIZE)
                .fold(0.0, |acc, chunk| acc + pairwise_sum(chunk));
            sum / n as f64
        }
    }
}

/// A float type [`pairwise_sum`] works on.
pub trait Summand: Copy + std::ops::Add<Output = Self> + std::ops::AddAssign {
    /// The additive identity.
    const ZERO: Self;
}

impl Summand for f64 {
    const ZERO: Self = 0.0;
}

impl Summand for f32 {
    const ZERO: Self = 0.0;
}

/// The sum of `values` as NumPy computes it (`pairwise_sum` in
/// numpy/_core/src/umath/loops_utils.h.src): below 8 values a plain loop; up to 128, eight
/// interleaved accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the
/// tail; above, the two halves (the first a multiple of 8 long) summed recursively. The
/// rounding error grows as O(log n) instead of O(n).
pub fn pairwise_sum<T: Summand>(values: &[T]) -> T {
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

/// Whether `path` is a `.npy` file whose header says `'fortran_order': True`. The file
/// was already read successfully, so any problem here just means "no".
fn npy_fortran_order(path: &Path) -> bool {
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if !is_npy {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    // Magic (6), version (2), header length (2 bytes in version 1, 4 in versions 2 and 3):
    // the dict is within the first few KiB of any real file; 1 MiB bounds the read.
    let mut head = Vec::new();
    if file.take(1 << 20).read_to_end(&mut head).is_err() || head.len() < 10 {
        return false;
    }
    let (start, len) = if head[6] == 1 {
        (10, usize::from(u16::from_le_bytes([head[8], head[9]])))
    } else if head.len() >= 12 {
        let len = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
        (12, usize::try_from(len).unwrap_or(usize::MAX))
    } else {
        return false;
    };
    let dict = &head[start.min(head.len())..start.saturating_add(len).min(head.len())];
    let dict = String::from_utf8_lossy(dict);
    let Some(at) = dict.find("fortran_order") else {
        return false;
    };
    let rest = dict[at + "fortran_order".len()..]
        .trim_start_matches(['\'', '"'])
        .trim_start()
        .trim_start_matches(':')
        .trim_start();
    rest.starts_with("True")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn mean_of_negative_zeros_is_positive_zero() {
        let a = ndarray::ArrayD::from_elem(vec![10], -0.0);
        assert!(mean(&a, Dtype::Float64, false).is_sign_positive());
        let a = ndarray::ArrayD::from_elem(vec![3], -0.0);
        assert!(mean(&a, Dtype::Float64, false).is_sign_positive());
    }
}
