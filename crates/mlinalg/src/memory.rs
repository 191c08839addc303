//! How much memory this process may use: [`MemoryLimit`], and the bytes really available
//! (the smallest of the cgroup v2 `memory.max − memory.current`, the cgroup v1
//! `memory.limit_in_bytes − memory.usage_in_bytes`, each along the whole cgroup path, the
//! kernel's `MemAvailable`, and the room left under the process's own `RLIMIT_AS` and
//! `RLIMIT_DATA`, as `ulimit -v` or `prlimit --as` set them).
//!
//! [`check_available`] is the one check every allocation sized from input goes through
//! (a header's shape, a size line, a zip entry's declared size, `k` times `n` for a
//! sketch): an error with the size, the memory available and what needed it, instead of
//! an abort (`memory allocation of … bytes failed`) or the OOM killer.
//!
//! Inside a container `/proc/meminfo` describes the host: a process limited to 2 GiB by
//! its cgroup sees 24 GiB "available" there and is killed by the OOM killer when it
//! believes it. The cgroup's usage counts the page cache of files it read, which the
//! kernel reclaims before it kills anyone, so the inactive file pages (`inactive_file`,
//! the "working set" rule of container runtimes) are not counted as used.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// A memory budget in bytes: it decides the block sizes of streamed computations and
/// when the command line streams instead of loading a file (`--memory-limit 512M`).
///
/// # Examples
/// ```
/// use mlinalg::MemoryLimit;
/// let m: MemoryLimit = "512M".parse()?;
/// assert_eq!(m.bytes(), 512 << 20);
/// assert_eq!(MemoryLimit::parse("1.5G")?.bytes(), 3 << 29);
/// assert_eq!(m.to_string(), "512M");
/// assert!(MemoryLimit::parse("lots").is_err());
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemoryLimit(u64);

/// Share of the available memory the default [`MemoryLimit`] takes: the rest is left to
/// the page cache (streaming reads go through it) and to other processes.
const DEFAULT_FRACTION: f64 = 0.5;

/// The default when nothing can be read (not Linux, no /proc): 1 GiB.
const FALLBACK: u64 = 1 << 30;

impl MemoryLimit {
    /// A limit of `bytes` bytes.
    #[must_use]
    pub const fn from_bytes(bytes: u64) -> Self {
        MemoryLimit(bytes)
    }

    /// The limit in bytes.
    #[must_use]
    pub const fn bytes(self) -> u64 {
        self.0
    }

    /// Parses a size: a number of bytes with an optional binary suffix `K`, `M`, `G`, `T`
    /// (powers of 1024; `KB`/`KiB`, … and lower case are accepted too) and an optional
    /// fraction (`1.5G`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`memory_limit`) for anything else, zero, or a size
    /// beyond 2⁶⁴ bytes.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::param(
                "memory_limit",
                "memory_limit",
                format!("'{text}' {why} (expected a size such as 512M or 4G)"),
            )
        };
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        if num.is_empty() {
            return Err(bad("is not a size"));
        }
        let shift = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 0,
            "k" | "kb" | "kib" => 10,
            "m" | "mb" | "mib" => 20,
            "g" | "gb" | "gib" => 30,
            "t" | "tb" | "tib" => 40,
            _ => return Err(bad("has an unknown unit")),
        };
        let value: f64 = num.parse().map_err(|_| bad("is not a size"))?;
        let bytes = value * (1u64 << shift) as f64;
        if !(bytes.is_finite() && bytes < u64::MAX as f64) {
            return Err(bad("is too large"));
        }
        let bytes = bytes.round() as u64;
        if bytes == 0 {
            return Err(bad("must be more than 0 bytes"));
        }
        Ok(MemoryLimit(bytes))
    }

    /// The default budget: half of the memory available to this process right now
    /// (cgroup limits included, see [`available_memory`]), or 1 GiB where that cannot be
    /// read.
    ///
    /// # Examples
    /// ```
    /// let m = mlinalg::MemoryLimit::default_for_process();
    /// assert!(m.bytes() > 0);
    /// ```
    #[must_use]
    pub fn default_for_process() -> Self {
        match available_memory() {
            Some(avail) => MemoryLimit(((avail as f64 * DEFAULT_FRACTION) as u64).max(1 << 20)),
            None => MemoryLimit(FALLBACK),
        }
    }
}

impl Default for MemoryLimit {
    fn default() -> Self {
        MemoryLimit::default_for_process()
    }
}

impl FromStr for MemoryLimit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        MemoryLimit::parse(s)
    }
}

/// The shortest exact spelling: `512M`, `4G`, `1536K`, `1000` (bytes).
impl fmt::Display for MemoryLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (shift, unit) in [(40, "T"), (30, "G"), (20, "M"), (10, "K")] {
            if self.0 >= 1 << shift && self.0.is_multiple_of(1 << shift) {
                return write!(f, "{}{unit}", self.0 >> shift);
            }
        }
        write!(f, "{}", self.0)
    }
}

/// Bytes of memory this process can still allocate without being killed: the smallest of
/// `MemAvailable` and the free room of every memory cgroup it is in (v2 and v1, along the
/// path to the root). `None` where none of these can be read.
///
/// # Examples
/// ```
/// if let Some(bytes) = mlinalg::memory::available_memory() {
///     assert!(bytes > 0);
/// }
/// ```
#[must_use]
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| parse_meminfo_available(&t));
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok();
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok();
    let cg = match (cgroup, mountinfo) {
        (Some(c), Some(m)) => cgroup_dirs(&c, &m)
            .into_iter()
            .filter_map(|(dir, v)| cgroup_room(&dir, v))
            .min(),
        _ => None,
    };
    [meminfo, cg, rlimit_room()].into_iter().flatten().min()
}

/// Allocations below this size skip [`check_available`]'s reading of `/proc` (a few
/// hundred microseconds): they cannot exhaust a machine on their own.
pub const CHECK_AVAILABLE_ABOVE: u64 = 256 << 20;

/// Errors unless `bytes` more bytes fit in the memory available to this process
/// ([`available_memory`]); `what` says what they are for (`"the 200000001 row pointers
/// of a 200000000 × 200000000 matrix"`). Requests below [`CHECK_AVAILABLE_ABOVE`] always pass,
/// and so does everything where nothing can be read.
///
/// Linux overcommits: a reservation larger than RAM succeeds and the process is killed
/// when the pages are touched, so `try_reserve` alone does not protect a process inside a
/// container; this check does.
///
/// # Errors
/// [`Error::Unsupported`]: `op: cannot allocate <what>: N bytes (X GiB), but only M bytes
/// (Y GiB) of memory are available`.
///
/// # Examples
/// ```
/// use mlinalg::memory::check_available;
/// assert!(check_available("demo", 1 << 20, "a small buffer").is_ok());
/// let e = check_available("demo", u64::MAX, "a sketch").unwrap_err();
/// assert!(e.to_string().starts_with("demo: cannot allocate a sketch: 18446744073709551615 bytes"));
/// ```
pub fn check_available(op: &'static str, bytes: u64, what: &str) -> Result<()> {
    let cap = ALLOCATION_CAP.load(Ordering::Relaxed);
    if cap != 0 && bytes > cap {
        return Err(Error::Unsupported {
            op,
            detail: format!(
                "cannot allocate {what}: {bytes} bytes ({}), more than the {cap}-byte cap set \
                 for one allocation",
                human(bytes)
            ),
        });
    }
    if bytes <= CHECK_AVAILABLE_ABOVE {
        return Ok(());
    }
    // Beyond any machine: refused without asking the system.
    let avail = if bytes >= 1 << 50 {
        available_memory().unwrap_or(0)
    } else {
        match available_memory() {
            Some(a) => a,
            None => return Ok(()),
        }
    };
    if bytes > avail {
        return Err(Error::Unsupported {
            op,
            detail: format!(
                "cannot allocate {what}: {bytes} bytes ({}), but only {avail} bytes ({}) of memory are available",
                human(bytes),
                human(avail)
            ),
        });
    }
    Ok(())
}

/// The cap of [`set_allocation_cap`]; 0 for none.
static ALLOCATION_CAP: AtomicU64 = AtomicU64::new(0);

/// Caps every allocation sized from input ([`check_available`]) at `bytes` for the whole
/// process (`None` removes the cap): a program that reads untrusted files in a small
/// budget, or a fuzzer that must tell an unchecked allocation (which then exceeds its
/// memory limit) from a checked one (which then fails with an error).
///
/// # Examples
/// ```
/// use mlinalg::memory::{check_available, set_allocation_cap};
/// // (a cap above any real allocation: doctests may share a process)
/// set_allocation_cap(Some(1 << 45));
/// let e = check_available("demo", 1 << 46, "a buffer").unwrap_err();
/// assert!(e.to_string().contains("more than the 35184372088832-byte cap"));
/// set_allocation_cap(None);
/// ```
pub fn set_allocation_cap(bytes: Option<u64>) {
    ALLOCATION_CAP.store(bytes.unwrap_or(0), Ordering::Relaxed);
}

/// A size for people: `1.5 GiB`, `300.0 MiB`, `512 bytes`.
pub(crate) fn human(bytes: u64) -> String {
    let b = bytes as f64;
    for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] {
        let u = (1u64 << shift) as f64;
        if b >= u {
            return format!("{:.1} {unit}", b / u);
        }
    }
    format!("{bytes} bytes")
}

/// Room left under the process's `RLIMIT_AS` (address space, `ulimit -v`, `prlimit --as`)
/// and `RLIMIT_DATA`: the limit minus the current `VmSize` / `VmData` of
/// `/proc/self/status`. `None` where neither limit is set.
#[cfg(target_os = "linux")]
fn rlimit_room() -> Option<u64> {
    let limit = |resource| {
        let mut r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one rlimit struct into the valid, exclusive `r`.
        let ok = unsafe { libc::getrlimit(resource, &raw mut r) } == 0;
        (ok && r.rlim_cur != libc::RLIM_INFINITY).then_some(r.rlim_cur)
    };
    let as_limit = limit(libc::RLIMIT_AS);
    let data_limit = limit(libc::RLIMIT_DATA);
    if as_limit.is_none() && data_limit.is_none() {
        return None;
    }
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let used = |key| parse_status_kb(&status, key).unwrap_or(0);
    [
        as_limit.map(|l| l.saturating_sub(used("VmSize:"))),
        data_limit.map(|l| l.saturating_sub(used("VmData:"))),
    ]
    .into_iter()
    .flatten()
    .min()
}

#[cfg(not(target_os = "linux"))]
fn rlimit_room() -> Option<u64> {
    None
}

/// A `kB` value of `/proc/self/status` (`VmSize:  123 kB`), in bytes.
pub(crate) fn parse_status_kb(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let mut parts = line[key.len()..].split_whitespace();
    let n: u64 = parts.next()?.parse().ok()?;
    (parts.next() == Some("kB")).then(|| n.saturating_mul(1024))
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
pub(crate) fn parse_meminfo_available(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut parts = line.split_whitespace().skip(1);
    let n: u64 = parts.next()?.parse().ok()?;
    match parts.next() {
        Some("kB") | None => Some(n.saturating_mul(1024)),
        _ => None,
    }
}

/// A cgroup limit file (`memory.max`, `memory.limit_in_bytes`): `None` for `max` (v2) or
/// for v1's "no limit" (a value near 2⁶³, the page-rounded `LONG_MAX`).
pub(crate) fn parse_limit(text: &str) -> Option<u64> {
    let t = text.trim();
    if t == "max" {
        return None;
    }
    let v: u64 = t.parse().ok()?;
    (v < 1 << 62).then_some(v)
}

/// The value of `key` in a `memory.stat` file (`inactive_file 1234`).
pub(crate) fn parse_stat(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let mut it = l.split_whitespace();
        (it.next()? == key).then(|| it.next()?.parse().ok())?
    })
}

/// Which cgroup hierarchy a directory belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CgroupVersion {
    V1,
    V2,
}

/// The memory-cgroup directories of this process, from its `/proc/self/cgroup` and
/// `/proc/self/mountinfo`: for each hierarchy (v2 unified, v1 `memory`) that is mounted,
/// its own directory and every ancestor up to the mount point (a limit on any of them
/// applies).
pub(crate) fn cgroup_dirs(cgroup: &str, mountinfo: &str) -> Vec<(PathBuf, CgroupVersion)> {
    let mut out = Vec::new();
    for line in cgroup.lines() {
        // "hierarchy-ID:controller-list:cgroup-path"
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(ctrl), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let version = if ctrl.is_empty() {
            CgroupVersion::V2
        } else if ctrl.split(',').any(|c| c == "memory") {
            CgroupVersion::V1
        } else {
            continue;
        };
        let Some((root, mount)) = find_mount(mountinfo, version) else {
            continue;
        };
        // The cgroup path is relative to the hierarchy's root; the mount shows the
        // hierarchy from `root` (a container sees its own cgroup as "/").
        let rel = Path::new(path)
            .strip_prefix(&root)
            .or_else(|_| Path::new(path).strip_prefix("/"))
            .unwrap_or(Path::new(""));
        let mut dir = mount.join(rel);
        loop {
            out.push((dir.clone(), version));
            if dir == mount || !dir.pop() || !dir.starts_with(&mount) {
                break;
            }
        }
    }
    out
}

/// The (root, mount point) of the cgroup2 mount or of the v1 mount with the `memory`
/// controller, from a mountinfo text.
fn find_mount(mountinfo: &str, version: CgroupVersion) -> Option<(PathBuf, PathBuf)> {
    mountinfo.lines().find_map(|line| {
        // "36 35 98:0 /root /mnt/point opts… - fstype source superopts"
        let (left, right) = line.split_once(" - ")?;
        let fields: Vec<&str> = left.split_whitespace().collect();
        let mut r = right.split_whitespace();
        let fstype = r.next()?;
        let _source = r.next();
        let superopts = r.next().unwrap_or("");
        let ok = match version {
            CgroupVersion::V2 => fstype == "cgroup2",
            CgroupVersion::V1 => fstype == "cgroup" && superopts.split(',').any(|o| o == "memory"),
        };
        (ok && fields.len() >= 5).then(|| {
            (
                PathBuf::from(unescape(fields[3])),
                PathBuf::from(unescape(fields[4])),
            )
        })
    })
}

/// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Free room of one cgroup directory: limit − (usage − inactive file cache); `None` if it
/// has no limit or its files cannot be read.
fn cgroup_room(dir: &Path, version: CgroupVersion) -> Option<u64> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let (limit, usage, stat_key) = match version {
        CgroupVersion::V2 => (read("memory.max")?, read("memory.current"), "inactive_file"),
        CgroupVersion::V1 => (
            read("memory.limit_in_bytes")?,
            read("memory.usage_in_bytes"),
            "total_inactive_file",
        ),
    };
    let limit = parse_limit(&limit)?;
    let usage = usage
        .and_then(|u| u.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let inactive = read("memory.stat")
        .and_then(|s| parse_stat(&s, stat_key))
        .unwrap_or(0);
    Some(room(limit, usage, inactive))
}

/// `limit − (usage − inactive)`, saturating at 0.
pub(crate) fn room(limit: u64, usage: u64, inactive_file: u64) -> u64 {
    limit.saturating_sub(usage.saturating_sub(inactive_file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo() {
        let t = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   23046736 kB\n";
        assert_eq!(parse_meminfo_available(t), Some(23046736 * 1024));
        assert_eq!(parse_meminfo_available("MemTotal: 5 kB\n"), None);
        assert_eq!(parse_meminfo_available("MemAvailable: x kB\n"), None);
        assert_eq!(parse_meminfo_available("MemAvailable: 5 MB\n"), None);
    }

    #[test]
    fn limits_and_stat() {
        assert_eq!(parse_limit("max\n"), None);
        assert_eq!(parse_limit("2147483648\n"), Some(2 << 30));
        assert_eq!(parse_limit("9223372036854771712\n"), None);
        assert_eq!(parse_limit("garbage"), None);
        let stat = "anon 100\nfile 5000\ninactive_file 4096\nactive_file 10\n";
        assert_eq!(parse_stat(stat, "inactive_file"), Some(4096));
        assert_eq!(parse_stat(stat, "total_inactive_file"), None);
        assert_eq!(room(1000, 800, 300), 500);
        assert_eq!(room(1000, 1200, 0), 0);
        assert_eq!(room(1000, 100, 500), 1000);
    }

    #[test]
    fn v2_paths_walk_up_to_the_mount() {
        let cg = "0::/user.slice/app.scope\n";
        let mi = "29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
        let dirs = cgroup_dirs(cg, mi);
        let want: Vec<_> = [
            "/sys/fs/cgroup/user.slice/app.scope",
            "/sys/fs/cgroup/user.slice",
            "/sys/fs/cgroup",
        ]
        .iter()
        .map(|p| (PathBuf::from(p), CgroupVersion::V2))
        .collect();
        assert_eq!(dirs, want);
    }

    #[test]
    fn v1_memory_controller_and_container_root() {
        // A container whose mount shows its own cgroup as the root of the hierarchy.
        let cg = "9:name=systemd:/\n4:memory:/process_api/abc\n2:cpuacct,cpu:/x\n0::/\n";
        let mi = "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n\
                  35 31 0:32 /process_api/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
                  32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
        let dirs = cgroup_dirs(cg, mi);
        // "0::/" has no cgroup2 mount here, so only the v1 memory hierarchy is used.
        assert_eq!(
            dirs,
            vec![(PathBuf::from("/sys/fs/cgroup/memory"), CgroupVersion::V1)]
        );
        // Mounted at the hierarchy's root: the process's directory and its parents.
        let mi = "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        let dirs = cgroup_dirs(cg, mi);
        let paths: Vec<_> = dirs.iter().map(|d| d.0.clone()).collect();
        assert_eq!(
            paths,
            vec![
                PathBuf::from("/sys/fs/cgroup/memory/process_api/abc"),
                PathBuf::from("/sys/fs/cgroup/memory/process_api"),
                PathBuf::from("/sys/fs/cgroup/memory"),
            ]
        );
    }

    #[test]
    fn cgroup_room_reads_the_files() {
        let dir = std::env::temp_dir().join(format!("mlinalg-cg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("memory.max"), "1048576\n").unwrap();
        std::fs::write(dir.join("memory.current"), "524288\n").unwrap();
        std::fs::write(dir.join("memory.stat"), "anon 1\ninactive_file 131072\n").unwrap();
        assert_eq!(
            cgroup_room(&dir, CgroupVersion::V2),
            Some(1048576 - (524288 - 131072))
        );
        std::fs::write(dir.join("memory.max"), "max\n").unwrap();
        assert_eq!(cgroup_room(&dir, CgroupVersion::V2), None);
        std::fs::write(dir.join("memory.limit_in_bytes"), "2000000\n").unwrap();
        std::fs::write(dir.join("memory.usage_in_bytes"), "500000\n").unwrap();
        std::fs::write(dir.join("memory.stat"), "total_inactive_file 100000\n").unwrap();
        assert_eq!(cgroup_room(&dir, CgroupVersion::V1), Some(1600000));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn status_and_check() {
        let t = "Name:\tx\nVmPeak:\t  9 kB\nVmSize:\t  2048 kB\nVmData:\t 100 kB\n";
        assert_eq!(parse_status_kb(t, "VmSize:"), Some(2048 * 1024));
        assert_eq!(parse_status_kb(t, "VmData:"), Some(100 * 1024));
        assert_eq!(parse_status_kb(t, "VmRSS:"), None);
        assert_eq!(human(3 << 29), "1.5 GiB");
        assert_eq!(human(100), "100 bytes");
        assert!(check_available("t", CHECK_AVAILABLE_ABOVE, "x").is_ok());
        let e = check_available("t", 1 << 62, "the sketch").unwrap_err();
        assert!(matches!(e, Error::Unsupported { op: "t", .. }), "{e:?}");
        assert!(
            e.to_string().starts_with(
                "t: cannot allocate the sketch: 4611686018427387904 bytes (4194304.0 TiB), but only"
            ),
            "{e}"
        );
    }

    #[test]
    fn mountinfo_escapes() {
        assert_eq!(unescape(r"/a\040b"), "/a b");
        assert_eq!(unescape(r"/a\04"), r"/a\04");
    }

    #[test]
    fn parse_and_display_sizes() {
        for (s, b) in [
            ("512M", 512u64 << 20),
            ("4G", 4 << 30),
            ("4g", 4 << 30),
            ("4GiB", 4 << 30),
            ("100", 100),
            ("1.5K", 1536),
            (" 2T ", 2 << 40),
        ] {
            assert_eq!(MemoryLimit::parse(s).unwrap().bytes(), b, "{s}");
        }
        for s in ["", "G", "0", "-1G", "5X", "1e3", "99999999999T"] {
            assert!(MemoryLimit::parse(s).is_err(), "{s}");
        }
        assert_eq!(MemoryLimit::from_bytes(4 << 30).to_string(), "4G");
        assert_eq!(MemoryLimit::from_bytes(1536).to_string(), "1536");
        assert_eq!(MemoryLimit::from_bytes(3 << 29).to_string(), "1536M");
        let e = MemoryLimit::parse("lots").unwrap_err().to_string();
        assert_eq!(
            e,
            "memory_limit: invalid memory_limit: 'lots' is not a size (expected a size such as 512M or 4G)"
        );
    }
}
