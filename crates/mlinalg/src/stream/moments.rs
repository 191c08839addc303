//! [`Moments`]: count, mean and centred second moments of every column, merged by Chan's
//! pairwise formula.

use ndarray::{Array1, ArrayView1, ArrayView2};

use super::codec::{self, Head, Kind};
use crate::array::{check_finite, fmt_shape};
use crate::error::{Error, Result};

const OP: &str = "moments";

/// Count, mean and centred sum of squares `M2 = Σ (x − mean)²` of each column, updated
/// one block of rows at a time and mergeable in any order (the state of a streamed or
/// distributed mean/variance).
///
/// Each block's own mean and `M2` are computed first (two passes over the block), then
/// merged into the running state with the pairwise update of Chan, Golub & LeVeque:
///
/// ```text
/// δ = mean_b − mean_a,  n = n_a + n_b
/// mean = mean_a + δ · n_b / n
/// M2   = M2_a + M2_b + δ² · n_a n_b / n
/// ```
///
/// Never `Σx² − n·mean²`, which loses every digit of the variance of a column whose mean
/// is large against its spread (mean 10⁸, variance 1: all 16 digits cancel).
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::stream::Moments;
/// let mut a = Moments::new(2);
/// a.update(array![[1.0, 1e8], [2.0, 1e8 + 1.0]].view())?;
/// let mut b = Moments::new(2);
/// b.update(array![[3.0, 1e8 + 2.0]].view())?;
/// a.merge(&b)?;
/// assert_eq!(a.count(), 3);
/// assert_eq!(a.mean()[0], 2.0);
/// assert_eq!(a.variance(1.0)[1], 1.0); // exact, despite the mean of 1e8
/// let back = Moments::from_bytes(&a.to_bytes())?;
/// assert_eq!(back, a);
/// # Ok::<(), mlinalg::Error>(())
/// ```
///
/// # References
/// T. F. Chan, G. H. Golub, R. J. LeVeque, *Updating formulae and a pairwise algorithm for
/// computing sample variances*, Stanford CS report STAN-CS-79-773, 1979.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    count: u64,
    mean: Array1<f64>,
    m2: Array1<f64>,
}

impl Moments {
    /// An empty state for `n_features` columns (count 0).
    #[must_use]
    pub fn new(n_features: usize) -> Self {
        Moments {
            count: 0,
            mean: Array1::zeros(n_features),
            m2: Array1::zeros(n_features),
        }
    }

    /// The number of columns.
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    /// The number of rows seen.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Column means (zeros while the count is 0).
    #[must_use]
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// Centred sums of squares `Σ (x − mean)²` per column.
    #[must_use]
    pub fn m2(&self) -> &Array1<f64> {
        &self.m2
    }

    /// Column variances `M2 / (count − ddof)` (NumPy `var(ddof=…)`): NaN where
    /// `count ≤ ddof`, as NumPy.
    #[must_use]
    pub fn variance(&self, ddof: f64) -> Array1<f64> {
        let dof = self.count as f64 - ddof;
        self.m2.mapv(|v| if dof > 0.0 { v / dof } else { f64::NAN })
    }

    /// Adds a block of rows (any number, `n_features` columns, any layout).
    ///
    /// # Errors
    /// [`Error::Shape`] for a block with another number of columns; [`Error::NonFinite`]
    /// if it holds NaN or ±∞ (the state is then unchanged).
    pub fn update(&mut self, block: ArrayView2<'_, f64>) -> Result<()> {
        check_block(OP, block, self.n_features())?;
        if block.nrows() == 0 {
            return Ok(());
        }
        check_finite(OP, &block)?;
        let (mean_b, m2_b) = block_moments(block);
        self.combine(block.nrows() as u64, mean_b.view(), m2_b.view());
        Ok(())
    }

    /// Merges another state over the same columns into this one: the result is that of
    /// one state updated with both states' rows, in any order or grouping (up to
    /// rounding, ≤ 1e-13 relative in our tests).
    ///
    /// # Errors
    /// [`Error::Shape`] if the numbers of columns differ.
    pub fn merge(&mut self, other: &Moments) -> Result<()> {
        if other.n_features() != self.n_features() {
            return Err(Error::shape(
                OP,
                format!(
                    "cannot merge states over {} and {} columns",
                    self.n_features(),
                    other.n_features()
                ),
            ));
        }
        self.combine(other.count, other.mean.view(), other.m2.view());
        Ok(())
    }

    fn combine(&mut self, nb: u64, mean_b: ArrayView1<'_, f64>, m2_b: ArrayView1<'_, f64>) {
        if nb == 0 {
            return;
        }
        if self.count == 0 {
            self.count = nb;
            self.mean.assign(&mean_b);
            self.m2.assign(&m2_b);
            return;
        }
        let na = self.count as f64;
        let nbf = nb as f64;
        let n = na + nbf;
        let (fa, fb) = (nbf / n, na * nbf / n);
        for ((m, s), (&mb, &sb)) in self
            .mean
            .iter_mut()
            .zip(self.m2.iter_mut())
            .zip(mean_b.iter().zip(m2_b.iter()))
        {
            let d = mb - *m;
            *m += d * fa;
            *s += sb + d * d * fb;
        }
        self.count += nb;
    }

    /// The serialised state (see the [`stream`](super) module for the format).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let head = Head {
            n_features: self.n_features(),
            n_targets: 0,
            count: self.count,
        };
        // safe because both arrays are freshly built contiguous Array1s
        codec::encode(
            Kind::Moments,
            head,
            &[
                self.mean.as_slice().unwrap_or(&[]),
                self.m2.as_slice().unwrap_or(&[]),
            ],
        )
    }

    /// Reads a state written by [`Moments::to_bytes`].
    ///
    /// # Errors
    /// [`Error::Format`] for anything but a valid serialised `Moments` (wrong kind or
    /// version, sizes that do not match the length, a checksum mismatch, non-finite or
    /// negative second moments, a non-zero mean with a count of 0).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (head, vals) = codec::decode(Kind::Moments, bytes, |f, t| {
            if t == 0 { f.checked_mul(2) } else { None }
        })?;
        let p = head.n_features;
        let mean = Array1::from(vals[..p].to_vec());
        let m2 = Array1::from(vals[p..].to_vec());
        let bad =
            |d: &str| Error::format("<Moments bytes>", format!("invalid serialised state: {d}"));
        if m2.iter().any(|&v| v < 0.0) {
            return Err(bad("negative second moment"));
        }
        if head.count == 0 && vals.iter().any(|&v| v != 0.0) {
            return Err(bad("non-zero moments with a count of 0"));
        }
        Ok(Moments {
            count: head.count,
            mean,
            m2,
        })
    }
}

/// Errors unless `block` has `d` columns.
pub(crate) fn check_block(op: &'static str, block: ArrayView2<'_, f64>, d: usize) -> Result<()> {
    if block.ncols() != d {
        return Err(Error::shape(
            op,
            format!(
                "block has {} columns, the state has {d}: got shape {}",
                block.ncols(),
                fmt_shape(block.shape())
            ),
        ));
    }
    Ok(())
}

/// Column means of a non-empty block, summed row by row.
pub(crate) fn block_mean(block: ArrayView2<'_, f64>) -> Array1<f64> {
    let mut sum = Array1::<f64>::zeros(block.ncols());
    for row in block.rows() {
        sum += &row;
    }
    sum / block.nrows() as f64
}

/// Mean and centred sum of squares of each column of a non-empty block (two passes).
fn block_moments(block: ArrayView2<'_, f64>) -> (Array1<f64>, Array1<f64>) {
    let mean = block_mean(block);
    let mut m2 = Array1::<f64>::zeros(block.ncols());
    for row in block.rows() {
        for ((s, &x), &m) in m2.iter_mut().zip(row.iter()).zip(mean.iter()) {
            let d = x - m;
            *s += d * d;
        }
    }
    (mean, m2)
}
