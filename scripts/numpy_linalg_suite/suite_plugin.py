"""pytest plugin of the suite driver: installs the `mlinalg` shim before NumPy's test module
is imported and records each test's outcome as one JSON line in `$MLINALG_SUITE_RESULTS`."""

import json
import os

import pytest

import mlinalg_shim

mlinalg_shim.install(os.environ.get("MLINALG_BIN"))

_OUTCOMES = {}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: NumPy's slow tests (run here too)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    mlinalg_shim.CURRENT_TEST = item.nodeid
    yield
    mlinalg_shim.CURRENT_TEST = ""


def _message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message
    if isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        return str(report.longrepr[2])
    return str(report.longrepr)[-2000:]


def pytest_runtest_logreport(report):
    nodeid = report.nodeid
    prev = _OUTCOMES.get(nodeid)
    if report.when == "call":
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        else:
            outcome = report.outcome
    elif report.failed:
        outcome = "error"
    elif report.skipped:
        outcome = "skipped"
    else:
        return
    if prev is None or prev["outcome"] == "passed":
        _OUTCOMES[nodeid] = {
            "nodeid": nodeid,
            "outcome": outcome,
            "message": _message(report) if outcome not in ("passed", "xpassed") else "",
        }


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("MLINALG_SUITE_RESULTS")
    if not path:
        return
    with open(path, "w") as f:
        for r in _OUTCOMES.values():
            f.write(json.dumps(r) + "\n")
        f.write(json.dumps({"calls": mlinalg_shim.CALLS}) + "\n")
