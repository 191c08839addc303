//! The running CPU's data caches (size, associativity, line), read once: from CPUID (leaf
//! `0x8000001D` on AMD and Hygon, leaf 4 elsewhere on x86-64), else from Linux's
//! `/sys/devices/system/cpu/cpu0/cache/index*/`, else [`FALLBACK`]. The kernels derive
//! their cache blocking from these ([`super::gemm::Blocking::derive`]), as BLIS does,
//! instead of from constants measured on one machine.

use std::sync::OnceLock;

/// One cache level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cache {
    /// Bytes.
    pub(crate) size: usize,
    /// Associativity (ways).
    pub(crate) ways: usize,
    /// Line size in bytes.
    pub(crate) line: usize,
}

/// Where a [`Caches`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    #[cfg_attr(
        any(not(target_arch = "x86_64"), miri),
        allow(dead_code, reason = "CPUID is read on x86-64 only")
    )]
    Cpuid,
    Sysfs,
    Fallback,
    #[cfg(test)]
    Forced,
}

/// The data caches the blocking is derived from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Caches {
    /// Level-1 data cache of one core.
    pub(crate) l1d: Cache,
    /// Level-2 cache of one core.
    pub(crate) l2: Cache,
    /// The last-level cache, if there is a third level.
    pub(crate) l3: Option<Cache>,
    pub(crate) source: Source,
}

/// When nothing can be read: the machine the constant tables were measured on (AMD Zen 5:
/// 48 KiB 12-way L1d, 1 MiB 16-way L2 per core, 32 MiB 16-way L3).
pub(crate) const FALLBACK: Caches = Caches {
    l1d: Cache {
        size: 48 << 10,
        ways: 12,
        line: 64,
    },
    l2: Cache {
        size: 1 << 20,
        ways: 16,
        line: 64,
    },
    l3: Some(Cache {
        size: 32 << 20,
        ways: 16,
        line: 64,
    }),
    source: Source::Fallback,
};

/// The running CPU's caches (detected once per process).
pub(crate) fn caches() -> Caches {
    #[cfg(test)]
    if let Some(c) = *forced::FORCED.lock().unwrap_or_else(|e| e.into_inner()) {
        return c;
    }
    // Miri runs neither CPUID nor (isolated) file reads.
    if cfg!(miri) {
        return FALLBACK;
    }
    static DETECTED: OnceLock<Caches> = OnceLock::new();
    *DETECTED.get_or_init(detect)
}

/// The caches as the hardware reports them, without any forcing.
pub(crate) fn detect() -> Caches {
    from_cpuid()
        .or_else(|| from_sysfs(std::path::Path::new("/sys/devices/system/cpu/cpu0/cache")))
        .unwrap_or(FALLBACK)
}

/// Collects per-level data/unified caches into [`Caches`], if L1d and L2 are plausible.
fn assemble(levels: &[(u32, Cache)], source: Source) -> Option<Caches> {
    let at = |l: u32| levels.iter().find(|(lv, _)| *lv == l).map(|&(_, c)| c);
    let l1d = at(1)?;
    let l2 = at(2)?;
    let l3 = at(3).or(at(4)).filter(|c| c.size > l2.size);
    let plausible = |c: Cache| c.size >= 1024 && c.ways >= 1 && (16..=512).contains(&c.line);
    (plausible(l1d) && plausible(l2) && l2.size > l1d.size).then_some(Caches {
        l1d,
        l2,
        l3,
        source,
    })
}

/// CPUID's deterministic cache parameters (the same register layout in Intel's leaf 4 and
/// AMD's leaf `0x8000001D`): type in EAX[4:0] (1 data, 3 unified, 0 end), level in
/// EAX[7:5], line − 1 in EBX[11:0], partitions − 1 in EBX[21:12], ways − 1 in EBX[31:22],
/// sets − 1 in ECX.
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[allow(unused_unsafe, reason = "CPUID became a safe function after the MSRV")]
fn from_cpuid() -> Option<Caches> {
    // SAFETY: CPUID exists on every x86-64 CPU and only reads identification registers.
    let cpuid = |leaf: u32, sub: u32| unsafe { std::arch::x86_64::__cpuid_count(leaf, sub) };
    let v = cpuid(0, 0);
    let mut vendor = [0u8; 12];
    vendor[..4].copy_from_slice(&v.ebx.to_le_bytes());
    vendor[4..8].copy_from_slice(&v.edx.to_le_bytes());
    vendor[8..].copy_from_slice(&v.ecx.to_le_bytes());
    let leaf = if &vendor == b"AuthenticAMD" || &vendor == b"HygonGenuine" {
        // leaf 0x8000001D needs the TOPOEXT feature (CPUID 0x80000001 ECX bit 22)
        if cpuid(0x8000_0000, 0).eax < 0x8000_001D || cpuid(0x8000_0001, 0).ecx & (1 << 22) == 0 {
            return None;
        }
        0x8000_001D
    } else {
        if v.eax < 4 {
            return None;
        }
        4
    };
    let mut levels = Vec::new();
    for sub in 0..16 {
        let r = cpuid(leaf, sub);
        let kind = r.eax & 0x1f;
        if kind == 0 {
            break;
        }
        if kind == 1 || kind == 3 {
            let line = (r.ebx & 0xfff) as usize + 1;
            let parts = ((r.ebx >> 12) & 0x3ff) as usize + 1;
            let ways = ((r.ebx >> 22) & 0x3ff) as usize + 1;
            let sets = r.ecx as usize + 1;
            levels.push((
                (r.eax >> 5) & 7,
                Cache {
                    size: line * parts * ways * sets,
                    ways,
                    line,
                },
            ));
        }
    }
    assemble(&levels, Source::Cpuid)
}

#[cfg(any(not(target_arch = "x86_64"), miri))]
fn from_cpuid() -> Option<Caches> {
    None
}

/// Linux's cache description: `index*/{level,type,size,ways_of_associativity,
/// coherency_line_size}` under `dir`.
fn from_sysfs(dir: &std::path::Path) -> Option<Caches> {
    let mut levels = Vec::new();
    for i in 0..16 {
        let d = dir.join(format!("index{i}"));
        let read = |f: &str| std::fs::read_to_string(d.join(f)).ok();
        let Some(kind) = read("type") else { break };
        if !matches!(kind.trim(), "Data" | "Unified") {
            continue;
        }
        let (Some(level), Some(size)) = (
            read("level").and_then(|s| s.trim().parse::<u32>().ok()),
            read("size").and_then(|s| parse_size(&s)),
        ) else {
            continue;
        };
        let ways = read("ways_of_associativity")
            .and_then(|s| s.trim().parse().ok())
            .filter(|&w| w > 0)
            .unwrap_or(8);
        let line = read("coherency_line_size")
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(64);
        levels.push((level, Cache { size, ways, line }));
    }
    assemble(&levels, Source::Sysfs)
}

/// `"32K"`, `"1024K"`, `"32M"`, `"1G"` or plain bytes.
fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let (num, mult) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 1usize << 10),
        b'M' | b'm' => (&s[..s.len() - 1], 1 << 20),
        b'G' | b'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim().parse::<usize>().ok()?.checked_mul(mult)
}

/// Test-only forcing of the caches every kernel sees.
#[cfg(test)]
pub(crate) mod forced {
    use super::{Cache, Caches, Source};
    use std::sync::Mutex;

    pub(super) static FORCED: Mutex<Option<Caches>> = Mutex::new(None);

    /// A Zen 5 core (the machine the constant tables were measured on): 48 KiB 12-way
    /// L1d, 1 MiB 16-way L2, 32 MiB L3.
    pub(crate) const ZEN5: Caches = Caches {
        source: Source::Forced,
        ..super::FALLBACK
    };

    /// A small-cache CPU: 8 KiB 4-way L1d, 64 KiB 4-way L2, 512 KiB L3, so that the
    /// blocks are small and the tests cross every boundary several times.
    pub(crate) const SMALL: Caches = Caches {
        l1d: Cache {
            size: 8 << 10,
            ways: 4,
            line: 64,
        },
        l2: Cache {
            size: 64 << 10,
            ways: 4,
            line: 64,
        },
        l3: Some(Cache {
            size: 512 << 10,
            ways: 8,
            line: 64,
        }),
        source: Source::Forced,
    };

    /// Runs `f` with every kernel seeing `caches` (calls are serialised, so two forcing
    /// tests never interleave; other tests only ever see a valid blocking).
    pub(crate) fn with<R>(caches: Caches, f: impl FnOnce() -> R) -> R {
        static SERIAL: Mutex<()> = Mutex::new(());
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        *FORCED.lock().unwrap_or_else(|e| e.into_inner()) = Some(caches);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        *FORCED.lock().unwrap_or_else(|e| e.into_inner()) = None;
        r.unwrap_or_else(|p| std::panic::resume_unwind(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detected_caches_are_plausible_and_agree_with_sysfs() {
        let c = detect();
        assert!(c.l1d.size >= 4 << 10 && c.l2.size > c.l1d.size, "{c:?}");
        // On Linux both sources should name the same L1d and L2 sizes.
        let dir = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
        if let (Some(s), Some(cp)) = (from_sysfs(dir), from_cpuid()) {
            assert_eq!((s.l1d.size, s.l2.size), (cp.l1d.size, cp.l2.size));
        }
    }

    #[test]
    fn sysfs_layout_is_parsed() {
        let dir = std::env::temp_dir().join(format!("mlinalg-cache-{}", std::process::id()));
        let write = |i: usize, level: &str, kind: &str, size: &str, ways: &str| {
            let d = dir.join(format!("index{i}"));
            std::fs::create_dir_all(&d).unwrap();
            for (f, v) in [
                ("level", level),
                ("type", kind),
                ("size", size),
                ("ways_of_associativity", ways),
                ("coherency_line_size", "64"),
            ] {
                std::fs::write(d.join(f), format!("{v}\n")).unwrap();
            }
        };
        write(0, "1", "Data", "48K", "12");
        write(1, "1", "Instruction", "32K", "8");
        write(2, "2", "Unified", "2048K", "16");
        write(3, "3", "Unified", "105M", "15");
        let c = from_sysfs(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(c.l1d.size, 48 << 10);
        assert_eq!(c.l1d.ways, 12);
        assert_eq!(c.l2.size, 2 << 20);
        assert_eq!(c.l3.unwrap().size, 105 << 20);
        assert_eq!(c.source, Source::Sysfs);
        assert_eq!(parse_size("1024K"), Some(1 << 20));
        assert_eq!(parse_size("x"), None);
        // no L2: not usable
        assert!(assemble(&[(1, c.l1d)], Source::Sysfs).is_none());
    }
}
