#!/usr/bin/env python3
"""NumPy / SciPy / scikit-learn side of `scripts/bench-vs-numpy`.

Times the reference implementations of the operations that `crates/mlinalg-bench` times,
with the same op keys, sizes and seeded float64 inputs, and prints ONE JSON object:

    {op: {"n": ..., "seconds": median, "min_seconds": ..., "gflops": ... (where meaningful),
          "others_cpu": ..., "steal": ...}, ..., "_meta": {versions, BLAS threads, ...}}

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python3 scripts/numpy_baseline.py [--quick] [--reps N] [--only P,P] [--quiet-wait S]

Unset the two OpenBLAS variables in the benchmark command only (never in tests or CI): on
some machines they select a slow generic kernel. Needs numpy, scipy, scikit-learn and
threadpoolctl (`pip install numpy scipy scikit-learn threadpoolctl`).

Method: each op runs once as a warm-up, then --reps (at least 5) timed runs; the median is
reported. Before each op the script waits (up to --quiet-wait seconds) for the machine to
have no other runnable process, and measures the CPU other processes used during the timed
runs ("others_cpu", in cores: system busy time minus this process's CPU time, over wall
time). Above 0.05 the op is re-run, up to 3 tries, and the last value is kept, so a
contaminated figure stays visible. "steal" is the hypervisor's steal time, in cores.

Inputs (generator `numpy.random.default_rng(12345)`, drawn in the order of the ops below):
standard normal; solve/inv/det: G/sqrt(n) + I; cholesky: G Gᵀ + n I; eigh: (G + Gᵀ)/2;
issue 12's `*_f32_*` ops draw the same distributions and round them to float32, its
`*_stack_*` ops draw a stack of such matrices (after every other op, so the inputs of the
ops that the reference baseline script also has are unchanged);
the sparse matrix is `scipy.sparse.random(m, k, density=0.001, format="csr")` with its own
`default_rng(12345)`. `scripts/compare_baseline.py` checks that another baseline script
(an older copy kept outside the repository, say) has the same keys, sizes and inputs.
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import scipy
import scipy.linalg
import scipy.sparse
import sklearn
from sklearn.decomposition import PCA, TruncatedSVD
from threadpoolctl import threadpool_info

SEED = 12345
MAX_OTHERS = 0.05  # cores other processes may use while an op is timed
SPARSE_DENSITY = 0.001
_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---- the noisy-neighbour guard (Linux /proc) ---------------------------------------------
def _sys_busy():
    """(busy, steal) seconds summed over all CPUs, or None where /proc/stat is missing."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    busy = v[0] + v[1] + v[2] + v[5] + v[6]  # user nice system irq softirq
    steal = v[7] if len(v) > 7 else 0
    return busy / _TCK, steal / _TCK


def _own_cpu():
    t = os.times()
    return t.user + t.system


def _others_runnable():
    try:
        with open("/proc/loadavg") as f:
            return int(f.read().split()[3].split("/")[0]) - 1  # minus this process
    except (OSError, ValueError):
        return 0


def wait_quiet(max_wait, need=4, dt=0.5):
    """Waits until no other process has been runnable for `need` checks in a row."""
    if max_wait <= 0 or _sys_busy() is None:
        return 0.0
    t0, ok = time.time(), 0
    while ok < need and time.time() - t0 < max_wait:
        ok = ok + 1 if _others_runnable() <= 0 else 0
        time.sleep(dt)
    return time.time() - t0


def bench(fn, reps, warmup=1, quiet_wait=0, tries=3):
    """Times fn: -> (median, min, others_cpu or None, steal or None), in seconds / cores."""
    for attempt in range(tries):
        wait_quiet(quiet_wait)
        for _ in range(warmup):
            fn()
        b0, c0, w0 = _sys_busy(), _own_cpu(), time.perf_counter()
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        wall = time.perf_counter() - w0
        others = steal = None
        if b0 is not None:
            b1 = _sys_busy()
            others = max(0.0, (b1[0] - b0[0]) - (_own_cpu() - c0)) / wall
            steal = (b1[1] - b0[1]) / wall
        # 10 ms accounting ticks make the estimate meaningless for very short windows
        if others is None or wall < 0.2 or others <= MAX_OTHERS or quiet_wait <= 0:
            break
        log(f"   (other processes used {others:.2f} cores during runs, retry {attempt + 1})")
    ts.sort()
    return float(np.median(ts)), float(ts[0]), others, steal


# ---- the ops ---------------------------------------------------------------------------
def ops(quick, rng):
    """Yields (key, fn, n, flops or None, reps or None) in a fixed order; inputs are drawn
    from `rng` lazily, op by op, so the draw order is part of the definition."""

    def rand(*shape):
        return rng.standard_normal(shape)

    def wellcond(n):  # nonsymmetric, well conditioned, det finite
        return rand(n, n) / n ** 0.5 + np.eye(n)

    def spd(n):
        a = rand(n, n)
        return a @ a.T + n * np.eye(n)

    def sym(n):
        a = rand(n, n)
        return (a + a.T) * 0.5

    for n in ([256, 1024] if quick else [256, 1024, 2048, 4096]):
        a, b = rand(n, n), rand(n, n)
        yield f"matmul_{n}", (lambda a=a, b=b: a @ b), n, 2.0 * n ** 3, None
    n = 1024 if quick else 4096
    a, x = rand(n, n), rand(n)
    yield f"matvec_{n}", (lambda a=a, x=x: a @ x), n, 2.0 * n * n, "matvec"

    for n in ([512] if quick else [1024, 2048]):
        a, b = wellcond(n), rand(n)
        yield f"solve_{n}", (lambda a=a, b=b: np.linalg.solve(a, b)), n, 2.0 / 3 * n ** 3, None
    n = 512 if quick else 1024
    a = wellcond(n)
    yield f"inv_{n}", (lambda a=a: np.linalg.inv(a)), n, 2.0 * n ** 3, None
    yield f"det_{n}", (lambda a=a: np.linalg.det(a)), n, 2.0 / 3 * n ** 3, None
    n = 512 if quick else 2048
    s = spd(n)
    yield f"cholesky_{n}", (lambda s=s: np.linalg.cholesky(s)), n, n ** 3 / 3.0, None
    n = 512 if quick else 1024
    a = rand(n, n)
    yield f"qr_{n}", (lambda a=a: np.linalg.qr(a)), n, None, None
    m, k = (5000, 100) if quick else (20000, 200)
    t = rand(m, k)
    yield f"qr_tall_{m}x{k}", (lambda t=t: np.linalg.qr(t)), [m, k], None, None
    for n in ([256, 512] if quick else [512, 1024, 2048]):
        s = sym(n)
        yield f"eigh_{n}", (lambda s=s: np.linalg.eigh(s)), n, None, None
    for n in ([256] if quick else [512, 1024]):
        a = rand(n, n)
        yield f"eig_{n}", (lambda a=a: np.linalg.eig(a)), n, None, None
    for n in ([256, 512] if quick else [512, 1024]):
        a = rand(n, n)
        yield f"svd_{n}", (lambda a=a: np.linalg.svd(a, full_matrices=False)), n, None, None
    yield (f"svd_tall_{m}x{k}", (lambda t=t: np.linalg.svd(t, full_matrices=False)),
           [m, k], None, None)
    y = rand(m)
    yield (f"lstsq_{m}x{k}", (lambda t=t, y=y: np.linalg.lstsq(t, y, rcond=None)),
           [m, k], None, None)

    m, k = (20000, 100) if quick else (100000, 100)
    xp = rand(m, k)
    yield (f"pca10_{m}x{k}",
           (lambda xp=xp: PCA(n_components=10, random_state=0).fit_transform(xp)),
           [m, k], None, None)
    m, k = (20000, 5000) if quick else (100000, 20000)
    # A Generator, not an int seed: with a RandomState scipy.sparse.random is ~100x slower.
    sp = scipy.sparse.random(m, k, density=SPARSE_DENSITY, format="csr", dtype=np.float64,
                             random_state=np.random.default_rng(SEED))
    yield (f"truncsvd50_csr_{m}x{k}",
           (lambda sp=sp: TruncatedSVD(n_components=50, algorithm="randomized", n_iter=5,
                                       random_state=0).fit_transform(sp)),
           [m, k], None, None)
    d = rand(k, 64)
    yield (f"csr_matmul_dense_{m}x{k}_x64", (lambda sp=sp, d=d: sp @ d), [m, k, 64],
           2.0 * sp.nnz * 64, None)

    # ---- issue 12: float32 (the float64 distributions, .astype(np.float32)) ----------
    # Drawn after every op above, so the earlier ops' inputs are unchanged.
    def f32(x):
        return x.astype(np.float32)

    for n in ([256, 1024] if quick else [1024, 4096]):
        a, b = f32(rand(n, n)), f32(rand(n, n))
        yield f"matmul_f32_{n}", (lambda a=a, b=b: a @ b), n, 2.0 * n ** 3, None
    n = 512 if quick else 1024
    a, b = f32(wellcond(n)), f32(rand(n))
    yield f"solve_f32_{n}", (lambda a=a, b=b: np.linalg.solve(a, b)), n, 2.0 / 3 * n ** 3, None
    n = 256 if quick else 1024
    s = f32(sym(n))
    yield f"eigh_f32_{n}", (lambda s=s: np.linalg.eigh(s)), n, None, None
    a = f32(rand(n, n))
    yield f"svd_f32_{n}", (lambda a=a: np.linalg.svd(a, full_matrices=False)), n, None, None
    m, k = (20000, 100) if quick else (100000, 100)
    xp = f32(rand(m, k))
    yield (f"pca10_f32_{m}x{k}",
           (lambda xp=xp: PCA(n_components=10, random_state=0).fit_transform(xp)),
           [m, k], None, None)

    # ---- issue 12: stacks of small matrices (float64), NumPy's (..., M, M) ----------
    # Each matrix has its single-matrix op's distribution; solve's b is (count, n, 1).
    def stack(count, n):
        return rand(count, n, n)

    def wellcond_stack(count, n):
        return stack(count, n) / n ** 0.5 + np.eye(n)

    def spd_stack(count, n):
        g = stack(count, n)
        return g @ g.transpose(0, 2, 1) + n * np.eye(n)

    for count, n in ([(10000, 4), (1000, 32)] if quick else [(100000, 4), (10000, 32)]):
        n3 = count * n ** 3
        a = wellcond_stack(count, n)
        yield (f"inv_stack_{count}x{n}", (lambda a=a: np.linalg.inv(a)), [count, n, n],
               2.0 * n3, None)
        a, b = wellcond_stack(count, n), rand(count, n, 1)
        yield (f"solve_stack_{count}x{n}", (lambda a=a, b=b: np.linalg.solve(a, b)),
               [count, n, n], 2.0 / 3 * n3, None)
        a = wellcond_stack(count, n)
        yield (f"det_stack_{count}x{n}", (lambda a=a: np.linalg.det(a)), [count, n, n],
               2.0 / 3 * n3, None)
        s = spd_stack(count, n)
        yield (f"cholesky_stack_{count}x{n}", (lambda s=s: np.linalg.cholesky(s)),
               [count, n, n], n3 / 3.0, None)
    count, n = (1000, 8) if quick else (10000, 8)
    a = stack(count, n)
    yield (f"svd_stack_{count}x{n}", (lambda a=a: np.linalg.svd(a, full_matrices=False)),
           [count, n, n], None, None)

    # ---- issue 12: float32 CSR @ dense (the float64 sparse matrix above, astype) --------
    # Drawn last, so every other op's input is unchanged.
    sp32 = sp.astype(np.float32)
    m, k = sp32.shape
    d = f32(rand(k, 64))
    yield (f"csr_matmul_dense_f32_{m}x{k}_x64", (lambda sp=sp32, d=d: sp @ d), [m, k, 64],
           2.0 * sp32.nnz * 64, None)


def meta(quick, reps, extra):
    return {
        "numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
        "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "reps": reps, "quick": quick, "sparse_density": SPARSE_DENSITY, **extra,
        "inputs": "standard normal (seed 12345); solve/inv/det: G/sqrt(n)+I; "
                  "cholesky: G G^T + n I; eigh: (G+G^T)/2",
        "env_OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "env_OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "threadpools": [{k: v for k, v in p.items() if k in
                         ("user_api", "internal_api", "version", "num_threads",
                          "architecture", "threading_layer", "filepath")}
                        for p in threadpool_info()],
        "baseline": "scripts/numpy_baseline.py",
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (~30 s)")
    ap.add_argument("--reps", type=int, default=5, help="timed runs per op (>= 5)")
    ap.add_argument("--only", default="", help="comma-separated op-key prefixes to run")
    ap.add_argument("--quiet-wait", type=float, default=600.0,
                    help="max seconds to wait before each op for other processes to go idle "
                         "(Linux; 0 disables the wait and the contention re-runs)")
    args = ap.parse_args(argv)
    reps = max(5, args.reps)
    only = [s for s in args.only.split(",") if s]
    res, extra = {}, {}
    for key, fn, n, flops, kind in ops(args.quick, np.random.default_rng(SEED)):
        if key.startswith("truncsvd50_csr_") or key.startswith("csr_matmul_dense_"):
            extra["sparse_nnz"] = int(fn.__defaults__[0].nnz)
        if key.startswith("pca10_") and not key.startswith("pca10_f32_"):
            extra["pca_fit_svd_solver"] = PCA(n_components=10, random_state=0).fit(
                fn.__defaults__[0])._fit_svd_solver
        if only and not any(key.startswith(p) for p in only):
            continue
        r = max(reps, 20) if kind == "matvec" else reps
        med, best, others, steal = bench(fn, r, quiet_wait=args.quiet_wait)
        d = {"n": n, "seconds": med, "min_seconds": best}
        if others is not None:
            d["others_cpu"] = round(others, 3)
            d["steal"] = round(steal, 3)
        if flops is not None:
            d["gflops"] = flops / med / 1e9
        res[key] = d
        log(f"{key:28s} n={str(n):14s} median={med:.6f}s"
            + (f"  {d['gflops']:.1f} GF/s" if flops else "")
            + (f"  others={others:.3f}" if others is not None else ""))
    res["_meta"] = meta(args.quick, reps, extra)
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
