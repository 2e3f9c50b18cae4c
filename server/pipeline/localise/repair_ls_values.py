"""pytest plugin of repair-ls: records the values of the names read on given lines while the selected test runs, so
that the model's prompts can show what the code saw (execution values, as SemAgent does).

repair-ls loads it with `-p repair_ls_values` (this folder on PYTHONPATH) for one run of the first failing test,
after localisation has named the suspicious lines. Settings come from the environment:

  REPAIR_LS_VALUES_ROOT   the workspace copy: line keys are paths relative to it
  REPAIR_LS_VALUES_LINES  JSON {relpath: [1-based line, ...]}: the lines to watch
  REPAIR_LS_VALUES_OUT    the JSON file to write: {"hits": [{"file": relpath, "line": n, "values": [[name, repr]]}]}
  REPAIR_LS_VALUES_LIMITS JSON {hitsPerLine, hits, names, valueChars}: the bounds (VALUE_LIMITS of execution-values.ts;
                          the defaults here are the same)

A hit is recorded when a watched line is about to run, so the values are those the line reads. Names are the
identifiers of the line (string literals and keywords aside) found among the frame's locals and globals, and
attribute chains (`self.items`) followed through instance dictionaries only, so no property or __getattr__ runs.
Modules, functions and classes are left out. Everything is bounded: hits per line, hits in all, names per hit and
characters per value; a repr that raises is shown as the type's name.
"""

import json
import keyword
import linecache
import os
import re
import reprlib
import sys
import threading
import types

_ROOT = os.path.realpath(os.environ.get("REPAIR_LS_VALUES_ROOT") or os.getcwd())
_OUT = os.environ.get("REPAIR_LS_VALUES_OUT")


def _limits():
    try:
        raw = json.loads(os.environ.get("REPAIR_LS_VALUES_LIMITS") or "{}")
    except ValueError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {}

    def limit(name, fallback):
        value = raw.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else fallback

    return limit("hitsPerLine", 3), limit("hits", 24), limit("names", 8), limit("valueChars", 120)


_MAX_HITS_PER_LINE, _MAX_HITS, _MAX_NAMES, _MAX_REPR_CHARS = _limits()

_STRING = re.compile(r"""(?:[rbuRBUfF]{0,2})(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")""")
_CHAIN = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_SKIPPED_TYPES = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxdict = 8
_repr.maxlevel = 3


def _watched():
    try:
        raw = json.loads(os.environ.get("REPAIR_LS_VALUES_LINES") or "{}")
    except ValueError:
        return {}
    watched = {}
    for relative, lines in raw.items():
        if isinstance(relative, str) and isinstance(lines, list):
            path = os.path.realpath(os.path.join(_ROOT, relative))
            watched[path] = (relative, {n for n in lines if isinstance(n, int)})
    return watched


_WATCHED = _watched()
_file_cache = {}
_hits = []
_per_line = {}


def _watched_file(filename):
    cached = _file_cache.get(filename)
    if cached is None:
        path = os.path.realpath(filename) if filename and not filename.startswith("<") else ""
        cached = _WATCHED.get(path, False)
        _file_cache[filename] = cached
    return cached


def _short_repr(value):
    try:
        text = _repr.repr(value)
    except Exception:  # A repr that raises says nothing about the value: its type still does.
        text = "<%s>" % type(value).__name__
    return text if len(text) <= _MAX_REPR_CHARS else text[: _MAX_REPR_CHARS - 3] + "..."


_MISSING = object()


def _lookup(frame, chain):
    parts = chain.split(".")
    value = frame.f_locals.get(parts[0], _MISSING)
    if value is _MISSING:
        value = frame.f_globals.get(parts[0], _MISSING)
    for attribute in parts[1:]:
        if value is _MISSING:
            break
        try:
            # object.__getattribute__ bypasses a class's own __getattribute__ and __getattr__: no user code runs.
            instance_dict = object.__getattribute__(value, "__dict__")
        except AttributeError:
            instance_dict = None
        value = instance_dict.get(attribute, _MISSING) if isinstance(instance_dict, dict) else _MISSING
    return value


def _names(source):
    seen = []
    for chain in _CHAIN.findall(_STRING.sub('""', source.split("#")[0])):
        if keyword.iskeyword(chain.split(".")[0]) or chain in seen:
            continue
        seen.append(chain)
    return seen


def _record(frame, relative, line):
    key = (relative, line)
    count = _per_line.get(key, 0)
    if count >= _MAX_HITS_PER_LINE or len(_hits) >= _MAX_HITS:
        return
    _per_line[key] = count + 1
    values = []
    for chain in _names(linecache.getline(frame.f_code.co_filename, line)):
        value = _lookup(frame, chain)
        if value is _MISSING or isinstance(value, _SKIPPED_TYPES):
            continue
        values.append([chain, _short_repr(value)])
        if len(values) >= _MAX_NAMES:
            break
    _hits.append({"file": relative, "line": line, "values": values})


def _local_tracer(frame, event, arg):
    if event == "line":
        watched = _watched_file(frame.f_code.co_filename)
        if watched and frame.f_lineno in watched[1]:
            try:
                _record(frame, watched[0], frame.f_lineno)
            except Exception:  # The trace is a hint for a prompt: it must never change what the test does.
                pass
    return _local_tracer


def _global_tracer(frame, event, arg):
    if event != "call" or not _watched_file(frame.f_code.co_filename):
        return None
    return _local_tracer


def pytest_configure(config):
    if _OUT and _WATCHED:
        sys.settrace(_global_tracer)
        threading.settrace(_global_tracer)


def pytest_sessionfinish(session, exitstatus):
    if not _OUT:
        return
    sys.settrace(None)
    threading.settrace(None)
    with open(_OUT, "w", encoding="utf-8") as handle:
        json.dump({"hits": _hits}, handle)
