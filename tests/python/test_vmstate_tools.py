"""`ppcmig-engine vmstate-dump` and `vmstate-diff`: the static description of what a machine
registers for migration, and the compatibility check of two descriptions — checked against the
catalogue bugs C7 (ICPs of absent vCPUs) and C8 (hpt-max-page-size cap subsection), against real
migrations between the same builds, and for precise errors on bad input."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ENGINE = os.environ.get("PPCMIG_ENGINE", "build/bin/ppcmig-engine")
GUESTS_DIR = Path(os.environ.get("PPCMIG_BUILD_DIR", "build")) / "guests"

C7_OPTS = ("--machine", "pseries-2.9", "--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER8",
           "--smp", "2,maxcpus=4")
C8_OPTS = ("--machine", "pseries-4.0", "--cpu", "POWER9")
C3_OPTS = ("--machine", "pseries-2.7", "--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER8")


def engine(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ENGINE, *args], capture_output=True, text=True, timeout=120)


def dump(tmp: Path, build: str, *opts: str, name: str | None = None) -> Path:
    out = tmp / (name or f"{build}.json")
    p = engine("vmstate-dump", "--build", build, *opts, "--output", str(out))
    assert p.returncode == 0, p.stderr
    return out


def diff(a: Path, b: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return engine("vmstate-diff", *extra, str(a), str(b))


def findings(a: Path, b: Path) -> tuple[int, list[dict]]:
    p = diff(a, b, "--json")
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)["findings"]


def test_dump_describes_every_registered_section(tmp_path: Path) -> None:
    d = json.loads(dump(tmp_path, "2.9", *C7_OPTS).read_text())
    assert d["format"] == "ppcmig-vmstate-dump" and d["format_version"] == 1
    assert d["build"] == "2.9"
    assert d["configuration"] == {"machine_type": "pseries-2.9"}
    assert d["ram"]["version_id"] == 4 and d["ram"]["blocks"] == [{"name": "ppc_spapr.ram", "used_length": 512 << 20}]
    keys = [(s["idstr"], s["instance"]) for s in d["sections"]]
    # Up to 2.9 XICS registers a presenter per possible vCPU (maxcpus=4), all sent.
    assert keys == [("cpu_common", 0), ("cpu", 0), ("cpu_common", 1), ("cpu", 1),
                    ("icp/server", 0), ("icp/server", 1), ("icp/server", 2), ("icp/server", 3), ("ics", 0),
                    ("vty@71000000/spapr_vty", 0), ("spapr_pci", 0), ("spapr", 0)]
    cpu = d["sections"][1]
    assert (cpu["version_id"], cpu["minimum_version_id"]) == (5, 5)
    gate = next(f for f in cpu["Fields"] if f["field"] == "mig_msr_mask")
    assert gate["exists_predicate"] == "pre_2_8_migration" and gate["exists_now"] is False
    subs = {s["name"]: s for s in cpu["Subsections"]}
    assert subs["cpu/vsx"]["needed_now"] is True and subs["cpu/vsx"]["needed_guest_dependent"] is False
    assert "cpu/compat" not in subs  # compat_pvr travels from 2.10 on (C4)
    assert d["caps"] == []          # the spapr caps arrived in 2.12
    # 2.10 has it; whether it is sent depends on the guest's CAS, except on pre-2.10 machines.
    for machine, dependent in (("pseries-2.10", True), ("pseries-2.9", False)):
        d = json.loads(dump(tmp_path, "2.10", "--machine", machine, name=f"{machine}.json").read_text())
        cpu = next(s for s in d["sections"] if s["idstr"] == "cpu")
        assert {s["name"]: s for s in cpu["Subsections"]}["cpu/compat"]["needed_guest_dependent"] is dependent
    d = json.loads(dump(tmp_path, "2.12", "--machine", "pseries-2.12").read_text())
    caps = {c["name"]: c for c in d["caps"]}
    assert caps["hpt-max-page-size"]["subsection"] == "spapr/cap/hpt_maxpagesize"
    assert set(caps["htm"]) >= {"default", "effective", "cmdline", "default_text", "effective_text"}


def test_dump_is_deterministic_and_goes_to_stdout_without_output(tmp_path: Path) -> None:
    a = engine("vmstate-dump", "--machine", "pseries", "--cpu", "POWER10", "--smp", "2")
    b = engine("vmstate-dump", "--machine", "pseries", "--cpu", "POWER10", "--smp", "2")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    assert json.loads(a.stdout)["build"] == "head"


def test_icps_of_absent_vcpus_c7(tmp_path: Path) -> None:
    src = dump(tmp_path, "2.9", *C7_OPTS)
    unfixed = dump(tmp_path, "2.10-icps-unfixed", *C7_OPTS)
    p = diff(src, unfixed)
    assert p.returncode == 1, p.stdout + p.stderr
    for i in (2, 3):
        assert (f"error   icp/server {i}: Unknown savevm section or instance 'icp/server' {i}. Make sure that your "
                "current VM setup matches your saved VM setup, including any hotplugged devices") in p.stdout
    assert p.stdout.splitlines()[-1] == "2 errors, 0 warnings, 2 infos: migration 2.9 -> 2.10-icps-unfixed fails"
    # 46f7afa37096's dummies accept them: their fields become padding of the same size.
    rc, fs = findings(src, dump(tmp_path, "2.10", *C7_OPTS))
    assert rc == 0
    assert [(f["kind"], f["severity"], f["instance"]) for f in fs if f["kind"] == "unused_padding"] == \
        [("unused_padding", "info", 2), ("unused_padding", "info", 3)]
    # Backwards the stream lacks ICPs 2 and 3: QEMU is silent, the diff warns.
    rc, fs = findings(unfixed, src)
    assert rc == 0
    assert {(f["section"], f["instance"], f["severity"]) for f in fs if f["severity"] != "info"} == \
        {("icp/server", 2, "warning"), ("icp/server", 3, "warning")}


def test_hpt_max_page_size_subsection_c8(tmp_path: Path) -> None:
    dst = dump(tmp_path, "4.0", *C8_OPTS)
    rc, fs = findings(dump(tmp_path, "4.1-hpt-mps-unconditional", *C8_OPTS), dst)
    assert rc == 1
    errors = [f for f in fs if f["severity"] == "error"]
    assert len(errors) == 1
    e = errors[0]
    assert (e["section"], e["instance"], e["kind"], e["path"]) == ("spapr", 0, "subsection_unknown", "spapr/cap/hpt_maxpagesize")
    assert "error while loading state for instance 0x0 of device 'spapr'" in e["message"]
    # 3725ef1a944b: not sent for pseries-4.0, so only information.
    rc, fs = findings(dump(tmp_path, "4.1", *C8_OPTS), dst)
    assert rc == 0
    assert [(f["kind"], f["severity"]) for f in fs] == [("subsection_unknown", "info")]


def test_phb_window_equal_checks_c3(tmp_path: Path) -> None:
    src = dump(tmp_path, "2.7", *C3_OPTS)
    rc, fs = findings(src, dump(tmp_path, "2.8-phb-unfixed", *C3_OPTS))
    assert rc == 1
    assert [(f["section"], f["kind"], f["path"]) for f in fs if f["severity"] == "error"] == \
        [("spapr_pci", "equal_mismatch", "spapr_pci:mem_win_size")]
    mismatch = next(f for f in fs if f["kind"] == "equal_mismatch")
    assert "QEMU fails with '80000000 != f80000000'" in mismatch["message"]
    # 5c4537bded40: the same bytes land in scratch fields (renamed, no longer checked).
    rc, fs = findings(src, dump(tmp_path, "2.8", *C3_OPTS))
    phb = sorted((f["kind"], f["path"]) for f in fs if f["section"] == "spapr_pci")
    assert ("field_renamed", "spapr_pci:mem_win_size") in phb and all(f["severity"] == "info" for f in fs
                                                                     if f["section"] == "spapr_pci")


def test_head_against_itself_is_clean(tmp_path: Path) -> None:
    a = dump(tmp_path, "head", "--machine", "pseries", "--cpu", "POWER10", "--smp", "4")
    p = diff(a, a)
    assert p.returncode == 0, p.stdout
    assert p.stdout.splitlines()[-1] == "0 errors, 0 warnings, 0 infos: migration head -> head passes the static check"


def test_machine_type_and_caps_checks_use_qemus_texts(tmp_path: Path) -> None:
    a = dump(tmp_path, "head", "--machine", "pseries-4.2", "--cpu", "POWER9", name="a.json")
    b = dump(tmp_path, "head", "--machine", "pseries-4.1", "--cpu", "POWER9", name="b.json")
    p = diff(a, b)
    assert p.returncode == 1
    assert "error   configuration: Machine type received is 'pseries-4.2' and local is 'pseries-4.1'" in p.stdout
    # The destination lowers large-decr on its command line; the source does not send the cap
    # (default), so the destination takes its own default (on) and finds it above what it runs.
    c = dump(tmp_path, "head", "--machine", "pseries-4.2,cap-large-decr=off", "--cpu", "POWER9", name="c.json")
    p = diff(a, c)
    assert p.returncode == 1
    assert "error   spapr 0: cap-large-decr: cap-large-decr higher level (1) in incoming stream than on destination (0)" in p.stdout
    # The other way the cap travels (set on the command line, differs from the default): the
    # destination runs a higher level, which QEMU only warns about.
    rc, fs = findings(c, a)
    assert rc == 0
    assert [(f["kind"], f["severity"], f["message"]) for f in fs if f["path"] == "cap-large-decr"] == \
        [("cap_level", "warning", "cap-large-decr lower level (0) in incoming stream than on destination (1)")]


@pytest.mark.parametrize("src,dst,opts", [
    ("2.9", "2.10-icps-unfixed", C7_OPTS), ("2.9", "2.10", C7_OPTS), ("2.10-icps-unfixed", "2.9", C7_OPTS),
    ("4.1-hpt-mps-unconditional", "4.0", C8_OPTS), ("4.1", "4.0", C8_OPTS), ("4.0", "4.1-hpt-mps-unconditional", C8_OPTS),
    ("2.7", "2.8-phb-unfixed", C3_OPTS), ("2.7", "2.8", C3_OPTS), ("2.8", "2.7.1", C3_OPTS),
    ("2.8-phb-unfixed", "2.7.1", C3_OPTS),
], ids=lambda v: v if isinstance(v, str) else v[1])
def test_static_verdict_matches_a_real_migration(tmp_path: Path, src: str, dst: str, opts: tuple[str, ...]) -> None:
    elf = GUESTS_DIR / "smp_ipi.elf"
    if not elf.exists():
        pytest.fail(f"{elf} was not built (the guests target is part of the build)")
    opts = (*opts, "-m", "256M")
    rc, _ = findings(dump(tmp_path, src, *opts, name="a.json"), dump(tmp_path, dst, *opts, name="b.json"))
    run = engine("run", "--guest", str(elf), "--insns", "400000", "--migrate-at", "100000", "--build", src,
                 "--dest-build", dst, *opts)
    assert run.returncode in (0, 4), run.stderr
    assert (rc == 1) == (run.returncode == 4), run.stderr


def test_malformed_dumps_exit_2_with_file_pointer_and_reason(tmp_path: Path) -> None:
    good = dump(tmp_path, "head", *C8_OPTS)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "ppcmig-vmstate-dump",\n "sections": [}\n')
    p = diff(good, bad)
    assert p.returncode == 2 and p.stdout == ""
    assert f"ppcmig-engine: vmstate-diff: {bad}: invalid JSON: parse error at line 2, column 15" in p.stderr
    d = json.loads(good.read_text())
    del d["sections"][1]["Fields"][2]["size"]
    bad.write_text(json.dumps(d))
    p = diff(bad, good)
    assert p.returncode == 2
    assert p.stderr.strip() == f'ppcmig-engine: vmstate-diff: {bad}: /sections/1/Fields/2: missing key "size"'
    d = json.loads(good.read_text())
    d["sections"][0]["instance"] = -1
    bad.write_text(json.dumps(d))
    p = diff(good, bad)
    assert p.returncode == 2
    assert f"{bad}: /sections/0/instance: expected an unsigned integer, got -1" in p.stderr
    d["format"] = "something-else"
    bad.write_text(json.dumps(d))
    assert "not a vmstate dump" in diff(good, bad).stderr
    p = diff(good, tmp_path / "missing.json")
    assert p.returncode == 2 and "missing.json: cannot open the file" in p.stderr
    p = engine("vmstate-diff", str(good))
    assert p.returncode == 2 and "expected two dump files, got 1" in p.stderr


def test_dump_rejects_bad_configurations_without_writing(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    p = engine("vmstate-dump", "--build", "4.0", "--machine", "pseries-4.1", "--output", str(out))
    assert p.returncode == 1 and "pseries-4.1" in p.stderr
    assert not out.exists()
    p = engine("vmstate-dump", "--build", "nope", "--machine", "pseries")
    assert p.returncode == 2 and 'unknown build "nope"' in p.stderr
    p = engine("vmstate-dump", "--cpu", "POWER9")
    assert p.returncode == 2 and "--machine is required" in p.stderr
