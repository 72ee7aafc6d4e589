"""The parameter fields of a guest image (``P_<key>`` symbols, scenarios/guests/ABI.md).

The machine patches ``guest_params`` fields after loading; a scenario naming a field the guest does
not have would be silently meaningless, so the API checks names against the image's symbols.
"""
from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["GuestImageError", "param_names"]

_SHT_SYMTAB = 2
_SYM_SIZE = 24  # Elf64_Sym


class GuestImageError(ValueError):
    """The file is not an ELF64 image this reader understands."""


def param_names(path: Path) -> list[str]:
    """The guest's parameter names (``rounds``, …), sorted; ``[]`` for an image without them."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GuestImageError(f"{path}: cannot read: {e.strerror}") from None
    if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] != 2:
        raise GuestImageError(f"{path}: not an ELF64 file")
    e = "<" if data[5] == 1 else ">"
    try:
        shoff, = struct.unpack_from(e + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(e + "HH", data, 0x3A)
        sections = [struct.unpack_from(e + "IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
        names: list[str] = []
        for sec in sections:
            if sec[1] != _SHT_SYMTAB:
                continue
            sym_off, sym_size, strtab = sec[4], sec[5], sections[sec[6]][4]
            for j in range(sym_size // _SYM_SIZE):
                name_off, = struct.unpack_from(e + "I", data, sym_off + j * _SYM_SIZE)
                end = data.index(b"\0", strtab + name_off)
                name = data[strtab + name_off:end].decode("ascii", "replace")
                if name.startswith("P_"):
                    names.append(name[2:])
    except (struct.error, ValueError, IndexError):
        raise GuestImageError(f"{path}: truncated or malformed ELF section/symbol table") from None
    return sorted(set(names))
