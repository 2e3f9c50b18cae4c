"""Fork server of repair-ls for pytest: validation at the speed of the tests.

The parent imports pytest (and, on request, third-party packages) once, and never a module of the workspace.
Each request forks a child that moves into the candidate's scratch copy, takes the run's environment, runs
pytest in-process with the same arguments as a cold run (so its JUnit XML report is read by the same parser),
and exits with pytest's exit code. Module-level state of the workspace never crosses candidates: every child
starts from the parent's state, which has none of it.

Protocol: one JSON object per line on stdin, one per line on stdout.
  start:   {"ready": true, "pid": n}
  request: {"id": s, "cwd": dir, "args": [...], "env": {...}, "stdout": file, "stderr": file, "module": bool}
  replies: {"id": s, "pid": child} when the child started, then {"id": s, "exit": code} or {"id": s, "signal": n}
"module" is true when the cold command is `python -m pytest`, which puts the working folder first on sys.path.
The child leads its own process group, so that the caller can kill it with everything it started.
"""

import importlib
import importlib.util
import json
import os
import sys


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def outside(path, roots):
    real = os.path.realpath(path)
    return not any(real == root or real.startswith(root + os.sep) for root in roots)


def preload(names, roots):
    """Imports third-party packages that the tests import, unless they resolve inside a workspace root."""
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
            continue
        if not outside(spec.origin, roots):
            continue
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - a package that fails to import is simply not preloaded
            pass


def warm_up():
    """Runs one empty session (collecting nothing, in an empty folder) so that the installed plugins and whatever
    they import at configuration are loaded, and assertion-rewritten, once here rather than in every child."""
    import contextlib
    import io
    import tempfile

    import pytest

    previous = os.getcwd()
    try:
        with tempfile.TemporaryDirectory(prefix="repair-ls-warm-") as empty:
            os.chdir(empty)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", empty])
    except BaseException:  # noqa: BLE001 - a plugin that fails here fails in the child's session, as when cold
        pass
    finally:
        os.chdir(previous)


def child(request):
    """Runs one pytest session in the forked child; never returns."""
    code = 70
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        out = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(err, 2)
        cwd = request["cwd"]
        os.chdir(cwd)
        env = request["env"]
        os.environ.clear()
        os.environ.update(env)
        # What the interpreter would have read from the environment at start-up.
        sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
        extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:] = ([cwd] if request.get("module") else []) + extra + [p for p in sys.path if p not in extra]
        import pytest

        code = int(pytest.main(list(request["args"])))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001 - whatever happens, the child must exit and never return to the loop
        import traceback

        traceback.print_exc()
        code = 70
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main():
    roots = [os.path.realpath(r) for r in json.loads(os.environ.get("REPAIR_LS_WARM_ROOTS", "[]"))]
    # The server's own folder is not a place for modules of the workspace.
    if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.dirname(os.path.realpath(__file__)):
        sys.path.pop(0)
    import pytest  # noqa: F401 - imported once here, inherited by every child

    warm_up()
    preload(json.loads(os.environ.get("REPAIR_LS_WARM_PRELOAD", "[]")), roots)
    send({"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child(request)
        send({"id": request["id"], "pid": pid})
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            send({"id": request["id"], "signal": os.WTERMSIG(status)})
        else:
            send({"id": request["id"], "exit": os.WEXITSTATUS(status)})


if __name__ == "__main__":
    main()
