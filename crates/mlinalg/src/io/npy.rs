//! NumPy `.npy` files (format versions 1.0, 2.0 and 3.0) and `.npz` archives.
//!
//! A `.npy` file is the magic string `\x93NUMPY`, a two-byte version, a little-endian
//! header length (2 bytes in version 1.0, 4 bytes in 2.0 and 3.0), a header that is a
//! Python dict literal such as `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`,
//! and the raw element bytes. See
//! <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>.
//!
//! Reading supports the dtypes `<f8 >f8 <f4 >f4 <i8 >i8 <i4 >i4 |b1` (`=` and `|` mean
//! little-endian on the platforms Rust targets here), C and Fortran order, and any number
//! of dimensions. Object arrays (which need Python's pickle), structured dtypes and other
//! element types are rejected with a message saying so. Writing produces `<f8` in C order.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use ndarray::{ArrayBase, ArrayD, ArrayViewD, Data, Dimension, IxDyn, ShapeBuilder};

use super::{DenseArray, Dtype, io_error, write_all, write_atomic};
use crate::array::{checked_len, fmt_shape};
use crate::error::{Error, Result};

/// The six bytes every `.npy` file starts with.
const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// NumPy pads `magic + version + length + header` to a multiple of 64 bytes so that the
/// data is aligned for memory mapping (`numpy.lib.format.ARRAY_ALIGN`).
const ALIGN: usize = 64;

/// Nesting depth limit of the header parser: real headers nest two levels (dict → tuple);
/// the limit only keeps a hostile `((((…` from exhausting the stack.
const MAX_DEPTH: usize = 32;

/// Bytes read per chunk when streaming a body from disk (a multiple of every item size).
const CHUNK: usize = 1 << 20;

/// The element type as the header's `descr` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Descr {
    /// A numeric or bool type and whether it is stored big-endian.
    Num { dtype: Dtype, big_endian: bool },
    /// A fixed-width byte string `|S{n}` (scipy's `format` entry).
    Bytes(usize),
    /// A fixed-width UTF-32 string `<U{n}` / `>U{n}`.
    Unicode { chars: usize, big_endian: bool },
}

impl Descr {
    fn itemsize(self) -> usize {
        match self {
            Descr::Num { dtype, .. } => dtype.itemsize(),
            Descr::Bytes(n) => n,
            Descr::Unicode { chars, .. } => chars.saturating_mul(4),
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
    fn count(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
    }

    /// Checks that the body holds exactly the bytes the shape needs, before anything is
    /// allocated. Byte counts are computed in `u128` so that even a shape such as
    /// `(10¹¹, 10¹¹)` is reported with its true size.
    fn check_body_len(&self, body_len: u64, path: &Path) -> Result<usize> {
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
}

/// The NumPy spelling of a descr, for messages.
fn descr_name(d: Descr) -> String {
    match d {
        Descr::Num { dtype, .. } => dtype.numpy_name().to_string(),
        Descr::Bytes(n) => format!("|S{n}"),
        Descr::Unicode { chars, .. } => format!("<U{chars}"),
    }
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
    Ok((major, header_len, pre))
}

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
                            String::from_utf8_lossy(other)
                        )))
                    }
                }
            }
            Some(c) => Err(self.err(&format!("unexpected character '{}'", c.escape_ascii()))),
            None => Err(self.err("unexpected end")),
        }
    }
}

/// Parses a `descr` string such as `'<f8'`.
fn parse_descr(s: &str) -> std::result::Result<Descr, String> {
    let (order, rest) = match s.as_bytes().first() {
        Some(c @ (b'<' | b'>' | b'|' | b'=')) => (*c, &s[1..]),
        _ => (b'=', s),
    };
    // '=' and '|' mean native order; NumPy only writes them on little-endian machines for
    // multi-byte types, and Rust's supported targets that run NumPy are little-endian.
    let big_endian = order == b'>' || (order != b'<' && cfg!(target_endian = "big"));
    let dtype = match rest {
        "f8" => Dtype::Float64,
        "f4" => Dtype::Float32,
        "i8" => Dtype::Int64,
        "i4" => Dtype::Int32,
        "b1" | "?" => Dtype::Bool,
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
            let name = match (kind, width) {
                (Some('f'), Some(2)) => " (float16)",
                (Some('u'), _) => " (unsigned integers)",
                (Some('i'), Some(1 | 2)) => " (small integers)",
                (Some('c'), _) => " (complex numbers)",
                (Some('M' | 'm'), _) => " (datetimes)",
                (Some('V'), _) => " (raw void records)",
                _ => "",
            };
            return Err(format!(
                "unsupported dtype '{s}'{name} (supported: float64, float32, int64, int32, bool)"
            ));
        }
    };
    Ok(Descr::Num { dtype, big_endian })
}

/// Parses the header dict text.
fn parse_header_dict(text: &[u8], data_offset: usize, path: &Path) -> Result<Header> {
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
        PyValue::Str(s) => parse_descr(s).map_err(|e| Error::format(path, e))?,
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
                format!("'descr' is not a string: {other:?}"),
            ));
        }
    };
    let fortran_order = match get("fortran_order").ok_or_else(|| missing("fortran_order"))? {
        PyValue::Bool(b) => *b,
        other => {
            return Err(Error::format(
                path,
                format!("'fortran_order' is not True or False: {other:?}"),
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
                    format!("shape entry {other:?} is not an integer"),
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
                format!("'shape' is not a tuple: {other:?}"),
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
fn check_header_fits(pre: usize, header_len: usize, file_len: u64, path: &Path) -> Result<()> {
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
    let (_, header_len, pre) = parse_preamble(bytes, path)?;
    check_header_fits(pre, header_len, file_len, path)?;
    let data_offset = pre + header_len;
    let text = bytes
        .get(pre..data_offset)
        .ok_or_else(|| Error::format(path, "truncated .npy header"))?;
    parse_header_dict(text, data_offset, path)
}

/// Reads and parses the preamble and header of the open `.npy` file `file` (of
/// `file_len` bytes; read from its start), for readers outside this module (the streaming
/// `.npy` row source). The body is not read.
pub(crate) fn read_header(file: &mut File, file_len: u64, path: &Path) -> Result<Header> {
    let mut pre = [0u8; 12];
    file.rewind().map_err(|e| io_error(path, e))?;
    let n = read_up_to(file, &mut pre, path)?;
    let (_, header_len, pre_len) = parse_preamble(&pre[..n], path)?;
    check_header_fits(pre_len, header_len, file_len, path)?;
    let mut head = vec![0u8; pre_len + header_len];
    file.rewind().map_err(|e| io_error(path, e))?;
    file.read_exact(&mut head).map_err(|e| truncated(path, e))?;
    parse_header(&head, file_len, path)
}

// ---------------------------------------------------------------------------------------
// Body decoding
// ---------------------------------------------------------------------------------------

/// Decodes `N`-byte items with `f`. `chunks_exact` yields exactly `N` bytes, so the
/// conversion to `[u8; N]` cannot fail (the default is never used).
#[inline]
fn decode_items<const N: usize>(bytes: &[u8], out: &mut Vec<f64>, f: impl Fn([u8; N]) -> f64) {
    out.extend(
        bytes
            .chunks_exact(N)
            .map(|c| f(<[u8; N]>::try_from(c).unwrap_or([0; N]))),
    );
}

/// Appends the values of `bytes` (whole items of a numeric `descr`) to `out` as `f64`.
fn decode_numeric(dtype: Dtype, big_endian: bool, bytes: &[u8], out: &mut Vec<f64>) {
    match (dtype, big_endian) {
        (Dtype::Float64, false) => decode_items(bytes, out, f64::from_le_bytes),
        (Dtype::Float64, true) => decode_items(bytes, out, f64::from_be_bytes),
        (Dtype::Float32, false) => decode_items(bytes, out, |b| f64::from(f32::from_le_bytes(b))),
        (Dtype::Float32, true) => decode_items(bytes, out, |b| f64::from(f32::from_be_bytes(b))),
        // int64 → f64 rounds beyond ±2⁵³, as NumPy's astype(float64) does.
        (Dtype::Int64, false) => decode_items(bytes, out, |b| i64::from_le_bytes(b) as f64),
        (Dtype::Int64, true) => decode_items(bytes, out, |b| i64::from_be_bytes(b) as f64),
        (Dtype::Int32, false) => decode_items(bytes, out, |b| f64::from(i32::from_le_bytes(b))),
        (Dtype::Int32, true) => decode_items(bytes, out, |b| f64::from(i32::from_be_bytes(b))),
        // NumPy stores True as 1; any non-zero byte reads as True.
        (Dtype::Bool, _) => out.extend(bytes.iter().map(|&b| if b == 0 { 0.0 } else { 1.0 })),
    }
}

/// Reserves room for `count` values, failing instead of aborting.
fn try_reserve_values(count: usize, path: &Path) -> Result<Vec<f64>> {
    checked_len("read_npy", &[count])?;
    let mut v = Vec::new();
    v.try_reserve_exact(count).map_err(|_| Error::Unsupported {
        op: "read_npy",
        detail: format!("{}: cannot allocate {count} values", path.display()),
    })?;
    Ok(v)
}

/// Builds the C-order array from values stored in C or Fortran order.
fn build_array(values: Vec<f64>, header: &Header, dtype: Dtype, path: &Path) -> Result<DenseArray> {
    let shape = IxDyn(&header.shape);
    let data = if header.fortran_order && header.shape.len() > 1 {
        let f = ArrayD::from_shape_vec(shape.f(), values).map_err(|e| {
            Error::format(
                path,
                format!(
                    "header shape {} is not a valid array shape: {e}",
                    fmt_shape(&header.shape)
                ),
            )
        })?;
        f.as_standard_layout().into_owned()
    } else {
        ArrayD::from_shape_vec(shape, values).map_err(|e| {
            Error::format(
                path,
                format!(
                    "header shape {} is not a valid array shape: {e}",
                    fmt_shape(&header.shape)
                ),
            )
        })?
    };
    Ok(DenseArray { data, dtype })
}

/// A raw entry: header plus body bytes, for the sparse `.npz` reader which needs integer
/// index arrays and byte strings as they are.
pub(crate) struct RawNpy {
    pub(crate) header: Header,
    pub(crate) body: Vec<u8>,
}

impl RawNpy {
    /// The values as `f64` in C order.
    pub(crate) fn to_dense(&self, path: &Path) -> Result<DenseArray> {
        decode_dense(&self.header, &self.body, path)
    }

    /// The values of a 1-d integer array as indices (`usize`), rejecting negative values.
    pub(crate) fn to_indices(&self, path: &Path, what: &str) -> Result<Vec<usize>> {
        let bad = |detail: String| Error::format(path, format!("'{what}': {detail}"));
        if self.header.shape.len() != 1 {
            return Err(bad(format!(
                "expected a 1-d array, got shape {}",
                fmt_shape(&self.header.shape)
            )));
        }
        let count = self.header.check_body_len(self.body.len() as u64, path)?;
        let mut out = Vec::new();
        out.try_reserve_exact(count)
            .map_err(|_| bad(format!("cannot allocate {count} indices")))?;
        let conv = |v: i64| usize::try_from(v).map_err(|_| bad(format!("negative index {v}")));
        match self.header.descr {
            Descr::Num {
                dtype: Dtype::Int32,
                big_endian,
            } => {
                for c in self.body.chunks_exact(4) {
                    let b = <[u8; 4]>::try_from(c).unwrap_or([0; 4]); // safe: 4-byte chunks
                    let v = if big_endian {
                        i32::from_be_bytes(b)
                    } else {
                        i32::from_le_bytes(b)
                    };
                    out.push(conv(i64::from(v))?);
                }
            }
            Descr::Num {
                dtype: Dtype::Int64,
                big_endian,
            } => {
                for c in self.body.chunks_exact(8) {
                    let b = <[u8; 8]>::try_from(c).unwrap_or([0; 8]); // safe: 8-byte chunks
                    out.push(conv(if big_endian {
                        i64::from_be_bytes(b)
                    } else {
                        i64::from_le_bytes(b)
                    })?);
                }
            }
            d => {
                return Err(bad(format!(
                    "expected int32 or int64 indices, got {}",
                    descr_name(d)
                )));
            }
        }
        Ok(out)
    }

    /// The text of a 0-d or 1-element string array (scipy's `format` entry).
    pub(crate) fn to_text(&self) -> Option<String> {
        match self.header.descr {
            Descr::Bytes(n) if self.body.len() == n => {
                let end = self.body.iter().position(|&b| b == 0).unwrap_or(n);
                Some(String::from_utf8_lossy(&self.body[..end]).into_owned())
            }
            Descr::Unicode { chars, big_endian } if self.body.len() == chars * 4 => Some(
                self.body
                    .chunks_exact(4)
                    .map(|c| {
                        let b = <[u8; 4]>::try_from(c).unwrap_or([0; 4]); // safe: 4-byte chunks
                        if big_endian {
                            u32::from_be_bytes(b)
                        } else {
                            u32::from_le_bytes(b)
                        }
                    })
                    .take_while(|&u| u != 0)
                    .map(|u| char::from_u32(u).unwrap_or('\u{fffd}'))
                    .collect(),
            ),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Public readers
// ---------------------------------------------------------------------------------------

/// Parses the bytes of a `.npy` file (`path` names it in error messages).
///
/// # Errors
/// [`Error::Format`] for a bad magic string, an unsupported version or dtype, a header
/// that is not a valid dict, or a body whose length differs from what the header's shape
/// needs (checked before any allocation).
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

/// The numeric dtype and byte order of `header`, or an error for string dtypes (which
/// only the scipy.sparse reader uses).
fn numeric_descr(header: &Header, path: &Path) -> Result<(Dtype, bool)> {
    match header.descr {
        Descr::Num { dtype, big_endian } => Ok((dtype, big_endian)),
        other => Err(Error::format(
            path,
            format!(
                "unsupported dtype {} (supported: float64, float32, int64, int32, bool)",
                descr_name(other)
            ),
        )),
    }
}

/// Decodes the body of a numeric array into a C-order `f64` array.
fn decode_dense(header: &Header, body: &[u8], path: &Path) -> Result<DenseArray> {
    let (dtype, big_endian) = numeric_descr(header, path)?;
    let count = header.check_body_len(body.len() as u64, path)?;
    let mut values = try_reserve_values(count, path)?;
    decode_numeric(dtype, big_endian, body, &mut values);
    build_array(values, header, dtype, path)
}

/// Reads a `.npy` file (NumPy `np.load`), streaming the body so that memory use is the
/// result plus one megabyte.
///
/// Every value is converted to `f64`; [`DenseArray::dtype`] says what the file stored.
/// A Fortran-order file is returned in C layout.
///
/// # Errors
/// As [`parse_npy`]; [`Error::Io`] if the file cannot be read.
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
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let file_len = file.metadata().map_err(|e| io_error(path, e))?.len();
    let mut pre = [0u8; 12];
    let n = read_up_to(&mut file, &mut pre, path)?;
    let (_, header_len, pre_len) = parse_preamble(&pre[..n], path)?;
    check_header_fits(pre_len, header_len, file_len, path)?;
    let mut head = vec![0u8; pre_len + header_len];
    file.rewind().map_err(|e| io_error(path, e))?;
    file.read_exact(&mut head).map_err(|e| truncated(path, e))?;
    let header = parse_header(&head, file_len, path)?;
    let (dtype, big_endian) = numeric_descr(&header, path)?;
    let count = header.check_body_len(file_len - header.data_offset as u64, path)?;
    let mut values = try_reserve_values(count, path)?;
    let itemsize = dtype.itemsize();
    let mut remaining = count * itemsize; // safe: equals the body length checked above
    let mut buf = vec![0u8; CHUNK.min(remaining)];
    while remaining > 0 {
        let take = CHUNK.min(remaining);
        file.read_exact(&mut buf[..take])
            .map_err(|e| truncated(path, e))?;
        decode_numeric(dtype, big_endian, &buf[..take], &mut values);
        remaining -= take;
    }
    build_array(values, &header, dtype, path)
}

/// Reads as many bytes as are available into `buf` (up to its length).
fn read_up_to(r: &mut impl Read, buf: &mut [u8], path: &Path) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(path, e)),
        }
    }
    Ok(n)
}

/// Maps an unexpected end of file to a format error (the file shrank while being read).
fn truncated(path: &Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        Error::format(path, "truncated .npy file")
    } else {
        io_error(path, e)
    }
}

// ---------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------

/// The header (preamble included) of a C-order array of `descr` (e.g. `<f8`) and `shape`.
fn npy_header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let shape_text = match shape {
        [n] => format!("({n},)"),
        _ => fmt_shape(shape),
    };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
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

/// Appends the little-endian bytes of `a` in C order.
fn push_body<S: Data<Elem = f64>, D: Dimension>(a: &ArrayBase<S, D>, out: &mut impl Extend<u8>) {
    match a.as_slice() {
        Some(s) => out.extend(s.iter().flat_map(|v| v.to_le_bytes())),
        None => out.extend(a.iter().flat_map(|v| v.to_le_bytes())),
    }
}

/// The bytes of a `.npy` file holding `a` as float64 (`<f8`), C order, format 1.0.
///
/// # Examples
/// ```
/// let bytes = mlinalg::io::npy::to_npy_bytes(&ndarray::array![[1.0, 2.0]]);
/// assert_eq!(&bytes[..6], b"\x93NUMPY");
/// assert_eq!(bytes.len(), 128 + 16); // the header is padded to a multiple of 64 bytes
/// ```
#[must_use]
pub fn to_npy_bytes<S: Data<Elem = f64>, D: Dimension>(a: &ArrayBase<S, D>) -> Vec<u8> {
    let mut out = npy_header("<f8", a.shape());
    out.reserve(a.len() * 8);
    push_body(a, &mut out);
    out
}

/// Writes `a` to a `.npy` file (NumPy `np.save`): float64 `<f8`, C order, format
/// version 1.0 (2.0 if the header is too long). The file is written to a temporary name
/// in the same directory and renamed into place.
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
pub fn write_npy<S: Data<Elem = f64>, D: Dimension>(
    path: &Path,
    a: &ArrayBase<S, D>,
) -> Result<()> {
    write_atomic(path, |w| {
        write_all(w, path, &npy_header("<f8", a.shape()))?;
        write_body(w, path, a)
    })
}

/// Writes the body of `a` in chunks (no full-size byte copy).
fn write_body<S: Data<Elem = f64>, D: Dimension>(
    w: &mut impl std::io::Write,
    path: &Path,
    a: &ArrayBase<S, D>,
) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK.min(a.len() * 8));
    for v in a.iter() {
        buf.extend_from_slice(&v.to_le_bytes());
        if buf.len() >= CHUNK {
            write_all(w, path, &buf)?;
            buf.clear();
        }
    }
    write_all(w, path, &buf)
}

// ---------------------------------------------------------------------------------------
// .npz archives
// ---------------------------------------------------------------------------------------

/// Opens a zip archive.
fn open_zip(path: &Path) -> Result<zip::ZipArchive<std::io::BufReader<File>>> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| zip_error(path, e))
}

/// Maps a zip error.
fn zip_error(path: &Path, e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(e) => io_error(path, e),
        other => Error::format(path, format!("not a valid .npz (zip) archive: {other}")),
    }
}

/// Reads the raw entries of an `.npz` archive, in archive order, names without `.npy`.
///
/// Each entry's header is read first and its body length checked against the entry's
/// declared uncompressed size, so a lying header cannot trigger a huge allocation; the
/// body is then read with a limit of exactly the expected number of bytes.
pub(crate) fn read_npz_raw(path: &Path) -> Result<Vec<(String, RawNpy)>> {
    let mut archive = open_zip(path)?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| zip_error(path, e))?;
        if entry.is_dir() {
            continue;
        }
        let full_name = entry.name().to_string();
        let name = full_name
            .strip_suffix(".npy")
            .unwrap_or(&full_name)
            .to_string();
        let entry_path = path.join(&full_name);
        let size = entry.size();
        let mut pre = [0u8; 12];
        let n = read_up_to(&mut entry, &mut pre, &entry_path)?;
        let (_, header_len, pre_len) = parse_preamble(&pre[..n], &entry_path)?;
        check_header_fits(pre_len, header_len, size, &entry_path)?;
        let mut head = pre[..n].to_vec();
        let rest = pre_len + header_len - n.min(pre_len + header_len);
        let mut more = vec![0u8; rest];
        entry
            .read_exact(&mut more)
            .map_err(|e| truncated(&entry_path, e))?;
        head.extend_from_slice(&more);
        let header = parse_header(&head, size, &entry_path)?;
        // Bytes of the body already read with the preamble (possible for tiny headers).
        let mut body = head.split_off(header.data_offset.min(head.len()));
        let body_len = size - header.data_offset as u64;
        header.check_body_len(body_len, &entry_path)?;
        let body_len = usize::try_from(body_len)
            .map_err(|_| Error::format(&entry_path, "entry too large for this platform"))?;
        body.try_reserve_exact(body_len.saturating_sub(body.len()))
            .map_err(|_| Error::Unsupported {
                op: "read_npz",
                detail: format!("{}: cannot allocate {body_len} bytes", entry_path.display()),
            })?;
        let want = (body_len - body.len().min(body_len)) as u64;
        (&mut entry)
            .take(want)
            .read_to_end(&mut body)
            .map_err(|e| io_error(&entry_path, e))?;
        if body.len() != body_len {
            return Err(Error::format(
                &entry_path,
                "truncated .npy entry in the archive",
            ));
        }
        // Reading to the end makes the zip reader verify the entry's CRC-32.
        let mut extra = [0u8; 1];
        match entry.read(&mut extra) {
            Ok(0) => {}
            Ok(_) => {
                return Err(Error::format(
                    &entry_path,
                    "entry is longer than its declared size",
                ));
            }
            Err(e) => {
                return Err(Error::format(
                    &entry_path,
                    format!("corrupt archive entry: {e}"),
                ));
            }
        }
        out.push((name, RawNpy { header, body }));
    }
    Ok(out)
}

/// Reads every array of an `.npz` archive (NumPy `np.load` on a file written by
/// `np.savez` or `np.savez_compressed`), in archive order. Names are the keys NumPy
/// uses (`"arr_0"`, or the keyword names), without the `.npy` suffix.
///
/// # Errors
/// [`Error::Format`] if the archive is not a zip file or an entry is not a supported
/// `.npy` array (e.g. a scipy.sparse file: read that with
/// [`CsrMatrix::load_npz`](crate::sparse::CsrMatrix::load_npz)); [`Error::Io`] if it
/// cannot be read.
///
/// # Examples
/// ```
/// use mlinalg::io::npy::{read_npz, write_npz};
/// let dir = std::env::temp_dir().join(format!("mlinalg-npz-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("a.npz");
/// let x = ndarray::array![[1.0, 2.0], [3.0, 4.0]].into_dyn();
/// write_npz(&path, &[("x", x.view())])?;
/// let arrays = read_npz(&path)?;
/// assert_eq!(arrays[0].0, "x");
/// assert_eq!(arrays[0].1.data, x);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn read_npz(path: &Path) -> Result<Vec<(String, DenseArray)>> {
    let raw = read_npz_raw(path)?;
    let is_sparse =
        raw.iter().any(|(n, _)| n == "indptr") && raw.iter().any(|(n, _)| n == "format");
    raw.into_iter()
        .map(|(name, r)| {
            let a = r
                .to_dense(&path.join(format!("{name}.npy")))
                .map_err(|e| match e {
                    Error::Format { path, detail } if is_sparse => Error::Format {
                        path,
                        detail: format!(
                            "{detail}; this looks like a scipy.sparse file: use CsrMatrix::load_npz"
                        ),
                    },
                    e => e,
                })?;
            Ok((name, a))
        })
        .collect()
}

/// A zip entry to write: name (with `.npy`) and the full `.npy` bytes.
pub(crate) struct NpzEntry {
    pub(crate) name: String,
    pub(crate) bytes: Vec<u8>,
}

/// Writes `.npy` entries into a zip archive at `path`, atomically.
pub(crate) fn write_npz_entries(path: &Path, entries: &[NpzEntry], compress: bool) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for e in entries {
        if !seen.insert(e.name.as_str()) {
            return Err(Error::format(
                path,
                format!("duplicate array name '{}' in the archive", e.name),
            ));
        }
    }
    write_atomic(path, |w| {
        let mut zip = zip::ZipWriter::new(w);
        for e in entries {
            let method = if compress {
                zip::CompressionMethod::Deflated
            } else {
                zip::CompressionMethod::Stored
            };
            // Zip64 extensions are needed for entries of 4 GiB or more.
            // Deflate level 1: several times faster than zlib's default 6 on float data,
            // for files only slightly larger; any level reads back the same.
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(method)
                .compression_level(compress.then_some(1))
                .large_file(e.bytes.len() as u64 >= u64::from(u32::MAX));
            zip.start_file(e.name.as_str(), options)
                .map_err(|err| zip_error(path, err))?;
            write_all(&mut zip, path, &e.bytes)?;
        }
        zip.finish().map_err(|err| zip_error(path, err))?;
        Ok(())
    })
}

/// Writes arrays to an uncompressed `.npz` archive (NumPy `np.savez`): each array becomes
/// the entry `{name}.npy`, float64 in C order. Written to a temporary name and renamed.
///
/// # Errors
/// [`Error::Format`] for a duplicate name; [`Error::Io`] if the file cannot be written.
///
/// # Examples
/// ```
/// use mlinalg::io::npy::{read_npz, write_npz};
/// let dir = std::env::temp_dir().join(format!("mlinalg-write-npz-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("b.npz");
/// let (a, b) = (ndarray::array![1.0].into_dyn(), ndarray::array![[2.0]].into_dyn());
/// write_npz(&path, &[("a", a.view()), ("b", b.view())])?;
/// assert_eq!(read_npz(&path)?.len(), 2);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn write_npz(path: &Path, arrays: &[(&str, ArrayViewD<'_, f64>)]) -> Result<()> {
    let entries: Vec<NpzEntry> = arrays
        .iter()
        .map(|(name, a)| NpzEntry {
            name: format!("{name}.npy"),
            bytes: to_npy_bytes(a),
        })
        .collect();
    write_npz_entries(path, &entries, false)
}

/// The `.npy` bytes of a C-order array with an arbitrary descr (used by `save_npz`).
pub(crate) fn raw_npy_bytes(descr: &str, shape: &[usize], body: &[u8]) -> Vec<u8> {
    let mut out = npy_header(descr, shape);
    out.extend_from_slice(body);
    out
}
