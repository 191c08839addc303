//! Transforming a stream into a `.npy` file written block by block: `transform_stream` of
//! [`FittedPca`] and [`FittedTruncatedSvd`].

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use ndarray::{Array2, ArrayView2};

use super::source::{RowSource, StreamOptions, for_each_block};
use crate::decomposition::{FittedPca, FittedTruncatedSvd};
use crate::error::{Error, Result};
use crate::io::{io_error, write_atomic};

/// The header of a C-order `<f8` array of `rows × cols`, padded with spaces to `len`
/// bytes (NumPy pads to a multiple of 64; the padding leaves room to rewrite the row count
/// in place).
fn header(rows: u64, cols: usize, len: usize) -> Vec<u8> {
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    let mut h = b"\x93NUMPY\x01\x00".to_vec();
    let hlen = len - 10;
    h.extend_from_slice(&u16::try_from(hlen).unwrap_or(u16::MAX).to_le_bytes());
    h.extend_from_slice(dict.as_bytes());
    h.resize(len - 1, b' ');
    h.push(b'\n');
    h
}

/// The header length for `cols` columns and any row count up to 20 digits, a multiple of
/// 64 (NumPy's alignment).
fn header_len(cols: usize) -> usize {
    let dict = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {cols}), }}",
        u64::MAX
    );
    (10 + dict.len() + 1).div_ceil(64) * 64
}

/// Writes `f(block)` for every block of `source` into the `.npy` file `path` (a temporary
/// file renamed into place at the end, so a failure leaves no partial file); returns the
/// number of rows written.
pub(crate) fn transform_to_npy(
    source: &mut dyn RowSource,
    path: &Path,
    cols: usize,
    opts: &StreamOptions,
    op: &'static str,
    mut f: impl FnMut(ArrayView2<'_, f64>) -> Result<Array2<f64>>,
) -> Result<u64> {
    let p = source.ncols();
    let rows = opts.rows_per_block(op, p, 0, (cols * 16) as u64)?;
    let hlen = header_len(cols);
    let name = source.name().to_path_buf();
    let mut written = 0u64;
    write_atomic(path, |w| {
        w.write_all(&header(0, cols, hlen))
            .map_err(|e| io_error(path, e))?;
        let mut bytes = Vec::new();
        for_each_block(source, rows, opts, (0, Some(1)), |b| {
            let z = f(b.view()).map_err(|e| match e {
                Error::NonFinite { .. } => Error::format(
                    &name,
                    format!(
                        "rows {}..{}: non-finite value (NaN or infinity)",
                        b.first_row(),
                        b.first_row() + b.rows() as u64
                    ),
                ),
                other => other,
            })?;
            bytes.clear();
            for v in z.iter() {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            w.write_all(&bytes).map_err(|e| io_error(path, e))?;
            written += z.nrows() as u64;
            Ok(())
        })?;
        w.seek(SeekFrom::Start(0)).map_err(|e| io_error(path, e))?;
        w.write_all(&header(written, cols, hlen))
            .map_err(|e| io_error(path, e))?;
        w.seek(SeekFrom::End(0)).map_err(|e| io_error(path, e))?;
        Ok(())
    })?;
    Ok(written)
}

impl FittedPca {
    /// Projects every row of `source` onto the components ([`FittedPca::transform`]) and
    /// writes the `(n_samples, n_components)` result to the `.npy` file `path`, block by
    /// block (a temporary file renamed into place when complete). Returns the number of
    /// rows written.
    ///
    /// # Errors
    /// As [`FittedPca::transform`]; errors of the source (naming the file and rows);
    /// [`Error::Io`] if `path` cannot be written (no file is left behind).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::Pca;
    /// use mlinalg::stream::{ArraySource, StreamOptions};
    /// let dir = std::env::temp_dir().join(format!("mlinalg-tstream-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let x = array![[1., 2.], [3., 4.], [5., 7.]];
    /// let pca = Pca::new(Some(1)).fit(x.view())?;
    /// let out = dir.join("z.npy");
    /// let n = pca.transform_stream(&mut ArraySource::new(x.view()), &out, &StreamOptions::with_block_rows(2))?;
    /// assert_eq!(n, 3);
    /// let z = mlinalg::io::read_npy(&out)?.data;
    /// assert!((z.into_dimensionality::<ndarray::Ix2>().unwrap() - pca.transform(x.view())?).iter().all(|d| d.abs() < 1e-12));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn transform_stream(
        &self,
        source: &mut dyn RowSource,
        path: &Path,
        opts: &StreamOptions,
    ) -> Result<u64> {
        transform_to_npy(
            source,
            path,
            self.n_components(),
            opts,
            "pca_transform",
            |b| self.transform(b),
        )
    }
}

impl FittedTruncatedSvd {
    /// Writes `X Vᵀ` for every row of `source` to the `.npy` file `path`, block by block
    /// (as [`FittedPca::transform_stream`]). Returns the number of rows written.
    ///
    /// # Errors
    /// As [`FittedTruncatedSvd::transform`]; errors of the source; [`Error::Io`].
    pub fn transform_stream(
        &self,
        source: &mut dyn RowSource,
        path: &Path,
        opts: &StreamOptions,
    ) -> Result<u64> {
        transform_to_npy(
            source,
            path,
            self.n_components(),
            opts,
            "tsvd_transform",
            |b| self.transform(b),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_rewritable() {
        for cols in [1usize, 10, 12345] {
            let len = header_len(cols);
            assert_eq!(len % 64, 0);
            for rows in [0u64, 7, u64::MAX] {
                let h = header(rows, cols, len);
                assert_eq!(h.len(), len);
                let parsed = crate::io::parse_npy(&h, Path::new("<h>"));
                // a header alone parses (a 0-row array), or fails only on the body length
                if rows == 0 {
                    assert_eq!(parsed.unwrap().data.shape(), &[0, cols]);
                }
            }
        }
    }
}
