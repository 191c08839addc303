//! `--out FILE` and `--out-dir DIR`: array results as `.npy` (float64, C order) or `.csv`.
//!
//! Every file is first written to a temporary file in its target directory and renamed into
//! place only after all of them were written, so a failing run leaves no new file behind and
//! leaves an existing file untouched. A directory created by `--out-dir` is removed again if
//! writing fails.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use ndarray::ArrayD;
use num_complex::Complex64;
use tempfile::NamedTempFile;

use crate::output::json::number;
use crate::report::{Report, Value};

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
}

/// Writes `bytes` to a temporary file next to `dest`.
pub(crate) fn stage(dest: &Path, bytes: &[u8]) -> Result<Staged> {
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
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
    tmp.write_all(bytes)
        .with_context(|| format!("{}", dest.display()))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("{}", dest.display()))?;
    Ok(Staged {
        tmp,
        dest: dest.to_path_buf(),
    })
}

/// Renames every staged file into place.
pub(crate) fn commit(staged: Vec<Staged>) -> Result<()> {
    for s in staged {
        s.tmp
            .persist(&s.dest)
            .map_err(|e| anyhow!("{}: {}", s.dest.display(), e.error))?;
    }
    Ok(())
}

/// Writes the requested files for `report`: `out` (the single array result `name`) and
/// every array result into `out_dir`.
pub fn write(op: &str, report: &Report, out: Option<&Path>, out_dir: Option<&Path>) -> Result<()> {
    let mut staged = Vec::new();
    if let Some(path) = out {
        let kind = kind_of(op, path)?;
        let (_, value) = report
            .results()
            .find(|(_, v)| v.is_array())
            .ok_or_else(|| anyhow!("{op}: --out: no array result to write"))?;
        let bytes = match (kind, value) {
            (FileKind::Npy, v) => npy_bytes(v)?,
            (FileKind::Csv, Value::Array(a)) => csv_bytes(op, a)?,
            (FileKind::Csv, _) => bail!("{op}: --out: a complex result cannot be written as .csv"),
        };
        staged.push(stage(path, &bytes).map_err(|e| anyhow!("{op}: {e:#}"))?);
    }
    if let Some(dir) = out_dir {
        let created =
            create_dir(dir).map_err(|e| anyhow!("{op}: --out-dir {}: {e:#}", dir.display()))?;
        let result = (|| -> Result<Vec<Staged>> {
            let mut v = Vec::new();
            for (name, value) in report.results().filter(|(_, v)| v.is_array()) {
                let bytes = npy_bytes(value)?;
                v.push(stage(&dir.join(format!("{name}.npy")), &bytes)?);
            }
            Ok(v)
        })();
        match result {
            Ok(v) => staged.extend(v),
            Err(e) => {
                remove_created(created);
                return Err(anyhow!("{op}: {e:#}"));
            }
        }
        let r = commit(staged);
        if r.is_err() {
            // Best effort: only directories this run created, and only if still empty.
            remove_created(created);
        }
        return r.map_err(|e| anyhow!("{op}: {e:#}"));
    }
    commit(staged).map_err(|e| anyhow!("{op}: {e:#}"))
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

/// A `.npy` version 1.0 file: float64 (`<f8`) or complex128 (`<c16`), C order.
fn npy_bytes(value: &Value) -> Result<Vec<u8>> {
    match value {
        Value::Array(a) => {
            let mut payload = Vec::with_capacity(a.len() * 8);
            for x in a.iter() {
                payload.extend_from_slice(&x.to_le_bytes());
            }
            Ok(npy_file("<f8", a.shape(), &payload))
        }
        Value::ComplexArray(a) => {
            // NumPy saves complex results as complex128; float64 cannot hold them.
            let mut payload = Vec::with_capacity(a.len() * 16);
            for z in a.iter() {
                let z: &Complex64 = z;
                payload.extend_from_slice(&z.re.to_le_bytes());
                payload.extend_from_slice(&z.im.to_le_bytes());
            }
            Ok(npy_file("<c16", a.shape(), &payload))
        }
        _ => bail!("not an array"),
    }
}

fn npy_file(descr: &str, shape: &[usize], payload: &[u8]) -> Vec<u8> {
    let shape_txt = match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_txt}, }}");
    // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + payload.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    // The header of a version 1.0 file is below 65536 bytes for any realistic shape.
    out.extend_from_slice(
        &u16::try_from(header.len())
            .unwrap_or(u16::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
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

    #[test]
    fn npy_header_is_aligned() {
        let b = npy_file("<f8", &[2, 3], &[0u8; 48]);
        let header_end = b.len() - 48;
        assert_eq!(header_end % 64, 0);
        assert_eq!(&b[..8], b"\x93NUMPY\x01\x00");
        assert_eq!(b[header_end - 1], b'\n');
    }
}
