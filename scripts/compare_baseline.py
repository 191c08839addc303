#!/usr/bin/env python3
"""Checks that two NumPy baseline scripts time the same ops on the same inputs.

    python3 scripts/compare_baseline.py REFERENCE.py [--quick] [--ours scripts/numpy_baseline.py]

Loads both scripts as modules, replaces their `bench(fn, reps, ...)` by a stub that times
nothing but records a digest (SHA-256 of dtype, shape and bytes) of every array the op's
function closes over, runs each script's `main()`, and compares, op by op: the key, `n`,
and the input digests. Prints one line per op and exits 1 on any difference. Nothing is
timed, so a full-size comparison takes about a minute (the inputs are still generated).
"""
import argparse
import contextlib
import hashlib
import importlib.util
import io
import json
import os
import sys

import numpy as np
import scipy.sparse


def digest(obj):
    h = hashlib.sha256()
    if scipy.sparse.issparse(obj):
        obj = obj.tocsr()
        for part in (obj.data, obj.indices, obj.indptr):
            h.update(np.ascontiguousarray(part).tobytes())
        h.update(repr(obj.shape).encode())
    else:
        a = np.ascontiguousarray(obj)
        h.update(a.dtype.str.encode())
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def inputs_of(fn):
    """Digests of the arrays `fn` uses: its default arguments and closure cells."""
    vals = list(fn.__defaults__ or ())
    vals += [c.cell_contents for c in (fn.__closure__ or ()) if _filled(c)]
    arrays = [v for v in vals if isinstance(v, np.ndarray) or scipy.sparse.issparse(v)]
    return sorted(digest(a) for a in arrays)


def _filled(cell):
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def run(path, quick):
    spec = importlib.util.spec_from_file_location(f"baseline_{abs(hash(path))}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    seen = []

    def stub(fn, reps, *a, **kw):
        seen.append(inputs_of(fn))
        return 1.0, 1.0, None, None

    mod.bench = stub
    argv = [path, "--quiet-wait", "0"] + (["--quick"] if quick else [])
    old, sys.argv = sys.argv, argv
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            mod.main()
    finally:
        sys.argv = old
    res = json.loads(buf.getvalue())
    res.pop("_meta", None)
    if len(res) != len(seen):
        raise SystemExit(f"{path}: {len(res)} ops recorded but bench() ran {len(seen)} times")
    return {k: (v["n"], d) for (k, v), d in zip(res.items(), seen)}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reference")
    ap.add_argument("--ours", default=os.path.join(here, "numpy_baseline.py"))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    ref, ours = run(args.reference, args.quick), run(args.ours, args.quick)
    bad = 0
    for key in sorted(set(ref) | set(ours)):
        r, o = ref.get(key), ours.get(key)
        ok = r == o
        bad += not ok
        print(f"{'ok  ' if ok else 'DIFF'} {key}: reference {r} ours {o}" if not ok
              else f"ok   {key} n={r[0]} inputs={','.join(r[1])}")
    print(f"{len(ref)} reference ops, {len(ours)} ours, {bad} differing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
