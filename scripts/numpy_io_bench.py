#!/usr/bin/env python3
"""The NumPy / SciPy / pyarrow side of the file I/O benchmark (issue 16). Writes the input
files if they are missing, times each op with the bench() of scripts/numpy_baseline.py
(warm-up, median of >= 5 runs, noisy-neighbour guard) and measures its peak memory the way
scripts/numpy_with_mem.py does. Prints ONE JSON object in the baseline's format, keyed as
crates/mlinalg-bench/src/io.rs keys the same ops:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python3 scripts/numpy_io_bench.py [--data DIR] [--quick] [--reps N] [--only P,P]
                                          [--quiet-wait S] [--baseline PATH] [--make-only]

--data defaults to target/iobench in the repository (never commit those files). --make-only
writes the input files and exits. Ops (m x k the dense size; full: 400000 x 200 float64 =
640 MB, quick: 100000 x 200):

  io_npy_read_{m}x{k}            np.load(X.npy)
  io_npy_write_{m}x{k}           np.save(out.npy, X)
  io_info_{m}x{k}                np.load + count_nonzero, min, max, mean (what `info` prints)
  io_transpose_write_{m}x{k}     np.load + np.save(out.npy, X.T) (Fortran order, no copy)
  io_npz_read_{m}x{k}            np.load(X.npz)["arr_0"] (np.savez of X, uncompressed)
  io_mtx_read_{m}x{k}            scipy.io.mmread(S.mtx) (300000 x 50000, 7.5 M entries, ~250 MB)
  io_csv_read_{m}x{k}            np.loadtxt(T.csv, delimiter=",") (200000 x 50, ~200 MB)
  io_csv_read_pyarrow_{m}x{k}    pyarrow.csv.read_csv(T.csv) to one float64 matrix

The files live in the page cache while the benchmark runs (each is read or written just
before it is timed), so the timings compare the plumbing, not the disk.
"""
import argparse
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Keep in step with crates/mlinalg-bench/src/io.rs (sizes()).
FULL = dict(dense=(400_000, 200), sparse=(300_000, 50_000, 7_500_000), csv=(200_000, 50))
QUICK = dict(dense=(100_000, 200), sparse=(100_000, 20_000, 1_500_000), csv=(50_000, 50))
SEED = 16


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def repo_root():
    try:
        return subprocess.check_output(["git", "-C", HERE, "rev-parse", "--show-toplevel"],
                                       text=True, stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return os.path.dirname(HERE)


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_files(d, sizes):
    """Writes the inputs that are missing (seeded, so every run compares the same data)."""
    import numpy as np
    os.makedirs(d, exist_ok=True)
    m, k = sizes["dense"]
    x_path = os.path.join(d, f"X_{m}x{k}.npy")
    if not os.path.exists(x_path):
        log(f"writing {x_path}")
        x = np.random.default_rng(SEED).standard_normal((m, k))
        np.save(x_path, x)
        del x
    z_path = os.path.join(d, f"X_{m}x{k}.npz")
    if not os.path.exists(z_path):
        log(f"writing {z_path}")
        np.savez(z_path, np.load(x_path))
    sm, sk, nnz = sizes["sparse"]
    s_path = os.path.join(d, f"S_{sm}x{sk}.mtx")
    if not os.path.exists(s_path):
        import scipy.io
        import scipy.sparse as sp
        log(f"writing {s_path} (takes a while)")
        a = sp.random(sm, sk, density=nnz / (sm * sk), format="coo",
                      random_state=np.random.default_rng(SEED))
        scipy.io.mmwrite(s_path, a)
        del a
    cm, ck = sizes["csv"]
    c_path = os.path.join(d, f"T_{cm}x{ck}.csv")
    if not os.path.exists(c_path):
        log(f"writing {c_path}")
        t = np.random.default_rng(SEED + 1).standard_normal((cm, ck))
        header = ",".join(f"c{j}" for j in range(ck))
        np.savetxt(c_path, t, delimiter=",", fmt="%.17g", header=header, comments="")
        del t
    return dict(npy=x_path, npz=z_path, mtx=s_path, csv=c_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(repo_root(), "target", "iobench"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--quiet-wait", type=float, default=600.0)
    ap.add_argument("--baseline", default=os.path.join(repo_root(), "scripts",
                                                       "numpy_baseline.py"))
    ap.add_argument("--make-only", action="store_true")
    args = ap.parse_args()
    sizes = QUICK if args.quick else FULL
    files = make_files(args.data, sizes)
    if args.make_only:
        return 0

    import numpy as np
    import scipy
    import scipy.io
    baseline = load_module("numpy_baseline", os.path.normpath(args.baseline))
    mem = load_module("numpy_with_mem", os.path.join(HERE, "numpy_with_mem.py"))
    try:
        import pyarrow
        import pyarrow.csv as pacsv
    except ImportError:
        pacsv = None

    m, k = sizes["dense"]
    d = f"{m}x{k}"
    sm, sk, nnz = sizes["sparse"]
    cm, ck = sizes["csv"]
    out = os.path.join(args.data, "out_numpy.npy")
    out_t = os.path.join(args.data, "out_numpy_t.npy")

    def info():
        x = np.load(files["npy"])
        return (np.count_nonzero(x), x.min(), x.max(), x.mean())

    def transpose_write():
        x = np.load(files["npy"])
        np.save(out_t, x.T)

    def npz_read():
        with np.load(files["npz"]) as f:
            return f["arr_0"]

    def pyarrow_read():
        t = pacsv.read_csv(files["csv"])
        return np.column_stack([c.to_numpy() for c in t.columns])

    ops = [
        (f"io_npy_read_{d}", [m, k], None, lambda: np.load(files["npy"])),
        (f"io_npy_write_{d}", [m, k], "x", None),
        (f"io_info_{d}", [m, k], None, info),
        (f"io_transpose_write_{d}", [m, k], None, transpose_write),
        (f"io_npz_read_{d}", [m, k], None, npz_read),
        (f"io_mtx_read_{sm}x{sk}", [sm, sk, nnz], None, lambda: scipy.io.mmread(files["mtx"])),
        (f"io_csv_read_{cm}x{ck}", [cm, ck], None,
         lambda: np.loadtxt(files["csv"], delimiter=",", skiprows=1)),
    ]
    if pacsv is not None:
        ops.append((f"io_csv_read_pyarrow_{cm}x{ck}", [cm, ck], None, pyarrow_read))
    only = [s for s in args.only.split(",") if s]
    res = {}
    reps = max(5, args.reps)
    for name, n, needs, fn in ops:
        if only and not any(name.startswith(o) for o in only):
            continue
        x = None
        if needs == "x":
            x = np.load(files["npy"])
            fn = (lambda x=x: np.save(out, x))
        # The dirty pages the ops before this one left are written back first, so that no
        # op waits for the write-back of another's output (mlinalg-bench does the same).
        os.sync()
        med, best, others, steal = baseline.bench(fn, reps, quiet_wait=args.quiet_wait)
        entry = {"n": n, "seconds": med, "min_seconds": best}
        if others is not None:
            entry["others_cpu"] = round(others, 3)
            entry["steal"] = round(steal, 3)
        pm = mem.peak_mem(fn)
        if pm is not None:
            entry["peak_mem_bytes"] = pm
        res[name] = entry
        del x
        log(f"{name:32s} median={med:.4f}s  min={best:.4f}s"
            + (f"  peak={pm / 2**20:.1f} MB" if pm is not None else "")
            + (f"  others={others:.3f}" if others is not None else ""))
    for p in (out, out_t):
        with contextlib.suppress(OSError):
            os.remove(p)
    res["_meta"] = {
        "numpy": np.__version__, "scipy": scipy.__version__,
        "pyarrow": pyarrow.__version__ if pacsv is not None else None,
        "data": args.data, "quick": args.quick, "reps": reps,
        "peak_mem": "as scripts/numpy_with_mem.py: VmHWM - VmRSS before one extra run",
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
