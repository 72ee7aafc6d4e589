"""Scenario files (scenarios/README.md): what a file becomes (the runner's spec, the expectation),
every kind of invalid file failing with `FILE: KEY: reason`, and readable ids with collisions."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import fake_runner
from ppcmig import _ppcmig
from ppcmig.scenario_file import ScenarioFileError, is_scenario_file, load, load_all, scenario_files, unique_ids

HEAD = 'history = "why this scenario exists"\nexpect = "ok"\n'
GUEST = '[guest]\nname = "decr_tick"\n'
HOP = '[[hop]]\nat_insns = 1_000_000\n'


@pytest.fixture(autouse=True)
def builds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_ppcmig, "builds", fake_runner.builds, raising=False)


def write(d: Path, name: str, text: str) -> Path:
    p = d / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def guest_elf(name: str) -> str:
    return str((Path(os.environ["PPCMIG_BUILD_DIR"]) / "guests" / f"{name}.elf").absolute())


SEED_CASE_11 = '''
title = "seed 000 case 11: power7-compat guest migrated 2.7 -> 2.8-compat-rfc"
history = "With the RFCv2 compat rework, compat-mode guests resumed into a Program interrupt."
expect = "program_interrupt"
expect_detail = "illegal instruction"
tags = ["seed-000", "case-11"]

[guest]
name = "compat_idle"
[guest.params]
rounds = 8

[source]
build = "2.7"
machine = "pseries-2.7,max-cpu-compat=power7"
cpu = "POWER8"
accel = "kvm-hv"
host_cpu = "POWER8"

[[hop]]
at_insns = 7_000_000
build = "2.8-compat-rfc"
pause_ticks = 100
[hop.precopy]
bandwidth = 67108864
downtime_ns = 1000000
max_iterations = 30

[run]
budget_insns = 50_000_000
ram_compare = "exact"
'''


def test_a_seed_file_becomes_the_runners_spec(tmp_path: Path) -> None:
    s = load(write(tmp_path, "scenarios/seeds/case11.toml", SEED_CASE_11))
    assert s.to_spec() == {
        "format": "ppcmig-scenario", "format_version": 1,
        "name": "2.7->2.8-compat-rfc/pseries-2.7/POWER8/compat=power7/kvm-hv/compat_idle",
        "guest": {"elf": guest_elf("compat_idle"), "params": {"rounds": 8}},
        "source": {"build": "2.7", "changeset": None, "engine": None,
                   "options": "-machine pseries-2.7,max-cpu-compat=power7 -cpu POWER8 -m 256M -accel kvm-hv -host-cpu POWER8"},
        "hops": [{"at_insns": 7_000_000, "build": "2.8-compat-rfc", "changeset": None, "engine": None, "options": None,
                  "pause_ticks": 100, "precopy": {"bandwidth": 67108864, "downtime_ns": 1000000, "max_iterations": 30}}],
        "budget_insns": 50_000_000, "ram_compare": "exact", "artifacts": None,
    }
    e = s.expectation
    assert e is not None and (e.expect, e.expect_detail, e.tags) == ("program_interrupt", "illegal instruction",
                                                                     ("seed-000", "case-11"))
    assert e.title.startswith("seed 000 case 11") and e.history.startswith("With the RFCv2")
    assert s.markers() == ["build_2_7", "build_2_8_compat_rfc", "machine_2_7", "verdict_program_interrupt",
                           "seed_000", "case_11"]


def test_defaults_of_a_minimal_file(tmp_path: Path) -> None:
    s = load(write(tmp_path, "m.toml", HEAD + GUEST + HOP))
    spec = s.to_spec()
    assert spec["source"] == {"build": "head", "changeset": None, "engine": None, "options": "-m 256M"}
    assert spec["hops"] == [{"at_insns": 1_000_000, "build": "head", "changeset": None, "engine": None,
                             "options": None, "pause_ticks": 0, "precopy": None}]
    assert (spec["budget_insns"], spec["ram_compare"]) == (2_000_000_000, "hash")
    assert s.id == "head->head/pseries/default-cpu/decr_tick"
    assert s.expectation.title is None and s.expectation.tags == ()


def test_memory_default_yields_to_options(tmp_path: Path) -> None:
    s = load(write(tmp_path, "m.toml", HEAD + GUEST + '[source]\noptions = "-m 1G"\n' + HOP))
    assert s.to_spec()["source"]["options"] == "-m 1G"


def test_hop_options_replace_the_previous_sides_keys(tmp_path: Path) -> None:
    text = HEAD + GUEST + '''
[source]
build = "2.8"
machine = "pseries-2.8"
cpu = "POWER8"
smp = 2
[[hop]]
at_insns = 100
[[hop]]
at_insns = 200
build = "2.9"
cpu = "POWER9"
smp = "2,maxcpus=4"
[[hop]]
at_insns = 300
[[hop]]
at_insns = 400
build = "2.8"
cpu = "POWER8"
smp = 2
'''
    hops = load(write(tmp_path, "chain.toml", text)).to_spec()["hops"]
    # ping-pong: 2.8 -> 2.8 -> 2.9 -> 2.9 -> 2.8, each hop's build defaulting to the previous side's
    assert [h["build"] for h in hops] == ["2.8", "2.9", "2.9", "2.8"]
    assert [h["options"] for h in hops] == [
        None,
        "-machine pseries-2.8 -cpu POWER9 -smp 2,maxcpus=4 -m 256M",
        "-machine pseries-2.8 -cpu POWER9 -smp 2,maxcpus=4 -m 256M",  # spelled out: null would mean the source's
        None,                                                         # back to the source's options
    ]


def test_relative_paths_are_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "sc/patches/drop_vsx.toml", 'base = "2.8"\nname = "x"\n')
    engine = write(tmp_path, "other/bin/ppcmig-engine", "#!/bin/sh\n")
    engine.chmod(0o755)
    elf = write(tmp_path, "sc/images/g.elf", "")
    elf.write_bytes(Path(guest_elf("decr_tick")).read_bytes())
    monkeypatch.setenv("OTHER_BUILD", str(tmp_path / "other"))
    text = HEAD + '[guest]\nelf = "images/g.elf"\n[source]\nchangeset = "patches/drop_vsx.toml"\n' + HOP + \
        'engine = "$OTHER_BUILD/bin/ppcmig-engine"\nbuild = "2.7"\n'
    monkeypatch.chdir(tmp_path)  # paths are relative to the file, not to the current directory
    s = load(write(tmp_path, "sc/rel.toml", text))
    spec = s.to_spec()
    assert spec["guest"]["elf"] == str(tmp_path / "sc/images/g.elf")
    assert spec["source"]["build"] == "2.8" and spec["source"]["changeset"] == str(tmp_path / "sc/patches/drop_vsx.toml")
    assert spec["hops"][0]["engine"] == str(engine) and spec["hops"][0]["build"] == "2.7"
    assert spec["hops"][0]["changeset"] is None
    assert s.id == "2.8+drop_vsx->ext:2.7/pseries/default-cpu/g"


BAD = [
    # (file text, key, reason)
    ("expect = [", "", "invalid TOML: "),
    (GUEST + HOP + 'history = "h"\n', "expect", "missing: a scenario file has a top-level 'expect'"),
    ('expect = "ok"\n' + GUEST + HOP, "history", "missing (required)"),
    (HEAD + HOP, "guest", "missing (required)"),
    (HEAD + GUEST, "hop", "missing: at least one [[hop]]"),
    (HEAD + 'histroy = "x"\n' + GUEST + HOP, "histroy", "unknown key; did you mean 'history'?"),
    (HEAD + 'colour = "x"\n' + GUEST + HOP, "colour", "unknown key (expected one of: title, history, expect,"),
    (HEAD + GUEST + '[source]\ncpus = "POWER8"\n' + HOP, "source.cpus", "unknown key; did you mean 'cpu'?"),
    (HEAD + GUEST + '[[hop]]\nat_insn = 5\n', "hop[0].at_insn", "unknown key; did you mean 'at_insns'?"),
    (HEAD + GUEST + HOP + '[hop.precopy]\nbandwith = 5\n', "hop[0].precopy.bandwith", "unknown key; did you mean 'bandwidth'?"),
    (HEAD + GUEST + HOP + '[run]\nbudget = 5\n', "run.budget", "unknown key; did you mean 'budget_insns'?"),
    (HEAD + '[guest]\nname = "decr_tick"\nrounds = 3\n' + HOP, "guest.rounds", "unknown key"),
    ('history = "h"\nexpect = 1\n' + GUEST + HOP, "expect", "expected a string, got an integer (1)"),
    ('history = "h"\nexpect = "pass"\n' + GUEST + HOP, "expect", "unknown verdict 'pass' (verdicts: ok, load_fail,"),
    ('history = "h"\nexpect = "load-fail"\n' + GUEST + HOP, "expect", "did you mean 'load_fail'?"),
    ('history = ""\nexpect = "ok"\n' + GUEST + HOP, "history", "must not be empty"),
    (HEAD + 'title = """a\nb"""\n' + GUEST + HOP, "title", "must be one line"),
    (HEAD + 'tags = "seed"\n' + GUEST + HOP, "tags", "expected an array of strings, got a string ('seed')"),
    (HEAD + 'tags = ["seed 000"]\n' + GUEST + HOP, "tags[0]", "expected a word of letters"),
    (HEAD + 'guest = "decr_tick"\n' + HOP, "guest", "expected a table ([guest]), got a string ('decr_tick')"),
    (HEAD + '[guest]\nname = "decr_tik"\n' + HOP, "guest.name", "unknown guest 'decr_tik' (guests in "),
    (HEAD + '[guest]\nname = "decr_tick"\nelf = "x.elf"\n' + HOP, "guest", "give exactly one of 'name'"),
    (HEAD + '[guest]\n' + HOP, "guest", "give exactly one of 'name'"),
    (HEAD + '[guest]\nelf = "nothere.elf"\n' + HOP, "guest.elf", "no such file: "),
    (HEAD + GUEST + '[guest.params]\nrounds = "8"\n' + HOP, "guest.params.rounds", "expected an integer, got a string ('8')"),
    (HEAD + GUEST + '[guest.params]\nround = 8\n' + HOP, "guest.params.round", "unknown parameter round (the image has: early_slack,"),
    (HEAD + GUEST + '[[hop]]\nat_insns = "1"\n', "hop[0].at_insns", "expected an integer, got a string ('1')"),
    (HEAD + GUEST + '[[hop]]\nat_insns = true\n', "hop[0].at_insns", "expected an integer, got a boolean (True)"),
    (HEAD + GUEST + '[[hop]]\nat_insns = -1\n', "hop[0].at_insns", "must be at least 0, got -1"),
    (HEAD + GUEST + '[[hop]]\nbuild = "2.8"\n', "hop[0].at_insns", "missing (required)"),
    (HEAD + GUEST + '[hop]\nat_insns = 5\n', "hop", "expected one or more [[hop]] tables"),
    (HEAD + GUEST + HOP + HOP, "hop[1].at_insns", "must be greater than hop[0]'s (1,000,000), got 1,000,000"),
    (HEAD + GUEST + HOP + '[[hop]]\nat_insns = 5\n', "hop[1].at_insns", "must be greater than hop[0]'s (1,000,000), got 5"),
    (HEAD + GUEST + HOP + '[run]\nbudget_insns = 1_000_000\n', "hop[0].at_insns", "must be below run.budget_insns (1,000,000)"),
    (HEAD + GUEST + HOP + '[run]\nbudget_insns = 1e9\n', "run.budget_insns", "expected an integer, got a float (1000000000.0)"),
    (HEAD + GUEST + HOP + '[run]\nram_compare = "bytes"\n', "run.ram_compare", "expected 'hash' or 'exact'"),
    (HEAD + GUEST + HOP + 'pause_ticks = -5\n', "hop[0].pause_ticks", "must be at least 0, got -5"),
    (HEAD + GUEST + HOP + '[hop.precopy]\nbandwidth = 0\n', "hop[0].precopy.bandwidth", "must be at least 1, got 0"),
    (HEAD + GUEST + HOP + 'precopy = true\n', "hop[0].precopy", "expected a table ([hop[0].precopy]), got a boolean"),
    (HEAD + GUEST + '[source]\nbuild = "2.77"\n' + HOP, "source.build", "unknown build '2.77' (builds: 2.6, 2.7,"),
    (HEAD + GUEST + HOP + 'build = "9.99"\n', "hop[0].build", "unknown build '9.99'"),
    (HEAD + GUEST + '[source]\nbuild = 2.7\n' + HOP, "source.build", "expected a string, got a float (2.7)"),
    (HEAD + GUEST + '[source]\nmachine = "pseries-2.7 -cpu POWER8"\n' + HOP, "source.machine", "must be one word"),
    (HEAD + GUEST + '[source]\noptions = "-foo 1"\n' + HOP, "source.options", "-foo: unknown option"),
    (HEAD + GUEST + '[source]\nmemory = "lots"\n' + HOP, "source.memory", "-m lots: expected a size"),
    (HEAD + GUEST + '[source]\naccel = "xen"\n' + HOP, "source.accel", "-accel xen: invalid accelerator xen"),
    (HEAD + GUEST + '[source]\nsmp = 0\n' + HOP, "source.smp", "must be at least 1, got 0"),
    (HEAD + GUEST + '[source]\nsmp = 1.5\n' + HOP, "source.smp", "expected an integer or a string such as '2,maxcpus=4', got a float (1.5)"),
    (HEAD + GUEST + HOP + 'memory = "12Q"\n', "hop[0].memory", "-m 12Q: expected a size"),
    (HEAD + GUEST + '[source]\nchangeset = "missing.toml"\n' + HOP, "source.changeset", "no such file: "),
    (HEAD + GUEST + '[source]\nengine = "$PPCMIG_NO_SUCH_VAR/ppcmig-engine"\n' + HOP, "source.engine",
     "unset environment variable in '$PPCMIG_NO_SUCH_VAR/ppcmig-engine'"),
]


@pytest.mark.parametrize("text,key,reason", BAD, ids=[f"{k or 'syntax'}:{r[:30]}" for _, k, r in BAD])
def test_invalid_files_fail_with_file_key_and_reason(tmp_path: Path, text: str, key: str, reason: str) -> None:
    p = write(tmp_path, "bad.toml", text)
    with pytest.raises(ScenarioFileError) as e:
        load(p)
    prefix = f"{p}: {key}: " if key else f"{p}: "
    assert str(e.value).startswith(prefix) and reason in str(e.value), str(e.value)
    assert (e.value.file, e.value.key) == (str(p), key)


def test_changeset_without_base_and_engine_not_executable(tmp_path: Path) -> None:
    write(tmp_path, "nobase.toml", 'name = "x"\n')
    p = write(tmp_path, "a.toml", HEAD + GUEST + '[source]\nchangeset = "nobase.toml"\n' + HOP)
    with pytest.raises(ScenarioFileError, match=r"source.changeset: .*nobase.toml: the changeset has no 'base' build"):
        load(p)
    write(tmp_path, "eng", "")
    p = write(tmp_path, "b.toml", HEAD + GUEST + '[source]\nengine = "eng"\n' + HOP)
    with pytest.raises(ScenarioFileError, match=r"source.engine: .*eng is not executable"):
        load(p)


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioFileError, match="cannot read"):
        load(tmp_path / "absent.toml")
    p = tmp_path / "latin1.toml"
    p.write_bytes(b'history = "caf\xe9"\n')
    with pytest.raises(ScenarioFileError, match=r"not UTF-8 text \(byte 14\)"):
        load(p)


def test_which_files_are_scenarios(tmp_path: Path) -> None:
    cs = write(tmp_path, "scenarios/changesets/c.toml", 'base = "2.8"\n')
    broken = write(tmp_path, "scenarios/seeds/broken.toml", "expect = [")
    good = write(tmp_path, "scenarios/seeds/good.toml", HEAD + GUEST + HOP)
    write(tmp_path, "scenarios/seeds/notes.txt", "expect = 1")
    assert not is_scenario_file(cs) and is_scenario_file(broken) and is_scenario_file(good)
    assert scenario_files([tmp_path / "scenarios"]) == [broken, good]
    loaded = list(load_all([tmp_path / "scenarios"]))
    assert [f for f, _ in loaded] == [broken, good]
    assert isinstance(loaded[0][1], ScenarioFileError) and not isinstance(loaded[1][1], ScenarioFileError)


def test_ids_that_collide_get_the_file_stem(tmp_path: Path) -> None:
    a = write(tmp_path, "scenarios/seeds/case-11.toml", HEAD + GUEST + HOP)
    b = write(tmp_path, "scenarios/seeds/case-18.toml", HEAD + GUEST + HOP)
    c = write(tmp_path, "scenarios/more/case-18.toml", HEAD + GUEST + HOP)
    d = write(tmp_path, "scenarios/more/other.toml", HEAD + GUEST + '[[hop]]\nat_insns = 5\nbuild = "2.8"\n')
    base = "head->head/pseries/default-cpu/decr_tick"
    # loading one file alone gives the id it has in the whole catalogue
    assert load(a).title == f"{base}#case-11"
    assert load(b).title == f"{base}#seeds/case-18" and load(c).title == f"{base}#more/case-18"
    assert load(d).title == "head->2.8/pseries/default-cpu/decr_tick"
    assert load(a).id == base  # the id proper; the name carries the suffix
    # outside a scenarios/ directory the catalogue is the file's directory
    e = write(tmp_path, "loose/x.toml", HEAD + GUEST + HOP)
    assert load(e).title == base
    write(tmp_path, "loose/sub/y.toml", HEAD + GUEST + HOP)  # below a loose file's level: another catalogue
    assert load(e).title == base
    f = write(tmp_path, "loose/z.toml", HEAD + GUEST + HOP)
    assert (load(e).title, load(f).title) == (f"{base}#x", f"{base}#z")


def test_unique_ids_directly(tmp_path: Path) -> None:
    s = load(write(tmp_path, "one/a.toml", HEAD + GUEST + HOP))
    t = load(write(tmp_path, "two/b.toml", HEAD + GUEST + '[[hop]]\nat_insns = 5\nbuild = "2.8"\n'))
    ids = unique_ids({Path("x/a.toml"): s, Path("y/a.toml"): s, Path("y/c.toml"): s, Path("z/b.toml"): t})
    assert ids == {Path("x/a.toml"): f"{s.id}#x/a", Path("y/a.toml"): f"{s.id}#y/a", Path("y/c.toml"): f"{s.id}#c",
                   Path("z/b.toml"): t.id}


def test_an_edited_file_is_loaded_again(tmp_path: Path) -> None:
    p = write(tmp_path, "e.toml", HEAD + GUEST + HOP)
    assert load(p).hops[0].at_insns == 1_000_000
    p.write_text(HEAD + GUEST + '[[hop]]\nat_insns = 2_000_000\n')
    os.utime(p, ns=(1, 1))  # a different stamp even within the filesystem's timestamp granularity
    assert load(p).hops[0].at_insns == 2_000_000
