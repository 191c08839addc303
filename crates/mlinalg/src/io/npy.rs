//! NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
//!
//! A `.npy` file is the magic string `\x93NUMPY`, a two-byte version, a little-endian
//! header length (2 bytes in version 1.0, 4 bytes in 2.0 and 3.0), a header that is a
//! Python dict literal such as `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`,
//! and the raw element bytes. See
//! <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>.
//!
//! Reading supports every numeric NumPy dtype — float64, float32, float16, int64 … int8,
//! uint64 … uint8, bool, complex128 and complex64 — in either byte order (`=` and `|` mean
//! little-endian on the platforms Rust targets here), C and Fortran order, and any number of
//! dimensions. Object arrays (which need Python's pickle), structured dtypes and other
//! element types are rejected with a message saying so.
//!
//! Bodies are read with positioned reads, several at once, straight into the memory of the
//! returned array ([`read_npy_typed`] keeps the file's dtype family and memory order, as
//! `np.load` does). Writing ([`write_npy`]) follows `np.save`: an array that is
//! Fortran-contiguous (a transposed view, for instance) is written with
//! `'fortran_order': True` and no copy.

use std::fs::File;
use std::io::Write;
use std::mem::MaybeUninit;
use std::path::Path;

use ndarray::{ArrayBase, ArrayD, ArrayView2, Data, Dimension, IxDyn, ShapeBuilder};
use rayon::prelude::*;

use super::element::{NpyElement, is_native};
use super::fileio::{PIECE, as_bytes, read_exact_at, read_exact_at_uninit, uninit_bytes};
use super::typed::{TypedArray, TypedDense};
use super::{DenseArray, Dtype, io_error, write_atomic_sized};
use crate::array::{fmt_shape, try_vec_uninit_of};
use crate::error::{EXCERPT_CHARS, Error, Result, escape_bytes_excerpt, escape_excerpt};

pub use super::npz::{read_npz, write_npz};

/// The six bytes every `.npy` file starts with.
pub(crate) const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// NumPy pads `magic + version + length + header` to a multiple of 64 bytes so that the
/// data is aligned for memory mapping (`numpy.lib.format.ARRAY_ALIGN`).
const ALIGN: usize = 64;

/// Nesting depth limit of the header parser: real headers nest two levels (dict → tuple);
/// the limit only keeps a hostile `((((…` from exhausting the stack.
const MAX_DEPTH: usize = 32;

/// The bytes read to find the header: the preamble (at most 12 bytes) plus, in one go, the
/// dict of any ordinary file (NumPy pads headers to 64-byte multiples; 4 KiB covers 32-d
/// shapes). A longer header costs a second read.
const HEAD_GUESS: usize = 4096;

/// The element type as the header's `descr` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Descr {
    /// A numeric or bool type and whether it is stored big-endian.
    Num { dtype: Dtype, big_endian: bool },
    /// A fixed-width byte string `|S{n}` (scipy's `format` entry).
    Bytes(usize),
    /// A fixed-width UTF-32 string `<U{n}` / `>U{n}`.
    Unicode { chars: usize, big_endian: bool },
    /// NumPy's `longdouble` (`<f16`, `<f12`) or `clongdouble` (`<c32`, `<c24`): only
    /// [`read_npy_header_raw`] accepts it, no reader decodes it.
    LongDouble {
        complex: bool,
        itemsize: usize,
        big_endian: bool,
    },
}

impl Descr {
    fn itemsize(self) -> usize {
        match self {
            Descr::Num { dtype, .. } => dtype.itemsize(),
            Descr::Bytes(n) => n,
            Descr::Unicode { chars, .. } => chars.saturating_mul(4),
            Descr::LongDouble { itemsize, .. } => itemsize,
        }
    }

    /// NumPy's `dtype.str` spelling: byte order (`|` for single bytes), kind, item size.
    fn dtype_str(self) -> String {
        let order = |big: bool| if big { '>' } else { '<' };
        match self {
            Descr::Num { dtype, big_endian } => {
                let kind = match dtype {
                    Dtype::Float64 | Dtype::Float32 | Dtype::Float16 => 'f',
                    Dtype::Int64 | Dtype::Int32 | Dtype::Int16 | Dtype::Int8 => 'i',
                    Dtype::Uint64 | Dtype::Uint32 | Dtype::Uint16 | Dtype::Uint8 => 'u',
                    Dtype::Bool => 'b',
                    Dtype::Complex64 | Dtype::Complex128 => 'c',
                };
                let size = dtype.itemsize();
                let order = if size == 1 { '|' } else { order(big_endian) };
                format!("{order}{kind}{size}")
            }
            Descr::Bytes(n) => format!("|S{n}"),
            Descr::Unicode { chars, big_endian } => format!("{}U{chars}", order(big_endian)),
            Descr::LongDouble {
                complex,
                itemsize,
                big_endian,
            } => format!(
                "{}{}{itemsize}",
                order(big_endian),
                if complex { 'c' } else { 'f' }
            ),
        }
    }
}

/// A parsed header.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub(crate) descr: Descr,
    pub(crate) fortran_order: bool,
    pub(crate) shape: Vec<usize>,
    /// Offset of the first data byte from the start of the file.
    pub(crate) data_offset: usize,
}

impl Header {
    /// Number of elements; errors only when the product overflows, which
    /// [`Header::check_body_len`] reports with the byte count.
    pub(crate) fn count(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
    }

    /// Checks that the body holds exactly the bytes the shape needs, before anything is
    /// allocated. Byte counts are computed in `u128` so that even a shape such as
    /// `(10¹¹, 10¹¹)` is reported with its true size.
    pub(crate) fn check_body_len(&self, body_len: u64, path: &Path) -> Result<usize> {
        let needed = self
            .shape
            .iter()
            .try_fold(self.descr.itemsize() as u128, |n, &d| {
                n.checked_mul(d as u128)
            });
        let needed_text = match needed {
            Some(n) => n.to_string(),
            None => "more than 2^128".to_string(),
        };
        if needed != Some(u128::from(body_len)) {
            return Err(Error::format(
                path,
                format!(
                    "header shape {} needs {needed_text} bytes of {} data but the file holds {body_len} \
                     after its {}-byte header{}",
                    fmt_shape(&self.shape),
                    descr_name(self.descr),
                    self.data_offset,
                    if needed.is_some_and(|n| n > u128::from(body_len)) {
                        " (truncated file or wrong shape)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        // safe because the body length equals count · itemsize and fits in memory addressing
        self.count()
            .ok_or_else(|| Error::format(path, "header shape overflows"))
    }

    /// The numeric dtype and byte order, or an error for string dtypes (which only the
    /// scipy.sparse reader uses).
    pub(crate) fn numeric(&self, path: &Path) -> Result<(Dtype, bool)> {
        match self.descr {
            Descr::Num { dtype, big_endian } => Ok((dtype, big_endian)),
            other => Err(Error::format(
                path,
                format!(
                    "unsupported dtype {} (supported: {SUPPORTED_DTYPES})",
                    descr_name(other)
                ),
            )),
        }
    }

    /// Whether the body is in Fortran order in the sense that matters for layout: only
    /// arrays of two or more dimensions differ between the orders.
    pub(crate) fn is_fortran(&self) -> bool {
        self.fortran_order && self.shape.len() > 1
    }
}

/// The dtypes the readers accept, for messages.
pub(crate) const SUPPORTED_DTYPES: &str = "float64, float32, float16, int64, int32, int16, int8, \
     uint64, uint32, uint16, uint8, bool, complex128, complex64";

/// The NumPy spelling of a descr, for messages.
pub(crate) fn descr_name(d: Descr) -> String {
    match d {
        Descr::Num { dtype, .. } => dtype.numpy_name().to_string(),
        Descr::Bytes(n) => format!("|S{n}"),
        Descr::Unicode { chars, .. } => format!("<U{chars}"),
        Descr::LongDouble { .. } => d.dtype_str(),
    }
}

/// What a `.npy` header says about the array that follows it.
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-header-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("t.npy");
/// let a = ndarray::array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// mlinalg::io::write_npy(&path, &a.t())?; // a transposed view: written in Fortran order
/// let h = mlinalg::io::read_npy_header(&path)?;
/// assert_eq!(h.dtype, mlinalg::io::Dtype::Float32);
/// assert_eq!(h.shape, vec![3, 2]);
/// assert!(h.fortran_order);
/// assert_eq!(h.data_offset, 128);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NpyHeader {
    /// The stored dtype.
    pub dtype: Dtype,
    /// Whether the elements are stored big-endian (`>f8`).
    pub big_endian: bool,
    /// The header's `fortran_order`: the body lists the elements column-major.
    pub fortran_order: bool,
    /// The array's shape.
    pub shape: Vec<usize>,
    /// Where the body starts in the file, in bytes.
    pub data_offset: u64,
}

impl NpyHeader {
    /// The number of elements, the product of the shape (checked against the file's length
    /// when the header was read, so it cannot overflow).
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the array has no elements.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Opens `path` and reads and checks its header (the shape against the file's length).
pub(crate) fn open_npy(path: &Path) -> Result<(File, Header)> {
    open_npy_with(path, false)
}

/// [`open_npy`], accepting long double dtypes if `long_double`.
fn open_npy_with(path: &Path, long_double: bool) -> Result<(File, Header)> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let file_len = file.metadata().map_err(|e| io_error(path, e))?.len();
    let mut head = vec![0u8; HEAD_GUESS.min(usize::try_from(file_len).unwrap_or(HEAD_GUESS))];
    read_exact_at(&file, &mut head, 0).map_err(|e| truncated(path, e))?;
    let (_, header_len, pre_len) = parse_preamble(&head, path)?;
    check_header_fits(pre_len, header_len, file_len, path)?;
    if pre_len + header_len > head.len() {
        head.resize(pre_len + header_len, 0);
        read_exact_at(&file, &mut head, 0).map_err(|e| truncated(path, e))?;
    }
    let header = parse_header_with(&head, file_len, path, long_double)?;
    header.check_body_len(file_len - header.data_offset as u64, path)?;
    Ok((file, header))
}

/// Reads the header of a `.npy` file without reading its body, checking it as the readers
/// do (a shape that does not match the file's length is an error).
///
/// # Errors
/// [`Error::Format`] for a file that is not a `.npy` file, an unsupported dtype or a shape
/// that does not match the file's length; [`Error::Io`] if the file cannot be read.
pub fn read_npy_header(path: &Path) -> Result<NpyHeader> {
    let (_, header) = open_npy(path)?;
    let (dtype, big_endian) = header.numeric(path)?;
    Ok(NpyHeader {
        dtype,
        big_endian,
        fortran_order: header.fortran_order,
        shape: header.shape,
        data_offset: header.data_offset as u64,
    })
}

/// What a `.npy` header says, for any fixed-size dtype: also those no reader of mlinalg
/// decodes (NumPy's `longdouble` `<f16` and `clongdouble` `<c32`, byte strings `|S5`,
/// Unicode strings `<U3`), for callers that decode the body themselves.
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-raw-header-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("long.npy");
/// // a (2, 1) longdouble array in Fortran order, as np.save writes one
/// let mut f = std::fs::File::create(&path).unwrap();
/// mlinalg::io::npy::write_npy_raw_to(&mut f, "<f16", &[2, 1], true, &[0u8; 32]).unwrap();
/// drop(f);
/// let h = mlinalg::io::npy::read_npy_header_raw(&path)?;
/// assert_eq!((h.descr.as_str(), h.itemsize, h.fortran_order), ("<f16", 16, true));
/// assert_eq!((h.shape.as_slice(), h.data_offset), (&[2, 1][..], 128));
/// assert!(mlinalg::io::read_npy_header(&path).is_err()); // no reader decodes long doubles
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NpyRawHeader {
    /// The dtype in NumPy's `dtype.str` spelling: `<f8`, `>i4`, `|b1`, `<c16`, `<f16`
    /// (longdouble), `<c32` (clongdouble), `|S5`, `<U3`.
    pub descr: String,
    /// Bytes per element.
    pub itemsize: usize,
    /// The header's `fortran_order`: the body lists the elements column-major.
    pub fortran_order: bool,
    /// The array's shape.
    pub shape: Vec<usize>,
    /// Where the body starts in the file, in bytes; the body is exactly
    /// `itemsize · Π shape` bytes long (checked).
    pub data_offset: u64,
}

/// Reads the header of a `.npy` file of any fixed-size dtype (see [`NpyRawHeader`]),
/// checked as [`read_npy_header`] checks it: a shape that does not match the file's length
/// is an error.
///
/// # Errors
/// [`Error::Format`] for a file that is not a `.npy` file, a dtype of no fixed size
/// (object arrays, structured records) or a shape that does not match the file's length;
/// [`Error::Io`] if the file cannot be read.
pub fn read_npy_header_raw(path: &Path) -> Result<NpyRawHeader> {
    let (_, header) = open_npy_with(path, true)?;
    Ok(NpyRawHeader {
        descr: header.descr.dtype_str(),
        itemsize: header.descr.itemsize(),
        fortran_order: header.fortran_order,
        shape: header.shape,
        data_offset: header.data_offset as u64,
    })
}

// ---------------------------------------------------------------------------------------
// Header parsing
// ---------------------------------------------------------------------------------------

/// Length of the fixed preamble (magic, version, header length) of `version`.
fn preamble_len(major: u8) -> usize {
    if major == 1 { 10 } else { 12 }
}

/// Parses the preamble at the start of `bytes` (which must hold at least 12 bytes or the
/// whole file) and returns `(major, header_len, preamble_len)`.
pub(crate) fn parse_preamble(bytes: &[u8], path: &Path) -> Result<(u8, usize, usize)> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(Error::format(path, "not a .npy file (bad magic string)"));
    }
    let (major, minor) = match bytes.get(6..8) {
        Some(&[a, b]) => (a, b),
        _ => {
            return Err(Error::format(
                path,
                "truncated .npy file (no format version)",
            ));
        }
    };
    if !matches!(major, 1..=3) || minor != 0 {
        return Err(Error::format(
            path,
            format!("unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)"),
        ));
    }
    let pre = preamble_len(major);
    let header_len = match (major, bytes.get(8..pre)) {
        (1, Some(&[a, b])) => usize::from(u16::from_le_bytes([a, b])),
        (_, Some(&[a, b, c, d])) => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => {
            return Err(Error::format(
                path,
                "truncated .npy file (no header length)",
            ));
        }
    };
    // NumPy's own loader refuses headers above 10 000 bytes (`max_header_size`); a length
    // field of 4 GB in a zip entry whose size is only declared would otherwise be
    // allocated before the entry turns out to be shorter.
    if header_len > MAX_HEADER_LEN {
        return Err(Error::format(
            path,
            format!(
                "the .npy header length says {header_len} bytes (at most {MAX_HEADER_LEN} are accepted)"
            ),
        ));
    }
    Ok((major, header_len, pre))
}

/// The longest `.npy` header accepted: 1 MiB (NumPy's loader accepts 10 000 bytes unless
/// told otherwise; a header holds a dtype and a shape).
pub(crate) const MAX_HEADER_LEN: usize = 1 << 20;

/// A Python literal in a header.
#[derive(Debug, Clone, PartialEq)]
enum PyValue {
    Str(String),
    Int(u64),
    Bool(bool),
    None,
    Tuple(Vec<PyValue>),
    List(Vec<PyValue>),
    Dict(Vec<(PyValue, PyValue)>),
}

impl PyValue {
    /// Python's `repr` of the value as a message quotes it: strings through
    /// [`escape_excerpt`], the whole cut after [`EXCERPT_CHARS`] characters with `…` (a
    /// hostile header may hold a tuple of a million entries).
    fn repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        if out.chars().count() > EXCERPT_CHARS {
            out = out.chars().take(EXCERPT_CHARS).collect();
            out.push('…');
        }
        out
    }

    fn write_repr(&self, out: &mut String) {
        // Stop early: the result is cut anyway.
        if out.len() > 4 * EXCERPT_CHARS {
            return;
        }
        let seq = |out: &mut String, items: &[PyValue], open: char, close: char| {
            out.push(open);
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                v.write_repr(out);
                if out.len() > 4 * EXCERPT_CHARS {
                    return;
                }
            }
            if open == '(' && items.len() == 1 {
                out.push(',');
            }
            out.push(close);
        };
        match self {
            PyValue::Str(s) => {
                out.push('\'');
                out.push_str(&escape_excerpt(s));
                out.push('\'');
            }
            PyValue::Int(n) => out.push_str(&n.to_string()),
            PyValue::Bool(true) => out.push_str("True"),
            PyValue::Bool(false) => out.push_str("False"),
            PyValue::None => out.push_str("None"),
            PyValue::Tuple(items) => seq(out, items, '(', ')'),
            PyValue::List(items) => seq(out, items, '[', ']'),
            PyValue::Dict(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out);
                    out.push_str(": ");
                    v.write_repr(out);
                    if out.len() > 4 * EXCERPT_CHARS {
                        return;
                    }
                }
                out.push('}');
            }
        }
    }
}

/// A recursive-descent parser for the subset of Python literals that `repr` of a header
/// dict produces: dicts, tuples, lists, strings, non-negative integers (an old `L` suffix
/// allowed), `True`, `False`, `None`. Any whitespace and trailing commas are accepted.
struct PyParser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl PyParser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn err(&self, what: &str) -> String {
        format!(
            "cannot parse the header dict: {what} at character {}",
            self.pos
        )
    }

    fn value(&mut self, depth: usize) -> std::result::Result<PyValue, String> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        return Ok(PyValue::Dict(items));
                    }
                    let k = self.value(depth + 1)?;
                    if self.peek() != Some(b':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.pos += 1;
                    let v = self.value(depth + 1)?;
                    items.push((k, v));
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {}
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(open @ (b'(' | b'[')) => {
                let close = if open == b'(' { b')' } else { b']' };
                self.pos += 1;
                let mut items = Vec::new();
                let mut saw_comma = false;
                loop {
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        // `(5)` is just 5 in Python; only `(5,)` is a tuple.
                        if open == b'(' && items.len() == 1 && !saw_comma {
                            return Ok(items.pop().unwrap_or(PyValue::None));
                        }
                        return Ok(if open == b'(' {
                            PyValue::Tuple(items)
                        } else {
                            PyValue::List(items)
                        });
                    }
                    items.push(self.value(depth + 1)?);
                    match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            saw_comma = true;
                        }
                        Some(c) if c == close => {}
                        _ => return Err(self.err(&format!("expected ',' or '{}'", close as char))),
                    }
                }
            }
            Some(q @ (b'\'' | b'"')) => {
                self.pos += 1;
                let start = self.pos;
                while let Some(&c) = self.s.get(self.pos) {
                    if c == q {
                        let text = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
                        self.pos += 1;
                        return Ok(PyValue::Str(text));
                    }
                    if c == b'\\' {
                        return Err(self.err("escape sequences in strings are not supported"));
                    }
                    self.pos += 1;
                }
                Err(self.err("unterminated string"))
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.pos;
                while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    self.pos += 1;
                }
                let digits = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("");
                let n: u64 = digits.parse().map_err(|_| self.err("integer too large"))?;
                if matches!(self.s.get(self.pos), Some(b'L' | b'l')) {
                    self.pos += 1; // Python 2 long suffix, e.g. `(3L, 4L)`
                }
                Ok(PyValue::Int(n))
            }
            Some(b'-') => Err(self.err("negative number")),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self
                    .s
                    .get(self.pos)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    self.pos += 1;
                }
                match &self.s[start..self.pos] {
                    b"True" => Ok(PyValue::Bool(true)),
                    b"False" => Ok(PyValue::Bool(false)),
                    b"None" => Ok(PyValue::None),
                    other => {
                        self.pos = start;
                        Err(self.err(&format!(
                            "unexpected name '{}'",
                            escape_bytes_excerpt(other)
                        )))
                    }
                }
            }
            Some(_) => Err(self.err(&format!(
                "unexpected character '{}'",
                escape_bytes_excerpt(&self.s[self.pos..(self.pos + 1)])
            ))),
            None => Err(self.err("unexpected end")),
        }
    }
}

/// Parses a `descr` string such as `'<f8'`; long doubles only if `long_double`.
fn parse_descr(s: &str, long_double: bool) -> std::result::Result<Descr, String> {
    let (order, rest) = match s.as_bytes().first() {
        Some(c @ (b'<' | b'>' | b'|' | b'=')) => (*c, &s[1..]),
        _ => (b'=', s),
    };
    // '=' and '|' mean native order; NumPy only writes them on little-endian machines for
    // multi-byte types, and Rust's supported targets that run NumPy are little-endian.
    let big_endian = order == b'>' || (order != b'<' && cfg!(target_endian = "big"));
    let dtype = match rest {
        "f8" | "d" => Dtype::Float64,
        "f4" | "f" => Dtype::Float32,
        "f2" | "e" => Dtype::Float16,
        "i8" | "q" => Dtype::Int64,
        "i4" | "i" => Dtype::Int32,
        "i2" | "h" => Dtype::Int16,
        "i1" | "b" => Dtype::Int8,
        "u8" | "Q" => Dtype::Uint64,
        "u4" | "I" => Dtype::Uint32,
        "u2" | "H" => Dtype::Uint16,
        "u1" | "B" => Dtype::Uint8,
        "b1" | "?" => Dtype::Bool,
        "c16" | "D" => Dtype::Complex128,
        "c8" | "F" => Dtype::Complex64,
        "O" | "O8" | "O4" => {
            return Err(
                "object arrays (dtype 'O') cannot be read: they hold Python objects \
                        (pickle); save a numeric array instead"
                    .to_string(),
            );
        }
        _ => {
            let kind = rest.chars().next();
            let width: Option<usize> = rest.get(1..).and_then(|w| w.parse().ok());
            if let (Some('S'), Some(n)) = (kind, width) {
                return Ok(Descr::Bytes(n));
            }
            if let (Some('U'), Some(n)) = (kind, width) {
                return Ok(Descr::Unicode {
                    chars: n,
                    big_endian,
                });
            }
            if let (true, Some(c @ ('f' | 'c')), Some(itemsize @ (12 | 16 | 24 | 32))) =
                (long_double, kind, width)
                && (c == 'f') == (itemsize <= 16)
            {
                return Ok(Descr::LongDouble {
                    complex: c == 'c',
                    itemsize,
                    big_endian,
                });
            }
            let name = match (kind, width) {
                (Some('f'), Some(12 | 16)) => " (long double)",
                (Some('c'), Some(24 | 32)) => " (complex long double)",
                (Some('M' | 'm'), _) => " (datetimes)",
                (Some('V'), _) => " (raw void records)",
                _ => "",
            };
            return Err(format!(
                "unsupported dtype '{}'{name} (supported: {SUPPORTED_DTYPES})",
                escape_excerpt(s)
            ));
        }
    };
    Ok(Descr::Num { dtype, big_endian })
}

/// Parses the header dict text (long double dtypes only if `long_double`).
fn parse_header_dict(
    text: &[u8],
    data_offset: usize,
    path: &Path,
    long_double: bool,
) -> Result<Header> {
    // The padding (spaces and the final newline) is not part of the dict.
    let mut p = PyParser {
        s: text.trim_ascii_end(),
        pos: 0,
    };
    let value = p.value(0).map_err(|e| Error::format(path, e))?;
    if p.peek().is_some() {
        return Err(Error::format(
            path,
            p.err("unexpected text after the header dict"),
        ));
    }
    let PyValue::Dict(items) = value else {
        return Err(Error::format(path, "the .npy header is not a dict"));
    };
    let get = |key: &str| {
        items.iter().find_map(|(k, v)| match k {
            PyValue::Str(s) if s == key => Some(v),
            _ => None,
        })
    };
    let missing = |key: &str| Error::format(path, format!("the .npy header has no '{key}' key"));
    let descr = match get("descr").ok_or_else(|| missing("descr"))? {
        PyValue::Str(s) => parse_descr(s, long_double).map_err(|e| Error::format(path, e))?,
        PyValue::List(_) => {
            return Err(Error::format(
                path,
                "structured dtypes (records with named fields) are not supported: save a plain \
                 numeric array",
            ));
        }
        other => {
            return Err(Error::format(
                path,
                format!("'descr' is not a string: {}", other.repr()),
            ));
        }
    };
    let fortran_order = match get("fortran_order").ok_or_else(|| missing("fortran_order"))? {
        PyValue::Bool(b) => *b,
        other => {
            return Err(Error::format(
                path,
                format!("'fortran_order' is not True or False: {}", other.repr()),
            ));
        }
    };
    let shape = match get("shape").ok_or_else(|| missing("shape"))? {
        PyValue::Tuple(dims) | PyValue::List(dims) => dims
            .iter()
            .map(|d| match d {
                PyValue::Int(n) => usize::try_from(*n)
                    .map_err(|_| Error::format(path, format!("shape dimension {n} is too large"))),
                other => Err(Error::format(
                    path,
                    format!("shape entry {} is not an integer", other.repr()),
                )),
            })
            .collect::<Result<Vec<usize>>>()?,
        PyValue::Int(n) => vec![
            usize::try_from(*n)
                .map_err(|_| Error::format(path, format!("shape dimension {n} is too large")))?,
        ],
        other => {
            return Err(Error::format(
                path,
                format!("'shape' is not a tuple: {}", other.repr()),
            ));
        }
    };
    Ok(Header {
        descr,
        fortran_order,
        shape,
        data_offset,
    })
}

/// Errors unless a header of `header_len` bytes after a `pre`-byte preamble fits in a file
/// of `file_len` bytes.
pub(crate) fn check_header_fits(
    pre: usize,
    header_len: usize,
    file_len: u64,
    path: &Path,
) -> Result<()> {
    if (pre + header_len) as u64 > file_len {
        return Err(Error::format(
            path,
            format!(
                "truncated .npy file: the header length says {header_len} bytes but the file holds {}",
                file_len.saturating_sub(pre as u64)
            ),
        ));
    }
    Ok(())
}

/// Parses the preamble and header from the start of `bytes`; `file_len` is the length of
/// the whole file (`bytes` may be just its beginning, but must hold the whole header).
/// Version 1.0 and 2.0 headers are latin-1 and 3.0 UTF-8; every key and value we use is
/// ASCII, and other bytes can only occur inside strings, which are kept lossily.
pub(crate) fn parse_header(bytes: &[u8], file_len: u64, path: &Path) -> Result<Header> {
    parse_header_with(bytes, file_len, path, false)
}

/// [`parse_header`], accepting long double dtypes if `long_double`.
fn parse_header_with(
    bytes: &[u8],
    file_len: u64,
    path: &Path,
    long_double: bool,
) -> Result<Header> {
    let (_, header_len, pre) = parse_preamble(bytes, path)?;
    check_header_fits(pre, header_len, file_len, path)?;
    let data_offset = pre + header_len;
    let text = bytes
        .get(pre..data_offset)
        .ok_or_else(|| Error::format(path, "truncated .npy header"))?;
    parse_header_dict(text, data_offset, path, long_double)
}

// ---------------------------------------------------------------------------------------
// Reading bodies
// ---------------------------------------------------------------------------------------

/// Maps an unexpected end of file to a format error (the file shrank while being read).
pub(crate) fn truncated(path: &Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        Error::format(path, "truncated .npy file")
    } else {
        io_error(path, e)
    }
}

/// An empty vector with room for `count` elements of `T`, refused with an error naming
/// the file when the array is too large for the memory available.
fn alloc_values<T>(op: &'static str, count: usize, path: &Path) -> Result<Vec<T>> {
    try_vec_uninit_of(op, count).map_err(|e| match e {
        Error::Unsupported { op, detail } => Error::Unsupported {
            op,
            detail: format!("{}: {detail}", path.display()),
        },
        other => other,
    })
}

/// Reads the `count` elements of the body that starts at `offset` in `file`, stored as
/// `dtype` in byte order `big_endian`, as `T` (in the file's order).
///
/// Pieces of [`PIECE`] bytes are read in parallel with positioned reads: straight into the
/// vector when the stored bytes are `T`'s own, else through a per-task buffer that is
/// converted into the vector.
pub(crate) fn read_body<T: NpyElement>(
    file: &File,
    offset: u64,
    dtype: Dtype,
    big_endian: bool,
    count: usize,
    op: &'static str,
    path: &Path,
) -> Result<Vec<T>> {
    let mut v = alloc_values::<T>(op, count, path)?;
    let dst = &mut v.spare_capacity_mut()[..count];
    let itemsize = dtype.itemsize();
    let result = if is_native::<T>(dtype, big_endian) {
        let bytes = uninit_bytes(dst);
        if bytes.len() <= PIECE {
            read_exact_at_uninit(file, bytes, offset)
        } else {
            bytes
                .par_chunks_mut(PIECE)
                .enumerate()
                .try_for_each(|(i, piece)| {
                    read_exact_at_uninit(file, piece, offset + (i * PIECE) as u64)
                })
        }
    } else {
        let per = (PIECE / itemsize).max(1);
        let read_piece = |buf: &mut Vec<u8>, (i, piece): (usize, &mut [MaybeUninit<T>])| {
            let n = piece.len() * itemsize;
            buf.resize(n, 0);
            read_exact_at(file, &mut buf[..n], offset + (i * per * itemsize) as u64)?;
            T::decode(dtype, big_endian, &buf[..n], piece);
            Ok(())
        };
        if count <= per {
            read_piece(&mut Vec::new(), (0, dst))
        } else {
            dst.par_chunks_mut(per)
                .enumerate()
                .try_for_each_init(Vec::new, read_piece)
        }
    };
    result.map_err(|e| truncated(path, e))?;
    // SAFETY: every one of the `count` elements was written: by pread (which filled each
    // piece completely, or the read failed and we returned above) or by `decode`, which
    // writes `piece.len()` elements from the `piece.len() · itemsize` bytes it is given.
    unsafe { v.set_len(count) };
    Ok(v)
}

/// The array of `values` with the header's shape, in the header's memory order.
fn shaped<T>(values: Vec<T>, header: &Header, path: &Path) -> Result<ArrayD<T>> {
    let shape = IxDyn(&header.shape);
    let a = if header.is_fortran() {
        ArrayD::from_shape_vec(shape.f(), values)
    } else {
        ArrayD::from_shape_vec(shape, values)
    };
    a.map_err(|e| {
        Error::format(
            path,
            format!(
                "header shape {} is not a valid array shape: {e}",
                fmt_shape(&header.shape)
            ),
        )
    })
}

/// Reads the whole body of an opened file as `T`.
fn read_array<T: NpyElement>(
    file: &File,
    header: &Header,
    op: &'static str,
    path: &Path,
) -> Result<ArrayD<T>> {
    let (dtype, big_endian) = header.numeric(path)?;
    let count = header
        .count()
        .ok_or_else(|| Error::format(path, "header shape overflows"))?;
    let values = read_body::<T>(
        file,
        header.data_offset as u64,
        dtype,
        big_endian,
        count,
        op,
        path,
    )?;
    shaped(values, header, path)
}

/// Decodes an in-memory body as `T`.
fn decode_array<T: NpyElement>(header: &Header, body: &[u8], path: &Path) -> Result<ArrayD<T>> {
    let (dtype, big_endian) = header.numeric(path)?;
    let count = header.check_body_len(body.len() as u64, path)?;
    let mut v = alloc_values::<T>("read_npy", count, path)?;
    T::decode(
        dtype,
        big_endian,
        body,
        &mut v.spare_capacity_mut()[..count],
    );
    // SAFETY: `decode` wrote all `count` elements (the body holds count · itemsize bytes).
    unsafe { v.set_len(count) };
    shaped(v, header, path)
}

/// The error for complex data where real numbers are needed.
fn complex_as_real(dtype: Dtype, path: &Path) -> Error {
    Error::format(
        path,
        format!(
            "{} values cannot be read as real numbers (float64); this operation takes real input",
            dtype.numpy_name()
        ),
    )
}

/// Reads the body of an opened file in its dtype family (see [`read_npy_typed`]).
pub(crate) fn read_typed(file: &File, header: &Header, path: &Path) -> Result<TypedDense> {
    const OP: &str = "read_npy";
    let (dtype, _) = header.numeric(path)?;
    let data = match dtype {
        Dtype::Float32 | Dtype::Float16 => TypedArray::Float32(read_array(file, header, OP, path)?),
        Dtype::Complex64 => TypedArray::Complex64(read_array(file, header, OP, path)?),
        Dtype::Complex128 => TypedArray::Complex128(read_array(file, header, OP, path)?),
        _ => TypedArray::Float64(read_array(file, header, OP, path)?),
    };
    Ok(TypedDense {
        data,
        dtype,
        fortran_order: header.fortran_order,
    })
}

/// Decodes an in-memory `.npy` body in its dtype family.
pub(crate) fn decode_typed(header: &Header, body: &[u8], path: &Path) -> Result<TypedDense> {
    let (dtype, _) = header.numeric(path)?;
    let data = match dtype {
        Dtype::Float32 | Dtype::Float16 => TypedArray::Float32(decode_array(header, body, path)?),
        Dtype::Complex64 => TypedArray::Complex64(decode_array(header, body, path)?),
        Dtype::Complex128 => TypedArray::Complex128(decode_array(header, body, path)?),
        _ => TypedArray::Float64(decode_array(header, body, path)?),
    };
    Ok(TypedDense {
        data,
        dtype,
        fortran_order: header.fortran_order,
    })
}

/// Decodes an in-memory `.npy` body as `f64` in C order (the [`DenseArray`] contract).
pub(crate) fn decode_dense(header: &Header, body: &[u8], path: &Path) -> Result<DenseArray> {
    let (dtype, _) = header.numeric(path)?;
    if dtype.is_complex() {
        return Err(complex_as_real(dtype, path));
    }
    let a = decode_array::<f64>(header, body, path)?;
    Ok(DenseArray {
        data: to_c_order("read_npy", a)?,
        dtype,
    })
}

// ---------------------------------------------------------------------------------------
// Public readers
// ---------------------------------------------------------------------------------------

/// Parses the bytes of a `.npy` file (`path` names it in error messages) as `f64` in C
/// order.
///
/// # Errors
/// [`Error::Format`] for a bad magic string, an unsupported version or dtype (complex
/// included: see [`parse_npy_typed`]), a header that is not a valid dict, or a body whose
/// length differs from what the header's shape needs (checked before any allocation).
///
/// # Examples
/// ```
/// use std::path::Path;
/// use mlinalg::io::npy::{parse_npy, to_npy_bytes};
/// let bytes = to_npy_bytes(&ndarray::array![1.0, 2.0, 3.0]);
/// let a = parse_npy(&bytes, Path::new("<bytes>"))?;
/// assert_eq!(a.data.shape(), &[3]);
/// let e = parse_npy(b"hello", Path::new("<bytes>")).unwrap_err();
/// assert_eq!(e.to_string(), "<bytes>: not a .npy file (bad magic string)");
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn parse_npy(bytes: &[u8], path: &Path) -> Result<DenseArray> {
    let header = parse_header(bytes, bytes.len() as u64, path)?;
    decode_dense(
        &header,
        bytes.get(header.data_offset..).unwrap_or(&[]),
        path,
    )
}

/// Parses the bytes of a `.npy` file in its own dtype family, as [`read_npy_typed`] reads
/// a file.
///
/// # Errors
/// As [`parse_npy`], complex dtypes being accepted.
///
/// # Examples
/// ```
/// use std::path::Path;
/// use mlinalg::io::{TypedArray, npy::{parse_npy_typed, to_npy_bytes}};
/// let bytes = to_npy_bytes(&ndarray::array![1.5f32, 2.0]);
/// let a = parse_npy_typed(&bytes, Path::new("<bytes>"))?;
/// assert!(matches!(a.data, TypedArray::Float32(ref v) if v[[1]] == 2.0));
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn parse_npy_typed(bytes: &[u8], path: &Path) -> Result<TypedDense> {
    let header = parse_header(bytes, bytes.len() as u64, path)?;
    decode_typed(
        &header,
        bytes.get(header.data_offset..).unwrap_or(&[]),
        path,
    )
}

/// Reads a `.npy` file (NumPy `np.load`) as `f64` in standard (C) layout.
///
/// Every real dtype is converted to `f64`; [`DenseArray::dtype`] says what the file
/// stored. A Fortran-order file is transposed into C layout (cache-blocked, in parallel).
/// Use [`read_npy_typed`] to keep float32 and complex data in their own types and the
/// file's memory order.
///
/// # Errors
/// As [`parse_npy`]; [`Error::Io`] if the file cannot be read; [`Error::Unsupported`] if
/// the array is larger than the memory available.
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-read-npy-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("a.npy");
/// mlinalg::io::write_npy(&path, &ndarray::array![[1.0, 2.0], [3.0, 4.0]])?;
/// let a = mlinalg::io::read_npy(&path)?;
/// assert_eq!(a.data[[1, 0]], 3.0);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn read_npy(path: &Path) -> Result<DenseArray> {
    let (file, header) = open_npy(path)?;
    let (dtype, _) = header.numeric(path)?;
    if dtype.is_complex() {
        return Err(complex_as_real(dtype, path));
    }
    let a = read_array::<f64>(&file, &header, "read_npy", path)?;
    Ok(DenseArray {
        data: to_c_order("read_npy", a)?,
        dtype,
    })
}

/// Reads a `.npy` file (NumPy `np.load`) keeping its element type and memory order:
/// float64 → `f64`, float32 → `f32`, complex128 → [`Complex64`](num_complex::Complex64),
/// complex64 → [`Complex32`](num_complex::Complex32); ints and bool → `f64` and float16 →
/// `f32`, as `numpy.linalg` promotes them. [`TypedDense::dtype`] is the stored dtype.
///
/// A Fortran-order file gives an array in Fortran layout, without a copy (as `np.load`
/// gives an F-contiguous array); [`TypedArray::into_standard_layout`] makes it C-ordered.
///
/// # Errors
/// As [`read_npy`], complex dtypes being accepted.
///
/// # Examples
/// ```
/// use mlinalg::io::{Dtype, TypedArray};
/// use num_complex::Complex64;
/// let dir = std::env::temp_dir().join(format!("mlinalg-read-typed-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("z.npy");
/// let z = ndarray::array![[Complex64::new(1.0, 2.0), Complex64::new(0.0, -1.0)]];
/// mlinalg::io::write_npy(&path, &z)?;
/// let a = mlinalg::io::read_npy_typed(&path)?;
/// assert_eq!(a.dtype, Dtype::Complex128);
/// assert!(matches!(a.data, TypedArray::Complex128(ref b) if *b == z.into_dyn()));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn read_npy_typed(path: &Path) -> Result<TypedDense> {
    let (file, header) = open_npy(path)?;
    read_typed(&file, &header, path)
}

// ---------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------

/// `a` in standard (C) layout: returned as it is when it already is; a 2-d array in any
/// other layout is copied with a cache-blocked transpose, in parallel; other arrays
/// element by element. The copy is a checked allocation.
pub(crate) fn to_c_order<T: Copy + Send + Sync>(
    op: &'static str,
    a: ArrayD<T>,
) -> Result<ArrayD<T>> {
    if a.is_standard_layout() {
        return Ok(a);
    }
    let shape = a.shape().to_vec();
    let count = a.len();
    let mut v = try_vec_uninit_of::<T>(op, count)?;
    let dst = &mut v.spare_capacity_mut()[..count];
    match a.view().into_dimensionality::<ndarray::Ix2>() {
        Ok(a2) => gather_c(&a2, dst),
        Err(_) => {
            for (d, &x) in dst.iter_mut().zip(a.iter()) {
                d.write(x);
            }
        }
    }
    // SAFETY: both branches write all `count` elements of `dst`.
    unsafe { v.set_len(count) };
    ArrayD::from_shape_vec(IxDyn(&shape), v).map_err(|e| Error::shape(op, e.to_string()))
}

/// Edge of the square tiles of the blocked copy: 32 × 32 `f64` is 8 KiB read and 8 KiB
/// written, well inside the 32 KiB L1 of every x86 core of the last decade.
const TILE: usize = 32;

/// Copies the 2-d view `a` (any strides) into `dst` in C order.
///
/// The copy goes tile by tile: within a 32-column band, rows are walked in order, so the
/// reads of a transposed source touch 32 cache lines that are reused for the next 7 rows,
/// and the writes are sequential. Bands of rows are distributed over the rayon pool.
fn gather_c<T: Copy + Send + Sync>(a: &ArrayView2<'_, T>, dst: &mut [MaybeUninit<T>]) {
    let (rows, cols) = a.dim();
    if rows == 0 || cols == 0 {
        return;
    }
    // Panels of whole rows, about a piece each, so that both cores have work.
    let panel_rows = (PIECE / (cols * std::mem::size_of::<T>()).max(1)).clamp(TILE, rows.max(TILE));
    let fill = |(p, panel): (usize, &mut [MaybeUninit<T>])| {
        let r0 = p * panel_rows;
        let nr = panel.len() / cols;
        for c0 in (0..cols).step_by(TILE) {
            let c1 = (c0 + TILE).min(cols);
            for i in 0..nr {
                let row = a.row(r0 + i);
                let out = &mut panel[i * cols..(i + 1) * cols];
                for j in c0..c1 {
                    out[j].write(row[j]);
                }
            }
        }
    };
    if rows <= panel_rows {
        fill((0, dst));
    } else {
        dst.par_chunks_mut(panel_rows * cols)
            .enumerate()
            .for_each(fill);
    }
}

// ---------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------

/// The memory order of a written `.npy` file.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NpyOrder {
    /// As `np.save`: Fortran order for an array that is Fortran-contiguous but not
    /// C-contiguous (a transposed matrix, for instance), written without a copy; C order
    /// otherwise.
    #[default]
    Auto,
    /// C (row-major) order, `'fortran_order': False`.
    C,
    /// Fortran (column-major) order, `'fortran_order': True` (for 2 or more dimensions;
    /// NumPy writes 0-d and 1-d arrays with `False`).
    Fortran,
}

/// The header (preamble included) of an array of `descr` (e.g. `<f8`) and `shape`.
fn npy_header(descr: &str, shape: &[usize], fortran: bool) -> Vec<u8> {
    let shape_text = match shape {
        [n] => format!("({n},)"),
        _ => fmt_shape(shape),
    };
    let order = if fortran { "True" } else { "False" };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape_text}, }}");
    // Version 1.0 unless the header does not fit its 2-byte length (never for ndim ≤ 64).
    let (major, pre) = if dict.len() + 1 + 10 <= usize::from(u16::MAX) {
        (1u8, 10)
    } else {
        (2u8, 12)
    };
    let total = (pre + dict.len() + 1).div_ceil(ALIGN) * ALIGN;
    let header_len = total - pre;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[major, 0]);
    if major == 1 {
        // safe because header_len ≤ u16::MAX was checked when choosing the version
        out.extend_from_slice(&u16::try_from(header_len).unwrap_or(u16::MAX).to_le_bytes());
    } else {
        out.extend_from_slice(&u32::try_from(header_len).unwrap_or(u32::MAX).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out
}

/// Whether `a` is written in Fortran order under `order`.
fn writes_fortran<S: Data, D: Dimension>(a: &ArrayBase<S, D>, order: NpyOrder) -> bool {
    a.ndim() > 1
        && match order {
            NpyOrder::C => false,
            NpyOrder::Fortran => true,
            // NumPy: f_contiguous and not c_contiguous.
            NpyOrder::Auto => !a.is_standard_layout() && a.t().is_standard_layout(),
        }
}

/// Writes the elements of `a` in C order: a C-contiguous array in one write straight from
/// its memory; any other layout through a blocked copy into a buffer of about a piece.
fn write_body_c<T: NpyElement, W: Write + ?Sized>(
    w: &mut W,
    a: ndarray::ArrayViewD<'_, T>,
) -> std::io::Result<()> {
    if let Some(s) = a.as_slice()
        && cfg!(target_endian = "little")
    {
        return w.write_all(as_bytes(s));
    }
    let size = std::mem::size_of::<T>();
    let mut bytes: Vec<u8> = Vec::new();
    let mut emit = |vals: &[T], w: &mut W| {
        bytes.resize(std::mem::size_of_val(vals), 0);
        T::encode_le(vals, &mut bytes);
        w.write_all(&bytes)
    };
    if let Some(s) = a.as_slice() {
        for chunk in s.chunks((PIECE / size).max(1)) {
            emit(chunk, w)?;
        }
        return Ok(());
    }
    let mut vals: Vec<T> = Vec::new();
    match a.view().into_dimensionality::<ndarray::Ix2>() {
        Ok(a2) => {
            let (rows, cols) = a2.dim();
            if rows == 0 || cols == 0 {
                return Ok(());
            }
            let panel_rows = (PIECE / (cols * size).max(1)).max(1);
            for r0 in (0..rows).step_by(panel_rows) {
                let r1 = (r0 + panel_rows).min(rows);
                let n = (r1 - r0) * cols;
                vals.clear();
                vals.reserve(n);
                gather_c(
                    &a2.slice(ndarray::s![r0..r1, ..]),
                    &mut vals.spare_capacity_mut()[..n],
                );
                // SAFETY: gather_c wrote all n elements.
                unsafe { vals.set_len(n) };
                emit(&vals, w)?;
            }
        }
        Err(_) => {
            let per = (PIECE / size).max(1);
            vals.reserve(per.min(a.len()));
            for x in a.iter() {
                vals.push(*x);
                if vals.len() == per {
                    emit(&vals, w)?;
                    vals.clear();
                }
            }
            emit(&vals, w)?;
        }
    }
    Ok(())
}

/// Writes `a` as a `.npy` file to `w` (header and body), in `order`; the element type
/// decides the dtype (`f64` → `<f8`, `f32` → `<f4`, [`Complex64`](num_complex::Complex64) →
/// `<c16`, [`Complex32`](num_complex::Complex32) → `<c8`).
///
/// A C- or Fortran-contiguous array written in its own order goes out in one write from
/// its memory, without a copy; other layouts pass through a buffer of a few MiB.
///
/// # Errors
/// The writer's errors.
///
/// # Examples
/// ```
/// use mlinalg::io::{NpyOrder, write_npy_to};
/// let a = ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// let mut bytes = Vec::new();
/// write_npy_to(&mut bytes, &a.t(), NpyOrder::Auto)?;
/// assert!(String::from_utf8_lossy(&bytes[..128]).contains("'fortran_order': True, 'shape': (3, 2)"));
/// // Fortran order lists the columns of the transposed matrix, i.e. a's memory as it is.
/// assert_eq!(&bytes[128..136], &1.0f64.to_le_bytes());
/// assert_eq!(&bytes[136..144], &2.0f64.to_le_bytes());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_npy_to<T: NpyElement, S: Data<Elem = T>, D: Dimension, W: Write + ?Sized>(
    w: &mut W,
    a: &ArrayBase<S, D>,
    order: NpyOrder,
) -> std::io::Result<()> {
    let fortran = writes_fortran(a, order);
    w.write_all(&npy_header(T::DESCR, a.shape(), fortran))?;
    let v = a.view().into_dyn();
    if fortran {
        write_body_c(w, v.reversed_axes())
    } else {
        write_body_c(w, v)
    }
}

/// The bytes of a `.npy` file holding `a` (its element type's dtype, `np.save`'s order,
/// format 1.0).
///
/// # Examples
/// ```
/// let bytes = mlinalg::io::npy::to_npy_bytes(&ndarray::array![[1.0, 2.0]]);
/// assert_eq!(&bytes[..6], b"\x93NUMPY");
/// assert_eq!(bytes.len(), 128 + 16); // the header is padded to a multiple of 64 bytes
/// ```
#[must_use]
pub fn to_npy_bytes<T: NpyElement, S: Data<Elem = T>, D: Dimension>(
    a: &ArrayBase<S, D>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + std::mem::size_of::<T>() * a.len());
    // Writing to a Vec cannot fail.
    let _ = write_npy_to(&mut out, a, NpyOrder::Auto);
    out
}

/// Writes `a` to a `.npy` file as `np.save` does: the dtype of its element type (`f64`,
/// `f32`, [`Complex64`](num_complex::Complex64), [`Complex32`](num_complex::Complex32)), a
/// Fortran-contiguous array (a transposed view) in Fortran order without a copy, any
/// other in C order; format version 1.0 (2.0 if the header is too long). The file is
/// written to a temporary name in the same directory and renamed into place.
///
/// # Errors
/// [`Error::Io`] if the file cannot be written; no partial file is left behind.
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-write-npy-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("v.npy");
/// mlinalg::io::write_npy(&path, &ndarray::array![1.5, -2.0])?;
/// assert_eq!(mlinalg::io::read_npy(&path)?.data.as_slice().unwrap(), &[1.5, -2.0]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn write_npy<T: NpyElement, S: Data<Elem = T>, D: Dimension>(
    path: &Path,
    a: &ArrayBase<S, D>,
) -> Result<()> {
    write_npy_order(path, a, NpyOrder::Auto)
}

/// [`write_npy`] in a chosen memory order.
///
/// # Errors
/// [`Error::Io`] if the file cannot be written; no partial file is left behind.
///
/// # Examples
/// ```
/// use mlinalg::io::{NpyOrder, read_npy_header, write_npy_order};
/// let dir = std::env::temp_dir().join(format!("mlinalg-write-order-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("f.npy");
/// write_npy_order(&path, &ndarray::array![[1.0, 2.0], [3.0, 4.0]], NpyOrder::Fortran)?;
/// assert!(read_npy_header(&path)?.fortran_order);
/// assert_eq!(mlinalg::io::read_npy(&path)?.data, ndarray::array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn write_npy_order<T: NpyElement, S: Data<Elem = T>, D: Dimension>(
    path: &Path,
    a: &ArrayBase<S, D>,
    order: NpyOrder,
) -> Result<()> {
    let len = npy_header(T::DESCR, a.shape(), writes_fortran(a, order)).len() as u64
        + (a.len() as u64).saturating_mul(std::mem::size_of::<T>() as u64);
    write_atomic_sized(path, Some(len), |w| {
        write_npy_to(w, a, order).map_err(|e| io_error(path, e))
    })
}

/// Writes a `.npy` file of any fixed-size dtype to `w`: the header (`descr` in NumPy's
/// spelling, e.g. `<f8`, `|i1`, `<f2`, `<f16`; `shape`; `fortran_order`, as
/// [`write_npy_to`] writes it: version 1.0, padded to 64 bytes) and `body`, the elements'
/// bytes as the caller encoded them. For the dtypes mlinalg has no element type for (the
/// integers, float16, long double); [`write_npy_to`] writes the others from arrays.
///
/// # Errors
/// [`std::io::ErrorKind::InvalidInput`] for a `descr` that is not a fixed-size NumPy dtype
/// or a `body` whose length is not `itemsize · Π shape`, before anything is written; the
/// writer's errors.
///
/// # Examples
/// ```
/// use mlinalg::io::npy::write_npy_raw_to;
/// let mut bytes = Vec::new();
/// let body: Vec<u8> = [1i16, -2, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
/// write_npy_raw_to(&mut bytes, "<i2", &[3], false, &body)?;
/// let header = String::from_utf8_lossy(&bytes[..128]);
/// assert!(header.contains("{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }"));
/// assert_eq!(&bytes[128..], &body[..]);
/// assert!(write_npy_raw_to(&mut Vec::new(), "<i2", &[4], false, &body).is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_npy_raw_to<W: Write + ?Sized>(
    w: &mut W,
    descr: &str,
    shape: &[usize],
    fortran_order: bool,
    body: &[u8],
) -> std::io::Result<()> {
    let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
    let d = parse_descr(descr, true).map_err(invalid)?;
    let needed = shape
        .iter()
        .try_fold(d.itemsize(), |n, &k| n.checked_mul(k));
    if needed != Some(body.len()) {
        return Err(invalid(format!(
            "a {descr} array of shape {} needs {} bytes, got {}",
            fmt_shape(shape),
            needed.map_or_else(|| "more than usize::MAX".to_string(), |n| n.to_string()),
            body.len()
        )));
    }
    w.write_all(&npy_header(descr, shape, fortran_order && shape.len() > 1))?;
    w.write_all(body)
}

/// The `.npy` bytes of a C-order array with an arbitrary descr (used by `save_npz`).
pub(crate) fn raw_npy_bytes(descr: &str, shape: &[usize], body: &[u8]) -> Vec<u8> {
    let mut out = npy_header(descr, shape, false);
    out.extend_from_slice(body);
    out
}
