"""`ppcmig scenario run|list` and `ppcmig replay` with a fake runner: the table, the mismatch
report with replay commands, exit codes, --json, --check."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fake_runner
from ppcmig import _ppcmig
from ppcmig.cli import main

GUEST = '[guest]\nname = "decr_tick"\n'
OK_ID = "2.7->2.8/pseries-2.7/POWER8/decr_tick"
PI_ID = "2.7->2.8-compat-rfc/pseries-2.7/POWER8/compat=power7/kvm-hv/compat_idle"


def scenario(expect: str, source: str = 'build = "2.7"\nmachine = "pseries-2.7"\ncpu = "POWER8"\n',
             hop: str = 'build = "2.8"\n', guest: str = GUEST, detail: str = "") -> str:
    extra = f'expect_detail = "{detail}"\n' if detail else ""
    return (f'history = "h"\nexpect = "{expect}"\n{extra}{guest}[source]\n{source}'
            f'[[hop]]\nat_insns = 1_000_000\n{hop}')


@pytest.fixture
def catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(_ppcmig, "run_scenario", fake_runner.run_scenario, raising=False)
    monkeypatch.setattr(_ppcmig, "builds", fake_runner.builds, raising=False)
    monkeypatch.setenv("PPCMIG_ENGINE", str(fake_runner.FAKE_ENGINE))
    monkeypatch.setenv("PPCMIG_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"compat_idle": "program_interrupt"}))
    d = tmp_path / "scenarios" / "seeds"
    d.mkdir(parents=True)
    (d / "a_ok.toml").write_text(scenario("ok"))
    (d / "b_case11.toml").write_text(scenario(
        "program_interrupt", 'build = "2.7"\nmachine = "pseries-2.7,max-cpu-compat=power7"\ncpu = "POWER8"\n'
        'accel = "kvm-hv"\nhost_cpu = "POWER8"\n', 'build = "2.8-compat-rfc"\n', '[guest]\nname = "compat_idle"\n',
        detail="illegal instruction"))
    (tmp_path / "scenarios" / "changesets").mkdir()
    (tmp_path / "scenarios" / "changesets" / "c.toml").write_text('base = "2.8"\n')  # not a scenario
    return tmp_path / "scenarios"


def table_rows(out: str) -> dict[str, list[str]]:
    rows = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) == 4 and "/" in words[0]:
            rows[words[0]] = words[1:]
    return rows


def test_all_as_expected_exits_0(catalogue: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "run", str(catalogue)]) == 0
    out = capsys.readouterr().out
    assert table_rows(out) == {OK_ID: ["ok", "ok", "ok"], PI_ID: ["program_interrupt", "program_interrupt", "ok"]}
    assert "2 scenario(s): 2 as expected, 0 mismatched, 0 error(s)" in out
    assert "replay" not in out  # nothing to reproduce


def test_a_mismatch_exits_1_with_its_replay_command(catalogue: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"compat_idle": "ok", "decr_tick": "load_fail"}))
    assert main(["scenario", "run", str(catalogue)]) == 1
    out = capsys.readouterr().out
    assert table_rows(out) == {OK_ID: ["ok", "load_fail", "MISMATCH"], PI_ID: ["program_interrupt", "ok", "MISMATCH"]}
    assert "expected verdict program_interrupt, got ok" in out
    assert "expected detail 'illegal instruction' is not in the summary or details" in out
    assert "summary: fake load_fail: Failed to load cpu:insns_flags" in out
    replays = [line.split("replay:", 1)[1].split() for line in out.splitlines() if line.strip().startswith("replay:")]
    assert len(replays) == 2
    for launcher, verb, spec in replays:
        assert launcher.endswith("bin/ppcmig") and verb == "replay" and spec.endswith("/scenario.json")
        assert json.loads(Path(spec).read_text())["format"] == "ppcmig-scenario"
        assert Path(spec).parent.parent == tmp_path / "out"
    assert "2 scenario(s): 0 as expected, 2 mismatched, 0 error(s)" in out


def test_an_invalid_file_is_an_error_row(catalogue: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = catalogue / "seeds" / "c_bad.toml"
    bad.write_text(scenario("pass"))
    assert main(["scenario", "run", str(catalogue)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}  -  invalid  ERROR".split() == next(line.split() for line in out.splitlines() if line.startswith(str(bad)))
    assert f"{bad}: expect: unknown verdict 'pass'" in out
    assert "2 as expected, 0 mismatched, 1 error(s)" in out


@pytest.mark.parametrize("mode", ["isolated", "in-process"])
def test_a_run_that_raises_is_an_error_row_with_its_replay(mode: str, catalogue: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(spec_json: str) -> str:
        raise ValueError("scenario spec /hops/0/at_insns: expected a non-negative integer")  # as the engine's SpecError

    monkeypatch.setattr(_ppcmig, "run_scenario", refuse)
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"2.7->2.8": "spec_error"}))  # the engine process's refusal
    args = ["--in-process"] if mode == "in-process" else []
    assert main(["scenario", "run", *args, str(catalogue / "seeds" / "a_ok.toml")]) == 1
    out = capsys.readouterr().out
    assert table_rows(out) == {OK_ID: ["ok", "error", "ERROR"]}
    assert "ValueError: scenario spec /hops/0/at_insns: expected a non-negative integer" in out
    assert "replay:" in out and "0 as expected, 0 mismatched, 1 error(s)" in out


def test_an_engine_without_run_scenario_is_an_error_row_not_a_verdict(catalogue: Path, capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PPCMIG_FAKE_ENGINE_OLD", "1")
    assert main(["scenario", "run", str(catalogue / "seeds" / "a_ok.toml")]) == 1
    out = capsys.readouterr().out
    assert table_rows(out) == {OK_ID: ["ok", "error", "ERROR"]}
    assert "failed before running the scenario (exit 2): ppcmig-engine: unknown command" in out
    assert "replay:" in out


@pytest.mark.parametrize("behaviour,summary", [
    ("die:SIGSEGV", "engine process killed by SIGSEGV: fake engine: about to die"),
    ("exit:9", "engine process exited with status 9 without a result: fatal: fake engine gives up"),
    ("sleep", "engine process gave no result within 1 s (killed)")])
def test_an_engine_process_that_dies_is_a_crash_row_and_the_rest_runs(behaviour: str, summary: str, catalogue: Path,
                                                                      capsys: pytest.CaptureFixture[str],
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    """Isolated runs (the default): one scenario's engine dies, hangs or fails; it is a `crash`
    with the cause and its reproducer, and the other scenario still runs."""
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"compat_idle": behaviour}))
    assert main(["scenario", "run", "--json", "--timeout", "1", "--artifacts", str(tmp_path / "arts"), str(catalogue)]) == 1
    records = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (records[OK_ID]["actual"], records[OK_ID]["ok"]) == ("ok", True)
    crash = records[PI_ID]
    assert (crash["actual"], crash["ok"], crash["error"]) == ("crash", False, None)
    assert crash["summary"] == summary
    spec = Path(crash["artifacts"]) / "scenario.json"
    assert spec.is_file() and crash["replay"].endswith(f"replay {spec}")
    result = json.loads((Path(crash["artifacts"]) / "result.json").read_text())
    assert result["details"]["where"] == "engine process" and result["verdict"] == "crash"
    assert result["artifacts"]["files"] == ["scenario.json"]
    # The same crash again: the digest does not depend on the stderr text.
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"compat_idle": behaviour}))
    if behaviour != "sleep":
        assert main(["replay", "--timeout", "1", "--check", str(Path(crash["artifacts"]) / "result.json"), str(spec)]) == 0


def test_json_records(catalogue: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["scenario", "run", "--json", "--artifacts", str(tmp_path / "arts"), "-j", "2", str(catalogue)]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in records] == [OK_ID, PI_ID]
    r = records[1]
    assert (r["expected"], r["actual"], r["ok"], r["hop"], r["problems"], r["error"]) == \
        ("program_interrupt", "program_interrupt", True, 0, [], None)
    assert r["expect_detail"] == "illegal instruction" and r["file"].endswith("b_case11.toml")
    assert Path(r["artifacts"]).parent == tmp_path / "arts" and r["replay"].endswith(f"{r['artifacts']}/scenario.json")
    assert len(r["digest"]) == 64


def test_usage_errors_exit_2(catalogue: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                             tmp_path: Path) -> None:
    assert main(["scenario", "run", str(tmp_path / "nothere")]) == 2
    assert "no such file or directory" in capsys.readouterr().out
    assert main(["scenario", "run", str(catalogue / "changesets")]) == 2
    assert "no scenario files" in capsys.readouterr().out
    monkeypatch.delattr(_ppcmig, "run_scenario")
    assert main(["scenario", "run", str(catalogue)]) == 2
    assert "no run_scenario: the differential runner is not built in yet" in capsys.readouterr().out


def test_list(catalogue: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "list", str(catalogue)]) == 0
    assert capsys.readouterr().out.splitlines() == [OK_ID, PI_ID]
    assert main(["scenario", "list", "-l", str(catalogue / "seeds" / "b_case11.toml")]) == 0
    assert capsys.readouterr().out == f"{PI_ID}\tprogram_interrupt\t{catalogue / 'seeds' / 'b_case11.toml'}\n"
    (catalogue / "seeds" / "z.toml").write_text("expect = [")
    assert main(["scenario", "list", str(catalogue)]) == 1
    assert "invalid: " in capsys.readouterr().out


def test_replay_reruns_and_checks_the_digest(catalogue: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["scenario", "run", "--json", str(catalogue)]) == 0
    ok, pi = json.loads(capsys.readouterr().out)
    spec = pi["replay"].split()[-1]
    assert main(["replay", spec]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"scenario:  {PI_ID}\nverdict:   program_interrupt at hop 0\n")
    assert "vCPU 0 took a Program interrupt (0x700, illegal instruction)" in out
    assert f"matches the recorded {Path(spec).parent / 'result.json'}" in out
    assert (Path(spec).parent / "replay" / "scenario.json").is_file()  # the original artifacts stay as they were
    result = str(Path(spec).parent / "result.json")
    assert main(["replay", spec, "--check", result]) == 0
    assert "reproduced bit for bit" in capsys.readouterr().out
    other = str(Path(ok["replay"].split()[-1]).parent / "result.json")
    assert main(["replay", spec, "--check", other]) == 1
    assert "not reproduced" in capsys.readouterr().out
    assert main(["replay", "--json", spec]) == 0
    assert json.loads(capsys.readouterr().out)["digest"] == pi["digest"]


def test_replay_of_a_scenario_file_and_bad_input(catalogue: Path, capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    assert main(["replay", str(catalogue / "seeds" / "b_case11.toml")]) == 0
    out = capsys.readouterr().out
    assert "expected:  program_interrupt: met" in out
    bad = tmp_path / "r.json"
    bad.write_text('{"format": "ppcmig-result"}')
    assert main(["replay", str(bad)]) == 2
    assert "not a scenario spec" in capsys.readouterr().out
    assert main(["replay", str(tmp_path / "none.json")]) == 2
    assert "cannot read" in capsys.readouterr().out
    assert main(["replay", str(catalogue / "seeds" / "a_ok.toml"), "--check", str(bad)]) == 2
    assert "not a result (no digest)" in capsys.readouterr().out


def test_the_launcher_runs_the_scenario_commands(tmp_path: Path) -> None:
    """`python -m ppcmig` (what build/bin/ppcmig runs) has the commands; `list` needs no runner."""
    d = tmp_path / "scenarios"
    d.mkdir()
    (d / "x.toml").write_text(scenario("ok", source='build = "head"\nmachine = "pseries-2.7"\ncpu = "POWER8"\n',
                                       hop='build = "head"\n'))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    p = subprocess.run([sys.executable, "-m", "ppcmig", "scenario", "list", str(d)], capture_output=True, text=True,
                       env=env, timeout=60)
    assert (p.returncode, p.stdout) == (0, "head->head/pseries-2.7/POWER8/decr_tick\n"), p.stderr
    p = subprocess.run([sys.executable, "-m", "ppcmig", "replay", "--help"], capture_output=True, text=True, env=env,
                       timeout=60)
    assert p.returncode == 0 and "--check RESULT.json" in p.stdout
