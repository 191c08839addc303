#!/usr/bin/env python3
"""NumPy's own linalg test suite with every `numpy.linalg` result computed by `mlinalg`.

    python3 scripts/numpy_linalg_suite/run.py [--bin PATH] [--build] [-j N] [-k EXPR]
                                              [--failures] [--json FILE]

Copies the installed NumPy's `numpy/linalg/tests/test_linalg.py` (unchanged) to a temporary
directory, installs `mlinalg_shim` (every `numpy.linalg` function becomes a run of the
binary: see that module) and runs the file with pytest in N processes. Prints passed/total
per test class, the total, and the failures grouped by cause (the first failing run of the
binary in the test, or else the test's own assertion). `--failures` lists every failing test
with its message; `--json FILE` writes everything as JSON.

The binary: `--bin`, else `$MLINALG_BIN`, else `$CARGO_TARGET_DIR/release/mlinalg` or
`target/release/mlinalg` of this repository (`--build` runs `cargo build --release -p
mlinalg-cli` first). Needs numpy and pytest; exit status 0 when the suite ran (whatever the
number of failures), 2 when it could not run.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def find_binary(args):
    if args.bin:
        return os.path.abspath(args.bin)
    if os.environ.get("MLINALG_BIN"):
        return os.path.abspath(os.environ["MLINALG_BIN"])
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    return os.path.join(target, "release", "mlinalg")


def numpy_test_file():
    import numpy

    path = os.path.join(os.path.dirname(numpy.__file__), "linalg", "tests", "test_linalg.py")
    return numpy.__version__, path


def pytest_env(binary, extra=None):
    env = dict(os.environ)
    env["MLINALG_BIN"] = binary
    env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
    # One thread per run of the binary: the runs are already parallel.
    env.setdefault("RAYON_NUM_THREADS", "1")
    env.update(extra or {})
    return env


def collect(workdir, binary, kexpr):
    cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "suite_plugin",
           "-p", "no:cacheprovider", "test_linalg.py"]
    if kexpr:
        cmd += ["-k", kexpr]
    p = subprocess.run(cmd, cwd=workdir, env=pytest_env(binary), capture_output=True, text=True)
    ids = [line.strip() for line in p.stdout.splitlines() if "::" in line]
    if not ids:
        sys.stderr.write(p.stdout[-4000:] + p.stderr[-4000:])
        raise SystemExit("error: no test collected (did the module fail to import?)")
    return ids


def run_chunks(workdir, binary, ids, jobs):
    chunks = [ids[i::jobs] for i in range(jobs)]
    procs = []
    for i, chunk in enumerate(chunks):
        if not chunk:
            continue
        argsfile = os.path.join(workdir, f"ids{i}.txt")
        with open(argsfile, "w") as f:
            f.write("\n".join(chunk) + "\n")
        env = pytest_env(binary, {
            "MLINALG_SUITE_RESULTS": os.path.join(workdir, f"results{i}.jsonl"),
            "MLINALG_SUITE_LOG": os.path.join(workdir, f"log{i}.jsonl"),
        })
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "suite_plugin", "-p",
               "no:cacheprovider", "-p", "no:randomly", "--tb=no", "-W", "ignore", f"@{argsfile}"]
        out = open(os.path.join(workdir, f"pytest{i}.out"), "w")
        procs.append((subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out,
                                       stderr=subprocess.STDOUT), out))
    for p, out in procs:
        p.wait()
        out.close()
    results, calls, log = {}, collections.Counter(), collections.defaultdict(list)
    for i in range(jobs):
        path = os.path.join(workdir, f"results{i}.jsonl")
        if os.path.exists(path):
            for line in open(path):
                r = json.loads(line)
                if "calls" in r:
                    calls.update(r["calls"])
                else:
                    results[r["nodeid"]] = r
        path = os.path.join(workdir, f"log{i}.jsonl")
        if os.path.exists(path):
            for line in open(path):
                e = json.loads(line)
                log[e["test"]].append(e)
    missing = [i for i in ids if i not in results]
    for i in missing:
        results[i] = {"nodeid": i, "outcome": "error", "message": "no result (worker crashed?)"}
    return results, calls, log


def group_of(nodeid):
    parts = nodeid.split("::")
    return parts[1] if len(parts) > 2 else "(module-level tests)"


def normalise(msg):
    """A failure message with its specific values removed, to group failures by cause."""
    msg = " ".join(ln.strip() for ln in msg.strip().splitlines()[:4] if ln.strip())
    msg = re.sub(r"\S*in\d+\.npy", "<file>", msg)
    msg = re.sub(r"\([\d, ]*\)", "(…)", msg)
    msg = re.sub(r"\[[\d, ]*\]", "[…]", msg)
    msg = re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", msg)
    return msg[:200]


def cause_of(result, log):
    errs = log.get(result["nodeid"], [])
    if errs:
        e = errs[0]
        return f"`mlinalg {e['cmd'][0]}` exit {e['rc']}: " + normalise(e["stderr"])
    msg = result.get("message", "")
    # check_cases wraps the real exception in "In test case: <...>" with its traceback.
    inner = list(re.finditer(r"^\w+(?:Error|Exception|Warning)\b.*$", msg, re.M))
    if inner:
        msg = msg[inner[-1].start():]
    return normalise(msg) or "(no message)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--bin", help="the mlinalg binary")
    ap.add_argument("--build", action="store_true", help="cargo build --release first")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-k", dest="kexpr", help="pytest -k expression (a subset of the suite)")
    ap.add_argument("--failures", action="store_true", help="list every failing test")
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    if args.build:
        subprocess.run(["cargo", "build", "--release", "-p", "mlinalg-cli"], cwd=REPO, check=True)
    binary = find_binary(args)
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"error: {binary}: no mlinalg binary (build it, or pass --bin / --build)")
    np_version, src = numpy_test_file()

    workdir = tempfile.mkdtemp(prefix="numpy-linalg-suite-")
    try:
        shutil.copy(src, os.path.join(workdir, "test_linalg.py"))
        t0 = time.time()
        ids = collect(workdir, binary, args.kexpr)
        results, calls, log = run_chunks(workdir, binary, ids, max(1, args.jobs))
        elapsed = time.time() - t0
    finally:
        if args.keep:
            print(f"work directory: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    groups = collections.OrderedDict()
    for nodeid in ids:
        groups.setdefault(group_of(nodeid), []).append(results[nodeid])
    outcomes = collections.Counter(r["outcome"] for r in results.values())
    passed = outcomes["passed"]
    total = len(ids)

    print(f"NumPy {np_version} test_linalg.py through {binary}")
    print(f"{'class':<40} {'passed':>7} / total")
    for g, rs in groups.items():
        n = sum(r["outcome"] == "passed" for r in rs)
        mark = "" if n == len(rs) else "  *"
        print(f"{g:<40} {n:>7} / {len(rs)}{mark}")
    others = ", ".join(f"{v} {k}" for k, v in sorted(outcomes.items()) if k != "passed")
    print(f"\ntotal: {passed} / {total} passed ({100.0 * passed / total:.1f} %); {others}")
    print(f"runs of the binary: {sum(calls.values())} in {elapsed:.0f} s with {args.jobs} jobs")

    failing = [r for r in results.values() if r["outcome"] in ("failed", "error")]
    causes = collections.Counter(cause_of(r, log) for r in failing)
    if causes:
        print("\nfailing tests by cause:")
        for c, n in causes.most_common():
            print(f"{n:>5}  {c}")
    if args.failures:
        print("\nfailing tests:")
        for r in sorted(failing, key=lambda r: r["nodeid"]):
            print(f"{r['nodeid']}\n      {cause_of(r, log)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "numpy": np_version, "binary": binary, "passed": passed, "total": total,
                "outcomes": outcomes, "calls": calls,
                "tests": [dict(results[i], cause=cause_of(results[i], log)
                               if results[i]["outcome"] in ("failed", "error") else "")
                          for i in ids],
            }, f, indent=1)


if __name__ == "__main__":
    main()
