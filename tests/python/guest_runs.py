"""Running the built guests on the engine from tests: locating guest images and one `ppcmig-engine
run` with its state JSON."""
from __future__ import annotations

import json
import os
import struct
import subprocess
from pathlib import Path

import pytest

ENGINE = os.environ.get("PPCMIG_ENGINE", "build/bin/ppcmig-engine")
GUESTS_DIR = Path(os.environ.get("PPCMIG_BUILD_DIR", "build")) / "guests"
BUDGET = 2_000_000_000  # virtual time; every guest powers off long before


def guest(name: str) -> Path:
    """The built image of a guest (fails the test when the build did not produce it)."""
    p = GUESTS_DIR / f"{name}.elf"
    if not p.exists():
        pytest.fail(f"{p} was not built (the guests target is part of the build)")
    return p


def run(tmp: Path, elf: Path, *opts: str, tag: str = "s") -> tuple[subprocess.CompletedProcess[str], dict]:
    """`ppcmig-engine run` of `elf` with 256 MiB and the budget; returns the process and the final
    state JSON ({} when the run wrote none)."""
    state = tmp / f"{tag}.json"
    p = subprocess.run([ENGINE, "run", "--guest", str(elf), "--insns", str(BUDGET), "-m", "256M",
                        "--state-json", str(state), *opts], capture_output=True, text=True, timeout=300)
    return p, json.loads(state.read_text()) if state.exists() else {}


def elf_symbols(data: bytes) -> tuple[dict[str, int], str]:
    """ELF64 symbol table (name -> value) and the struct byte-order prefix."""
    e = "<" if data[5] == 1 else ">"
    shoff, = struct.unpack_from(e + "Q", data, 0x28)
    shentsize, shnum = struct.unpack_from(e + "HH", data, 0x3A)
    secs = [struct.unpack_from(e + "IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    syms: dict[str, int] = {}
    for sec in secs:
        if sec[1] != 2:  # SHT_SYMTAB
            continue
        strtab = secs[sec[6]][4]
        for j in range(sec[5] // 24):
            name_off, _info, _other, _shndx, value, _size = struct.unpack_from(e + "IBBHQQ", data, sec[4] + j * 24)
            end = data.index(b"\0", strtab + name_off)
            syms[data[strtab + name_off:end].decode()] = value
    return syms, e


def param_file_offset(data: bytes, syms: dict[str, int], e: str) -> int:
    """File offset of guest_params (the image is one PT_LOAD segment)."""
    phoff, = struct.unpack_from(e + "Q", data, 0x20)
    _ptype, _flags, offset, vaddr = struct.unpack_from(e + "IIQQ", data, phoff)
    return offset + syms["guest_params"] - vaddr


def patched(elf: Path, out: Path, **params: int) -> Path:
    """Copy of elf with parameters set (the way the machine patches the loaded image)."""
    data = bytearray(elf.read_bytes())
    syms, e = elf_symbols(bytes(data))
    base = param_file_offset(bytes(data), syms, e)
    for key, value in params.items():
        struct.pack_into(e + "Q", data, base + syms[f"P_{key}"], value & (2**64 - 1))
    out.write_bytes(bytes(data))
    return out
