"""The 8 "Basic" cases of the compat-mode test plan (seed 000: "Clean up compatibility mode
handling"), on a POWER8 KVM-HV host as in the thread (-cpu host), with the newest behaviour.

A "normal guest" advertises the real PVRs of the POWER7/8/9 families and every architected
(logical) PVR, as Linux's ibm,architecture-vec does; "hacked" guests advertise less.
"""
from __future__ import annotations

from pathlib import Path

from test_machine import KVM_P8, POWEROFF, build, run

NORMAL = [(0xFFFF0000, 0x003F0000), (0xFFFF0000, 0x004A0000), (0xFFFF0000, 0x004B0000),
          (0xFFFF0000, 0x004C0000), (0xFFFF0000, 0x004D0000), (0xFFFF0000, 0x004E0000),
          (0xFFFFFFFF, 0x0F000002), (0xFFFFFFFF, 0x0F000003), (0xFFFFFFFF, 0x0F000004),
          (0xFFFFFFFF, 0x0F000005)]
POWER7_ONLY = [(0xFFFFFFFF, 0x0F000003)]
REAL_ONLY = [(0xFFFF0000, 0x004D0000), (0xFFFF0000, 0x004E0000)]

RAW, POWER7, POWER8 = "0x00000000", "0x0f000003", "0x0f000004"


def _vector(label: str, pvrs: list[tuple[int, int]]) -> str:
    lines = "\n".join(f"    .long {m:#x}, {p:#x}" for m, p in pvrs)
    return f"""
    .align 3
{label}:
{lines}
    .long 0x00000000, 0xffffffff
    .byte 4
    .byte 2, 0, 0, 0
    .byte 0, 0
    .byte 0, 0
    .byte 0, 0
    .byte 23
    .fill 24, 1, 0
"""


def cas_once(tmp: Path, pvrs: list[tuple[int, int]]) -> Path:
    body = """
    addi 4,31,(vec - base)
    li 5,0
    li 6,0
    li 3,0
    ori 3,3,0xF002
    sc 1
    mr 20,3
    mr 21,4
""" + POWEROFF + _vector("vec", pvrs)
    return build(tmp, body, "cas_once")


def boot(tmp: Path, pvrs: list[tuple[int, int]], machine: str, *cpu: str):
    return run(tmp, cas_once(tmp, pvrs), "--machine", machine, *cpu)


def test_case1_host_cpu_goes_to_power8_compat_after_cas(tmp_path: Path) -> None:
    p, st = boot(tmp_path, NORMAL, "pseries", *KVM_P8)
    assert st["cpus"][0]["compat_pvr"] == POWER8
    assert int(st["cpus"][0]["gpr"][20], 16) == 0


def test_case2_max_cpu_compat_power7(tmp_path: Path) -> None:
    p, st = boot(tmp_path, NORMAL, "pseries,max-cpu-compat=power7", *KVM_P8)
    assert st["cpus"][0]["compat_pvr"] == POWER7
    assert "deprecated" not in p.stderr


def test_case3_cpu_compat_property_acts_as_case2_with_a_warning(tmp_path: Path) -> None:
    p, st = boot(tmp_path, NORMAL, "pseries", "--accel", "kvm-hv", "--cpu", "host,compat=power7", "--host-cpu", "POWER8")
    assert st["cpus"][0]["compat_pvr"] == POWER7
    assert "CPU 'compat' property is deprecated" in p.stderr


def test_case4_libvirt_power7_compat_acts_as_case3(tmp_path: Path) -> None:
    # libvirt (at the time) expressed the XML's compat mode as -cpu host,compat=power7.
    p, st = boot(tmp_path, NORMAL, "pseries", "--accel", "kvm-hv", "--cpu", "host,compat=power7", "--host-cpu", "POWER8")
    p3, st3 = boot(tmp_path, NORMAL, "pseries,max-cpu-compat=power7", *KVM_P8)
    assert st["cpus"][0]["compat_pvr"] == st3["cpus"][0]["compat_pvr"] == POWER7
    assert st["cpus"][0]["pcr"] == st3["cpus"][0]["pcr"]


def test_case5_guest_advertising_power7_only(tmp_path: Path) -> None:
    p, st = boot(tmp_path, POWER7_ONLY, "pseries", *KVM_P8)
    assert st["cpus"][0]["compat_pvr"] == POWER7


def test_case6_guest_advertising_real_pvrs_only_stays_raw(tmp_path: Path) -> None:
    p, st = boot(tmp_path, REAL_ONLY, "pseries", *KVM_P8)
    assert st["cpus"][0]["compat_pvr"] == RAW
    assert st["cpus"][0]["pvr"] == "0x004d0200"


def test_case7_real_pvrs_only_with_max_cpu_compat_fails_at_cas(tmp_path: Path) -> None:
    p, st = boot(tmp_path, REAL_ONLY, "pseries,max-cpu-compat=power8", *KVM_P8)
    assert "Couldn't negotiate a suitable PVR during CAS" in p.stderr
    assert int(st["cpus"][0]["gpr"][20], 16) == (1 << 64) - 1  # H_HARDWARE


# Case 8: boot 1 advertises power7 only, records the result at 0x7000 (outside the image, so it
# survives the reset) and reboots; boot 2 spins (raw mode until CAS), then runs CAS as a normal
# guest.
CASE8 = """
    li 9,0x7000              # 0x7000: outside the image, kept across the reset
    ld 10,8(9)              # boot marker
    cmpdi 10,0x55
    beq second_boot
    addi 4,31,(vec1 - base)
    li 5,0
    li 6,0
    li 3,0
    ori 3,3,0xF002
    sc 1
    std 4,0(9)              # negotiated PVR of boot 1
    li 10,0x55
    std 10,8(9)
    addi 4,31,(rtas_reboot - base)
    li 3,0
    ori 3,3,0xF000
    sc 1
1:  b 1b
second_boot:
    ld 20,0(9)
    lis 11,2                # spin 131072 iterations before CAS 2
    mtctr 11
2:  bdnz 2b
    addi 4,31,(vec2 - base)
    li 5,0
    li 6,0
    li 3,0
    ori 3,3,0xF002
    sc 1
    mr 21,4
""" + POWEROFF + """
    .align 3
rtas_reboot: .long 0x2004, 0, 1, 0
""" + _vector("vec1", POWER7_ONLY) + _vector("vec2", NORMAL)


def test_case8_mode_reverts_on_reboot_and_changes_after_second_cas(tmp_path: Path) -> None:
    elf = build(tmp_path, CASE8, "case8")
    # Shortly after the reboot: back in raw mode, boot 1 had negotiated power7.
    p, st = run(tmp_path, elf, "--machine", "pseries", *KVM_P8, insns=60_000)
    assert st["resets"] == 2
    assert st["cpus"][0]["compat_pvr"] == RAW
    assert int(st["cpus"][0]["gpr"][20], 16) == 0x0F000003
    # After CAS 2 of the normal guest: POWER8 compat.
    p, st = run(tmp_path, elf, "--machine", "pseries", *KVM_P8, insns=2_000_000)
    assert st["powered_off"]
    assert st["cpus"][0]["compat_pvr"] == POWER8
    assert int(st["cpus"][0]["gpr"][21], 16) == 0x0F000004
