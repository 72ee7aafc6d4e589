"""The scenario API (ppcmig.Build, MachineConfig, Guest, MigrationPlan, Scenario, run, Result)
against the runner's JSON contract (engine/src/runner/README.md), with a fake runner; the same
calls on the real engine are in test_runner_engine.py."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import fake_runner
from ppcmig import (Build, ConfigError, Guest, Hop, MachineConfig, MigrationPlan, Precopy, Result, ResultError,
                    RunnerUnavailable, Scenario, ScenarioError, _ppcmig, run)
from ppcmig.runner import default_artifacts_dir, slug, spec_digest


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_ppcmig, "run_scenario", fake_runner.run_scenario, raising=False)
    monkeypatch.setattr(_ppcmig, "builds", fake_runner.builds, raising=False)
    monkeypatch.setenv("PPCMIG_ENGINE", str(fake_runner.FAKE_ENGINE))


@pytest.fixture
def no_builds_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(_ppcmig, "builds", raising=False)


# -- MachineConfig ------------------------------------------------------------------------------

def test_machine_config_parses_the_issue_example() -> None:
    text = "-machine pseries-2.7,max-cpu-compat=power7 -cpu POWER8 -smp 2 -m 512M -accel kvm-hv"
    c = MachineConfig.parse(text)
    assert c.text == text and str(c) == text
    assert (c.machine, c.machine_version, c.cpu, c.smp, c.memory, c.accel) == ("pseries-2.7", "2.7", "POWER8", 2, "512M", "kvm-hv")
    assert c.max_cpu_compat == "power7" and c.memory_bytes == 512 << 20 and c.host_cpu is None
    assert c.machine_properties == {"max-cpu-compat": "power7"}


def test_machine_config_defaults_are_the_builds() -> None:
    c = MachineConfig.parse("")
    assert (c.machine, c.machine_version, c.cpu, c.smp, c.memory, c.accel) == ("pseries", "latest", None, 1, None, "tcg")
    assert c.memory_bytes == 512 << 20 and c.max_cpu_compat is None


@pytest.mark.parametrize("text,attr,value", [
    ("-M pseries-2.9", "machine", "pseries-2.9"),
    ("--machine pseries-2.9", "machine", "pseries-2.9"),
    ("-machine type=pseries-2.10,cap-htm=off", "machine", "pseries-2.10"),
    ("-machine pseries-2.8 -machine cap-htm=off", "machine_properties", {"cap-htm": "off"}),
    ("-machine pseries-2.8 -machine cap-htm=off", "machine", "pseries-2.8"),
    ("-enable-kvm", "accel", "kvm-hv"),
    ("-accel kvm", "accel", "kvm-hv"),
    ("-machine pseries,accel=kvm", "accel", "kvm-hv"),
    ("-cpu POWER8,compat=power7", "max_cpu_compat", "power7"),
    ("-cpu POWER8,compat=power7", "cpu", "POWER8"),
    ("-smp cpus=2,maxcpus=4", "smp", 2),
    ("-smp 4,threads=2", "smp", 4),
    ("-m 1G", "memory_bytes", 1 << 30),
    ("-m 1024", "memory_bytes", 1 << 30),
    ("-m 64MB", "memory_bytes", 64 << 20),
    ("-cpu host -host-cpu POWER8 -accel kvm-hv", "host_cpu", "POWER8"),
    ("-kvm-host-caps cfpc=broken,large-decr-bits=48", "kvm_host_caps", "cfpc=broken,large-decr-bits=48"),
    ("-machine 'pseries-2.7'", "machine", "pseries-2.7"),
])
def test_machine_config_derives(text: str, attr: str, value: object) -> None:
    assert getattr(MachineConfig.parse(text), attr) == value


@pytest.mark.parametrize("text,message", [
    ("-foo 1", "-foo: unknown option; the engine accepts -machine"),
    ("pseries-2.7", "pseries-2.7: unknown option (options start with '-')"),
    ("-cpu POWER8 -machine", "-machine: missing value (it is the last word)"),
    ("-machine -cpu POWER8", "-machine: missing value (followed by the option -cpu)"),
    ("-m 12Q", "-m 12Q: expected a size such as 512M"),
    ("-m", "-m: missing value"),
    ("-smp two", "-smp two: parameter 'cpus' expects a number"),
    ("-smp 2,dies=1", "-smp 2,dies=1: invalid parameter 'dies'"),
    ("-accel xen", "-accel xen: invalid accelerator xen (have: tcg, kvm-hv)"),
    ("-cpu ,compat=power7", "-cpu ,compat=power7: missing CPU model name"),
    ("-machine 'pseries-2.7", "unterminated ' quote"),
])
def test_machine_config_errors_name_the_option(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        MachineConfig.parse(text)
    assert message in str(e.value)


def test_machine_config_rejects_non_text() -> None:
    with pytest.raises(ConfigError, match="must be a string"):
        MachineConfig.parse(["-cpu", "POWER8"])  # type: ignore[arg-type]


def test_with_replaces_options_in_place_and_keeps_the_rest() -> None:
    c = MachineConfig.parse("-machine pseries-2.7,max-cpu-compat=power7 -cpu POWER8 -m 512M -enable-kvm")
    d = c.with_(cpu="POWER9", memory=None, smp=2, accel="tcg")
    assert d.text == "-machine pseries-2.7,max-cpu-compat=power7 -cpu POWER9 -smp 2 -accel tcg"
    assert (d.cpu, d.memory, d.smp, d.accel) == ("POWER9", None, 2, "tcg")
    assert c.cpu == "POWER8"  # a value type: the original is unchanged
    assert c.with_(max_cpu_compat="power8").text.startswith("-machine pseries-2.7,max-cpu-compat=power8 ")
    assert c.with_(max_cpu_compat=None).max_cpu_compat is None
    assert MachineConfig.parse("-cpu POWER8").with_(max_cpu_compat="power7").text == "-machine max-cpu-compat=power7 -cpu POWER8"
    assert c.with_(machine="pseries-2.8").machine_properties == {}


def test_with_rejects_unknown_keywords_and_bad_values() -> None:
    c = MachineConfig.parse("-cpu POWER8")
    with pytest.raises(TypeError, match="unknown option keyword 'ram'"):
        c.with_(ram="1G")
    with pytest.raises(ConfigError, match="-m lots"):
        c.with_(memory="lots")


def test_compose_writes_the_keys_in_a_fixed_order() -> None:
    c = MachineConfig.compose(accel="kvm-hv", cpu="host", machine="pseries-2.8", memory="256M", smp=2,
                              host_cpu="POWER8", kvm_host_caps="cfpc=broken", options="-machine cap-htm=off")
    assert c.text == ("-machine pseries-2.8 -cpu host -smp 2 -m 256M -accel kvm-hv -host-cpu POWER8 "
                      "-kvm-host-caps cfpc=broken -machine cap-htm=off")
    assert c.id_parts() == ["pseries-2.8", "host=POWER8", "kvm-hv"]


# -- Build --------------------------------------------------------------------------------------

def test_build_get_is_checked_against_the_engines_builds(fake: None) -> None:
    assert Build.get("2.7") == Build("2.7")
    with pytest.raises(ScenarioError) as e:
        Build.get("2.77")
    assert "unknown build '2.77' (builds: 2.6, 2.7, 2.7.1," in str(e.value)
    with pytest.raises(ScenarioError, match="expected a build name"):
        Build.get("")


def test_build_get_without_a_builds_list_takes_any_name(no_builds_list: None) -> None:
    assert Build.get("99.0").name == "99.0"


def test_build_from_changeset_and_external(fake: None, tmp_path: Path) -> None:
    cs = tmp_path / "drop_vsx.toml"
    cs.write_text('base = "2.8"\n')
    b = Build.from_changeset("2.8", cs)
    assert b.changeset == cs and b.label == "2.8+drop_vsx" and b.marker == "build_2_8"
    assert b.spec() == {"build": "2.8", "changeset": str(cs), "engine": None}
    with pytest.raises(ScenarioError, match="no such file"):
        Build.from_changeset("2.8", tmp_path / "missing.toml")
    with pytest.raises(ScenarioError, match="unknown build '2.88'"):
        Build.from_changeset("2.88", cs)
    engine = tmp_path / "ppcmig-engine"
    engine.write_text("#!/bin/sh\n")
    with pytest.raises(ScenarioError, match="not an executable file"):
        Build.external(engine)
    engine.chmod(0o755)
    e = Build.external(engine)
    assert (e.name, e.engine, e.label) == ("head", engine, "ext:head")
    assert Build.external(engine, "2.7").spec() == {"build": "2.7", "changeset": None, "engine": str(engine)}


# -- Guest --------------------------------------------------------------------------------------

def test_guest_named_resolves_the_built_image() -> None:
    g = Guest.named("cas_boot", rounds=8, compat_mask=124)
    assert g.elf == (Path(os.environ["PPCMIG_BUILD_DIR"]) / "guests" / "cas_boot.elf").absolute()
    assert g.name == "cas_boot" and g.params == {"compat_mask": 124, "rounds": 8}
    assert g.spec() == {"elf": str(g.elf), "params": {"compat_mask": 124, "rounds": 8}}


def test_guest_named_unknown_lists_the_guests() -> None:
    with pytest.raises(ScenarioError) as e:
        Guest.named("cas_bot")
    assert "unknown guest 'cas_bot' (guests in " in str(e.value) and "cas_boot, cas_boot_compat" in str(e.value)


def test_guest_named_without_built_guests_says_where_it_looked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PPCMIG_BUILD_DIR", str(tmp_path))
    with pytest.raises(ScenarioError, match=f"no guests built in {tmp_path}/guests"):
        Guest.named("cas_boot")


@pytest.mark.parametrize("params,message", [
    ({"rounds": "8"}, "parameter rounds: expected an integer, got str '8'"),
    ({"rounds": True}, "parameter rounds: expected an integer, got bool True"),
    ({"rounds": 1.5}, "parameter rounds: expected an integer, got float 1.5"),
    ({"rounds": 1 << 64}, "does not fit a 64-bit field"),
    ({"round": 8}, "unknown parameter round (the image has: cedes, early_slack, late_limit, period, rounds)"),
])
def test_guest_params_are_checked(params: dict, message: str) -> None:
    with pytest.raises(ScenarioError) as e:
        Guest.named("idle_cede", **params)
    assert message in str(e.value)


def test_guest_from_elf(tmp_path: Path) -> None:
    src = Path(os.environ["PPCMIG_BUILD_DIR"]) / "guests" / "decr_tick.elf"
    copy = tmp_path / "mine.elf"
    copy.write_bytes(src.read_bytes())
    assert Guest.from_elf(copy, rounds=3).name == "mine"
    with pytest.raises(ScenarioError, match="no such file"):
        Guest.from_elf(tmp_path / "none.elf")
    (tmp_path / "text.elf").write_text("hello")
    with pytest.raises(ScenarioError, match="not an ELF64 file"):
        Guest.from_elf(tmp_path / "text.elf")


# -- Scenario and its spec ----------------------------------------------------------------------

def _sample(**kw: object) -> Scenario:
    args: dict = dict(guest=Guest.named("cas_boot", rounds=8),
                      source=(Build.get("2.7"), MachineConfig.parse("-machine pseries-2.7,max-cpu-compat=power7 "
                                                                    "-cpu POWER8 -accel kvm-hv -host-cpu POWER8 -m 256M")),
                      hops=[(Build.get("2.8"), None), ("2.7", "-machine pseries-2.7 -cpu POWER8 -m 256M")],
                      plan=MigrationPlan(at_insns=[1_000_000, 2_000_000], precopy=True, bandwidth=1 << 26,
                                         downtime_ns=1_000_000, pause_ticks=5),
                      budget_insns=50_000_000)
    args.update(kw)
    return Scenario(**args)


def test_spec_of_a_sample_scenario(fake: None) -> None:
    s = _sample()
    elf = str(Guest.named("cas_boot").elf)
    assert s.to_spec() == {
        "format": "ppcmig-scenario", "format_version": 1,
        "name": "2.7->2.8->2.7/pseries-2.7/POWER8/compat=power7/kvm-hv/cas_boot",
        "guest": {"elf": elf, "params": {"rounds": 8}},
        "source": {"build": "2.7", "changeset": None, "engine": None,
                   "options": "-machine pseries-2.7,max-cpu-compat=power7 -cpu POWER8 -accel kvm-hv -host-cpu POWER8 -m 256M"},
        "hops": [
            {"at_insns": 1_000_000, "build": "2.8", "changeset": None, "engine": None, "options": None,
             "pause_ticks": 5, "precopy": {"bandwidth": 1 << 26, "downtime_ns": 1_000_000}},
            {"at_insns": 2_000_000, "build": "2.7", "changeset": None, "engine": None,
             "options": "-machine pseries-2.7 -cpu POWER8 -m 256M",
             "pause_ticks": 5, "precopy": {"bandwidth": 1 << 26, "downtime_ns": 1_000_000}},
        ],
        "budget_insns": 50_000_000, "ram_compare": "hash", "artifacts": None,
    }
    json.dumps(s.to_spec())  # JSON-serialisable as is


def test_scenario_ids_and_names(fake: None) -> None:
    s = _sample()
    assert s.id == "2.7->2.8->2.7/pseries-2.7/POWER8/compat=power7/kvm-hv/cas_boot"
    assert s.title == s.id and s.with_name("mine").to_spec()["name"] == "mine" and s.title == s.id
    tcg = _sample(source=("head", "-machine pseries-4.2 -cpu POWER9"), hops=[("4.2", None)],
                  plan=MigrationPlan(at_insns=10))
    assert tcg.id == "head->4.2/pseries-4.2/POWER9/cas_boot"
    assert _sample(source=("head", ""), hops=[("head", None)], plan=MigrationPlan(10)).id == \
        "head->head/pseries/default-cpu/cas_boot"
    assert s.markers() == ["build_2_7", "build_2_8", "machine_2_7"]
    assert [c.text for c in s.configs()][1] == s.source_config.text


def test_hops_as_values_carry_their_own_time_and_precopy(fake: None) -> None:
    s = _sample(hops=[Hop(100, Build.get("2.8")), Hop(200, Build.get("2.9"), None, 0, Precopy(max_iterations=3))],
                plan=None)
    assert [h["at_insns"] for h in s.to_spec()["hops"]] == [100, 200]
    assert s.to_spec()["hops"][1]["precopy"] == {"max_iterations": 3}


@pytest.mark.parametrize("kw,message", [
    (dict(plan=MigrationPlan(at_insns=[2_000_000, 1_000_000])), "plan.at_insns[1]: must be greater than at_insns[0] (2,000,000)"),
    (dict(plan=MigrationPlan(at_insns=[5, 5])), "plan.at_insns[1]: must be greater"),
    (dict(plan=MigrationPlan(at_insns=1_000_000)), "plan.at_insns: 1 migration point(s) for 2 hop(s)"),
    (dict(plan=MigrationPlan(at_insns=[])), "plan.at_insns: no migration point"),
    (dict(plan=MigrationPlan(at_insns=[-1, 5])), "plan.at_insns[0]: must be at least 0"),
    (dict(plan=MigrationPlan(at_insns=[1, 2], downtime_ns=5)), "plan: downtime_ns given without precopy=True"),
    (dict(plan=MigrationPlan(at_insns=[1, 2], precopy=True, bandwidth=0)), "precopy.bandwidth: must be at least 1"),
    (dict(plan=None), "plan: required with (build, config) hops"),
    (dict(hops=[]), "hops: expected one or more hops"),
    (dict(hops=[Hop(1, Build("2.8")), ("2.8", None)]), "not both"),
    (dict(hops=[Hop(1, Build("2.8"))]), "plan: not used with Hop values"),
    (dict(hops=[Hop(5, Build("2.8")), Hop(5, Build("2.8"))], plan=None), "hop[1].at_insns: must be greater than hop[0]'s (5)"),
    (dict(budget_insns=2_000_000), "hop[1].at_insns: 2,000,000 is not below budget_insns (2,000,000)"),
    (dict(budget_insns=True), "budget_insns: expected an integer, got bool"),
    (dict(ram_compare="bytes"), "ram_compare: expected 'hash' or 'exact'"),
    (dict(source=("2.77", "")), "unknown build '2.77'"),
    (dict(source=("2.7",)), "source: expected (build, config)"),
    (dict(guest="cas_boot"), "guest: expected a Guest"),
])
def test_scenario_errors(fake: None, kw: dict, message: str) -> None:
    with pytest.raises(ScenarioError) as e:
        _sample(**kw)
    assert message in str(e.value)


# -- run() and Result ---------------------------------------------------------------------------

def test_run_writes_spec_and_result_into_a_default_artifacts_dir(fake: None, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("PPCMIG_OUT", str(tmp_path / "out"))
    s = _sample()
    r = run(s)
    spec = s.to_spec()
    d = tmp_path / "out" / f"2.7_to_2.8_to_2.7_pseries-2.7_POWER8_compat=power7_kvm-hv_cas_boot-{spec_digest(spec)[:8]}"
    assert r.artifacts == {"dir": str(d), "files": ["scenario.json"]}
    written = json.loads((d / "scenario.json").read_text())
    assert written == {**spec, "artifacts": str(d)}
    assert json.loads((d / "result.json").read_text())["digest"] == r.digest
    assert r.replay_command.endswith(f" replay {d}/scenario.json")
    assert r.replay_command.split()[0].endswith("bin/ppcmig") and "\n" not in r.replay_command
    assert (r.verdict, r.hop, r.name, r.details, r.warnings) == ("ok", None, s.id, {}, [])
    assert r.reference["result_line"] == "RESULT PASS" and len(r.streams) == 2
    assert run(s).digest == r.digest  # same spec, same digest (artifacts are not part of it)


def test_run_defaults_to_ppcmig_out_in_the_current_directory(fake: None, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.delenv("PPCMIG_OUT", raising=False)
    monkeypatch.chdir(tmp_path)
    r = run(_sample())
    assert Path(r.artifacts["dir"]).parent == tmp_path / "ppcmig-out"
    assert " replay ppcmig-out/2.7_to_2.8" in r.replay_command  # relative: short to read and paste


def test_run_into_a_given_directory(fake: None, tmp_path: Path) -> None:
    r = run(_sample(), artifacts=tmp_path / "here")
    assert r.artifacts["dir"] == str(tmp_path / "here") and (tmp_path / "here" / "scenario.json").is_file()


def test_run_without_the_runner_says_so(monkeypatch: pytest.MonkeyPatch, fake: None, tmp_path: Path) -> None:
    monkeypatch.delattr(_ppcmig, "run_scenario")
    with pytest.raises(RunnerUnavailable, match="no run_scenario"):
        run(_sample(), artifacts=tmp_path)


def test_default_artifacts_dir_and_slug() -> None:
    spec = {"name": "2.7->2.8/pseries-2.7/POWER8/compat=power7/cas_boot#case 11", "x": 1}
    assert slug(spec["name"]) == "2.7_to_2.8_pseries-2.7_POWER8_compat=power7_cas_boot_case_11"
    assert default_artifacts_dir(spec, "/o") == Path("/o") / f"{slug(spec['name'])}-{spec_digest(spec)[:8]}"
    assert spec_digest(spec) == spec_digest({**spec, "artifacts": "/elsewhere"})


@pytest.mark.parametrize("verdict,needles", [
    ("ok", ["verdict:   ok", "reference: poweroff at TB 1,500,000 (RESULT PASS)"]),
    ("unsupported", ["destination refused: unknown machine type 'pseries-2.9'"]),
    ("start_fail", ["destination refused: cap-htm=on", "hint: use cap-htm=off"]),
    ("load_fail", ["    Failed to load cpu:insns_flags", "at section cpu, instance 0, field insns_flags, offset 0x1234, errno -22"]),
    ("program_interrupt", ["vCPU 0 took a Program interrupt (0x700, illegal instruction) at tick 1,000,123",
                           "instruction: popcntd r3,r4 [0x7c8303f4], ISA 2.06", "compat_pvr 0x0f000003",
                           "in the reference: r3 = 0x20"]),
    ("divergence", ["first difference: vCPU 0 at tick 1,000,500, pc 0x10400: mfdec r3 (ISA 2.00)",
                    "r3           reference 0x100  migrated 0x200", "at resume: 1 register(s) differ: dec",
                    "10400: mfdec r3"]),
    ("hang", ["all vCPUs idle with no timer armed, at TB 2,000,000", "the reference finished at TB 1,500,000",
              "vCPU 0: nip 0x10500, ceded True, dec 0xffffffff"]),
    ("crash", ["the engine failed in hop 0: std::out_of_range: vector"]),
])
def test_explain_shows_what_matters_per_verdict(fake: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                verdict: str, needles: list[str]) -> None:
    monkeypatch.setenv("PPCMIG_FAKE_VERDICTS", json.dumps({"cas_boot": verdict}))
    r = run(_sample(), artifacts=tmp_path)
    text = r.explain()
    assert text.splitlines()[0] == f"scenario:  {r.name}"
    assert text.splitlines()[-1] == f"replay:    {r.replay_command}"
    for n in needles:
        assert n in text, text
    assert (r.hop is None) == (verdict == "ok")


@pytest.mark.parametrize("raw,message", [
    ("{", "result: not JSON"),
    ('{"format": "ppcmig-scenario"}', "expected format 'ppcmig-result'"),
    ('{"format": "ppcmig-result", "verdict": "ok", "summary": 1, "digest": "x"}', "/summary: expected a string"),
])
def test_result_from_bad_json(raw: str, message: str) -> None:
    with pytest.raises(ResultError, match=message.replace("(", r"\(")):
        Result.from_json(raw)
