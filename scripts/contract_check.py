#!/usr/bin/env python3
"""Acceptance checks of the `mlinalg` CLI against its reference, docs/cli.md.

Runs the binary on generated .npy/.csv/.mtx files (hostile ones included) and
compares every result with NumPy / SciPy / scikit-learn.

    python3 scripts/contract_check.py [--bin PATH] [--only SUBSTRING] [-v]

Prints one PASS/FAIL line per check and a final `N passed, M failed` line.
Exit status 0 when everything passed, 1 otherwise.

Every run of the binary is made under an address-space limit of 4 GB (like `ulimit -v 4000000`).
Sections (select with --only): help, usage, input-errors, hostile (.npy/.csv/.mtx), csv, mtx, dtypes,
empty-nonfinite, one per command (info ... tour), outputs (--out/--out-dir/atomicity), human (NumPy
str() parity), json-digits, consistency (identities of pca/tsvd), randomized-quality (vs scikit-learn),
pca-hard, messages, cli-forms, npy-variants, mtx-variants, numpy-singular, duplicate-columns,
out-single, huge-sparse, subnormal, fuzz, hard-spectra, minor-parity.
Needs numpy, scipy and scikit-learn.
"""

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

BIN = None
TMP = None
VERBOSE = False
ONLY = None
N_PASS = 0
N_FAIL = 0
FAILS = []
MEM_LIMIT = 4_000_000_000  # bytes of address space (ulimit -v 4000000)


# --------------------------------------------------------------------------- framework


def record(name, ok, detail=""):
    global N_PASS, N_FAIL
    if ok:
        N_PASS += 1
        print(f"PASS {name}")
    else:
        N_FAIL += 1
        line = f"FAIL {name} :: {detail}"
        FAILS.append(line)
        print(line)
    sys.stdout.flush()
    return ok


class Res:
    def __init__(self, rc, out, err, dt, argv):
        self.rc, self.out, self.err, self.dt, self.argv = rc, out, err, dt, argv

    def cmd(self):
        return "mlinalg " + " ".join(os.path.relpath(a, TMP) if a.startswith(TMP) else a for a in self.argv)


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))


def run(args, timeout=30):
    argv = [str(a) for a in args]
    t0 = time.time()
    try:
        p = subprocess.run([BIN] + argv, capture_output=True, timeout=timeout, preexec_fn=_limit, cwd=TMP)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        return Res(p.returncode, out, err, time.time() - t0, argv)
    except subprocess.TimeoutExpired:
        return Res(None, "", "TIMEOUT", timeout, argv)


def short(s, n=300):
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


def no_panic(r):
    return "panicked" not in r.err and "RUST_BACKTRACE" not in r.err and "stack backtrace" not in r.err


def _reject_constant(c):
    raise ValueError(f"non-JSON literal {c}")


def parse_json(text):
    """Exactly one JSON object (NaN/Infinity literals rejected)."""
    dec = json.JSONDecoder(parse_constant=_reject_constant)
    s = text.strip()
    obj, end = dec.raw_decode(s)
    if s[end:].strip():
        raise ValueError("trailing data after the JSON object")
    if not isinstance(obj, dict):
        raise ValueError("top level is not an object")
    return obj


NONFINITE = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def check_leaf(x, where):
    if isinstance(x, bool):
        raise ValueError(f"{where}: boolean inside numeric data")
    if isinstance(x, (int, float)):
        return
    if isinstance(x, str):
        if x not in NONFINITE:
            raise ValueError(f"{where}: string {x!r} in numeric data")
        return
    raise ValueError(f"{where}: bad leaf {x!r}")


def check_nested(data, shape, where):
    if len(shape) == 0:
        check_leaf(data, where)
        return
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected list of length {shape[0]}, got {type(data).__name__}")
    if len(data) != shape[0]:
        raise ValueError(f"{where}: length {len(data)} != shape {shape[0]}")
    for i, d in enumerate(data):
        check_nested(d, shape[1:], f"{where}[{i}]")


def to_float(x):
    if isinstance(x, str):
        return NONFINITE[x]
    return float(x)


def nested_to_array(data, shape):
    flat = []

    def walk(d, depth):
        if depth == len(shape):
            flat.append(to_float(d))
        else:
            for e in d:
                walk(e, depth + 1)

    walk(data, 0)
    return np.array(flat, dtype=float).reshape(shape)


def decode(v, where="value"):
    """Validate one JSON value against the contract and turn it into Python/NumPy."""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        if v in NONFINITE:
            return NONFINITE[v]
        return v  # e.g. dtype
    if isinstance(v, list):
        return v  # e.g. info shape
    if isinstance(v, dict):
        keys = set(v)
        if keys == {"shape", "data"}:
            shape = v["shape"]
            if not (isinstance(shape, list) and all(isinstance(s, int) and not isinstance(s, bool) for s in shape)):
                raise ValueError(f"{where}: shape is not a list of integers: {shape!r}")
            check_nested(v["data"], shape, where)
            return nested_to_array(v["data"], shape)
        if keys == {"shape", "re", "im"}:
            shape = v["shape"]
            check_nested(v["re"], shape, where + ".re")
            check_nested(v["im"], shape, where + ".im")
            return nested_to_array(v["re"], shape) + 1j * nested_to_array(v["im"], shape)
        raise ValueError(f"{where}: array object with keys {sorted(keys)}")
    raise ValueError(f"{where}: unexpected {v!r}")


def jrun(name, args, keys=None, timeout=30):
    """Run with --json, expect exit 0 and one valid object; returns dict of decoded values or None."""
    r = run(list(args) + ["--json"], timeout=timeout)
    if r.rc != 0:
        record(name, False, f"`{r.cmd()}` exit {r.rc}, stderr: {short(r.err)}")
        return None
    try:
        obj = parse_json(r.out)
        res = {k: decode(v, k) for k, v in obj.items()}
    except Exception as e:  # noqa: BLE001
        record(name, False, f"`{r.cmd()}` bad JSON: {e}; stdout: {short(r.out)}")
        return None
    if r.err.strip():
        record(name + " [stderr empty on success]", False, f"`{r.cmd()}` stderr: {short(r.err)}")
    if keys is not None and set(obj) != set(keys):
        record(name + " [json keys]", False, f"`{r.cmd()}` keys {sorted(obj)} != {sorted(keys)}")
    res["__raw__"] = obj
    res["__cmd__"] = r.cmd()
    return res


def close(name, got, exp, rtol=1e-9, atol=1e-12, cmd=""):
    try:
        g = np.asarray(got)
        e = np.asarray(exp)
        if g.shape != e.shape:
            return record(name, False, f"{cmd} shape {g.shape} != expected {e.shape}; got {short(repr(g))}")
        ok = np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        if not ok:
            with np.errstate(all="ignore"):
                diff = np.nanmax(np.abs(g - e)) if g.size else 0
            return record(name, False, f"{cmd} got {short(repr(g), 200)} expected {short(repr(e), 200)} (max abs diff {diff:.3g})")
        return record(name, True)
    except Exception as ex:  # noqa: BLE001
        return record(name, False, f"{cmd} compare error {ex}: got {short(repr(got))}")


def expect_fail(name, args, code=1, contains=None, timeout=10, maxtime=None):
    """Expect exit `code`, one `error: ` line (exit 1) / first line `error:` (exit 2), no panic."""
    r = run(args, timeout=timeout)
    problems = []
    if r.rc != code:
        problems.append(f"exit {r.rc} (expected {code})")
    if not no_panic(r):
        problems.append("panic/backtrace on stderr")
    lines = r.err.splitlines()
    if r.rc == 1 or code == 1:
        if not (len(lines) == 1 and lines[0].startswith("error: ")):
            problems.append(f"stderr is not exactly one 'error: ' line: {short(r.err)}")
    else:
        if not (lines and lines[0].startswith("error:")):
            problems.append(f"stderr first line not 'error:': {short(r.err)}")
    if contains is not None and r.rc == code:
        words = contains if isinstance(contains, (list, tuple)) else [contains]
        for w in words:
            if w.lower() not in r.err.lower():
                problems.append(f"message lacks {w!r}: {short(r.err)}")
    if code == 1 and r.out.strip() and r.rc == 1:
        problems.append(f"stdout not empty on error: {short(r.out, 100)}")
    if maxtime is not None and r.dt > maxtime:
        problems.append(f"took {r.dt:.2f}s (> {maxtime}s)")
    return record(name, not problems, f"`{r.cmd()}`: " + "; ".join(problems))


# --------------------------------------------------------------------------- fixtures


def P(name):
    return os.path.join(TMP, name)


def save_npy(name, a):
    np.save(P(name), a)
    return P(name)


def save_csv(name, a):
    a = np.asarray(a, dtype=float)
    with open(P(name), "w") as f:
        if a.ndim == 1:
            # one row -> a vector
            f.write(",".join(repr(float(x)) for x in a) + "\n")
        else:
            for row in a:
                f.write(",".join(repr(float(x)) for x in row) + "\n")
    return P(name)


def save_mtx(name, a, symmetric=False):
    a = np.asarray(a, dtype=float)
    m, n = a.shape
    entries = []
    for i in range(m):
        for j in range(n):
            if a[i, j] != 0 and (not symmetric or i >= j):
                entries.append((i + 1, j + 1, float(a[i, j])))
    with open(P(name), "w") as f:
        f.write(f"%%MatrixMarket matrix coordinate real {'symmetric' if symmetric else 'general'}\n")
        f.write("% written by contract_check\n")
        f.write(f"{m} {n} {len(entries)}\n")
        for i, j, v in entries:
            f.write(f"{i} {j} {v!r}\n")
    return P(name)


def write(name, text, mode="w"):
    with open(P(name), mode) as f:
        f.write(text)
    return P(name)


def rng(seed=0):
    return np.random.default_rng(seed)


def three_formats(tag, a):
    """(label, path) of the same 2-d matrix as .npy, .csv and .mtx."""
    return [
        ("npy", save_npy(f"{tag}.npy", a)),
        ("csv", save_csv(f"{tag}.csv", a)),
        ("mtx", save_mtx(f"{tag}.mtx", a)),
    ]


def svd_flip_rows(vt, u=None):
    """scikit-learn svd_flip(u_based_decision=False): largest |entry| of each row of vt positive."""
    idx = np.argmax(np.abs(vt), axis=1)
    signs = np.sign(vt[np.arange(vt.shape[0]), idx])
    signs[signs == 0] = 1
    vt = vt * signs[:, None]
    if u is not None:
        u = u * signs[None, :]
    return vt, u, signs


def cols_up_to_sign(got, exp, rtol=1e-7, atol=1e-9):
    """Compare columns up to sign."""
    g = np.array(got, dtype=complex if np.iscomplexobj(got) else float)
    if g.shape != exp.shape:
        return False
    for j in range(g.shape[1]):
        a, b = g[:, j], exp[:, j]
        if not (np.allclose(a, b, rtol=rtol, atol=atol) or np.allclose(a, -b, rtol=rtol, atol=atol)):
            return False
    return True


# --------------------------------------------------------------------------- sections


def sec_help():
    cmds = "info matmul transpose inv solve lstsq det trace rank norm cosine outer qr cholesky eigh eig svd lowrank pca tsvd check tour".split()
    r = run(["--help"])
    record("help: mlinalg --help exit 0", r.rc == 0 and all(c in r.out for c in cmds), f"exit {r.rc}; missing {[c for c in cmds if c not in r.out]}")
    for c in cmds:
        r = run([c, "--help"])
        ok = r.rc == 0 and "Usage" in r.out and "--json" in r.out if c != "tour" else r.rc == 0 and "Usage" in r.out
        record(f"help: mlinalg {c} --help", ok, f"exit {r.rc}, out {short(r.out, 120)} err {short(r.err, 120)}")
    # documented options show in help
    for c, opts in {"norm": ["--ord"], "rank": ["--tol"], "lstsq": ["--rcond"], "qr": ["--mode"], "svd": ["--full"],
                    "lowrank": ["-k"], "pca": ["-k", "--solver", "--seed"], "tsvd": ["-k", "--iters", "--seed", "--algorithm"],
                    "tour": ["--section"]}.items():
        r = run([c, "--help"])
        record(f"help: {c} --help lists {opts}", all(o in r.out for o in opts), short(r.out, 200))


def sec_usage():
    a = save_npy("u_a.npy", np.eye(2))
    expect_fail("usage: unknown command", ["frobnicate", a], 2)
    expect_fail("usage: no command", [], 2)
    expect_fail("usage: unknown option", ["det", a, "--bogus"], 2)
    expect_fail("usage: missing input", ["det"], 2)
    expect_fail("usage: matmul missing second input", ["matmul", a], 2)
    expect_fail("usage: extra input", ["det", a, a], 2)
    expect_fail("usage: -k not an integer", ["lowrank", a, "-k", "abc"], 2)
    expect_fail("usage: -k negative", ["lowrank", a, "-k", "-1"], 2)
    expect_fail("usage: --tol not a number", ["rank", a, "--tol", "xyz"], 2)
    expect_fail("usage: --rcond not a number", ["lstsq", a, a, "--rcond", "xyz"], 2)
    expect_fail("usage: --ord unknown word", ["norm", a, "--ord", "banana"], 2)
    expect_fail("usage: --mode bad value", ["qr", a, "--mode", "economic"], 2)
    expect_fail("usage: --solver bad value", ["pca", a, "--solver", "lapack"], 2)
    expect_fail("usage: --algorithm bad value", ["tsvd", a, "--algorithm", "arpackx"], 2)
    expect_fail("usage: --seed not int", ["pca", a, "--seed", "x"], 2)
    expect_fail("usage: --iters not int", ["tsvd", a, "--iters", "1.5"], 2)
    expect_fail("usage: --tol missing value", ["rank", a, "--tol"], 2)
    expect_fail("usage: --out on svd (several results)", ["svd", a, "--out", P("u_svd_out.npy")], 2)
    record("usage: --out on svd leaves no file", not os.path.exists(P("u_svd_out.npy")))
    for c, extra in [("qr", []), ("eigh", []), ("eig", []), ("lstsq", [a]), ("det", []), ("pca", []), ("tsvd", ["-k", "1"]),
                     ("lowrank", ["-k", "1"]), ("cosine", [a]), ("check", [])]:
        pass
    for c, extra in [("qr", []), ("eigh", []), ("eig", []), ("lstsq", [a]), ("pca", []), ("tsvd", ["-k", "1"])]:
        out = P(f"u_{c}_out.npy")
        expect_fail(f"usage: --out on {c} (several array results) exit 2", [c, a] + extra + ["--out", out], 2)
        record(f"usage: --out on {c} leaves no file", not os.path.exists(out))
    expect_fail("usage: tour unknown section", ["tour", "--section", "nosuchsection"], 2)
    expect_fail("usage: -k 1.5", ["lowrank", a, "-k", "1.5"], 2)
    expect_fail("usage: -k empty", ["lowrank", a, "-k", ""], 2)
    expect_fail("usage: --seed -1", ["pca", a, "--seed=-1"], 2)
    expect_fail("usage: --iters -1", ["tsvd", a, "--iters=-1"], 2)
    expect_fail("usage: --JSON (case matters)", ["det", a, "--JSON"], 2)
    expect_fail("usage: pca -k 0 (out of range)", ["pca", a, "-k", "0"], 2)
    expect_fail("usage: tsvd -k 0 (out of range)", ["tsvd", a, "-k", "0"], 2)
    expect_fail("usage: --out without value", ["inv", a, "--out"], 2)
    expect_fail("usage: --out-dir without value", ["svd", a, "--out-dir"], 2)


def sec_inputs_errors():
    a = save_npy("e_a.npy", np.eye(2))
    expect_fail("input: missing file", ["det", P("nope.npy")], 1, contains=None)
    write("e_a.txt", "1,2\n3,4\n")
    expect_fail("input: unknown extension .txt", ["det", P("e_a.txt")], 1)
    write("noext", "1,2\n3,4\n")
    expect_fail("input: no extension", ["det", P("noext")], 1)
    os.makedirs(P("adir.npy"), exist_ok=True)
    expect_fail("input: directory named .npy", ["det", P("adir.npy")], 1)
    # file that is not what its extension says
    write("e_csv_as_npy.npy", "1,2\n3,4\n")
    expect_fail("input: CSV text in .npy", ["det", P("e_csv_as_npy.npy")], 1)
    shutil.copy(a, P("e_npy_as_csv.csv"))
    expect_fail("input: npy bytes in .csv", ["det", P("e_npy_as_csv.csv")], 1)
    shutil.copy(a, P("e_npy_as_mtx.mtx"))
    expect_fail("input: npy bytes in .mtx", ["det", P("e_npy_as_mtx.mtx")], 1)


def npy_header(descr, fortran, shape, version=(1, 0)):
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", repr(tuple(shape)))
    major = version[0]
    hlen_bytes = 2 if major == 1 else 4
    pre = 6 + 2 + hlen_bytes
    total = pre + len(d) + 1
    pad = (64 - total % 64) % 64
    d = d + " " * pad + "\n"
    hl = len(d).to_bytes(hlen_bytes, "little")
    return b"\x93NUMPY" + bytes([version[0], version[1]]) + hl + d.encode("latin1" if major < 3 else "utf8")


def sec_hostile():
    good = np.arange(6, dtype=float).reshape(2, 3)
    raw = open(save_npy("h_good.npy", good), "rb").read()
    write("h_trunc.npy", raw[:-5], "wb")
    expect_fail("hostile: truncated .npy data", ["info", P("h_trunc.npy")], 1, maxtime=2)
    write("h_trunc_hdr.npy", raw[:20], "wb")
    expect_fail("hostile: truncated .npy header", ["info", P("h_trunc_hdr.npy")], 1, maxtime=2)
    write("h_empty.npy", b"", "wb")
    expect_fail("hostile: zero-byte .npy", ["info", P("h_empty.npy")], 1, maxtime=2)
    write("h_huge.npy", npy_header("<f8", False, (10**11, 10**11)) + b"\0" * 64, "wb")
    for c in ["info", "det", "transpose", "svd", "norm", "tsvd"]:
        expect_fail(f"hostile: header 1e11 x 1e11 ({c})", [c, P("h_huge.npy")], 1, maxtime=2)
    small = save_npy("h_small2.npy", np.eye(2))
    v2 = save_npy("h_v2.npy", np.ones(2))
    for c, pre, post in [("matmul", [], [small]), ("matmul", [small], []), ("solve", [], [v2]), ("solve", [small], []),
                         ("lstsq", [], [v2]), ("lstsq", [small], []), ("cosine", [], [v2]), ("outer", [v2], []), ("inv", [], []),
                         ("trace", [], []), ("rank", [], []), ("qr", [], []), ("cholesky", [], []), ("eigh", [], []), ("eig", [], []),
                         ("lowrank", [], ["-k", "1"]), ("pca", [], []), ("check", [], [])]:
        expect_fail(f"hostile: header 1e11 x 1e11 ({c} {'2nd' if pre else '1st'} operand)", [c] + pre + [P("h_huge.npy")] + post, 1, maxtime=2)
        expect_fail(f"hostile: truncated .npy ({c} {'2nd' if pre else '1st'} operand)", [c] + pre + [P("h_trunc.npy")] + post, 1, maxtime=2)
    write("h_ovf.npy", npy_header("<f8", False, (2**62, 2**62)) + b"\0" * 64, "wb")
    expect_fail("hostile: header shape product overflows usize", ["info", P("h_ovf.npy")], 1, maxtime=2)
    write("h_big1d.npy", npy_header("<f8", False, (10**12,)) + b"\0" * 64, "wb")
    expect_fail("hostile: header 1e12 elements 1-d", ["norm", P("h_big1d.npy")], 1, maxtime=2)
    write("h_magic.npy", b"\x93NUMPZ" + raw[6:], "wb")
    expect_fail("hostile: bad magic", ["info", P("h_magic.npy")], 1, maxtime=2)
    write("h_ver.npy", raw[:6] + b"\x09\x00" + raw[8:], "wb")
    expect_fail("hostile: unknown .npy version 9.0", ["info", P("h_ver.npy")], 1, maxtime=2)
    np.save(P("h_obj.npy"), np.array([1, "a", None], dtype=object), allow_pickle=True)
    expect_fail("hostile: object dtype", ["info", P("h_obj.npy")], 1, maxtime=2)
    np.save(P("h_c16.npy"), np.zeros(3, dtype=np.float16))
    expect_fail("hostile: float16 dtype (unsupported)", ["info", P("h_c16.npy")], 1, maxtime=2)
    np.save(P("h_u1.npy"), np.zeros(3, dtype="<U3"))
    expect_fail("hostile: unicode dtype", ["info", P("h_u1.npy")], 1, maxtime=2)
    np.save(P("h_struct.npy"), np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]))
    expect_fail("hostile: structured dtype", ["info", P("h_struct.npy")], 1, maxtime=2)
    # shape/length mismatch: header says 3x3, data for 2x3; and too much data
    write("h_short.npy", npy_header("<f8", False, (3, 3)) + good.tobytes(), "wb")
    expect_fail("hostile: header shape longer than data", ["info", P("h_short.npy")], 1, maxtime=2)
    write("h_long.npy", npy_header("<f8", False, (1, 3)) + good.tobytes(), "wb")
    expect_fail("hostile: data longer than header shape", ["info", P("h_long.npy")], 1, maxtime=2)
    write("h_badhdr.npy", b"\x93NUMPY\x01\x00" + (20).to_bytes(2, "little") + b"{'descr': '<f8'}   \n", "wb")
    expect_fail("hostile: header missing keys", ["info", P("h_badhdr.npy")], 1, maxtime=2)
    write("h_hlen.npy", b"\x93NUMPY\x02\x00" + (2**31).to_bytes(4, "little") + b"{}", "wb")
    expect_fail("hostile: v2 header length 2^31", ["info", P("h_hlen.npy")], 1, maxtime=2)
    write("h_negshape.npy", npy_header("<f8", False, (-1, 3)) + good.tobytes(), "wb")
    expect_fail("hostile: negative shape", ["info", P("h_negshape.npy")], 1, maxtime=2)
    write("h_garbage_hdr.npy", b"\x93NUMPY\x01\x00" + (10).to_bytes(2, "little") + b"\xff\xfe\x00abcdef\n", "wb")
    expect_fail("hostile: non-text header", ["info", P("h_garbage_hdr.npy")], 1, maxtime=2)
    nd = np.zeros((2, 2, 2))
    save_npy("h_3d.npy", nd)
    expect_fail("hostile: 3-d array to det", ["det", P("h_3d.npy")], 1, maxtime=2)
    expect_fail("hostile: 3-d array to svd", ["svd", P("h_3d.npy")], 1, maxtime=2)

    # CSV
    write("c_ragged.csv", "1,2,3\n4,5\n")
    expect_fail("hostile: ragged CSV", ["info", P("c_ragged.csv")], 1, maxtime=2)
    write("c_nonnum.csv", "a,b\n1,2\n3,x\n")
    expect_fail("hostile: non-numeric cell below header", ["info", P("c_nonnum.csv")], 1, maxtime=2)
    write("c_nonnum2.csv", "1,2\n3,oops\n")
    expect_fail("hostile: non-numeric cell in 2nd row (first row numeric)", ["info", P("c_nonnum2.csv")], 1, maxtime=2)
    write("c_empty.csv", "")
    expect_fail("hostile: empty CSV", ["det", P("c_empty.csv")], 1, maxtime=2)
    write("c_hdronly.csv", "a,b,c\n")
    expect_fail("hostile: CSV header only (no data rows)", ["det", P("c_hdronly.csv")], 1, maxtime=2)
    write("c_emptycell.csv", "1,2,3\n4,,6\n")
    expect_fail("hostile: CSV empty cell below the first row", ["info", P("c_emptycell.csv")], 1, maxtime=2)
    write("c_binary.csv", "\x00\x01\x02garbage\xff")
    expect_fail("hostile: binary garbage CSV", ["info", P("c_binary.csv")], 1, maxtime=2)
    write("c_badquote.csv", '"1,2\n3,4\n')
    expect_fail("hostile: unterminated quote CSV", ["info", P("c_badquote.csv")], 1, maxtime=2)

    # MTX
    write("m_oor.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n3 1 2.0\n")
    expect_fail("hostile: .mtx row index out of range", ["info", P("m_oor.mtx")], 1, maxtime=2)
    write("m_oor0.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n0 1 2.0\n")
    expect_fail("hostile: .mtx index 0", ["info", P("m_oor0.mtx")], 1, maxtime=2)
    write("m_oorc.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n1 5 2.0\n")
    expect_fail("hostile: .mtx column out of range", ["tsvd", P("m_oorc.mtx"), "-k", "1"], 1, maxtime=2)
    write("m_few.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1.0\n2 2 2.0\n")
    expect_fail("hostile: .mtx fewer entries than declared", ["info", P("m_few.mtx")], 1, maxtime=2)
    write("m_many.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1.0\n2 2 2.0\n")
    expect_fail("hostile: .mtx more entries than declared", ["info", P("m_many.mtx")], 1, maxtime=2)
    write("m_hugesize.mtx", "%%MatrixMarket matrix coordinate real general\n100000000000 100000000000 1\n1 1 1.0\n")
    r = run(["info", P("m_hugesize.mtx"), "--json"], timeout=10)
    record("hostile: .mtx 1e11 x 1e11 with 1 entry: info fast, no crash (exit 0 sparse, or 1)",
           r.rc in (0, 1) and r.dt < 2 and no_panic(r), f"exit {r.rc} in {r.dt:.2f}s: {short(r.err)}")
    expect_fail("hostile: .mtx 1e11 x 1e11 densified (det)", ["det", P("m_hugesize.mtx")], 1, maxtime=2)
    write("m_hugennz.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 100000000000\n1 1 1.0\n")
    expect_fail("hostile: .mtx declares 1e11 entries", ["info", P("m_hugennz.mtx")], 1, maxtime=2)
    write("m_nobanner.mtx", "2 2 1\n1 1 1.0\n")
    expect_fail("hostile: .mtx without banner", ["info", P("m_nobanner.mtx")], 1, maxtime=2)
    write("m_complex.mtx", "%%MatrixMarket matrix coordinate complex general\n2 2 1\n1 1 1.0 2.0\n")
    expect_fail("hostile: .mtx complex field (unsupported)", ["info", P("m_complex.mtx")], 1, maxtime=2)
    write("m_badval.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 abc\n")
    expect_fail("hostile: .mtx non-numeric value", ["info", P("m_badval.mtx")], 1, maxtime=2)
    write("m_symupper.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1.0\n")
    r = run(["info", P("m_symupper.mtx")])
    record("hostile: .mtx symmetric with upper-triangle entry: no panic (0 or 1)", r.rc in (0, 1) and no_panic(r), f"exit {r.rc} {short(r.err)}")
    write("m_arrshort.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n")
    expect_fail("hostile: .mtx array too few values", ["info", P("m_arrshort.mtx")], 1, maxtime=2)
    write("m_empty.mtx", "")
    expect_fail("hostile: empty .mtx", ["info", P("m_empty.mtx")], 1, maxtime=2)


def sec_csv_parsing():
    a = np.array([[1.5, -2.0, 3.0], [4.0, 5.25, -6.0]])
    write("p_plain.csv", "1.5,-2,3\n4,5.25,-6\n")
    write("p_header.csv", "x,y,z\n1.5,-2,3\n4,5.25,-6\n")
    write("p_crlf.csv", "x,y,z\r\n1.5,-2,3\r\n4,5.25,-6\r\n")
    write("p_spaces.csv", " 1.5 , -2 ,3\n4,  5.25,-6  \n")
    write("p_quoted.csv", '"1.5","-2","3"\n"4",5.25,"-6"\n')
    write("p_quotedhdr.csv", '"a","b","c"\n"1.5","-2","3"\n"4",5.25,"-6"\n')
    write("p_nofinalnl.csv", "1.5,-2,3\n4,5.25,-6")
    write("p_sci.csv", "1.5e0,-2E0,0.3e1\n4,525e-2,-6\n")
    write("p_mixedhdr.csv", "1,b,3\n1.5,-2,3\n4,5.25,-6\n")
    for f in ["p_plain", "p_header", "p_crlf", "p_spaces", "p_quoted", "p_quotedhdr", "p_nofinalnl", "p_sci", "p_mixedhdr"]:
        res = jrun(f"csv: {f}.csv read as 2x3", ["transpose", P(f + ".csv")])
        if res:
            close(f"csv: {f}.csv values", res.get("transpose"), a.T, cmd=res["__cmd__"])
    # exact decimal -> float64 conversion (correct rounding) for .csv and .mtx
    xr = rng(31).standard_normal((5, 4)) * 10.0 ** rng(32).integers(-300, 300, size=(5, 4))
    for lab, f in [("csv", save_csv("p_exact.csv", xr)), ("mtx", save_mtx("p_exact.mtx", xr))]:
        res = jrun(f"csv/mtx: exact parsing {lab}", ["transpose", f])
        if res:
            record(f"{lab}: 17-digit decimals parse to the exact float64 (correct rounding)", np.array_equal(res["transpose"], xr.T), "values differ")
    # 1 row / 1 col -> vector
    write("p_row.csv", "1,2,3\n")
    write("p_col.csv", "1\n2\n3\n")
    write("p_colhdr.csv", "v\n1\n2\n3\n")
    write("p_rowhdr.csv", "a,b,c\n1,2,3\n")
    for f in ["p_row", "p_col", "p_colhdr", "p_rowhdr"]:
        res = jrun(f"csv: {f}.csv is a 1-d vector", ["info", P(f + ".csv")])
        if res:
            record(f"csv: {f}.csv shape [3]", res.get("shape") == [3], f"{res['__cmd__']} shape {res.get('shape')}")
            record(f"csv: {f}.csv dtype float64", res.get("dtype") == "float64", f"dtype {res.get('dtype')}")
    write("p_single.csv", "42\n")
    res = jrun("csv: single cell", ["info", P("p_single.csv")])
    if res:
        record("csv: single cell shape [1] (1-d)", res.get("shape") in ([1],), f"shape {res.get('shape')}")
    # blank lines (trailing) should be tolerated? at least no panic
    write("p_blank.csv", "1,2\n3,4\n\n")
    r = run(["info", P("p_blank.csv")])
    record("csv: trailing blank line no panic", r.rc in (0, 1) and no_panic(r), f"exit {r.rc} {short(r.err)}")
    # nan/inf cells
    write("p_nan.csv", "1,nan\ninf,-inf\n")
    res = jrun("csv: nan/inf cells accepted as numbers (not header)", ["info", P("p_nan.csv")])
    if res:
        record("csv: nan/inf cells shape [2,2]", res.get("shape") == [2, 2], f"shape {res.get('shape')} (a row of nan/inf is numeric, not a header)")


def sec_mtx_parsing():
    write("x_gen.mtx", "%%MatrixMarket matrix coordinate real general\n% c\n%\n3 4 4\n1 1 1.5\n2 3 -2\n3 4 3e0\n1 4 4\n")
    ex = np.zeros((3, 4)); ex[0, 0] = 1.5; ex[1, 2] = -2; ex[2, 3] = 3; ex[0, 3] = 4
    res = jrun("mtx: general", ["transpose", P("x_gen.mtx")])
    if res:
        close("mtx: general values", res.get("transpose"), ex.T, cmd=res["__cmd__"])
    res = jrun("mtx: info general", ["info", P("x_gen.mtx")])
    if res:
        record("mtx: info shape/nnz/dtype", res.get("shape") == [3, 4] and res.get("nnz") == 4 and res.get("dtype") == "float64",
               f"{res['__raw__']}")
        close("mtx: info mean includes implicit zeros", [res.get("min"), res.get("max"), res.get("mean")], [ex.min(), ex.max(), ex.mean()])
    write("x_sym.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 2\n2 1 -1\n3 2 5\n3 3 7\n")
    ex = np.array([[2, -1, 0], [-1, 0, 5], [0, 5, 7]], dtype=float)
    res = jrun("mtx: symmetric", ["transpose", P("x_sym.mtx")])
    if res:
        close("mtx: symmetric mirrored", res.get("transpose"), ex.T, cmd=res["__cmd__"])
    res = jrun("mtx: symmetric info", ["info", P("x_sym.mtx")])
    if res:
        record("mtx: symmetric nnz after mirroring = 6", res.get("nnz") == 6, f"nnz {res.get('nnz')}")
        close("mtx: symmetric mean", res.get("mean"), ex.mean())
    write("x_pat.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 3 3\n1 1\n2 3\n1 2\n")
    ex = np.array([[1, 1, 0], [0, 0, 1]], dtype=float)
    res = jrun("mtx: pattern", ["transpose", P("x_pat.mtx")])
    if res:
        close("mtx: pattern entries are 1", res.get("transpose"), ex.T, cmd=res["__cmd__"])
    res = jrun("mtx: pattern info", ["info", P("x_pat.mtx")])
    if res:
        record("mtx: pattern dtype float64", res.get("dtype") == "float64", f"dtype {res.get('dtype')}")
    write("x_patsym.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n1 1\n2 1\n")
    res = jrun("mtx: pattern symmetric", ["transpose", P("x_patsym.mtx")])
    if res:
        close("mtx: pattern symmetric", res.get("transpose"), np.array([[1, 1], [1, 0.]]), cmd=res["__cmd__"])
    write("x_int.mtx", "%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 3\n2 2 -4\n")
    res = jrun("mtx: integer info", ["info", P("x_int.mtx")])
    if res:
        record("mtx: integer dtype int64", res.get("dtype") == "int64", f"dtype {res.get('dtype')}")
        close("mtx: integer min/max", [res.get("min"), res.get("max")], [-4, 3])
    res = jrun("mtx: integer det", ["det", P("x_int.mtx")])
    if res:
        close("mtx: integer det value", res.get("det"), -12.0)
    write("x_arr.mtx", "%%MatrixMarket matrix array real general\n% column major\n2 3\n1\n2\n3\n4\n5\n6\n")
    ex = np.array([[1, 3, 5], [2, 4, 6]], dtype=float)
    res = jrun("mtx: array format (column-major)", ["transpose", P("x_arr.mtx")])
    if res:
        close("mtx: array format values", res.get("transpose"), ex.T, cmd=res["__cmd__"])
    write("x_dup.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1.5\n1 1 2.5\n2 2 1\n")
    res = jrun("mtx: duplicates", ["transpose", P("x_dup.mtx")])
    if res:
        close("mtx: duplicate entries summed", res.get("transpose"), np.array([[4.0, 0], [0, 1]]), cmd=res["__cmd__"])
    res = jrun("mtx: duplicates det", ["det", P("x_dup.mtx")])
    if res:
        close("mtx: duplicate entries summed (det)", res.get("det"), 4.0)
    res = jrun("mtx: duplicates tsvd sparse", ["tsvd", P("x_dup.mtx"), "-k", "1", "--algorithm", "exact"])
    if res:
        close("mtx: duplicate entries summed (tsvd sparse path)", res.get("singular_values"), [4.0], cmd=res["__cmd__"])
    res = jrun("mtx: duplicates matmul sparse", ["matmul", P("x_dup.mtx"), save_npy("x_one2.npy", np.ones(2))])
    if res:
        close("mtx: duplicate entries summed (matmul sparse path)", res.get("product"), [4.0, 1.0], cmd=res["__cmd__"])
    res = jrun("mtx: duplicates norm sparse", ["norm", P("x_dup.mtx")])
    if res:
        close("mtx: duplicate entries summed (norm sparse path)", res.get("norm"), math.hypot(4, 1), cmd=res["__cmd__"])
    write("x_dupsym.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n2 1 1\n2 1 2\n")
    res = jrun("mtx: symmetric duplicates", ["transpose", P("x_dupsym.mtx")])
    if res:
        close("mtx: symmetric duplicates summed & mirrored", res.get("transpose"), np.array([[0, 3.], [3, 0]]), cmd=res["__cmd__"])
    write("x_crlf.mtx", "%%MatrixMarket matrix coordinate real general\r\n2 2 1\r\n1 2 5\r\n")
    res = jrun("mtx: CRLF line ends", ["transpose", P("x_crlf.mtx")])
    if res:
        close("mtx: CRLF values", res.get("transpose"), np.array([[0, 0], [5., 0]]), cmd=res["__cmd__"])
    write("x_case.mtx", "%%MatrixMarket MATRIX Coordinate Real General\n2 2 1\n1 2 5\n")
    r = run(["info", P("x_case.mtx")])
    record("mtx: banner keywords case-insensitive", r.rc == 0, f"exit {r.rc} {short(r.err)}")
    write("x_zero.mtx", "%%MatrixMarket matrix coordinate real general\n2 3 0\n")
    res = jrun("mtx: no entries (all zero 2x3)", ["info", P("x_zero.mtx")])
    if res:
        record("mtx: no entries nnz 0, mean 0", res.get("nnz") == 0 and res.get("mean") == 0 and res.get("shape") == [2, 3], f"{res['__raw__']}")


def sec_dtypes():
    base = np.array([[1, -2, 3], [4, 5, -6]])
    cases = {
        "f64": base.astype("<f8"), "f32": base.astype("<f4"), "i64": base.astype("<i8"), "i32": base.astype("<i4"),
        "f64be": base.astype(">f8"), "f32be": base.astype(">f4"), "i64be": base.astype(">i8"), "i32be": base.astype(">i4"),
        "f64F": np.asfortranarray(base.astype("<f8")), "i32F": np.asfortranarray(base.astype("<i4")),
        "f64beF": np.asfortranarray(base.astype(">f8")),
    }
    names = {"f64": "float64", "f32": "float32", "i64": "int64", "i32": "int32"}
    for k, a in cases.items():
        f = save_npy(f"d_{k}.npy", a)
        res = jrun(f"dtype: {k} transpose", ["transpose", f])
        if res:
            close(f"dtype: {k} values", res.get("transpose"), base.T.astype(float), cmd=res["__cmd__"])
        res = jrun(f"dtype: {k} info", ["info", f])
        if res:
            exp = names[k.rstrip("F").replace("be", "")]
            record(f"dtype: {k} info dtype {exp}", res.get("dtype") == exp, f"got {res.get('dtype')}")
            record(f"dtype: {k} info shape", res.get("shape") == [2, 3], f"got {res.get('shape')}")
    # float32 precision: values are exactly the float32 values
    a32 = np.array([0.1, 1 / 3], dtype=np.float32)
    res = jrun("dtype: f32 exact widening", ["transpose", save_npy("d_f32v.npy", a32)])
    if res:
        record("dtype: f32 widened exactly to f64", np.array_equal(res.get("transpose"), a32.astype(float)), f"{res.get('transpose')!r} vs {a32.astype(float)!r}")
    b = np.array([[True, False], [True, True]])
    f = save_npy("d_bool.npy", b)
    res = jrun("dtype: bool info", ["info", f])
    if res:
        record("dtype: bool dtype name", res.get("dtype") == "bool", f"got {res.get('dtype')}")
        close("dtype: bool mean as 0/1", [res.get("min"), res.get("max"), res.get("mean")], [0, 1, 0.75])
    res = jrun("dtype: bool det", ["det", f])
    if res:
        close("dtype: bool det", res.get("det"), 1.0)
    # large int64 conversion
    big = np.array([2**53 + 1, -(2**62)], dtype=np.int64)
    res = jrun("dtype: int64 large values", ["transpose", save_npy("d_bigint.npy", big)])
    if res:
        close("dtype: int64 large -> float64 rounding", res.get("transpose"), big.astype(float), rtol=0, atol=0)
    # versions 2.0 / 3.0
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    for ver in [(1, 0), (2, 0), (3, 0)]:
        for fortran in [False, True]:
            data = (np.asfortranarray(a) if fortran else a).tobytes(order="F" if fortran else "C")
            f = write(f"d_v{ver[0]}{'F' if fortran else ''}.npy", npy_header("<f8", fortran, a.shape, ver) + data, "wb")
            try:
                chk = np.load(f)
                assert np.array_equal(chk, a)
            except Exception as e:  # noqa: BLE001
                record(f"dtype: fixture v{ver}", False, str(e))
                continue
            res = jrun(f"dtype: npy v{ver[0]}.0 fortran={fortran}", ["det", f])
            if res:
                close(f"dtype: npy v{ver[0]}.0 fortran={fortran} det", res.get("det"), -2.0)
    # numpy-written v2 (large header forced)
    with open(P("d_np_v2.npy"), "wb") as fh:
        np.lib.format.write_array(fh, a, version=(2, 0))
    res = jrun("dtype: numpy-written v2.0", ["det", P("d_np_v2.npy")])
    if res:
        close("dtype: numpy-written v2.0 det", res.get("det"), -2.0)
    # 0-d arrays
    f = save_npy("d_0d.npy", np.array(3.5))
    res = jrun("0-d: info", ["info", f])
    if res:
        record("0-d: info shape []", res.get("shape") == [], f"shape {res.get('shape')}")
        close("0-d: info min/max/mean", [res.get("min"), res.get("max"), res.get("mean")], [3.5] * 3)
    r = run(["det", f])
    record("0-d: det exits 1 (not a matrix)", r.rc == 1 and no_panic(r), f"exit {r.rc} {short(r.err)}")
    # 1-d / n-d info
    f = save_npy("d_3d.npy", np.arange(24, dtype=np.int32).reshape(2, 3, 4))
    res = jrun("n-d: info 3-d", ["info", f])
    if res:
        record("n-d: info 3-d shape", res.get("shape") == [2, 3, 4] and res.get("dtype") == "int32", f"{res['__raw__']}")
        close("n-d: info 3-d mean", res.get("mean"), 11.5)
    # empty arrays
    f = save_npy("d_empty.npy", np.zeros((0, 3)))
    res = jrun("empty: info (0,3)", ["info", f])
    if res:
        record("empty: info shape [0,3]", res.get("shape") == [0, 3], f"{res['__raw__']}")
    res = jrun("empty: transpose (0,3)", ["transpose", f])
    if res:
        t = res.get("transpose")
        record("empty: transpose shape (3,0)", getattr(t, "shape", None) == (3, 0), f"{res['__raw__']}")


def sec_empty_nonfinite():
    e = save_npy("z_e.npy", np.zeros((0, 0)))
    e03 = save_npy("z_e03.npy", np.zeros((0, 3)))
    e0 = save_npy("z_e0.npy", np.zeros(0))
    one = save_npy("z_1.npy", np.ones((3, 3)))
    for c, extra in [("inv", []), ("det", []), ("rank", []), ("qr", []), ("cholesky", []), ("eigh", []), ("eig", []),
                     ("svd", []), ("lowrank", ["-k", "1"]), ("pca", []), ("tsvd", ["-k", "1"]), ("trace", []), ("norm", []),
                     ("check", []), ("solve", [e]), ("lstsq", [e])]:
        expect_fail(f"empty: {c} on (0,0) exit 1 'empty'", [c, e] + extra, 1, contains="empty")
    for c, extra in [("svd", []), ("pca", []), ("tsvd", ["-k", "1"]), ("rank", []), ("qr", []), ("lstsq", [e0]), ("norm", [])]:
        expect_fail(f"empty: {c} on (0,3) exit 1 'empty'", [c, e03] + extra, 1, contains="empty")
    for c, extra in [("norm", []), ("cosine", [e0]), ("outer", [e0])]:
        expect_fail(f"empty: {c} on 1-d length 0 exit 1 'empty'", [c, e0] + extra, 1, contains="empty")
    expect_fail("empty: matmul (0,3)@(3,2) exit 1 'empty'", ["matmul", e03, save_npy("z_32.npy", np.ones((3, 2)))], 1, contains="empty")
    # non-finite inputs to solvers
    for bad, val in [("nan", np.nan), ("inf", np.inf), ("ninf", -np.inf)]:
        a = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
        a[1, 1] = val
        f = save_npy(f"z_{bad}.npy", a)
        for c, extra in [("inv", []), ("solve", [one]), ("lstsq", [one]), ("det", []), ("rank", []), ("qr", []),
                         ("cholesky", []), ("eigh", []), ("eig", []), ("svd", []), ("lowrank", ["-k", "1"]), ("pca", []),
                         ("tsvd", ["-k", "1"])]:
            expect_fail(f"non-finite: {c} with {bad} exit 1 'non-finite'", [c, f] + extra, 1, contains="non-finite")
    # non-finite in right-hand side
    a = save_npy("z_good.npy", np.eye(3) * 2)
    b = save_npy("z_bnan.npy", np.array([1.0, np.nan, 2.0]))
    expect_fail("non-finite: solve with NaN in B", ["solve", a, b], 1, contains="non-finite")
    expect_fail("non-finite: lstsq with NaN in B", ["lstsq", a, b], 1, contains="non-finite")
    # non-finite in a sparse tsvd input
    write("z_nan.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 nan\n2 2 1\n")
    expect_fail("non-finite: tsvd on .mtx with nan", ["tsvd", P("z_nan.mtx"), "-k", "1"], 1, contains="non-finite")


def sec_info():
    r = rng(1)
    a = r.standard_normal((4, 5))
    for lab, f in three_formats("i_a", a):
        res = jrun(f"info: {lab}", ["info", f])
        if res:
            record(f"info: {lab} shape", res.get("shape") == [4, 5], f"{res.get('shape')}")
            close(f"info: {lab} min/max/mean", [res.get("min"), res.get("max"), res.get("mean")], [a.min(), a.max(), a.mean()], rtol=1e-12)
            record(f"info: {lab} nnz integer", isinstance(res["__raw__"].get("nnz", 0), int), f"{res['__raw__'].get('nnz')}")
            if "nnz" in res:
                record(f"info: {lab} nnz value", res["nnz"] == np.count_nonzero(a), f"nnz {res['nnz']}")
    f = save_npy("i_nan.npy", np.array([1.0, np.nan, 3.0]))
    res = jrun("info: NaN input exit 0", ["info", f])
    if res:
        record("info: NaN min/max/mean are 'nan' (NumPy)", all(isinstance(res["__raw__"].get(k), str) and res["__raw__"][k] == "nan" for k in ("min", "max", "mean")),
               f"{res['__raw__']}")
    f = save_npy("i_inf.npy", np.array([1.0, np.inf, -2.0]))
    res = jrun("info: inf input", ["info", f])
    if res:
        record("info: inf max 'inf', mean 'inf'", res["__raw__"].get("max") == "inf" and res["__raw__"].get("mean") == "inf" and res.get("min") == -2.0, f"{res['__raw__']}")
    r2 = run(["info", save_npy("i_txt.npy", np.arange(3.0))])
    record("info: human output exit 0 mentions shape", r2.rc == 0 and "3" in r2.out, short(r2.out))


def sec_matmul():
    r = rng(2)
    A = r.standard_normal((3, 4))
    B = r.standard_normal((4, 2))
    v4 = r.standard_normal(4)
    v3 = r.standard_normal(3)
    fa = dict(three_formats("mm_a", A))
    fb = dict(three_formats("mm_b", B))
    for la, pa in fa.items():
        for lb, pb in fb.items():
            res = jrun(f"matmul: {la}@{lb}", ["matmul", pa, pb], keys=["product"])
            if res:
                close(f"matmul: {la}@{lb} values", res.get("product"), A @ B, rtol=1e-12, atol=1e-12, cmd=res["__cmd__"])
    pv4 = save_npy("mm_v4.npy", v4)
    pv4c = save_csv("mm_v4.csv", v4)
    pv3 = save_npy("mm_v3.npy", v3)
    for lab, pv in [("npy", pv4), ("csv", pv4c)]:
        res = jrun(f"matmul: 2-d @ 1-d ({lab})", ["matmul", fa["npy"], pv])
        if res:
            close(f"matmul: 2-d @ 1-d gives 1-d ({lab})", res.get("product"), A @ v4, rtol=1e-12, cmd=res["__cmd__"])
    res = jrun("matmul: sparse 2-d @ 1-d", ["matmul", fa["mtx"], pv4])
    if res:
        close("matmul: sparse 2-d @ 1-d gives 1-d", res.get("product"), A @ v4, rtol=1e-12, cmd=res["__cmd__"])
    res = jrun("matmul: 1-d @ 2-d", ["matmul", pv3, fa["npy"]])
    if res:
        close("matmul: 1-d @ 2-d gives 1-d", res.get("product"), v3 @ A, rtol=1e-12, cmd=res["__cmd__"])
    res = jrun("matmul: 1-d @ sparse 2-d", ["matmul", pv3, fa["mtx"]])
    if res:
        close("matmul: 1-d @ sparse 2-d gives 1-d", res.get("product"), v3 @ A, rtol=1e-12, cmd=res["__cmd__"])
    res = jrun("matmul: 1-d @ 1-d", ["matmul", pv4, pv4c], keys=["product"])
    if res:
        raw = res["__raw__"].get("product")
        record("matmul: 1-d @ 1-d is a JSON number", isinstance(raw, (int, float)) and not isinstance(raw, bool), f"got {short(json.dumps(raw))}")
        close("matmul: 1-d @ 1-d value", res.get("product"), v4 @ v4, rtol=1e-12)
    expect_fail("matmul: inner mismatch (3,4)@(3,4)", ["matmul", fa["npy"], fa["npy"]], 1, contains=["matmul", "(3, 4)"])
    expect_fail("matmul: 1-d length mismatch", ["matmul", pv4, pv3], 1, contains="matmul")
    expect_fail("matmul: 2-d @ wrong 1-d", ["matmul", fa["npy"], pv3], 1, contains="matmul")
    expect_fail("matmul: sparse @ wrong shape", ["matmul", fa["mtx"], fa["npy"]], 1, contains="matmul")
    # IEEE semantics
    An = np.array([[np.inf, 0.0], [1.0, np.nan]])
    Bn = np.array([[0.0, 1.0], [1.0, 2.0]])
    with np.errstate(all="ignore"):
        exp = An @ Bn
    res = jrun("matmul: NaN/inf IEEE exit 0", ["matmul", save_npy("mm_nan.npy", An), save_npy("mm_nanb.npy", Bn)])
    if res:
        close("matmul: NaN/inf IEEE values (inf*0 = nan)", res.get("product"), exp, cmd=res["__cmd__"])
    Ai = np.array([[0.0, 1.0]])
    Bi = np.array([[np.inf], [1.0]])
    res = jrun("matmul: 0*inf", ["matmul", save_npy("mm_z.npy", Ai), save_npy("mm_zi.npy", Bi)])
    if res:
        close("matmul: 0 * inf gives nan (IEEE)", res.get("product"), np.array([[np.nan]]), cmd=res["__cmd__"])
    # 1x1, stacks of 3-d (NumPy broadcasting) optional
    res = jrun("matmul: 1x1", ["matmul", save_npy("mm_11.npy", np.array([[3.0]])), save_npy("mm_11b.npy", np.array([[-2.0]]))])
    if res:
        close("matmul: 1x1 value", res.get("product"), np.array([[-6.0]]))
    S = r.standard_normal((2, 3, 4))
    T = r.standard_normal((2, 4, 2))
    res = jrun("matmul: 3-d stacks (help says stacks)", ["matmul", save_npy("mm_s.npy", S), save_npy("mm_t.npy", T)])
    if res:
        close("matmul: 3-d stacks values", res.get("product"), S @ T, rtol=1e-12)
    # big values
    Ab = np.array([[1e200, 1e200]])
    res = jrun("matmul: overflow to inf", ["matmul", save_npy("mm_big.npy", Ab), save_npy("mm_bigt.npy", Ab.T)])
    if res:
        close("matmul: overflow gives inf", res.get("product"), np.array([[np.inf]]))
    # --out
    out = P("mm_out.npy")
    rr = run(["matmul", fa["npy"], fb["npy"], "--out", out])
    if rr.rc == 0 and os.path.exists(out):
        got = np.load(out)
        record("matmul: --out .npy float64 C-order", got.dtype == np.float64 and got.flags.c_contiguous and np.allclose(got, A @ B, rtol=1e-12), f"{got.dtype} {got.shape}")
    else:
        record("matmul: --out .npy", False, f"exit {rr.rc} {short(rr.err)}")


def sec_transpose():
    r = rng(3)
    A = r.standard_normal((3, 5))
    for lab, f in three_formats("t_a", A):
        res = jrun(f"transpose: {lab}", ["transpose", f], keys=["transpose"])
        if res:
            close(f"transpose: {lab} values", res.get("transpose"), A.T, rtol=0, atol=0, cmd=res["__cmd__"])
    v = r.standard_normal(4)
    for lab, f in [("npy", save_npy("t_v.npy", v)), ("csv", save_csv("t_v.csv", v))]:
        res = jrun(f"transpose: 1-d {lab}", ["transpose", f])
        if res:
            close(f"transpose: 1-d unchanged ({lab})", res.get("transpose"), v, rtol=0, atol=0, cmd=res["__cmd__"])
    n = np.array([[np.nan, np.inf], [-np.inf, 1.0]])
    res = jrun("transpose: non-finite", ["transpose", save_npy("t_n.npy", n)])
    if res:
        close("transpose: non-finite kept", res.get("transpose"), n.T)
        raw = res["__raw__"]["transpose"]["data"]
        record("transpose: non-finite as strings", raw[0][0] == "nan" and raw[1][0] == "inf" and raw[0][1] == "-inf", f"{raw}")
    # round-trip digits
    x = np.array([0.1, 1 / 3, 2 / 3, 1e-310, 5e-324, 1.7976931348623157e308, -0.0, 123456789.123456789])
    res = jrun("transpose: round-trip digits", ["transpose", save_npy("t_rt.npy", x)])
    if res:
        got = res.get("transpose")
        record("transpose: JSON numbers round-trip exactly (incl. subnormals)", np.array_equal(got, x), f"{got!r} vs {x!r}")
        record("transpose: -0.0 preserved sign", np.signbit(got[6]) if got is not None else False, f"{res['__raw__']['transpose']['data'][6]}")
    S = r.standard_normal((2, 3, 4))
    res = jrun("transpose: 3-d reverses axes", ["transpose", save_npy("t_3d.npy", S)])
    if res:
        close("transpose: 3-d values", res.get("transpose"), S.T, rtol=0, atol=0)
    # --out csv
    out = P("t_out.csv")
    rr = run(["transpose", save_npy("t_o.npy", A), "--out", out])
    if rr.rc == 0 and os.path.exists(out):
        got = np.loadtxt(out, delimiter=",")
        record("transpose: --out .csv readable & exact", np.array_equal(got, A.T), f"{got}")
    else:
        record("transpose: --out .csv", False, f"exit {rr.rc} {short(rr.err)}")
    out = P("t_out1d.csv")
    rr = run(["transpose", save_npy("t_o1.npy", v), "--out", out])
    if rr.rc == 0 and os.path.exists(out):
        txt = open(out).read().strip().splitlines()
        record("transpose: --out .csv 1-d one value per line", len(txt) == 4 and np.array_equal(np.array([float(t) for t in txt]), v), f"{txt}")
    else:
        record("transpose: --out .csv 1-d", False, f"exit {rr.rc} {short(rr.err)}")


def sec_inv_solve():
    r = rng(4)
    A = r.standard_normal((4, 4)) + 4 * np.eye(4)
    for lab, f in three_formats("v_a", A):
        res = jrun(f"inv: {lab}", ["inv", f], keys=["inverse"])
        if res:
            close(f"inv: {lab} values", res.get("inverse"), np.linalg.inv(A), rtol=1e-10, atol=1e-12, cmd=res["__cmd__"])
    expect_fail("inv: singular exit 1", ["inv", save_npy("v_sing.npy", np.array([[1.0, 2], [2, 4]]))], 1, contains="singular")
    expect_fail("inv: zero matrix exit 1", ["inv", save_npy("v_zero.npy", np.zeros((3, 3)))], 1, contains="singular")
    expect_fail("inv: non-square exit 1", ["inv", save_npy("v_ns.npy", np.ones((2, 3)))], 1, contains="inv")
    expect_fail("inv: 1-d exit 1", ["inv", save_npy("v_1d.npy", np.ones(3))], 1)
    res = jrun("inv: 1x1", ["inv", save_npy("v_11.npy", np.array([[4.0]]))])
    if res:
        close("inv: 1x1", res.get("inverse"), np.array([[0.25]]))
    # ill-conditioned (cond 1e12)
    U, _ = np.linalg.qr(r.standard_normal((5, 5)))
    V, _ = np.linalg.qr(r.standard_normal((5, 5)))
    Aill = U @ np.diag(np.logspace(0, -12, 5)) @ V.T
    res = jrun("inv: cond 1e12", ["inv", save_npy("v_ill.npy", Aill)])
    if res:
        Xi = res.get("inverse")
        ex = np.linalg.inv(Aill)
        record("inv: cond 1e12 close to NumPy (rel 1e-3)", np.linalg.norm(Xi - ex) / np.linalg.norm(ex) < 1e-3, f"rel err {np.linalg.norm(Xi - ex) / np.linalg.norm(ex):.3g}")
    # scaled
    for s in [1e150, 1e-150, 1e300, 1e-300]:
        As = A * s
        res = jrun(f"inv: scaled {s:g}", ["inv", save_npy(f"v_s{s:g}.npy", As)])
        if res:
            with np.errstate(all="ignore"):
                ex = np.linalg.inv(As)
            close(f"inv: scaled by {s:g} matches NumPy", res.get("inverse"), ex, rtol=1e-8, atol=0, cmd=res["__cmd__"])
    # nearly singular, but not exactly
    Ans = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-10]])
    res = jrun("inv: nearly singular (det 1e-10) computes", ["inv", save_npy("v_ns2.npy", Ans)])
    if res:
        close("inv: nearly singular values", res.get("inverse"), np.linalg.inv(Ans), rtol=1e-5)
    # solve
    b = r.standard_normal(4)
    Bm = r.standard_normal((4, 3))
    fA = dict(three_formats("s_a", A))
    for lab, f in fA.items():
        res = jrun(f"solve: {lab} vector", ["solve", f, save_npy("s_b.npy", b)], keys=["x"])
        if res:
            close(f"solve: {lab} vector values", res.get("x"), np.linalg.solve(A, b), rtol=1e-10, cmd=res["__cmd__"])
    res = jrun("solve: csv vector B", ["solve", fA["npy"], save_csv("s_b.csv", b)])
    if res:
        close("solve: csv vector B values", res.get("x"), np.linalg.solve(A, b), rtol=1e-10)
    for lab, f in three_formats("s_bm", Bm):
        res = jrun(f"solve: matrix B {lab}", ["solve", fA["npy"], f])
        if res:
            close(f"solve: matrix B {lab} values", res.get("x"), np.linalg.solve(A, Bm), rtol=1e-10, cmd=res["__cmd__"])
    expect_fail("solve: singular exit 1", ["solve", save_npy("s_sing.npy", np.array([[1.0, 2], [2, 4]])), save_npy("s_b2.npy", np.ones(2))], 1, contains="singular")
    expect_fail("solve: shape mismatch exit 1", ["solve", fA["npy"], save_npy("s_b3.npy", np.ones(3))], 1, contains="solve")
    expect_fail("solve: non-square A exit 1", ["solve", save_npy("s_ns.npy", np.ones((3, 2))), save_npy("s_b3b.npy", np.ones(3))], 1, contains="solve")
    expect_fail("solve: matrix B row mismatch", ["solve", fA["npy"], save_npy("s_bm3.npy", np.ones((3, 2)))], 1, contains="solve")
    for s in [1e300, 1e-300]:
        res = jrun(f"solve: scaled {s:g}", ["solve", save_npy(f"s_s{s:g}.npy", A * s), save_npy(f"s_bs{s:g}.npy", b * s)])
        if res:
            close(f"solve: scaled {s:g} values", res.get("x"), np.linalg.solve(A, b), rtol=1e-8, cmd=res["__cmd__"])


def sec_lstsq():
    r = rng(5)
    A = r.standard_normal((6, 3))
    b = r.standard_normal(6)
    Bm = r.standard_normal((6, 2))

    def ref(A, B, rcond=None):
        return np.linalg.lstsq(A, B, rcond=rcond)

    def cmp(tag, res, A, B, rcond=None, rtol=1e-9):
        x, resid, rk, sv = ref(A, B, rcond)
        close(f"{tag} x", res.get("x"), x, rtol=rtol, atol=1e-10, cmd=res["__cmd__"])
        close(f"{tag} residuals", res.get("residuals"), resid, rtol=1e-7, atol=1e-10, cmd=res["__cmd__"])
        record(f"{tag} rank JSON integer = {rk}", res["__raw__"].get("rank") == rk and isinstance(res["__raw__"].get("rank"), int) and not isinstance(res["__raw__"].get("rank"), bool), f"{res['__cmd__']} rank {res['__raw__'].get('rank')!r}")
        close(f"{tag} singular_values", res.get("singular_values"), sv, rtol=1e-10, atol=1e-12, cmd=res["__cmd__"])

    for lab, f in three_formats("l_a", A):
        res = jrun(f"lstsq: {lab} overdetermined vector b", ["lstsq", f, save_npy("l_b.npy", b)], keys=["x", "residuals", "rank", "singular_values"])
        if res:
            cmp(f"lstsq: {lab} overdetermined vector b", res, A, b)
    res = jrun("lstsq: matrix B", ["lstsq", save_npy("l_a2.npy", A), save_npy("l_bm.npy", Bm)])
    if res:
        cmp("lstsq: matrix B", res, A, Bm)
    # underdetermined
    Au = r.standard_normal((2, 4))
    bu = r.standard_normal(2)
    res = jrun("lstsq: underdetermined", ["lstsq", save_npy("l_au.npy", Au), save_npy("l_bu.npy", bu)])
    if res:
        cmp("lstsq: underdetermined (min-norm, residuals empty)", res, Au, bu)
    # rank-deficient overdetermined
    Ad = np.column_stack([A[:, 0], A[:, 1], A[:, 0] + A[:, 1]])
    res = jrun("lstsq: rank-deficient", ["lstsq", save_npy("l_ad.npy", Ad), save_npy("l_bd.npy", b)])
    if res:
        cmp("lstsq: rank-deficient (min-norm x, rank 2, residuals empty)", res, Ad, b, rtol=1e-8)
    res = jrun("lstsq: rank-deficient matrix B", ["lstsq", save_npy("l_ad2.npy", Ad), save_npy("l_bmd.npy", Bm)])
    if res:
        cmp("lstsq: rank-deficient matrix B", res, Ad, Bm, rtol=1e-8)
    # square exactly determined: residuals empty? NumPy: m == n, rank == n -> residuals computed only if m > n
    As = r.standard_normal((3, 3))
    bs = r.standard_normal(3)
    res = jrun("lstsq: square", ["lstsq", save_npy("l_as.npy", As), save_npy("l_bs.npy", bs)])
    if res:
        cmp("lstsq: square (residuals empty)", res, As, bs)
    # rcond
    Ac = U = np.linalg.qr(r.standard_normal((6, 3)))[0] @ np.diag([1.0, 1e-3, 1e-8])
    for rc in [1e-5, 1e-2, 0.0]:
        res = jrun(f"lstsq: --rcond {rc:g}", ["lstsq", save_npy("l_ac.npy", Ac), save_npy("l_bc.npy", b), "--rcond", str(rc)])
        if res:
            cmp(f"lstsq: --rcond {rc:g}", res, Ac, b, rcond=rc, rtol=1e-6)
    res = jrun("lstsq: default rcond on 1e-8 singular value", ["lstsq", save_npy("l_ac2.npy", Ac), save_npy("l_bc2.npy", b)])
    if res:
        cmp("lstsq: default rcond (None = eps*max(M,N))", res, Ac, b, rtol=1e-6)
    # zero matrix
    res = jrun("lstsq: zero matrix", ["lstsq", save_npy("l_z.npy", np.zeros((3, 2))), save_npy("l_bz.npy", np.ones(3))])
    if res:
        cmp("lstsq: zero matrix (x=0, rank 0)", res, np.zeros((3, 2)), np.ones(3))
    expect_fail("lstsq: row mismatch", ["lstsq", save_npy("l_a3.npy", A), save_npy("l_b5.npy", np.ones(5))], 1, contains="lstsq")
    # scaled
    for s in [1e150, 1e-150]:
        res = jrun(f"lstsq: scaled {s:g}", ["lstsq", save_npy(f"l_sc{s:g}.npy", A * s), save_npy(f"l_bsc{s:g}.npy", b)])
        if res:
            cmp(f"lstsq: A scaled {s:g}", res, A * s, b, rtol=1e-7)
    # csv vector b
    res = jrun("lstsq: csv b", ["lstsq", save_npy("l_a4.npy", A), save_csv("l_b.csv", b)])
    if res:
        cmp("lstsq: csv b", res, A, b)


def sec_det():
    r = rng(6)
    A = r.standard_normal((5, 5))
    for lab, f in three_formats("d_a", A):
        res = jrun(f"det: {lab}", ["det", f], keys=["det", "sign", "logabsdet"])
        if res:
            s, l = np.linalg.slogdet(A)
            close(f"det: {lab} values", [res.get("det"), res.get("sign"), res.get("logabsdet")], [np.linalg.det(A), s, l], rtol=1e-10, cmd=res["__cmd__"])
    cases = {
        "singular": np.array([[1.0, 2], [2, 4]]),
        "zero": np.zeros((3, 3)),
        "1x1neg": np.array([[-3.0]]),
        "big1e300": np.eye(3) * 1e300,
        "small1e-300": np.eye(3) * 1e-300,
        "big1e150x4": r.standard_normal((4, 4)) * 1e150,
        "ints": np.array([[2, 1], [7, 4]]),
        "perm": np.array([[0.0, 1], [1, 0]]),
        "neg": -np.eye(3),
    }
    for k, M in cases.items():
        res = jrun(f"det: {k}", ["det", save_npy(f"d_{k}.npy", M)])
        if res:
            with np.errstate(all="ignore"):
                d = np.linalg.det(M)
                s, l = np.linalg.slogdet(M)
            close(f"det: {k} det", res.get("det"), d, rtol=1e-9, atol=1e-300 if k != "singular" else 1e-15, cmd=res["__cmd__"])
            close(f"det: {k} sign", res.get("sign"), s, rtol=0, atol=0, cmd=res["__cmd__"])
            close(f"det: {k} logabsdet", res.get("logabsdet"), l, rtol=1e-12, atol=1e-12, cmd=res["__cmd__"])
            if k in ("zero",):
                record(f"det: {k} logabsdet is the string '-inf'", res["__raw__"].get("logabsdet") == "-inf", f"{res['__raw__']}")
            if k == "big1e300":
                record("det: 1e300*I det is 'inf'", res["__raw__"].get("det") == "inf", f"{res['__raw__']}")
    expect_fail("det: non-square", ["det", save_npy("d_ns.npy", np.ones((2, 3)))], 1, contains="det")


def sec_trace():
    r = rng(7)
    for shape in [(4, 4), (3, 5), (5, 2)]:
        A = r.standard_normal(shape)
        for lab, f in three_formats(f"tr_{shape[0]}{shape[1]}", A):
            res = jrun(f"trace: {shape} {lab}", ["trace", f], keys=["trace"])
            if res:
                close(f"trace: {shape} {lab} value", res.get("trace"), np.trace(A), rtol=1e-12, cmd=res["__cmd__"])
    res = jrun("trace: NaN IEEE", ["trace", save_npy("tr_nan.npy", np.array([[1.0, 0], [0, np.nan]]))])
    if res:
        record("trace: NaN gives 'nan'", res["__raw__"].get("trace") == "nan", f"{res['__raw__']}")
    res = jrun("trace: inf - inf", ["trace", save_npy("tr_inf.npy", np.array([[np.inf, 0], [0, -np.inf]]))])
    if res:
        record("trace: inf + -inf gives 'nan'", res["__raw__"].get("trace") == "nan", f"{res['__raw__']}")
    res = jrun("trace: inf", ["trace", save_npy("tr_inf2.npy", np.array([[np.inf, np.nan], [0, 1]]))])
    if res:
        record("trace: inf off-diagonal NaN ignored", res["__raw__"].get("trace") == "inf", f"{res['__raw__']}")
    res = jrun("trace: int", ["trace", save_npy("tr_int.npy", np.array([[3, 1], [1, 4]], dtype=np.int32))])
    if res:
        close("trace: int32 value", res.get("trace"), 7)
    r1 = run(["trace", save_npy("tr_1d.npy", np.ones(3))])
    record("trace: 1-d exit 1 (NumPy: diag requires 2-d)", r1.rc == 1 and no_panic(r1), f"exit {r1.rc} {short(r1.err)}")


def sec_rank():
    r = rng(8)
    A = r.standard_normal((6, 2)) @ r.standard_normal((2, 5))
    for lab, f in three_formats("r_a", A):
        res = jrun(f"rank: {lab}", ["rank", f], keys=["rank"])
        if res:
            raw = res["__raw__"].get("rank")
            record(f"rank: {lab} = 2 (JSON int)", raw == np.linalg.matrix_rank(A) and type(raw) is int, f"{res['__cmd__']} got {raw!r}")
    cases = {"zero": np.zeros((3, 4)), "eye": np.eye(4), "1x1": np.array([[5.0]]), "1x1zero": np.array([[0.0]]),
             "ill": np.diag([1.0, 1e-10, 1e-14, 1e-17]), "scaled300": np.diag([1e300, 1e299, 1.0]),
             "tiny": np.diag([1e-300, 1e-301, 1e-320]), "wide": r.standard_normal((2, 7))}
    for k, M in cases.items():
        res = jrun(f"rank: {k}", ["rank", save_npy(f"r_{k}.npy", M)])
        if res:
            ex = int(np.linalg.matrix_rank(M))
            record(f"rank: {k} = {ex}", res["__raw__"].get("rank") == ex, f"{res['__cmd__']} got {res['__raw__'].get('rank')}")
    for scl in [1e307, 2.1e307, 4e307]:
        Mb = rng(26).standard_normal((4, 4)) * scl
        Mb = Mb / max(1.0, np.abs(Mb).max() / 1e308)
        res = jrun(f"rank: near-overflow matrix (max |a| {np.abs(Mb).max():.2g})", ["rank", save_npy("r_big.npy", Mb)])
        if res:
            ex = int(np.linalg.matrix_rank(Mb))
            record(f"rank: near-overflow matrix (S.max {np.linalg.norm(Mb, 2):.3g}) = NumPy {ex} (tol = S.max · (max(M,N)·eps), no overflow)", res["rank"] == ex, f"got {res['rank']}")
    M = np.diag([1.0, 0.5, 1e-3, 1e-6])
    for tol in ["0.1", "1e-4", "0", "1e-7"]:
        res = jrun(f"rank: --tol {tol}", ["rank", save_npy("r_tol.npy", M), "--tol", tol])
        if res:
            ex = int(np.linalg.matrix_rank(M, tol=float(tol)))
            record(f"rank: --tol {tol} = {ex}", res["__raw__"].get("rank") == ex, f"got {res['__raw__'].get('rank')}")
    r_ = run(["rank", save_npy("r_tol2.npy", M), "--tol=-1", "--json"])
    record("rank: --tol -1: exit 2 (out of range) or NumPy's answer 4", r_.rc == 2 or (r_.rc == 0 and '"rank": 4' in r_.out), f"exit {r_.rc} {short(r_.out)} {short(r_.err)}")
    res = jrun("rank: 1-d vector (NumPy: int(not all zero))", ["rank", save_npy("r_v.npy", np.array([0.0, 3.0]))])
    if res:
        record("rank: 1-d vector = 1", res["__raw__"].get("rank") == 1, f"{res['__raw__']}")


def sec_norm():
    r = rng(9)
    v = np.array([3.0, -4.0, 0.0, 1.5, -0.25])
    A = r.standard_normal((4, 3))
    fv = {"npy": save_npy("n_v.npy", v), "csv": save_csv("n_v.csv", v)}
    fA = dict(three_formats("n_a", A))
    vec_ords = [None, "0", "1", "-1", "2", "-2", "inf", "-inf", "3", "0.5", "-3", "1.5", "10"]
    for lab, f in fv.items():
        for o in vec_ords:
            args = ["norm", f] + ([f"--ord={o}"] if o is not None and o.startswith("-") else (["--ord", o] if o is not None else []))
            res = jrun(f"norm: vector {lab} ord={o}", args, keys=["norm"])
            if res:
                ordv = None if o is None else (np.inf if o == "inf" else -np.inf if o == "-inf" else float(o))
                with np.errstate(all="ignore"):
                    ex = np.linalg.norm(v, ord=ordv)
                close(f"norm: vector {lab} ord={o} value", res.get("norm"), ex, rtol=1e-12, cmd=res["__cmd__"])
    # "--ord -2" with a space and "--ord -inf"
    for o in ["-2", "-inf", "-1"]:
        res = jrun(f"norm: vector '--ord {o}' (space-separated negative)", ["norm", fv["npy"], "--ord", o])
        if res:
            close(f"norm: vector '--ord {o}' value", res.get("norm"), np.linalg.norm(v, ord=-np.inf if o == "-inf" else float(o)), rtol=1e-12)
    mat_ords = [None, "1", "-1", "2", "-2", "inf", "-inf", "fro", "nuc"]
    for lab, f in fA.items():
        for o in mat_ords:
            args = ["norm", f] + ([f"--ord={o}"] if o is not None else [])
            res = jrun(f"norm: matrix {lab} ord={o}", args, keys=["norm"])
            if res:
                ordv = None if o is None else {"inf": np.inf, "-inf": -np.inf, "fro": "fro", "nuc": "nuc"}.get(o, None if o is None else (float(o) if o not in ("fro", "nuc") else o))
                if o in ("1", "-1", "2", "-2"):
                    ordv = int(o)
                ex = np.linalg.norm(A, ord=ordv)
                close(f"norm: matrix {lab} ord={o} value", res.get("norm"), ex, rtol=1e-10, cmd=res["__cmd__"])
    # rejected ords
    for o in ["fro", "nuc"]:
        expect_fail(f"norm: vector --ord {o} exit 1", ["norm", fv["npy"], "--ord", o], 1, contains="norm")
    for o in ["0", "3", "0.5"]:
        expect_fail(f"norm: matrix --ord {o} exit 1", ["norm", fA["npy"], "--ord", o], 1, contains="norm")
    # non-finite IEEE
    vn = np.array([1.0, np.nan, 2.0])
    for o in [None, "1", "inf", "0"]:
        res = jrun(f"norm: NaN vector ord={o} exit 0", ["norm", save_npy("n_vn.npy", vn)] + (["--ord", o] if o else []))
        if res:
            with np.errstate(all="ignore"):
                ex = np.linalg.norm(vn, ord=None if o is None else float(o))
            close(f"norm: NaN vector ord={o} value (NumPy {ex})", res.get("norm"), ex, cmd=res["__cmd__"])
    vi = np.array([1.0, np.inf, -2.0])
    for o in [None, "1", "inf", "-inf", "-2", "0"]:
        res = jrun(f"norm: inf vector ord={o} exit 0", ["norm", save_npy("n_vi.npy", vi)] + ([f"--ord={o}"] if o else []))
        if res:
            with np.errstate(all="ignore"):
                ex = np.linalg.norm(vi, ord=None if o is None else float(o))
            close(f"norm: inf vector ord={o} value (NumPy {ex})", res.get("norm"), ex, cmd=res["__cmd__"])
    An = np.array([[1.0, np.inf], [2.0, 3.0]])
    for o in [None, "1", "inf", "fro"]:
        res = jrun(f"norm: inf matrix ord={o} exit 0", ["norm", save_npy("n_an.npy", An)] + ([f"--ord={o}"] if o else []))
        if res:
            with np.errstate(all="ignore"):
                ex = np.linalg.norm(An, ord={None: None, "1": 1, "inf": np.inf, "fro": "fro"}[o])
            close(f"norm: inf matrix ord={o} value (NumPy {ex})", res.get("norm"), ex, cmd=res["__cmd__"])
    # spectral norms of non-finite matrices (NumPy raises "SVD did not converge"; the contract says IEEE, exit 0)
    for nm, M in {"NaN": np.array([[np.nan, 1.0], [2.0, 3.0]]), "inf": np.array([[np.inf, 1.0], [2.0, 3.0]])}.items():
        for o in ["2", "-2", "nuc"]:
            res = jrun(f"norm: {nm} matrix --ord={o} exit 0 (IEEE)", ["norm", save_npy(f"n_nf{nm}.npy", M), f"--ord={o}"])
            if res:
                g = res["norm"]
                allowed = [np.nan] if nm == "NaN" else ([np.inf, np.nan] if o != "-2" else [np.nan, np.inf] + [float(x) for x in []])
                ok = any((np.isnan(a) and np.isnan(g)) or g == a for a in allowed)
                record(f"norm: {nm} matrix --ord={o} is {' or '.join(map(str, allowed))} (never negative)", ok, f"got {res['__raw__']}")
    # overflow/underflow safety: NumPy's 2-norm is scaled? (NumPy does sqrt(dot) -> overflow to inf for 1e200)
    for s in [1e-200, 1e200, 1e-300, 1e300]:
        vv = np.array([3.0, 4.0]) * s
        res = jrun(f"norm: vector scaled {s:g}", ["norm", save_npy(f"n_s{s:g}.npy", vv)])
        if res:
            with np.errstate(all="ignore"):
                ex = np.linalg.norm(vv)
            g = res.get("norm")
            ok = np.isclose(g, ex, rtol=1e-12) or np.isclose(g, 5 * s, rtol=1e-12)
            record(f"norm: vector scaled {s:g} (NumPy {ex:g} or exact {5 * s:g})", ok, f"got {g}")
    for s in [1e150, 1e-150, 1e300, 1e-300]:
        M = np.array([[3.0, 0], [4.0, 1.0]]) * s
        for o in ["2", "nuc", "-2"]:
            res = jrun(f"norm: matrix scaled {s:g} ord={o}", ["norm", save_npy(f"n_ms{s:g}.npy", M), f"--ord={o}"])
            if res:
                with np.errstate(all="ignore"):
                    ex = np.linalg.norm(M, ord={"2": 2, "nuc": "nuc", "-2": -2}[o])
                close(f"norm: matrix scaled {s:g} ord={o}", res.get("norm"), ex, rtol=1e-10, atol=0, cmd=res["__cmd__"])
    # sparse norms
    Sp = np.array([[0, 2.0, 0], [-1.0, 0, 0], [0, 0, 3.0], [0, 0, 0]])
    fs = save_mtx("n_sp.mtx", Sp)
    for o in [None, "1", "-1", "inf", "-inf", "fro", "2", "nuc", "-2"]:
        res = jrun(f"norm: sparse ord={o}", ["norm", fs] + ([f"--ord={o}"] if o else []))
        if res:
            ex = np.linalg.norm(Sp, ord={None: None, "1": 1, "-1": -1, "inf": np.inf, "-inf": -np.inf, "fro": "fro", "2": 2, "nuc": "nuc", "-2": -2}[o])
            close(f"norm: sparse ord={o} value", res.get("norm"), ex, rtol=1e-10, atol=1e-14, cmd=res["__cmd__"])
    # zero vector / 1-element
    res = jrun("norm: zero vector ord=-1", ["norm", save_npy("n_z.npy", np.zeros(3)), "--ord=-1"])
    if res:
        with np.errstate(all="ignore"):
            ex = np.linalg.norm(np.zeros(3), ord=-1)
        close(f"norm: zero vector ord=-1 (NumPy {ex})", res.get("norm"), ex)
    res = jrun("norm: zero vector ord=-inf", ["norm", save_npy("n_z2.npy", np.zeros(3)), "--ord=-inf"])
    if res:
        close("norm: zero vector ord=-inf = 0", res.get("norm"), 0.0)
    res = jrun("norm: 3-d array (NumPy: flattened 2-norm with ord None)", ["norm", save_npy("n_3d.npy", np.arange(8.0).reshape(2, 2, 2))])
    if res:
        close("norm: 3-d default", res.get("norm"), np.linalg.norm(np.arange(8.0)))


def sec_cosine_outer():
    r = rng(10)
    a = r.standard_normal(5)
    b = r.standard_normal(5)
    fa = {"npy": save_npy("co_a.npy", a), "csv": save_csv("co_a.csv", a)}
    fb = {"npy": save_npy("co_b.npy", b), "csv": save_csv("co_b.csv", b)}
    c = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    for la in fa:
        for lb in fb:
            res = jrun(f"cosine: {la},{lb}", ["cosine", fa[la], fb[lb]], keys=["cosine", "angle_degrees"])
            if res:
                close(f"cosine: {la},{lb} values", [res.get("cosine"), res.get("angle_degrees")], [c, np.degrees(np.arccos(c))], rtol=1e-12, cmd=res["__cmd__"])
            res = jrun(f"outer: {la},{lb}", ["outer", fa[la], fb[lb]], keys=["outer"])
            if res:
                close(f"outer: {la},{lb} values", res.get("outer"), np.outer(a, b), rtol=1e-14, atol=0, cmd=res["__cmd__"])
    # parallel / antiparallel: clipped
    p = np.array([1e-3, 2e-3, 3e-3])
    res = jrun("cosine: parallel", ["cosine", save_npy("co_p.npy", p), save_npy("co_p2.npy", p * 7)])
    if res:
        record("cosine: parallel cosine <= 1 and angle 0 (clipped, not nan)", res.get("cosine") is not None and res["cosine"] <= 1 and abs(res.get("angle_degrees", 9)) < 1e-6, f"{res['__raw__']}")
    res = jrun("cosine: antiparallel", ["cosine", save_npy("co_p3.npy", p), save_npy("co_p4.npy", -p * 3)])
    if res:
        record("cosine: antiparallel angle 180", abs(res.get("angle_degrees", 0) - 180) < 1e-6 and res["cosine"] >= -1, f"{res['__raw__']}")
    res = jrun("cosine: orthogonal", ["cosine", save_npy("co_o1.npy", np.array([1.0, 0])), save_npy("co_o2.npy", np.array([0, 2.0]))])
    if res:
        close("cosine: orthogonal 0 / 90", [res.get("cosine"), res.get("angle_degrees")], [0.0, 90.0])
    # huge/tiny vectors (naive dot overflows)
    big = np.array([1e200, 1e200])
    res = jrun("cosine: 1e200 vectors", ["cosine", save_npy("co_big.npy", big), save_npy("co_big2.npy", big * np.array([1, -1]))])
    if res:
        record("cosine: 1e200 vectors (exact 0; NumPy naive gives nan) no crash", res.get("cosine") is not None, f"{res['__raw__']}")
    expect_fail("cosine: length mismatch", ["cosine", fa["npy"], save_npy("co_3.npy", np.ones(3))], 1, contains="cosine")
    r0 = run(["cosine", fa["npy"], save_npy("co_z.npy", np.zeros(5)), "--json"])
    record("cosine: zero vector -> exit 1 or nan (no panic)", r0.rc in (0, 1) and no_panic(r0), f"exit {r0.rc} {short(r0.out + r0.err)}")
    r1 = run(["cosine", save_npy("co_m.npy", np.ones((2, 2))), save_npy("co_m2.npy", np.ones((2, 2)))])
    record("cosine: matrix inputs exit 1", r1.rc == 1 and no_panic(r1), f"exit {r1.rc} {short(r1.err)}")
    r2 = run(["outer", save_npy("co_m3.npy", np.ones((2, 2))), fb["npy"], "--json"])
    record("outer: 2-d input -> exit 1 or flattened like NumPy (no panic)", r2.rc in (0, 1) and no_panic(r2), f"exit {r2.rc} {short(r2.err)}")
    if r2.rc == 0:
        try:
            got = decode(parse_json(r2.out)["outer"])
            close("outer: 2-d input flattened like np.outer", got, np.outer(np.ones((2, 2)), b))
        except Exception as e:  # noqa: BLE001
            record("outer: 2-d input output", False, str(e))
    vn = np.array([np.nan, 1.0])
    res = jrun("outer: NaN IEEE", ["outer", save_npy("co_n.npy", vn), save_npy("co_n2.npy", np.array([0.0, np.inf]))])
    if res:
        with np.errstate(all="ignore"):
            ex = np.outer(vn, [0.0, np.inf])
        close("outer: NaN/inf values", res.get("outer"), ex)
    res = jrun("cosine: NaN IEEE exit 0", ["cosine", save_npy("co_n3.npy", vn), save_npy("co_n4.npy", np.array([1.0, 1.0]))])
    if res:
        record("cosine: NaN input gives 'nan'", res["__raw__"].get("cosine") == "nan", f"{res['__raw__']}")
    # different lengths outer is fine
    res = jrun("outer: different lengths", ["outer", fa["npy"], save_npy("co_3b.npy", np.array([1.0, 2, 3]))])
    if res:
        close("outer: 5x3 values", res.get("outer"), np.outer(a, [1, 2, 3]))


def sec_qr():
    r = rng(11)
    for shape in [(5, 3), (3, 5), (4, 4), (1, 1), (6, 1), (1, 4)]:
        A = r.standard_normal(shape)
        fmts = three_formats(f"q_{shape[0]}{shape[1]}", A) if min(shape) > 1 else [("npy", save_npy(f"q_{shape[0]}{shape[1]}.npy", A))]
        for lab, f in fmts:
            for mode in ["reduced", "complete"]:
                args = ["qr", f] + (["--mode", mode] if mode != "reduced" else [])
                res = jrun(f"qr: {shape} {lab} {mode}", args, keys=["q", "r"])
                if not res:
                    continue
                Q, R = res.get("q"), res.get("r")
                Qe, Re = np.linalg.qr(A, mode=mode)
                ok_shape = getattr(Q, "shape", None) == Qe.shape and getattr(R, "shape", None) == Re.shape
                record(f"qr: {shape} {lab} {mode} shapes q{Qe.shape} r{Re.shape}", ok_shape, f"{res['__cmd__']} got q{getattr(Q, 'shape', None)} r{getattr(R, 'shape', None)}")
                if not ok_shape:
                    continue
                close(f"qr: {shape} {lab} {mode} Q R = A", Q @ R, A, rtol=1e-10, atol=1e-12)
                close(f"qr: {shape} {lab} {mode} QᵀQ = I", Q.T @ Q, np.eye(Q.shape[1]), atol=1e-12)
                record(f"qr: {shape} {lab} {mode} R upper triangular", np.allclose(np.tril(R, -1), 0, atol=0), f"{R}")
                # up to sign, R matches LAPACK's
                D = np.sign(np.diag(R)) * np.sign(np.diag(Re))
                k = min(shape)
                record(f"qr: {shape} {lab} {mode} R matches NumPy up to row signs",
                       np.allclose(R[:k] * D[:, None], Re[:k], rtol=1e-9, atol=1e-12), "")
    # rank deficient
    A = np.ones((4, 3))
    res = jrun("qr: rank-deficient", ["qr", save_npy("q_rd.npy", A)])
    if res:
        close("qr: rank-deficient Q R = A", res["q"] @ res["r"], A, atol=1e-12)
        close("qr: rank-deficient QᵀQ = I", res["q"].T @ res["q"], np.eye(3), atol=1e-12)
    res = jrun("qr: zero matrix", ["qr", save_npy("q_z.npy", np.zeros((3, 2)))])
    if res:
        close("qr: zero Q R = 0", res["q"] @ res["r"], np.zeros((3, 2)), atol=0)
        close("qr: zero QᵀQ = I", res["q"].T @ res["q"], np.eye(2), atol=1e-14)
    for s in [1e300, 1e-300]:
        A = r.standard_normal((4, 3)) * s
        res = jrun(f"qr: scaled {s:g}", ["qr", save_npy(f"q_s{s:g}.npy", A)])
        if res:
            close(f"qr: scaled {s:g} QR = A", res["q"] @ res["r"], A, rtol=1e-10, atol=0)
            close(f"qr: scaled {s:g} QᵀQ = I", res["q"].T @ res["q"], np.eye(3), atol=1e-12)
    r1 = run(["qr", save_npy("q_1d.npy", np.ones(3))])
    record("qr: 1-d exit 1", r1.rc == 1 and no_panic(r1), f"exit {r1.rc}")
    od = P("q_outdir/sub")
    rr = run(["qr", save_npy("q_od.npy", np.arange(6.0).reshape(3, 2)), "--out-dir", od])
    ok = rr.rc == 0 and os.path.exists(os.path.join(od, "q.npy")) and os.path.exists(os.path.join(od, "r.npy"))
    record("qr: --out-dir nested creates DIR with q.npy r.npy", ok, f"exit {rr.rc} {short(rr.err)} files {os.listdir(od) if os.path.isdir(od) else None}")


def sec_cholesky():
    r = rng(12)
    M = r.standard_normal((5, 5))
    A = M @ M.T + 5 * np.eye(5)
    for lab, f in three_formats("ch_a", A):
        res = jrun(f"cholesky: {lab}", ["cholesky", f], keys=["l"])
        if res:
            close(f"cholesky: {lab} values", res.get("l"), np.linalg.cholesky(A), rtol=1e-10, atol=1e-12, cmd=res["__cmd__"])
    fs = save_mtx("ch_sym.mtx", A, symmetric=True)
    res = jrun("cholesky: symmetric .mtx", ["cholesky", fs])
    if res:
        close("cholesky: symmetric .mtx values", res.get("l"), np.linalg.cholesky(A), rtol=1e-10)
    expect_fail("cholesky: not PD", ["cholesky", save_npy("ch_npd.npy", np.array([[1.0, 2], [2, 1]]))], 1, contains="cholesky")
    expect_fail("cholesky: zero matrix", ["cholesky", save_npy("ch_z.npy", np.zeros((2, 2)))], 1, contains="cholesky")
    expect_fail("cholesky: non-square", ["cholesky", save_npy("ch_ns.npy", np.ones((2, 3)))], 1, contains="cholesky")
    expect_fail("cholesky: negative definite", ["cholesky", save_npy("ch_neg.npy", -np.eye(3))], 1, contains="cholesky")
    res = jrun("cholesky: 1x1", ["cholesky", save_npy("ch_11.npy", np.array([[9.0]]))])
    if res:
        close("cholesky: 1x1", res.get("l"), np.array([[3.0]]))
    for s in [1e300, 1e-300]:
        res = jrun(f"cholesky: scaled {s:g}", ["cholesky", save_npy(f"ch_s{s:g}.npy", A * s)])
        if res:
            close(f"cholesky: scaled {s:g}", res.get("l"), np.linalg.cholesky(A) * np.sqrt(s), rtol=1e-9, atol=0)
    # ill-conditioned PD
    H = np.array([[1.0 / (i + j + 1) for j in range(8)] for i in range(8)])
    res = jrun("cholesky: hilbert 8", ["cholesky", save_npy("ch_h.npy", H)])
    if res:
        close("cholesky: hilbert 8 values", res.get("l"), np.linalg.cholesky(H), rtol=1e-6, atol=1e-12)


def sec_eigh():
    r = rng(13)
    M = r.standard_normal((6, 6))
    A = (M + M.T) / 2
    for lab, f in three_formats("eh_a", A):
        res = jrun(f"eigh: {lab}", ["eigh", f], keys=["eigenvalues", "eigenvectors"])
        if res:
            w, V = res.get("eigenvalues"), res.get("eigenvectors")
            we, Ve = np.linalg.eigh(A)
            close(f"eigh: {lab} eigenvalues ascending", w, we, rtol=1e-10, atol=1e-12, cmd=res["__cmd__"])
            close(f"eigh: {lab} A V = V diag(w)", A @ V, V * w, atol=1e-10)
            close(f"eigh: {lab} VᵀV = I", V.T @ V, np.eye(6), atol=1e-12)
            record(f"eigh: {lab} vectors match NumPy up to sign", cols_up_to_sign(V, Ve), "")
    fs = save_mtx("eh_sym.mtx", A, symmetric=True)
    res = jrun("eigh: symmetric .mtx", ["eigh", fs])
    if res:
        close("eigh: symmetric .mtx eigenvalues", res.get("eigenvalues"), np.linalg.eigvalsh(A), rtol=1e-10)
    expect_fail("eigh: non-symmetric exit 1 'not symmetric'", ["eigh", save_npy("eh_ns.npy", np.array([[1.0, 2], [0, 1]]))], 1, contains="not symmetric")
    expect_fail("eigh: non-square exit 1", ["eigh", save_npy("eh_nsq.npy", np.ones((2, 3)))], 1, contains="eigh")
    # symmetric within allclose tolerances: accepted
    Ap = A.copy()
    Ap[0, 1] += 1e-9
    res = jrun("eigh: symmetric within allclose (1e-9 off) accepted", ["eigh", save_npy("eh_tol.npy", Ap)])
    if res:
        close("eigh: near-symmetric eigenvalues", res.get("eigenvalues"), np.linalg.eigvalsh(Ap), rtol=1e-7, atol=1e-8)
    Ap2 = A.copy()
    Ap2[0, 1] += 1e-3
    expect_fail("eigh: asymmetry 1e-3 rejected", ["eigh", save_npy("eh_tol2.npy", Ap2)], 1, contains="not symmetric")
    # repeated eigenvalues, identity, zero, 1x1
    for k, Mx in {"identity": np.eye(4), "zero": np.zeros((3, 3)), "1x1": np.array([[-2.0]]),
                  "repeated": np.diag([2.0, 2.0, 1.0, 2.0]), "scaled300": A * 1e300, "scaled-300": A * 1e-300,
                  "ill": np.diag([1.0, 1e-12, -1e-12, 1e6])}.items():
        res = jrun(f"eigh: {k}", ["eigh", save_npy(f"eh_{k}.npy", Mx)])
        if res:
            w, V = res.get("eigenvalues"), res.get("eigenvectors")
            we = np.linalg.eigvalsh(Mx)
            sc = max(np.abs(we).max(), 1e-300)
            close(f"eigh: {k} eigenvalues", w, we, rtol=1e-9, atol=sc * 1e-13, cmd=res["__cmd__"])
            close(f"eigh: {k} VᵀV = I", V.T @ V, np.eye(Mx.shape[0]), atol=1e-12)
            with np.errstate(all="ignore"):
                close(f"eigh: {k} residual", (Mx @ V - V * w) / sc, np.zeros_like(Mx), atol=1e-12)
    # 2x2 symmetric problems: LAPACK (dlaev2) gets the small eigenvalue to full relative accuracy
    for A2 in [np.diag([1.0, 1e-17]), np.diag([1.0, 1e-12]), np.diag([1.0, -1e-17]), np.array([[1.0, 1e-9], [1e-9, 2e-18]]),
               np.array([[1.0, 1e-8], [1e-8, 1.0001e-12]])]:
        res = jrun(f"eigh: 2x2 {A2.tolist()}", ["eigh", save_npy("eh_22.npy", A2)])
        if res:
            close(f"eigh: 2x2 {A2.tolist()} eigenvalues to relative accuracy (NumPy {np.linalg.eigvalsh(A2).tolist()})",
                  res["eigenvalues"], np.linalg.eigvalsh(A2), rtol=1e-6, atol=0, cmd=res["__cmd__"])
    # tridiagonal 50x50 (larger)
    n = 60
    T = np.diag(2 * np.ones(n)) - np.diag(np.ones(n - 1), 1) - np.diag(np.ones(n - 1), -1)
    res = jrun("eigh: 60x60 tridiagonal", ["eigh", save_npy("eh_tri.npy", T)])
    if res:
        close("eigh: 60x60 eigenvalues", res.get("eigenvalues"), np.linalg.eigvalsh(T), rtol=1e-10, atol=1e-12)


def sec_eig():
    r = rng(14)

    def check_eig(tag, A, res):
        w, V = res.get("eigenvalues"), res.get("eigenvectors")
        we = np.linalg.eigvals(A)
        real_expected = np.all(np.abs(we.imag) == 0)
        raw = res["__raw__"]["eigenvalues"]
        if real_expected:
            record(f"{tag} real eigenvalues given as real array", "data" in raw, f"keys {sorted(raw)}")
        else:
            record(f"{tag} complex eigenvalues as re/im", "re" in raw and "im" in raw, f"keys {sorted(raw)}")
            record(f"{tag} complex eigenvectors as re/im", "re" in res["__raw__"]["eigenvectors"], f"keys {sorted(res['__raw__']['eigenvectors'])}")
        ws = np.sort_complex(np.asarray(w, dtype=complex))
        close(f"{tag} eigenvalues (sorted)", ws, np.sort_complex(we), rtol=1e-9, atol=1e-10, cmd=res["__cmd__"])
        V = np.asarray(V, dtype=complex)
        close(f"{tag} A V = V Λ", A @ V, V * np.asarray(w, dtype=complex)[None, :], atol=1e-9 * max(1, np.abs(A).max()))
        close(f"{tag} unit columns", np.linalg.norm(V, axis=0), np.ones(A.shape[0]), atol=1e-12)

    A = r.standard_normal((5, 5))
    for lab, f in three_formats("eg_a", A):
        res = jrun(f"eig: {lab}", ["eig", f], keys=["eigenvalues", "eigenvectors"])
        if res:
            check_eig(f"eig: {lab}", A, res)
    cases = {
        "rotation": np.array([[0.0, -1], [1, 0]]),
        "real_nonsym": np.array([[2.0, 1], [0, 3]]),
        "symmetric": np.array([[2.0, 1], [1, 2]]),
        "1x1": np.array([[7.0]]),
        "triangular": np.triu(r.standard_normal((4, 4))),
        "companion": np.array([[0, 0, 0, -6.0], [1, 0, 0, 11], [0, 1, 0, -6], [0, 0, 1, 0]]),  # not used directly
        "scaled300": r.standard_normal((4, 4)) * 1e300,
        "scaled-300": r.standard_normal((4, 4)) * 1e-300,
        "zero": np.zeros((3, 3)),
        "mixed": np.array([[1.0, 2, 0], [-2, 1, 0], [0, 0, 3]]),
    }
    for k, M in cases.items():
        res = jrun(f"eig: {k}", ["eig", save_npy(f"eg_{k}.npy", M)])
        if res:
            if k.startswith("scaled"):
                s = 1e300 if k == "scaled300" else 1e-300
                w = np.sort_complex(np.asarray(res.get("eigenvalues"), dtype=complex))
                close(f"eig: {k} eigenvalues (sorted)", w, np.sort_complex(np.linalg.eigvals(M / s)) * s, rtol=1e-8, atol=0)
            else:
                check_eig(f"eig: {k}", M, res)
    expect_fail("eig: non-square", ["eig", save_npy("eg_ns.npy", np.ones((2, 3)))], 1, contains="eig")
    # defective matrix (Jordan block): eigenvalues only
    J = np.array([[1.0, 1], [0, 1]])
    res = jrun("eig: Jordan block", ["eig", save_npy("eg_j.npy", J)])
    if res:
        close("eig: Jordan eigenvalues", np.real(res.get("eigenvalues")), [1.0, 1.0], atol=1e-8)
    # --out-dir with complex -> only float64 files? contract says float64 .npy; complex maybe re/im
    od = P("eg_od")
    rr = run(["eig", save_npy("eg_rot2.npy", cases["rotation"]), "--out-dir", od])
    record("eig: complex --out-dir exit 0", rr.rc == 0, f"exit {rr.rc} {short(rr.err)}; files {os.listdir(od) if os.path.isdir(od) else None}")


def sec_svd():
    r = rng(15)
    for shape in [(6, 4), (4, 6), (5, 5), (1, 3), (3, 1), (1, 1)]:
        A = r.standard_normal(shape)
        fmts = three_formats(f"sv_{shape[0]}{shape[1]}", A) if min(shape) > 1 else [("npy", save_npy(f"sv_{shape[0]}{shape[1]}.npy", A))]
        for lab, f in fmts:
            for full in [False, True]:
                res = jrun(f"svd: {shape} {lab} full={full}", ["svd", f] + (["--full"] if full else []), keys=["u", "s", "vt"])
                if not res:
                    continue
                U, s, Vt = res.get("u"), res.get("s"), res.get("vt")
                Ue, se, Vte = np.linalg.svd(A, full_matrices=full)
                shp = (getattr(U, "shape", None), getattr(s, "shape", None), getattr(Vt, "shape", None))
                ok = shp == (Ue.shape, se.shape, Vte.shape)
                record(f"svd: {shape} {lab} full={full} shapes {Ue.shape} {se.shape} {Vte.shape}", ok, f"{res['__cmd__']} got {shp}")
                if not ok:
                    continue
                close(f"svd: {shape} {lab} full={full} s", s, se, rtol=1e-10, atol=1e-12, cmd=res["__cmd__"])
                k = len(s)
                close(f"svd: {shape} {lab} full={full} U S Vt = A", (U[:, :k] * s) @ Vt[:k], A, atol=1e-11)
                close(f"svd: {shape} {lab} full={full} UᵀU = I", U.T @ U, np.eye(U.shape[1]), atol=1e-12)
                close(f"svd: {shape} {lab} full={full} VtVtᵀ = I", Vt @ Vt.T, np.eye(Vt.shape[0]), atol=1e-12)
    cases = {"rankdef": np.outer([1.0, 2, 3, 4], [1.0, -1, 2]), "zero": np.zeros((3, 2)), "scaled300": r.standard_normal((4, 3)) * 1e300,
             "scaled-300": r.standard_normal((4, 3)) * 1e-300, "scaled150": r.standard_normal((4, 3)) * 1e150,
             "ill": np.linalg.qr(r.standard_normal((5, 5)))[0] @ np.diag(np.logspace(0, -12, 5)),
             "repeated": np.eye(3) * 2, "tall100": r.standard_normal((100, 7)), "wide100": r.standard_normal((7, 100))}
    for k, M in cases.items():
        res = jrun(f"svd: {k}", ["svd", save_npy(f"sv_{k}.npy", M)])
        if res:
            U, s, Vt = res.get("u"), res.get("s"), res.get("vt")
            se = np.linalg.svd(M, compute_uv=False)
            sc = max(se.max(), 1e-320)
            close(f"svd: {k} s", s, se, rtol=1e-9, atol=sc * 1e-14, cmd=res["__cmd__"])
            if U is not None and Vt is not None and U.shape[1] == len(s):
                with np.errstate(all="ignore"):
                    close(f"svd: {k} reconstruction (relative)", ((U * s) @ Vt) / sc, M / sc, atol=1e-12)
                close(f"svd: {k} UᵀU = I", U.T @ U, np.eye(U.shape[1]), atol=1e-12)
                close(f"svd: {k} VVᵀ = I", Vt @ Vt.T, np.eye(Vt.shape[0]), atol=1e-12)
            record(f"svd: {k} s descending", np.all(np.diff(s) <= 0), f"{s}")
    r1 = run(["svd", save_npy("sv_1d.npy", np.ones(3))])
    record("svd: 1-d input exit 1", r1.rc == 1 and no_panic(r1), f"exit {r1.rc} {short(r1.err)}")
    # --out-dir
    od = P("sv_od")
    rr = run(["svd", save_npy("sv_odA.npy", np.arange(6.0).reshape(3, 2)), "--out-dir", od])
    if rr.rc == 0:
        files = sorted(os.listdir(od))
        record("svd: --out-dir files u.npy s.npy vt.npy", files == ["s.npy", "u.npy", "vt.npy"], f"{files}")
        for n in files:
            x = np.load(os.path.join(od, n))
            record(f"svd: --out-dir {n} float64 C-order", x.dtype == np.float64 and x.flags.c_contiguous, f"{x.dtype}")
    else:
        record("svd: --out-dir", False, f"exit {rr.rc} {short(rr.err)}")


def sec_lowrank():
    r = rng(16)
    A = r.standard_normal((6, 5))
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    for lab, f in three_formats("lr_a", A):
        for k in [1, 2, 5]:
            res = jrun(f"lowrank: {lab} -k {k}", ["lowrank", f, "-k", k], keys=["approx", "frobenius_error", "energy"])
            if res:
                ap = (U[:, :k] * s[:k]) @ Vt[:k]
                close(f"lowrank: {lab} -k {k} approx", res.get("approx"), ap, rtol=1e-9, atol=1e-11, cmd=res["__cmd__"])
                close(f"lowrank: {lab} -k {k} frobenius_error", res.get("frobenius_error"), np.linalg.norm(A - ap), rtol=1e-8, atol=1e-12, cmd=res["__cmd__"])
                close(f"lowrank: {lab} -k {k} energy", res.get("energy"), s[:k].sum() / s.sum(), rtol=1e-10, cmd=res["__cmd__"])
    expect_fail("lowrank: -k 6 > min(m,n) exit 1", ["lowrank", save_npy("lr_b.npy", A), "-k", "6"], 1, contains="lowrank")
    r0 = run(["lowrank", save_npy("lr_c.npy", A), "-k", "0"])
    record("lowrank: -k 0 exit 1 or 2 (no panic)", r0.rc in (1, 2) and no_panic(r0) and r0.err.startswith("error:"), f"exit {r0.rc} {short(r0.err)}")
    res = jrun("lowrank: zero matrix", ["lowrank", save_npy("lr_z.npy", np.zeros((3, 3))), "-k", "1"])
    if res:
        close("lowrank: zero approx", res.get("approx"), np.zeros((3, 3)))
        close("lowrank: zero frobenius_error", res.get("frobenius_error"), 0.0)
        record("lowrank: zero matrix energy is nan or 0/1 (0/0), reported as string if nan", res["__raw__"].get("energy") in ("nan", 0, 0.0, 1, 1.0), f"{res['__raw__'].get('energy')}")
    out = P("lr_out.npy")
    rr = run(["lowrank", save_npy("lr_o.npy", A), "-k", "2", "--out", out])
    if rr.rc == 0 and os.path.exists(out):
        close("lowrank: --out approx", np.load(out), (U[:, :2] * s[:2]) @ Vt[:2], rtol=1e-9)
    else:
        record("lowrank: --out (single array result approx)", False, f"exit {rr.rc} {short(rr.err)}")
    # default -k?
    rk = run(["lowrank", save_npy("lr_d.npy", A), "--json"])
    record("lowrank: no -k is exit 0 (default) or 2 (required)", rk.rc in (0, 2) and no_panic(rk), f"exit {rk.rc} {short(rk.err)}")
    for sc in [1e300, 1e-300]:
        res = jrun(f"lowrank: scaled {sc:g}", ["lowrank", save_npy(f"lr_s{sc:g}.npy", A * sc), "-k", "2"])
        if res:
            ap = (U[:, :2] * s[:2]) @ Vt[:2] * sc
            close(f"lowrank: scaled {sc:g} approx", res.get("approx"), ap, rtol=1e-8, atol=0)
            close(f"lowrank: scaled {sc:g} frobenius_error", res.get("frobenius_error"), np.sqrt((s[2:] ** 2).sum()) * sc, rtol=1e-8, atol=0)
            close(f"lowrank: scaled {sc:g} energy", res.get("energy"), s[:2].sum() / s.sum(), rtol=1e-10)


def sk_pca(X, k, solver="full"):
    from sklearn.decomposition import PCA
    p = PCA(n_components=k, svd_solver=solver, random_state=0)
    T = p.fit_transform(X)
    return p, T


def sec_pca():
    r = rng(17)
    X = r.standard_normal((40, 5)) @ np.diag([5.0, 3, 1, 0.5, 0.1]) + np.array([1, -2, 3, 0, 10])

    def cmp(tag, res, X, k, rtol=1e-8, sign=True):
        p, T = sk_pca(X, k)
        C = res.get("components")
        if C is None or C.shape != p.components_.shape:
            record(f"{tag} components shape {p.components_.shape}", False, f"{res['__cmd__']} got {getattr(C, 'shape', None)}")
            return
        if sign:
            close(f"{tag} components (svd_flip signs)", C, p.components_, rtol=rtol, atol=1e-9, cmd=res["__cmd__"])
            close(f"{tag} transformed", res.get("transformed"), T, rtol=rtol, atol=1e-8, cmd=res["__cmd__"])
        else:
            record(f"{tag} components up to sign", cols_up_to_sign(C.T, p.components_.T, rtol=1e-4, atol=1e-5), f"{res['__cmd__']}")
        close(f"{tag} explained_variance", res.get("explained_variance"), p.explained_variance_, rtol=rtol, atol=1e-10, cmd=res["__cmd__"])
        close(f"{tag} explained_variance_ratio", res.get("explained_variance_ratio"), p.explained_variance_ratio_, rtol=rtol, atol=1e-12, cmd=res["__cmd__"])
        close(f"{tag} singular_values", res.get("singular_values"), p.singular_values_, rtol=rtol, atol=1e-10, cmd=res["__cmd__"])
        close(f"{tag} mean", res.get("mean"), p.mean_, rtol=1e-12, atol=1e-12, cmd=res["__cmd__"])

    keys = ["components", "explained_variance", "explained_variance_ratio", "singular_values", "mean", "transformed"]
    for lab, f in three_formats("pc_x", X):
        for k in [None, 2, 5]:
            res = jrun(f"pca: {lab} k={k}", ["pca", f] + (["-k", k] if k else []), keys=keys)
            if res:
                cmp(f"pca: {lab} k={k}", res, X, k if k else min(X.shape))
    for solver in ["auto", "eigh", "svd"]:
        res = jrun(f"pca: --solver {solver}", ["pca", save_npy("pc_s.npy", X), "-k", "3", "--solver", solver])
        if res:
            cmp(f"pca: --solver {solver}", res, X, 3, rtol=1e-7)
    res = jrun("pca: --solver randomized", ["pca", save_npy("pc_r.npy", X), "-k", "2", "--solver", "randomized", "--seed", "3"])
    if res:
        cmp("pca: --solver randomized", res, X, 2, rtol=1e-5)
    # wide data (n_samples < n_features)
    Xw = r.standard_normal((6, 10))
    res = jrun("pca: wide 6x10", ["pca", save_npy("pc_w.npy", Xw)])
    if res:
        p, T = sk_pca(Xw, 6)
        C = res.get("components")
        record("pca: wide default k = min(n_samples, n_features) = 6", getattr(C, "shape", None) == (6, 10), f"{getattr(C, 'shape', None)}")
        if getattr(C, "shape", None) == (6, 10):
            # last component is degenerate (zero variance) -> compare first 5
            close("pca: wide components[:5]", C[:5], p.components_[:5], rtol=1e-7, atol=1e-9)
            close("pca: wide explained_variance", res.get("explained_variance"), p.explained_variance_, rtol=1e-7, atol=1e-10)
            close("pca: wide transformed[:, :5]", res.get("transformed")[:, :5], T[:, :5], rtol=1e-7, atol=1e-8)
    res = jrun("pca: wide 6x10 -k 3", ["pca", save_npy("pc_w3.npy", Xw), "-k", "3"])
    if res:
        cmp("pca: wide -k 3", res, Xw, 3, rtol=1e-7)
    # large-ish n_features so auto uses randomized in sklearn (shape > 500, k < 0.8 min)
    Xl = r.standard_normal((600, 30)) @ np.diag(np.logspace(1, -2, 30))
    res = jrun("pca: 600x30 auto k=3", ["pca", save_npy("pc_l.npy", Xl), "-k", "3"], timeout=60)
    if res:
        cmp("pca: 600x30 auto k=3", res, Xl, 3, rtol=1e-6)
    expect_fail("pca: -k too large", ["pca", save_npy("pc_k.npy", X), "-k", "6"], 1, contains="pca")
    expect_fail("pca: 1-d input", ["pca", save_npy("pc_1d.npy", np.ones(5))], 1)
    res = jrun("pca: single sample?", ["pca", save_npy("pc_1s.npy", np.ones((1, 3)))]) if False else None
    r1 = run(["pca", save_npy("pc_1s.npy", np.ones((1, 3))), "--json"])
    record("pca: 1 sample -> exit 1 or finite/nan output, no panic", r1.rc in (0, 1) and no_panic(r1), f"exit {r1.rc} {short(r1.err)}")
    # constant data: zero variance -> sklearn gives ratio nan? check no panic and consistent
    Xc = np.ones((5, 3))
    r2 = run(["pca", save_npy("pc_c.npy", Xc), "--json"])
    record("pca: constant data no panic", r2.rc in (0, 1) and no_panic(r2), f"exit {r2.rc} {short(r2.err)}")
    if r2.rc == 0:
        try:
            parse_json(r2.out)
            record("pca: constant data JSON valid (nan as strings)", True)
        except Exception as e:  # noqa: BLE001
            record("pca: constant data JSON valid (nan as strings)", False, f"{e} {short(r2.out)}")
    # seed determinism
    f = save_npy("pc_seed.npy", Xl)
    a = run(["pca", f, "-k", "3", "--solver", "randomized", "--seed", "5", "--json"])
    b = run(["pca", f, "-k", "3", "--solver", "randomized", "--seed", "5", "--json"])
    record("pca: randomized deterministic for a fixed seed", a.rc == 0 and a.out == b.out, f"exit {a.rc}")
    # scaled
    for sc in [1e150, 1e-150]:
        res = jrun(f"pca: scaled {sc:g}", ["pca", save_npy(f"pc_sc{sc:g}.npy", X * sc), "-k", "2"])
        if res:
            p, T = sk_pca(X, 2)
            close(f"pca: scaled {sc:g} components", res.get("components"), p.components_, rtol=1e-7, atol=1e-9)
            close(f"pca: scaled {sc:g} explained_variance_ratio", res.get("explained_variance_ratio"), p.explained_variance_ratio_, rtol=1e-7)
            close(f"pca: scaled {sc:g} singular_values", res.get("singular_values"), p.singular_values_ * sc, rtol=1e-7, atol=0)
    od = P("pc_od")
    rr = run(["pca", save_npy("pc_odx.npy", X), "-k", "2", "--out-dir", od])
    if rr.rc == 0:
        files = sorted(os.listdir(od))
        exp = sorted(k + ".npy" for k in keys)
        record("pca: --out-dir writes every named array", files == exp, f"{files} vs {exp}")
        if "components.npy" in files:
            p, T = sk_pca(X, 2)
            close("pca: --out-dir components.npy values", np.load(os.path.join(od, "components.npy")), p.components_, rtol=1e-8, atol=1e-9)
    else:
        record("pca: --out-dir", False, f"exit {rr.rc} {short(rr.err)}")


def sec_tsvd():
    from scipy import sparse
    from sklearn.decomposition import TruncatedSVD

    r = rng(18)
    # decaying spectrum
    m, n = 80, 30
    U, _ = np.linalg.qr(r.standard_normal((m, n)))
    V, _ = np.linalg.qr(r.standard_normal((n, n)))
    X = (U * (2.0 ** -np.arange(n) * 100)) @ V.T

    def sk(X, k, algorithm="arpack"):
        t = TruncatedSVD(n_components=k, algorithm=algorithm, n_iter=5, random_state=0)
        T = t.fit_transform(X)
        return t, T

    def exact_ref(X, k):
        Xd = X.toarray() if sparse.issparse(X) else X
        Uu, s, Vt = np.linalg.svd(Xd, full_matrices=False)
        Vt, Uu, _ = svd_flip_rows(Vt[:k], Uu[:, :k])
        T = Uu * s[:k]
        ev = np.var(T, axis=0)
        full = np.var(Xd, axis=0).sum()
        return Vt, s[:k], ev, ev / full, T

    def cmp(tag, res, X, k, rtol=1e-8, signs=True):
        C, s, ev, evr, T = exact_ref(X, k)
        got = res.get("components")
        if got is None or got.shape != C.shape:
            record(f"{tag} components shape {C.shape}", False, f"{res['__cmd__']} got {getattr(got, 'shape', None)}")
            return
        if signs:
            close(f"{tag} components (svd_flip)", got, C, rtol=rtol, atol=1e-9, cmd=res["__cmd__"])
            close(f"{tag} transformed", res.get("transformed"), T, rtol=rtol, atol=1e-8, cmd=res["__cmd__"])
        else:
            record(f"{tag} components up to sign", cols_up_to_sign(got.T, C.T, rtol=1e-4, atol=1e-6), res["__cmd__"])
        close(f"{tag} singular_values", res.get("singular_values"), s, rtol=rtol, atol=1e-10, cmd=res["__cmd__"])
        close(f"{tag} explained_variance", res.get("explained_variance"), ev, rtol=max(rtol, 1e-7), atol=1e-10, cmd=res["__cmd__"])
        close(f"{tag} explained_variance_ratio", res.get("explained_variance_ratio"), evr, rtol=max(rtol, 1e-7), atol=1e-12, cmd=res["__cmd__"])

    keys = ["components", "singular_values", "explained_variance", "explained_variance_ratio", "transformed"]
    fX = dict(three_formats("ts_x", X))
    for lab, f in fX.items():
        res = jrun(f"tsvd: {lab} default (k=2, randomized)", ["tsvd", f], keys=keys)
        if res:
            cmp(f"tsvd: {lab} default k=2 randomized", res, X, 2, rtol=1e-6)
            t, T = sk(X, 2, "randomized")
            close(f"tsvd: {lab} default vs sklearn randomized singular_values", res.get("singular_values"), t.singular_values_, rtol=1e-6)
            close(f"tsvd: {lab} default vs sklearn explained_variance_ratio", res.get("explained_variance_ratio"), t.explained_variance_ratio_, rtol=1e-5)
        res = jrun(f"tsvd: {lab} exact k=4", ["tsvd", f, "-k", "4", "--algorithm", "exact"], keys=keys)
        if res:
            cmp(f"tsvd: {lab} exact k=4", res, X, 4, rtol=1e-9)
    # sklearn arpack on sparse data with real sparsity
    S = sparse.random(60, 25, density=0.15, random_state=1, format="csr")
    S.data = r.standard_normal(S.nnz)
    from scipy.io import mmwrite
    mmwrite(P("ts_sp.mtx"), S)
    Sd = S.toarray()
    save_npy("ts_spd.npy", Sd)
    for lab, f in [("mtx", P("ts_sp.mtx")), ("npy", P("ts_spd.npy"))]:
        res = jrun(f"tsvd: sparse-ish {lab} exact k=3", ["tsvd", f, "-k", "3", "--algorithm", "exact"])
        if res:
            cmp(f"tsvd: sparse-ish {lab} exact k=3", res, Sd, 3, rtol=1e-8)
            t, T = sk(S, 3, "arpack")
            close(f"tsvd: sparse-ish {lab} exact vs sklearn arpack explained_variance", res.get("explained_variance"), t.explained_variance_, rtol=1e-7)
            close(f"tsvd: sparse-ish {lab} exact vs sklearn arpack components", res.get("components"), t.components_, rtol=1e-6, atol=1e-8)
        res = jrun(f"tsvd: sparse-ish {lab} randomized k=3 iters 20", ["tsvd", f, "-k", "3", "--iters", "20"])
        if res:
            t, T = sk(S, 3, "arpack")
            close(f"tsvd: sparse-ish {lab} randomized iters 20 singular_values ≈ exact", res.get("singular_values"), t.singular_values_, rtol=1e-4)
    # randomized with decaying spectrum: top singular values close to sklearn
    for it in ["1", "5", "10"]:
        res = jrun(f"tsvd: randomized --iters {it} k=5", ["tsvd", fX["npy"], "-k", "5", "--iters", it, "--seed", "7"])
        if res:
            t, T = sk(X, 5, "randomized")
            close(f"tsvd: randomized --iters {it} k=5 singular_values vs sklearn", res.get("singular_values"), t.singular_values_, rtol=1e-4 if it != "1" else 1e-2)
    f = fX["npy"]
    a = run(["tsvd", f, "-k", "3", "--seed", "11", "--json"])
    b = run(["tsvd", f, "-k", "3", "--seed", "11", "--json"])
    record("tsvd: deterministic for fixed seed", a.rc == 0 and a.out == b.out, f"exit {a.rc}")
    res = jrun("tsvd: randomized -k == n_features allowed (sklearn: n_components <= n_features)", ["tsvd", f, "-k", "30"])
    expect_fail("tsvd: -k > n_features exit 1", ["tsvd", f, "-k", "31"], 1, contains="tsvd")
    res = jrun("tsvd: exact -k n_features-1", ["tsvd", f, "-k", "29", "--algorithm", "exact"])
    if res:
        record("tsvd: exact k=n_features-1 shape", getattr(res.get("components"), "shape", None) == (29, 30), "")
    r0 = run(["tsvd", f, "-k", "0"])
    record("tsvd: -k 0 exit 1 or 2", r0.rc in (1, 2) and no_panic(r0), f"exit {r0.rc}")
    # Big sparse matrix kept sparse: 200000 x 50000 with few entries must not densify
    lines = ["%%MatrixMarket matrix coordinate real general", "200000 50000 6"]
    ents = [(1, 1, 5.0), (2, 2, 4.0), (3, 3, 3.0), (100000, 40000, 2.0), (200000, 50000, 1.0), (5, 7, 0.5)]
    lines += [f"{i} {j} {v}" for i, j, v in ents]
    write("ts_big.mtx", "\n".join(lines) + "\n")
    rb = run(["tsvd", P("ts_big.mtx"), "-k", "2", "--json"], timeout=60)
    ok = rb.rc == 0 and no_panic(rb)
    record("tsvd: 200000x50000 sparse (1e10 dense cells) not densified, 4GB limit", ok, f"exit {rb.rc} in {rb.dt:.1f}s {short(rb.err)}")
    if ok:
        try:
            d = parse_json(rb.out)
            sv = decode(d["singular_values"])
            close("tsvd: big sparse singular_values [5,4]", sv, [5.0, 4.0], rtol=1e-6)
            nn = 200000.0
            vals = np.array([5.0, 4, 3, 2, 1, 0.5])
            col_var = vals ** 2 / nn - (vals / nn) ** 2
            close("tsvd: big sparse explained_variance (var over 200000 rows)", decode(d["explained_variance"]), col_var[:2], rtol=1e-6)
            close("tsvd: big sparse explained_variance_ratio (total variance computed sparsely)", decode(d["explained_variance_ratio"]), col_var[:2] / col_var.sum(), rtol=1e-6)
            C = decode(d["components"])
            record("tsvd: big sparse components are e1, e2 (svd_flip: positive)", C.shape == (2, 50000) and np.isclose(C[0, 0], 1) and np.isclose(C[1, 1], 1), f"{C[:, :3]}")
        except Exception as e:  # noqa: BLE001
            record("tsvd: big sparse output", False, str(e))
    rb = run(["tsvd", P("ts_big.mtx"), "-k", "2", "--algorithm", "exact", "--json"], timeout=60)
    ok = rb.rc == 0 and no_panic(rb)
    record("tsvd: --algorithm exact on 200000x50000 sparse: never densified (contract), 4GB limit", ok, f"exit {rb.rc} in {rb.dt:.1f}s {short(rb.err)}")
    if ok:
        close("tsvd: exact big sparse singular_values [5,4]", decode(parse_json(rb.out)["singular_values"]), [5.0, 4.0], rtol=1e-9)
    rn = run(["norm", P("ts_big.mtx"), "--json"], timeout=30)
    record("norm: 200000x50000 sparse fro without densifying", rn.rc == 0 and rn.out and abs(decode(parse_json(rn.out)["norm"]) - np.sqrt(25 + 16 + 9 + 4 + 1 + 0.25)) < 1e-9 if rn.rc == 0 else False, f"exit {rn.rc} {short(rn.err)}")
    for o in ["2", "-2", "nuc"]:
        rn = run(["norm", P("ts_big.mtx"), f"--ord={o}", "--json"], timeout=30)
        ok = rn.rc == 0 or (rn.rc == 1 and rn.err.startswith("error: norm"))
        record(f"norm: --ord={o} on 200000x50000 sparse: computed sparsely (contract: norm keeps .mtx sparse) or an 'error: norm: ...' line",
               ok, f"exit {rn.rc} {short(rn.err)}")
    rn = run(["norm", P("ts_big.mtx"), "--ord=2", "--json"], timeout=30)
    if rn.rc == 0:
        close("norm: --ord=2 on big sparse = 5", decode(parse_json(rn.out)["norm"]), 5.0, rtol=1e-9)
    rn = run(["norm", P("ts_big.mtx"), "--ord=-inf", "--json"], timeout=30)
    record("norm: --ord=-inf on sparse with zero rows is 0.0 (not -0.0)", rn.rc == 0 and '"norm": 0.0' in rn.out, f"exit {rn.rc} {short(rn.out)}")
    rn = run(["norm", save_npy("ts_zr.npy", np.array([[0.0, 0], [1, 2]])), "--ord=-inf", "--json"], timeout=30)
    record("norm: --ord=-inf dense with zero row is 0.0 (not -0.0)", rn.rc == 0 and '"norm": 0.0' in rn.out, f"exit {rn.rc} {short(rn.out)}")
    ri = run(["info", P("ts_big.mtx"), "--json"], timeout=30)
    record("info: 200000x50000 sparse without densifying", ri.rc == 0, f"exit {ri.rc} {short(ri.err)}")
    rm = run(["matmul", P("ts_big.mtx"), save_npy("ts_ones.npy", np.ones(50000)), "--json"], timeout=30)
    ok = rm.rc == 0
    if ok:
        pr = decode(parse_json(rm.out)["product"])
        ok = pr.shape == (200000,) and pr[0] == 5.0 and pr[4] == 0.5
    record("matmul: 200000x50000 sparse @ vector without densifying", ok, f"exit {rm.rc} {short(rm.err)}")
    # zero-variance / zero matrix
    rz = run(["tsvd", save_npy("ts_z.npy", np.zeros((5, 4))), "-k", "2", "--json"])
    record("tsvd: zero matrix no panic (0 or 1), JSON valid", rz.rc in (0, 1) and no_panic(rz), f"exit {rz.rc} {short(rz.err)}")


def sec_check():
    r = rng(19)
    M = r.standard_normal((4, 4))
    S = M + M.T
    Q, _ = np.linalg.qr(M)
    PD = M @ M.T + np.eye(4)
    cases = {
        "sym_indef": (S, True, False, False),
        "orth": (Q, np.allclose(Q, Q.T), True, False),
        "pd": (PD, True, False, True),
        "eye": (np.eye(3), True, True, True),
        "nonsq": (np.ones((2, 3)), False, False, False),
        "zero": (np.zeros((2, 2)), True, False, False),
        "nearsym": (PD + 1e-10 * np.triu(np.ones(4), 1), True, False, True),
        "psd_singular": (np.ones((2, 2)), True, False, False),
        "neg_eye": (-np.eye(2), True, True, False),
    }
    for k, (A, sy, orth, pd) in cases.items():
        fmts = three_formats(f"ck_{k}", A) if k not in ("zero",) else [("npy", save_npy("ck_zero.npy", A))]
        for lab, f in fmts:
            res = jrun(f"check: {k} {lab}", ["check", f], keys=["symmetric", "orthogonal", "positive_definite"])
            if res:
                raw = res["__raw__"]
                got = (raw.get("symmetric"), raw.get("orthogonal"), raw.get("positive_definite"))
                record(f"check: {k} {lab} = {(sy, orth, pd)} (JSON booleans)", got == (sy, orth, pd) and all(type(x) is bool for x in got), f"{res['__cmd__']} got {got}")
    for d in [1e-12, 1e-17, 1e-20, 1e-300]:
        res = jrun(f"check: diag(1, {d:g})", ["check", save_npy("ck_pdtiny.npy", np.diag([1.0, d]))])
        if res:
            record(f"check: diag(1, {d:g}) positive_definite true (contract: all eigenvalues > 0; NumPy eigvalsh gives {np.linalg.eigvalsh(np.diag([1.0, d])).min():g})",
                   res["positive_definite"] is True, f"got {res['__raw__']}")
    # a non-square orthonormal-columns matrix: contract: all false for non-square
    Qt = np.linalg.qr(r.standard_normal((4, 2)))[0]
    res = jrun("check: non-square with orthonormal columns", ["check", save_npy("ck_qt.npy", Qt)])
    if res:
        raw = res["__raw__"]
        record("check: non-square -> all false", (raw.get("symmetric"), raw.get("orthogonal"), raw.get("positive_definite")) == (False, False, False), f"{raw}")
    r2 = run(["check", save_npy("ck_nan.npy", np.array([[np.nan, 0], [0, 1.0]])), "--json"])
    record("check: NaN input no panic", r2.rc in (0, 1) and no_panic(r2), f"exit {r2.rc} {short(r2.err)}")
    if r2.rc == 0:
        d = parse_json(r2.out)
        record("check: NaN matrix is not symmetric (allclose NaN != NaN)", d.get("symmetric") is False, f"{d}")


def sec_tour():
    r = run(["tour"], timeout=30)
    record("tour: exit 0", r.rc == 0, f"exit {r.rc} {short(r.err)}")
    record("tour: < 10 s", r.dt < 10, f"{r.dt:.1f}s")
    for s in ["58", "64", "139", "154"]:
        record(f"tour: output contains {s}", s in r.out, "")
    record("tour: eigenvalues 5 and 2", ("5" in r.out and "2" in r.out), "")
    rj = run(["tour", "--json"], timeout=30)
    secs = []
    try:
        d = parse_json(rj.out)
        secs = list(d.keys())
        record(f"tour --json: one object ({len(secs)} sections)", len(secs) >= 3, f"{secs}")
        flat = json.dumps(d)
        for s in ["58", "64", "139", "154"]:
            record(f"tour --json contains {s}", s in flat, "")
        # weights ≈ [1,2,-1,3]
        found = []

        def walk(x):
            if isinstance(x, dict):
                if "data" in x and isinstance(x.get("shape"), list) and x["shape"] == [4]:
                    found.append(x["data"])
                for v in x.values():
                    walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)

        walk(d)
        ok = any(all(isinstance(a, (int, float)) for a in w) and np.allclose(w, [1, 2, -1, 3], atol=0.05) for w in found)
        record("tour --json: a 4-vector ≈ [1, 2, -1, 3] (regression weights)", ok, f"4-vectors found: {found[:5]}")

        def has_ev(x):
            s = json.dumps(x)
            return ("5.0" in s or "5," in s or "4.99999" in s) and ("2.0" in s or "1.99999" in s)
        record("tour --json: eigenvalues 5 and 2 somewhere", has_ev(d), "")
    except Exception as e:  # noqa: BLE001
        record("tour --json: one JSON object", False, f"{e} exit {rj.rc} {short(rj.out)} {short(rj.err)}")
    for s in secs[:20]:
        rs = run(["tour", "--section", s, "--json"], timeout=20)
        ok = rs.rc == 0
        try:
            d = parse_json(rs.out)
            ok = ok and list(d.keys()) == [s]
        except Exception:  # noqa: BLE001
            ok = False
        record(f"tour --section {s} --json gives just that key", ok, f"exit {rs.rc} {short(rs.out, 100)} {short(rs.err)}")
        rh = run(["tour", "--section", s], timeout=20)
        record(f"tour --section {s} (human) exit 0", rh.rc == 0 and rh.out.strip() != "", f"exit {rh.rc}")


def sec_outputs():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    fa = save_npy("o_a.npy", A)
    # --out csv for 2-d
    out = P("o_inv.csv")
    rr = run(["inv", fa, "--out", out])
    if rr.rc == 0 and os.path.exists(out):
        close("out: inv --out .csv", np.loadtxt(out, delimiter=","), np.linalg.inv(A), rtol=1e-12)
    else:
        record("out: inv --out .csv", False, f"exit {rr.rc} {short(rr.err)}")
    # unknown extension for --out
    r2 = run(["inv", fa, "--out", P("o_inv.xyz")])
    record("out: --out .xyz rejected (exit 1 or 2), no file", r2.rc in (1, 2) and not os.path.exists(P("o_inv.xyz")) and r2.err.startswith("error:"), f"exit {r2.rc} {short(r2.err)}")
    # failing run leaves no file / existing file untouched
    sing = save_npy("o_sing.npy", np.array([[1.0, 2], [2, 4]]))
    out = P("o_fail.npy")
    rr = run(["inv", sing, "--out", out])
    record("out: failing inv leaves no --out file", rr.rc == 1 and not os.path.exists(out), f"exit {rr.rc} exists={os.path.exists(out)}")
    write("o_existing.npy", b"KEEP-ME", "wb")
    rr = run(["inv", sing, "--out", P("o_existing.npy")])
    record("out: failing inv leaves existing file untouched", rr.rc == 1 and open(P("o_existing.npy"), "rb").read() == b"KEEP-ME", f"exit {rr.rc}")
    write("o_existing2.npy", b"KEEP-ME", "wb")
    rr = run(["inv", save_npy("o_nan.npy", np.array([[np.nan, 1], [1, 1.0]])), "--out", P("o_existing2.npy")])
    record("out: non-finite inv leaves existing file untouched", rr.rc == 1 and open(P("o_existing2.npy"), "rb").read() == b"KEEP-ME", f"exit {rr.rc}")
    od = P("o_dir_fail")
    rr = run(["svd", save_npy("o_nan2.npy", np.array([[np.nan, 1], [1, 1.0]])), "--out-dir", od])
    record("out: failing svd --out-dir writes no files", rr.rc == 1 and (not os.path.isdir(od) or os.listdir(od) == []), f"exit {rr.rc} {os.listdir(od) if os.path.isdir(od) else None}")
    # a failure while writing the 2nd/3rd array must not leave the 1st behind
    od = P("o_partial")
    os.makedirs(os.path.join(od, "s.npy"), exist_ok=True)  # s.npy cannot be written: it is a directory
    rr = run(["svd", fa, "--out-dir", od])
    left = sorted(x for x in os.listdir(od) if x != "s.npy")
    record("out-dir: a failing write (s.npy is a directory) exits 1 and leaves no new file (u.npy/vt.npy/temp files)", rr.rc == 1 and left == [],
           f"exit {rr.rc}; left behind: {left}; {short(rr.err)}")
    # overwrite existing file on success
    write("o_over.npy", b"OLD", "wb")
    rr = run(["inv", fa, "--out", P("o_over.npy")])
    ok = rr.rc == 0
    try:
        ok = ok and np.allclose(np.load(P("o_over.npy")), np.linalg.inv(A))
    except Exception:  # noqa: BLE001
        ok = False
    record("out: successful --out replaces an existing file", ok, f"exit {rr.rc}")
    # no stray temp files left in the dir
    d = P("o_clean")
    os.makedirs(d, exist_ok=True)
    run(["inv", fa, "--out", os.path.join(d, "x.npy")])
    run(["inv", sing, "--out", os.path.join(d, "y.npy")])
    record("out: no temporary files left behind", sorted(os.listdir(d)) == ["x.npy"], f"{os.listdir(d)}")
    # scalar result with --out: det has no array -> usage error? (exit 2) - lenient: no panic, not 0 with a file
    rr = run(["det", fa, "--out", P("o_det.npy")])
    record("out: --out on det (no array result) is an error (1 or 2)", rr.rc in (1, 2) and rr.err.startswith("error:"), f"exit {rr.rc} {short(rr.err)} file={os.path.exists(P('o_det.npy'))}")
    # --out-dir for each multi-result command: every named array
    expected = {
        "svd": ([], ["u", "s", "vt"]), "qr": ([], ["q", "r"]), "eigh": ([], ["eigenvalues", "eigenvectors"]),
        "eig": ([], ["eigenvalues", "eigenvectors"]), "lstsq": ([save_npy("o_b.npy", np.ones(2))], ["x", "residuals", "singular_values"]),
        "inv": ([], ["inverse"]), "cholesky": ([], ["l"]), "transpose": ([], ["transpose"]), "lowrank": (["-k", "1"], ["approx"]),
        "tsvd": (["-k", "1"], ["components", "singular_values", "explained_variance", "explained_variance_ratio", "transformed"]),
        "outer": ([], ["outer"]), "matmul": ([fa], ["product"]), "solve": ([save_npy("o_b2.npy", np.ones(2))], ["x"]),
    }
    spd = save_npy("o_spd.npy", np.array([[2.0, 1], [1, 3]]))
    v = save_npy("o_v.npy", np.array([1.0, 2]))
    for c, (extra, names) in expected.items():
        inp = spd if c in ("cholesky", "eigh") else (v if c == "outer" else fa)
        if c == "outer":
            extra = [v]
        od = P(f"o_od_{c}")
        rr = run([c, inp] + extra + ["--out-dir", od])
        if rr.rc != 0:
            record(f"out-dir: {c}", False, f"exit {rr.rc} {short(rr.err)}")
            continue
        files = sorted(os.listdir(od))
        record(f"out-dir: {c} writes {sorted(n + '.npy' for n in names)}", set(n + ".npy" for n in names) <= set(files), f"got {files}")
        for n in files:
            try:
                x = np.load(os.path.join(od, n))
                record(f"out-dir: {c}/{n} float64 C-order", x.dtype == np.float64 and x.flags.c_contiguous, f"{x.dtype}")
            except Exception as e:  # noqa: BLE001
                record(f"out-dir: {c}/{n} readable", False, str(e))
    # out-dir values match JSON
    od = P("o_od_cmp")
    rr = run(["eigh", spd, "--out-dir", od, "--json"])
    if rr.rc == 0:
        d = parse_json(rr.out)
        close("out-dir: eigh eigenvalues.npy == JSON", np.load(os.path.join(od, "eigenvalues.npy")), decode(d["eigenvalues"]), rtol=0, atol=0)
    # --out-dir is a file
    write("o_isfile", "x")
    rr = run(["svd", fa, "--out-dir", P("o_isfile")])
    record("out-dir: DIR is an existing file -> exit 1 one error line", rr.rc == 1 and len(rr.err.splitlines()) == 1 and rr.err.startswith("error:"), f"exit {rr.rc} {short(rr.err)}")
    # --out into a missing directory
    rr = run(["inv", fa, "--out", P("o_missing_dir/x.npy")])
    record("out: --out into a missing directory -> exit 1 one error line (or creates it)", (rr.rc == 1 and rr.err.startswith("error:") and len(rr.err.splitlines()) == 1) or (rr.rc == 0 and os.path.exists(P("o_missing_dir/x.npy"))), f"exit {rr.rc} {short(rr.err)}")
    # --out .npy of a 1-d result, .csv of 1-d result
    rr = run(["solve", fa, save_npy("o_b3.npy", np.array([1.0, 2])), "--out", P("o_x.csv")])
    if rr.rc == 0:
        txt = open(P("o_x.csv")).read().split()
        close("out: solve --out .csv 1-d one value per line", [float(t) for t in txt], np.linalg.solve(A, [1, 2]), rtol=1e-12)
    else:
        record("out: solve --out .csv", False, f"exit {rr.rc} {short(rr.err)}")
    # json + out together
    rr = run(["inv", fa, "--out", P("o_both.npy"), "--json"])
    ok = rr.rc == 0 and os.path.exists(P("o_both.npy"))
    try:
        parse_json(rr.out)
    except Exception:  # noqa: BLE001
        ok = False
    record("out: --out with --json prints JSON and writes the file", ok, f"exit {rr.rc}")
    # human output sanity: numbers aligned & elided
    big = save_npy("o_big.npy", np.arange(2000.0).reshape(1000, 2))
    rr = run(["transpose", big])
    record("human: large array elided with '...'", rr.rc == 0 and "..." in rr.out and len(rr.out) < 5000, f"exit {rr.rc} len {len(rr.out)}")
    rr = run(["det", save_npy("o_nanv.npy", np.array([[np.nan]]))])
    record("human: det NaN exit 1 non-finite", rr.rc == 1, f"exit {rr.rc}")
    # --json with non-finite scalar at top level
    res = jrun("json: norm of inf vector is the string 'inf'", ["norm", save_npy("o_inf.npy", np.array([np.inf, 1.0]))])
    if res:
        record("json: norm inf as \"inf\"", res["__raw__"].get("norm") == "inf", f"{res['__raw__']}")


def sec_human():
    """Human output: arrays printed exactly as NumPy's str(), scalars as str(np.float64)."""
    r = rng(20)
    arrays = {
        "randn5x4": r.standard_normal((5, 4)),
        "ints": np.arange(12.0).reshape(3, 4),
        "halves": np.arange(12.0).reshape(4, 3) * 1.5,
        "mixed_exp": np.array([[1e-5, 1.0], [3.0, 2e6]]),
        "huge": np.array([1e16, 2.5, -3.0]),
        "tiny": np.array([1e-9, 2e-9]),
        "nonfinite": np.array([np.nan, 1.5, np.inf, -np.inf]),
        "negzero": np.array([-0.0, 1.0]),
        "long1d": np.arange(2000.0),
        "tall": np.arange(3000.0).reshape(1500, 2),
        "big2d": r.standard_normal((40, 40)),
        "onethird": np.array([[1 / 3, 2 / 3], [0.1 + 0.2, 1e3]]),
        "1x1": np.array([[7.25]]),
        "zeros": np.zeros((2, 3)),
        "negs": -np.arange(1.0, 5.0),
        "1e8": np.array([1e8, 1.0]),
    }
    for k, a in arrays.items():
        f = save_npy(f"hu_{k}.npy", a.T.copy())
        rr = run(["transpose", f])
        if rr.rc != 0:
            record(f"human: transpose {k}", False, f"exit {rr.rc} {short(rr.err)}")
            continue
        head, _, body = rr.out.partition("\n")
        exp = str(a)
        record(f"human: transpose {k} body == numpy str()", body.strip() == exp.strip(),
               f"got:\n{body.rstrip()[:400]}\nexpected:\n{exp[:400]}")
        record(f"human: transpose {k} header shows shape {a.shape}", str(tuple(a.shape)) in head, f"header {head!r}")
    for val in [np.array([[2.0, 0], [0, 0.5]]), np.array([[1e-200, 0], [0, 1e-200]]), np.array([[3.0, 1], [1, 3]]) / 7]:
        rr = run(["det", save_npy("hu_det.npy", val)])
        lines = dict(l.split(None, 1) for l in rr.out.strip().splitlines() if l.strip())
        s_, l_ = np.linalg.slogdet(val)
        exp = {"det": str(np.float64(np.linalg.det(val))), "sign": str(np.float64(s_)), "logabsdet": str(np.float64(l_))}
        for key in exp:
            got = lines.get(key, "").strip()
            ok = got == exp[key] or (got and np.isclose(float(got), float(exp[key]), rtol=1e-14, atol=0))
            record(f"human: det {key} printed like NumPy ({exp[key]})", bool(ok), f"got {got!r}")


def sec_json_digits():
    """Numbers are written with the shortest round-tripping representation."""
    r = rng(21)
    x = np.concatenate([r.standard_normal(50), [0.1, 0.2, 0.3, 1 / 3, 1e-7, 1e22, 1e23, 5e-324, 2.2250738585072014e-308, 123.0, 0.5]])
    rr = run(["transpose", save_npy("jd.npy", x), "--json"])
    toks = []
    try:
        obj = json.loads(rr.out, parse_float=lambda t: toks.append(t) or float(t), parse_int=lambda t: toks.append(t) or int(t))
    except Exception as e:  # noqa: BLE001
        record("json: digits parse", False, str(e))
        return

    def sig(t):
        m = t.lower().split("e")[0].replace("-", "").replace(".", "").lstrip("0").rstrip("0")
        return len(m) or 1

    bad = []
    for t in toks[1:]:  # skip the shape
        v = float(t)
        if sig(t) > sig(repr(v)):
            bad.append((t, repr(v)))
    record("json: shortest round-trip digits", not bad, f"too many digits: {bad[:5]}")


def sec_consistency():
    """Internal identities that hold for any algorithm (randomized included)."""
    r = rng(22)
    X = r.standard_normal((120, 40)) @ np.diag(1.0 / np.arange(1, 41)) + 0.5
    f = save_npy("cs_x.npy", X)
    for algo in ["randomized", "exact"]:
        res = jrun(f"tsvd consistency {algo}", ["tsvd", f, "-k", "5", "--algorithm", algo])
        if not res:
            continue
        C, T = res["components"], res["transformed"]
        close(f"tsvd {algo}: transformed == X · componentsᵀ", T, X @ C.T, rtol=1e-9, atol=1e-10)
        close(f"tsvd {algo}: explained_variance == var(transformed, axis=0)", res["explained_variance"], np.var(T, axis=0), rtol=1e-9)
        close(f"tsvd {algo}: ratio == explained_variance / var(X).sum()", res["explained_variance_ratio"], np.var(T, axis=0) / np.var(X, axis=0).sum(), rtol=1e-9)
        close(f"tsvd {algo}: components orthonormal rows", C @ C.T, np.eye(5), atol=1e-10)
        vt, _, _ = svd_flip_rows(C.copy())
        close(f"tsvd {algo}: svd_flip sign convention (max |entry| of each row positive)", C, vt, rtol=0, atol=0)
        record(f"tsvd {algo}: singular values descending", np.all(np.diff(res["singular_values"]) <= 0), f"{res['singular_values']}")
    for solver in ["randomized", "svd", "eigh", "auto"]:
        res = jrun(f"pca consistency {solver}", ["pca", f, "-k", "5", "--solver", solver])
        if not res:
            continue
        C, T, mu = res["components"], res["transformed"], res["mean"]
        close(f"pca {solver}: mean == X.mean(0)", mu, X.mean(0), rtol=1e-12, atol=1e-14)
        close(f"pca {solver}: transformed == (X − mean) · componentsᵀ", T, (X - X.mean(0)) @ C.T, rtol=1e-9, atol=1e-10)
        close(f"pca {solver}: singular_values² / (n−1) == explained_variance", res["singular_values"] ** 2 / (X.shape[0] - 1), res["explained_variance"], rtol=1e-9)
        close(f"pca {solver}: ratio == explained_variance / total variance", res["explained_variance_ratio"], res["explained_variance"] / np.var(X, axis=0, ddof=1).sum(), rtol=1e-9)
        vt, _, _ = svd_flip_rows(C.copy())
        close(f"pca {solver}: svd_flip sign convention", C, vt, rtol=0, atol=0)


def sec_randomized_quality():
    """Randomized TruncatedSVD/PCA should be about as accurate as scikit-learn's (same n_iter, oversampling)."""
    from sklearn.decomposition import PCA, TruncatedSVD
    r = rng(23)
    m, n = 300, 120
    U, _ = np.linalg.qr(r.standard_normal((m, n)))
    V, _ = np.linalg.qr(r.standard_normal((n, n)))
    for name, spec in [("slow 1/i", 1.0 / np.arange(1, n + 1)), ("flat-ish 1/sqrt(i)", 1.0 / np.sqrt(np.arange(1, n + 1))),
                       ("fast 0.7^i", 0.7 ** np.arange(n))]:
        X = (U * spec) @ V.T
        f = save_npy(f"rq_{name.split()[0]}.npy", X)
        s_exact = spec[:10]
        for it in [5, 2]:
            fits = [TruncatedSVD(10, algorithm="randomized", n_iter=it, random_state=sd).fit(X) for sd in range(4)]
            t = fits[0]
            err_sk = max(np.abs(ti.singular_values_ - s_exact).max() for ti in fits) / s_exact[0]
            res = jrun(f"tsvd quality {name} iters {it}", ["tsvd", f, "-k", "10", "--iters", it])
            if res:
                err = np.abs(res["singular_values"] - s_exact).max() / s_exact[0]
                record(f"tsvd: randomized {name} --iters {it}: max rel error {err:.2e} <= 5 × sklearn's worst over 4 seeds {err_sk:.2e} (+1e-12)",
                       err <= 5 * err_sk + 1e-12, f"mlinalg {err:.3e} vs sklearn {err_sk:.3e}")
                close(f"tsvd: randomized {name} --iters {it} singular values vs sklearn (rtol 1e-2)", res["singular_values"], t.singular_values_, rtol=1e-2)
        pf = PCA(10, svd_solver="full").fit(X)
        err_sk = max(np.abs(PCA(10, svd_solver="randomized", random_state=sd).fit(X).explained_variance_ - pf.explained_variance_).max()
                     for sd in range(4)) / pf.explained_variance_[0]
        res = jrun(f"pca quality {name}", ["pca", f, "-k", "10", "--solver", "randomized"])
        if res:
            err = np.abs(res["explained_variance"] - pf.explained_variance_).max() / pf.explained_variance_[0]
            record(f"pca: randomized {name}: explained_variance rel error {err:.2e} <= 5 × sklearn's worst over 4 seeds {err_sk:.2e}", err <= 5 * err_sk + 1e-12, f"mlinalg {err:.3e} vs sklearn {err_sk:.3e}")


def sec_pca_hard():
    from sklearn.decomposition import PCA
    r = rng(24)
    # sklearn 'auto' picks 'full' here (n_samples < 10 * n_features, small): tiny components must be accurate
    U, _ = np.linalg.qr(r.standard_normal((30, 6)))
    V, _ = np.linalg.qr(r.standard_normal((6, 6)))
    X = (U * np.array([1.0, 1e-2, 1e-4, 1e-6, 1e-8, 1e-9])) @ V.T
    X = X - X.mean(0) + 3.0
    f = save_npy("ph_x.npy", X)
    pf = PCA(6, svd_solver="full").fit(X)
    for solver in ["auto", "svd"]:
        res = jrun(f"pca hard {solver}", ["pca", f, "--solver", solver])
        if res:
            close(f"pca: ill-conditioned --solver {solver}: singular_values (sklearn full, rtol 1e-5)", res["singular_values"], pf.singular_values_, rtol=1e-5, atol=1e-14)
            close(f"pca: ill-conditioned --solver {solver}: components[:4]", res["components"][:4], pf.components_[:4], rtol=1e-4, atol=1e-6)
    # rank-deficient: eigh clips negative variances to zero as sklearn's covariance_eigh does
    Xr = r.standard_normal((50, 2)) @ r.standard_normal((2, 4))
    fr = save_npy("ph_r.npy", Xr)
    for solver in ["eigh", "svd", "auto"]:
        res = jrun(f"pca rank-deficient {solver}", ["pca", fr, "--solver", solver])
        if res:
            ev = res["explained_variance"]
            record(f"pca: rank-deficient --solver {solver}: explained_variance >= 0 (no negative variances)", np.all(ev >= 0), f"{ev}")
            sv = res["singular_values"]
            record(f"pca: rank-deficient --solver {solver}: singular_values finite", np.all(np.isfinite(sv)), f"{sv}")
            pe = PCA(4, svd_solver="full").fit(Xr)
            close(f"pca: rank-deficient --solver {solver}: explained_variance_ratio", res["explained_variance_ratio"], pe.explained_variance_ratio_, rtol=1e-7, atol=1e-12)
    # sklearn's auto rule for a big-ish matrix picks randomized (max(shape) > 500, k < 0.8 min): values still close
    Xb = r.standard_normal((700, 60)) @ np.diag(0.8 ** np.arange(60))
    res = jrun("pca auto 700x60 k=5", ["pca", save_npy("ph_b.npy", Xb), "-k", "5"], timeout=60)
    if res:
        pf = PCA(5, svd_solver="full").fit(Xb)
        close("pca: auto 700x60 -k 5 explained_variance (rtol 1e-3)", res["explained_variance"], pf.explained_variance_, rtol=1e-3)


def sec_messages():
    a23 = save_npy("ms_a23.npy", np.arange(6.0).reshape(2, 3))
    rr = run(["matmul", a23, a23])
    record("message: matmul example exactly as in the contract", rr.err.strip() == "error: matmul: inner dimensions differ: (2, 3) @ (2, 3): 3 != 2", f"got {rr.err.strip()!r}")
    sing = save_npy("ms_sing.npy", np.array([[1.0, 2], [2, 4]]))
    nan = save_npy("ms_nan.npy", np.array([[np.nan, 2], [2, 4]]))
    cases = [
        (["inv", sing], "inv"), (["solve", sing, save_npy("ms_b.npy", np.ones(2))], "solve"),
        (["det", a23], "det"), (["inv", a23], "inv"), (["cholesky", sing], "cholesky"),
        (["eigh", save_npy("ms_ns.npy", np.array([[1.0, 2], [0, 1]]))], "eigh"), (["svd", nan], "svd"),
        (["lowrank", sing, "-k", "3"], "lowrank"), (["pca", sing, "-k", "3"], "pca"), (["tsvd", sing, "-k", "3"], "tsvd"),
        (["norm", a23, "--ord", "3"], "norm"), (["cosine", save_npy("ms_v2.npy", np.ones(2)), save_npy("ms_v3.npy", np.ones(3))], "cosine"),
        (["info", P("ms_missing.npy")], "info"), (["qr", nan], "qr"), (["rank", nan], "rank"), (["eig", a23], "eig"),
        (["trace", save_npy("ms_v.npy", np.ones(3))], "trace"), (["lstsq", a23, save_npy("ms_b3.npy", np.ones(3))], "lstsq"),
    ]
    for args, op in cases:
        rr = run(args)
        lines = rr.err.splitlines()
        ok = rr.rc == 1 and len(lines) == 1 and lines[0].startswith(f"error: {op}")
        record(f"message: `{' '.join(os.path.basename(a) for a in args)}` -> one line 'error: {op}...'", ok, f"exit {rr.rc} stderr {short(rr.err)}")
    # shapes mentioned
    rr = run(["solve", save_npy("ms_a33.npy", np.eye(3)), save_npy("ms_b2.npy", np.ones(2))])
    record("message: solve shape mismatch names both shapes", "(3, 3)" in rr.err and "(2,)" in rr.err, short(rr.err))
    rr = run(["lowrank", save_npy("ms_a34.npy", np.ones((3, 4))), "-k", "4"])
    record("message: lowrank -k too large names k and the limit", "4" in rr.err and "3" in rr.err, short(rr.err))


def sec_cli_forms():
    a = save_npy("cf_a.npy", np.array([[2.0, 1], [1, 3]]))
    for args in [["det", "--json", a], ["--json"] if False else None, ["norm", "--ord", "1", a, "--json"], ["norm", a, "--json", "--ord=1"]]:
        if args is None:
            continue
        rr = run(args)
        ok = rr.rc == 0
        try:
            parse_json(rr.out)
        except Exception:  # noqa: BLE001
            ok = False
        record(f"cli: options anywhere: `{' '.join(os.path.basename(x) for x in args)}`", ok, f"exit {rr.rc} {short(rr.err)}")
    sp = os.path.join(TMP, "dir with space é")
    os.makedirs(sp, exist_ok=True)
    f = os.path.join(sp, "my matrix.npy")
    np.save(f, np.eye(2))
    rr = run(["det", f, "--json"])
    record("cli: path with spaces and non-ASCII", rr.rc == 0, f"exit {rr.rc} {short(rr.err)}")
    rr = run(["det", f, "--out-dir", os.path.join(sp, "out dir")])
    record("cli: --out-dir with scalar-only results exit 0", rr.rc == 0, f"exit {rr.rc} {short(rr.err)}")
    rr = run(["--version"])
    record("cli: --version exit 0", rr.rc == 0 and rr.out.strip() != "", f"exit {rr.rc}")
    rr = run(["help", "det"])
    record("cli: `mlinalg help det` exit 0", rr.rc == 0, f"exit {rr.rc}")


def sec_npy_variants():
    a = np.array([[1.0, -2.0, 3.5], [4.0, 5.0, -6.25]])
    variants = {
        "keyorder": "{'fortran_order': False, 'shape': (2, 3), 'descr': '<f8', }",
        "nospace": "{'descr':'<f8','fortran_order':False,'shape':(2,3)}",
        "dquotes": '{"descr": "<f8", "fortran_order": False, "shape": (2, 3)}',
        "notrailcomma": "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}",
        "unaligned": "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
    }
    for k, d in variants.items():
        if k != "unaligned":
            tot = 10 + len(d) + 1
            d = d + " " * ((64 - tot % 64) % 64)
        d = d + "\n"
        data = b"\x93NUMPY\x01\x00" + len(d).to_bytes(2, "little") + d.encode() + a.tobytes()
        f = write(f"nv_{k}.npy", data, "wb")
        try:
            ok_np = np.array_equal(np.load(f), a)
        except Exception:  # noqa: BLE001
            ok_np = False
        rr = run(["transpose", f, "--json"])
        if ok_np:
            ok = rr.rc == 0 and np.array_equal(decode(parse_json(rr.out)["transpose"]), a.T)
            record(f"npy: header variant '{k}' (NumPy reads it) accepted", ok, f"exit {rr.rc} {short(rr.err)}")
        else:
            record(f"npy: header variant '{k}' (NumPy rejects) no panic", rr.rc in (0, 1) and no_panic(rr), f"exit {rr.rc}")
    # 1-d Fortran, 0-d big-endian, shape (3,) int32 be
    for k, arr in {"1d_F": np.asfortranarray(np.arange(3.0)), "0d_be": np.array(2.5, dtype=">f8"), "bool1d": np.array([True, False, True]),
                   "f32_F_be": np.asfortranarray(np.arange(6, dtype=">f4").reshape(2, 3))}.items():
        f = save_npy(f"nv_{k}.npy", arr)
        res = jrun(f"npy: {k}", ["transpose", f])
        if res:
            close(f"npy: {k} values", res["transpose"], np.asarray(arr, dtype=float).T, rtol=0, atol=0)
    # headers claiming big shapes with tiny files must fail before allocating
    for shp in [(15000, 15000), (30000, 30000), (2**31, 2), (10**9,)]:
        f = write(f"nv_claim_{len(shp)}_{shp[0]}.npy", npy_header("<f8", False, shp) + b"\0" * 128, "wb")
        expect_fail(f"npy: header claims {shp} with a 128-byte body: fast exit 1", ["transpose", f], 1, maxtime=2)
    # float32 claims
    f = write("nv_claim_f4.npy", npy_header("<f4", True, (40000, 40000)) + b"\0" * 16, "wb")
    expect_fail("npy: Fortran f4 header claims 40000x40000: fast exit 1", ["svd", f], 1, maxtime=2)


def sec_mtx_variants():
    write("mv_tabs.mtx", "%%MatrixMarket matrix coordinate real general\n%c\n  2\t2\t2  \n1\t1\t1.5\n 2  2  -2.5e+0 \n")
    res = jrun("mtx: tabs and extra spaces", ["transpose", P("mv_tabs.mtx")])
    if res:
        close("mtx: tabs and extra spaces values", res["transpose"], np.diag([1.5, -2.5]))
    write("mv_blank.mtx", "%%MatrixMarket matrix coordinate real general\n\n2 2 1\n\n1 2 3\n\n")
    r = run(["transpose", P("mv_blank.mtx"), "--json"])
    record("mtx: blank lines tolerated (exit 0) or clean exit 1", r.rc in (0, 1) and no_panic(r), f"exit {r.rc} {short(r.err)}")
    write("mv_skew.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 3\n")
    r = run(["transpose", P("mv_skew.mtx"), "--json"])
    ok = r.rc == 1 or (r.rc == 0 and np.array_equal(decode(parse_json(r.out)["transpose"]), np.array([[0, 3.0], [-3, 0]])))
    record("mtx: skew-symmetric: exit 1 (not in contract) or correctly negated mirror", ok and no_panic(r), f"exit {r.rc} {short(r.out)} {short(r.err)}")
    write("mv_herm.mtx", "%%MatrixMarket matrix coordinate complex hermitian\n2 2 1\n2 1 3 1\n")
    expect_fail("mtx: complex hermitian -> exit 1", ["info", P("mv_herm.mtx")], 1)
    write("mv_arrsym.mtx", "%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n")
    r = run(["transpose", P("mv_arrsym.mtx"), "--json"])
    ok = r.rc == 1 or (r.rc == 0 and np.array_equal(decode(parse_json(r.out)["transpose"]), np.array([[1.0, 2], [2, 3]])))
    record("mtx: array real symmetric: exit 1 or correct", ok and no_panic(r), f"exit {r.rc} {short(r.out)} {short(r.err)}")
    write("mv_intfloat.mtx", "%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n")
    r = run(["info", P("mv_intfloat.mtx")])
    record("mtx: integer field with value 1.5: exit 1 (or accepted) no panic", r.rc in (0, 1) and no_panic(r), f"exit {r.rc}")
    write("mv_vector.mtx", "%%MatrixMarket vector coordinate real general\n3 1\n1 1.0\n")
    expect_fail("mtx: 'vector' object -> exit 1", ["info", P("mv_vector.mtx")], 1)
    write("mv_neg.mtx", "%%MatrixMarket matrix coordinate real general\n-2 2 1\n1 1 1.0\n")
    expect_fail("mtx: negative size", ["info", P("mv_neg.mtx")], 1)
    write("mv_ws.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1.0 extra\n")
    r = run(["info", P("mv_ws.mtx")])
    record("mtx: trailing junk on entry line -> exit 1 (or ignored), no panic", r.rc in (0, 1) and no_panic(r), f"exit {r.rc}")
    write("mv_1col.mtx", "%%MatrixMarket matrix coordinate real general\n3 1 2\n1 1 1.0\n3 1 2.0\n")
    res = jrun("mtx: n x 1 stays 2-d", ["info", P("mv_1col.mtx")])
    if res:
        record("mtx: 3x1 .mtx is 2-d (3, 1)", res["shape"] == [3, 1], f"{res['shape']}")
    # big sparse symmetric mtx (kept sparse by tsvd)
    write("mv_bigsym.mtx", "%%MatrixMarket matrix coordinate real symmetric\n100000 100000 3\n1 1 4\n2 1 1\n100000 100000 2\n")
    res = jrun("mtx: 1e5 x 1e5 symmetric tsvd", ["tsvd", P("mv_bigsym.mtx"), "-k", "2"], timeout=60)
    if res:
        ev = np.linalg.svd(np.array([[4.0, 1], [1, 0]]), compute_uv=False)
        close("mtx: 1e5 x 1e5 symmetric tsvd singular values", res["singular_values"], np.sort(np.concatenate([ev, [2.0]]))[::-1][:2], rtol=1e-6)
    res = jrun("mtx: 1e5 x 1e5 symmetric info nnz", ["info", P("mv_bigsym.mtx")])
    if res:
        record("mtx: big symmetric nnz = 4 (mirrored)", res["nnz"] == 4, f"{res['nnz']}")
        close("mtx: big symmetric mean (implicit zeros)", res["mean"], 8.0 / 1e10, rtol=1e-12)


def sec_numpy_singular():
    """Classic singular matrices: NumPy (LAPACK getrf) finds an exactly zero pivot."""
    cases = {"arange(1,10).reshape(3,3)": np.arange(1.0, 10).reshape(3, 3), "arange(1,17).reshape(4,4)": np.arange(1.0, 17).reshape(4, 4),
             "arange(9).reshape(3,3)": np.arange(9.0).reshape(3, 3), "ones((3,3))": np.ones((3, 3))}
    for k, A in cases.items():
        f = save_npy(f"ns_{len(A)}_{int(A[0, 0])}.npy", A)
        d = np.linalg.det(A)
        s_, l_ = np.linalg.slogdet(A)
        res = jrun(f"singular: det {k}", ["det", f])
        if res:
            record(f"singular: det {k}: NumPy det={d}, sign={s_}, logabsdet={l_}",
                   res["det"] == d and res["sign"] == s_ and res["logabsdet"] == l_, f"got {res['__raw__']}")
        try:
            np.linalg.inv(A)
            np_sing = False
        except np.linalg.LinAlgError:
            np_sing = True
        if np_sing:
            expect_fail(f"singular: inv {k} (NumPy: LinAlgError Singular matrix) exit 1", ["inv", f], 1, contains="singular")
            expect_fail(f"singular: solve {k} (NumPy: LinAlgError Singular matrix) exit 1", ["solve", f, save_npy(f"ns_b{len(A)}.npy", np.ones(len(A)))], 1, contains="singular")


def sec_duplicate_columns():
    """A random matrix with two identical columns: NumPy's LU finds an exactly zero pivot (det 0.0, inv raises)."""
    r = np.random.default_rng(7)
    for n in (2, 3, 4, 5, 8):
        A = r.standard_normal((n, n))
        A[:, -1] = A[:, 0]
        f = save_npy(f"dc_{n}.npy", A)
        d_np = np.linalg.det(A)
        res = jrun(f"singular: det {n}x{n} random with duplicate column", ["det", f])
        if res and d_np == 0.0:
            record(f"singular: det {n}x{n} random with duplicate column: NumPy det 0.0, sign 0.0",
                   res["det"] == 0.0 and res["sign"] == 0.0, f"got {res['__raw__']}")
        try:
            np.linalg.inv(A)
            sing = False
        except np.linalg.LinAlgError:
            sing = True
        if sing:
            expect_fail(f"singular: inv {n}x{n} random with duplicate column (NumPy: Singular matrix) exit 1", ["inv", f], 1, contains="singular")


def sec_out_single():
    r = rng(25)
    A = r.standard_normal((3, 3)) + 3 * np.eye(3)
    S = A @ A.T
    v = r.standard_normal(3)
    fa, fs, fv = save_npy("os_a.npy", A), save_npy("os_s.npy", S), save_npy("os_v.npy", v)
    cases = {
        "matmul": (["matmul", fa, fa], A @ A), "matmul-1d": (["matmul", fa, fv], A @ v), "transpose": (["transpose", fa], A.T),
        "inv": (["inv", fa], np.linalg.inv(A)), "solve": (["solve", fa, fv], np.linalg.solve(A, v)),
        "cholesky": (["cholesky", fs], np.linalg.cholesky(S)), "outer": (["outer", fv, fv], np.outer(v, v)),
    }
    for k, (args, exp) in cases.items():
        for ext in ["npy", "csv"]:
            out = P(f"os_{k}.{ext}")
            rr = run(args + ["--out", out])
            if rr.rc != 0 or not os.path.exists(out):
                record(f"--out: {k} .{ext}", False, f"exit {rr.rc} {short(rr.err)}")
                continue
            if ext == "npy":
                got = np.load(out)
                record(f"--out: {k} .npy float64 C-order shape {exp.shape}", got.dtype == np.float64 and got.flags.c_contiguous and got.shape == exp.shape, f"{got.dtype} {got.shape}")
            else:
                got = np.loadtxt(out, delimiter=",", ndmin=1 if exp.ndim == 1 else 2)
            close(f"--out: {k} .{ext} values", got, exp, rtol=1e-10, atol=1e-12)
    # matmul shape combos exactly like NumPy's @
    combos = [((3,), (3, 1)), ((1, 3), (3,)), ((3, 1), (1, 3)), ((1, 3), (3, 1)), ((2, 3), (3,)), ((3,), (3, 2)), ((1,), (1,)), ((1, 1), (1,))]
    for sa, sb in combos:
        a = r.standard_normal(sa)
        b = r.standard_normal(sb)
        res = jrun(f"matmul: {sa} @ {sb}", ["matmul", save_npy("os_ma.npy", a), save_npy("os_mb.npy", b)])
        if res:
            e = a @ b
            g = res["product"]
            ok_shape = np.shape(g) == np.shape(e)
            record(f"matmul: {sa} @ {sb} -> shape {np.shape(e)} like NumPy", ok_shape, f"got {np.shape(g)} {res['__raw__']}")
            if ok_shape:
                close(f"matmul: {sa} @ {sb} values", g, e, rtol=1e-12)


def sec_huge_sparse_densify():
    write("hd.mtx", "%%MatrixMarket matrix coordinate real general\n1000000 1000000 2\n1 1 1.0\n2 2 2.0\n")
    v = save_npy("hd_v.npy", np.ones(3))
    for c, extra in [("transpose", []), ("det", []), ("inv", []), ("svd", []), ("eig", []), ("eigh", []), ("qr", []), ("cholesky", []),
                     ("rank", []), ("pca", ["-k", "1"]), ("lowrank", ["-k", "1"]), ("trace", []), ("check", []), ("lstsq", [v]), ("solve", [v])]:
        r = run([c, P("hd.mtx")] + extra, timeout=20)
        ok = r.rc == 1 and r.dt < 2 and no_panic(r) and len(r.err.splitlines()) == 1
        record(f"hostile: {c} on a 1e6 x 1e6 .mtx (2 entries, densified) fast exit 1, bounded memory", ok, f"exit {r.rc} in {r.dt:.2f}s {short(r.err)}")


def sec_subnormal():
    """Matrices at the bottom of the float64 range (entries near or below 2.2e-308).

    References are computed exactly by NumPy on A / 2^k (a power-of-two rescaling), then scaled back,
    because LAPACK itself loses digits on subnormals."""
    r = rng(26)
    M = r.standard_normal((4, 4))
    cases = {
        "M*1e-307": M * 1e-307, "M*1e-308": M * 1e-308, "M*1e-310": M * 1e-310, "diag(1e-320,5e-321)": np.diag([1e-320, 5e-321]),
        "[[1,2],[3,4]]*1e-310": np.array([[1.0, 2], [3, 4]]) * 1e-310, "1e-310*I": np.eye(2) * 1e-310, "[[5e-324]]": np.array([[5e-324]]),
    }
    for i, (k, A) in enumerate(cases.items()):
        f = save_npy(f"sn_{i}.npy", A)
        Sy = (A + A.T) / 2
        fs = save_npy(f"sn_s{i}.npy", Sy)
        sc = 2.0 ** np.floor(np.log2(np.abs(A).max()))
        As, Ss = A / sc, Sy / sc
        n = A.shape[0]
        res = jrun(f"subnormal: svd {k}", ["svd", f])
        if res:
            close(f"subnormal: svd {k} s", res["s"] / sc, np.linalg.svd(As, compute_uv=False), atol=1e-10, rtol=1e-8)
            U = res["u"]
            close(f"subnormal: svd {k} UᵀU = I", U.T @ U, np.eye(U.shape[1]), atol=1e-10)
        res = jrun(f"subnormal: eigh {k}", ["eigh", fs])
        if res:
            close(f"subnormal: eigh {k} eigenvalues (finite, NumPy)", res["eigenvalues"] / sc, np.linalg.eigvalsh(Ss), atol=1e-10, rtol=1e-8)
        res = jrun(f"subnormal: eig {k}", ["eig", f])
        if res:
            wg = np.asarray(res["eigenvalues"], dtype=complex)
            wg = wg.real / sc + 1j * (wg.imag / sc)  # complex / subnormal real overflows in NumPy
            close(f"subnormal: eig {k} eigenvalues", np.sort_complex(wg),
                  np.sort_complex(np.linalg.eigvals(As)), atol=1e-10, rtol=1e-8)
        res = jrun(f"subnormal: rank {k}", ["rank", f])
        if res:
            record(f"subnormal: rank {k} = {np.linalg.matrix_rank(As)}", res["rank"] == np.linalg.matrix_rank(As), f"got {res['rank']}")
        res = jrun(f"subnormal: qr {k}", ["qr", f])
        if res:
            Q, R = res["q"], res["r"]
            close(f"subnormal: qr {k} QR = A (relative)", (Q @ R) / sc, As, atol=1e-10)
            close(f"subnormal: qr {k} QᵀQ = I", Q.T @ Q, np.eye(Q.shape[1]), atol=1e-10)
        res = jrun(f"subnormal: det {k}", ["det", f])
        if res:
            s_, l_ = np.linalg.slogdet(As)
            l_ += n * np.log(sc)
            close(f"subnormal: det {k} sign, logabsdet (exact {s_}, {l_:.6g})", [res["sign"], res["logabsdet"]], [s_, l_], rtol=1e-9)
        with np.errstate(all="ignore"):
            ie = np.linalg.inv(As) / sc
        res = jrun(f"subnormal: inv {k}", ["inv", f])
        if res:
            got = res["inverse"]
            fin = np.isfinite(ie)
            ok = np.allclose(got[fin], ie[fin], rtol=1e-6, atol=0) and np.array_equal(got[~fin], ie[~fin])
            record(f"subnormal: inv {k} (exact {ie.tolist()})", ok, f"got {got.tolist()}")
        res = jrun(f"subnormal: lowrank {k}", ["lowrank", f, "-k", "1"])
        if res:
            record(f"subnormal: lowrank {k} finite", np.all(np.isfinite(res["approx"])), f"{res['__raw__']}")


def sec_fuzz():
    """Mutated .npy/.csv/.mtx files: never a panic, exit 0 or 1 (one error line), < 2 s, bounded memory."""
    r = np.random.default_rng(27)
    bases = {}
    a = r.standard_normal((4, 3))
    bases["npy"] = open(save_npy("fz_base.npy", a), "rb").read()
    with open(P("fz_base_v2.npy"), "wb") as fh:
        np.lib.format.write_array(fh, a.astype(">f4"), version=(2, 0))
    bases["npy2"] = open(P("fz_base_v2.npy"), "rb").read()
    bases["csv"] = b"a,b,c\n" + "\n".join(",".join(repr(float(x)) for x in row) for row in a).encode() + b"\n"
    bases["mtx"] = b"%%MatrixMarket matrix coordinate real symmetric\n4 4 5\n1 1 2.5\n2 1 -1\n3 3 4\n4 2 1e-3\n4 4 7\n"
    bad = []
    n = 0
    for kind, data in bases.items():
        ext = "npy" if kind.startswith("npy") else kind
        for i in range(120):
            d = bytearray(data)
            op = i % 5
            if op == 0:  # flip random bytes
                for _ in range(1 + r.integers(4)):
                    d[r.integers(len(d))] = r.integers(256)
            elif op == 1:  # truncate
                d = d[: r.integers(len(d))]
            elif op == 2:  # insert digits somewhere (e.g. header sizes)
                pos = r.integers(len(d))
                d[pos:pos] = str(r.choice([9, 99, 10**6, 10**12, 2**63, 2**64])).encode()
            elif op == 3:  # duplicate a chunk
                pos = r.integers(len(d))
                d[pos:pos] = d[pos: pos + r.integers(1, 40)]
            else:  # replace a digit by a letter / sign
                digits = [j for j, c in enumerate(d) if chr(c).isdigit()]
                for j in r.choice(digits, size=min(3, len(digits)), replace=False):
                    d[j] = ord(r.choice(list("-+eE.x ,\n")))
            f = write(f"fz_{kind}_{i}.{ext}", bytes(d), "wb")
            for cmd in (["info", f], ["svd", f], ["tsvd", f, "-k", "1"]):
                rr = run(cmd, timeout=10)
                n += 1
                ok = rr.rc in (0, 1) and no_panic(rr) and rr.dt < 2
                if rr.rc == 1:
                    ok = ok and len(rr.err.splitlines()) == 1 and rr.err.startswith("error: ")
                if not ok:
                    bad.append(f"{cmd[0]} fz_{kind}_{i}.{ext}: exit {rr.rc} {rr.dt:.1f}s {short(rr.err, 150)}")
    record(f"fuzz: {n} runs on mutated files: exit 0/1, one error line, no panic, < 2 s", not bad, f"{len(bad)} bad: " + " | ".join(bad[:6]))


def sec_hard_spectra():
    """Matrices that are hard for QR/Jacobi iterations: cyclic permutations, graded, Wilkinson, Kahan, clustered."""
    cases = {f"cyclic{n}": np.roll(np.eye(n), 1, axis=0) for n in (2, 3, 5, 16, 33)}
    C = np.diag(np.ones(9), -1)
    C[:, -1] = np.arange(1, 11)
    cases["companion10"] = C
    cases["graded"] = np.array([[1e150, 1e75, 1], [1e75, 1, 1e-75], [1, 1e-75, 1e-150]])
    K = np.diag(0.9 ** np.arange(20)) @ (np.triu(-0.3 * np.ones((20, 20)), 1) + np.eye(20))
    cases["kahan20"] = K
    cases["wilkinson21"] = np.diag(np.abs(np.arange(-10, 11)).astype(float)) + np.diag(np.ones(20), 1) + np.diag(np.ones(20), -1)
    cases["clement8"] = np.diag(np.sqrt(np.arange(1, 8) * np.arange(7, 0, -1)), 1) + np.diag(np.sqrt(np.arange(1, 8) * np.arange(7, 0, -1)), -1)
    cases["ones6"] = np.ones((6, 6))
    Q = np.linalg.qr(rng(28).standard_normal((6, 6)))[0]
    cases["clustered"] = Q @ np.diag([1, 1 + 1e-14, 1 + 2e-14, 2, 2, 2 + 1e-15]) @ Q.T
    cases["big_dyn"] = np.diag([1e300, 1e-300, 1.0])
    for k, A in cases.items():
        f = save_npy(f"hs_{k}.npy", A)
        sc = np.abs(A).max()
        res = jrun(f"hard: eig {k}", ["eig", f])
        if res:
            w = np.asarray(res["eigenvalues"], dtype=complex)
            V = np.asarray(res["eigenvectors"], dtype=complex)
            record(f"hard: eig {k} residual ‖AV − VΛ‖/‖A‖ < 1e-10", np.abs(A @ V - V * w).max() / sc < 1e-10, f"{np.abs(A @ V - V * w).max() / sc:.2e}")
            close(f"hard: eig {k} eigenvalues", np.sort_complex(w), np.sort_complex(np.linalg.eigvals(A)), rtol=1e-7, atol=1e-9 * sc)
        res = jrun(f"hard: svd {k}", ["svd", f])
        if res:
            close(f"hard: svd {k} s", res["s"], np.linalg.svd(A, compute_uv=False), rtol=1e-9, atol=1e-13 * sc)
            close(f"hard: svd {k} reconstruction", (res["u"] * res["s"]) @ res["vt"] / sc, A / sc, atol=1e-12)
        if np.array_equal(A, A.T):
            res = jrun(f"hard: eigh {k}", ["eigh", f])
            if res:
                close(f"hard: eigh {k} eigenvalues", res["eigenvalues"], np.linalg.eigvalsh(A), rtol=1e-9, atol=1e-13 * sc)
                V = res["eigenvectors"]
                close(f"hard: eigh {k} VᵀV = I", V.T @ V, np.eye(len(A)), atol=1e-11)


def sec_minor_parity():
    """Smaller NumPy-parity points."""
    b = save_npy("mp_bool.npy", np.array([[True, True], [False, True]]))
    res = jrun("minor: bool @ bool", ["matmul", b, b])
    if res:
        e = (np.array([[True, True], [False, True]]) @ np.array([[True, True], [False, True]])).astype(float)
        close("minor: bool @ bool is NumPy's logical product (True -> 1.0), not 2.0", res["product"], e, cmd=res["__cmd__"])
    write("mp_pos.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 3\n2 1 5\n")
    res = jrun("minor: sparse info min with implicit zeros", ["info", P("mp_pos.mtx")])
    if res:
        close("info: sparse positive entries: min 0 (implicit zeros), max 5, mean 2", [res["min"], res["max"], res["mean"]], [0, 5, 2])
    write("mp_neg.mtx", "%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 -3\n2 1 -5\n")
    res = jrun("minor: sparse info max with implicit zeros", ["info", P("mp_neg.mtx")])
    if res:
        close("info: sparse negative entries: max 0 (implicit zeros)", [res["min"], res["max"], res["mean"]], [-5, 0, -2])
    x = np.full(2_000_000, 0.1)
    res = jrun("minor: info mean of 2e6 x 0.1", ["info", save_npy("mp_mean.npy", x)])
    if res:
        close(f"minor: info mean of 2e6 x 0.1 accurate like NumPy's pairwise sum ({x.mean()!r}), rtol 1e-13", res["mean"], x.mean(), rtol=1e-13, atol=0)
    os.remove(P("mp_mean.npy"))
    rr = run(["tsvd", save_npy("mp_1f.npy", np.arange(10.0).reshape(10, 1)), "-k", "1"])
    record("minor: tsvd on 1 feature -> exit 1 (sklearn TruncatedSVD requires n_features >= 2)", rr.rc == 1, f"exit {rr.rc} {short(rr.out, 80)}")
    Xw = rng(30).standard_normal((15, 25))
    rr = run(["tsvd", save_npy("mp_w.npy", Xw), "-k", "20", "--json"])
    record("minor: tsvd randomized -k 20 on 15x25 (sklearn TruncatedSVD accepts n_components <= n_features)", rr.rc == 0, f"exit {rr.rc} {short(rr.err)}")
    X = rng(29).standard_normal((20, 3)) * 1e200
    rr = run(["pca", save_npy("mp_ov.npy", X), "--solver", "eigh"])
    record("minor: pca --solver eigh on finite data whose covariance overflows: message must not claim the input is non-finite",
           rr.rc == 0 or "input contains non-finite" not in rr.err, f"exit {rr.rc} {short(rr.err)}")
    rr = run(["lowrank", save_npy("mp_lr.npy", np.diag([1e-320, 1.0])), "-k", "5"])
    record("minor: lowrank error names the command 'lowrank' (not 'low_rank')", rr.rc == 1 and rr.err.startswith("error: lowrank"), f"{short(rr.err)}")
    write("mp_big.mtx", "%%MatrixMarket matrix coordinate real general\n200000 50000 2\n1 1 5\n2 2 4\n")
    rr = run(["tsvd", P("mp_big.mtx"), "-k", "1", "--algorithm", "exact"])
    record("minor: tsvd error line names 'tsvd' (not an internal 'to_dense')", rr.rc == 0 or rr.err.startswith("error: tsvd"), f"{short(rr.err)}")
    rr = run(["rank", save_npy("mp_rk.npy", np.eye(2) * 1e-310)])
    record("minor: rank error line names 'rank' (not 'matrix_rank')", rr.rc == 0 or rr.err.startswith("error: rank"), f"{short(rr.err)}")


SECTIONS = [
    ("help", sec_help), ("usage", sec_usage), ("input-errors", sec_inputs_errors), ("hostile", sec_hostile),
    ("csv", sec_csv_parsing), ("mtx", sec_mtx_parsing), ("dtypes", sec_dtypes), ("empty-nonfinite", sec_empty_nonfinite),
    ("info", sec_info), ("matmul", sec_matmul), ("transpose", sec_transpose), ("inv-solve", sec_inv_solve),
    ("lstsq", sec_lstsq), ("det", sec_det), ("trace", sec_trace), ("rank", sec_rank), ("norm", sec_norm),
    ("cosine-outer", sec_cosine_outer), ("qr", sec_qr), ("cholesky", sec_cholesky), ("eigh", sec_eigh), ("eig", sec_eig),
    ("svd", sec_svd), ("lowrank", sec_lowrank), ("pca", sec_pca), ("tsvd", sec_tsvd), ("check", sec_check),
    ("tour", sec_tour), ("outputs", sec_outputs), ("human", sec_human), ("json-digits", sec_json_digits),
    ("consistency", sec_consistency), ("randomized-quality", sec_randomized_quality), ("pca-hard", sec_pca_hard),
    ("messages", sec_messages), ("cli-forms", sec_cli_forms), ("npy-variants", sec_npy_variants), ("mtx-variants", sec_mtx_variants),
    ("numpy-singular", sec_numpy_singular), ("duplicate-columns", sec_duplicate_columns), ("out-single", sec_out_single), ("huge-sparse", sec_huge_sparse_densify),
    ("subnormal", sec_subnormal), ("fuzz", sec_fuzz),
    ("hard-spectra", sec_hard_spectra), ("minor-parity", sec_minor_parity),
]


def main():
    global BIN, TMP, VERBOSE
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(here, "..", "target", "release", "mlinalg"))
    ap.add_argument("--only", default=None, help="run only sections whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = ap.parse_args()
    BIN = os.path.abspath(args.bin)
    if not os.path.exists(BIN):
        print(f"binary not found: {BIN}", file=sys.stderr)
        return 2
    TMP = tempfile.mkdtemp(prefix="mlinalg_contract_")
    try:
        for name, fn in SECTIONS:
            if args.only and args.only not in name:
                continue
            print(f"== {name}")
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                import traceback
                traceback.print_exc()
                record(f"{name}: section crashed in the checker", False, repr(e))
    finally:
        if args.keep:
            print(f"temp dir kept: {TMP}")
        else:
            shutil.rmtree(TMP, ignore_errors=True)
    print(f"{N_PASS} passed, {N_FAIL} failed")
    return 0 if N_FAIL == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
