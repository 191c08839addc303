#!/usr/bin/env python3
"""Runs the NumPy baseline (scripts/numpy_baseline.py, unmodified) and adds, per op, its peak
memory ("peak_mem_bytes"), plus the small products of issue 6. Prints ONE JSON object, the
baseline's format with those additions.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python3 scripts/numpy_with_mem.py [--baseline PATH] [baseline args: --quick --reps N
                                           --only P,P --quiet-wait S]

--baseline defaults to scripts/numpy_baseline.py of this repository.
All other arguments go to the baseline's main() unchanged.

Peak memory (the method of crates/mlinalg-bench/src/mem.rs, so both sides match): after an
op's timed runs, gc.collect() and malloc_trim(0) give freed memory back to the OS, VmRSS
is read from /proc/self/status, VmHWM is reset by writing "5" to /proc/self/clear_refs,
the op runs once more (its result is kept alive until after the read) and VmHWM is read:
peak_mem_bytes = VmHWM - VmRSS_before. Resolution: one 4 KiB page.

How: the baseline's record() calls the module-level bench(fn, ...) exactly once per op, in
the order the ops enter its result dict. This script replaces the module's `bench` with a
wrapper that calls the original and then measures fn's memory, and pairs the measurements
with the result keys in insertion order (checking that the counts agree).

Small ops (not in the baseline; the same keys as mlinalg-bench, in quick and full runs):
matmul_small_8 / _32 / _64 (n x n @ n x n) and forward_32x10x64 (32 x 10 @ 10 x 64), all
NumPy `a @ b`. Single calls take microseconds, so each timed run is a loop of SMALL_CALLS
calls timed by the baseline's own bench() (same warm-up, median and noisy-neighbour guard),
and the times are divided by SMALL_CALLS; SMALL_REPS timed runs (or --reps if larger).
Their peak memory is measured on one single call.
"""
import argparse
import contextlib
import ctypes
import ctypes.util
import gc
import importlib.util
import io
import json
import os
import subprocess
import sys

# Keep in step with crates/mlinalg-bench/src/cases.rs (SMALL_CALLS, SMALL_REPS, small_cases).
SMALL_CALLS = 1000
SMALL_REPS = 20
SMALL_OPS = [  # (key, n as reported, (m, k, p)) for an (m x k) @ (k x p) product
    ("matmul_small_8", 8, (8, 8, 8)),
    ("matmul_small_32", 32, (32, 32, 32)),
    ("matmul_small_64", 64, (64, 64, 64)),
    ("forward_32x10x64", [32, 10, 64], (32, 10, 64)),
]
SMALL_SEED = 54321  # the baseline's generator is local to its main(); ours is separate


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def repo_root():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        return subprocess.check_output(["git", "-C", here, "rev-parse", "--show-toplevel"],
                                       text=True, stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return os.path.dirname(here)


def load_baseline(path):
    spec = importlib.util.spec_from_file_location("numpy_baseline", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---- peak memory -------------------------------------------------------------------------
def _libc_trim():
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        fn = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return lambda: None  # not glibc: nothing to trim
    fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
    return lambda: fn(0)


_trim = _libc_trim()


def _status_bytes(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_mem(fn):
    """Bytes of peak RSS above the pre-call RSS for one call of fn, or None if unavailable."""
    gc.collect()
    _trim()
    # pyarrow allocates from its own pool (jemalloc/mimalloc), which keeps freed memory
    # mapped: give it back as malloc_trim does for glibc, or the previous runs' buffers sit
    # inside VmRSS_before and the op's peak is undercounted.
    pa = sys.modules.get("pyarrow")
    if pa is not None:
        with contextlib.suppress(Exception):
            pa.default_memory_pool().release_unused()
    before = _status_bytes("VmRSS")
    if before is None:
        return None
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return None
    result = fn()
    hwm = _status_bytes("VmHWM")
    del result
    return None if hwm is None else max(0, hwm - before)


# ---- arguments ---------------------------------------------------------------------------
def split_args(argv):
    """-> (baseline path or None, args for the baseline, parsed baseline args)"""
    baseline, rest = None, []
    it = iter(argv)
    for a in it:
        if a == "--baseline":
            baseline = next(it, None)
        elif a.startswith("--baseline="):
            baseline = a.partition("=")[2]
        else:
            rest.append(a)
    # the baseline's own options (it parses them again, and rejects unknown ones)
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--quiet-wait", type=float, default=600.0)
    known, _ = ap.parse_known_args(rest)
    return baseline, rest, known


def main():
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__)
        return 0
    baseline, rest, known = split_args(sys.argv[1:])
    reps, quiet_wait = max(5, known.reps), known.quiet_wait
    only = [s for s in known.only.split(",") if s]
    if baseline is None:
        baseline = os.path.join(repo_root(), "scripts", "numpy_baseline.py")
    baseline = os.path.normpath(baseline)
    if not os.path.isfile(baseline):
        log(f"error: baseline not found: {baseline}")
        return 1
    mod = load_baseline(baseline)
    np = mod.np

    orig_bench = mod.bench
    mems = []

    def bench_with_mem(fn, reps, *a, **kw):
        r = orig_bench(fn, reps, *a, **kw)
        mems.append(peak_mem(fn))
        return r

    mod.bench = bench_with_mem
    sys.argv = [baseline] + rest
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = mod.main()
    mod.bench = orig_bench
    if rc not in (None, 0):
        log(f"error: the baseline's main() returned {rc}")
        return 1
    res = json.loads(buf.getvalue())
    meta = res.pop("_meta", {})
    keys = list(res)
    if len(keys) != len(mems):
        log(f"error: the baseline recorded {len(keys)} ops but bench() ran {len(mems)} times; "
            "cannot pair memory measurements with ops")
        return 1
    for k, m in zip(keys, mems):
        if m is not None:
            res[k]["peak_mem_bytes"] = m

    # ---- the small products of issue 6 ----
    rng = np.random.default_rng(SMALL_SEED)
    for name, n, (m, k, p) in SMALL_OPS:
        if only and not any(name.startswith(o) for o in only):
            continue
        a, b = rng.standard_normal((m, k)), rng.standard_normal((k, p))

        def loop(a=a, b=b):
            for _ in range(SMALL_CALLS):
                a @ b

        med, best, others, steal = orig_bench(loop, max(reps, SMALL_REPS), quiet_wait=quiet_wait)
        med, best = med / SMALL_CALLS, best / SMALL_CALLS
        flops = 2.0 * m * k * p
        d = {"n": n, "seconds": med, "min_seconds": best}
        if others is not None:
            d["others_cpu"] = round(others, 3)
            d["steal"] = round(steal, 3)
        d["gflops"] = flops / med / 1e9
        d["calls_per_rep"] = SMALL_CALLS
        pm = peak_mem(lambda a=a, b=b: a @ b)
        if pm is not None:
            d["peak_mem_bytes"] = pm
        res[name] = d
        log(f"{name:28s} n={str(n):14s} median={med:.3e}s  {d['gflops']:.1f} GF/s"
            + (f"  others={others:.3f}" if others is not None else ""))

    # ---- Aᵀ @ B on a transposed view (issue 6's matmul targets name it) ----
    n = 1024 if known.quick else 2048
    name = f"matmul_t_{n}"
    if not only or any(name.startswith(o) for o in only):
        a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
        med, best, others, steal = orig_bench(lambda: a.T @ b, reps, quiet_wait=quiet_wait)
        d = {"n": n, "seconds": med, "min_seconds": best}
        if others is not None:
            d["others_cpu"] = round(others, 3)
            d["steal"] = round(steal, 3)
        d["gflops"] = 2.0 * n ** 3 / med / 1e9
        pm = peak_mem(lambda: a.T @ b)
        if pm is not None:
            d["peak_mem_bytes"] = pm
        res[name] = d
        log(f"{name:28s} n={str(n):14s} median={med:.6f}s  {d['gflops']:.1f} GF/s"
            + (f"  others={others:.3f}" if others is not None else ""))

    meta["baseline_path"] = baseline
    meta["peak_mem"] = ("peak_mem_bytes = VmHWM - VmRSS before one extra run of the op, after "
                        "gc.collect() + malloc_trim(0) and a VmHWM reset (write 5 to "
                        "/proc/self/clear_refs)")
    meta["small_calls_per_rep"] = SMALL_CALLS
    res["_meta"] = meta
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
