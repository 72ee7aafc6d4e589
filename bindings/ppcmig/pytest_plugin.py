"""pytest plugin: scenario files as test items.

Enable it with ``-p ppcmig.pytest_plugin`` or ``pytest_plugins = ["ppcmig.pytest_plugin"]`` in a
root conftest.py (this repository's does). Then ``pytest scenarios/seeds`` collects every scenario
file (a ``.toml`` with a top-level ``expect``) under a directory named ``scenarios`` or named on the
command line, one item per file, named by the scenario's readable id
(``2.7->2.8/pseries-2.7/POWER8/compat=power7/cas_boot``). An item runs the scenario, asserts the
expected verdict (and ``expect_detail``) and on failure prints ``Result.explain()`` with the replay
command; invalid files fail with ``FILE: KEY: reason``. The verdict and replay command also go to
``--junitxml`` as properties.

Markers: ``build_<name>`` for every build of the chain, ``machine_<version>`` for every side's
machine version, ``verdict_<expected>`` and the file's tags (dots and dashes become ``_``), e.g.
``pytest scenarios -m "build_2_8 and not verdict_ok"``. Works with pytest-xdist.

Python tests can parametrize over scenarios too::

    @pytest.mark.parametrize("scenario", scenario_params(["scenarios/seeds"]))
    def test_seed(scenario, ppcmig_run):
        assert_expected(scenario, ppcmig_run(scenario))
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import pytest

from .machine_config import ConfigError
from .result import Result
from .runner import RunnerUnavailable, default_artifacts_dir, run_spec, runner_available
from .scenario import VERDICTS, Scenario, ScenarioError, marker_safe, shipped_builds
from .scenario_file import ScenarioFileError, is_scenario_file, load, load_all

__all__ = ["scenario_params", "assert_expected", "ScenarioMismatch", "ScenarioFile", "ScenarioItem"]

SKIP_NO_RUNNER = "engine runner not built yet"

# The configs of the pytest sessions running (pytester nests them), so that scenario_params()
# can register the markers it attaches.
_configs: list[pytest.Config] = []


class ScenarioMismatch(AssertionError):
    """A scenario's result does not meet its file's expectation."""

    def __init__(self, problems: list[str], result: Result, scenario: Scenario | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.result = result
        self.scenario = scenario

    def report(self) -> str:
        lines = list(self.problems)
        s = self.scenario
        if s is not None:
            if s.path is not None:
                lines.append(f"file:      {s.path}")
            if s.expectation is not None:
                if s.expectation.title:
                    lines.append(f"title:     {s.expectation.title}")
                lines.append(f"history:   {s.expectation.history}")
        return "\n".join([*lines, "", self.result.explain()])


def assert_expected(scenario: Scenario, result: Result) -> None:
    """Raise :class:`ScenarioMismatch` (an AssertionError) unless ``result`` meets the scenario's
    expectation (verdict and ``expect_detail``)."""
    exp = scenario.expectation
    if exp is None:
        return
    problems = exp.problems(result.verdict, result.summary, result.details_text)
    if problems:
        raise ScenarioMismatch(problems, result, scenario)


def _marker_line(name: str) -> str:
    kind = name.split("_", 1)[0]
    what = {"build": "scenarios involving this engine build", "machine": "scenarios on this machine version",
            "verdict": "scenarios expecting this verdict"}.get(kind, "a scenario file tag")
    return f"{name}: {what} (ppcmig scenario marker)"


def _register(config: pytest.Config, names: Iterable[str]) -> None:
    known = {line.split(":")[0].strip() for line in config.getini("markers")}
    for name in names:
        if name not in known:
            config.addinivalue_line("markers", _marker_line(name))
            known.add(name)


def _explicit_paths(config: pytest.Config) -> list[Path]:
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return []
    base = config.invocation_params.dir
    return [(base / a.split("::")[0]).absolute() for a in config.args]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ppcmig", "ppcmig scenario files")
    group.addoption("--ppcmig-artifacts", metavar="DIR", default=None,
                    help="where each scenario's artifacts directory goes (default $PPCMIG_OUT or ./ppcmig-out)")
    group.addoption("--ppcmig-in-process", action="store_true", default=False,
                    help="run scenario files in the test process instead of one ppcmig-engine process each "
                         "(where an engine crash is a 'crash' verdict, not a dead worker)")
    group.addoption("--ppcmig-timeout", type=float, default=900.0, metavar="SECONDS",
                    help="an engine process without a result after this long is killed: a 'crash' verdict")


def pytest_configure(config: pytest.Config) -> None:
    _configs.append(config)
    names = [f"verdict_{v}" for v in VERDICTS]
    names += ["build_" + marker_safe(b) for b in shipped_builds() or []]
    # The markers of the catalogue and of files named on the command line, so that --markers
    # lists them (items register theirs again when collected, for files elsewhere).
    roots = {Path(str(config.rootpath)) / "scenarios", *_explicit_paths(config)}
    for root in sorted(roots):
        if root.exists() and (root.is_dir() or root.suffix == ".toml"):
            for _, value in load_all([root]):
                if isinstance(value, Scenario):
                    names += value.markers()
    _register(config, dict.fromkeys(names))


def pytest_unconfigure(config: pytest.Config) -> None:
    if config in _configs:
        _configs.remove(config)


def _eligible(path: Path, config: pytest.Config) -> bool:
    p = path.absolute()
    if any(parent.name == "scenarios" for parent in p.parents):
        return True
    return any(e == p or e in p.parents for e in _explicit_paths(config))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> "ScenarioFile | None":
    if file_path.suffix != ".toml" or not _eligible(file_path, parent.config) or not is_scenario_file(file_path):
        return None
    return ScenarioFile.from_parent(parent, path=file_path)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    # scenario_params() hands invalid files over as their error: fail them with the message
    # (before the test function runs, so it need not know).
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        for value in callspec.params.values():
            if isinstance(value, ScenarioFileError):
                pytest.fail(str(value), pytrace=False)


class ScenarioFile(pytest.File):
    """One scenario file: one item, or one failing item when the file is invalid."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = load(self.path)
        except ScenarioFileError as e:
            yield ScenarioItem.from_parent(self, name=self.path.name, scenario=None, error=e)
            return
        item = ScenarioItem.from_parent(self, name=scenario.title, scenario=scenario, error=None)
        markers = scenario.markers()
        _register(self.config, markers)
        for m in markers:
            item.add_marker(m)
        yield item


class ScenarioItem(pytest.Item):
    """Runs one scenario and checks its file's expectation."""

    def __init__(self, *, scenario: Scenario | None, error: ScenarioFileError | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.error = error

    def runtest(self) -> None:
        if self.error is not None:
            raise self.error
        assert self.scenario is not None
        if not runner_available():
            pytest.skip(SKIP_NO_RUNNER)
        result = _run(self.config, self.scenario)
        self.user_properties.append(("verdict", result.verdict))
        self.user_properties.append(("replay", result.replay_command))
        assert_expected(self.scenario, result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        e = excinfo.value
        if isinstance(e, ScenarioMismatch):
            return e.report()
        if isinstance(e, (ScenarioFileError, ScenarioError, ConfigError, RunnerUnavailable)):
            return str(e)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"scenario {self.name}"


def _run(config: pytest.Config, scenario: Scenario) -> Result:
    spec = scenario.to_spec()
    base = config.getoption("--ppcmig-artifacts", default=None)
    return run_spec(spec, default_artifacts_dir(spec, base), isolate=not config.getoption("--ppcmig-in-process"),
                    timeout=config.getoption("--ppcmig-timeout"))


@pytest.fixture
def ppcmig_run(request: pytest.FixtureRequest) -> Callable[[Scenario], Result]:
    """Run a scenario (artifacts as the plugin's items); skips when the engine has no runner."""
    def run_one(scenario: Scenario) -> Result:
        if isinstance(scenario, ScenarioFileError):
            pytest.fail(str(scenario), pytrace=False)
        if not runner_available():
            pytest.skip(SKIP_NO_RUNNER)
        return _run(request.config, scenario)
    return run_one


def scenario_params(paths: Sequence[str | os.PathLike[str]]) -> list[Any]:
    """``pytest.param`` per scenario file of ``paths`` (files, or directories searched
    recursively), with the readable id and the markers; an invalid file becomes a param that
    fails with its ``FILE: KEY: reason``."""
    params = []
    for f, value in load_all(paths):
        if isinstance(value, ScenarioFileError):
            params.append(pytest.param(value, id=f"invalid:{f.name}"))
            continue
        names = value.markers()
        for config in _configs[-1:]:
            _register(config, names)
        params.append(pytest.param(value, id=value.title, marks=[getattr(pytest.mark, n) for n in names]))
    return params

