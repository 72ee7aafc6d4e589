"""compat_idle (scenarios/guests/compat_idle.S) on the ppcmig pseries machine under kvm-hv: it
passes on every build, idles nearly all the time, migrates at any point without a trace, and a
PCR that gates ISA 2.06 turns its decrementer return into the seed's case-11/18 failure: a
Program interrupt whose SRR0/SRR1 equal the guest's r11/r12."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from guest_runs import ENGINE, elf_symbols, guest, patched
from test_guests_qemu import PROGRAM_INTERRUPT, SRR1_ILLEGAL

KVM_P8 = ("--cpu", "POWER8", "--accel", "kvm-hv", "--host-cpu", "POWER8", "-m", "64M")
BUDGET = 50_000_000  # virtual time; the guest powers off after about 21M ticks
# the last round line, identical on QEMU 7.2 TCG (test_guests_qemu.py, README reference output)
LAST_ROUND = "round=20 ticks=20 sum=0x3f707739969f8420 ok"
POPCNTD_R16_R15 = "0x7df003f4"


def run(tmp: Path, elf: Path, *opts: str, tag: str = "s", insns: int = BUDGET) -> tuple[subprocess.CompletedProcess[str], dict]:
    state = tmp / f"{tag}.json"
    p = subprocess.run([ENGINE, "run", "--guest", str(elf), "--insns", str(insns), "--state-json", str(state), *opts],
                       capture_output=True, text=True, timeout=300)
    return p, json.loads(state.read_text()) if state.exists() else {}


@pytest.mark.parametrize("endian", ["", "_le"], ids=["be", "le"])
@pytest.mark.parametrize("build,machine,mode", [("2.7", "pseries-2.7", "raw"), ("2.8", "pseries-2.8", "raw"),
                                                ("2.10", "pseries-2.8", "power8"), ("head", "pseries-2.8", "power8"),
                                                ("head", "pseries-2.8,max-cpu-compat=power7", "power7")])
def test_passes_on_every_build(tmp_path: Path, build: str, machine: str, mode: str, endian: str) -> None:
    """Builds before 2.10 pick raw mode when the real PVR is listed, later ones a compat mode."""
    p, st = run(tmp_path, guest("compat_idle" + endian), "--machine", machine, *KVM_P8, "--build", build)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert f" mode={mode} " in lines[2] and lines[-2:] == [LAST_ROUND, "RESULT PASS"], p.stdout
    assert st["powered_off"]


@pytest.mark.parametrize("build", ["2.7", "2.8", "head"])
def test_power7_only_list_negotiates_power7_on_every_build(tmp_path: Path, build: str) -> None:
    p, st = run(tmp_path, guest("compat_idle_p7"), "--machine", "pseries-2.7", *KVM_P8, "--build", build)
    assert "cas status=0 mode=power7 cpu_version=0x0f000003" in p.stdout and p.stdout.endswith("RESULT PASS\n")
    assert st["cpus"][0]["pcr"] != "0x0000000000000000"  # power7 on POWER8: 2.06 level, TM disabled


def test_idles_nearly_all_the_time_with_few_instructions(tmp_path: Path) -> None:
    _, st = run(tmp_path, guest("compat_idle"), "--machine", "pseries-2.8", *KVM_P8)
    executed = st["cpus"][0]["icount"]
    assert executed < 200_000 and executed * 100 < st["time_base"]  # > 99% of the time ceded
    assert st["cpus"][0]["interrupts"] == {"0x900": 20}
    # stopping anywhere (a migration point) almost always finds the vCPU ceded
    points = [st["time_base"] * k // 20 for k in range(1, 20)]
    ceded = sum(run(tmp_path, guest("compat_idle"), "--machine", "pseries-2.8", *KVM_P8, insns=n, tag=f"at{n}")[1]
                ["cpus"][0]["ceded"] for n in points)
    assert ceded >= len(points) - 1


@pytest.mark.parametrize("src,dst", [("2.8", "2.8"), ("head", "head"), ("2.7", "2.8")])
@pytest.mark.parametrize("name", ["compat_idle", "compat_idle_le", "compat_idle_p7"])
def test_migrated_run_prints_what_the_reference_prints(tmp_path: Path, name: str, src: str, dst: str) -> None:
    machine = "pseries-2.7" if "2.7" in (src, dst) else "pseries-2.8"
    opts = ("--machine", machine, *KVM_P8, "--build", src)
    ref, st = run(tmp_path, guest(name), *opts, tag="ref")
    assert ref.stdout.endswith("RESULT PASS\n"), ref.stdout
    for frac in (0.05, 0.5, 0.95):
        at = int(st["time_base"] * frac)
        p, _ = run(tmp_path, guest(name), *opts, "--dest-build", dst, "--migrate-at", str(at), tag=f"mig{frac}")
        assert p.returncode == 0, p.stderr
        assert p.stdout == ref.stdout, f"console differs after migrating at {at}"


def test_pcr_gating_2_06_gives_the_seed_shape(tmp_path: Path) -> None:
    """A guest in power6 compat (PCR at 2.05) on kvm-hv: the first instruction after the cede is the
    DEC handler's rfid target and traps; tcg does not gate on PCR and the guest passes."""
    image = patched(guest("compat_idle"), tmp_path / "p6.elf", npairs=4, pair3=0xffffffff0f000002)
    opts = ("--machine", "pseries-2.8,max-cpu-compat=power6", *KVM_P8)
    p, _ = run(tmp_path, image, *opts, tag="kvm")
    lines = p.stdout.splitlines()
    assert "mode=power6" in lines[2] and lines[-1] == "RESULT FAIL program-interrupt", p.stdout
    m = PROGRAM_INTERRUPT.match(lines[-2])
    assert m, lines[-2]
    srr0, srr1, r11, r12, link = (int(m.group(i), 16) for i in range(1, 6))
    syms, _ = elf_symbols(image.read_bytes())
    assert srr0 == link == r11 == syms["cede_return"]  # the engine loads at the link address
    assert srr1 == r12 | SRR1_ILLEGAL and m.group(6) == POPCNTD_R16_R15 and m.group(7) == "1"
    tcg = subprocess.run([ENGINE, "run", "--guest", str(image), "--insns", str(BUDGET), *opts[:2], "--cpu", "POWER8",
                          "-m", "64M"], capture_output=True, text=True, timeout=300)
    assert tcg.stdout.endswith(f"{LAST_ROUND}\nRESULT PASS\n"), tcg.stdout


def test_injected_fault_is_reported_as_an_rfid_target(tmp_path: Path) -> None:
    """inject: the DEC handler's rfid returns to an illegal word in round 2 (the report's negative
    control on a machine that never gates)."""
    image = patched(guest("compat_idle"), tmp_path / "inj.elf", inject=2, rounds=3)
    p, _ = run(tmp_path, image, "--machine", "pseries-2.8", *KVM_P8)
    m = PROGRAM_INTERRUPT.match(p.stdout.splitlines()[-2])
    syms, _ = elf_symbols(image.read_bytes())
    assert m and int(m.group(1), 16) == syms["inject_fault"] + 4 and m.group(7) == "1", p.stdout
    assert re.search(r"^round=1 ticks=1 sum=0x3ea3fd7613d40e70 ok$", p.stdout, re.M)
