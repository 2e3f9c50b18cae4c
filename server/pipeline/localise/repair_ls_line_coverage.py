"""pytest plugin of repair-ls: records, per test, the lines of workspace files that the test executed, and fails
tests that run past a deadline.

repair-ls loads it with `-p repair_ls_line_coverage` (this folder on PYTHONPATH) to compute spectrum-based
(Ochiai) suspiciousness without coverage.py, and to find the tests that hang. Settings come from the environment:

  REPAIR_LS_COVERAGE_ROOT  only files under this folder are recorded (the workspace copy)
  REPAIR_LS_COVERAGE_OUT   the JSON file to write: {"tests": {nodeid: {"failed": bool, "lines": {relpath: [n]}}}};
                           without it nothing is traced
  REPAIR_LS_TEST_DEADLINE  seconds (a float) after which a test's setup, call or teardown fails with "did not
                           finish within N s" and the session goes on with the next test (SIGALRM, so only where
                           the interpreter gets control back: a loop in Python code, a sleep, a blocking read)
  REPAIR_LS_ORACLE_FIRST   a count N: the first N tests of the session (the target failing tests, named first)
                           all run; the session stops after them when any of them failed, and otherwise at the
                           first failure of a later test (as -x would), so that one session does what a run of
                           the failing tests followed by a run of the rest stopping at the first failure would do;
                           a test stopped by the deadline ends the session at once, failing tests or not (a
                           candidate that loops forever costs one deadline, and the tests it did not run count as
                           failing)

Lines are 1-based. Python 3.12+ uses sys.monitoring (events are disabled per code object outside the root, so the
overhead stays small); older versions use sys.settrace with a global tracer that returns no local tracer for
frames outside the root.
"""

import json
import os
import signal
import sys
import threading

import pytest

_ROOT = os.path.realpath(os.environ.get("REPAIR_LS_COVERAGE_ROOT") or os.getcwd())
_OUT = os.environ.get("REPAIR_LS_COVERAGE_OUT")
_wanted_cache = {}
_current = None
_results = {}


def _wanted(filename):
    cached = _wanted_cache.get(filename)
    if cached is None:
        path = os.path.realpath(filename) if filename and not filename.startswith("<") else ""
        cached = (
            path.startswith(_ROOT + os.sep)
            and path.endswith(".py")
            and os.sep + "site-packages" + os.sep not in path
            and os.path.basename(path) != os.path.basename(__file__)
        )
        _wanted_cache[filename] = cached
    return cached


def _local_tracer(frame, event, arg):
    lines = _current
    if event == "line" and lines is not None:
        lines.add((frame.f_code.co_filename, frame.f_lineno))
    return _local_tracer


def _global_tracer(frame, event, arg):
    if event != "call" or _current is None or not _wanted(frame.f_code.co_filename):
        return None
    return _local_tracer


_TOOL_ID = 4  # sys.monitoring tool ids 0-5 are free for tools; 4 is unlikely to clash with debuggers (0) or coverage (1).


def _start_monitoring():
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is None:
        sys.settrace(_global_tracer)
        threading.settrace(_global_tracer)
        return
    try:
        monitoring.use_tool_id(_TOOL_ID, "repair-ls")
    except ValueError:
        sys.settrace(_global_tracer)
        threading.settrace(_global_tracer)
        return

    def on_line(code, line):
        if not _wanted(code.co_filename):
            return monitoring.DISABLE
        lines = _current
        if lines is not None:
            lines.add((code.co_filename, line))
        return None

    monitoring.register_callback(_TOOL_ID, monitoring.events.LINE, on_line)
    monitoring.set_events(_TOOL_ID, monitoring.events.LINE)


def pytest_configure(config):
    if _OUT:
        _start_monitoring()


def _deadline_seconds():
    try:
        seconds = float(os.environ.get("REPAIR_LS_TEST_DEADLINE") or 0)
    except ValueError:
        return 0
    return seconds if seconds > 0 else 0


_DEADLINE = _deadline_seconds()


def _deadline_text(seconds):
    return "did not finish within %s s" % (int(seconds) if float(seconds).is_integer() else "%.1f" % seconds)


_deadline_hit = False


def _on_deadline(signum, frame):
    global _deadline_hit
    _deadline_hit = True
    # pytest.fail raises Failed, a BaseException: a test's own `except Exception` cannot swallow it.
    pytest.fail(_deadline_text(_DEADLINE), pytrace=False)


def _with_deadline():
    """Runs one test phase under the deadline (a no-op without one, or off the main thread)."""
    if not _DEADLINE or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_deadline)
    signal.setitimer(signal.ITIMER_REAL, _DEADLINE)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from _with_deadline()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from _with_deadline()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield from _with_deadline()


def _begin():
    global _current
    _current = set()


def _end(nodeid, failed):
    global _current
    lines = _current or set()
    _current = None
    entry = _results.setdefault(nodeid, {"failed": False, "lines": {}})
    entry["failed"] = entry["failed"] or failed
    per_file = entry["lines"]
    for filename, line in lines:
        relative = os.path.relpath(os.path.realpath(filename), _ROOT).replace(os.sep, "/")
        per_file.setdefault(relative, set()).add(line)


def pytest_runtest_protocol(item, nextitem):
    _begin()
    _results.setdefault(item.nodeid, {"failed": False, "lines": {}})
    return None


def pytest_runtest_logreport(report):
    if _oracle_first is not None:
        _oracle_first.report(report)
    if report.failed:
        _results.setdefault(report.nodeid, {"failed": False, "lines": {}})["failed"] = True
    if report.when == "teardown":
        _end(report.nodeid, report.failed)


def _oracle_first_count():
    try:
        count = int(os.environ.get("REPAIR_LS_ORACLE_FIRST") or 0)
    except ValueError:
        return 0
    return max(count, 0)


_ORACLE_FIRST = _oracle_first_count()


class _OracleFirst:
    """Stops a session as REPAIR_LS_ORACLE_FIRST asks (see the module's docstring)."""

    def __init__(self, session, oracle):
        self.session = session
        self.oracle = oracle
        self.unfinished = set(oracle)
        self.oracle_failed = False

    def report(self, report):
        # A failure by pytest's own count for -x: an expected failure (xfail) is none.
        failed = report.failed and not hasattr(report, "wasxfail")
        if failed and _deadline_hit:
            self.session.shouldfail = "stopping after a test that did not finish"
            return
        if report.nodeid not in self.oracle:
            if failed:
                self.session.shouldfail = "stopping at the first failure after the failing tests"
            return
        self.oracle_failed = self.oracle_failed or failed
        if report.when == "teardown":
            self.unfinished.discard(report.nodeid)
            if not self.unfinished and self.oracle_failed:
                self.session.shouldfail = "stopping after the failing tests: some still fail"


_oracle_first = None


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    global _oracle_first
    if _ORACLE_FIRST:
        _oracle_first = _OracleFirst(session, {item.nodeid for item in session.items[:_ORACLE_FIRST]})


def pytest_sessionfinish(session, exitstatus):
    if not _OUT:
        return
    serialisable = {
        nodeid: {"failed": entry["failed"], "lines": {f: sorted(ls) for f, ls in entry["lines"].items()}}
        for nodeid, entry in _results.items()
    }
    with open(_OUT, "w", encoding="utf-8") as handle:
        json.dump({"root": _ROOT, "tests": serialisable}, handle)
