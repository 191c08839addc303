//! Positioned reads straight into the final buffer, and the parallel piece plan.
//!
//! A `.npy` body is read with `pread` (several at once, at their own offsets, from the rayon
//! pool) directly into the memory of the array that is returned: no intermediate
//! `Vec<u8>` of the file, no second copy. Where the file's bytes need converting (another
//! dtype, the other byte order) each piece goes through a small per-task buffer that stays
//! in cache.

use std::fs::File;
use std::mem::MaybeUninit;

/// Bytes per parallel piece of a large read or write: big enough that a system call and a
/// rayon task are negligible against the copy (8 MiB ≈ 1 ms at memory speed), small enough
/// that a conversion buffer stays in the 32 MiB L3 and that two threads get many pieces.
pub(crate) const PIECE: usize = 8 << 20;

/// Fills `dst` with the bytes of `file` at `offset`: all of them, or an `UnexpectedEof`
/// error if the file is shorter.
pub(crate) fn read_exact_at(file: &File, dst: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, dst, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let (mut done, mut offset) = (0, offset);
        while done < dst.len() {
            match file.seek_read(&mut dst[done..], offset) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    done += n;
                    offset += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// [`read_exact_at`] into memory that may be uninitialised (the spare capacity of the
/// `Vec` being filled): the kernel writes the bytes, so no zeroing pass is needed first.
pub(crate) fn read_exact_at_uninit(
    file: &File,
    dst: &mut [MaybeUninit<u8>],
    offset: u64,
) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        let fd = file.as_raw_fd();
        let (mut done, mut offset) = (0usize, offset);
        while done < dst.len() {
            // At most 1 GiB per call: Linux transfers at most 0x7ffff000 bytes at once.
            let want = (dst.len() - done).min(1 << 30);
            let off = libc::off_t::try_from(offset)
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
            // SAFETY: `dst[done..done + want]` is writable memory owned by the caller; pread
            // writes at most `want` bytes there and never reads it. Uninitialised bytes are
            // never read on the Rust side: the caller only trusts the bytes this call
            // reported as written, and errors out otherwise.
            let n = unsafe { libc::pread(fd, dst[done..].as_mut_ptr().cast(), want, off) };
            if n < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            // n > 0 was checked, and n ≤ want
            done += n as usize;
            offset += n as u64;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        for b in dst.iter_mut() {
            b.write(0);
        }
        // SAFETY: every byte was initialised just above.
        let init =
            unsafe { std::slice::from_raw_parts_mut(dst.as_mut_ptr().cast::<u8>(), dst.len()) };
        read_exact_at(file, init, offset)
    }
}

/// The bytes of a slice of plain numbers (`f32`, `f64`, `Complex<f32|f64>`, integers).
///
/// Callers only pass element types without padding and without invalid bit patterns, so
/// every byte is initialised.
pub(crate) fn as_bytes<T: Copy>(s: &[T]) -> &[u8] {
    // SAFETY: `s` is a valid slice; the element types used (floats, complex of floats,
    // integers) have no padding bytes, so viewing their memory as `u8` reads only
    // initialised bytes, and `u8` has alignment 1.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
}

/// The uninitialised bytes of a slice of uninitialised elements.
pub(crate) fn uninit_bytes<T>(s: &mut [MaybeUninit<T>]) -> &mut [MaybeUninit<u8>] {
    let len = std::mem::size_of_val(s);
    // SAFETY: same memory, same length in bytes; `MaybeUninit<u8>` has alignment 1 and
    // places no validity requirement on the bytes.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<MaybeUninit<u8>>(), len) }
}
