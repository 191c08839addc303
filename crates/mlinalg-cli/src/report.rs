//! The result of a command: ordered named values, rendered by [`crate::output`].
//!
//! A command never prints. It returns a [`Report`], and the renderers turn the same report
//! into the human summary, the `--json` object or `.npy` files, so every output mode shows
//! the same named results (the contract's "one key per named result").

use mlinalg::io::TypedArray;
use ndarray::ArrayD;
use num_complex::Complex64;

/// One named result.
#[derive(Debug, Clone)]
pub enum Value {
    /// A real scalar.
    Float(f64),
    /// A complex scalar: `(1+2j)` for people, `{"re": 1.0, "im": 2.0}` in JSON.
    Complex(Complex64),
    /// An integer count (rank, nnz).
    Int(i64),
    /// A yes/no answer (`check`).
    Bool(bool),
    /// A word such as a dtype name.
    Str(String),
    /// A shape, rendered `(2, 3)` for people and `[2, 3]` in JSON.
    Shape(Vec<usize>),
    /// A real array. A 0-d array (a 1-d @ 1-d product) renders as a scalar but is still
    /// written to files.
    Array(ArrayD<f64>),
    /// A complex array, `{"shape", "re", "im"}` in JSON.
    // Complex command results are `Typed` (in their precision); this form remains for the
    // renderers' own tests.
    #[cfg_attr(not(test), allow(dead_code))]
    ComplexArray(ArrayD<Complex64>),
    /// An array in one of the library's four element types (float32, float64, complex64,
    /// complex128), written to files in that dtype; rendered like `Array` (real) or
    /// `ComplexArray` (complex). Its memory order is kept: a Fortran-ordered array (a
    /// transposed view) is written in Fortran order without a copy.
    Typed(TypedArray),
    /// An array computed in one of the four element types but written to files in another
    /// NumPy dtype: NumPy's result dtype where it is not a float or complex type of the
    /// library (`int64` ranks, the `matrix_power` of an `int8` matrix, a `float16` norm).
    /// Rendered like `Typed`.
    Stored(TypedArray, StoreAs),
    /// Text lines, such as a network's shape trace (a JSON list of strings).
    Lines(Vec<String>),
    /// A nested report: one section of the tour (a JSON object).
    Section(Report),
}

impl Value {
    /// True for values written to `.npy` files by `--out` / `--out-dir`.
    pub fn is_array(&self) -> bool {
        matches!(
            self,
            Value::Array(_) | Value::ComplexArray(_) | Value::Typed(_) | Value::Stored(..)
        )
    }
}

/// The dtype a [`Value::Stored`] array is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreAs {
    /// A dtype `mlinalg::io` knows.
    Dtype(mlinalg::io::Dtype),
    /// NumPy's `longdouble` (`<f16`: x87 80-bit extended, padded to 16 bytes).
    LongDouble,
    /// NumPy's `clongdouble` (`<c32`).
    CLongDouble,
}

/// One line of a report: a named result, or a remark for people only (skipped by `--json`).
#[derive(Debug, Clone)]
pub enum Item {
    /// A named result.
    Result(String, Value),
    /// A comment line of the human summary, e.g. `# (2, 3) @ (3, 2) → (2, 2)`.
    Note(String),
}

/// Ordered named results.
#[derive(Debug, Clone, Default)]
pub struct Report {
    items: Vec<Item>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a named value.
    pub fn value(mut self, name: &str, value: Value) -> Self {
        self.push(name, value);
        self
    }

    /// Appends a named value in place.
    pub fn push(&mut self, name: &str, value: Value) {
        self.items.push(Item::Result(name.to_string(), value));
    }

    /// Appends a remark for the human summary.
    pub fn note(&mut self, text: impl Into<String>) {
        self.items.push(Item::Note(text.into()));
    }

    /// Appends a real scalar.
    pub fn float(self, name: &str, v: f64) -> Self {
        self.value(name, Value::Float(v))
    }

    /// Appends an integer.
    pub fn int(self, name: &str, v: usize) -> Self {
        // Counts of elements fit in i64 on every platform Rust supports with ≤ 64-bit usize.
        self.value(name, Value::Int(i64::try_from(v).unwrap_or(i64::MAX)))
    }

    /// Appends a boolean.
    pub fn bool(self, name: &str, v: bool) -> Self {
        self.value(name, Value::Bool(v))
    }

    /// Appends a real array of any dimension.
    pub fn array<D: ndarray::Dimension>(self, name: &str, a: ndarray::Array<f64, D>) -> Self {
        self.value(name, Value::Array(a.into_dyn()))
    }

    /// Appends a complex array of any dimension.
    #[cfg(test)]
    pub fn complex<D: ndarray::Dimension>(
        self,
        name: &str,
        a: ndarray::Array<Complex64, D>,
    ) -> Self {
        self.value(name, Value::ComplexArray(a.into_dyn()))
    }

    /// All items in order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The named results in order (remarks skipped).
    pub fn results(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.items.iter().filter_map(|i| match i {
            Item::Result(n, v) => Some((n.as_str(), v)),
            Item::Note(_) => None,
        })
    }
}
