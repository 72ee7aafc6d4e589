"""The scenario API on the real engine runner (``_ppcmig.run_scenario``, ``_ppcmig.builds``):
verdicts of catalogue cases through ppcmig.run, determinism (the digest a replay checks), the
artifacts and replay command, and the CLI and plugin end to end. Skipped until the module has
the runner."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ppcmig import Build, Guest, MachineConfig, MigrationPlan, Scenario, _ppcmig, run
from ppcmig.cli import main

needs_runner = pytest.mark.skipif(not hasattr(_ppcmig, "run_scenario"), reason="engine runner not built yet")
needs_builds = pytest.mark.skipif(not hasattr(_ppcmig, "builds"), reason="engine runner not built yet (no builds())")

KVM_P8 = "-cpu host -accel kvm-hv -host-cpu POWER8 -m 256M"


def c1(dest: str) -> Scenario:
    """C1: a pseries-2.6 stream of 2.6 fails the insns_flags _EQUAL check of 2.7, loads on 2.7.1."""
    return Scenario(Guest.named("decr_tick"), source=(Build.get("2.6"), MachineConfig.parse(f"-machine pseries-2.6 {KVM_P8}")),
                    hops=[(Build.get(dest), None)], plan=MigrationPlan(at_insns=20_000_000), budget_insns=200_000_000)


@needs_builds
def test_builds_are_the_engines() -> None:
    engine = os.environ.get("PPCMIG_ENGINE", "build/bin/ppcmig-engine")
    listed = subprocess.run([engine, "builds"], capture_output=True, text=True, check=True, timeout=60).stdout
    names = [line.split()[0] for line in listed.splitlines() if line and not line[0].isspace()]
    assert list(_ppcmig.builds()) == names
    assert Build.get("2.8-compat-rfc").name == "2.8-compat-rfc"


@needs_runner
def test_c1_loads_on_the_fixing_build(tmp_path: Path) -> None:
    r = run(c1("2.7.1"), artifacts=tmp_path / "ok")
    assert r.verdict == "ok", r.explain()
    assert r.reference["result_line"] == r.migrated["result_line"] == "RESULT PASS"
    assert r.hop is None and len(r.streams) == 1 and r.streams[0]["bytes"] > 0


@needs_runner
def test_c1_fails_to_load_with_qemus_chain(tmp_path: Path) -> None:
    r = run(c1("2.7"), artifacts=tmp_path / "lf")
    assert r.verdict == "load_fail", r.explain()
    assert r.hop == 0 and "insns_flags" in r.summary + r.details_text
    assert r.details["chain"][-1] == "load of migration failed: Invalid argument"
    assert "the destination rejected the stream:" in r.explain()


@needs_runner
def test_seed_case_11_resumes_into_a_program_interrupt(tmp_path: Path) -> None:
    s = Scenario(Guest.named("compat_idle"),
                 source=(Build.get("2.7"), MachineConfig.parse(f"-machine pseries-2.7,max-cpu-compat=power7 {KVM_P8}")),
                 hops=[(Build.get("2.8-compat-rfc"), None)], plan=MigrationPlan(at_insns=7_000_000),
                 budget_insns=100_000_000)
    r = run(s, artifacts=tmp_path)
    assert r.verdict == "program_interrupt", r.explain()
    assert r.details["vector"] in ("0x700", 0x700) and "illegal" in str(r.details["reason"])


@needs_runner
def test_unknown_machine_version_is_unsupported(tmp_path: Path) -> None:
    s = Scenario(Guest.named("decr_tick"), source=("2.6", "-machine pseries-2.9 -cpu POWER8"), hops=[("2.7", None)],
                 plan=MigrationPlan(1_000_000))
    r = run(s, artifacts=tmp_path)
    assert r.verdict == "unsupported" and r.details["side"] == "source", r.explain()


@needs_runner
def test_same_spec_same_digest_and_the_artifacts_replay_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = c1("2.7.1")
    a, b = run(s, artifacts=tmp_path / "a"), run(s, artifacts=tmp_path / "b")
    assert a.digest == b.digest and a.raw.replace(str(tmp_path / "a"), "") == b.raw.replace(str(tmp_path / "b"), "")
    spec = tmp_path / "a" / "scenario.json"
    assert json.loads(spec.read_text())["hops"] == s.to_spec()["hops"]
    assert a.replay_command.endswith(f"replay {spec}")
    assert main(["replay", str(spec), "--check", str(tmp_path / "b" / "result.json")]) == 0
    assert "reproduced bit for bit" in capsys.readouterr().out


@needs_runner
@pytest.mark.parametrize("dest,verdict", [("2.7.1", "ok"), ("2.7", "load_fail")])
def test_an_isolated_run_is_the_in_process_run(dest: str, verdict: str, tmp_path: Path) -> None:
    """`ppcmig-engine run-scenario` in a process of its own gives the in-process result, digest
    and artifacts included."""
    a = run(c1(dest), artifacts=tmp_path / "a")
    b = run(c1(dest), artifacts=tmp_path / "b", isolate=True, timeout=600)
    assert a.verdict == b.verdict == verdict
    assert a.digest == b.digest and a.raw.replace(str(tmp_path / "a"), "") == b.raw.replace(str(tmp_path / "b"), "")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in (tmp_path / "b").iterdir())


@needs_runner
def test_run_scenario_writes_its_result_file_or_says_why_not(tmp_path: Path) -> None:
    """`ppcmig-engine run-scenario SPEC --result PATH`: the same result as on stdout; an unreadable
    spec, a second spec or an unknown option are usage errors (exit 2) that write nothing."""
    engine = os.environ.get("PPCMIG_ENGINE", "build/bin/ppcmig-engine")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(c1("2.7").to_spec()))
    out = subprocess.run([engine, "run-scenario", str(spec)], capture_output=True, text=True, timeout=600, check=True)
    res = tmp_path / "result.json"
    p = subprocess.run([engine, "run-scenario", str(spec), "--result", str(res)], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0 and p.stdout == ""
    assert res.read_text() == out.stdout and json.loads(res.read_text())["verdict"] == "load_fail"
    for args, message in [([str(tmp_path / "none.json")], "cannot read"), ([str(spec), str(spec)], "one spec file"),
                          ([str(spec), "--bogus"], "unknown option --bogus")]:
        p = subprocess.run([engine, "run-scenario", *args, "--result", str(tmp_path / "no.json")], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 2 and message in p.stderr, (args, p.stderr)
        assert not (tmp_path / "no.json").exists()


@needs_runner
def test_an_isolated_spec_error_is_the_in_process_one(tmp_path: Path) -> None:
    spec = {**c1("2.7").to_spec(), "hops": [{"at_insns": -1, "build": "2.7"}]}
    from ppcmig.runner import run_spec

    with pytest.raises(ValueError) as in_process:
        run_spec(spec, tmp_path / "a")
    with pytest.raises(ValueError) as isolated:
        run_spec(spec, tmp_path / "b", isolate=True)
    assert str(in_process.value) == str(isolated.value)
    assert str(isolated.value).startswith("scenario spec /hops/0/at_insns: ")


@needs_runner
def test_cli_and_plugin_end_to_end(tmp_path: Path) -> None:
    d = tmp_path / "scenarios"
    d.mkdir()
    (d / "c1.toml").write_text('''history = "C1: 2.7 added insns flags to POWER8 and _EQUAL-checked them"
expect = "load_fail"
expect_detail = "insns_flags"
[guest]
name = "decr_tick"
[source]
build = "2.6"
machine = "pseries-2.6"
cpu = "host"
accel = "kvm-hv"
host_cpu = "POWER8"
[[hop]]
at_insns = 20_000_000
build = "2.7"
[run]
budget_insns = 200_000_000
''')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PPCMIG_OUT": str(tmp_path / "out")}
    p = subprocess.run([sys.executable, "-m", "ppcmig", "scenario", "run", str(d)], capture_output=True, text=True,
                       env=env, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "1 scenario(s): 1 as expected" in p.stdout
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "ppcmig.pytest_plugin", "-p", "no:cacheprovider",
                        str(d)], capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert p.returncode == 0 and "1 passed" in p.stdout, p.stdout + p.stderr


@needs_runner
def test_a_changeset_divergence_names_the_first_instruction_and_the_registers(tmp_path: Path) -> None:
    """Acceptance 2: a build that stops migrating cpu/vsx (a user changeset) resumes with its reset
    VSX halves; the runner names them at the resume and finds the first instruction whose effects
    differ (the guest storing a VSR) by stepping both runs from the last chunk that agreed."""
    root = Path(os.environ.get("PPCMIG_SOURCE_DIR", Path(__file__).resolve().parents[2]))
    patched = Build.from_changeset("head", root / "scenarios" / "changesets" / "drop_vsx.toml")
    s = Scenario(Guest.named("fpvec_state"), source=(patched, MachineConfig.parse("-machine pseries-4.2 -cpu POWER9")),
                 hops=[(patched, None)], plan=MigrationPlan(at_insns=3_000_000))
    r = run(s, artifacts=tmp_path / "vsx")
    assert r.verdict == "divergence", r.explain()
    at_resume = {d["name"] for d in r.details["at_resume"]["registers"]}
    assert {f"vsr{i}.lo" for i in range(32)} <= at_resume and not any(n.startswith("r") and n[1:].isdigit() for n in at_resume)
    first = r.details["first"]
    assert first["insn"].startswith("stxv") and first["isa"] in ("2.06", "3.0"), first
    assert first["pages"] and first["pages"][0]["reference"] != first["pages"][0]["migrated"]
    assert r.details["last_insns"] and r.details["last_insns"][-1].startswith("0x")
    # The same divergence from the replay of its artifacts, bit for bit.
    assert main(["replay", str(tmp_path / "vsx" / "scenario.json"), "--check", str(tmp_path / "vsx" / "result.json")]) == 0
