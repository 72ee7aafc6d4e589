"""Running scenarios on the engine's differential runner (``_ppcmig.run_scenario``).

The engine runs the scenario twice — migrated and as a reference that never migrates — with the
GIL released, and returns the result JSON. Every run gets an artifacts directory holding
``scenario.json`` (the complete spec: ``ppcmig replay`` reruns it bit for bit), ``result.json``
and what the runner writes besides (streams, state, console logs).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping

from . import _ppcmig
from .result import Result
from .scenario import Scenario

__all__ = ["run", "run_spec", "runner_available", "RunnerUnavailable", "default_artifacts_dir",
           "replay_command", "spec_digest", "slug", "engine_binary"]

SCENARIO_FILE = "scenario.json"
RESULT_FILE = "result.json"


class RunnerUnavailable(RuntimeError):
    """This build of ``ppcmig._ppcmig`` has no scenario runner."""


def runner_available() -> bool:
    """Whether ``_ppcmig.run_scenario`` exists in this build."""
    return hasattr(_ppcmig, "run_scenario")


def spec_digest(spec: Mapping[str, Any]) -> str:
    """sha256 (hex) of the spec's canonical JSON, ``artifacts`` left out (it names where, not what)."""
    body = {k: v for k, v in spec.items() if k != "artifacts"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def slug(text: str) -> str:
    """A file-name-safe form of a scenario id: ``2.7->2.8/pseries-2.7/POWER8/cas_boot`` ->
    ``2.7_to_2.8_pseries-2.7_POWER8_cas_boot``."""
    s = re.sub(r"[^A-Za-z0-9._=+-]+", "_", text.replace("->", "_to_")).strip("_.")
    return s[:120] or "scenario"


def default_artifacts_dir(spec: Mapping[str, Any], base: str | os.PathLike[str] | None = None) -> Path:
    """``<base>/<id slug>-<first 8 hex of the spec's sha256>``; ``base`` defaults to
    ``$PPCMIG_OUT`` or ``./ppcmig-out``."""
    root = Path(base) if base is not None else Path(os.environ.get("PPCMIG_OUT") or "ppcmig-out")
    return root / f"{slug(str(spec.get('name', '')))}-{spec_digest(spec)[:8]}"


def _display_path(p: Path) -> str:
    """Relative to the current directory when under it (shorter to read), absolute otherwise."""
    p = p.absolute()
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def replay_command(spec_path: str | os.PathLike[str]) -> str:
    """``build/bin/ppcmig replay <dir>/scenario.json`` (the launcher of ``$PPCMIG_BUILD_DIR``)."""
    launcher = Path(os.environ.get("PPCMIG_BUILD_DIR", "build")) / "bin" / "ppcmig"
    return f"{shlex.quote(_display_path(launcher))} replay {shlex.quote(_display_path(Path(spec_path)))}"


def _write_atomically(path: Path, text: str) -> None:
    """Whole file or nothing: a reader never sees a half-written spec or result."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def engine_binary() -> Path:
    """The ``ppcmig-engine`` of this build: ``$PPCMIG_ENGINE``, else
    ``$PPCMIG_BUILD_DIR/bin/ppcmig-engine`` (default ``build/bin/ppcmig-engine``)."""
    env = os.environ.get("PPCMIG_ENGINE")
    if env:
        return Path(env)
    return Path(os.environ.get("PPCMIG_BUILD_DIR", "build")) / "bin" / "ppcmig-engine"


# `ppcmig-engine run-scenario` exits with these for a bad command line (an engine without the
# command, say) and for a malformed spec (engine/tools/scenario_cmd.hpp).
_EXIT_USAGE, _EXIT_SPEC_ERROR = 2, 3
_STDERR_TAIL = 2000


def _digest(result: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(result, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _crash_result(spec: Mapping[str, Any], out: Path, cause: str, details: dict[str, Any]) -> str:
    """The result of an isolated run whose engine process gave none: verdict ``crash``, where
    ``engine process``. The digest leaves out the stderr text (it may hold addresses)."""
    result: dict[str, Any] = {
        "format": "ppcmig-result", "format_version": 1, "name": spec.get("name", ""), "verdict": "crash",
        "summary": f"engine process {cause}", "hop": None, "details": {"where": "engine process", **details},
        "reference": None, "migrated": None, "streams": [], "warnings": []}
    result["digest"] = _digest({**result, "details": {k: v for k, v in result["details"].items() if k != "stderr"}})
    files = sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
    result["artifacts"] = {"dir": str(out), "files": files}
    return json.dumps(result)


def _run_isolated(spec: Mapping[str, Any], spec_path: Path, out: Path, timeout: float | None) -> str:
    """``ppcmig-engine run-scenario`` on the spec file: its result, or a ``crash`` result when the
    process dies, fails without one, or outlives ``timeout`` seconds (then it is killed)."""
    engine = engine_binary()
    if not engine.is_file():
        raise RunnerUnavailable(f"{engine}: no ppcmig-engine to run the scenario in (build it, or set $PPCMIG_ENGINE)")
    cmd = [str(engine), "run-scenario", str(spec_path)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        return _crash_result(spec, out, f"gave no result within {timeout:g} s (killed)",
                             {"what": f"no result within {timeout:g} s", "timeout_s": timeout,
                              "stderr": err[-_STDERR_TAIL:]})
    if p.returncode == 0:
        return p.stdout.rstrip("\n")  # the line the in-process runner returns
    if p.returncode == _EXIT_SPEC_ERROR and p.stderr.startswith("scenario spec "):
        raise ValueError(p.stderr.strip())  # what the in-process runner raises for it
    if p.returncode == _EXIT_USAGE:
        # Not a verdict on the scenario: the engine refused its command line (an older binary
        # without run-scenario) or failed before running it.
        first = p.stderr.strip().splitlines()[0] if p.stderr.strip() else "no message"
        raise RuntimeError(f"{engine} run-scenario {spec_path} failed before running the scenario (exit 2): {first}")
    if p.returncode < 0:
        try:
            name = signal.Signals(-p.returncode).name
        except ValueError:
            name = f"signal {-p.returncode}"
        cause, what = f"killed by {name}", f"the engine process was killed by {name}"
        details: dict[str, Any] = {"signal": name}
    else:
        cause, what = f"exited with status {p.returncode} without a result", f"exit status {p.returncode}"
        details = {"exit_status": p.returncode}
    last = p.stderr.strip().splitlines()[-1:] if p.stderr.strip() else []
    return _crash_result(spec, out, cause + (f": {last[0]}" if last else ""),
                         {"what": what + (f": {last[0]}" if last else ""), **details, "stderr": p.stderr[-_STDERR_TAIL:]})


def run_spec(spec: Mapping[str, Any], artifacts: str | os.PathLike[str], *, isolate: bool = False,
             timeout: float | None = None) -> Result:
    """Run a spec (a dict of the runner's JSON format) with its artifacts in ``artifacts``.

    In process by default (the engine releases the GIL). ``isolate=True`` runs it in a
    ``ppcmig-engine run-scenario`` process of its own: an engine that crashes (a signal) or never
    finishes (``timeout`` seconds, default none) becomes a ``crash`` result instead of taking the
    caller down; any other result is the in-process one, digest included."""
    fn = getattr(_ppcmig, "run_scenario", None)
    if fn is None:
        raise RunnerUnavailable("this build of ppcmig._ppcmig has no run_scenario (the differential runner "
                                "is not built in yet)")
    out = Path(artifacts).absolute()
    out.mkdir(parents=True, exist_ok=True)
    full = {**spec, "artifacts": str(out)}
    spec_text = json.dumps(full, indent=2) + "\n"
    # Written before the run so that a process that dies still leaves its reproducer; the runner
    # writes the same spec again.
    spec_path = out / SCENARIO_FILE
    _write_atomically(spec_path, spec_text)
    raw = _run_isolated(full, spec_path, out, timeout) if isolate else fn(json.dumps(full))
    result = Result.from_json(raw, replay_command(spec_path), full)
    _write_atomically(out / RESULT_FILE, raw if raw.endswith("\n") else raw + "\n")
    return result


def run(scenario: Scenario, artifacts: str | os.PathLike[str] | None = None, *, isolate: bool = False,
        timeout: float | None = None) -> Result:
    """Run ``scenario`` migrated and as the never-migrated reference; compare; return the verdict.

    ``artifacts`` is the directory for the spec, the result and the runner's files; by default
    ``$PPCMIG_OUT`` (or ``./ppcmig-out``) ``/<id slug>-<spec hash>``. ``isolate`` and ``timeout``:
    see :func:`run_spec`."""
    spec = scenario.to_spec()
    return run_spec(spec, artifacts if artifacts is not None else default_artifacts_dir(spec), isolate=isolate,
                    timeout=timeout)
