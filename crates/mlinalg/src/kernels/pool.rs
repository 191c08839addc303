//! The pool hand-off: running a whole factorization on a rayon worker, with the other
//! workers kept awake between its parallel products.

use std::sync::atomic::{AtomicBool, Ordering};

/// Runs `f` on a worker thread of the rayon pool when the matrix is large enough for the
/// GEMMs inside to run in parallel: they then fork from inside the pool, instead of each
/// handing its work from the calling thread to the pool and back (two thread wake-ups per
/// product, measured at ~1 ms of a 10 ms LU of order 1024).
///
/// While `f` runs, the pool's other workers are kept awake ([`keep_warm`]): between two
/// parallel products of a factorization there are sequential stretches (panel leaves)
/// long enough for an idle rayon worker to go to sleep, and on this project's virtual
/// machine waking a halted vCPU costs tens of microseconds, so small products ran on one
/// core (`matmul_256` took longer with two threads than with one). OpenBLAS's threads
/// likewise spin between calls.
pub(crate) fn in_pool<R: Send>(n: usize, f: impl FnOnce() -> R + Send) -> R {
    let threads = rayon::current_num_threads();
    if n < 256 || threads < 2 || rayon::current_thread_index().is_some() {
        return f();
    }
    let done = AtomicBool::new(false);
    let mut out = None;
    rayon::scope(|s| {
        for _ in 1..threads {
            s.spawn(|_| keep_warm(&done));
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
/// appears (the parallel products of the computation it serves).
///
/// It returns at once on a thread that is itself inside an [`in_pool`] computation (the
/// owner popping its own keep-warm job, or two concurrent computations picking up each
/// other's): spinning there would sit on top of that computation's frames and could wait
/// for itself. Spinning is bounded (at most ~10 s without a job), so a missed `done`
/// could only cost time, never hang.
fn keep_warm(done: &AtomicBool) {
    if IN_POOL_WORK.with(|w| w.get()) > 0 {
        return;
    }
    let start = std::time::Instant::now();
    let mut last_work = start;
    let mut spins = 0u32;
    while !done.load(Ordering::Acquire) {
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {
                spins = 0;
                last_work = std::time::Instant::now();
            }
            Some(rayon::Yield::Idle) => {
                std::hint::spin_loop();
                spins = spins.wrapping_add(1);
                if spins.is_multiple_of(1024) && last_work.elapsed().as_secs() >= 10 {
                    return;
                }
            }
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::kernels::cholesky::cholesky_in_place;
    use crate::kernels::lu::LuFactor;
    use ndarray::Array2;
    use std::sync::mpsc;
    use std::time::Duration;

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
