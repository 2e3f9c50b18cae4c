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

What makes a child cheap (the rest of its cost is pytest's own configuration, collection, the tests and reports):
- The parent freezes its objects out of the garbage collector (gc.freeze) before it forks: otherwise every
  collection in a child (pytest runs five at the end of a session) walks, and so copies page by page, the whole
  inherited heap.
- The parent fills inspect's module-by-file cache once, which pytest's failure reports otherwise rebuild per child.
- The parent builds pytest's plugin manager with the built-in plugins registered (what pytest.main does first, the
  same for every run with the same `-p no:NAME` arguments); each child takes that prepared configuration, once,
  and goes on from there exactly as pytest.main does. Conftests, entry-point plugins and the workspace's modules
  are still loaded by each child.
"""

import gc
import importlib
import importlib.util
import inspect
import json
import os
import pathlib
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


def excluded_plugins(args):
    """The `-p no:NAME` arguments of a run, read as pytest's consider_preparse reads them."""
    excluded = []
    i = 0
    while i < len(args):
        opt = args[i]
        i += 1
        if opt == "-p":
            if i >= len(args):
                break
            parg = args[i]
            i += 1
        elif opt.startswith("-p"):
            parg = opt[2:]
        else:
            continue
        parg = parg.strip()
        if parg.startswith("no:"):
            excluded.append(parg)
    return tuple(excluded)


class PreparedConfigs:
    """pytest configurations built in the parent (built-in plugins imported and registered), one per set of
    excluded plugins, each handed to a child for its first pytest.main."""

    def __init__(self):
        self.built = {}

    def prepare(self, args, env):
        """The configuration for a run with these arguments, built now if needed; None when the run must build
        its own (pytest's debug tracing is set up when the plugin manager is made, from the run's environment)."""
        if env.get("PYTEST_DEBUG"):
            return None
        key = excluded_plugins(args)
        if key not in self.built:
            try:
                import _pytest.config

                options = [part for name in key for part in ("-p", name)]
                self.built[key] = _pytest.config.get_config(options) if options else _pytest.config.get_config()
            except BaseException:  # noqa: BLE001 - the child then builds its own, and reports what goes wrong
                self.built[key] = None
            freeze()
        return self.built[key]


def use_prepared(config):
    """Makes the child's first pytest configuration the prepared one, with this run's arguments and folder; any
    later one (a test that runs pytest itself) is built afresh."""
    import _pytest.config

    original = _pytest.config.get_config

    def get_config(args=None, plugins=None):
        _pytest.config.get_config = original
        config.invocation_params = _pytest.config.Config.InvocationParams(
            args=args or (), plugins=plugins, dir=pathlib.Path.cwd()
        )
        return config

    _pytest.config.get_config = get_config


def freeze():
    """Moves every object the parent has into the garbage collector's permanent generation, so that a child's
    collections never walk (and copy) the inherited heap."""
    gc.collect()
    gc.freeze()


def child(request, config=None):
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

        if config is not None:
            use_prepared(config)
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
    # A code object of no module makes inspect.getmodule index every loaded module by its file, once.
    inspect.getmodule(compile("0", "<repair-ls-warm>", "eval"))
    configs = PreparedConfigs()
    freeze()
    send({"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        config = configs.prepare(request["args"], request["env"])
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child(request, config)
        send({"id": request["id"], "pid": pid})
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            send({"id": request["id"], "signal": os.WTERMSIG(status)})
        else:
            send({"id": request["id"], "exit": os.WEXITSTATUS(status)})


if __name__ == "__main__":
    main()
