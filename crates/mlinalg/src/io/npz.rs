//! NumPy `.npz` archives (`np.savez`, `np.savez_compressed`), and `.npz` files as inputs:
//! a single array, one member picked by name (`file.npz:name`), or a scipy.sparse matrix.
//!
//! Every entry's `.npy` header is checked against the entry's declared uncompressed size
//! before anything is allocated, so a lying header or a zip bomb cannot trigger a huge
//! allocation; the body is then read with a limit of exactly the expected number of bytes,
//! and the entry's CRC-32 is verified.

use std::fs::File;
use std::io::Read;
use std::mem::MaybeUninit;
use std::path::{Path, PathBuf};

use ndarray::{ArrayViewD, IxDyn, ShapeBuilder};

use super::element::NpyElement;
use super::npy::{
    Descr, Header, check_header_fits, decode_dense, descr_name, parse_header, parse_preamble,
    to_npy_bytes,
};
use super::typed::{TypedArray, TypedDense};
use super::{DenseArray, Dtype, io_error, write_all, write_atomic};
use crate::array::{fmt_shape, try_vec_uninit_of};
use crate::error::{Error, Result, escape_excerpt, escape_list};
use crate::sparse::CsrMatrix;

type Archive = zip::ZipArchive<std::io::BufReader<File>>;

/// Opens a zip archive.
fn open_zip(path: &Path) -> Result<Archive> {
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

/// Reads as many bytes as are available into `buf` (up to its length).
fn read_up_to(r: &mut impl Read, buf: &mut [u8], path: &Path) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(entry_error(path, e)),
        }
    }
    Ok(n)
}

/// An error while reading an entry: I/O errors of the zip layer (a bad CRC-32, corrupt
/// compressed data) say that the archive is damaged.
fn entry_error(path: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            Error::format(path, "truncated .npy entry in the archive")
        }
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::Other => {
            Error::format(path, format!("corrupt archive entry: {e}"))
        }
        _ => io_error(path, e),
    }
}

/// The path naming entry `name` of `archive` in messages: `file.npz:name`, the syntax the
/// command line uses to pick it.
fn member_path(archive: &Path, name: &str) -> PathBuf {
    let mut s = archive.as_os_str().to_owned();
    s.push(":");
    s.push(name);
    PathBuf::from(s)
}

/// The array name of an entry: its file name without `.npy` (NumPy's key).
fn array_name(entry_name: &str) -> &str {
    entry_name.strip_suffix(".npy").unwrap_or(entry_name)
}

/// Reads the `.npy` header at the start of an entry whose declared size is `size`, checking
/// the body length against it. Returns the header and the body bytes read with it.
fn read_entry_header(entry: &mut impl Read, size: u64, path: &Path) -> Result<(Header, Vec<u8>)> {
    let mut pre = [0u8; 12];
    let n = read_up_to(entry, &mut pre, path)?;
    let (_, header_len, pre_len) = parse_preamble(&pre[..n], path)?;
    check_header_fits(pre_len, header_len, size, path)?;
    let mut head = pre[..n].to_vec();
    let rest = pre_len + header_len - n.min(pre_len + header_len);
    let mut more = vec![0u8; rest];
    entry
        .read_exact(&mut more)
        .map_err(|e| entry_error(path, e))?;
    head.extend_from_slice(&more);
    let header = parse_header(&head, size, path)?;
    // Bytes of the body already read with the preamble (possible for tiny headers).
    let body_start = head.split_off(header.data_offset.min(head.len()));
    header.check_body_len(size - header.data_offset as u64, path)?;
    Ok((header, body_start))
}

/// Reads to the end of an entry after its last expected byte: this makes the zip reader
/// verify the CRC-32, and finds entries longer than their declared size.
fn finish_entry(entry: &mut impl Read, path: &Path) -> Result<()> {
    let mut extra = [0u8; 1];
    match entry.read(&mut extra) {
        Ok(0) => Ok(()),
        Ok(_) => Err(Error::format(
            path,
            "entry is longer than its declared size",
        )),
        Err(e) => Err(Error::format(path, format!("corrupt archive entry: {e}"))),
    }
}

/// Bytes per step of an entry's body: the zip stream is sequential, so larger steps buy
/// nothing, and this buffer is all the memory a read needs beyond the array (NumPy reads
/// an `.npz` member in steps of 256 KiB too).
const ENTRY_PIECE: usize = 256 << 10;

/// Reads the body of a numeric entry as `T`: through a buffer of [`ENTRY_PIECE`] bytes,
/// converted into the final array (the buffer stays in cache).
fn read_entry_body<T: NpyElement>(
    entry: &mut impl Read,
    header: &Header,
    mut head: Vec<u8>,
    path: &Path,
) -> Result<ndarray::ArrayD<T>> {
    let (dtype, big_endian) = header.numeric(path)?;
    let count = header
        .count()
        .ok_or_else(|| Error::format(path, "header shape overflows"))?;
    let mut v: Vec<T> = try_vec_uninit_of("read_npz", count).map_err(|e| match e {
        Error::Unsupported { op, detail } => Error::Unsupported {
            op,
            detail: format!("{}: {detail}", path.display()),
        },
        other => other,
    })?;
    let itemsize = dtype.itemsize();
    let per = (ENTRY_PIECE / itemsize).max(1);
    {
        let dst: &mut [MaybeUninit<T>] = &mut v.spare_capacity_mut()[..count];
        let mut done = 0;
        let mut buf = std::mem::take(&mut head);
        while done < count {
            let n = per.min(count - done);
            let nbytes = n * itemsize;
            // The first piece may begin with body bytes read along with the header.
            let have = buf.len().min(nbytes);
            buf.resize(nbytes, 0);
            entry
                .read_exact(&mut buf[have..nbytes])
                .map_err(|e| entry_error(path, e))?;
            T::decode(dtype, big_endian, &buf[..nbytes], &mut dst[done..done + n]);
            done += n;
            buf.clear();
        }
    }
    // SAFETY: the loop decoded all `count` elements (every piece was read completely or
    // the function returned an error).
    unsafe { v.set_len(count) };
    let shape = IxDyn(&header.shape);
    let a = if header.is_fortran() {
        ndarray::ArrayD::from_shape_vec(shape.f(), v)
    } else {
        ndarray::ArrayD::from_shape_vec(shape, v)
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

/// The names of the arrays of an archive, in archive order (NumPy's keys: entry names
/// without `.npy`).
///
/// # Errors
/// [`Error::Format`] if the file is not a zip archive; [`Error::Io`] if it cannot be read.
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-npz-names-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("a.npz");
/// let x = ndarray::array![1.0, 2.0].into_dyn();
/// mlinalg::io::write_npz(&path, &[("x", x.view()), ("y", x.view())])?;
/// assert_eq!(mlinalg::io::npz_names(&path)?, ["x", "y"]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn npz_names(path: &Path) -> Result<Vec<String>> {
    let archive = open_zip(path)?;
    Ok(names_of(&archive))
}

fn names_of(archive: &Archive) -> Vec<String> {
    archive
        .file_names()
        .filter(|n| !n.ends_with('/'))
        .map(|n| array_name(n).to_string())
        .collect()
}

/// Whether the names are those of a `scipy.sparse.save_npz` file.
fn is_scipy_sparse(names: &[String]) -> bool {
    let has = |n: &str| names.iter().any(|x| x == n);
    has("format") && has("shape") && has("data") && (has("indptr") || has("row"))
}

/// Reads the array `name` of an archive in its dtype family (see
/// [`read_npy_typed`](super::read_npy_typed)).
///
/// # Errors
/// [`Error::Format`] if the archive has no such array (the message lists the names it
/// has), if the entry is not a supported `.npy` array or is damaged; [`Error::Io`] if the
/// file cannot be read.
///
/// # Examples
/// ```
/// let dir = std::env::temp_dir().join(format!("mlinalg-npz-member-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("m.npz");
/// let (a, b) = (ndarray::array![1.0].into_dyn(), ndarray::array![[2.0, 3.0]].into_dyn());
/// mlinalg::io::write_npz(&path, &[("a", a.view()), ("b", b.view())])?;
/// let m = mlinalg::io::read_npz_member(&path, "b")?;
/// assert_eq!(m.data.shape(), &[1, 2]);
/// let e = mlinalg::io::read_npz_member(&path, "c").unwrap_err();
/// assert!(e.to_string().ends_with("no array named 'c' in the archive (it holds: a, b)"));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn read_npz_member(path: &Path, name: &str) -> Result<TypedDense> {
    let mut archive = open_zip(path)?;
    read_member(&mut archive, path, name)
}

fn read_member(archive: &mut Archive, path: &Path, name: &str) -> Result<TypedDense> {
    let names = names_of(archive);
    let index = (0..archive.len()).find(|&i| {
        archive
            .name_for_index(i)
            .is_some_and(|n| !n.ends_with('/') && array_name(n) == name)
    });
    let Some(index) = index else {
        return Err(Error::format(
            path,
            format!(
                "no array named '{}' in the archive (it holds: {})",
                escape_excerpt(name),
                list(&names)
            ),
        ));
    };
    let mpath = member_path(path, name);
    let mut entry = archive.by_index(index).map_err(|e| zip_error(path, e))?;
    let size = entry.size();
    let (header, head) = read_entry_header(&mut entry, size, &mpath)?;
    let (dtype, _) = header.numeric(&mpath)?;
    let data = match dtype {
        Dtype::Float32 | Dtype::Float16 => {
            TypedArray::Float32(read_entry_body(&mut entry, &header, head, &mpath)?)
        }
        Dtype::Complex64 => {
            TypedArray::Complex64(read_entry_body(&mut entry, &header, head, &mpath)?)
        }
        Dtype::Complex128 => {
            TypedArray::Complex128(read_entry_body(&mut entry, &header, head, &mpath)?)
        }
        _ => TypedArray::Float64(read_entry_body(&mut entry, &header, head, &mpath)?),
    };
    finish_entry(&mut entry, &mpath)?;
    Ok(TypedDense {
        data,
        dtype,
        fortran_order: header.fortran_order,
    })
}

/// Names for messages: `a, b, c` (escaped, the first 20 and how many more), or
/// `no arrays` for an empty archive.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "no arrays".to_string()
    } else {
        escape_list(names.iter().map(String::as_str))
    }
}

/// What a `.npz` input holds: one dense array, or a scipy.sparse matrix.
pub(crate) enum NpzInput {
    Dense(TypedDense),
    Sparse { matrix: CsrMatrix, dtype: Dtype },
}

/// Reads a `.npz` file as an input: member `name` if given; else a scipy.sparse matrix, or
/// the archive's only array. An archive of several arrays without a name is an error
/// listing them and saying how to pick one.
pub(crate) fn read_npz_input(path: &Path, name: Option<&str>) -> Result<NpzInput> {
    let mut archive = open_zip(path)?;
    if let Some(name) = name {
        return Ok(NpzInput::Dense(read_member(&mut archive, path, name)?));
    }
    let names = names_of(&archive);
    if is_scipy_sparse(&names) {
        let dtype = sparse_data_dtype(&mut archive, path)?;
        drop(archive);
        let matrix = CsrMatrix::load_npz(path)?;
        return Ok(NpzInput::Sparse { matrix, dtype });
    }
    match names.as_slice() {
        [only] => {
            let only = only.clone();
            Ok(NpzInput::Dense(read_member(&mut archive, path, &only)?))
        }
        [] => Err(Error::format(path, "the archive holds no arrays")),
        _ => Err(Error::format(
            path,
            format!(
                "the archive holds {} arrays ({}): pick one with {}:NAME",
                names.len(),
                list(&names),
                path.display()
            ),
        )),
    }
}

/// Splits `file.npz:name` into the archive's path and the array name, when `path` has
/// that form (the part before the last `:` ends in `.npz`, any case, and the name is not
/// empty).
pub(crate) fn split_member(path: &Path) -> Option<(PathBuf, String)> {
    let s = path.to_str()?;
    let (file, name) = s.rsplit_once(':')?;
    if name.is_empty() || file.len() <= 4 || !file.to_ascii_lowercase().ends_with(".npz") {
        return None;
    }
    Some((PathBuf::from(file), name.to_string()))
}

/// The stored dtype of the `data` array of a scipy.sparse archive.
fn sparse_data_dtype(archive: &mut Archive, path: &Path) -> Result<Dtype> {
    let index = (0..archive.len())
        .find(|&i| {
            archive
                .name_for_index(i)
                .is_some_and(|n| array_name(n) == "data")
        })
        .ok_or_else(|| Error::format(path, "not a scipy.sparse .npz file: no 'data' array"))?;
    let mpath = member_path(path, "data");
    let mut entry = archive.by_index(index).map_err(|e| zip_error(path, e))?;
    let size = entry.size();
    let (header, _) = read_entry_header(&mut entry, size, &mpath)?;
    Ok(header.numeric(&mpath)?.0)
}

/// A raw entry: header plus body bytes, for the sparse `.npz` reader which needs integer
/// index arrays and byte strings as they are.
pub(crate) struct RawNpy {
    pub(crate) header: Header,
    pub(crate) body: Vec<u8>,
}

/// Reads the raw entries of an `.npz` archive, in archive order, names without `.npy`.
pub(crate) fn read_npz_raw(path: &Path) -> Result<Vec<(String, RawNpy)>> {
    let mut archive = open_zip(path)?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| zip_error(path, e))?;
        if entry.is_dir() {
            continue;
        }
        let name = array_name(entry.name()).to_string();
        let entry_path = member_path(path, &name);
        let size = entry.size();
        let (header, mut body) = read_entry_header(&mut entry, size, &entry_path)?;
        let body_len = usize::try_from(size - header.data_offset as u64)
            .map_err(|_| Error::format(&entry_path, "entry too large for this platform"))?;
        // The declared size of a deflated entry is the archive's word (a zip bomb expands
        // a thousandfold): checked against the memory available before it is reserved.
        crate::memory::check_available(
            "read_npz",
            body_len as u64,
            &format!("the {body_len}-byte body of {}", entry_path.display()),
        )?;
        body.try_reserve_exact(body_len.saturating_sub(body.len()))
            .map_err(|_| Error::Unsupported {
                op: "read_npz",
                detail: format!("{}: cannot allocate {body_len} bytes", entry_path.display()),
            })?;
        let want = (body_len - body.len().min(body_len)) as u64;
        (&mut entry)
            .take(want)
            .read_to_end(&mut body)
            .map_err(|e| entry_error(&entry_path, e))?;
        if body.len() != body_len {
            return Err(Error::format(
                &entry_path,
                "truncated .npy entry in the archive",
            ));
        }
        finish_entry(&mut entry, &entry_path)?;
        out.push((name, RawNpy { header, body }));
    }
    Ok(out)
}

/// Reads every array of an `.npz` archive (NumPy `np.load` on a file written by
/// `np.savez` or `np.savez_compressed`) as `f64` in C order, in archive order. Names are
/// the keys NumPy uses (`"arr_0"`, or the keyword names), without the `.npy` suffix.
///
/// # Errors
/// [`Error::Format`] if the archive is not a zip file or an entry is not a supported real
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
    let names: Vec<String> = raw.iter().map(|(n, _)| n.clone()).collect();
    let sparse = is_scipy_sparse(&names);
    raw.into_iter()
        .map(|(name, r)| {
            let a = decode_dense(&r.header, &r.body, &member_path(path, &name)).map_err(
                |e| match e {
                    Error::Format { path, detail } if sparse => Error::Format {
                        path,
                        detail: format!(
                            "{detail}; this looks like a scipy.sparse file: read it with \
                             CsrMatrix::load_npz"
                        ),
                    },
                    e => e,
                },
            )?;
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
                format!(
                    "duplicate array name '{}' in the archive",
                    escape_excerpt(&e.name)
                ),
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
/// the entry `{name}.npy`, float64 in `np.save`'s order. Written to a temporary name and
/// renamed. [`write_npz_typed`] writes arrays of any element type.
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

/// [`write_npz`] for arrays of any of the four element types, each in its own dtype.
///
/// # Errors
/// [`Error::Format`] for a duplicate name; [`Error::Io`] if the file cannot be written.
///
/// # Examples
/// ```
/// use mlinalg::io::{TypedArray, read_npz_member, write_npz_typed};
/// let dir = std::env::temp_dir().join(format!("mlinalg-write-npz-typed-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("t.npz");
/// let w = TypedArray::Float32(ndarray::array![[0.5f32, 1.0]].into_dyn());
/// write_npz_typed(&path, &[("w", &w)])?;
/// assert_eq!(read_npz_member(&path, "w")?.data, w);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn write_npz_typed(path: &Path, arrays: &[(&str, &TypedArray)]) -> Result<()> {
    let entries: Vec<NpzEntry> = arrays
        .iter()
        .map(|(name, a)| {
            let mut bytes = Vec::new();
            // Writing to a Vec cannot fail.
            let _ = a.write_npy_to(&mut bytes, super::NpyOrder::Auto);
            NpzEntry {
                name: format!("{name}.npy"),
                bytes,
            }
        })
        .collect();
    write_npz_entries(path, &entries, false)
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
