"""Streams written by the engine decode completely under the rules of QEMU's
scripts/analyze-migration.py (reimplemented in ppcmig.analyze_stream, deviations A1-A4): every section,
every described field, values equal to the engine's own state, every RAM page accounted for; and
the checker fails, naming section and offset, where the script (or, in strict mode, QEMU's loader)
would fail: truncated streams, corrupt trailers, descriptions that disagree with the bytes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ppcmig.analyze_stream import (QEMU_VM_SECTION_FOOTER, StreamAnalysis, StreamError, StructValue, analyze,
                                   analyze_file, locate_vmdesc)

ENGINE = os.environ.get("PPCMIG_ENGINE", "build/bin/ppcmig-engine")
BUILD_DIR = Path(os.environ.get("PPCMIG_BUILD_DIR", "build"))
RAM = 256 << 20
PAGE = 4096
KVM_P8 = ("--accel", "kvm-hv", "--cpu", "host", "--host-cpu", "POWER8")


def guest(name: str) -> Path:
    p = BUILD_DIR / "guests" / f"{name}.elf"
    if not p.exists():
        pytest.fail(f"{p} was not built (the guests target is part of the build)")
    return p


def save(tmp: Path, name: str, *opts: str, insns: int = 400_000, tag: str = "s") -> tuple[Path, dict[str, Any]]:
    """Run a guest, save the stream at the end of the run; return it with the state JSON of that
    same moment."""
    stream, state = tmp / f"{tag}.bin", tmp / f"{tag}.json"
    p = subprocess.run([ENGINE, "run", "--guest", str(guest(name)), "--insns", str(insns), "-m", "256M",
                        "--save-stream", str(stream), "--state-json", str(state), *opts],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return stream, json.loads(state.read_text())


def unfolded_names(desc: dict[str, Any]) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    for f in desc["fields"]:
        n = f.get("array_len")
        out.extend([(f["name"], i) for i in range(n)] if n else [(f["name"], f.get("index"))])
    return out


def check_struct_against_desc(sv: StructValue, desc: dict[str, Any]) -> None:
    """Every described entry was decoded, with the described size, and the described subsections."""
    assert [(f.name, f.index) for f in sv.fields] == unfolded_names(desc)
    for f, d in zip(sv.fields, [d for d in desc["fields"] for _ in range(d.get("array_len", 1))]):
        assert f.size == d["size"], f"{sv.vmsd_name}.{f.name}"
        if d["type"] == "struct":
            assert isinstance(f.value, StructValue)
            check_struct_against_desc(f.value, d["struct"])
    assert [s.name for s in sv.subsections] == [s["vmsd_name"] for s in desc.get("subsections", [])]
    for s, d in zip(sv.subsections, desc.get("subsections", [])):
        assert s.version_id == d["version"]
        check_struct_against_desc(s.body, d)


CPU_FIELDS = ["unused", "gpr", "crf", "nip", "spr", "spe_acc", "reserve_addr", "msr", "hflags_nmsr"]
# The cpu section's sanity fields: _EQUAL checks up to 2.7, forged scratch fields for pre-2.8
# machines afterwards (C1).
SANITY_FIELDS = {"equal": ["msr_mask", "insns_flags", "insns_flags2", "nb_BATs"],
                 "forged": ["mig_msr_mask", "mig_insns_flags", "mig_insns_flags2", "mig_nb_BATs"]}


def expected_devices(st: dict[str, Any], icps: int | None = None) -> list[tuple[str, int]]:
    """The device sections the engine registers for this machine, in order: per vCPU cpu_common,
    cpu and (pseries-3.0 and later) spapr_cpu; the XICS presenters and sources unless ic-mode is
    xive; the XIVE sources, tables and thread contexts for xive and dual; the console and the
    PHB; spapr."""
    ncpu = len(st["cpus"])
    major, minor = (int(x) for x in st["machine"].removeprefix("pseries-").split("-")[0].split("."))
    per_cpu = ("cpu_common", "cpu", "spapr_cpu") if (major, minor) >= (3, 0) else ("cpu_common", "cpu")
    out = [(n, i) for i in range(ncpu) for n in per_cpu]
    if st["ic_mode"] != "xive":
        out += [("icp/server", i) for i in range(icps if icps is not None else ncpu)] + [("ics", 0)]
    if st["ic_mode"] in ("xive", "dual"):
        out += [("xive-source", 0), ("spapr-xive", 0)] + [("xive-tctx", i) for i in range(ncpu)]
    return out + [("vty@71000000/spapr_vty", 0), ("spapr_pci", 0), ("spapr", 0)]


def check_complete(a: StreamAnalysis, st: dict[str, Any], *, icps: int | None = None, sanity: str | None = None,
                   single_pass: bool = True) -> None:
    """The whole stream decoded, and what it says equals the engine's own state of the same moment."""
    ncpu = len(st["cpus"])
    assert a.configuration is not None and a.configuration.machine == st["machine"]
    assert a.undecoded == 0 and not a.warnings()
    idstrs = [(s.idstr, s.instance_id) for s in a.sections.values()]
    expected = [("ram", 0)] + expected_devices(st, icps)
    assert idstrs == expected
    # Every described device was written once, in order, and decoded field by field.
    assert [(d["name"], d["instance_id"]) for d in a.vmdesc["devices"]] == expected[1:]
    for d in a.vmdesc["devices"]:
        sec = a.find(d["name"], d["instance_id"])
        assert [c.kind for c in sec.chunks] == ["FULL"] and sec.chunks[0].footer == sec.chunks[0].end
        check_struct_against_desc(sec.state, d)
    # The cpu layout of target/ppc/machine.c (A.10), and the engine's own values.
    for i, cst in enumerate(st["cpus"]):
        cpu = a.find("cpu", i).state
        assert cpu.field_names() == CPU_FIELDS + (SANITY_FIELDS[sanity] if sanity else [])
        assert len(cpu.get("gpr")) == 32 and len(cpu.get("spr")) == 1024 and len(cpu.get("crf")) == 8
        assert cpu.get("nip") == int(cst["nip"], 16)
        assert cpu.get("msr") == int(cst["msr"], 16)
        assert cpu.get("gpr") == [int(g, 16) for g in cst["gpr"]]
        assert sum(c << (28 - 4 * k) for k, c in enumerate(cpu.get("crf"))) == int(cst["cr"], 16)
        spr = cpu.get("spr")
        assert (spr[1], spr[8], spr[9]) == (int(cst["xer"], 16), int(cst["lr"], 16), int(cst["ctr"], 16))
        assert spr[287] == int(cst["pvr"], 16)
        subs = [s.name for s in cpu.subsections]
        assert subs[:4] == ["cpu/fpu", "cpu/altivec", "cpu/vsx", "cpu/slb"]
        compat = cpu.subsection("cpu/compat")
        assert (compat.get("compat_pvr") if compat else 0) == int(cst["compat_pvr"], 16)
        assert ("cpu/rtas_stopped" in subs) == (not cst["running"])
        halted = a.find("cpu_common", i).state.get("halted")
        assert halted == (1 if (cst["ceded"] or not cst["running"]) else 0)
    # The console (VIO state nested) and the PHB: the machine's own identifiers and interrupt numbers.
    vty = a.find("vty@71000000/spapr_vty").state
    assert vty.get("sdev").get("reg") == 0x71000000 and vty.get("sdev").get("irq") == int(st["vty"]["irq"], 16)
    phb = a.find("spapr_pci").state
    # "uint64 equal" is not in the script's integer table: it decodes as raw bytes.
    assert phb.get("buid") == int(st["phb"]["buid"], 16).to_bytes(8, "big")
    assert [lsi.get("irq") for lsi in phb.get("lsi_table")] == st["phb"]["lsi"]
    assert phb.get("msi_devs_num") == st["phb"]["msi"] == 0
    tb = a.find("spapr").state.get("timebase")
    assert tb.vmsd_name == "timebase" and tb.get("guest_timebase") == st["time_base"]
    # RAM: the block list, and every page of it sent (as a page or a zero page).
    ram = a.ram()
    assert ram.blocks == {"ppc_spapr.ram": RAM}
    assert ram.pages_seen() == ram.pages_total() == RAM // PAGE
    if single_pass:
        assert ram.page_records + ram.zero_records == RAM // PAGE and ram.chunks == 2
    assert ram.page_records > 0  # the guest image is not all zeros


STREAMS = [
    # (id, guest, options, expectations)
    ("head-power10-smp4", "smp_ipi", ("--machine", "pseries", "--cpu", "POWER10", "--smp", "4"), {}),
    ("4.2-fpvec-smp2", "fpvec_state", ("--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2"), {}),
    ("4.2-compat-power8", "cas_boot", ("--machine", "pseries-4.2,max-cpu-compat=power8", "--cpu", "POWER9"), {}),
    ("4.2-cap-subsection", "decr_tick", ("--machine", "pseries-4.2,cap-large-decr=off", "--cpu", "POWER9"), {}),
    ("8.2-le-smp2", "smp_ipi_le", ("--machine", "pseries-8.2", "--cpu", "POWER9", "--smp", "2", "--build", "8.2"), {}),
    ("4.1-hpt-mps-unconditional", "decr_tick", ("--machine", "pseries-4.0", "--cpu", "POWER9", "--build",
                                                "4.1-hpt-mps-unconditional"), {}),
    ("2.12-pre-3.0-slb", "decr_tick", ("--machine", "pseries-2.12", *KVM_P8, "--build", "2.12"), {}),
    ("2.9-maxcpus", "smp_ipi", ("--machine", "pseries-2.9", *KVM_P8, "--smp", "2,maxcpus=4", "--build", "2.9"),
     {"icps": 4}),
    ("2.7-sanity-equal", "mem_dirty", ("--machine", "pseries-2.7", *KVM_P8, "--build", "2.7"), {"sanity": "equal"}),
    ("2.8-pre-2.8-forged", "mem_dirty", ("--machine", "pseries-2.7", *KVM_P8, "--build", "2.8"), {"sanity": "forged"}),
    ("2.6-power7", "idle_cede", ("--machine", "pseries-2.6", "--accel", "kvm-hv", "--cpu", "host", "--host-cpu",
                                 "POWER7", "--build", "2.6"), {"sanity": "equal"}),
]


@pytest.mark.parametrize("name,opts,expect", [s[1:] for s in STREAMS], ids=[s[0] for s in STREAMS])
def test_engine_stream_decodes_completely(tmp_path: Path, name: str, opts: tuple[str, ...],
                                          expect: dict[str, Any]) -> None:
    stream, st = save(tmp_path, name, *opts)
    data = stream.read_bytes()
    a = analyze(data, strict=True)
    check_complete(a, st, **expect)
    # The script's own rules alone decode the same sections.
    assert analyze(data).state_dict() == a.state_dict()


def test_trailer_length_never_hides_the_json(tmp_path: Path) -> None:
    """A vmdesc whose be32 length held 0x7b after its last zero byte (0x00000f7b here, before the
    writer padded it) would make the script's locator take a length byte for the JSON's '{'."""
    stream, _ = save(tmp_path, "smp_ipi", "--machine", "pseries-8.2", "--cpu", "POWER9", "--smp", "2",
                     insns=400_000)
    data = stream.read_bytes()
    locate_vmdesc(data)
    q = data.rfind(b"\x06")
    length = data[q + 1:q + 5]
    tail = length[length.rfind(b"\0") + 1:] if b"\0" in length else length
    assert 0x7b not in tail
    assert data[q + 5:].rstrip(b" ").endswith(b"}")


def test_engine_stream_specific_subsections(tmp_path: Path) -> None:
    stream, _ = save(tmp_path, "decr_tick", "--machine", "pseries-4.2,cap-large-decr=off", "--cpu", "POWER9")
    a = analyze_file(stream, strict=True)
    spapr = a.find("spapr").state
    assert [s.name for s in spapr.subsections] == ["spapr_option_vector_ov5_cas", "spapr/cap/hpt_maxpagesize",
                                                   "spapr/cap/large_decr"]
    assert spapr.subsection("spapr/cap/large_decr").get("cap") == 0  # off
    stream, _ = save(tmp_path, "decr_tick", "--machine", "pseries-2.12", *KVM_P8, "--build", "2.12", tag="p212")
    slb = analyze_file(stream, strict=True).find("cpu").state.subsection("cpu/slb")
    assert slb.field_names() == ["mig_slb_nr", "slb"] and len(slb.get("slb")) == 128


def test_precopy_stream_with_many_ram_chunks(tmp_path: Path) -> None:
    """Live pre-copy: START, several PART passes over dirty pages, END; every page still sent."""
    stream = tmp_path / "live.bin"
    opts = ("--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2")
    p = subprocess.run([ENGINE, "run", "--guest", str(guest("mem_dirty")), "--insns", "2000000000", "-m", "256M",
                        *opts, "--migrate-at", "2000000", "--precopy", "--bandwidth", "20000000", "--downtime-ns", "0",
                        "--max-iterations", "4", "--save-stream", str(stream)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    a = analyze_file(stream, strict=True)
    ram_section = a.find("ram")
    kinds = [c.kind for c in ram_section.chunks]
    assert kinds[0] == "START" and kinds[-1] == "END" and kinds.count("PART") >= 2
    assert all(c.footer == c.end for c in ram_section.chunks)
    ram = a.ram()
    assert ram.pages_seen() == ram.pages_total() == RAM // PAGE
    assert ram.page_records + ram.zero_records > RAM // PAGE  # dirty pages went more than once
    assert [s.idstr for s in a.sections.values()].count("cpu") == 2


def test_cli_dumps_like_the_script(tmp_path: Path) -> None:
    stream, st = save(tmp_path, "decr_tick", "--machine", "pseries-4.2", "--cpu", "POWER9")
    env = dict(os.environ, PYTHONPATH=str(BUILD_DIR / "python"))
    run = lambda *a: subprocess.run([sys.executable, "-m", "ppcmig.analyze_stream", str(stream), *a],  # noqa: E731
                                    capture_output=True, text=True, env=env, timeout=120)
    p = run("--dump", "state")
    assert p.returncode == 0, p.stderr
    state = json.loads(p.stdout)
    assert list(state) == ["ram (0)"] + [f"{n} ({i + 1})" for i, (n, _) in enumerate(expected_devices(st))]
    assert state["ram (0)"] == {"section sizes": {"ppc_spapr.ram": "0x0000000010000000"}}
    key = {k.split(" (")[0]: k for k in reversed(list(state))}  # idstr -> its first section's key
    cpu = state[key["cpu"]]
    assert cpu["nip"] == "0x%016x" % int(st["cpus"][0]["nip"], 16)  # zero-padded to the field's size
    assert cpu["unused"] == "00 00 00 00 00 00 00 00"                 # raw bytes as hex
    assert cpu["crf"][0] == "0x%08x" % (int(st["cpus"][0]["cr"], 16) >> 28) and len(cpu["gpr"]) == 32
    assert state[key["spapr"]]["timebase"]["guest_timebase"] == "0x%016x" % st["time_base"]
    assert state[key["spapr"]]["timebase"]["time_of_the_day_ns"] == "0x0000000000000000"
    assert "cpu/fpu" in cpu and len(cpu["cpu/fpu"]["fpr"]) == 32
    p = run("--dump", "desc")
    assert p.returncode == 0 and json.loads(p.stdout) == json.loads(stream.read_bytes()[locate_vmdesc(
        stream.read_bytes()).json_offset:])
    p = run("--dump", "summary", "--strict")
    assert p.returncode == 0 and "65536/65536 pages sent" in p.stdout
    p = run("--memory")
    mem = json.loads(p.stdout)["ram (0)"]["memory"]
    assert len(mem) == RAM // PAGE
    ram = analyze_file(stream).ram()
    assert sum(1 for v in mem.values() if v == "Filled with 0x00") == ram.zero_records
    pages = [v for v in mem.values() if not v.startswith("Filled")]
    assert len(pages) == ram.page_records > 0 and all(len(v) == 3 * PAGE - 1 for v in pages)
    bad = tmp_path / "bad.bin"
    bad.write_bytes(stream.read_bytes()[:1000])
    p = subprocess.run([sys.executable, "-m", "ppcmig.analyze_stream", str(bad)], capture_output=True, text=True,
                       env=env)
    assert p.returncode == 1 and "No Debug Migration device found" in p.stderr


# ---------------------------------------------------------------------------------------------
# Failures

@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    tmp = tmp_path_factory.mktemp("good")
    stream, _ = save(tmp, "smp_ipi", "--machine", "pseries-4.2", "--cpu", "POWER9", "--smp", "2")
    data = stream.read_bytes()
    return data


def with_vmdesc(data: bytes, desc: dict[str, Any] | str, locatable: bool = True) -> bytes:
    """The stream with its trailer replaced (length fixed up; blanks appended if the new length
    would defeat the script's locator, unless that is what the caller wants)."""
    t = locate_vmdesc(data)
    text = (desc if isinstance(desc, str) else json.dumps(desc)).encode()
    out = data[:t.offset] + b"\x06" + len(text).to_bytes(4, "big") + text
    return repad_trailer(out) if locatable and decode_engine_locator_fails(out) else out


def repad_trailer(data: bytes) -> bytes:
    """The stream with trailing blanks added to its vmdesc JSON until the script's locator finds it
    (what the engine's writer does for the length-byte hazard of A.11; the JSON stays equivalent)."""
    q = data.rfind(b"\x06")  # the JSON holds no control characters, so this is the marker
    text = data[q + 5:]
    assert int.from_bytes(data[q + 1:q + 5], "big") == len(text) and text.startswith(b"{")
    for extra in range(1, 512):
        padded = data[:q + 1] + (len(text) + extra).to_bytes(4, "big") + text + b" " * extra
        try:
            locate_vmdesc(padded)
            return padded
        except StreamError:
            continue
    raise AssertionError("no padding makes the trailer locatable")


def decode_engine_locator_fails(data: bytes) -> bool:
    try:
        locate_vmdesc(data)
        return False
    except StreamError as e:
        return "hold 0x7b" in str(e)


def fails(data: bytes, strict: bool = False) -> StreamError:
    with pytest.raises(StreamError) as e:
        analyze(data, strict=strict)
    return e.value


@pytest.mark.parametrize("cut", ["half", "before-trailer", "in-json", "last-byte"])
def test_truncated_stream_fails(good: bytes, cut: str) -> None:
    t = locate_vmdesc(good)
    at = {"half": len(good) // 2, "before-trailer": t.offset, "in-json": t.json_offset + 100,
          "last-byte": len(good) - 1}[cut]
    e = fails(good[:at])
    if cut == "in-json" or cut == "last-byte":
        assert f"vmdesc trailer announces {t.length} bytes of JSON" in str(e)
    else:
        assert "No Debug Migration device found" in str(e)


def test_stream_missing_its_tail_but_keeping_its_trailer_fails_in_the_cut_section(good: bytes) -> None:
    """Device sections cut off after the cpu's first bytes, the trailer glued back on."""
    a = analyze(good)
    cpu = a.find("cpu", 1)
    t = locate_vmdesc(good)
    e = fails(good[:cpu.chunks[0].payload + 100] + good[t.offset - 1:])
    assert e.section is not None and (e.section.idstr, e.section.instance_id) == ("cpu", 1)
    assert e.offset is not None and e.offset >= cpu.chunks[0].payload + 100 - 8


def test_corrupt_vmdesc_fails(good: bytes) -> None:
    t = locate_vmdesc(good)
    end = t.text.rindex("}")
    broken = t.text[:end] + "]" + t.text[end + 1:]  # the closing brace mistyped, same length
    assert "does not parse" in str(fails(with_vmdesc(good, broken)))
    desc = json.loads(t.text)
    no_cpu = {**desc, "devices": [d for d in desc["devices"] if (d["name"], d["instance_id"]) != ("cpu", 1)]}
    e = fails(with_vmdesc(good, no_cpu))
    assert "no vmdesc entry and no built-in parser for ('cpu', 1)" in str(e)
    assert e.section is not None and e.section.section_id == analyze(good).find("cpu", 1).section_id
    no_fields = json.loads(t.text)
    del no_fields["devices"][0]["fields"]
    assert "vmstate for device cpu_common has no fields" in str(fails(with_vmdesc(good, no_fields)))
    no_page_size = json.loads(t.text)
    del no_page_size["page_size"]
    assert "vmdesc has no 'page_size'" in str(fails(with_vmdesc(good, no_page_size)))


def test_missing_subsection_description_fails_after_the_section(good: bytes) -> None:
    """The description omits cpu/vsx, which the stream carries: the script meets its 0x05 where
    the next described subsection (cpu/slb) should be, and its name disagrees."""
    desc = json.loads(locate_vmdesc(good).text)
    cpu0 = next(d for d in desc["devices"] if d["name"] == "cpu")
    cpu0["subsections"] = [s for s in cpu0["subsections"] if s["vmsd_name"] != "cpu/vsx"]
    data = with_vmdesc(good, desc)
    e = fails(data, strict=True)
    assert e.strict and "subsection 'cpu/vsx' in the stream, 'cpu/slb' in the description" in str(e)
    assert e.section is not None and e.section.idstr == "cpu"
    # The script itself reads cpu/vsx's bytes as if they were cpu/slb's and then, depending on
    # the bytes, stumbles or stops at a stray 00 as if the stream had ended.
    try:
        a = analyze(data)
    except StreamError as e:
        assert e.section is not None or "Unknown section type" in str(e)
    else:
        assert a.undecoded > 0 and ("cpu", 1) in a.missing_devices() and a.warnings()


def test_field_size_disagreeing_with_the_description_fails(good: bytes) -> None:
    desc = json.loads(locate_vmdesc(good).text)
    cpu0 = next(d for d in desc["devices"] if d["name"] == "cpu")
    nip = next(f for f in cpu0["fields"] if f["name"] == "nip")
    nip["size"] = 4
    data = with_vmdesc(good, desc)
    e = fails(data)  # the script's own failure: the fields after nip are misread
    assert "Subsection cpu/fpu not found at offset" in str(e)
    assert e.section is not None and (e.section.idstr, e.section.instance_id) == ("cpu", 0)
    e = fails(data, strict=True)
    assert "described size 4 but type 'uint64' is 8 bytes" in str(e) and e.field == "cpu.nip"


def test_payload_longer_than_its_description_fails_at_the_footer(good: bytes) -> None:
    """Two bytes more in cpu_common's payload than its description accounts for: the script reads
    the first of them as the next section type (00, QEMU_VM_EOF) and stops early, "successfully";
    strict mode finds the footer 2 bytes further on."""
    common = analyze(good).find("cpu_common", 0).chunks[0]
    data = good[:common.end] + b"\0\0" + good[common.end:]
    e = fails(data, strict=True)
    assert e.section is not None and e.section.idstr == "cpu_common" and e.offset == common.end
    assert "the footer comes 2 bytes later: the payload is longer than its vmdesc description" in str(e)
    a = analyze(data)
    assert [s.idstr for s in a.sections.values()] == ["ram", "cpu_common"]
    devices = len(analyze(good).vmdesc["devices"])
    assert a.eof_offset == common.end and a.undecoded > 0 and len(a.missing_devices()) == devices - 1


def test_payload_shorter_than_its_description_fails(good: bytes) -> None:
    """cpu_common two bytes short: its last field swallows the footer's first bytes."""
    common = analyze(good).find("cpu_common", 0).chunks[0]
    e = fails(good[:common.end - 2] + good[common.end:], strict=True)
    assert e.section is not None and e.section.idstr == "cpu_common"
    assert "the footer was 2 bytes earlier" in str(e) and "accounts for more bytes than the payload holds" in str(e)


def test_footers(good: bytes) -> None:
    a = analyze(good)
    common = a.find("cpu_common", 0).chunks[0]
    assert good[common.end] == QEMU_VM_SECTION_FOOTER
    # A footer naming another section: the script's own check.
    wrong = bytearray(good)
    wrong[common.end + 4] ^= 0x10
    e = fails(bytes(wrong))
    assert "Mismatched section footer: 11 vs 1" in str(e) and e.section is not None
    # No footer at all after cpu_common: the script does not mind, QEMU's loader does.
    missing = good[:common.end] + good[common.end + 5:]
    assert [s.idstr for s in analyze(missing).sections.values()][:3] == ["ram", "cpu_common", "cpu"]
    e = fails(missing, strict=True)
    assert e.section is not None and e.section.idstr == "cpu_common" and "no footer follows" in str(e)


def test_unknown_section_type_and_bad_header(good: bytes) -> None:
    a = analyze(good)
    spapr = a.find("spapr").chunks[0]
    bad = bytearray(good)
    bad[spapr.offset] = 0x09
    e = fails(bytes(bad))
    assert "Unknown section type: 9" in str(e) and e.offset == spapr.offset
    assert "'spapr_pci' instance 0" in str(e)  # the chunk before it is named (the PHB precedes spapr)
    assert "Invalid file magic 5145564e" in str(fails(b"QEVN" + good[4:]))
    assert "Invalid version number 2" in str(fails(good[:4] + b"\0\0\0\x02" + good[8:]))


def test_trailer_length_containing_a_brace_defeats_the_locator(good: bytes) -> None:
    """The script finds the JSON via the last NUL byte: a length whose low byte is 0x7b ('{')
    after a non-zero byte sends it to the wrong brace. The checker says so (A.11)."""
    t = locate_vmdesc(good)
    pad = lambda n: t.text[:1] + " " * (n - len(t.text)) + t.text[1:]  # noqa: E731
    target = (len(t.text) | 0xFF) + 1 + 0x7B
    e = fails(with_vmdesc(good, pad(target), locatable=False))
    assert "No Debug Migration device found" in str(e)
    assert f"length 0x{target:08x}" in str(e) and "hold 0x7b" in str(e)
    analyze(with_vmdesc(good, pad(target + 1), locatable=False), strict=True)  # one more byte: found again


# ---------------------------------------------------------------------------------------------
# Decoding rules on hand-made streams (what the engine does not write yet)

def be32(v: int) -> bytes:
    return v.to_bytes(4, "big")


def synth(payload: bytes, devices: list[dict[str, Any]], config: dict[str, Any] | None = None) -> bytes:
    name = b"pseries-9.1"
    head = b"QEVM" + be32(3) + b"\x07" + be32(len(name)) + name
    js = json.dumps({"page_size": PAGE, **({"configuration": config} if config else {}), "devices": devices}).encode()
    return head + payload + b"\x00\x06" + be32(len(js)) + js


def full(sid: int, idstr: str, body: bytes, version: int = 1, instance: int = 0) -> bytes:
    return (b"\x04" + be32(sid) + bytes([len(idstr)]) + idstr.encode() + be32(instance) + be32(version) + body
            + b"\x7e" + be32(sid))


def test_described_payload_rules() -> None:
    """array_len unfolding, indexed struct elements with their own subsections, signed and
    unsigned integers, bool, nullptr, unknown types as raw bytes, same names merged."""
    irq = {"vmsd_name": "irq", "version": 1, "fields": [{"name": "server", "type": "uint32", "size": 4}]}
    irq_sub = {**irq, "subsections": [{"vmsd_name": "irq/lsi", "version": 2,
                                       "fields": [{"name": "level", "type": "bool", "size": 1}]}]}
    dev = {"name": "ics", "instance_id": 0, "vmsd_name": "ics", "version": 1, "fields": [
        {"name": "nr", "type": "int32", "size": 4},
        {"name": "pri", "array_len": 3, "type": "uint8", "size": 1},
        {"name": "irqs", "index": 0, "type": "struct", "struct": irq, "size": 4},
        {"name": "irqs", "index": 1, "type": "struct", "struct": irq_sub, "size": 18},
        {"name": "ptr", "type": "nullptr", "size": 1},
        {"name": "when", "type": "timer", "size": 8},
        {"name": "eq", "type": "uint64 equal", "size": 8},
    ]}
    body = (be32(0xFFFFFFFF) + b"\x01\x02\x03" + be32(7) + be32(8) + b"\x05\x07irq/lsi" + be32(2) + b"\x01" + b"0"
            + b"\xff" * 8 + (5).to_bytes(8, "big"))
    a = analyze(synth(full(0, "ics", body), [dev]), strict=True)
    ics = a.find("ics").state
    assert ics.get("nr") == -1 and ics.get("pri") == [1, 2, 3]
    assert [s.get("server") for s in ics.get("irqs")] == [7, 8]
    assert ics.get("irqs")[1].subsection("irq/lsi").get("level") is True
    assert a.state_dict() == {"ics (0)": {
        "nr": "0xffffffff (-1)", "pri": ["0x01", "0x02", "0x03"],
        "irqs": [{"server": "0x00000007"}, {"server": "0x00000008", "irq/lsi": {"level": True}}],
        "ptr": "nullptr", "when": "ff ff ff ff ff ff ff ff", "eq": "00 00 00 00 00 00 00 05"}}
    # A nullptr entry that is not the '0' marker.
    bad = body[:-17] + b"1" + body[-16:]
    assert "the marker is 30" in str(fails(synth(full(0, "ics", bad), [dev])))


def test_configuration_capabilities_and_commands() -> None:
    config = {"vmsd_name": "configuration", "version": 1, "fields": [
        {"name": "len", "type": "uint32", "size": 4}, {"name": "name", "type": "buffer", "size": 11}],
        "subsections": [{"vmsd_name": "configuration/capabilities", "version": 1, "fields": [
            {"name": "caps_count", "type": "uint32", "size": 4},
            {"name": "capabilities", "type": "capability", "size": 15}]}]}
    data = synth(b"\x08\x00\x0b\x00\x00", [], config)
    caps = b"\x05\x1aconfiguration/capabilities" + be32(1) + be32(1) + b"\x0fx-ignore-shared"
    data = data[:24] + caps + data[24:]
    a = analyze(data, strict=True)
    assert a.configuration is not None and a.configuration.machine == "pseries-9.1"
    assert a.configuration.capabilities == ["x-ignore-shared"] and a.commands == [0x0B]
    e = fails(data.replace(b"\x08\x00\x0b", b"\x08\x00\x03"))
    assert "Unknown QEMU_VM_COMMAND: 3" in str(e)


def test_ram_and_htab_records() -> None:
    """MEM_SIZE block list, named and CONTINUE records, EOS per chunk; spapr/htab chunks."""
    blk = b"\x03mem"
    start = (b"\x01" + be32(0) + b"\x03ram" + be32(0) + be32(4) + (2 * PAGE | 0x04).to_bytes(8, "big") + blk
             + (2 * PAGE).to_bytes(8, "big") + (0x10).to_bytes(8, "big") + b"\x7e" + be32(0))
    end = (b"\x03" + be32(0) + (0x08).to_bytes(8, "big") + blk + b"\xab" * PAGE
           + (PAGE | 0x02 | 0x20).to_bytes(8, "big") + b"\x00" + (0x10).to_bytes(8, "big") + b"\x7e" + be32(0))
    htab = (b"\x01" + be32(1) + b"\x0aspapr/htab" + be32(0) + be32(1) + be32(24) + b"\x7e" + be32(1)
            + b"\x03" + be32(1) + be32(0) + be32(5) + b"\x00\x01\x00\x00" + b"\x11" * 16 + be32(0) + be32(0)
            + b"\x7e" + be32(1))
    a = analyze(synth(start + htab + end, []), strict=True, memory=True)
    ram = a.ram()
    assert ram.blocks == {"mem": 2 * PAGE} and ram.pages_seen() == 2 and ram.chunks == 2
    assert ram.memory is not None and ram.memory["mem (0x0000000000001000)"] == "Filled with 0x00"
    assert ram.memory["mem (0x0000000000000000)"].startswith("ab ab")
    assert [c.kind for c in a.find("spapr/htab").chunks] == ["START", "END"]
    # A page beyond the block, an unknown flag, a wrong RAM version.
    beyond = end.replace((PAGE | 0x22).to_bytes(8, "big"), (2 * PAGE | 0x22).to_bytes(8, "big"))
    e = fails(synth(start + beyond, []), strict=True)
    assert "beyond the block's 0x2000" in str(e) and e.section is not None and e.section.kind == "END"
    unknown_flag = start.replace((0x10).to_bytes(8, "big"), (0x01).to_bytes(8, "big"))  # EOS -> obsolete FULL
    assert "Unknown RAM flags: 1" in str(fails(synth(unknown_flag, [])))
    assert "Unknown RAM version 3" in str(fails(synth(start.replace(be32(0) + be32(4), be32(0) + be32(3)), [])))
