"""The Python package's engine entry points."""
import ppcmig


def test_disassemble_big_and_little_endian() -> None:
    be = ppcmig.disassemble(bytes.fromhex("38640005" "4e800020"), address=0x100)
    assert [(i.address, i.text) for i in be] == [(0x100, "addi    r3,r4,5"), (0x104, "blr")]
    le = ppcmig.disassemble(bytes.fromhex("05006438"), little_endian=True)
    assert le[0].text == "addi    r3,r4,5"


def test_cpu_models_cover_power7_to_power10() -> None:
    names = [n for n, _ in ppcmig.cpu_models()]
    for fam in ("POWER7", "POWER8", "POWER9", "POWER10"):
        assert any(n.startswith(fam) for n in names)
