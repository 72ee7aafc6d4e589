"""ppcmig: differential testing of PowerPC (pseries) live-migration compatibility.

This package is the Python face of the C++ engine (module ``ppcmig._ppcmig``): the scenario API
(:class:`Build`, :class:`MachineConfig`, :class:`Guest`, :class:`MigrationPlan`, :class:`Scenario`,
:func:`run` -> :class:`Result`), scenario files (``ppcmig.scenario_file``), the CLI
(``ppcmig.cli``) and the pytest plugin (``ppcmig.pytest_plugin``).
"""
from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import Sequence

from . import _ppcmig
from .machine_config import ConfigError, MachineConfig
from .result import Result, ResultError
from .runner import RunnerUnavailable, run, run_spec, runner_available
from .scenario import (VERDICTS, Build, Expectation, Guest, Hop, MigrationPlan, Precopy, Scenario,
                       ScenarioError)

__all__ = ["Instruction", "disassemble", "run_user", "UserResult", "cpu_models",
           "Build", "MachineConfig", "ConfigError", "Guest", "MigrationPlan", "Precopy", "Hop", "Expectation",
           "Scenario", "ScenarioError", "VERDICTS", "run", "run_spec", "runner_available", "RunnerUnavailable",
           "Result", "ResultError"]


@dataclass(frozen=True)
class Instruction:
    """One disassembled instruction."""

    address: int
    length: int
    text: str


@dataclass(frozen=True)
class UserResult:
    """Outcome of a user-mode run."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    signal: int
    instructions: int
    fault: str


def disassemble(data: bytes, address: int = 0, little_endian: bool = False) -> list[Instruction]:
    """Disassemble ``data`` (a sequence of instructions) as GNU objdump would print it."""
    return [Instruction(a, n, t) for (a, n, t) in _ppcmig.disassemble(bytes(data), address, little_endian)]


def run_user_full(elf_path: str | PathLike[str], args: Sequence[str] = (), cpu: str = "POWER9",
                  max_insns: int = 200_000_000_000) -> UserResult:
    """Run a static Linux ppc64 executable on the engine and return everything it produced."""
    d = _ppcmig.run_user(str(elf_path), list(args), cpu, max_insns)
    return UserResult(d["exit_code"], d["stdout"], d["stderr"], d["signal"], d["instructions"], d["fault"])


def run_user(elf_path: str | PathLike[str], args: Sequence[str] = ()) -> tuple[int, bytes]:
    """Run a static Linux ppc64 executable; return ``(exit_code, stdout_bytes)``."""
    r = run_user_full(elf_path, args)
    return r.exit_code, r.stdout


def cpu_models() -> list[tuple[str, int]]:
    """The engine's CPU models as ``(name, pvr)``."""
    return list(_ppcmig.cpu_models())
