"""The pseries machine (`ppcmig-engine run`) with small guests assembled on the fly."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ENGINE = os.environ.get("PPCMIG_ENGINE", "build/bin/ppcmig-engine")

# Shared guest prologue: r31 = base address for PC-relative data, helpers as macros.
PRELUDE = r"""
    .machine power10
    .macro HCALL nr
    li 3,0
    ori 3,3,\nr
    sc 1
    .endm
    .macro PUTC ch
    li 3,0x58
    li 4,0
    li 5,1
    li 6,\ch
    sldi 6,6,56
    sc 1
    .endm
    .macro RTAS buf
    addi 4,31,(\buf - base)
    li 3,0
    ori 3,3,0xF000
    sc 1
    .endm
    .macro INSTALL vec, label, dwords   # copy an interrupt handler to its vector
    li 5,\vec
    addi 6,31,(\label - base)
    li 7,\dwords
    mtctr 7
1000:
    ld 7,0(6)
    std 7,0(5)
    addi 5,5,8
    addi 6,6,8
    bdnz 1000b
    .endm
    .text
    .globl _start
_start:
    bl base
base:
    mflr 31
"""

POWEROFF = r"""
    RTAS rtas_off
1:  b 1b
    .align 3
rtas_off: .long 0x2003, 2, 1, 0, 0, 0
"""


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (scripts/setup.sh installs it)")


def build(tmp: Path, body: str, name: str = "g") -> Path:
    _need("powerpc64-linux-gnu-as")
    src = tmp / f"{name}.S"
    src.write_text(PRELUDE + body)
    obj, elf = tmp / f"{name}.o", tmp / f"{name}.elf"
    subprocess.run(["powerpc64-linux-gnu-as", "-a64", "-mbig", "-mpower10", "-o", str(obj), str(src)], check=True)
    # -N: one segment starting at the text address (no ELF headers mapped at 0).
    subprocess.run(["powerpc64-linux-gnu-ld", "-N", "-Ttext=0x10000", "-e", "_start", "-o", str(elf), str(obj)], check=True)
    return elf


def run(tmp: Path, elf: Path, *opts: str, insns: int = 2_000_000) -> tuple[subprocess.CompletedProcess[str], dict]:
    state = tmp / "state.json"
    if state.exists():
        state.unlink()
    p = subprocess.run([ENGINE, "run", "--guest", str(elf), "--insns", str(insns), "--state-json", str(state), *opts],
                       capture_output=True, text=True, timeout=120)
    data = json.loads(state.read_text()) if state.exists() else {}
    return p, data


def test_console_and_power_off(tmp_path: Path) -> None:
    elf = build(tmp_path, "PUTC 0x4f\nPUTC 0x4b\n" + POWEROFF)
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "OK"
    assert st["powered_off"] is True
    assert st["console"] == "OK"
    assert st["caps"]["large-decr"] == "on"
    assert "TCG doesn't support requested feature, cap-cfpc=workaround" in p.stderr


def test_start_failure_is_reported_with_qemus_text(tmp_path: Path) -> None:
    elf = build(tmp_path, POWEROFF)
    p, st = run(tmp_path, elf, "--machine", "pseries-2.11", "--cpu", "POWER8")
    assert p.returncode == 1
    assert "No Transactional Memory support in TCG" in p.stderr
    assert "Try appending -machine cap-htm=off" in p.stderr
    assert st == {}  # no partial result file


CAS_GUEST = r"""
    addi 4,31,(vec - base)
    li 5,0
    li 6,0
    HCALL 0xF002
    mr 20,3              # status
    mr 21,4              # negotiated logical PVR
""" + POWEROFF + r"""
    .align 3
vec:
{pvrs}
    .long 0x00000000, 0xffffffff   # terminator
    .byte 4                        # five option vectors
    .byte 2, 0, 0, 0               # ov1
    .byte 0, 0                     # ov2
    .byte 0, 0                     # ov3
    .byte 0, 0                     # ov4
    .byte 23
    .fill 22, 1, 0
    .byte {xive}
    .byte 0
"""


def cas_guest(tmp: Path, pvrs: list[tuple[int, int]], xive: int = 0x00) -> Path:
    lines = "\n".join(f"    .long {m:#x}, {p:#x}" for m, p in pvrs)
    return build(tmp, CAS_GUEST.format(pvrs=lines, xive=xive), "cas")


P8_REAL = (0xFFFF0000, 0x004D0000)
# The seed's test plan boots with "-cpu host" on a POWER8 KVM-HV host.
KVM_P8 = ("--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER8")
P7_LOGICAL = (0xFFFFFFFF, 0x0F000003)
P8_LOGICAL = (0xFFFFFFFF, 0x0F000004)


def test_cas_prefers_the_newest_compat_mode(tmp_path: Path) -> None:
    # Basic case 1: a guest listing real and architected PVRs goes into POWER8 compat mode.
    elf = cas_guest(tmp_path, [P8_REAL, P7_LOGICAL, P8_LOGICAL])
    p, st = run(tmp_path, elf, "--machine", "pseries-2.7", *KVM_P8)
    cpu0 = st["cpus"][0]
    assert int(cpu0["gpr"][20], 16) == 0
    assert cpu0["compat_pvr"] == "0x0f000004"
    assert int(cpu0["pcr"], 16) == 0  # POWER8 in power8 mode: nothing to mask


def test_cas_power7_compat_sets_pcr(tmp_path: Path) -> None:
    # Basic case 5: the guest only advertises power7 compatibility.
    elf = cas_guest(tmp_path, [P7_LOGICAL])
    p, st = run(tmp_path, elf, "--machine", "pseries-2.7", *KVM_P8)
    cpu0 = st["cpus"][0]
    assert cpu0["compat_pvr"] == "0x0f000003"
    assert int(cpu0["pcr"], 16) == (1 << 61) | 0x4  # TM_DIS | COMPAT_2_06
    assert int(cpu0["gpr"][21], 16) == 0x0F000003


def test_cas_real_pvrs_only_stay_raw(tmp_path: Path) -> None:
    # Basic case 6.
    elf = cas_guest(tmp_path, [P8_REAL])
    p, st = run(tmp_path, elf, "--machine", "pseries-2.7", *KVM_P8)
    assert st["cpus"][0]["compat_pvr"] == "0x00000000"
    assert int(st["cpus"][0]["gpr"][20], 16) == 0


def test_cas_fails_with_real_pvrs_only_and_max_compat(tmp_path: Path) -> None:
    # Basic case 7: H_HARDWARE and QEMU's message.
    elf = cas_guest(tmp_path, [P8_REAL])
    p, st = run(tmp_path, elf, "--machine", "pseries-2.7,max-cpu-compat=power8", *KVM_P8)
    assert "Couldn't negotiate a suitable PVR during CAS" in p.stderr
    assert int(st["cpus"][0]["gpr"][20], 16) == (1 << 64) - 1  # H_HARDWARE


def test_cas_xive_in_dual_mode_switches_at_cas(tmp_path: Path) -> None:
    elf = cas_guest(tmp_path, [P8_LOGICAL, (0xFFFFFFFF, 0x0F000005)], xive=0x40)
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9")
    assert st["active_interrupt_controller"] == "xive"
    assert st["resets"] == 1  # QEMU 7.2 and later switch without a CAS reboot


PROBE_P8 = r"""
    # vector 0x700: record SRR1 in r22 and skip the instruction
    INSTALL 0x700, handler, 3
    li 22,0
    # enable VMX, then run a POWER8 (ISA 2.07) instruction
    mfmsr 8
    oris 8,8,0x0200
    mtmsrd 8
    vaddudm 1,2,3
""" + POWEROFF + r"""
    .align 3
handler:
    mfsrr1 22
    mfsrr0 23
    addi 23,23,4
    mtsrr0 23
    rfid
    nop
"""


def test_kvm_hv_power7_compat_traps_power8_instructions(tmp_path: Path) -> None:
    # Acceptance 3: POWER8 in power7 compat under kvm-hv: Program interrupt (illegal); tcg runs it.
    elf = build(tmp_path, PROBE_P8, "probe")
    p, st = run(tmp_path, elf, "--machine", "pseries-2.11,max-cpu-compat=power7,cap-htm=off", "--cpu", "POWER8",
                "--accel", "kvm-hv")
    cpu0 = st["cpus"][0]
    assert cpu0["interrupts"].get("0x700") == 1
    assert int(cpu0["gpr"][22], 16) & (1 << 19)  # SRR1 illegal-instruction bit
    p, st = run(tmp_path, elf, "--machine", "pseries-2.11,max-cpu-compat=power7,cap-htm=off", "--cpu", "POWER8")
    cpu0 = st["cpus"][0]
    assert "0x700" not in cpu0["interrupts"]
    assert int(cpu0["gpr"][22], 16) == 0


DEC_GUEST = r"""
    # vector 0x900: r24 += 1, DEC = 1000, rfid
    INSTALL 0x900, dec_handler, 3
    li 24,0
    li 9,1000
    mtdec 9
    mfmsr 8
    ori 8,8,0x8000       # EE
    mtmsrd 8
1:  cmpdi 24,10
    blt 1b
""" + POWEROFF + r"""
    .align 3
dec_handler:
    addi 24,24,1
    li 25,1000
    mtdec 25
    rfid
    nop
    nop
"""


def test_decrementer_ticks_at_the_time_base_rate(tmp_path: Path) -> None:
    elf = build(tmp_path, DEC_GUEST, "dec")
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9")
    cpu0 = st["cpus"][0]
    assert int(cpu0["gpr"][24], 16) == 10
    assert cpu0["interrupts"] == {"0x900": 10}
    assert st["powered_off"]
    # Ten periods of ~1000 ticks: the machine ran about 10k instructions of time.
    assert 10_000 <= st["time_base"] <= 40_000


SMP_GUEST = r"""
    mfspr 30,1023          # PIR: which vCPU am I
    cmpdi 30,0
    bne secondary
    # vector 0x500 (external): accept and EOI the IPI, count it in r26
    INSTALL 0x500, ext_handler, 9
    li 26,0
    li 4,0xff            # H_CPPR 0xff: the ICP resets with everything masked
    HCALL 0x68
    mfmsr 8
    ori 8,8,0x8000
    mtmsrd 8
    RTAS rtas_start
1:  cmpdi 26,1
    blt 1b
""" + POWEROFF + r"""
secondary:
    li 4,0               # H_IPI to server 0, mfrr 5
    li 5,5
    HCALL 0x6C
2:  b 2b
    .align 3
ext_handler:
    HCALL 0x74           # H_XIRR -> r4
    mr 27,4
    addi 26,26,1
    li 4,0               # H_IPI(self, 0xff): withdraw the IPI before the EOI, or it stays asserted
    li 5,0xff
    HCALL 0x6C
    mr 4,27
    HCALL 0x64           # H_EOI
    rfid
    .align 3
rtas_start: .long 0x2006, 3, 1, 1, 0x10000, 0, 0
"""


def test_smp_start_cpu_and_xics_ipi(tmp_path: Path) -> None:
    elf = build(tmp_path, SMP_GUEST, "smp")
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2")
    assert st["cpus"][1]["running"] is True
    assert int(st["cpus"][0]["gpr"][26], 16) == 1
    assert st["cpus"][0]["interrupts"]["0x500"] == 1
    assert st["powered_off"]


def test_runs_are_deterministic(tmp_path: Path) -> None:
    elf = build(tmp_path, SMP_GUEST, "smp")
    a = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2")[1]
    b = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2")[1]
    assert a == b


def test_kvm_hv_presents_the_host_pvr_for_a_model_of_the_same_family(tmp_path: Path) -> None:
    elf = build(tmp_path, "mfspr 20,287\n" + POWEROFF, "pvr")
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER8E", "--accel", "kvm-hv", "--host-cpu", "POWER8")
    assert st["cpus"][0]["pvr"] == "0x004d0200"
    assert int(st["cpus"][0]["gpr"][20], 16) == 0x004D0200
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER8E")  # tcg: the model's own PVR
    assert int(st["cpus"][0]["gpr"][20], 16) == 0x004B0201


LARGE_DEC = r"""
    INSTALL 0x900, h, 4      # vector 0x900: count in r24, then stop taking DEC interrupts
    li 24,0
    li 9,1
    sldi 9,9,32              # DEC = 2^32: fits a 56-bit large decrementer, not a 32-bit one
    mtdec 9
    mfmsr 8
    ori 8,8,0x8000
    mtmsrd 8
    lis 11,1
    mtctr 11
1:  bdnz 1b
""" + POWEROFF + r"""
    .align 3
h:  addi 24,24,1
    mfsrr1 25
    rldicl 25,25,48,1        # clear MSR[EE] (IBM bit 48) in SRR1
    rotldi 25,25,16
    mtsrr1 25
    rfid
"""


def test_large_decrementer_follows_cap_large_decr(tmp_path: Path) -> None:
    elf = build(tmp_path, LARGE_DEC, "ldec")
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9")
    assert int(st["cpus"][0]["lpcr"], 16) & (1 << 17)  # LPCR[LD]
    assert int(st["cpus"][0]["gpr"][24], 16) == 0
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2,cap-large-decr=off", "--cpu", "POWER9")
    assert not int(st["cpus"][0]["lpcr"], 16) & (1 << 17)
    assert int(st["cpus"][0]["gpr"][24], 16) == 1  # 2^32 truncated to a 32-bit 0: fires at once
    assert st["cpus"][0]["interrupts"] == {"0x900": 1}
    assert st["powered_off"]


XIVE_GUEST = r"""
    mfspr 30,1023
    cmpdi 30,0
    bne xive_secondary
    addi 4,31,(xvec - base)   # CAS advertising XIVE (dual mode: the machine reboots once)
    li 5,0
    li 6,0
    HCALL 0xF002
    lis 10,0x2                # queue page 0x20000 (4 KiB), cleared
    li 11,0
    std 11,0(10)
    li 4,0                    # H_INT_SET_QUEUE_CONFIG(0, server 0, prio 5, 0x20000, 12)
    li 5,0
    li 6,5
    mr 7,10
    li 8,12
    HCALL 0x3B8
    mr 20,3
    li 4,2                    # H_INT_SET_SOURCE_CONFIG(SET_EISN, lisn 0, target 0, prio 5, eisn 0x1234)
    li 5,0
    li 6,0
    li 7,5
    li 8,0x1234
    HCALL 0x3AC
    mr 21,3
    RTAS xrtas_start          # vCPU 1 triggers the IPI
1:  lwz 12,0(10)              # poll the queue: generation bit 1 and our EISN
    srwi 13,12,31
    cmpwi 13,1
    bne 1b
    clrlwi 22,12,1
""" + POWEROFF + r"""
xive_secondary:
    li 4,1                    # H_INT_ESB(store, lisn 0, offset 0 = trigger, data 0)
    li 5,0
    li 6,0
    li 7,0
    HCALL 0x3C8
2:  b 2b
    .align 3
xrtas_start: .long 0x2006, 3, 1, 1, 0x10000, 0, 0
    .align 3
xvec:
    .long 0xffffffff, 0x0f000005
    .long 0x00000000, 0xffffffff
    .byte 4
    .byte 2, 0, 0, 0
    .byte 0, 0
    .byte 0, 0
    .byte 0, 0
    .byte 23
    .fill 22, 1, 0
    .byte 0x40
    .byte 0
"""


def test_xive_ipi_through_hypercalls_and_event_queue(tmp_path: Path) -> None:
    elf = build(tmp_path, XIVE_GUEST, "xive")
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2")
    assert st["active_interrupt_controller"] == "xive"
    cpu0 = st["cpus"][0]
    assert int(cpu0["gpr"][20], 16) == 0 and int(cpu0["gpr"][21], 16) == 0
    assert int(cpu0["gpr"][22], 16) == 0x1234
    assert st["powered_off"]
    # The same XIVE-only guest on a XICS machine: QEMU's CAS error, and the machine stops.
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2,ic-mode=xics", "--cpu", "POWER9", "--smp", "2", insns=200_000)
    assert "Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual machine property" in p.stderr
    assert st["active_interrupt_controller"] == "xics"


def test_cas_rejects_the_both_bits_as_qemu_does(tmp_path: Path) -> None:
    elf = cas_guest(tmp_path, [P8_LOGICAL], xive=0x80)
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9")
    assert "guest requested an invalid interrupt mode" in p.stderr
    assert st["powered_off"]


ICS_GUEST = r"""
    RTAS set_xive            # irq 0x1005 -> server 0, priority 5
    RTAS int_off
    RTAS get_xive
    lwz 20,16(4)             # rets: status, server, priority
    lwz 21,20(4)
    lwz 22,24(4)
    RTAS int_on
    RTAS get_xive
    lwz 23,24(4)
""" + POWEROFF + r"""
    .align 3
set_xive: .long 0x200A, 3, 1, 0x1005, 0, 5, 0
int_off:  .long 0x200C, 1, 1, 0x1005, 0
int_on:   .long 0x200D, 1, 1, 0x1005, 0
get_xive: .long 0x200B, 1, 3, 0x1005, 0, 0, 0
"""


def test_xics_source_configuration_through_rtas(tmp_path: Path) -> None:
    elf = build(tmp_path, ICS_GUEST, "ics")
    p, st = run(tmp_path, elf, "--machine", "pseries-4.0", "--cpu", "POWER9")
    g = [int(x, 16) for x in st["cpus"][0]["gpr"]]
    assert (g[20], g[21], g[22], g[23]) == (0, 0, 0xFF, 5)
