"""The self-checking guests (scenarios/guests/) on the ppcmig pseries machine: every guest passes
on every CPU model, big- and little-endian; runs are bit-for-bit deterministic; a run migrated
(same build) at any quantum boundary ends exactly like the run that never migrated."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from guest_runs import ENGINE, guest, patched, run

GUESTS = ["cas_boot", "decr_tick", "mem_dirty", "fpvec_state", "smp_ipi", "idle_cede", "compat_idle"]
MODELS = ["POWER7", "POWER8", "POWER9", "POWER10"]


@pytest.mark.parametrize("endian", ["", "_le"], ids=["be", "le"])
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("name", GUESTS)
def test_guest_passes_its_self_check(tmp_path: Path, name: str, model: str, endian: str) -> None:
    p, st = run(tmp_path, guest(name + endian), "--machine", "pseries", "--cpu", model, "--smp", "2")
    assert p.returncode == 0, p.stderr
    assert "RESULT PASS" in p.stdout, p.stdout[-2000:]
    assert st["powered_off"]


@pytest.mark.parametrize("name", GUESTS)
def test_little_endian_result_equals_big_endian(tmp_path: Path, name: str) -> None:
    be, _ = run(tmp_path, guest(name), "--machine", "pseries", "--cpu", "POWER9", "--smp", "2", tag="be")
    le, _ = run(tmp_path, guest(name + "_le"), "--machine", "pseries", "--cpu", "POWER9", "--smp", "2", tag="le")
    # Only the banner names the byte order.
    assert be.stdout.splitlines()[1:] == le.stdout.splitlines()[1:]


@pytest.mark.parametrize("name", GUESTS)
def test_runs_are_bit_for_bit_deterministic(tmp_path: Path, name: str) -> None:
    a = run(tmp_path, guest(name), "--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2", tag="a")
    b = run(tmp_path, guest(name), "--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2", tag="b")
    assert a[0].stdout == b[0].stdout
    assert a[1] == b[1]


def test_cas_boot_compat_modes_gate_probes_only_under_kvm_hv(tmp_path: Path) -> None:
    opts = ("--machine", "pseries-4.2,max-cpu-compat=power8", "--host-cpu", "POWER9")
    tcg, _ = run(tmp_path, guest("cas_boot"), *opts, "--cpu", "POWER9", tag="tcg")
    kvm, _ = run(tmp_path, guest("cas_boot"), *opts, "--cpu", "host", "--accel", "kvm-hv", tag="kvm")
    assert "mode=power8" in tcg.stdout and "mode=power8" in kvm.stdout
    assert "3.0=ok" in tcg.stdout      # TCG does not gate on PCR
    assert "3.0=trap" in kvm.stdout    # KVM-HV: POWER9 instructions trap in power8 mode


def comparable(st: dict) -> dict:
    st = {k: v for k, v in st.items() if k not in ("console", "resets")}
    return st


@pytest.mark.parametrize("name", GUESTS)
def test_migrated_guest_ends_like_the_reference_run(tmp_path: Path, name: str) -> None:
    opts = ("--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2")
    ref_p, ref = run(tmp_path, guest(name), *opts, tag="ref")
    end = ref["time_base"]
    for frac in (0.1, 0.5, 0.9):
        at = str(int(end * frac))
        p, mig = run(tmp_path, guest(name), *opts, "--migrate-at", at, tag=f"mig{frac}")
        assert p.returncode == 0, p.stderr
        assert p.stdout == ref_p.stdout, f"console differs after migrating at {at}"
        assert comparable(mig) == comparable(ref), f"state differs after migrating at {at}"


@pytest.mark.parametrize("machine", ["pseries-4.2", "pseries-4.2,ic-mode=xive"])
def test_xive_guest_migrates_with_its_interrupt_state(tmp_path: Path, machine: str) -> None:
    """smp_ipi in XIVE exploitation mode: sources (PQ), routing (EAS), event queues (END) and the
    thread contexts travel in xive-source, spapr-xive and xive-tctx; the controller in force on
    the destination follows the migrated CAS option vector."""
    elf = patched(guest("smp_ipi"), tmp_path / "xive.elf", intc=0x40)
    opts = ("--machine", machine, "--cpu", "POWER9", "--smp", "4")
    ref_p, ref = run(tmp_path, elf, *opts, tag="ref")
    assert "RESULT PASS" in ref_p.stdout and ref["active_interrupt_controller"] == "xive", ref_p.stdout[-400:]
    for frac in (0.2, 0.5, 0.8):
        stream = tmp_path / f"s{frac}.bin"
        p, mig = run(tmp_path, elf, *opts, "--migrate-at", str(int(ref["time_base"] * frac)),
                     "--save-stream", str(stream), tag=f"mig{frac}")
        assert p.returncode == 0, p.stderr
        assert p.stdout == ref_p.stdout and comparable(mig) == comparable(ref)
        data = stream.read_bytes()
        assert b"\x0aspapr-xive" in data and data.count(b"\x09xive-tctx") == 4
        assert (b"\x03ics" in data) == ("xive" not in machine) == (b"\x0aicp/server" in data)


@pytest.mark.parametrize("name", ["mem_dirty", "decr_tick", "idle_cede", "smp_ipi"])
def test_live_precopy_loses_nothing(tmp_path: Path, name: str) -> None:
    """Pre-copy while the guest runs and dirties memory: several RAM passes, then stop-and-copy;
    the guest's own checks pass and the run ends exactly like the one that never migrated."""
    opts = ("--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2")
    ref_p, ref = run(tmp_path, guest(name), *opts, tag="ref")
    end = ref["time_base"]
    at = str(end // 10)
    # A bandwidth at which the first full pass of the 256 MiB takes a fifth of the guest's run.
    bandwidth = str(256 * 2**20 * 512_000 // max(1, end // 5))
    p, mig = run(tmp_path, guest(name), *opts, "--migrate-at", at, "--precopy", "--bandwidth", bandwidth,
                 "--downtime-ns", "0", "--max-iterations", "4", tag="mig")
    assert p.returncode == 0, p.stderr
    m = re.search(r"pre-copy: (\d+) iterations, (\d+) pages sent", p.stderr)
    assert m and int(m.group(1)) >= 2, p.stderr
    assert "RESULT PASS" in p.stdout
    assert p.stdout == ref_p.stdout
    assert comparable(mig) == comparable(ref)


@pytest.mark.parametrize("build,passes", [("7.2", False), ("8.1", False), ("8.2", True), ("head", True)])
def test_decrementer_migration_per_build(tmp_path: Path, build: str, passes: bool) -> None:
    """C13: before 8.2 the live DEC does not travel and the destination's timer is not re-armed,
    so a guest waiting for its tick loses it; 8.2 (578912ad7312) fixed it."""
    opts = ("--machine", "pseries-7.2", "--cpu", "POWER9", "--build", build)
    for name in ("decr_tick", "idle_cede"):
        ref_p, ref = run(tmp_path, guest(name), *opts, tag=f"{name}-ref")
        assert "RESULT PASS" in ref_p.stdout  # without migration every build ticks
        p, _ = run(tmp_path, guest(name), *opts, "--migrate-at", str(ref["time_base"] // 3), tag=f"{name}-mig")
        assert ("RESULT PASS" in p.stdout) == passes, p.stdout[-600:]


def test_unknown_build_is_rejected_with_the_known_list(tmp_path: Path) -> None:
    p = subprocess.run([ENGINE, "run", "--guest", str(guest("decr_tick")), "--insns", "10", "--build", "1.0"],
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert 'unknown build "1.0"' in p.stderr and "head" in p.stderr


def test_build_knows_machine_versions_only_up_to_its_release(tmp_path: Path) -> None:
    p = subprocess.run([ENGINE, "run", "--guest", str(guest("decr_tick")), "--insns", "10", "--build", "2.6",
                        "--machine", "pseries-2.7"], capture_output=True, text=True)
    assert p.returncode == 1
    assert 'unsupported machine type: "pseries-2.7"' in p.stderr
    # Plain "pseries" is the build's newest version; the stream's configuration names it.
    stream = tmp_path / "s.bin"
    p, _ = run(tmp_path, guest("decr_tick"), "--machine", "pseries", "--accel", "kvm-hv", "--cpu", "host",
               "--host-cpu", "POWER8", "--build", "2.6", "--save-stream", str(stream))
    assert p.returncode == 0, p.stderr
    assert stream.read_bytes()[8:9] == b"\x07" and stream.read_bytes()[13:24] == b"pseries-2.6"


@pytest.mark.parametrize("machine,error", [("pseries", "Machine type received is 'pseries-2.8' and local is 'pseries-2.10'"),
                                           ("pseries-2.8", None)])
def test_plain_pseries_names_a_different_machine_on_a_newer_destination(tmp_path: Path, machine: str,
                                                                         error: str | None) -> None:
    """-M pseries is each binary's newest machine: 2.8 -> 2.10 with the alias cannot migrate,
    with the versioned name it can."""
    opts = ("--machine", machine, "--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER8", "--build", "2.8")
    ref_p, ref = run(tmp_path, guest("decr_tick"), *opts, tag="ref")
    assert "RESULT PASS" in ref_p.stdout
    p, _ = run(tmp_path, guest("decr_tick"), *opts, "--dest-build", "2.10", "--migrate-at", str(ref["time_base"] // 3),
               tag="mig")
    if error is None:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert p.returncode == 4 and error in p.stderr
        assert "load of migration failed: Invalid argument" in p.stderr


@pytest.mark.parametrize("src,dst,loads", [("2.9", "2.9", True), ("2.9", "2.10-icps-unfixed", False), ("2.9", "2.10", True),
                                           ("2.10-icps-unfixed", "2.9", True), ("2.10", "2.9", True)])
def test_icps_of_absent_vcpus_pseries_2_9(tmp_path: Path, src: str, dst: str, loads: bool) -> None:
    """C7: up to 2.9 XICS sends an icp/server per possible vCPU (maxcpus); 2.10 moved ICPs under
    the cores, so a 2.9 stream's extra ICPs were unknown instances until 46f7afa37096 added
    never-sent dummies for pseries-2.9 and older."""
    opts = ("--machine", "pseries-2.9", "--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER8",
            "--smp", "2,maxcpus=4", "--build", src)
    ref_p, ref = run(tmp_path, guest("smp_ipi"), *opts, tag="ref")
    assert "RESULT PASS" in ref_p.stdout, ref_p.stdout[-600:]
    stream = tmp_path / "s.bin"
    p, _ = run(tmp_path, guest("smp_ipi"), *opts, "--dest-build", dst, "--migrate-at", str(ref["time_base"] // 3),
               "--save-stream", str(stream), tag="mig")
    sent = stream.read_bytes().count(b"\x0aicp/server")
    assert sent == (4 if src == "2.9" else 2)
    if loads:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert p.returncode == 4
        assert ("Unknown savevm section or instance 'icp/server' 2. Make sure that your current VM setup matches "
                "your saved VM setup, including any hotplugged devices") in p.stderr


@pytest.mark.parametrize("src,dst,sent,loads", [("4.0", "4.0", False, True),
                                                ("4.1-hpt-mps-unconditional", "4.0", True, False),
                                                ("4.1", "4.0", False, True), ("4.0", "4.1", False, True)])
def test_hpt_max_page_size_cap_sending_pseries_4_0(tmp_path: Path, src: str, dst: str, sent: bool, loads: bool) -> None:
    """C8: 0b8c89be7f7b sent spapr/cap/hpt_maxpagesize for every machine, so pseries-4.0 streams
    no longer loaded on 4.0 (unknown subsection, -ENOENT); 3725ef1a944b skips it for pseries<=4.0."""
    stream = tmp_path / "s.bin"
    p, _ = run(tmp_path, guest("decr_tick"), "--machine", "pseries-4.0", "--cpu", "POWER9", "--build", src,
               "--dest-build", dst, "--migrate-at", "3000000", "--save-stream", str(stream))
    wire = b"\x19spapr/cap/hpt_maxpagesize"
    assert (wire in stream.read_bytes()) == sent
    if loads:
        assert p.returncode == 0, p.stderr
    else:
        assert p.returncode == 4
        assert ("error while loading state for instance 0x0 of device 'spapr'\n"
                "ppcmig-engine: load of migration failed: No such file or directory") in p.stderr
