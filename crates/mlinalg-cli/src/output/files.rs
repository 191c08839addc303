//! `--out FILE` and `--out-dir DIR`: array results as `.npy` or `.csv`.
//!
//! `.npy` files are written by `mlinalg::io` straight from the result's memory into the
//! temporary file (no copy of the array in bytes), in the result's dtype and as `np.save`
//! writes them: a result that is a transposed view (`transpose`) in Fortran order. A result
//! kept in a dtype mlinalg does not compute in (integers, float16, long double) is encoded
//! here and written by `mlinalg::io::write_npy_raw_to`.
//!
//! Every file is first written to a temporary file in its target directory and renamed into
//! place only after all of them (the `--plot` SVG included) were written and every
//! destination was checked, so a failing run leaves no new file behind and leaves an
//! existing file untouched ([`commit`]). A directory created by `--out-dir` is removed
//! again if writing fails.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use mlinalg::io::{Dtype, NpyOrder, TypedArray, write_npy_raw_to, write_npy_to};
use ndarray::ArrayD;
use tempfile::{NamedTempFile, TempPath};

use crate::commands::nd::longdouble;
use crate::output::json::number;
use crate::report::{Report, StoreAs, Value};

/// The format of `--out FILE`, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.npy`.
    Npy,
    /// `.csv`: a 1-d array one value per line, a matrix one row per line.
    Csv,
}

/// The format of `path`, or an error for an extension the writer does not know.
pub fn kind_of(op: &str, path: &Path) -> Result<FileKind> {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("npy") => Ok(FileKind::Npy),
        Some("csv") => Ok(FileKind::Csv),
        Some(ext) => bail!(
            "{op}: --out {}: unknown extension '.{ext}' (supported: .npy, .csv)",
            path.display()
        ),
        None => bail!(
            "{op}: --out {}: no file extension (supported: .npy, .csv)",
            path.display()
        ),
    }
}

/// A file written to a temporary name, waiting to be renamed to `dest`.
pub(crate) struct Staged {
    tmp: NamedTempFile,
    dest: PathBuf,
    /// The option that asked for the file (`--plot`), named in error messages; empty for
    /// `--out` and `--out-dir`, whose errors name the file only.
    label: &'static str,
}

impl Staged {
    /// Names the option that asked for this file in its error messages.
    pub(crate) fn labelled(mut self, label: &'static str) -> Self {
        self.label = label;
        self
    }

    /// `msg` about this file: `--plot: p.svg: msg` or `out/u.npy: msg`.
    fn error(&self, msg: impl std::fmt::Display) -> anyhow::Error {
        if self.label.is_empty() {
            anyhow!("{}: {msg}", self.dest.display())
        } else {
            anyhow!("{}: {}: {msg}", self.label, self.dest.display())
        }
    }
}

/// Writes `bytes` to a temporary file next to `dest`.
pub(crate) fn stage(dest: &Path, bytes: &[u8]) -> Result<Staged> {
    stage_with(dest, |f| f.write_all(bytes))
}

/// Creates a temporary file next to `dest` and lets `write` fill it.
pub(crate) fn stage_with(
    dest: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<Staged> {
    let dir = parent_dir(dest);
    let name = dest
        .file_name()
        .ok_or_else(|| anyhow!("{}: not a file name", dest.display()))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // tempfile creates 0600 files; an output file should get the usual 0666 & ~umask,
    // as NumPy's `np.save` (a plain `open`) gives.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir).map_err(|e| {
        // tempfile appends `at path "<temporary name>"`; the user named `dest`.
        let msg = e.to_string();
        let msg = msg.split(" at path \"").next().unwrap_or(&msg).to_string();
        anyhow!("{}: {msg}", dest.display())
    })?;
    write(tmp.as_file_mut()).with_context(|| format!("{}", dest.display()))?;
    Ok(Staged {
        tmp,
        dest: dest.to_path_buf(),
        label: "",
    })
}

/// The directory that holds `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Every file one run writes, staged, and the directories `--out-dir` created for them.
#[derive(Default)]
pub(crate) struct Staging {
    files: Vec<Staged>,
    created: Vec<PathBuf>,
}

impl Staging {
    /// Adds a staged file (the `--plot` SVG).
    pub(crate) fn push(&mut self, staged: Staged) {
        self.files.push(staged);
    }

    /// Renames every staged file into place, all or nothing (see [`commit`]); on failure
    /// the directories `--out-dir` created are removed again if they are still empty.
    pub(crate) fn commit(self) -> Result<()> {
        let Staging { files, created } = self;
        let r = commit(files);
        if r.is_err() {
            remove_created(created);
        }
        r
    }

    /// Drops the staged files unrenamed and removes the directories created for them.
    fn abandon(self) {
        let Staging { files, created } = self;
        // Dropping a NamedTempFile deletes it, which must happen before its directory goes.
        drop(files);
        remove_created(created);
    }
}

/// A destination that [`commit`] has renamed a staged file onto.
struct Placed {
    dest: PathBuf,
    /// Whether `dest` existed before this run.
    existed: bool,
    /// A second name (hard link) of the file `dest` held before, to put it back on failure.
    backup: Option<TempPath>,
}

/// Renames every staged file into place, or none.
///
/// Every destination is checked before the first rename (staging already created a file in
/// each destination's directory, so an unwritable directory failed earlier): one that is a
/// directory, or another user's file in a sticky directory, fails the run with nothing
/// renamed. A rename that still fails midway (a disk error, another process racing us)
/// undoes the renames already done: a file this run created is removed, and a file it
/// replaced is put back from a hard link made just before the rename.
///
/// Limitation: where hard links are not supported (some network and FAT file systems), a
/// file replaced before the failing rename cannot be restored; its new content stays.
pub(crate) fn commit(staged: Vec<Staged>) -> Result<()> {
    let mut checked = Vec::with_capacity(staged.len());
    for s in staged {
        let existed = check_destination(&s).map_err(|e| s.error(format!("{e:#}")))?;
        checked.push((s, existed));
    }
    rename_all(checked)
}

/// Whether `s.dest` exists (as a file or a link); an error if the staged file cannot be
/// renamed onto it.
///
/// The staged file was created in the destination's directory, so the directory exists
/// and we may create files in it (the permission bits alone would mislead: root writes
/// into a 0555 directory). What can still fail is the destination itself: a directory, or,
/// in a sticky directory such as /tmp, a file that belongs to another user.
fn check_destination(s: &Staged) -> Result<bool> {
    let dir = parent_dir(&s.dest);
    let dir_meta = fs::metadata(&dir).with_context(|| format!("directory {}", dir.display()))?;
    if !dir_meta.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let dest_meta = match fs::symlink_metadata(&s.dest) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    // A symbolic link is replaced by the rename, whatever it points to.
    if dest_meta.is_dir() {
        bail!("is a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Our user: the owner of the file we just created.
        let me = s.tmp.as_file().metadata()?.uid();
        let sticky = dir_meta.mode() & 0o1000 != 0;
        if sticky && me != 0 && me != dir_meta.uid() && me != dest_meta.uid() {
            bail!(
                "belongs to another user in the sticky directory {}: cannot be replaced",
                dir.display()
            );
        }
    }
    Ok(true)
}

/// Renames each staged file onto its destination (`existed`: whether it is there already);
/// on the first failure undoes the renames done so far (see [`commit`]).
fn rename_all(checked: Vec<(Staged, bool)>) -> Result<()> {
    let mut placed: Vec<Placed> = Vec::with_capacity(checked.len());
    for (s, existed) in checked {
        let backup = if existed { backup_link(&s.dest) } else { None };
        let Staged { tmp, dest, label } = s;
        if let Err(e) = tmp.persist(&dest) {
            let err = Staged {
                tmp: e.file,
                dest,
                label,
            };
            let err = err.error(e.error);
            // The failed file's own backup is not needed: its destination was not touched.
            drop(backup);
            undo(placed);
            return Err(err);
        }
        placed.push(Placed {
            dest,
            existed,
            backup,
        });
    }
    // Success: the backup links are deleted when dropped here.
    Ok(())
}

/// A hard link to the existing file `dest` under a fresh temporary name in its directory,
/// or `None` if the file system cannot make one.
fn backup_link(dest: &Path) -> Option<TempPath> {
    let name = dest.file_name()?.to_string_lossy().into_owned();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".bak")
        .make_in(parent_dir(dest), |p| fs::hard_link(dest, p))
        .ok()
        .map(NamedTempFile::into_temp_path)
}

/// Undoes renames, last first: restores replaced files from their backups and removes the
/// files this run created.
fn undo(placed: Vec<Placed>) {
    for p in placed.into_iter().rev() {
        match p.backup {
            Some(backup) => {
                // Renaming the link back puts the original file (same inode) in place.
                let _ = backup.persist(&p.dest);
            }
            None if !p.existed => {
                let _ = fs::remove_file(&p.dest);
            }
            // Existed, but no backup could be made: the replaced content is lost.
            None => {}
        }
    }
}

/// Stages the requested files for `report`: `out` (the single array result) and every
/// array result into `out_dir` (created if missing). Nothing is renamed into place yet.
pub(crate) fn stage_results(
    op: &str,
    report: &Report,
    out: Option<&Path>,
    out_dir: Option<&Path>,
) -> Result<Staging> {
    let mut staging = Staging::default();
    if let Some(path) = out {
        let kind = kind_of(op, path)?;
        let (_, value) = report
            .results()
            .find(|(_, v)| v.is_array())
            .ok_or_else(|| anyhow!("{op}: --out: no array result to write"))?;
        let staged = match (kind, value) {
            (FileKind::Npy, v) => stage_npy(path, v),
            (FileKind::Csv, Value::Array(a)) => {
                csv_bytes(op, a).and_then(|bytes| stage(path, &bytes))
            }
            (FileKind::Csv, Value::Typed(TypedArray::Float64(a))) => {
                csv_bytes(op, a).and_then(|bytes| stage(path, &bytes))
            }
            (FileKind::Csv, Value::Typed(TypedArray::Float32(a))) => {
                csv_bytes(op, &a.mapv(f64::from)).and_then(|bytes| stage(path, &bytes))
            }
            (FileKind::Csv, _) => bail!("{op}: --out: a complex result cannot be written as .csv"),
        };
        staging
            .files
            .push(staged.map_err(|e| anyhow!("{op}: {e:#}"))?);
    }
    if let Some(dir) = out_dir {
        staging.created =
            create_dir(dir).map_err(|e| anyhow!("{op}: --out-dir {}: {e:#}", dir.display()))?;
        for (name, value) in report.results().filter(|(_, v)| v.is_array()) {
            let staged = stage_npy(&dir.join(format!("{name}.npy")), value);
            match staged {
                Ok(s) => staging.files.push(s),
                Err(e) => {
                    staging.abandon();
                    return Err(anyhow!("{op}: {e:#}"));
                }
            }
        }
    }
    Ok(staging)
}

/// Creates `dir` (and missing parents); returns the directories created, deepest first.
fn create_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.is_dir() {
        return Ok(Vec::new());
    }
    if dir.exists() {
        bail!("exists and is not a directory");
    }
    let mut missing = Vec::new();
    let mut d = Some(dir);
    while let Some(p) = d {
        if p.as_os_str().is_empty() || p.exists() {
            break;
        }
        missing.push(p.to_path_buf());
        d = p.parent();
    }
    fs::create_dir_all(dir)?;
    Ok(missing)
}

fn remove_created(created: Vec<PathBuf>) {
    for d in created {
        let _ = fs::remove_dir(d);
    }
}

/// Stages the `.npy` file of an array result, in its dtype (float64 for real results,
/// complex128 for complex ones, the array's own for typed ones), written by the library.
fn stage_npy(dest: &Path, value: &Value) -> Result<Staged> {
    // The body's bytes plus a bound on the header (at most a few hundred bytes): the disk
    // blocks are reserved first (see mlinalg::io::preallocate), at most one block beyond
    // the file's end.
    let reserve = |f: &fs::File, elements: usize, itemsize: usize| {
        mlinalg::io::preallocate(f, (elements as u64).saturating_mul(itemsize as u64) + 4096);
    };
    stage_with(dest, |f| match value {
        Value::Array(a) => {
            reserve(f, a.len(), 8);
            write_npy_to(f, a, NpyOrder::Auto)
        }
        Value::ComplexArray(a) => {
            reserve(f, a.len(), 16);
            write_npy_to(f, a, NpyOrder::Auto)
        }
        Value::Typed(a) => {
            reserve(f, a.len(), a.dtype().itemsize());
            a.write_npy_to(f, NpyOrder::Auto)
        }
        Value::Stored(a, dtype) => {
            let (descr, body) = stored_body(a, *dtype);
            reserve(f, body.len(), 1);
            write_npy_raw_to(f, descr, a.shape(), false, &body)
        }
        _ => Err(std::io::Error::other("not an array")),
    })
}

/// The `.npy` descr and body bytes (C order) of `a` converted to `dtype` as NumPy's
/// `astype` converts: truncation towards zero for integers, `!= 0` for bool,
/// round-to-nearest for float16. Complex values keep their real part unless `dtype` is
/// complex. (mlinalg computes in float and complex types only, so these bytes are encoded
/// here; the file around them is the library's.)
fn stored_body(a: &TypedArray, store: StoreAs) -> (&'static str, Vec<u8>) {
    let dtype = match store {
        StoreAs::Dtype(d) => d,
        StoreAs::LongDouble => Dtype::Float64,
        StoreAs::CLongDouble => Dtype::Complex128,
    };
    let (re, im): (Vec<f64>, Vec<f64>) = match a {
        TypedArray::Float64(x) => (x.iter().copied().collect(), vec![]),
        TypedArray::Float32(x) => (x.iter().map(|&v| f64::from(v)).collect(), vec![]),
        TypedArray::Complex128(x) => x.iter().map(|z| (z.re, z.im)).unzip(),
        TypedArray::Complex64(x) => x.iter().map(|z| (f64::from(z.re), f64::from(z.im))).unzip(),
    };
    let imag = |i: usize| im.get(i).copied().unwrap_or(0.0);
    let (descr, width) = match (store, dtype) {
        (StoreAs::LongDouble, _) => ("<f16", 16),
        (StoreAs::CLongDouble, _) => ("<c32", 32),
        (_, dtype) => match dtype {
            Dtype::Bool => ("|b1", 1),
            Dtype::Int8 => ("|i1", 1),
            Dtype::Uint8 => ("|u1", 1),
            Dtype::Int16 => ("<i2", 2),
            Dtype::Uint16 => ("<u2", 2),
            Dtype::Int32 => ("<i4", 4),
            Dtype::Uint32 => ("<u4", 4),
            Dtype::Int64 => ("<i8", 8),
            Dtype::Uint64 => ("<u8", 8),
            Dtype::Float16 => ("<f2", 2),
            Dtype::Float32 => ("<f4", 4),
            Dtype::Complex64 => ("<c8", 8),
            Dtype::Complex128 => ("<c16", 16),
            _ => ("<f8", 8),
        },
    };
    let mut body = Vec::with_capacity(re.len() * width);
    for (i, &x) in re.iter().enumerate() {
        if store == StoreAs::LongDouble {
            body.extend_from_slice(&longdouble::from_f64(x));
            continue;
        }
        if store == StoreAs::CLongDouble {
            body.extend_from_slice(&longdouble::from_f64(x));
            body.extend_from_slice(&longdouble::from_f64(imag(i)));
            continue;
        }
        // `as` saturates float → int; NumPy wraps, which matters only out of range.
        match dtype {
            Dtype::Bool => body.push(u8::from(x != 0.0 || imag(i) != 0.0)),
            Dtype::Int8 => body.extend_from_slice(&((x as i64) as i8).to_le_bytes()),
            Dtype::Uint8 => body.extend_from_slice(&((x as i64) as u8).to_le_bytes()),
            Dtype::Int16 => body.extend_from_slice(&((x as i64) as i16).to_le_bytes()),
            Dtype::Uint16 => body.extend_from_slice(&((x as i64) as u16).to_le_bytes()),
            Dtype::Int32 => body.extend_from_slice(&((x as i64) as i32).to_le_bytes()),
            Dtype::Uint32 => body.extend_from_slice(&((x as i64) as u32).to_le_bytes()),
            Dtype::Int64 => body.extend_from_slice(&(x as i64).to_le_bytes()),
            Dtype::Uint64 => body.extend_from_slice(&(x as u64).to_le_bytes()),
            Dtype::Float16 => body.extend_from_slice(&f32_to_f16(x as f32).to_le_bytes()),
            Dtype::Float32 => body.extend_from_slice(&(x as f32).to_le_bytes()),
            Dtype::Complex64 => {
                body.extend_from_slice(&(x as f32).to_le_bytes());
                body.extend_from_slice(&(imag(i) as f32).to_le_bytes());
            }
            Dtype::Complex128 => {
                body.extend_from_slice(&x.to_le_bytes());
                body.extend_from_slice(&imag(i).to_le_bytes());
            }
            _ => body.extend_from_slice(&x.to_le_bytes()),
        }
    }
    (descr, body)
}

/// IEEE binary32 → binary16, rounding to nearest, ties to even (overflow to ±∞).
fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        // ∞ or NaN (keep a quiet NaN).
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        // Subnormal half (or zero): shift the full significand into place.
        if e < -10 {
            return sign;
        }
        let full = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = full >> shift;
        let rem = full & ((1 << shift) - 1);
        let mid = 1 << (shift - 1);
        let round = rem > mid || (rem == mid && half & 1 == 1);
        return sign | (half + u32::from(round)) as u16;
    }
    let half = ((e as u32) << 10) | (man >> 13);
    let rem = man & 0x1fff;
    let round = rem > 0x1000 || (rem == 0x1000 && half & 1 == 1);
    // A carry out of the significand correctly bumps the exponent (to ∞ at the top).
    sign | (half + u32::from(round)) as u16
}

/// A CSV table: a 0-d or 1-d array one value per line, a matrix one row per line.
fn csv_bytes(op: &str, a: &ArrayD<f64>) -> Result<Vec<u8>> {
    let mut s = String::new();
    let cell = |x: f64, s: &mut String| {
        let mut t = String::new();
        number(x, &mut t);
        s.push_str(t.trim_matches('"'));
    };
    match a.ndim() {
        0 | 1 => {
            for &x in a.iter() {
                cell(x, &mut s);
                s.push('\n');
            }
        }
        2 => {
            for row in a.outer_iter() {
                for (j, &x) in row.iter().enumerate() {
                    if j > 0 {
                        s.push(',');
                    }
                    cell(x, &mut s);
                }
                s.push('\n');
            }
        }
        n => bail!("{op}: --out: a {n}-d result cannot be written as .csv (use .npy)"),
    }
    Ok(s.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists `dir` sorted.
    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_rename_failing_midway_undoes_the_others() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("old.npy"), b"original").unwrap();
        fs::create_dir(d.path().join("dir.npy")).unwrap();
        let stage_in = |name: &str| stage(&d.path().join(name), name.as_bytes()).unwrap();
        // The destination check is skipped, so the third rename fails after two succeeded.
        let checked = vec![
            (stage_in("new.npy"), false),
            (stage_in("old.npy"), true),
            (stage_in("dir.npy"), false),
            (stage_in("later.npy"), false),
        ];
        let err = rename_all(checked).unwrap_err().to_string();
        assert!(err.contains("dir.npy"), "{err}");
        assert_eq!(listing(d.path()), vec!["dir.npy", "old.npy"]);
        assert_eq!(fs::read(d.path().join("old.npy")).unwrap(), b"original");
    }

    #[test]
    fn commit_checks_every_destination_first() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("dir.npy")).unwrap();
        let staged = vec![
            stage(&d.path().join("a.npy"), b"a").unwrap(),
            stage(&d.path().join("dir.npy"), b"b").unwrap(),
        ];
        let err = commit(staged).unwrap_err().to_string();
        assert!(err.ends_with("dir.npy: is a directory"), "{err}");
        assert_eq!(listing(d.path()), vec!["dir.npy"]);
        // Success replaces an existing file and leaves no backup link behind.
        fs::write(d.path().join("a.npy"), b"old").unwrap();
        commit(vec![stage(&d.path().join("a.npy"), b"new").unwrap()]).unwrap();
        assert_eq!(fs::read(d.path().join("a.npy")).unwrap(), b"new");
        assert_eq!(listing(d.path()), vec!["a.npy", "dir.npy"]);
    }
}
