"""The pytest plugin (ppcmig.pytest_plugin) with a fake runner: scenario files collected as items
with readable ids, expected verdicts asserted, explain() and the replay command on failure,
markers under --strict-markers, invalid files, programmatic parametrisation, pytest-xdist and
--junitxml."""
from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import fake_runner
from ppcmig import _ppcmig

pytest_plugins = ["pytester"]

GUEST = '[guest]\nname = "decr_tick"\n'
OK_ID = "2.7->2.8/pseries-2.7/POWER8/decr_tick"
LF_ID = "2.6->2.7/pseries-2.6/host=POWER8/kvm-hv/decr_tick"


def scenario(expect: str, build: str, machine: str, dest: str, extra: str = "", tags: str = "[]") -> str:
    return (f'history = "h"\nexpect = "{expect}"\ntags = {tags}\n{extra}{GUEST}[source]\nbuild = "{build}"\n'
            f'machine = "{machine}"\n' + ('cpu = "POWER8"\n' if "2.6" not in build else
                                         'cpu = "host"\naccel = "kvm-hv"\nhost_cpu = "POWER8"\n') +
            f'[[hop]]\nat_insns = 1_000_000\nbuild = "{dest}"\n')


@pytest.fixture
def repo(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A directory with scenarios/seeds/{ok,load_fail}.toml and the fake runner in this process."""
    monkeypatch.setattr(_ppcmig, "run_scenario", fake_runner.run_scenario, raising=False)
    monkeypatch.setattr(_ppcmig, "builds", fake_runner.builds, raising=False)
    monkeypatch.setenv("PPCMIG_ENGINE", str(fake_runner.FAKE_ENGINE))
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"2.6->2.7": "load_fail"}))
    monkeypatch.setenv("PPCMIG_OUT", str(pytester.path / "out"))
    seeds = pytester.mkdir("scenarios").joinpath("seeds")
    seeds.mkdir()
    (seeds / "ok.toml").write_text(scenario("ok", "2.7", "pseries-2.7", "2.8", tags='["smoke"]'))
    (seeds / "c1.toml").write_text(scenario("load_fail", "2.6", "pseries-2.6", "2.7",
                                            'expect_detail = "Failed to load cpu:insns_flags"\n', '["catalogue-c1"]'))
    (pytester.path / "scenarios" / "changesets").mkdir()
    (pytester.path / "scenarios" / "changesets" / "cs.toml").write_text('base = "2.8"\n')
    return pytester


def run(p: pytest.Pytester, *args: str) -> pytest.RunResult:
    return p.runpytest("-p", "ppcmig.pytest_plugin", "-p", "no:cacheprovider", "--strict-markers", *args)


def test_collects_scenario_files_with_readable_ids(repo: pytest.Pytester) -> None:
    r = run(repo, "--collect-only", "-q", "scenarios")
    assert sorted(line for line in r.outlines if "::" in line) == [
        f"scenarios/seeds/c1.toml::{LF_ID}", f"scenarios/seeds/ok.toml::{OK_ID}"]


def test_expected_verdicts_pass(repo: pytest.Pytester) -> None:
    run(repo, "scenarios").assert_outcomes(passed=2)


def test_a_mismatch_fails_with_the_explanation_and_replay_command(repo: pytest.Pytester,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"2.6->2.7": "ok", "2.7->2.8": "divergence"}))
    r = run(repo, "scenarios")
    r.assert_outcomes(passed=0, failed=2)
    text = r.stdout.str()
    assert "expected verdict ok, got divergence" in text
    assert "first difference: vCPU 0 at tick 1,000,500, pc 0x10400: mfdec r3" in text
    assert "expected verdict load_fail, got ok" in text
    assert f"file:      {repo.path / 'scenarios/seeds/c1.toml'}" in text and "history:   h" in text
    assert "expected detail 'Failed to load cpu:insns_flags' is not in the summary or details" in text
    replays = [line.split("replay:", 1)[1].split() for line in r.outlines if line.startswith("replay:")]
    assert len(replays) == 2 and all(spec.endswith("/scenario.json") and Path(spec).is_file() for _, _, spec in replays)
    assert "Traceback" not in text and "def runtest" not in text  # the report, not the plugin's code


def test_markers_select_scenarios_under_strict_markers(repo: pytest.Pytester) -> None:
    for expr, count in [("build_2_8", 1), ("build_2_7", 2), ("machine_2_6", 1), ("verdict_load_fail", 1),
                        ("catalogue_c1 or smoke", 2), ("not verdict_ok", 1)]:
        r = run(repo, "scenarios", "-m", expr)
        r.assert_outcomes(passed=count)
    r = run(repo, "--markers")
    assert any(line.startswith("@pytest.mark.build_2_8:") for line in r.outlines)
    assert any(line.startswith("@pytest.mark.catalogue_c1:") for line in r.outlines)


def test_an_invalid_file_fails_with_file_key_and_reason(repo: pytest.Pytester) -> None:
    bad = repo.path / "scenarios" / "seeds" / "bad.toml"
    bad.write_text(scenario("ok", "2.7", "pseries-2.7", "2.8").replace("at_insns = 1_000_000", "at_insns = '1'"))
    r = run(repo, "scenarios")
    r.assert_outcomes(passed=2, failed=1)
    assert f"{bad}: hop[0].at_insns: expected an integer, got a string ('1')" in r.stdout.str()
    assert "Traceback" not in r.stdout.str()


def test_skips_until_the_engine_has_a_runner(repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(_ppcmig, "run_scenario")
    r = run(repo, "scenarios", "-rs")
    r.assert_outcomes(skipped=2)
    assert "engine runner not built yet" in r.stdout.str()


def test_files_elsewhere_only_when_named(repo: pytest.Pytester) -> None:
    other = repo.mkdir("mine")
    (other / "x.toml").write_text(scenario("ok", "2.7", "pseries-2.7", "2.9"))
    (repo.path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    run(repo, "test_nothing.py").assert_outcomes(passed=1)
    run(repo, "mine").assert_outcomes(passed=1)
    run(repo, "mine/x.toml").assert_outcomes(passed=1)


def test_programmatic_parametrisation(repo: pytest.Pytester) -> None:
    repo.makepyfile(test_params="""
        import pytest
        from ppcmig.pytest_plugin import assert_expected, scenario_params

        PARAMS = scenario_params(["scenarios/seeds"])

        def test_ids():
            assert [p.id for p in PARAMS] == [%r, %r]

        @pytest.mark.parametrize("scenario", PARAMS)
        def test_seed(scenario, ppcmig_run):
            assert_expected(scenario, ppcmig_run(scenario))
    """ % (LF_ID, OK_ID))
    r = run(repo, "test_params.py", "-v")
    r.assert_outcomes(passed=3)
    assert f"test_params.py::test_seed[{OK_ID}] PASSED" in r.stdout.str()
    run(repo, "test_params.py", "-m", "verdict_load_fail").assert_outcomes(passed=1)
    (repo.path / "scenarios" / "seeds" / "z.toml").write_text('history = "h"\nexpect = "nope"\n')
    r = run(repo, "test_params.py", "-k", "test_seed")
    r.assert_outcomes(passed=2, failed=1)
    assert "z.toml: expect: unknown verdict 'nope'" in r.stdout.str()


def test_xdist_and_junitxml(repo: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """In subprocesses (the workers), with the fake installed by a conftest."""
    tests_dir = Path(fake_runner.__file__).parent
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tests_dir), *sys.path]))
    repo.makeconftest("import fake_runner\nfake_runner.install()\n")
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"2.6->2.7": "load_fail", "2.7->2.8": "hang"}))
    junit = repo.path / "junit.xml"
    r = repo.runpytest_subprocess("-p", "ppcmig.pytest_plugin", "-p", "no:cacheprovider", "--strict-markers",
                                  "-n", "2", f"--junitxml={junit}", "scenarios")
    r.assert_outcomes(passed=1, failed=1)
    assert "2 workers" in r.stdout.str() or "gw1" in r.stdout.str()
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    assert set(cases) == {OK_ID, LF_ID}
    props = {p.get("name"): p.get("value") for p in cases[LF_ID].iter("property")}
    assert props["verdict"] == "load_fail" and props["replay"].endswith("/scenario.json")
    failure = cases[OK_ID].find("failure")
    assert failure is not None and "expected verdict ok, got hang" in (failure.text or "") + failure.get("message", "")
