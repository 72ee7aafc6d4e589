"""Same-build migration of running guests: a run migrated at instruction N must end in exactly the
state of a run that never migrated (registers, interrupts taken, time base, console)."""
from __future__ import annotations

from pathlib import Path

import pytest

from test_machine import DEC_GUEST, SMP_GUEST, build, run
from test_seed_basic_cases import CASE8


def comparable(st: dict) -> dict:
    st = dict(st)
    st.pop("console", None)  # the destination prints only what came after the migration point
    st.pop("resets", None)  # a host-side counter of the machine object, not guest state
    return st


@pytest.mark.parametrize("guest,opts,insns,points", [
    ("dec", ("--machine", "pseries-4.2", "--cpu", "POWER9"), 200_000, [1, 999, 1_001, 5_000, 9_999]),
    ("smp", ("--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2"), 300_000, [10]),
    ("case8", ("--machine", "pseries", "--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER8"), 400_000,
     [3_000, 40_000, 130_000]),
], ids=["decr", "smp-ipi", "compat-reboot"])
def test_migrated_run_equals_reference_run(tmp_path: Path, guest: str, opts: tuple[str, ...], insns: int,
                                            points: list[int]) -> None:
    src = {"dec": DEC_GUEST, "smp": SMP_GUEST, "case8": CASE8}[guest]
    elf = build(tmp_path, src, guest)
    p, ref = run(tmp_path, elf, *opts, insns=insns)
    assert p.returncode == 0, p.stderr
    assert ref["powered_off"]
    for at in points:
        assert at < ref["time_base"], "migration points must fall while the guest runs"
        p, mig = run(tmp_path, elf, *opts, "--migrate-at", str(at), insns=insns)
        assert p.returncode == 0, p.stderr
        assert comparable(mig) == comparable(ref), f"migrated at {at}"


def test_stream_starts_with_qemus_header_and_configuration(tmp_path: Path) -> None:
    elf = build(tmp_path, DEC_GUEST, "dec")
    stream = tmp_path / "s.bin"
    p, _ = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9", "--save-stream", str(stream), insns=1000)
    data = stream.read_bytes()
    assert data[:8] == bytes.fromhex("5145564d00000003")
    assert data[8] == 0x07 and data[9:13] == (11).to_bytes(4, "big") and data[13:24] == b"pseries-4.2"
    # vmdesc trailer: 0x06, be32 length, JSON
    i = data.rindex(b'\x06', 0, data.rindex(b'{"') + 1)
    assert data[i + 5:i + 6] == b"{"


def test_loading_a_stream_into_the_wrong_machine_fails_with_qemus_chain(tmp_path: Path) -> None:
    elf = build(tmp_path, DEC_GUEST, "dec")
    stream = tmp_path / "s.bin"
    run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9", "--save-stream", str(stream), insns=1000)
    p, st = run(tmp_path, elf, "--machine", "pseries-4.1", "--cpu", "POWER9", "--incoming", str(stream), insns=10)
    assert p.returncode == 4
    assert "Machine type received is 'pseries-4.2' and local is 'pseries-4.1'" in p.stderr
    assert "load of migration failed: Invalid argument" in p.stderr
    # Two vCPUs on the destination, one in the stream: fine (missing sections are silent);
    # the other way round: an unknown instance.
    p2, _ = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2", "--save-stream", str(stream), insns=1000)
    p, st = run(tmp_path, elf, "--machine", "pseries-4.2", "--cpu", "POWER9", "--incoming", str(stream), insns=10)
    assert "Unknown savevm section or instance 'cpu_common' 1" in p.stderr
