"""``ppcmig scenario run|list`` and ``ppcmig replay``: scenario files on the differential runner."""
from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from . import runner
from .result import Result, ResultError
from .runner import RunnerUnavailable
from .scenario import Scenario
from .scenario_file import ScenarioFileError, load, load_all

__all__ = ["add_scenario_commands", "Outcome", "load_outcomes", "run_outcomes", "run_files"]

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2
DEFAULT_TIMEOUT_S = 900.0


@dataclass
class Outcome:
    """One scenario file's row: loaded or not, run or not, and whether it met its expectation."""

    file: Path
    scenario: Scenario | None = None
    result: Result | None = None
    error: str | None = None          # an invalid file, or a run that raised
    problems: list[str] = field(default_factory=list)
    replay: str | None = None         # the replay command of a run (also of one that raised)

    @property
    def id(self) -> str:
        return self.scenario.title if self.scenario is not None else str(self.file)

    @property
    def expected(self) -> str:
        exp = self.scenario.expectation if self.scenario is not None else None
        return exp.expect if exp is not None else "-"

    @property
    def actual(self) -> str:
        if self.result is not None:
            return self.result.verdict
        return "invalid" if self.scenario is None else "error"

    @property
    def ok(self) -> bool:
        return self.error is None and self.result is not None and not self.problems

    @property
    def status(self) -> str:
        return "ok" if self.ok else ("ERROR" if self.error is not None else "MISMATCH")

    def record(self) -> dict[str, Any]:
        """The ``--json`` form."""
        r, exp = self.result, self.scenario.expectation if self.scenario else None
        return {"file": str(self.file), "id": self.id, "expected": self.expected,
                "expect_detail": exp.expect_detail if exp else None, "actual": self.actual, "ok": self.ok,
                "problems": self.problems, "error": self.error,
                "summary": r.summary if r else None, "hop": r.hop if r else None,
                "digest": r.digest if r else None, "replay": self.replay,
                "artifacts": (r.artifacts or {}).get("dir") if r else None}


def _run_one(o: Outcome, artifacts_base: Path | None, isolate: bool, timeout: float | None) -> Outcome:
    assert o.scenario is not None
    spec = o.scenario.to_spec()
    out = runner.default_artifacts_dir(spec, artifacts_base)
    try:
        o.result = runner.run_spec(spec, out, isolate=isolate, timeout=timeout)
    except RunnerUnavailable:
        raise
    except (ResultError, OSError, ValueError, RuntimeError) as e:  # the engine's SpecError and kin
        o.error = f"{type(e).__name__}: {e}"
        if (out / runner.SCENARIO_FILE).is_file():  # written before the run: it reproduces the error
            o.replay = runner.replay_command(out / runner.SCENARIO_FILE)
        return o
    o.replay = o.result.replay_command
    exp = o.scenario.expectation
    if exp is not None:
        o.problems = exp.problems(o.result.verdict, o.result.summary, o.result.details_text)
    return o


def load_outcomes(paths: Sequence[str]) -> list[Outcome]:
    """One row per scenario file of ``paths``: its scenario, or the error that made it invalid."""
    outcomes: list[Outcome] = []
    for f, value in load_all(paths):
        if isinstance(value, ScenarioFileError):
            outcomes.append(Outcome(f, error=str(value)))
        else:
            outcomes.append(Outcome(f, scenario=value))
    return outcomes


def run_outcomes(outcomes: list[Outcome], artifacts: str | None = None, jobs: int = 1,
                 progress: Callable[[Outcome], None] | None = None, isolate: bool = True,
                 timeout: float | None = None) -> list[Outcome]:
    """Run the loaded rows (in place; ``progress`` is called as each finishes), each in an engine
    process of its own unless ``isolate`` is false (``runner.run_spec``). Raises
    :class:`RunnerUnavailable` before running anything when the engine has no runner."""
    runnable = [o for o in outcomes if o.scenario is not None]
    if runnable and not runner.runner_available():
        raise RunnerUnavailable("this build of ppcmig._ppcmig has no run_scenario: the differential runner is "
                                "not built in yet")
    base = Path(artifacts) if artifacts is not None else None
    # An engine process, or the engine in process with the GIL released: threads run scenarios
    # in parallel either way.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for o in pool.map(lambda o: _run_one(o, base, isolate, timeout), runnable):
            if progress is not None:
                progress(o)
    return outcomes


def run_files(paths: Sequence[str], artifacts: str | None = None, jobs: int = 1, isolate: bool = True,
              timeout: float | None = None) -> list[Outcome]:
    """Load and run every scenario file of ``paths``; rows in file order."""
    return run_outcomes(load_outcomes(paths), artifacts, jobs, isolate=isolate, timeout=timeout)


def _console(widest: int = 0):  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:  # a log file: room for whole ids and replay commands on one line each
        console = Console(width=max(160, widest + 50), highlight=False, no_color=True)
    return console


def _print_table(outcomes: list[Outcome], seconds: float) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    console = _console(max(len(o.id) for o in outcomes))
    console.print(f"{len(outcomes)} scenario file(s): each ran migrated and as a never-migrated reference; "
                  f"expected verdict (the file's) against actual")
    table = Table(box=box.SIMPLE_HEAD if console.is_terminal else box.SIMPLE, show_edge=False, pad_edge=False)
    # Verdicts never shrink; a long id folds onto a second line in a narrow terminal.
    verdict_width = max(len(v) for v in ("program_interrupt", "invalid"))
    table.add_column("scenario", overflow="fold")
    table.add_column("expected", no_wrap=True, min_width=verdict_width)
    table.add_column("actual", no_wrap=True, min_width=verdict_width)
    table.add_column("result", no_wrap=True, min_width=len("MISMATCH"))
    for o in outcomes:
        style = "green" if o.ok else "bold red"
        table.add_row(escape(o.id), o.expected, o.actual, f"[{style}]{o.status}[/]")
    console.print(table)
    bad = [o for o in outcomes if not o.ok]
    for o in bad:
        console.print(f"[bold red]{o.status}[/] {escape(o.id)}  ({escape(str(o.file))})")
        if o.error is not None:
            console.print(f"  {escape(o.error)}", soft_wrap=True)
        for p in o.problems:
            console.print(f"  {escape(p)}", soft_wrap=True)
        if o.result is not None:
            console.print(f"  summary: {escape(o.result.summary)}", soft_wrap=True)
        if o.replay is not None:
            console.print(f"  replay:  {escape(o.replay)}", soft_wrap=True)
    met = sum(o.ok for o in outcomes)
    mismatched = sum(1 for o in outcomes if o.status == "MISMATCH")
    errors = sum(1 for o in outcomes if o.status == "ERROR")
    style = "green" if not bad else "bold red"
    console.print(f"[{style}]{len(outcomes)} scenario(s): {met} as expected, {mismatched} mismatched, "
                  f"{errors} error(s)[/] (wall time {seconds:.1f} s)")


def _cmd_run(ns: argparse.Namespace) -> int:
    missing = [p for p in ns.paths if not Path(p).exists()]
    if missing:
        print(f"ppcmig scenario run: no such file or directory: {', '.join(missing)}")
        return EXIT_USAGE
    outcomes = load_outcomes(ns.paths)
    if not outcomes:
        print(f"ppcmig scenario run: no scenario files (TOML with a top-level 'expect') in {' '.join(ns.paths)}")
        return EXIT_USAGE
    console = _console()
    t0 = time.perf_counter()
    try:
        if console.is_terminal and not ns.json:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            runnable = sum(1 for o in outcomes if o.scenario is not None)
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console, transient=True) as prog:
                task = prog.add_task("running", total=runnable)

                def step(o: Outcome) -> None:
                    prog.update(task, advance=1, description=f"{o.id}: {o.actual}")

                run_outcomes(outcomes, ns.artifacts, ns.jobs, progress=step, isolate=not ns.in_process,
                             timeout=ns.timeout)
        else:
            run_outcomes(outcomes, ns.artifacts, ns.jobs, isolate=not ns.in_process, timeout=ns.timeout)
    except RunnerUnavailable as e:
        print(f"ppcmig scenario run: {e}")
        return EXIT_USAGE
    if ns.json:
        print(json.dumps([o.record() for o in outcomes], indent=2))
    else:
        _print_table(outcomes, time.perf_counter() - t0)
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_MISMATCH


def _cmd_list(ns: argparse.Namespace) -> int:
    missing = [p for p in ns.paths if not Path(p).exists()]
    if missing:
        print(f"ppcmig scenario list: no such file or directory: {', '.join(missing)}")
        return EXIT_USAGE
    status = EXIT_OK
    for f, value in load_all(ns.paths):
        if isinstance(value, ScenarioFileError):
            print(f"invalid: {value}")
            status = EXIT_MISMATCH
        elif ns.long:
            exp = value.expectation
            print(f"{value.title}\t{exp.expect if exp else '-'}\t{f}")
        else:
            print(value.title)
    return status


def _load_spec(arg: str) -> tuple[dict[str, Any], Scenario | None]:
    p = Path(arg)
    if p.suffix == ".toml":
        s = load(p)
        return s.to_spec(), s
    try:
        spec = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ValueError(f"{arg}: cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{arg}: not JSON: {e}") from None
    if not isinstance(spec, dict) or spec.get("format") != "ppcmig-scenario":
        raise ValueError(f"{arg}: not a scenario spec (format 'ppcmig-scenario'); a result.json? replay its "
                         f"scenario.json and pass the result with --check")
    return spec, None


def _recorded_digest(path: Path) -> str:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: not a readable result: {e}") from None
    if not isinstance(d, dict) or not isinstance(d.get("digest"), str):
        raise ValueError(f"{path}: not a result (no digest)")
    return d["digest"]


def _cmd_replay(ns: argparse.Namespace) -> int:
    try:
        spec, scenario = _load_spec(ns.spec)
        expected_digest = _recorded_digest(Path(ns.check)) if ns.check else None
    except (ValueError, ScenarioFileError) as e:
        print(f"ppcmig replay: {e}")
        return EXIT_USAGE
    if ns.artifacts is not None:
        out = Path(ns.artifacts)
    elif scenario is None:  # next to the original run, which stays as it was
        out = Path(ns.spec).absolute().parent / "replay"
    else:
        out = runner.default_artifacts_dir(spec)
    try:
        result = runner.run_spec(spec, out, isolate=not ns.in_process, timeout=ns.timeout)
    except RunnerUnavailable as e:
        print(f"ppcmig replay: {e}")
        return EXIT_USAGE
    except (ResultError, OSError, ValueError, RuntimeError) as e:
        print(f"ppcmig replay: {ns.spec}: {type(e).__name__}: {e}")
        return EXIT_USAGE
    if ns.json:
        print(result.raw.rstrip("\n"))
    else:
        print(result.explain())
        if scenario is not None and scenario.expectation is not None:
            problems = scenario.expectation.problems(result.verdict, result.summary, result.details_text)
            exp = scenario.expectation.expect
            print(f"expected:  {exp}: " + ("met" if not problems else "NOT met: " + "; ".join(problems)))
    sibling = Path(ns.spec).absolute().parent / runner.RESULT_FILE
    if expected_digest is None and scenario is None and sibling.is_file():
        try:
            recorded = _recorded_digest(sibling)
            same = "matches" if recorded == result.digest else "DIFFERS from"
            if not ns.json:
                print(f"digest:    {result.digest} {same} the recorded {sibling}")
        except ValueError:
            pass
    if expected_digest is not None:
        if expected_digest != result.digest:
            print(f"replay: digest {result.digest} differs from {ns.check}'s {expected_digest}: not reproduced")
            return EXIT_MISMATCH
        if not ns.json:
            print(f"replay: digest {result.digest} equals {ns.check}'s: reproduced bit for bit")
    return EXIT_OK


def _positive_seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return v


def _isolation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--in-process", action="store_true",
                   help="run in this process (faster to start; an engine crash takes the command down) instead "
                        "of one ppcmig-engine process per scenario, where a crash is a 'crash' verdict")
    p.add_argument("--timeout", type=_positive_seconds, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                   help=f"an engine process without a result after this long is killed: a 'crash' verdict "
                        f"(default {DEFAULT_TIMEOUT_S:g}; a safety net: the virtual budget bounds the guest)")


def add_scenario_commands(sub: Any) -> None:
    """Register ``scenario run``, ``scenario list`` and ``replay`` on the CLI's subparsers."""
    sc = sub.add_parser("scenario", help="scenario files: run them on the differential runner, list them")
    scs = sc.add_subparsers(dest="scenario_cmd", required=True)
    r = scs.add_parser("run", help="run scenario files and print expected vs actual verdicts (exit 1 on a mismatch)")
    r.add_argument("paths", nargs="+", metavar="FILE|DIR", help="scenario files, or directories searched recursively")
    r.add_argument("--artifacts", metavar="DIR",
                   help="where each run's directory goes (default $PPCMIG_OUT or ./ppcmig-out)")
    r.add_argument("--json", action="store_true", help="print one JSON record per scenario instead of the table")
    r.add_argument("-j", "--jobs", type=int, default=1, help="scenarios run in parallel (default 1)")
    _isolation_options(r)
    r.set_defaults(fn=_cmd_run)
    ls = scs.add_parser("list", help="print the readable ids of scenario files")
    ls.add_argument("paths", nargs="+", metavar="FILE|DIR")
    ls.add_argument("-l", "--long", action="store_true", help="also the expected verdict and the file")
    ls.set_defaults(fn=_cmd_list)
    rp = sub.add_parser("replay", help="rerun a scenario spec (scenario.json of a run) or file and explain the result")
    rp.add_argument("spec", metavar="SPEC.json|FILE.toml")
    rp.add_argument("--check", metavar="RESULT.json", help="exit 1 unless the digest equals this result's")
    rp.add_argument("--artifacts", metavar="DIR",
                    help="this run's artifacts (default: replay/ next to SPEC.json; for a FILE.toml as "
                         "'scenario run' does)")
    rp.add_argument("--json", action="store_true", help="print the result JSON instead of the explanation")
    _isolation_options(rp)
    rp.set_defaults(fn=_cmd_replay)

