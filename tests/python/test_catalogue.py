"""The domain catalogue of real pseries migration bugs, each arising from the mechanism of the
engine build that had it, on the build pair that met it, and gone on the fixing build. (C7, C8 and
C13 live in test_guests.py, next to the guests they exercise.)"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from guest_runs import guest, patched, run

KVM_P8 = ("--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER8")


def migrate(tmp: Path, elf: Path, src_opts: tuple[str, ...], dst: str, dest_options: str | None = None,
            at_fraction: int = 3):
    """Reference run on the source, then the same run migrated at 1/at_fraction of its time to
    build `dst`. Returns (reference process, migrated process)."""
    ref_p, ref = run(tmp, elf, *src_opts, tag="ref")
    assert "RESULT PASS" in ref_p.stdout, ref_p.stdout[-800:] + ref_p.stderr
    extra = ("--dest-options", dest_options) if dest_options else ()
    p, _ = run(tmp, elf, *src_opts, "--dest-build", dst, *extra, "--migrate-at", str(ref["time_base"] // at_fraction),
               tag="mig")
    return ref_p, p


def assert_load_failure(p, device: str, errno_text: str = "Invalid argument") -> None:
    assert p.returncode == 4, p.stderr
    assert (f"error while loading state for instance 0x0 of device '{device}'\n"
            f"ppcmig-engine: load of migration failed: {errno_text}") in p.stderr, p.stderr


@pytest.mark.parametrize("src,dst,loads", [("2.6", "2.7", False), ("2.6", "2.7.1", True), ("2.6", "2.8", True),
                                           ("2.7", "2.7", True), ("2.7", "2.6", False), ("2.7.1", "2.6", True),
                                           ("2.8", "2.6", True), ("2.8", "2.7", False)])
def test_c1_insns_flags_equal_check(tmp_path: Path, src: str, dst: str, loads: bool) -> None:
    """C1: <= 2.7 compared msr_mask/insns_flags/insns_flags2/nb_BATs with _EQUAL; 2.7 added
    instruction flags to POWER8, so pseries-2.6 streams failed between 2.6 and 2.7. 16a2497bd44c
    (2.8, backported to 2.7.1) reads them into scratch and forges 2.6 values for old machines."""
    _, p = migrate(tmp_path, guest("decr_tick"), ("--machine", "pseries-2.6", *KVM_P8, "--build", src), dst)
    if loads:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert_load_failure(p, "cpu")
        assert "Failed to load cpu:insns_flags" in p.stderr


@pytest.mark.parametrize("src,loads", [("2.11", False), ("2.12", True)])
def test_c2_power9_to_power8_forged_flags_lack_tlbie(tmp_path: Path, src: str, loads: bool) -> None:
    """C2: a POWER9 host in power8 compat mode forges mig_insns_flags from a class without
    PPC_MEM_TLBIE; a 2.6 POWER8 destination compares them with its own and refuses, until
    bce009645b9f always ORs PPC_MEM_TLBIE in."""
    src_opts = ("--machine", "pseries-2.6,max-cpu-compat=power8", "--accel", "kvm-hv", "--cpu", "host",
                "--host-cpu", "POWER9", "--build", src)
    dest = "-machine pseries-2.6 -accel kvm-hv -cpu host -host-cpu POWER8 -m 256M"
    _, p = migrate(tmp_path, guest("decr_tick"), src_opts, "2.6", dest)
    if loads:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert_load_failure(p, "cpu")
        assert "Failed to load cpu:insns_flags" in p.stderr


@pytest.mark.parametrize("src,dst,machine,loads", [("2.7", "2.8-phb-unfixed", "pseries-2.7", False),
                                                   ("2.7", "2.8-phb-unfixed", "pseries-2.3", False),
                                                   ("2.7", "2.8-phb-unfixed", "pseries-2.2", True),
                                                   ("2.8-phb-unfixed", "2.7.1", "pseries-2.7", False),
                                                   ("2.7", "2.8", "pseries-2.7", True),
                                                   ("2.8", "2.7.1", "pseries-2.7", True),
                                                   ("2.8-phb-unfixed", "2.8", "pseries-2.7", True)])
def test_c3_phb_mmio_window_split(tmp_path: Path, src: str, dst: str, machine: str, loads: bool) -> None:
    """C3: daa2369 (2.8 development) split the PHB's MMIO window into 32- and 64-bit parts while
    spapr_pci still compared the window with _EQUAL, so 2.7's 0xf80000000 met the converted
    0x80000000 (pseries-2.2's 0x20000000 window needs no split and passes). 5c4537bded40 reads the
    old values into scratch and forges them as 2.7 had them, both ways."""
    _, p = migrate(tmp_path, guest("decr_tick"), ("--machine", machine, *KVM_P8, "--build", src), dst)
    if loads:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert_load_failure(p, "spapr_pci")
        forward = src == "2.7"
        sent, local = ("f80000000", "80000000") if forward else ("80000000", "f80000000")
        assert f"ppcmig-engine: {local} != {sent}\nppcmig-engine: Failed to load spapr_pci:mem_win_size\n" in p.stderr, p.stderr


@pytest.mark.parametrize("build,machine,kept", [("2.9", "pseries-2.9", False), ("2.10", "pseries-2.9", False),
                                                ("2.10", "pseries-2.10", True), ("head", "pseries-3.0", True)])
def test_c4_compat_mode_not_migrated(tmp_path: Path, build: str, machine: str, kept: bool) -> None:
    """C4: up to 2.9 (and for pseries-2.9 and older afterwards) compat_pvr does not travel: a guest
    that negotiated power7 mode at CAS resumes in raw POWER8 mode, and under KVM-HV its POWER8
    instructions no longer trap. d5fc133eed86 (2.10) migrates cpu/compat."""
    elf = guest("cas_boot_p7")
    _, p = migrate(tmp_path, elf, ("--machine", machine, *KVM_P8, "--build", build), build)
    assert p.returncode == 0, p.stderr
    assert "mode=power7" in p.stdout
    if kept:
        assert "RESULT PASS" in p.stdout
    else:
        assert "probe-changed 2.07=ok" in p.stdout and "RESULT FAIL probe-changed" in p.stdout, p.stdout[-600:]


@pytest.mark.parametrize("src,dst,machine,loads", [("4.0", "5.0-ramblock-unfixed", "pseries-3.1", False),
                                                   ("4.0", "5.0-ramblock-unfixed", "pseries-4.0", True),
                                                   ("4.0", "5.0", "pseries-3.1", True),
                                                   ("5.0-ramblock-unfixed", "5.0", "pseries-3.1", False)])
def test_c15_ram_block_name(tmp_path: Path, src: str, dst: str, machine: str, loads: bool) -> None:
    """C15: 5.0 made the main RAM a memory backend whose RAM block took the backend's canonical
    path on machines older than 4.0, so their streams named an unknown block; d96c4d5f193e keeps
    the legacy id."""
    _, p = migrate(tmp_path, guest("decr_tick"), ("--machine", machine, *KVM_P8, "--build", src), dst)
    if loads:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        name = "ppc_spapr.ram" if src == "4.0" else "/objects/ppc_spapr.ram"
        assert f'Unknown ramblock "{name}", cannot accept migration' in p.stderr
        assert_load_failure(p, "ram")


@pytest.mark.parametrize("build,mode,loads", [("10.0", "0x0f000007", False), ("10.1", "0x0f000006", True)])
def test_c17_power10_cannot_take_power11_compat(tmp_path: Path, build: str, mode: str, loads: bool) -> None:
    """C17: power10 and power11 share PCR level COMPAT_3_10, so before c0b2f0dd6ba7 a POWER10 CPU
    accepted power11 at CAS; a fixed destination refuses that compat mode on load."""
    elf = patched(guest("cas_boot"), tmp_path / "cas_p11.elf", compat_mask=0xfc)
    _, p = migrate(tmp_path, elf, ("--machine", "pseries-10.0", "--cpu", "POWER10", "--build", build), "10.1")
    if loads:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
        assert f"cpu_version={mode}" in p.stdout
    else:
        assert f"cpu_version={mode}" in p.stdout
        assert "Compatibility PVR 0x0f000007 not valid for CPU" in p.stderr
        assert_load_failure(p, "cpu")


@pytest.mark.parametrize("build,loads", [("9.0", True), ("9.1", False)])
def test_c12_ail_mode_3_not_migrated(tmp_path: Path, build: str, loads: bool) -> None:
    """C12: from 7.0 until "spapr: Migrate ail-mode-3 spapr cap" (2024) the cap had no subsection
    and no post-migration check, so a destination started with cap-ail-mode-3=off silently took a
    guest the source ran with AIL 3 available; with the fix the caps check refuses it."""
    src = ("--machine", "pseries-9.0", "--cpu", "POWER9", "--build", build)
    dest = "-machine pseries-9.0,cap-ail-mode-3=off -cpu POWER9 -m 256M"
    ref_p, p = migrate(tmp_path, guest("decr_tick"), src, build, dest)
    if loads:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
        _, st = run(tmp_path, guest("decr_tick"), *src, "--dest-build", build, "--dest-options", dest,
                    "--migrate-at", "3000000", tag="st")
        assert st["caps"]["ail-mode-3"] == "off"  # the guest now runs without what it negotiated on
    else:
        assert "cap-ail-mode-3 higher level (1) in incoming stream than on destination (0)" in p.stderr
        assert_load_failure(p, "spapr")


@pytest.mark.parametrize("machine,src,dst,starts", [("pseries-2.11", "2.11", "2.12", False),
                                                    ("pseries-2.12", "2.12", "2.12", True),
                                                    ("pseries-2.11", "2.11", "2.11", True)])
def test_c19_htm_default_refuses_a_tcg_destination(tmp_path: Path, machine: str, src: str, dst: str,
                                                   starts: bool) -> None:
    """C19: the spapr caps (2.12) give pseries-2.11 and older cap-htm=on, which TCG cannot apply: a
    TCG guest that ran on 2.11 (no caps yet) has no 2.12 destination that starts. The source is
    untouched."""
    opts = ("--machine", machine, "--cpu", "POWER8", "--build", src)
    dest = f"-machine {machine} -cpu POWER8 -m 256M"
    _, p = migrate(tmp_path, guest("mem_dirty"), opts, dst, dest)
    if starts:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert p.returncode == 1
        assert f"destination (build {dst}): -machine {machine}: No Transactional Memory support in TCG" in p.stderr
        assert "Try appending -machine cap-htm=off" in p.stderr


@pytest.mark.parametrize("src_mode,dst_mode,loads", [("", ",ic-mode=xics", False), (",ic-mode=xics", "", True),
                                                     ("", "", True)])
def test_c9_ic_mode_decides_which_sections_exist(tmp_path: Path, src_mode: str, dst_mode: str, loads: bool) -> None:
    """C9: the interrupt controller backend (pseries-4.0 pinned to XICS, 4.1+ dual, or the ic-mode
    property) decides which vmstates exist: a dual source sends the XIVE sections, which a
    XICS-only destination does not know; the other way round nothing is missing."""
    src = ("--machine", "pseries-4.1" + src_mode, "--cpu", "POWER9", "--smp", "2", "--build", "4.1")
    dest = f"-machine pseries-4.1{dst_mode} -cpu POWER9 -smp 2 -m 256M"
    _, p = migrate(tmp_path, guest("smp_ipi"), src, "4.1", dest)
    if loads:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert p.returncode == 4
        assert ("Unknown savevm section or instance 'xive-source' 0. Make sure that your current VM setup matches "
                "your saved VM setup, including any hotplugged devices") in p.stderr


PROGRAM_LINE = re.compile(r"^program-interrupt srr0=(0x[0-9a-f]+) srr1=(0x[0-9a-f]+) r11=(0x[0-9a-f]+) "
                          r"r12=(0x[0-9a-f]+) srr0_link=(0x[0-9a-f]+) insn=(0x[0-9a-f]{8}|none) rfid_return=([01])$",
                          re.M)
POPCNTD_R16_R15 = "0x7df003f4"
SRR1_ILLEGAL = 0x80000


@pytest.mark.parametrize("case,name,src,machine,at,fails", [
    ("case18-power7-only", "compat_idle_p7", "2.8-compat-rfc", "pseries-2.8", 3, True),
    ("case12-power8-compat", "compat_idle", "2.8-compat-rfc", "pseries-2.8", 3, True),
    ("case11-2.7-compat-power7", "compat_idle", "2.7", "pseries-2.7,max-cpu-compat=power7", 3, True),
    ("case10-raw", "compat_idle", "2.7", "pseries-2.7", 3, False),
    ("case15-before-cas", "compat_idle", "2.7", "pseries-2.7,max-cpu-compat=power7", 100_000, False),
    ("2.8-release-power7-only", "compat_idle_p7", "2.8", "pseries-2.8", 3, False),
])
def test_compat_rfc_resumes_compat_guests_into_a_program_interrupt(tmp_path: Path, case: str, name: str, src: str,
                                                                   machine: str, at: int, fails: bool) -> None:
    """Seed 000, cases 10-18 with the RFCv2 compat rework ("qemu-2.8" of the thread): a guest in a
    compat mode resumes on the destination into a Program interrupt, even 2.8 -> 2.8, while raw-mode
    guests and guests migrated before CAS are fine. The destination installs the complement of the
    mode's PCR bits (the plausible mechanism of 2.8-rfc/compat-pcr-complement), so the guest runs
    as ISA 2.05 and the first ISA 2.06 instruction after its interrupt return traps: SRR0/SRR1 then
    hold GPR11/GPR12, as in the seed's register dump."""
    dst = "2.8-compat-rfc"
    _, p = migrate(tmp_path, guest(name), ("--machine", machine, *KVM_P8, "--build", src), dst, at_fraction=at)
    assert p.returncode == 0, p.stderr
    if not fails:
        assert "RESULT PASS" in p.stdout, p.stdout[-600:]
        return
    assert "RESULT FAIL program-interrupt" in p.stdout, p.stdout[-600:]
    m = PROGRAM_LINE.search(p.stdout)
    assert m, p.stdout[-600:]
    srr0, srr1, r11, r12, _, insn, rfid_return = m.groups()
    assert srr0 == r11 and rfid_return == "1"
    assert int(srr1, 16) == int(r12, 16) | SRR1_ILLEGAL
    assert insn == POPCNTD_R16_R15


@pytest.mark.parametrize("build,jumps", [("2.9", True), ("4.0", True), ("4.1", False), ("head", False)])
def test_c14_paused_guest_sees_the_pause_after_migration(tmp_path: Path, build: str, jumps: bool) -> None:
    """C14: a VM paused (monitor `stop`) for two seconds before migrating: up to 2.9 its clock ran
    on while paused; 42043e4f1241 froze it but pre_save re-read the host clock, so the stream still
    carried the pause and the guest saw its time jump (stall warnings); d14f33976282 sends the
    frozen time base."""
    src = ("--machine", "pseries-2.9", *KVM_P8, "--build", build)
    ref_p, ref = run(tmp_path, guest("decr_tick"), *src, tag="ref")
    assert "RESULT PASS" in ref_p.stdout
    p, st = run(tmp_path, guest("decr_tick"), *src, "--migrate-at", str(ref["time_base"] // 3),
                "--pause-ticks", str(2 * 512_000_000), tag="mig")
    assert p.returncode == 0, p.stderr
    if jumps:
        assert "RESULT FAIL lost-tick" in p.stdout
        assert st["time_base"] > ref["time_base"] + 2 * 512_000_000 - 100_000_000
    else:
        assert p.stdout == ref_p.stdout


@pytest.mark.parametrize("src,mode,error", [("4.1", "xics", "cap-xive higher level (1) in incoming stream than on destination (0)"),
                                            ("4.1", "xive", "cap-xics higher level (1) in incoming stream than on destination (0)"),
                                            ("4.1", "dual", None), ("4.2-capxics", "xics", None),
                                            ("4.2", "xics", None)])
def test_c10_cap_xics_xive_proposal(tmp_path: Path, src: str, mode: str, error: str | None) -> None:
    """C10 (seed 001): the cap-xics/cap-xive proposal for 4.2 turned the controllers into caps; a
    pseries-4.1 source with ic-mode=xics or xive never sends them, so the destination assumes its
    defaults (both on) and refuses the one its own ic-mode turned off."""
    elf = patched(guest("smp_ipi"), tmp_path / "ipi.elf", intc=0x40) if mode == "xive" else guest("smp_ipi")
    dst = "4.2" if src == "4.2" else "4.2-capxics"
    opts = ("--machine", f"pseries-4.1,ic-mode={mode}", "--cpu", "POWER9", "--smp", "2", "--build", src)
    _, p = migrate(tmp_path, elf, opts, dst)
    if error is None:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert error in p.stderr
        assert_load_failure(p, "spapr")


def test_c11_large_decr_travels_raw_in_lpcr(tmp_path: Path) -> None:
    """C11 (inferred silent divergence): large-decr defaults on only when the CPU and
    max-cpu-compat allow ISA 3.00; it is not sent unless set on the command line, and LPCR travels
    raw in spr[]. A POWER9 source (LPCR[LD]=1) passes the caps check of a destination whose default
    is off (max-cpu-compat=power8), which then runs with LPCR[LD] set against its own configuration
    until the next reset re-applies the cap."""
    lpcr_ld = 1 << 17
    src = ("--machine", "pseries-4.2", "--cpu", "POWER9", "--build", "head")
    dest = "-machine pseries-4.2,max-cpu-compat=power8 -cpu POWER9 -m 256M"
    ref_p, p = migrate(tmp_path, guest("decr_tick"), src, "head", dest)
    assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    _, st = run(tmp_path, guest("decr_tick"), *src, "--dest-options", dest, "--migrate-at", "100000000", tag="st")
    _, native = run(tmp_path, guest("decr_tick"), "--machine", "pseries-4.2,max-cpu-compat=power8", "--cpu", "POWER9",
                    tag="native")
    assert st["caps"]["large-decr"] == native["caps"]["large-decr"] == "off"
    assert int(st["cpus"][0]["lpcr"], 16) & lpcr_ld            # what travelled
    assert not int(native["cpus"][0]["lpcr"], 16) & lpcr_ld    # what the destination's own config gives


@pytest.mark.parametrize("machine,starts", [("pseries-3.1", True), ("pseries-3.1,cap-large-decr=on", False),
                                            ("pseries-4.2", False), ("pseries-4.2,cap-large-decr=off", True)])
def test_c11_large_decr_meets_a_kvm_host_of_another_width(tmp_path: Path, machine: str, starts: bool) -> None:
    """C11, the KVM half: under KVM-HV large-decr needs the host's large decrementer (its
    ibm,dec-bits) to be as wide as the CPU model's. A POWER9 guest running large-decr (the 4.0+
    default, or from the command line on 3.1) on a 56-bit host finds a destination whose host
    reports 48 bits refusing to start; with large-decr off on both sides it moves there."""
    src = ("--machine", machine, "--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER9", "--build", "head")
    dest = f"-machine {machine} -accel kvm-hv -cpu host -host-cpu POWER9 -kvm-host-caps large-decr-bits=48 -m 256M"
    ref_p, p = migrate(tmp_path, guest("decr_tick"), src, "head", dest)
    if starts:
        assert p.returncode == 0 and p.stdout == ref_p.stdout, p.stderr
    else:
        assert p.returncode == 1, p.stderr
        assert ("ppcmig-engine: destination (build head): -machine " + machine.split(",")[0] +
                ": KVM large decrementer size (48) differs to model (56)\n"
                "Try appending -machine cap-large-decr=off") in p.stderr, p.stderr
        assert "RESULT" not in p.stdout  # the source stopped at the migration point; nothing resumed


@pytest.mark.parametrize("machine,starts", [("pseries-4.2,max-cpu-compat=power8", True),
                                            ("pseries-4.2,max-cpu-compat=power8,cap-large-decr=on", False)])
def test_c11_power8_compat_guest_with_large_decr_cannot_move_to_a_power8_host(tmp_path: Path, machine: str,
                                                                              starts: bool) -> None:
    """C11, the KVM half: KVM checks only the host's width, not the compat mode, so a POWER9 host
    starts a max-cpu-compat=power8 guest with cap-large-decr=on; the POWER8 host it was capped for
    has no large decrementer and refuses to start it. At its default (off below ISA 3.00) it moves."""
    src = ("--machine", machine, "--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER9", "--build", "head")
    dest = f"-machine {machine} -accel kvm-hv -cpu host -host-cpu POWER8 -m 256M"
    _, p = migrate(tmp_path, guest("decr_tick"), src, "head", dest)
    if starts:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert p.returncode == 1, p.stderr
        assert ("-machine pseries-4.2: No large decrementer support\n"
                "Try appending -machine cap-large-decr=off") in p.stderr, p.stderr


@pytest.mark.parametrize("machine,starts", [("pseries-3.1", True), ("pseries-3.1,cap-cfpc=workaround", False),
                                            ("pseries-4.0", False)])
def test_c19_spectre_cap_default_meets_a_broken_kvm_host(tmp_path: Path, machine: str, starts: bool) -> None:
    """C19: pseries-2.12/3.x default the spectre caps to broken, 4.0+ to workaround; a guest that
    runs cap-cfpc=workaround (by default on 4.0, from the command line on 3.1) finds a destination
    whose KVM supports only broken refusing to start; a 3.1 guest at its default moves there."""
    src = ("--machine", machine, *KVM_P8, "--build", "head")
    dest = f"-machine {machine} -accel kvm-hv -cpu host -host-cpu POWER8 -kvm-host-caps cfpc=broken -m 256M"
    _, p = migrate(tmp_path, guest("mem_dirty"), src, "head", dest)
    if starts:
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    else:
        assert p.returncode == 1
        assert "Requested safe cache capability level not supported by KVM" in p.stderr
        assert "Try appending -machine cap-cfpc=broken" in p.stderr


@pytest.mark.parametrize("caps,error", [("warp=on", 'unknown KVM host capability "warp" (cfpc, sbbc, ibs, ail-mode-3, '
                                                    'rpt-invalidate, nested-hv, large-decr-bits)'),
                                        ("cfpc=maybe", 'Invalid capability mode "maybe" for cap-cfpc'),
                                        ("large-decr-bits=abc", 'large-decr-bits expects a number of bits, not "abc" '
                                                                '(0: no large decrementer, or 33 to 64)'),
                                        ("cfpc=broken,large-decr-bits=99", "large-decr-bits 99 is not a large "
                                         "decrementer width (0: no large decrementer, or 33 to 64)")])
def test_kvm_host_caps_option_rejects_bad_input(tmp_path: Path, caps: str, error: str) -> None:
    p, st = run(tmp_path, guest("mem_dirty"), "--kvm-host-caps", caps)
    assert p.returncode == 1 and f"-kvm-host-caps {caps}: {error}" in p.stderr and st == {}
