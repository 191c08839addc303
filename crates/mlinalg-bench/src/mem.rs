//! Peak memory of one run of an op, measured the same way as `scripts/numpy_with_mem.py`
//! measures NumPy's (Linux only; root not needed):
//!
//! 1. give freed heap back to the OS (`malloc_trim(0)`; Python first runs `gc.collect()`),
//! 2. read `VmRSS` from `/proc/self/status` (the baseline: inputs and everything else live),
//! 3. reset the kernel's peak-RSS counter by writing `5` to `/proc/self/clear_refs`,
//! 4. run the op once,
//! 5. read `VmHWM` (the peak RSS since the reset).
//!
//! `peak_mem_bytes = VmHWM − VmRSS_before`: the most memory the op had resident at once
//! beyond what was there before it started, output included. `VmHWM` is a high-water mark,
//! so it already holds the peak when the op's result is dropped inside the timed closure
//! (the Python side keeps its result alive until after the read; the figure is the same).
//! The resolution is one page (4 KiB): sub-page allocations of tiny ops can read as 0.

use std::fs;

/// Gives the freed heap of every malloc arena back to the OS (glibc only; a no-op elsewhere).
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas; any pad value is valid.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A `kB` field of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line
        .strip_prefix(field)?
        .trim_start_matches(':')
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Resets `VmHWM` to the current RSS. False where `/proc/self/clear_refs` is missing.
fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Runs `f` once and returns its peak memory in bytes, or None where the method is
/// unavailable (no `/proc`, or `clear_refs` not writable).
pub fn peak_bytes<F: FnMut()>(mut f: F) -> Option<u64> {
    trim_heap();
    let before = status_bytes("VmRSS")?;
    if !reset_peak() {
        return None;
    }
    f();
    let hwm = status_bytes("VmHWM")?;
    Some(hwm.saturating_sub(before))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_a_touched_buffer() {
        let Some(quiet) = peak_bytes(|| {}) else {
            return; // not Linux, or clear_refs unavailable
        };
        let n = 64 << 20;
        let peak = peak_bytes(|| {
            let v = vec![1u8; n];
            std::hint::black_box(&v);
        });
        let peak = peak.unwrap_or(0);
        assert!(peak >= n as u64 - (1 << 20), "{peak} for a {n}-byte buffer");
        assert!(quiet < 16 << 20, "{quiet} for an empty closure");
    }
}
