"""`numpy.linalg` computed by the `mlinalg` binary.

`install()` replaces every public function of `numpy.linalg` by a wrapper that

* writes each array argument to a `.npy` file in its own dtype and byte order (`np.save`:
  C order, or Fortran order for an F-contiguous array),
* runs `mlinalg <command> <files> <options> --out-dir DIR` (plus `--json` where a result is
  an integer count that has no file),
* reads every result back from `DIR/<key>.npy` in the dtype the binary wrote it,
* raises what NumPy raises: exit 1 becomes `LinAlgError` (a `ValueError`), or `AxisError`
  when the message says an axis is out of bounds, or `TypeError` when it says the dtype is
  unsupported in linalg; exit 2 (a usage error) becomes `ValueError` (`TypeError` for
  `matrix_power`'s exponent, which NumPy checks with `operator.index`),
* returns NumPy's result types: named tuples (`EigResult`, `EighResult`, `SVDResult`,
  `QRResult`, `SlogdetResult`), NumPy scalars for 0-d results, and the input's array subclass
  where NumPy wraps the result (`_makearray`).

What stays in Python is only what NumPy's own `numpy.linalg` does in Python around its
gufuncs without computing anything: argument checks that the command line has no flag for
(`outer`'s and `matrix_transpose`'s strict dimension rules, `pinv`'s and `matrix_rank`'s
"can't both be set"), `vector_norm`'s reshape to a vector (`numpy.linalg.vector_norm` does the
same before calling `norm`), and `multi_dot`'s `out=`. A function without an `mlinalg`
command raises `NotImplementedError`, which fails its tests.

Every failing run of the binary is appended to the log named by `$MLINALG_SUITE_LOG` (one
JSON object per line: the current test, the command line, the exit status, stderr), so the
driver can sort the failures by cause.
"""

import json
import operator
import os
import shutil
import subprocess
import tempfile

import numpy as np
import numpy.linalg as _la
from numpy.exceptions import AxisError
from numpy.linalg import LinAlgError
from numpy.linalg._linalg import (
    EighResult,
    EigResult,
    QRResult,
    SlogdetResult,
    SVDResult,
)

BIN = os.environ.get("MLINALG_BIN", "mlinalg")
LOG = os.environ.get("MLINALG_SUITE_LOG")
# Where the files of each call go: memory-backed when available.
_TMP_ROOT = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The test now running, set by the pytest plugin (for the log).
CURRENT_TEST = ""
# Counts of runs of the binary, by command (for the driver's summary).
CALLS = {}

_NO_VALUE = object()


class _Usage(Exception):
    """Exit 2 of the binary, before it is turned into NumPy's exception."""


def _log(entry):
    if LOG:
        entry["test"] = CURRENT_TEST
        with open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")


def _classify(msg):
    """NumPy's exception for an exit-1 message of the binary."""
    low = msg.lower()
    if "axis" in low and "out of bounds" in low:
        return AxisError(msg)
    if "unsupported in linalg" in low:
        return TypeError(msg)
    return LinAlgError(msg)


def _run(op, arrays, options=(), json_out=False, usage_exc=ValueError):
    """Runs `mlinalg op` on `arrays` (saved as .npy) with `options`; returns {key: value}.

    Values are the arrays read back from `--out-dir`, and, with `json_out`, the JSON keys that
    have no file (integer counts, and scalars that the binary does not write as 0-d arrays)."""
    CALLS[op] = CALLS.get(op, 0) + 1
    d = tempfile.mkdtemp(prefix="mlinalg-suite-", dir=_TMP_ROOT)
    try:
        paths = []
        for i, a in enumerate(arrays):
            p = os.path.join(d, f"in{i}.npy")
            np.save(p, a, allow_pickle=True)
            paths.append(p)
        out = os.path.join(d, "out")
        cmd = [BIN, op, *paths, *[str(o) for o in options], "--out-dir", out]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            err = p.stderr.strip()
            first = err.splitlines()[0] if err else f"exit {p.returncode}"
            shown = [c.replace(d + os.sep, "") for c in cmd[1:]]
            _log({"cmd": shown, "rc": p.returncode, "stderr": first})
            first = first.removeprefix("error: ")
            if p.returncode == 1:
                raise _classify(first)
            if p.returncode == 2:
                raise usage_exc(first)
            raise RuntimeError(f"mlinalg {op}: exit {p.returncode}: {first}")
        res = {}
        if json_out:
            for k, v in json.loads(p.stdout).items():
                res[k] = _from_json(v)
        if os.path.isdir(out):
            for name in os.listdir(out):
                if name.endswith(".npy"):
                    res[name[:-4]] = np.load(os.path.join(out, name))
        return res
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _from_json(v):
    if isinstance(v, bool):
        return np.bool_(v)
    if isinstance(v, int):
        return np.intp(v)
    if isinstance(v, float):
        return np.float64(v)
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return np.float64(v)
    if isinstance(v, dict) and "shape" in v:
        if "re" in v:
            return np.asarray(v["re"], dtype=float) + 1j * np.asarray(v["im"], dtype=float)
        return np.asarray(v["data"], dtype=float).reshape(v["shape"])
    return v


def _scalar(x):
    """NumPy's convention: a 0-d result is returned as a scalar of its dtype."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return x[()]
    return x


def _makearray(a):
    new = np.asarray(a)
    wrap = getattr(a, "__array_wrap__", new.__array_wrap__)
    return new, wrap


def _opt_float(name, v):
    return [] if v is None else [f"--{name}={float(v)!r}"]


def _ord_arg(o):
    """`--ord` as the command line spells NumPy's `ord`."""
    if o is None:
        return []
    if isinstance(o, str):
        return [f"--ord={o}"]
    if o == np.inf:
        return ["--ord=inf"]
    if o == -np.inf:
        return ["--ord=-inf"]
    if float(o) == int(o):
        return [f"--ord={int(o)}"]
    return [f"--ord={float(o)!r}"]


# ----------------------------------------------------------------------- the functions


def solve(a, b):
    a, _ = _makearray(a)
    b, wrap = _makearray(b)
    return wrap(_run("solve", [a, b])["x"])


def inv(a):
    a, wrap = _makearray(a)
    return wrap(_run("inv", [a])["inverse"])


def det(a):
    return _scalar(_run("det", [np.asarray(a)], json_out=True)["det"])


def slogdet(a):
    r = _run("det", [np.asarray(a)], json_out=True)
    return SlogdetResult(_scalar(r["sign"]), _scalar(r["logabsdet"]))


def eig(a):
    a, wrap = _makearray(a)
    r = _run("eig", [a])
    return EigResult(r["eigenvalues"], wrap(r["eigenvectors"]))


def eigvals(a):
    return _run("eigvals", [np.asarray(a)])["eigenvalues"]


def eigh(a, UPLO="L"):
    a, wrap = _makearray(a)
    r = _run("eigh", [a], ["--uplo", UPLO])
    return EighResult(r["eigenvalues"], wrap(r["eigenvectors"]))


def eigvalsh(a, UPLO="L"):
    return _run("eigvalsh", [np.asarray(a)], ["--uplo", UPLO])["eigenvalues"]


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    a, wrap = _makearray(a)
    # `hermitian` only lets NumPy use eigh; any SVD is a valid answer for it.
    if not compute_uv:
        return _run("svdvals", [a])["s"]
    r = _run("svd", [a], ["--full"] if full_matrices else [])
    return SVDResult(wrap(r["u"]), r["s"], wrap(r["vt"]))


def svdvals(x, /):
    return _run("svdvals", [np.asarray(x)])["s"]


def cond(x, p=None):
    opts = []
    if p is not None:
        opts = [_ord_arg(p)[0].replace("--ord", "--p")]
    return _scalar(_run("cond", [np.asarray(x)], opts, json_out=True)["cond"])


def pinv(a, rcond=None, hermitian=False, *, rtol=_NO_VALUE):
    a, wrap = _makearray(a)
    if rcond is not None and rtol is not _NO_VALUE:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    opts = _opt_float("rcond", rcond)
    if rtol is not _NO_VALUE:
        if rtol is None:
            raise NotImplementedError("pinv(rtol=None): no mlinalg option")
        opts += _opt_float("rtol", rtol)
    if hermitian:
        opts.append("--hermitian")
    return wrap(_run("pinv", [a], opts)["pinv"])


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    if rtol is not None and tol is not None:
        raise ValueError("`tol` and `rtol` can't be both set.")
    opts = _opt_float("tol", tol) + _opt_float("rtol", rtol)
    if hermitian:
        opts.append("--hermitian")
    r = _run("rank", [np.asarray(A)], opts, json_out=True)["rank"]
    if isinstance(r, np.ndarray) and r.ndim == 0:
        return int(r)
    if not isinstance(r, np.ndarray):
        return int(r)
    return r


def lstsq(a, b, rcond=None):
    a = np.asarray(a)
    b, wrap = _makearray(b)
    r = _run("lstsq", [a, b], _opt_float("rcond", rcond), json_out=True)
    return wrap(r["x"]), wrap(r["residuals"]), int(r["rank"]), r["singular_values"]


def matrix_power(a, n):
    a = np.asanyarray(a)
    # N is an integer of any size (NumPy: operator.index); anything else is a usage error.
    return _run("matrix-power", [a], [str(n)], usage_exc=TypeError)["power"]


def norm(x, ord=None, axis=None, keepdims=False):
    x = np.asarray(x)
    opts = _ord_arg(ord)
    if axis is not None:
        if isinstance(axis, tuple):
            opts.append("--axis=" + ",".join(str(operator.index(i)) for i in axis))
        else:
            try:
                axis = int(axis)
            except Exception as e:
                raise TypeError("'axis' must be None, an integer or a tuple of integers") from e
            opts.append(f"--axis={axis}")
    if keepdims:
        opts.append("--keepdims")
    return _scalar(_run("norm", [x], opts, json_out=True)["norm"])


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    # numpy.linalg.matrix_norm is exactly this call of norm.
    return norm(x, axis=(-2, -1), keepdims=keepdims, ord=ord)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    # numpy.linalg.vector_norm: the same reshape to a vector before calling norm.
    x = np.asanyarray(x)
    shape = list(x.shape)
    if axis is None:
        x = x.ravel()
        _axis = 0
    elif isinstance(axis, tuple):
        from numpy.lib.array_utils import normalize_axis_tuple

        normalized = normalize_axis_tuple(axis, x.ndim)
        rest = tuple(i for i in range(x.ndim) if i not in normalized)
        x = np.transpose(x, axis + rest).reshape(
            (int(np.prod([x.shape[i] for i in axis])), *[x.shape[i] for i in rest])
        )
        _axis = 0
    else:
        _axis = axis
    res = norm(x, axis=_axis, ord=ord)
    if keepdims:
        from numpy.lib.array_utils import normalize_axis_tuple

        for i in normalize_axis_tuple(range(len(shape)) if axis is None else axis, len(shape)):
            shape[i] = 1
        res = np.asarray(res).reshape(tuple(shape))
    return res


def qr(a, mode="reduced"):
    a, wrap = _makearray(a)
    r = _run("qr", [a], ["--mode", mode])
    if mode == "r":
        return wrap(r["r"])
    if mode == "raw":
        return wrap(r["h"]), r["tau"]
    return QRResult(wrap(r["q"]), wrap(r["r"]))


def cholesky(a, /, *, upper=False):
    a, wrap = _makearray(a)
    r = _run("cholesky", [a], ["--upper"] if upper else [])
    # The factor is the command's single array result (`l`, or the upper factor).
    (v,) = r.values()
    return wrap(v)


def multi_dot(arrays, *, out=None):
    arrays = [np.asarray(a) for a in arrays]
    res = _scalar(_run("multi-dot", arrays)["product"])
    if out is not None:
        out[...] = res
        return out
    return res


def tensorinv(a, ind=2):
    return _run("tensorinv", [np.asarray(a)], [f"--ind={int(ind)}"])["inverse"]


def tensorsolve(a, b, axes=None):
    a, wrap = _makearray(a)
    opts = []
    if axes is not None:
        opts = ["--axes=" + ",".join(str(int(i)) for i in axes)]
    return wrap(_run("tensorsolve", [a, np.asarray(b)], opts)["x"])


def cross(x1, x2, /, *, axis=-1):
    return _scalar(_run("cross", [np.asarray(x1), np.asarray(x2)], [f"--axis={int(axis)}"])["cross"])


def diagonal(x, /, *, offset=0):
    return _run("diagonal", [np.asarray(x)], [f"--offset={int(offset)}"])["diagonal"]


def trace(x, /, *, offset=0, dtype=None):
    if dtype is not None:
        raise NotImplementedError("mlinalg trace has no --dtype")
    opts = [f"--offset={int(offset)}"] if offset else []
    return _scalar(_run("trace", [np.asarray(x)], opts, json_out=True)["trace"])


def matmul(x1, x2, /):
    return _scalar(_run("matmul", [np.asarray(x1), np.asarray(x2)])["product"])


def outer(x1, x2, /):
    x1, x2 = np.asanyarray(x1), np.asanyarray(x2)
    # numpy.linalg.outer's own check; `mlinalg outer` is np.outer (flattens).
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(
            "Input arrays must be one-dimensional, but they are "
            f"{x1.ndim=} and {x2.ndim=}."
        )
    return _run("outer", [x1, x2])["outer"]


def matrix_transpose(x, /):
    x = np.asanyarray(x)
    # numpy.linalg.matrix_transpose's own check; `mlinalg transpose` reverses all axes,
    # which is the matrix transpose for 2-d input only.
    if x.ndim < 2:
        raise ValueError("Input array must be at least 2-dimensional")
    if x.ndim != 2:
        raise NotImplementedError("mlinalg transpose reverses every axis")
    return _run("transpose", [x])["transpose"]


def tensordot(x1, x2, /, *, axes=2):
    if isinstance(axes, int):
        opts = [f"--axes={axes}"]
    else:
        a, b = axes
        a = [a] if isinstance(a, int) else list(a)
        b = [b] if isinstance(b, int) else list(b)
        opts = ["--axes=" + ",".join(map(str, a)) + ":" + ",".join(map(str, b))]
    return _scalar(_run("tensordot", [np.asarray(x1), np.asarray(x2)], opts)["product"])


def vecdot(x1, x2, /, *, axis=-1):
    return _scalar(_run("vecdot", [np.asarray(x1), np.asarray(x2)], [f"--axis={int(axis)}"])["vecdot"])


FUNCTIONS = [
    "matrix_power", "solve", "tensorsolve", "tensorinv", "inv", "cholesky", "eigvals",
    "eigvalsh", "pinv", "slogdet", "det", "svd", "svdvals", "eig", "eigh", "lstsq", "norm",
    "qr", "cond", "matrix_rank", "multi_dot", "trace", "diagonal", "cross", "outer",
    "tensordot", "matmul", "matrix_transpose", "matrix_norm", "vector_norm", "vecdot",
]


def install(binary=None):
    """Replaces every public function of `numpy.linalg` by its `mlinalg` wrapper."""
    global BIN
    if binary:
        BIN = binary
    missing = sorted(set(_la.__all__) - set(FUNCTIONS) - {"LinAlgError"})
    if missing:
        raise RuntimeError(f"numpy.linalg functions without a wrapper: {missing}")
    g = globals()
    for name in FUNCTIONS:
        setattr(_la, name, g[name])
