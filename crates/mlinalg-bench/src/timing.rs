//! Timing with the same noisy-neighbour guard as `numpy_baseline.py`.
//!
//! The machine has 2 cores shared with other jobs; one competing process halves a
//! two-thread kernel's throughput. Before each op we wait until nothing else is runnable
//! (`/proc/loadavg`), and we measure how much CPU *other* processes used during the timed
//! runs ("others_cpu", in cores: system busy time from `/proc/stat` minus this process's
//! CPU time, divided by wall time). Above [`MAX_OTHERS`] the op is re-run, up to 3 tries;
//! the last value is reported so that contamination stays visible. Same constants as the
//! Python script, so the two sides are measured the same way.

use std::fs;
use std::time::{Duration, Instant};

/// Other processes may use at most this many cores during the timed runs.
pub const MAX_OTHERS: f64 = 0.05;

/// Linux reports `/proc` CPU times in ticks of 1/100 s (`USER_HZ`, fixed at 100 on x86).
const TICKS_PER_SEC: f64 = 100.0;

/// The result of timing one op.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Median of the timed runs, seconds.
    pub median: f64,
    /// Fastest timed run, seconds.
    pub min: f64,
    /// Cores used by other processes during the timed runs (None off Linux).
    pub others_cpu: Option<f64>,
    /// Hypervisor steal time during the timed runs, in cores.
    pub steal: Option<f64>,
    /// Cores this process kept busy during the timed runs (its CPU time ÷ wall time, 10 ms
    /// resolution): the cost side of spin-waiting (None off Linux or for windows under
    /// 0.2 s).
    pub own_cores: Option<f64>,
}

/// `(busy, steal)` seconds summed over all CPUs, or None off Linux.
fn sys_busy() -> Option<(f64, f64)> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let v: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map_while(|x| x.parse().ok())
        .collect();
    if v.len() < 7 {
        return None;
    }
    // user nice system irq softirq, as in the Python script (idle and iowait excluded)
    let busy = v[0] + v[1] + v[2] + v[5] + v[6];
    let steal = v.get(7).copied().unwrap_or(0);
    Some((busy as f64 / TICKS_PER_SEC, steal as f64 / TICKS_PER_SEC))
}

/// CPU seconds (user + system) used by this process, all threads.
fn own_cpu() -> f64 {
    let Ok(stat) = fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // the command name (field 2) may contain spaces; fields after ')' are numeric
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the file, i.e. 12 and 13 after ')'
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
    (tick(11) + tick(12)) as f64 / TICKS_PER_SEC
}

/// Runnable tasks other than ourselves.
fn others_runnable() -> i64 {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(3)?
                .split('/')
                .next()?
                .parse::<i64>()
                .ok()
        })
        .map_or(0, |n| n - 1)
}

/// Waits (at most `max_wait` seconds) until no other task is runnable in 4 samples
/// 0.5 s apart. Returns the seconds waited.
pub fn wait_quiet(max_wait: f64) -> f64 {
    if max_wait <= 0.0 || sys_busy().is_none() {
        return 0.0;
    }
    let t0 = Instant::now();
    let mut ok = 0;
    while ok < 4 && t0.elapsed().as_secs_f64() < max_wait {
        ok = if others_runnable() <= 0 { ok + 1 } else { 0 };
        std::thread::sleep(Duration::from_millis(500));
    }
    t0.elapsed().as_secs_f64()
}

/// Times `f`: one warm-up run, then `reps` timed runs; retried (up to 3 tries) when other
/// processes used more than [`MAX_OTHERS`] cores, unless `quiet_wait <= 0`.
pub fn bench<F: FnMut()>(mut f: F, reps: usize, quiet_wait: f64) -> Timing {
    let mut ts = Vec::with_capacity(reps);
    let (mut others, mut steal, mut own) = (None, None, None);
    for attempt in 0..3 {
        wait_quiet(quiet_wait);
        f();
        let (b0, c0, w0) = (sys_busy(), own_cpu(), Instant::now());
        ts.clear();
        for _ in 0..reps {
            let t0 = Instant::now();
            f();
            ts.push(t0.elapsed().as_secs_f64());
        }
        let wall = w0.elapsed().as_secs_f64();
        (others, steal, own) = (None, None, None);
        if let (Some(b0), Some(b1)) = (b0, sys_busy()) {
            let mine = own_cpu() - c0;
            others = Some(((b1.0 - b0.0) - mine).max(0.0) / wall);
            steal = Some((b1.1 - b0.1) / wall);
            own = (wall >= 0.2).then_some(mine / wall);
        }
        // with 10 ms accounting ticks the estimate is meaningless for very short windows
        match others {
            Some(o) if wall >= 0.2 && o > MAX_OTHERS && quiet_wait > 0.0 => eprintln!(
                "   (other processes used {o:.2} cores during runs, retry {})",
                attempt + 1
            ),
            _ => break,
        }
    }
    ts.sort_by(f64::total_cmp);
    Timing {
        median: median(&ts),
        min: ts.first().copied().unwrap_or(f64::NAN),
        others_cpu: others,
        steal,
        own_cores: own,
    }
}

/// The median of sorted values (mean of the middle two for an even count, as NumPy).
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_even() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn bench_counts_runs() {
        let mut calls = 0;
        let t = bench(|| calls += 1, 5, 0.0);
        assert_eq!(calls, 6);
        assert!(t.min <= t.median);
    }
}
