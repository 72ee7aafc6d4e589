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
import tempfile
from pathlib import Path
from typing import Any, Mapping

from . import _ppcmig
from .result import Result
from .scenario import Scenario

__all__ = ["run", "run_spec", "runner_available", "RunnerUnavailable", "default_artifacts_dir",
           "replay_command", "spec_digest", "slug"]

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


def run_spec(spec: Mapping[str, Any], artifacts: str | os.PathLike[str]) -> Result:
    """Run a spec (a dict of the runner's JSON format) with its artifacts in ``artifacts``."""
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
    raw = fn(json.dumps(full))
    result = Result.from_json(raw, replay_command(spec_path), full)
    _write_atomically(out / RESULT_FILE, raw if raw.endswith("\n") else raw + "\n")
    return result


def run(scenario: Scenario, artifacts: str | os.PathLike[str] | None = None) -> Result:
    """Run ``scenario`` migrated and as the never-migrated reference; compare; return the verdict.

    ``artifacts`` is the directory for the spec, the result and the runner's files; by default
    ``$PPCMIG_OUT`` (or ``./ppcmig-out``) ``/<id slug>-<spec hash>``."""
    spec = scenario.to_spec()
    return run_spec(spec, artifacts if artifacts is not None else default_artifacts_dir(spec))
