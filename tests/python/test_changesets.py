"""User changesets (engine/src/builds/CHANGESETS.md) driven through `ppcmig-engine`: a patch
written as a TOML delta on a build, migrated to and from the unpatched build with real guests —
what the patch breaks shows up as QEMU's load errors or as the guest's own self-check failing."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from guest_runs import ENGINE, guest, run
from ppcmig.analyze_stream import analyze_file

SOURCE_DIR = Path(os.environ.get("PPCMIG_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DROP_VSX = SOURCE_DIR / "scenarios" / "changesets" / "drop_vsx.toml"


def changeset(tmp: Path, name: str, changes: str, base: str = "head") -> Path:
    p = tmp / f"{name}.toml"
    p.write_text(f'base = "{base}"\nname = "{name}"\n{changes}')
    return p


def migrated(tmp: Path, elf: Path, *opts: str, at: int):
    """The run of `elf` migrated at time base `at` with these options."""
    return run(tmp, elf, *opts, "--migrate-at", str(at), tag="mig")


def reference(tmp: Path, elf: Path, *opts: str) -> dict:
    p, state = run(tmp, elf, *opts, tag="ref")
    assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stdout[-600:] + p.stderr
    return state


def assert_load_failure(p, device: str, errno_text: str = "Invalid argument") -> None:
    assert p.returncode == 4, p.stderr
    assert (f"error while loading state for instance 0x0 of device '{device}'\n"
            f"ppcmig-engine: load of migration failed: {errno_text}") in p.stderr, p.stderr


ADD_FIELD = """
[[change]]
op = "add_field"
section = "cpu"
after = "msr"
name = "new_reg"
type = "uint32"
value = 0x1234
"""


def test_drop_vsx_on_the_source_loses_the_vsx_halves(tmp_path: Path) -> None:
    """Without cpu/vsx the destination keeps its own (reset) low halves of VSR 0-31: the stream
    loads, and the guest's next read-back finds them zero."""
    elf = guest("fpvec_state")
    ref = reference(tmp_path, elf)
    p, _ = migrated(tmp_path, elf, "--changeset", str(DROP_VSX), "--dest-build", "head", at=ref["time_base"] // 3)
    assert p.returncode == 0, p.stderr
    assert "RESULT FAIL fpvec-corrupt" in p.stdout, p.stdout[-600:]
    assert " reg=vsr0 dw=1 " in p.stdout and "found=0x0" in p.stdout
    # Only VSX halves: the FPRs (cpu/fpu) and VRs (cpu/altivec) still travel.
    assert " reg=fpr" not in p.stdout and " reg=vr" not in p.stdout


def test_drop_vsx_on_the_destination_refuses_the_subsection(tmp_path: Path) -> None:
    """A destination that does not know cpu/vsx meets it in the stream: QEMU fails the load
    with -ENOENT. Patched on both sides the stream loads, but nothing carries the VSX halves
    any more: the guest fails its self-check there too."""
    elf = guest("fpvec_state")
    ref = reference(tmp_path, elf)
    at = ref["time_base"] // 3
    p, _ = migrated(tmp_path, elf, "--dest-changeset", str(DROP_VSX), at=at)
    assert_load_failure(p, "cpu", "No such file or directory")
    p, _ = migrated(tmp_path, elf, "--changeset", str(DROP_VSX), "--dest-changeset", str(DROP_VSX), at=at)
    assert p.returncode == 0, p.stderr
    assert "RESULT FAIL fpvec-corrupt" in p.stdout and " reg=vsr0 dw=1 " in p.stdout, p.stdout[-600:]


def test_a_field_added_on_the_source_only_breaks_the_load(tmp_path: Path) -> None:
    elf = guest("decr_tick")
    ref = reference(tmp_path, elf)
    cs = changeset(tmp_path, "cpu-new-reg", ADD_FIELD)
    at = ref["time_base"] // 3
    p, _ = migrated(tmp_path, elf, "--changeset", str(cs), "--dest-build", "head", at=at)
    assert p.returncode == 4, p.stderr
    assert "ppcmig-engine: Missing section footer for cpu\nppcmig-engine: load of migration failed: Invalid argument" in p.stderr
    p, state = migrated(tmp_path, elf, "--changeset", str(cs), "--dest-changeset", str(cs), at=at)
    assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    assert state["time_base"] == ref["time_base"]


def test_an_equal_field_checks_the_constant(tmp_path: Path) -> None:
    elf = guest("decr_tick")
    ref = reference(tmp_path, elf)
    src = changeset(tmp_path, "magic-1", ADD_FIELD)
    dst = changeset(tmp_path, "magic-2", ADD_FIELD.replace("0x1234", "0x1235") + "equal = true\n")
    p, _ = migrated(tmp_path, elf, "--changeset", str(src), "--dest-changeset", str(dst), at=ref["time_base"] // 3)
    assert "ppcmig-engine: 1235 != 1234\nppcmig-engine: Failed to load cpu:new_reg\n" in p.stderr, p.stderr
    assert_load_failure(p, "cpu")


def test_set_needed_sends_cpu_compat_in_raw_mode(tmp_path: Path) -> None:
    """needed() = always: the raw-mode guest's compat_pvr (0) travels; the unpatched destination
    knows cpu/compat and loads it."""
    elf = guest("decr_tick")
    cs = changeset(tmp_path, "compat-always", '[[change]]\nop = "set_needed"\nsection = "cpu"\n'
                                              'subsection = "cpu/compat"\npredicate = "always"\n')
    plain, patched = tmp_path / "plain.bin", tmp_path / "patched.bin"
    ref = reference(tmp_path, elf, "--save-stream", str(plain))
    p, _ = run(tmp_path, elf, "--changeset", str(cs), "--save-stream", str(patched), tag="p")
    assert p.returncode == 0, p.stderr
    assert analyze_file(plain, strict=True).find("cpu").state.subsection("cpu/compat") is None
    compat = analyze_file(patched, strict=True).find("cpu").state.subsection("cpu/compat")
    assert compat is not None and compat.get("compat_pvr") == 0
    p, _ = migrated(tmp_path, elf, "--changeset", str(cs), "--dest-build", "head", at=ref["time_base"] // 3)
    assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr


def test_a_version_bump_is_refused_by_the_unpatched_destination(tmp_path: Path) -> None:
    elf = guest("decr_tick")
    ref = reference(tmp_path, elf)
    cs = changeset(tmp_path, "cpu-v6", '[[change]]\nop = "set_version"\nsection = "cpu"\nversion_id = 6\n')
    p, _ = migrated(tmp_path, elf, "--changeset", str(cs), "--dest-build", "head", at=ref["time_base"] // 3)
    assert p.returncode == 4, p.stderr
    assert ("ppcmig-engine: savevm: unsupported version 6 for 'cpu' v5\n"
            "ppcmig-engine: load of migration failed: Invalid argument") in p.stderr


LARGE_DECR_OFF = '[[change]]\nop = "set_cap_default"\nmachine = "pseries-9.0"\ncap = "large-decr"\nvalue = "off"\n'
P9 = ("--machine", "pseries-9.0", "--cpu", "POWER9")


def test_a_cap_default_changed_on_the_destination_goes_unnoticed(tmp_path: Path) -> None:
    """Caps at their defaults are not sent, and the destination reads absent caps as its own
    defaults: a patch that turns large-decr off for pseries-9.0 takes the guest silently."""
    elf = guest("decr_tick")
    ref = reference(tmp_path, elf, *P9)
    cs = changeset(tmp_path, "p90-no-large-decr", LARGE_DECR_OFF)
    p, state = migrated(tmp_path, elf, *P9, "--dest-changeset", str(cs), at=ref["time_base"] // 3)
    assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
    assert ref["caps"]["large-decr"] == "on" and state["caps"]["large-decr"] == "off"


def test_a_cap_default_changed_breaks_guests_that_set_it(tmp_path: Path) -> None:
    """With the patch, a source started with cap-large-decr=on differs from its (new) default and
    sends the cap; a patched destination with default options refuses it in the caps check."""
    elf = guest("decr_tick")
    src = ("--machine", "pseries-9.0,cap-large-decr=on", "--cpu", "POWER9")
    ref = reference(tmp_path, elf, *src)
    cs = changeset(tmp_path, "p90-no-large-decr", LARGE_DECR_OFF)
    dest = ("--dest-options", "-machine pseries-9.0 -cpu POWER9 -m 256M")
    at = ref["time_base"] // 3
    p, _ = migrated(tmp_path, elf, *src, "--changeset", str(cs), "--dest-changeset", str(cs), *dest, at=at)
    assert "ppcmig-engine: cap-large-decr higher level (1) in incoming stream than on destination (0)\n" in p.stderr, p.stderr
    assert_load_failure(p, "spapr")
    # Unpatched, neither side sends it: the same migration is fine.
    p, _ = migrated(tmp_path, elf, *src, *dest, at=at)
    assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr


def test_an_added_machine_version(tmp_path: Path) -> None:
    """pseries-11.0 on top of head: usable by name and as plain "pseries"; a destination without
    the patch does not have the machine type."""
    elf = guest("decr_tick")
    cs = changeset(tmp_path, "pseries-11", '[[change]]\nop = "add_machine"\nname = "pseries-11.0"\n'
                                           'based_on = "pseries-10.1"\nalias_pseries = true\n')
    for machine in ("pseries-11.0", "pseries"):
        p, state = run(tmp_path, elf, "--changeset", str(cs), "--machine", machine, tag=machine)
        assert p.returncode == 0 and "RESULT PASS" in p.stdout, p.stderr
        assert state["machine"] == "pseries-11.0"
    at = state["time_base"] // 3
    p, state = migrated(tmp_path, elf, "--changeset", str(cs), "--dest-changeset", str(cs), at=at)
    assert p.returncode == 0 and "RESULT PASS" in p.stdout and state["machine"] == "pseries-11.0", p.stderr
    # Named, the unpatched destination does not start; as plain "pseries" it is pseries-10.1 there,
    # and the configuration section says so.
    p, _ = migrated(tmp_path, elf, "--changeset", str(cs), "--machine", "pseries-11.0", "--dest-build", "head", at=at)
    assert p.returncode == 1, p.stderr
    assert ('ppcmig-engine: destination (build head): -machine pseries-11.0: unsupported machine type: "pseries-11.0"\n'
            "Use -machine help to list supported machines") in p.stderr, p.stderr
    p, _ = migrated(tmp_path, elf, "--changeset", str(cs), "--dest-build", "head", at=at)
    assert p.returncode == 4, p.stderr
    assert ("ppcmig-engine: Machine type received is 'pseries-11.0' and local is 'pseries-10.1'\n"
            "ppcmig-engine: load of migration failed: Invalid argument") in p.stderr, p.stderr


def test_the_side_builds(tmp_path: Path) -> None:
    """A changeset applies to its side's --build, else to its own base; a destination without a
    build of its own takes the source's build, not its changeset."""
    elf = guest("decr_tick")
    cs = changeset(tmp_path, "cpu-v6", '[[change]]\nop = "set_version"\nsection = "cpu"\nversion_id = 6\n', base="9.0")
    p, state = run(tmp_path, elf, "--changeset", str(cs), tag="base")
    assert p.returncode == 0 and state["machine"] == "pseries-9.0", p.stderr
    p, state = run(tmp_path, elf, "--changeset", str(cs), "--build", "head", tag="head")
    assert p.returncode == 0 and state["machine"] == "pseries-10.1", p.stderr
    p, _ = migrated(tmp_path, elf, "--changeset", str(cs), at=state["time_base"] // 3)
    assert "destination" not in p.stderr and "savevm: unsupported version 6 for 'cpu' v5" in p.stderr, p.stderr


@pytest.mark.parametrize("text,where,problem", [
    ('base = "head"\n[[change]]\nop = "drop_everything"\n', "3:6", 'unknown op "drop_everything"'),
    ('base = "head"\n[[change]]\nop = "remove_subsection"\nsection = "cpu"\nsubsection = "cpu/vmx"\n', "5:14",
     'section cpu has no subsection "cpu/vmx"'),
    ('base = "head"\n[[change]]\nop = "set_needed"\nsection = "cpu"\nsubsection = "cpu/vsx"\npredicate = "sometimes"\n',
     "6:13", 'unknown predicate "sometimes" (valid for cpu: always, never,'),
    ('base = "head"\n[[change]]\nop = "set_cap_default"\nmachine = "pseries-12.0"\ncap = "htm"\nvalue = "on"\n', "4:11",
     'unknown machine version "pseries-12.0"'),
    ('base = "head"\n[[change]\n', "2:10", ""),
])
def test_bad_files_name_the_line(tmp_path: Path, text: str, where: str, problem: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    for cmd in ([ENGINE, "builds", "--changeset", str(bad)],
                [ENGINE, "run", "--guest", str(guest("decr_tick")), "--insns", "1000", "--changeset", str(bad)],
                [ENGINE, "run", "--guest", str(guest("decr_tick")), "--insns", "1000", "--dest-changeset", str(bad),
                 "--migrate-at", "500"]):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert p.returncode == 2 and p.stdout == "", p.stderr
        assert p.stderr.startswith(f"ppcmig-engine: {bad}:{where}: {problem}"), p.stderr


def test_builds_shows_the_resolved_changes(tmp_path: Path) -> None:
    p = subprocess.run([ENGINE, "builds", "--changeset", str(DROP_VSX)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("head+drop-vsx  (changeset drop-vsx from ")
    assert f"    {DROP_VSX}:12:1: remove_subsection cpu/vsx from cpu\n" in p.stdout
    assert "    section cpu: subsections removed: cpu/vsx [has_vsx]\n" in p.stdout
    cs = changeset(tmp_path, "mix", LARGE_DECR_OFF + '[[change]]\nop = "set_behaviour"\nkey = "dec_migrated"\nvalue = false\n')
    p = subprocess.run([ENGINE, "builds", "--changeset", str(cs), "--build", "9.0", "--json"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["name"] == "9.0+mix" and out["pseries"] == "pseries-9.0"
    assert [m["name"] for m in out["effects"]["machines"]][0] == "pseries-4.0"
    assert out["effects"]["machines"][-1] == {"name": "pseries-9.0", "status": "changed",
                                              "caps": [{"cap": "large-decr", "before": "on", "after": "off"}]}
    assert out["effects"]["behaviour"] == [{"key": "dec_migrated", "before": "true", "after": "false"}]
    assert out["effects"]["sections"] == []
