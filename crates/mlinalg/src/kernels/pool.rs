//! The pool hand-off: running a whole factorization on a rayon worker, with the other
//! workers kept awake between its parallel products, for a bounded time and only while
//! spin-waiting is enabled ([`set_spin_wait`], `MLINALG_SPIN_WAIT`).

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// How long a kept-warm worker spins without finding a job before it stops and goes back
/// to rayon's own idle loop (which sleeps after a few dozen rounds). The sequential
/// stretches between two parallel products of a factorization (panel leaves, pivoting)
/// last microseconds to a few hundred microseconds at the sizes where the pool is entered;
/// waking a halted vCPU costs tens of microseconds, so spinning through a gap of up to
/// 1 ms costs at most ~20 times the wake-up it saves, and a longer gap (a sequential
/// eigenvalue iteration) ends the spinning for good. OpenBLAS's server threads spin
/// `THREAD_TIMEOUT` (2²⁸ cycles, ~0.1 s) after every call, even between unrelated calls.
pub(crate) const SPIN_LIMIT: Duration = Duration::from_millis(1);

/// Spin-wait setting: 0 not yet read from the environment, 1 off, 2 on.
static SPIN_WAIT: AtomicU8 = AtomicU8::new(0);

/// The environment variable read (once) when [`set_spin_wait`] was not called first.
pub(crate) const SPIN_WAIT_ENV: &str = "MLINALG_SPIN_WAIT";

/// Whether [`in_pool`] keeps the other workers spinning: the last [`set_spin_wait`], else
/// `MLINALG_SPIN_WAIT` (`0`/`false`/`off`/`no` disable it, anything else enables it),
/// else on.
pub(crate) fn spin_wait() -> bool {
    match SPIN_WAIT.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let on = parse_spin_wait(std::env::var(SPIN_WAIT_ENV).ok().as_deref());
            // A concurrent `set_spin_wait` wins over the environment.
            let _ = SPIN_WAIT.compare_exchange(
                0,
                if on { 2 } else { 1 },
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            SPIN_WAIT.load(Ordering::Relaxed) == 2
        }
    }
}

/// `MLINALG_SPIN_WAIT`'s value: off for `0`, `false`, `off`, `no` (any case), on otherwise
/// and when unset.
fn parse_spin_wait(v: Option<&str>) -> bool {
    !matches!(
        v.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("0" | "false" | "off" | "no")
    )
}

/// Enables or disables spin-waiting (see [`crate::set_spin_wait`]).
pub(crate) fn set_spin_wait(on: bool) {
    SPIN_WAIT.store(if on { 2 } else { 1 }, Ordering::Relaxed);
}

/// Runs `f` on a worker thread of the rayon pool when the matrix is large enough for the
/// GEMMs inside to run in parallel: they then fork from inside the pool, instead of each
/// handing its work from the calling thread to the pool and back (two thread wake-ups per
/// product, measured at ~1 ms of a 10 ms LU of order 1024).
///
/// While `f` runs and [`spin_wait`] is on, the pool's other workers are kept awake
/// ([`keep_warm`]): between two parallel products of a factorization there are sequential
/// stretches (panel leaves) long enough for an idle rayon worker to go to sleep, and on
/// this project's virtual machine waking a halted vCPU costs tens of microseconds, so
/// small products ran on one core (`matmul_256` took longer with two threads than with
/// one). Each worker stops after [`SPIN_LIMIT`] without a job.
pub(crate) fn in_pool<R: Send>(n: usize, f: impl FnOnce() -> R + Send) -> R {
    let threads = rayon::current_num_threads();
    if n < 256 || threads < 2 || rayon::current_thread_index().is_some() {
        return f();
    }
    let spin = spin_wait();
    let done = AtomicBool::new(false);
    let mut out = None;
    rayon::scope(|s| {
        if spin {
            for _ in 1..threads {
                s.spawn(|_| {
                    keep_warm(&done, SPIN_LIMIT);
                });
            }
        }
        IN_POOL_WORK.with(|w| w.set(w.get() + 1));
        out = Some(f());
        IN_POOL_WORK.with(|w| w.set(w.get() - 1));
        done.store(true, Ordering::Release);
    });
    // safe because rayon::scope returns only after the closure ran to completion
    out.expect("rayon::scope ran the closure")
}

thread_local! {
    /// How many [`in_pool`] computations are running on this thread (suspended ones
    /// included: rayon runs other jobs while a join waits).
    static IN_POOL_WORK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Keeps a rayon worker busy until `done`, executing any pending pool job as soon as it
/// appears (the parallel products of the computation it serves), and gives up after
/// `limit` without a job (then the worker idles and sleeps as rayon's workers do).
/// Returns whether it saw `done`.
///
/// It returns at once on a thread that is itself inside an [`in_pool`] computation (the
/// owner popping its own keep-warm job, or two concurrent computations picking up each
/// other's): spinning there would sit on top of that computation's frames and could wait
/// for itself.
fn keep_warm(done: &AtomicBool, limit: Duration) -> bool {
    if IN_POOL_WORK.with(|w| w.get()) > 0 {
        return false;
    }
    let mut last_work = Instant::now();
    let mut spins = 0u32;
    while !done.load(Ordering::Acquire) {
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {
                spins = 0;
                last_work = Instant::now();
            }
            Some(rayon::Yield::Idle) => {
                std::hint::spin_loop();
                spins = spins.wrapping_add(1);
                if spins.is_multiple_of(64) && last_work.elapsed() >= limit {
                    return false;
                }
            }
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::cholesky::cholesky_in_place;
    use crate::kernels::lu::LuFactor;
    use ndarray::Array2;
    use std::sync::mpsc;

    /// Several OS threads factor large matrices at once, each through `in_pool` (and its
    /// keep-warm jobs), while rayon's workers also serve each other's products: every
    /// computation must finish (no keep-warm job may wait on a computation suspended
    /// beneath it) and give the same result as alone.
    #[test]
    fn concurrent_in_pool_computations_finish_and_agree() {
        let n = 300;
        let a = tests_matrix(n, 5) + Array2::<f64>::eye(n) * 4.0;
        let alone = LuFactor::factor(a.clone());
        let (tx, rx) = mpsc::channel();
        for t in 0..4 {
            let (a, tx) = (a.clone(), tx.clone());
            let want = alone.lu.clone();
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let f = LuFactor::factor(a.clone());
                    assert_eq!(f.lu, want, "thread {t}");
                    let mut s = a.t().dot(&a);
                    cholesky_in_place(&mut s).unwrap();
                }
                tx.send(t).unwrap();
            });
        }
        drop(tx);
        for _ in 0..4 {
            rx.recv_timeout(Duration::from_secs(120))
                .expect("a concurrent factorization did not finish within 120 s (deadlock?)");
        }
    }

    #[test]
    fn spin_wait_setting_and_environment_values() {
        for off in ["0", "false", "OFF", " no "] {
            assert!(!parse_spin_wait(Some(off)), "{off}");
        }
        for on in ["1", "true", "on", "yes", ""] {
            assert!(parse_spin_wait(Some(on)), "{on}");
        }
        assert!(parse_spin_wait(None));
    }

    /// A kept-warm worker with nothing to do stops after its limit (and does not wait for
    /// `done`); with `done` set it stops at once.
    #[test]
    fn keep_warm_is_bounded() {
        let done = AtomicBool::new(false);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let t = Instant::now();
        let saw_done = pool.install(|| keep_warm(&done, Duration::from_millis(20)));
        let took = t.elapsed();
        assert!(!saw_done);
        assert!(took >= Duration::from_millis(20), "{took:?}");
        done.store(true, Ordering::Release);
        assert!(pool.install(|| keep_warm(&done, Duration::from_secs(3600))));
    }

    /// With spin-waiting off, a factorization in the pool gives the same result (and
    /// spawns no keep-warm jobs).
    #[test]
    fn factorizations_agree_with_spin_wait_off() {
        let n = 300;
        let a = tests_matrix(n, 8) + Array2::<f64>::eye(n) * 4.0;
        let on = LuFactor::factor(a.clone());
        let before = spin_wait();
        set_spin_wait(false);
        assert!(!spin_wait());
        let off = LuFactor::factor(a.clone());
        set_spin_wait(before);
        assert_eq!(on.lu, off.lu);
        assert_eq!(on.ipiv, off.ipiv);
    }

    fn tests_matrix(n: usize, seed: u64) -> Array2<f64> {
        let mut s = seed;
        Array2::from_shape_fn((n, n), |_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
    }
}
