//! Arrays in the element type their file stored: the dtype-preserving readers.

use std::io::Write;
use std::path::Path;

use ndarray::ArrayD;
use num_complex::{Complex32, Complex64};

use super::npy::{NpyOrder, to_c_order, write_npy_order, write_npy_to};
use super::{Dtype, extension};
use crate::error::{Error, Result};
use crate::sparse::CsrMatrix;

/// A dense array in one of the four element types mlinalg computes with, NumPy's float32,
/// float64, complex64 and complex128.
///
/// Every stored dtype maps to one of them as `numpy.linalg` promotes it: int, uint and
/// bool to `Float64`, float16 to `Float32`. The set is closed on purpose (it is the set of
/// scalar types of the library), so a `match` over it need not have a fallback arm.
///
/// # Examples
/// ```
/// use mlinalg::io::TypedArray;
/// let a = TypedArray::Float32(ndarray::array![[1.0f32, 2.0], [3.0, 4.0]].into_dyn());
/// assert_eq!(a.dtype().numpy_name(), "float32");
/// let t = a.reversed_axes(); // a transposed view's layout, no copy
/// assert_eq!(t.shape(), &[2, 2]);
/// assert!(matches!(t.into_standard_layout()?, TypedArray::Float32(b) if b[[0, 1]] == 3.0));
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum TypedArray {
    /// `float32` (also what a float16 file is read as).
    Float32(ArrayD<f32>),
    /// `float64` (also what int, uint and bool files are read as).
    Float64(ArrayD<f64>),
    /// `complex64`: pairs of `f32`.
    Complex64(ArrayD<Complex32>),
    /// `complex128`: pairs of `f64`.
    Complex128(ArrayD<Complex64>),
}

/// Applies the same expression to the array of any variant.
macro_rules! each {
    ($self:expr, $a:ident => $e:expr) => {
        match $self {
            TypedArray::Float32($a) => $e,
            TypedArray::Float64($a) => $e,
            TypedArray::Complex64($a) => $e,
            TypedArray::Complex128($a) => $e,
        }
    };
}

/// Applies an array-to-array expression to any variant, keeping the variant.
macro_rules! map_each {
    ($self:expr, $a:ident => $e:expr) => {
        match $self {
            TypedArray::Float32($a) => TypedArray::Float32($e),
            TypedArray::Float64($a) => TypedArray::Float64($e),
            TypedArray::Complex64($a) => TypedArray::Complex64($e),
            TypedArray::Complex128($a) => TypedArray::Complex128($e),
        }
    };
}

impl TypedArray {
    /// The NumPy dtype of the elements (`Float32`, `Float64`, `Complex64`, `Complex128`).
    #[must_use]
    pub fn dtype(&self) -> Dtype {
        match self {
            TypedArray::Float32(_) => Dtype::Float32,
            TypedArray::Float64(_) => Dtype::Float64,
            TypedArray::Complex64(_) => Dtype::Complex64,
            TypedArray::Complex128(_) => Dtype::Complex128,
        }
    }

    /// The shape.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        each!(self, a => a.shape())
    }

    /// The number of dimensions.
    #[must_use]
    pub fn ndim(&self) -> usize {
        each!(self, a => a.ndim())
    }

    /// The number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        each!(self, a => a.len())
    }

    /// Whether the array has no elements.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the elements are complex.
    #[must_use]
    pub fn is_complex(&self) -> bool {
        self.dtype().is_complex()
    }

    /// Whether the memory holds the elements in C order (row-major, contiguous).
    #[must_use]
    pub fn is_standard_layout(&self) -> bool {
        each!(self, a => a.is_standard_layout())
    }

    /// The array with its axes reversed (NumPy `.T`), without copying: a C-ordered array
    /// becomes Fortran-ordered and is written back in Fortran order by
    /// [`write_npy`](Self::write_npy), as `np.save(a.T)` does.
    #[must_use]
    pub fn reversed_axes(self) -> Self {
        map_each!(self, a => a.reversed_axes())
    }

    /// The array in standard (C) layout: returned as it is when it already is, else copied
    /// (2-d arrays with a cache-blocked parallel transpose).
    ///
    /// # Errors
    /// [`Error::Unsupported`] if the copy does not fit in the memory available.
    pub fn into_standard_layout(self) -> Result<Self> {
        const OP: &str = "as_standard_layout";
        Ok(match self {
            TypedArray::Float32(a) => TypedArray::Float32(to_c_order(OP, a)?),
            TypedArray::Float64(a) => TypedArray::Float64(to_c_order(OP, a)?),
            TypedArray::Complex64(a) => TypedArray::Complex64(to_c_order(OP, a)?),
            TypedArray::Complex128(a) => TypedArray::Complex128(to_c_order(OP, a)?),
        })
    }

    /// The values as `f64` in C order (float32 widened exactly).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for complex values (they have no real form) or when the
    /// copy does not fit in memory.
    pub fn into_f64(self) -> Result<ArrayD<f64>> {
        const OP: &str = "as_float64";
        match self {
            TypedArray::Float64(a) => to_c_order(OP, a),
            TypedArray::Float32(a) => to_c_order(OP, a.mapv(f64::from)),
            other => Err(Error::Unsupported {
                op: OP,
                detail: format!(
                    "{} values cannot be converted to float64",
                    other.dtype().numpy_name()
                ),
            }),
        }
    }

    /// The values as `Complex64` (complex128) in their layout: real values get a zero
    /// imaginary part, complex64 is widened exactly.
    #[must_use]
    pub fn into_complex128(self) -> ArrayD<Complex64> {
        match self {
            TypedArray::Float32(a) => a.mapv(|x| Complex64::new(f64::from(x), 0.0)),
            TypedArray::Float64(a) => a.mapv(|x| Complex64::new(x, 0.0)),
            TypedArray::Complex64(a) => {
                a.mapv(|z| Complex64::new(f64::from(z.re), f64::from(z.im)))
            }
            TypedArray::Complex128(a) => a,
        }
    }

    /// Writes the array to a `.npy` file in its own dtype, as `np.save` does (a
    /// Fortran-ordered array in Fortran order, without a copy).
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written; no partial file is left behind.
    pub fn write_npy(&self, path: &Path) -> Result<()> {
        self.write_npy_order(path, NpyOrder::Auto)
    }

    /// [`write_npy`](Self::write_npy) in a chosen memory order.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written; no partial file is left behind.
    pub fn write_npy_order(&self, path: &Path, order: NpyOrder) -> Result<()> {
        each!(self, a => write_npy_order(path, a, order))
    }

    /// Writes the array as `.npy` bytes to `w` (see [`write_npy_to`]).
    ///
    /// # Errors
    /// The writer's errors.
    pub fn write_npy_to<W: Write + ?Sized>(
        &self,
        w: &mut W,
        order: NpyOrder,
    ) -> std::io::Result<()> {
        each!(self, a => write_npy_to(w, a, order))
    }
}

/// A dense array read in the element type its file stored (see [`load_typed`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TypedDense {
    /// The values, in the file's memory order (a Fortran-order `.npy` file gives a
    /// Fortran-layout array, as `np.load` does).
    pub data: TypedArray,
    /// The dtype the file stored (`Int32`, `Bool`, `Float16`, … included, which `data`
    /// holds promoted).
    pub dtype: Dtype,
    /// The `.npy` header's `fortran_order` (false for every other format).
    pub fortran_order: bool,
}

/// What [`load_typed_keep_sparse`] read: a dense array in its element type, or a sparse
/// matrix from a Matrix Market or scipy.sparse `.npz` file.
#[derive(Debug, Clone)]
pub enum TypedLoaded {
    /// A `.npy`, `.csv` or dense `.npz` input.
    Dense(TypedDense),
    /// A `.mtx` or scipy.sparse `.npz` input, kept sparse.
    Sparse {
        /// The matrix, duplicates summed and symmetric entries mirrored.
        matrix: CsrMatrix,
        /// What the file stored (`Float64` for real and pattern files, `Int64` for integer
        /// Matrix Market files; the `data` dtype of a scipy.sparse file).
        dtype: Dtype,
    },
}

/// Reads any input file keeping its element type (NumPy's promotion of int and bool to
/// float64 and of float16 to float32 aside): `.npy`, `.npz` (one array, `file.npz:name`,
/// or a scipy.sparse matrix), `.csv` and `.mtx`, choosing the reader by the extension.
/// Sparse inputs are densified (see [`load_typed_keep_sparse`] to keep them sparse).
///
/// # Errors
/// As [`load`](super::load), complex data being accepted.
///
/// # Examples
/// ```
/// use mlinalg::io::{Dtype, TypedArray};
/// let dir = std::env::temp_dir().join(format!("mlinalg-load-typed-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("x.npy");
/// mlinalg::io::write_npy(&path, &ndarray::array![1.0f32, 2.5])?;
/// let x = mlinalg::io::load_typed(&path)?;
/// assert_eq!(x.dtype, Dtype::Float32);
/// assert!(matches!(x.data, TypedArray::Float32(ref v) if v[[1]] == 2.5));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn load_typed(path: &Path) -> Result<TypedDense> {
    match load_typed_keep_sparse(path)? {
        TypedLoaded::Dense(d) => Ok(d),
        TypedLoaded::Sparse { matrix, dtype } => Ok(TypedDense {
            data: TypedArray::Float64(matrix.to_dense()?.into_dyn()),
            dtype,
            fortran_order: false,
        }),
    }
}

/// [`load_typed`], keeping `.mtx` and scipy.sparse `.npz` inputs sparse.
///
/// # Errors
/// As [`load`](super::load), complex data being accepted.
///
/// # Examples
/// ```
/// use mlinalg::io::TypedLoaded;
/// let dir = std::env::temp_dir().join(format!("mlinalg-load-sparse-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("i.npz");
/// mlinalg::sparse::CsrMatrix::identity(3).save_npz(&path)?;
/// assert!(matches!(mlinalg::io::load_typed_keep_sparse(&path)?, TypedLoaded::Sparse { .. }));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn load_typed_keep_sparse(path: &Path) -> Result<TypedLoaded> {
    use super::npz::{NpzInput, read_npz_input, split_member};
    // `file.npz:name` picks one array; a file that exists under the full name is read as
    // itself.
    let member = if path.is_file() {
        None
    } else {
        split_member(path)
    };
    if let Some((file, name)) = member {
        return match read_npz_input(&file, Some(&name))? {
            NpzInput::Dense(d) => Ok(TypedLoaded::Dense(d)),
            NpzInput::Sparse { matrix, dtype } => Ok(TypedLoaded::Sparse { matrix, dtype }),
        };
    }
    match extension(path).as_deref() {
        Some("npy") => Ok(TypedLoaded::Dense(super::npy::read_npy_typed(path)?)),
        Some("npz") => match read_npz_input(path, None)? {
            NpzInput::Dense(d) => Ok(TypedLoaded::Dense(d)),
            NpzInput::Sparse { matrix, dtype } => Ok(TypedLoaded::Sparse { matrix, dtype }),
        },
        Some("csv") => Ok(TypedLoaded::Dense(TypedDense {
            data: TypedArray::Float64(super::read_csv(path)?),
            dtype: Dtype::Float64,
            fortran_order: false,
        })),
        Some("mtx") => {
            let (matrix, field) = super::read_mtx(path)?;
            Ok(TypedLoaded::Sparse {
                matrix,
                dtype: field.dtype(),
            })
        }
        other => Err(super::unknown_extension(path, other)),
    }
}
