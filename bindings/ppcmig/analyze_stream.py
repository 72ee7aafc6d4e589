"""Decode a QEMU migration stream the way QEMU's ``scripts/analyze-migration.py`` does.

The script is not shipped by any package here and QEMU code may not be copied, so this is an
independent reimplementation of its decoding rules, written from the format facts in
``shared/domain/migration-stream-format.md`` (A.1 primitives, A.2 byte codes, A.3 configuration,
A.4 headers and footers, A.5 commands, A.7 subsections, A.9 RAM, A.10 spapr/htab, A.11 the vmdesc
trailer and the script's use of it). What the script does, this module does:

* locate the vmdesc JSON trailer *first*, from the end of the file: in the last 10 MiB find the
  last NUL byte, then the first ``{`` after it, and require the byte five positions earlier to be
  0x06 (``No Debug Migration device found`` otherwise); the JSON is the announced length from
  that brace;
* check magic ``QEVM`` and version 3, then walk the sections: the configuration block (through
  the trailer's ``configuration`` description, or be32 length + name without one), START/FULL
  headers keyed by (idstr, instance_id), built-in parsers for ``ram`` (version 4) and
  ``spapr/htab`` (version 1), every other section decoded *only* through its vmdesc entry;
  PART/END routed by section id; footers compared with the current section id; only the
  SWITCHOVER_START command; anything else is an unknown section type;
* decode a described section field by field from the JSON alone: ``array_len`` entries unfolded
  into indexed elements, each element read as ``size`` bytes and interpreted by its type name
  (signed/unsigned integers, bool, nullptr marker, capability string, nested ``struct``, raw
  bytes for everything else), then every listed subsection must follow in order (0x05, counted
  name, be32 version) or the decode fails (``Subsection %s not found at offset %x``);
* produce the same dumps: ``--dump state`` (sections keyed ``"<idstr> (<section id>)"``, integers
  as zero-padded hex strings, buffers as hex bytes, same-named entries merged into lists) and
  ``--dump desc`` (the trailer itself).

Deliberate differences, all towards failing more precisely: every error names the offset, the
section and the field path; a read past the end of the file is an error (the script's integer
reads return 0 there and its RAM page skip seeks silently); the script's crashes on degenerate
descriptions (a zero-size integer, a zero-length string) are reported as errors. ``strict=True``
(``--strict``) adds checks QEMU's *loader* makes and the script does not (footer after every
chunk, descriptions matching the stream's versions and subsection names, integer sizes matching
their type, every described device written exactly once and in order, RAM offsets inside their
block, the trailer right after EOF and ending the file). The deviation entries A1-A4 in
``tests/QEMU_DEVIATIONS.md`` list what is and is not covered.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence, Union

__all__ = [
    "StreamError", "StreamAnalysis", "Section", "Chunk", "StructValue", "FieldValue", "SubsectionValue",
    "RamState", "HtabState", "Trailer", "locate_vmdesc", "analyze", "analyze_file", "main",
]

# Byte codes (A.2).
QEMU_VM_EOF = 0x00
QEMU_VM_SECTION_START = 0x01
QEMU_VM_SECTION_PART = 0x02
QEMU_VM_SECTION_END = 0x03
QEMU_VM_SECTION_FULL = 0x04
QEMU_VM_SUBSECTION = 0x05
QEMU_VM_VMDESCRIPTION = 0x06
QEMU_VM_CONFIGURATION = 0x07
QEMU_VM_COMMAND = 0x08
QEMU_VM_SECTION_FOOTER = 0x7E
MIG_CMD_SWITCHOVER_START = 0x0B
FILE_MAGIC = 0x5145564D
FILE_VERSION = 3

# RAM record flags (A.9).
RAM_ZERO = 0x02
RAM_MEM_SIZE = 0x04
RAM_PAGE = 0x08
RAM_EOS = 0x10
RAM_CONTINUE = 0x20
RAM_XBZRLE = 0x40
RAM_HOOK = 0x80
RAM_MULTIFD_FLUSH = 0x200

TRAILER_WINDOW = 10 * 1024 * 1024  # the script only looks at the last 10 MiB
HPTE_SIZE = 16

_SECTION_TYPE_NAMES = {QEMU_VM_SECTION_START: "START", QEMU_VM_SECTION_PART: "PART",
                       QEMU_VM_SECTION_END: "END", QEMU_VM_SECTION_FULL: "FULL"}

# Field type names the script decodes as integers, and whether its dump shows them signed.
# ("uint8 equal"/"uint16 equal" are signed in the script's table; "uint64 equal" is absent from
# it and therefore dumped as raw bytes.)
_INT_SIGNED: dict[str, bool] = {
    "int8": True, "int16": True, "int32": True, "int32 equal": True, "int32 le": True, "int64": True,
    "int64 equal": True, "uint8 equal": True, "uint16 equal": True,
    "uint8": False, "uint16": False, "uint32": False, "uint32 equal": False, "uint64": False,
}
# Wire widths QEMU's VMStateInfo types have (strict mode compares the described size).
_TYPE_WIDTH: dict[str, int] = {
    "int8": 1, "int16": 2, "int32": 4, "int32 equal": 4, "int32 le": 4, "int64": 8, "int64 equal": 8,
    "uint8": 1, "uint16": 2, "uint32": 4, "uint32 equal": 4, "uint64": 8, "uint8 equal": 1,
    "uint16 equal": 2, "uint64 equal": 8, "bool": 1, "timer": 8, "float64": 8, "nullptr": 1,
}


@dataclass(frozen=True)
class SectionRef:
    """Which section an error or value belongs to."""

    section_id: int
    idstr: str
    instance_id: int
    kind: str  # START, FULL, PART or END: the chunk being decoded

    def __str__(self) -> str:
        return f"section {self.section_id} '{self.idstr}' instance {self.instance_id} ({self.kind})"


class StreamError(Exception):
    """The stream cannot be decoded.

    ``what`` is the reason (the script's own wording where it has one), ``offset`` the byte
    offset in the file, ``section`` and ``field`` where the decoder was, ``strict`` whether the
    failed check is one of the strict-mode checks the script itself does not make.
    """

    def __init__(self, what: str, offset: int | None = None, *, section: SectionRef | None = None,
                 field: str | None = None, strict: bool = False) -> None:
        self.what = what
        self.offset = offset
        self.section = section
        self.field = field
        self.strict = strict
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.offset is not None:
            where.append(f"offset 0x{self.offset:x}")
        if self.section is not None:
            where.append(str(self.section))
        if self.field:
            where.append(f"field {self.field}")
        prefix = "strict: " if self.strict else ""
        return f"{prefix}{', '.join(where)}: {self.what}" if where else f"{prefix}{self.what}"


class _Reader:
    """Big-endian reads over the whole file (A.1). Reading past the end raises."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def tell(self) -> int:
        return self.pos

    def take(self, n: int, what: str) -> bytes:
        if n < 0:
            raise StreamError(f"negative length {n} for {what}", self.pos)
        if self.pos + n > len(self.data):
            raise StreamError(f"Unexpected end of stream: {what} needs {n} bytes, {len(self.data) - self.pos} left",
                              self.pos)
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self, what: str) -> int:
        return self.take(1, what)[0]

    def s8(self, what: str) -> int:
        """The script's read8 is signed: bytes >= 0x80 read as negative numbers."""
        return int.from_bytes(self.take(1, what), "big", signed=True)

    def be16(self, what: str) -> int:
        return int.from_bytes(self.take(2, what), "big")

    def be32(self, what: str) -> int:
        return int.from_bytes(self.take(4, what), "big")

    def be64(self, what: str) -> int:
        return int.from_bytes(self.take(8, what), "big")

    def counted_str(self, what: str, length: int | None = None) -> str:
        """A counted string as the script reads it: signed length byte, then UTF-8 text."""
        at = self.pos
        n = self.s8(f"length of {what}") if length is None else length
        if n <= 0:
            # The script cannot read these (a zero length yields "" without .decode(); a negative
            # one reads the rest of the file).
            raise StreamError(f"{what}: length {n} cannot be read by analyze-migration.py "
                              f"(it needs 1..127)" if length is None else f"{what}: length {n}", at)
        raw = self.take(n, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise StreamError(f"{what} is not UTF-8: {e}", at) from None


# ------------------------------------------------------------------------------------------------
# The vmdesc trailer (A.11)

@dataclass(frozen=True)
class Trailer:
    """Where the script finds the vmdesc JSON and what it holds."""

    offset: int       #: of the 0x06 byte
    length: int       #: announced JSON length
    json_offset: int  #: of the opening brace
    text: str
    desc: dict[str, Any]


def _diagnose_trailer(data: bytes) -> str:
    """Why the locator failed, when a well-formed trailer is in fact present."""
    window_start = max(0, len(data) - TRAILER_WINDOW)
    q = data.rfind(bytes([QEMU_VM_VMDESCRIPTION]), window_start)
    while q >= window_start:
        if q + 5 <= len(data):
            n = int.from_bytes(data[q + 1:q + 5], "big")
            if q + 5 + n == len(data) and data[q + 5:q + 6] == b"{":
                lb = data[q + 1:q + 5]
                return (f"; a trailer does sit at 0x{q:x} (length 0x{n:08x}), but its length bytes "
                        f"{lb.hex(' ')} hold 0x7b ('{{') after their last zero byte, which the locator "
                        f"takes for the start of the JSON")
        q = data.rfind(bytes([QEMU_VM_VMDESCRIPTION]), window_start, q)
    return ""


def locate_vmdesc(data: bytes) -> Trailer:
    """Find and parse the vmdesc trailer exactly as the script does (last NUL, first brace after
    it, 0x06 five bytes before the brace, be32 length between)."""
    base = max(0, len(data) - TRAILER_WINDOW)
    window = data[base:]
    nul = window.rfind(b"\0")
    brace = window.find(b"{", nul)
    if brace < 0 or base + brace - 5 < 0 or data[base + brace - 5] != QEMU_VM_VMDESCRIPTION:
        where = f" (last NUL at 0x{base + nul:x}" + (f", first '{{' after it at 0x{base + brace:x})" if brace >= 0
                                                     else ", no '{' after it)") if nul >= 0 else " (no NUL byte)"
        raise StreamError("No Debug Migration device found: no vmdesc trailer (0x06, be32 length, JSON) "
                          "where analyze-migration.py looks for it" + where + _diagnose_trailer(data))
    marker = base + brace - 5
    length = int.from_bytes(data[marker + 1:marker + 5], "big")
    raw = window[brace:brace + length]
    if len(raw) != length:
        raise StreamError(f"vmdesc trailer announces {length} bytes of JSON, the file holds {len(raw)} after the brace",
                          marker)
    try:
        text = raw.decode("utf-8")
        desc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StreamError(f"vmdesc JSON ({length} bytes at 0x{base + brace:x}) does not parse: {e}", marker) from None
    if not isinstance(desc, dict):
        raise StreamError("vmdesc JSON is not an object", marker)
    return Trailer(marker, length, base + brace, text, desc)


# ------------------------------------------------------------------------------------------------
# Decoded values

@dataclass
class FieldValue:
    """One decoded vmdesc field entry (one array element when the entry is part of an array)."""

    name: str
    type: str
    index: int | None
    offset: int
    size: int
    value: Union[int, bool, bytes, str, None, "StructValue"]

    def script_value(self) -> Any:
        """The value as the script's ``--dump state`` prints it."""
        v = self.value
        if isinstance(v, StructValue):
            return v.script_dict()
        if self.type == "nullptr":
            return "nullptr"
        if isinstance(v, bool) or isinstance(v, str):
            return v
        if isinstance(v, int):
            width = self.size * 2
            if v < 0:
                return f"0x{v & ((1 << (8 * self.size)) - 1):0{width}x} ({v})"
            return f"0x{v:0{width}x}"
        assert isinstance(v, bytes)
        return " ".join(f"{b:02x}" for b in v)


@dataclass
class SubsectionValue:
    """A subsection as it appeared in the stream."""

    name: str        #: from the stream (the script keys the dump by it)
    version_id: int  #: from the stream
    offset: int      #: of the 0x05 marker
    body: "StructValue"


@dataclass
class StructValue:
    """A decoded vmsd payload: fields in description order, then subsections."""

    vmsd_name: str
    version: int | None
    offset: int
    end: int = 0
    fields: list[FieldValue] = field(default_factory=list)
    subsections: list[SubsectionValue] = field(default_factory=list)

    def entries(self, name: str) -> list[FieldValue]:
        return [f for f in self.fields if f.name == name]

    def get(self, name: str) -> Any:
        """A field's value: scalar, or a list for arrays (same-named entries), as Python values;
        structs as StructValue. KeyError if absent."""
        es = self.entries(name)
        if not es:
            raise KeyError(f"{self.vmsd_name} has no field {name!r}")
        vals = [e.value for e in es]
        return vals[0] if len(es) == 1 and es[0].index is None else vals

    def subsection(self, name: str) -> "StructValue | None":
        for s in self.subsections:
            if s.name == name:
                return s.body
        return None

    def field_names(self) -> list[str]:
        seen: list[str] = []
        for f in self.fields:
            if f.name not in seen:
                seen.append(f.name)
        return seen

    def script_dict(self) -> dict[str, Any]:
        """As the script dumps it: entries in order, same names merged into a list."""
        out: dict[str, Any] = {}
        for f in self.fields:
            v = f.script_value()
            if f.name not in out:
                out[f.name] = v
            elif isinstance(out[f.name], list):
                out[f.name].append(v)
            else:
                out[f.name] = [out[f.name], v]
        for s in self.subsections:
            out[s.name] = s.body.script_dict()
        return out


@dataclass
class RamState:
    """What the `ram` section's records said (A.9)."""

    page_size: int
    blocks: dict[str, int] = field(default_factory=dict)   #: MEM_SIZE: block -> used length
    page_records: int = 0
    zero_records: int = 0
    chunks: int = 0
    seen: dict[str, bytearray] = field(default_factory=dict)  #: block -> one byte per page, 1 = sent
    memory: dict[str, str] | None = None                      #: the script's -m dump, when asked
    current_block: str | None = None  #: the block CONTINUE refers to; kept across chunks, as the script does

    def pages_total(self) -> int:
        return sum(n // self.page_size for n in self.blocks.values())

    def pages_seen(self) -> int:
        return sum(sum(b) for b in self.seen.values())

    def script_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"section sizes": {k: f"0x{v:016x}" for k, v in self.blocks.items()}}
        if self.memory is not None:
            d["memory"] = self.memory
        return d


@dataclass
class HtabState:
    """The spapr/htab live section, parsed as the script does (it keeps nothing)."""

    chunks: int = 0
    hptes: int = 0


@dataclass
class Chunk:
    """One START/FULL/PART/END occurrence of a section."""

    kind: str
    offset: int          #: of the section type byte
    payload: int         #: first payload byte
    end: int             #: first byte after the payload
    footer: int | None = None  #: offset of its footer, if one followed


@dataclass
class Section:
    """A section as the script keys it (by section id), with every chunk it had."""

    section_id: int
    idstr: str
    instance_id: int
    version_id: int
    parser: str  #: "vmsd", "ram" or "htab"
    chunks: list[Chunk] = field(default_factory=list)
    body: Union[StructValue, RamState, HtabState, None] = None
    desc: dict[str, Any] | None = None

    @property
    def state(self) -> StructValue:
        assert isinstance(self.body, StructValue), f"{self.idstr} is not a vmsd section"
        return self.body

    def script_value(self) -> Any:
        if isinstance(self.body, StructValue):
            return self.body.script_dict()
        if isinstance(self.body, RamState):
            return self.body.script_dict()
        return ""


@dataclass
class Configuration:
    offset: int
    machine: str | None
    capabilities: list[str]
    body: StructValue | None


@dataclass
class StreamAnalysis:
    """Everything decoded from one stream."""

    size: int
    trailer: Trailer
    configuration: Configuration | None
    sections: dict[int, Section]
    eof_offset: int
    commands: list[int] = field(default_factory=list)

    @property
    def vmdesc(self) -> dict[str, Any]:
        return self.trailer.desc

    def find(self, idstr: str, instance_id: int = 0) -> Section:
        for s in self.sections.values():
            if s.idstr == idstr and s.instance_id == instance_id:
                return s
        raise KeyError(f"no section ({idstr!r}, {instance_id})")

    def all(self, idstr: str) -> list[Section]:
        return [s for s in self.sections.values() if s.idstr == idstr]

    @property
    def undecoded(self) -> int:
        """Bytes between the QEMU_VM_EOF the walk stopped at and the trailer: non-zero when a
        payload misread ended the walk early (the script then reports success regardless)."""
        return self.trailer.offset - self.eof_offset - 1

    def missing_devices(self) -> list[tuple[str, int]]:
        """Described devices no section was decoded for."""
        seen = {(s.idstr, s.instance_id) for s in self.sections.values()}
        return [(str(d["name"]), int(d["instance_id"])) for d in self.vmdesc.get("devices", [])
                if (str(d["name"]), int(d["instance_id"])) not in seen]

    def warnings(self) -> list[str]:
        """What the script lets pass but a reader of its output should know."""
        out = []
        if self.undecoded > 0:
            out.append(f"the walk ended at QEMU_VM_EOF at 0x{self.eof_offset:x}, {self.undecoded} bytes before the "
                       "vmdesc trailer: a payload was probably misread")
        if self.missing_devices():
            out.append(f"described but never decoded: {self.missing_devices()}")
        return out

    def ram(self) -> RamState:
        body = self.find("ram").body
        assert isinstance(body, RamState)
        return body

    def state_dict(self) -> dict[str, Any]:
        """``--dump state``."""
        return {f"{s.idstr} ({sid})": s.script_value() for sid, s in self.sections.items()}


# ------------------------------------------------------------------------------------------------
# Described payloads (the script's struct walk)

def _unfold(fields: Any, ctx: str) -> list[dict[str, Any]]:
    """Expand ``array_len`` entries into indexed elements, as the script does before reading."""
    if not isinstance(fields, list):
        raise StreamError(f"'fields' of {ctx} is not a list")
    out: list[dict[str, Any]] = []
    for f in fields:
        if not isinstance(f, dict) or "name" not in f or "type" not in f:
            raise StreamError(f"malformed field description in {ctx}: {json.dumps(f)[:200]}")
        if "array_len" not in f:
            out.append(f)
            continue
        n = f["array_len"]
        if not isinstance(n, int) or n < 1:
            raise StreamError(f"bad array_len {n!r} for {ctx}.{f['name']}")
        for i in range(n):
            e = {k: v for k, v in f.items() if k != "array_len"}
            e["index"] = i
            out.append(e)
    return out


class _Decoder:
    def __init__(self, r: _Reader, strict: bool) -> None:
        self.r = r
        self.strict = strict
        self.section: SectionRef | None = None
        self.footers: bool | None = None  #: strict: whether this stream's chunks end with footers

    def fail(self, what: str, offset: int | None, path: str | None = None, strict: bool = False) -> StreamError:
        return StreamError(what, offset, section=self.section, field=path, strict=strict)

    def struct(self, desc: Any, path: str) -> StructValue:
        if not isinstance(desc, dict) or "fields" not in desc:
            raise self.fail("No fields in struct description", self.r.tell(), path)
        sv = StructValue(str(desc.get("vmsd_name", "")), desc.get("version"), self.r.tell())
        for fd in _unfold(desc["fields"], path):
            sv.fields.append(self.field(fd, path))
        for sub in desc.get("subsections", []) or []:
            at = self.r.tell()
            want = sub.get("vmsd_name") if isinstance(sub, dict) else None
            try:
                marker = self.r.s8(f"subsection {want} marker")
            except StreamError:
                raise self.fail(f"Subsection {want} not found at offset {at:x} (end of file)", at, path) from None
            if marker != QEMU_VM_SUBSECTION:
                raise self.fail(f"Subsection {want} not found at offset {at + 1:x} (byte 0x{marker & 0xff:02x} where "
                                f"0x05 should start it)", at, path)
            name = self.r.counted_str("subsection name")
            version = self.r.be32("subsection version")
            if not sub:
                raise self.fail(f"Empty description for subsection: {name}", at, path)
            if self.strict and name != want:
                raise self.fail(f"subsection '{name}' in the stream, '{want}' in the description", at, path, True)
            if self.strict and version != sub.get("version"):
                raise self.fail(f"subsection '{name}' version {version} in the stream, {sub.get('version')} in the "
                                "description", at, path, True)
            body = self.struct(sub, f"{path}/{name.rsplit('/', 1)[-1]}" if path else name)
            sv.subsections.append(SubsectionValue(name, version, at, body))
        sv.end = self.r.tell()
        return sv

    def field(self, fd: dict[str, Any], parent: str) -> FieldValue:
        name, ftype, index = str(fd["name"]), str(fd["type"]), fd.get("index")
        path = f"{parent}.{name}" + (f"[{index}]" if index is not None else "")
        at = self.r.tell()
        if ftype == "struct":
            if "struct" not in fd:
                raise self.fail("struct field without a 'struct' description", at, path)
            body = self.struct(fd["struct"], path)
            return FieldValue(name, ftype, index, at, self.r.tell() - at, body)
        if ftype == "capability":  # a counted string; the described size is not used
            return FieldValue(name, ftype, index, at, 0, self.r.counted_str(path))
        if "size" not in fd:
            raise self.fail("field description without 'size'", at, path)
        size = int(fd["size"])
        if self.strict and ftype in _TYPE_WIDTH and size != _TYPE_WIDTH[ftype]:
            raise self.fail(f"described size {size} but type '{ftype}' is {_TYPE_WIDTH[ftype]} bytes on the wire",
                            at, path, True)
        try:
            raw = self.r.take(size, path)
        except StreamError as e:
            raise self.fail(e.what, e.offset, path) from None
        if ftype in _INT_SIGNED or ftype == "bool":
            if size == 0:
                raise self.fail(f"type '{ftype}' with size 0 (analyze-migration.py cannot decode it)", at, path)
            if ftype == "bool":
                return FieldValue(name, ftype, index, at, size, raw[0] != 0)
            return FieldValue(name, ftype, index, at, size, int.from_bytes(raw, "big", signed=_INT_SIGNED[ftype]))
        if ftype == "nullptr" and raw != b"0":
            raise self.fail(f"nullptr entry holds {raw.hex(' ')}, the marker is 30 ('0')", at, path)
        return FieldValue(name, ftype, index, at, size, raw)


# ------------------------------------------------------------------------------------------------
# Built-in parsers

def _read_ram(d: _Decoder, ram: RamState, ignore_shared: bool, memory: bool) -> None:
    """One chunk of the `ram` section: records until EOS, by the script's rules (A.9)."""
    r = d.r
    ps = ram.page_size
    name = ram.current_block
    ram.chunks += 1
    while True:
        at = r.tell()
        word = r.be64("RAM record")
        flags, addr = word & (ps - 1), word & ~(ps - 1)
        if flags & RAM_MEM_SIZE:
            remaining = addr
            while remaining > 0:
                bat = r.tell()
                block = r.counted_str("RAM block name")
                used = r.be64(f"used length of {block}")
                ram.blocks[block] = used
                ram.seen.setdefault(block, bytearray(used // ps))
                if ignore_shared:
                    r.be64(f"GPA of {block}")
                if d.strict and (used % ps or used == 0):
                    raise d.fail(f"block {block} length 0x{used:x} is not a positive multiple of the page size", bat,
                                 strict=True)
                remaining -= used
            if d.strict and remaining != 0:
                raise d.fail(f"MEM_SIZE total 0x{addr:x} is not the sum of its block lengths", at, strict=True)
            flags &= ~RAM_MEM_SIZE
        if flags & RAM_ZERO or flags & RAM_PAGE:
            kind = RAM_ZERO if flags & RAM_ZERO else RAM_PAGE
            if flags & RAM_CONTINUE:
                flags &= ~RAM_CONTINUE
                if name is None:
                    # The script reuses whatever name it last read (even a MEM_SIZE block);
                    # QEMU's loader: "Ack, bad migration stream!".
                    if d.strict:
                        raise d.fail("CONTINUE record with no block named before it", at, strict=True)
                    name = next(reversed(ram.blocks), "")
            else:
                name = r.counted_str("RAM block name")
            if kind == RAM_ZERO:
                fill = r.u8("zero page fill byte")
                ram.zero_records += 1
                content = f"Filled with 0x{fill:02x}"
            else:
                page = r.take(ps, f"RAM page at 0x{addr:x}")
                ram.page_records += 1
                content = " ".join(f"{b:02x}" for b in page) if memory else ""
            flags &= ~kind
            if name in ram.seen and addr // ps < len(ram.seen[name]):
                ram.seen[name][addr // ps] = 1
            elif d.strict:
                what = ("unknown block" if name not in ram.blocks
                        else f"offset 0x{addr:x} beyond the block's 0x{ram.blocks[name]:x}")
                raise d.fail(f"page record for {name!r}: {what}", at, strict=True)
            if ram.memory is not None:
                ram.memory[f"{name} (0x{addr:016x})"] = content
        elif flags & RAM_XBZRLE:
            raise d.fail("XBZRLE RAM compression is not supported yet", at)
        elif flags & RAM_HOOK:
            raise d.fail("RAM hooks don't make sense with files", at)
        if flags & RAM_MULTIFD_FLUSH:
            continue  # the script looks at nothing else in such a record, EOS included
        if flags & RAM_EOS:
            break
        if flags != 0:
            raise d.fail(f"Unknown RAM flags: {flags:x}", at)
    ram.current_block = name


def _read_htab(d: _Decoder, htab: HtabState) -> None:
    """One chunk of spapr/htab (A.10), as the script reads it."""
    r = d.r
    htab.chunks += 1
    header = r.be32("HTAB header")
    if header != 0:
        # -1 (no HPT) and a positive hash shift both end the chunk; the script reads the header
        # unsigned, so its -1 test never matches and -1 takes the "hash shift" branch.
        return
    while True:
        index = r.be32("HTAB index")
        n_valid = r.be16("HTAB n_valid")
        n_invalid = r.be16("HTAB n_invalid")
        if index == 0 and n_valid == 0 and n_invalid == 0:
            break
        r.take(n_valid * HPTE_SIZE, f"{n_valid} HPTEs")
        htab.hptes += n_valid


# ------------------------------------------------------------------------------------------------
# The stream

def _described_devices(trailer: Trailer, strict: bool) -> dict[tuple[str, int], dict[str, Any]]:
    """The trailer's device entries keyed as the script keys them, (name, instance_id)."""
    devices = trailer.desc.get("devices")
    if not isinstance(devices, list):
        raise StreamError("vmdesc has no 'devices' list", trailer.offset)
    described: dict[tuple[str, int], dict[str, Any]] = {}
    for dev in devices:
        if not isinstance(dev, dict) or "name" not in dev or "instance_id" not in dev:
            raise StreamError(f"malformed vmdesc device entry: {json.dumps(dev)[:200]}", trailer.offset)
        if "fields" not in dev:
            raise StreamError(f"vmstate for device {dev['name']} has no fields", trailer.offset)
        key = (str(dev["name"]), int(dev["instance_id"]))
        if strict and key in described:
            raise StreamError(f"vmdesc describes ({key[0]!r}, {key[1]}) twice", trailer.offset, strict=True)
        described[key] = dev  # the script silently keeps the last of duplicates
    return described


def _read_header(data: bytes, trailer: Trailer, strict: bool) -> dict[tuple[str, int], dict[str, Any]]:
    """Magic, version and the trailer's device list: what the script checks before any section."""
    r = _Reader(data)
    magic = r.be32("file magic")
    if magic != FILE_MAGIC:
        raise StreamError(f"Invalid file magic {magic:x}", 0)
    version = r.be32("file version")
    if version != FILE_VERSION:
        raise StreamError(f"Invalid version number {version}", 4)
    return _described_devices(trailer, strict)


class _Walker:
    """The script's section loop (A.2, A.4, A.5)."""

    def __init__(self, data: bytes, trailer: Trailer, strict: bool, memory: bool) -> None:
        self.trailer = trailer
        self.described = _read_header(data, trailer, strict)
        if "page_size" not in trailer.desc:
            raise StreamError("vmdesc has no 'page_size'", trailer.offset)
        self.page_size = int(trailer.desc["page_size"])
        if self.page_size <= 0 or self.page_size & (self.page_size - 1):
            raise StreamError(f"vmdesc page_size {self.page_size} is not a power of two", trailer.offset)
        self.r = _Reader(data)
        self.r.pos = 8
        self.d = _Decoder(self.r, strict)
        self.strict = strict
        self.memory = memory
        self.sections: dict[int, Section] = {}
        self.configuration: Configuration | None = None
        self.commands: list[int] = []
        self.ignore_shared = False
        self.current: Section | None = None
        self.full_order: list[tuple[str, int]] = []

    def run(self) -> StreamAnalysis:
        r = self.r
        while True:
            at = r.tell()
            self.d.section = None
            try:
                stype = r.s8("section type")
            except StreamError:
                raise StreamError("end of file before QEMU_VM_EOF", at) from None
            if stype == QEMU_VM_EOF:
                break
            if stype == QEMU_VM_CONFIGURATION:
                self.configuration = _read_configuration(self.d, self.trailer.desc.get("configuration"), at)
                self.ignore_shared = "x-ignore-shared" in self.configuration.capabilities
                if "mapped-ram" in self.configuration.capabilities:
                    raise StreamError("mapped-ram streams are not covered by this reimplementation", at)
            elif stype in (QEMU_VM_SECTION_START, QEMU_VM_SECTION_FULL):
                self._open(_SECTION_TYPE_NAMES[stype], at)
            elif stype in (QEMU_VM_SECTION_PART, QEMU_VM_SECTION_END):
                self._continue(_SECTION_TYPE_NAMES[stype], at)
            elif stype == QEMU_VM_SECTION_FOOTER:
                self._footer(at)
            elif stype == QEMU_VM_COMMAND:
                cmd = r.be16("command")
                length = r.be16("command length")
                if cmd != MIG_CMD_SWITCHOVER_START:
                    raise StreamError(f"Unknown QEMU_VM_COMMAND: {cmd:x}", at)
                if length != 0:
                    raise StreamError(f"Invalid SWITCHOVER_START length: {length:x}", at)
                self.commands.append(cmd)
            else:
                hint = _after_section_hint(self.current)
                raise StreamError(f"Unknown section type: {stype} (byte 0x{stype & 0xff:02x}){hint}", at)
        analysis = StreamAnalysis(len(r.data), self.trailer, self.configuration, self.sections, r.tell() - 1,
                                  self.commands)
        if self.strict:
            _strict_checks(analysis, self.full_order, list(self.described))
        return analysis

    def _open(self, kind: str, at: int) -> None:
        """START/FULL: full header, then the payload through a built-in parser or the vmdesc."""
        r, d = self.r, self.d
        sid = r.be32("section id")
        idstr = r.counted_str("section idstr")
        instance = r.be32("instance id")
        ver = r.be32("version id")
        d.section = SectionRef(sid, idstr, instance, kind)
        key = (idstr, instance)
        if key == ("ram", 0):
            if ver != 4:
                raise d.fail(f"Unknown RAM version {ver}", at)
            sec = Section(sid, idstr, instance, ver, "ram",
                          body=RamState(self.page_size, memory={} if self.memory else None))
        elif key == ("spapr/htab", 0):
            if ver != 1:
                raise d.fail(f"Unknown HTAB version {ver}", at)
            sec = Section(sid, idstr, instance, ver, "htab", body=HtabState())
        elif key in self.described:
            dev = self.described[key]
            sec = Section(sid, idstr, instance, ver, "vmsd", desc=dev)
            if self.strict and kind == "START":
                raise d.fail("START section decoded through vmdesc: QEMU describes FULL sections only", at,
                             strict=True)
            if self.strict and dev.get("version") != ver:
                raise d.fail(f"stream version {ver}, vmdesc version {dev.get('version')}", at, strict=True)
        else:
            raise d.fail(f"no vmdesc entry and no built-in parser for ({idstr!r}, {instance}): "
                         "analyze-migration.py fails on the section lookup", at)
        if self.strict and sid in self.sections:
            raise d.fail(f"section id {sid} already used by '{self.sections[sid].idstr}'", at, strict=True)
        self.sections[sid] = sec
        self.current = sec
        if kind == "FULL":
            self.full_order.append(key)
        _read_chunk(d, sec, kind, at, self.ignore_shared, self.memory)

    def _continue(self, kind: str, at: int) -> None:
        """PART/END: short header, routed by section id."""
        sid = self.r.be32("section id")
        if sid not in self.sections:
            raise StreamError(f"{kind} chunk for section id {sid}, which no START/FULL opened", at)
        sec = self.sections[sid]
        self.d.section = SectionRef(sid, sec.idstr, sec.instance_id, kind)
        if self.strict and sec.parser == "vmsd":
            raise self.d.fail("PART/END chunk of a described (non-live) section", at, strict=True)
        self.current = sec
        _read_chunk(self.d, sec, kind, at, self.ignore_shared, self.memory)

    def _footer(self, at: int) -> None:
        """A footer is compared with the section read last; the script does not require one."""
        fid = self.r.be32("footer section id")
        cur = self.current
        if cur is None:
            raise StreamError(f"section footer (id {fid}) before any section", at)
        self.d.section = SectionRef(cur.section_id, cur.idstr, cur.instance_id, cur.chunks[-1].kind)
        if fid != cur.section_id:
            raise self.d.fail(f"Mismatched section footer: {fid:x} vs {cur.section_id:x}", at)
        if cur.chunks[-1].end == at:
            cur.chunks[-1].footer = at
        elif self.strict:
            raise self.d.fail("footer not directly after its section's payload", at, strict=True)


def analyze(data: bytes, *, strict: bool = False, memory: bool = False) -> StreamAnalysis:
    """Decode a whole stream. Raises StreamError where analyze-migration.py would fail (and, with
    ``strict``, where QEMU's loader would reject what the script lets pass)."""
    trailer = locate_vmdesc(data)  # first, as the script does
    return _Walker(data, trailer, strict, memory).run()


def _read_chunk(d: _Decoder, sec: Section, kind: str, at: int, ignore_shared: bool, memory: bool) -> None:
    chunk = Chunk(kind, at, d.r.tell(), 0)
    sec.chunks.append(chunk)
    try:
        _read_payload(d, sec, ignore_shared, memory)
    except StreamError as e:
        if e.section is None:  # a plain read failure: say where it happened
            e.section = d.section
        raise
    chunk.end = d.r.tell()
    if d.strict:
        _expect_footer(d, sec, chunk)


def _read_payload(d: _Decoder, sec: Section, ignore_shared: bool, memory: bool) -> None:
    if sec.parser == "ram":
        assert isinstance(sec.body, RamState)
        _read_ram(d, sec.body, ignore_shared, memory)
    elif sec.parser == "htab":
        assert isinstance(sec.body, HtabState)
        _read_htab(d, sec.body)
    else:
        # The script decodes a described section again for each chunk; the last one is kept.
        sec.body = d.struct(sec.desc, sec.idstr)


def _expect_footer(d: _Decoder, sec: Section, chunk: Chunk) -> None:
    """Strict: the payload must end exactly where its footer starts (A.4)."""
    data, end = d.r.data, chunk.end
    footer = bytes([QEMU_VM_SECTION_FOOTER]) + sec.section_id.to_bytes(4, "big")
    if d.footers is None:
        # The first chunk decides whether this stream has footers (send-section-footer); the
        # stream-wide rule "after every chunk or after none" is checked at the end.
        d.footers = data[end:end + 1] == bytes([QEMU_VM_SECTION_FOOTER])
    if not d.footers or data[end:end + 5] == footer:
        return
    later = data.find(footer, end, end + (1 << 20))
    earlier = data.rfind(footer, chunk.payload, end + len(footer) - 1)  # one starting before `end`
    if later >= 0:
        why = f"the footer comes {later - end} bytes later: the payload is longer than its vmdesc description"
    elif earlier >= 0:
        why = (f"the footer was {end - earlier} bytes earlier, at 0x{earlier:x}: the vmdesc description "
               "accounts for more bytes than the payload holds")
    else:
        why = f"no footer 7e {sec.section_id:08x} nearby"
    raise d.fail(f"payload ends at 0x{end:x} but no footer follows there ({data[end:end + 5].hex(' ')}); {why}", end,
                 strict=True)


def _after_section_hint(sec: Section | None) -> str:
    if sec is None or not sec.chunks:
        return ""
    c = sec.chunks[-1]
    return (f"; the previous chunk, {c.kind} of section {sec.section_id} "
            f"'{sec.idstr}' instance {sec.instance_id}, started at 0x{c.offset:x} and was decoded up to 0x{c.end:x}: "
            "its bytes probably disagree with its description")


def _read_configuration(d: _Decoder, cdesc: Any, at: int) -> Configuration:
    """The configuration block (A.3): through its description, or be32 length + name."""
    r = d.r
    if cdesc:
        body = d.struct(cdesc, "configuration")
        machine = None
        if body.entries("name") and isinstance(body.get("name"), bytes):
            machine = body.get("name").decode("utf-8", "replace")
        caps: list[str] = []
        csub = body.subsection("configuration/capabilities")
        if csub is not None:
            count = csub.get("caps_count")
            listed = [f.value for f in csub.entries("capabilities")]
            if len(listed) != count:
                raise StreamError("Number of capabilities doesn't match caps_count field", at)
            caps = [str(c) for c in listed]
        return Configuration(at, machine, caps, body)
    n = r.be32("configuration name length")
    return Configuration(at, r.counted_str("machine type name", length=n), [], None)


def _strict_checks(a: StreamAnalysis, full_order: list[tuple[str, int]], described: list[tuple[str, int]]) -> None:
    # Footers: after every chunk or after none.
    chunks = [(s, c) for s in a.sections.values() for c in s.chunks]
    with_footer = [c for _, c in chunks if c.footer is not None]
    if with_footer and len(with_footer) != len(chunks):
        s, c = next((s, c) for s, c in chunks if c.footer is None)
        raise StreamError(f"Missing section footer for {s.idstr}", c.end,
                          section=SectionRef(s.section_id, s.idstr, s.instance_id, c.kind), strict=True)
    if full_order != described:
        missing = [k for k in described if k not in full_order]
        extra = [k for k in full_order if k not in described]
        raise StreamError(f"vmdesc devices and FULL sections differ: described but not written {missing}, written "
                          f"but not described {extra}" + ("" if missing or extra else ", or their order differs"),
                          a.trailer.offset, strict=True)
    # The trailer sits right after EOF and ends the file.
    if a.trailer.offset != a.eof_offset + 1:
        raise StreamError(f"{a.trailer.offset - a.eof_offset - 1} bytes between QEMU_VM_EOF at 0x{a.eof_offset:x} "
                          "and the vmdesc trailer", a.eof_offset + 1, strict=True)
    if a.trailer.json_offset + a.trailer.length != a.size:
        raise StreamError(f"{a.size - a.trailer.json_offset - a.trailer.length} bytes after the vmdesc JSON",
                          a.trailer.json_offset + a.trailer.length, strict=True)


# ------------------------------------------------------------------------------------------------
# Command line

def analyze_file(path: str | Path, *, strict: bool = False, memory: bool = False) -> StreamAnalysis:
    """Decode the stream in a file."""
    return analyze(Path(path).read_bytes(), strict=strict, memory=memory)


def summary_lines(a: StreamAnalysis) -> Iterator[str]:
    """A short human-readable account of the stream."""
    machine = a.configuration.machine if a.configuration else None
    yield (f"{a.size} bytes, machine {machine!r}, {len(a.sections)} sections, vmdesc {a.trailer.length} bytes at "
           f"0x{a.trailer.offset:x}")
    for sid, s in a.sections.items():
        kinds = (",".join(c.kind for c in s.chunks) if len(s.chunks) <= 4
                 else f"{s.chunks[0].kind}+{len(s.chunks) - 1} chunks")
        size = sum(c.end - c.payload for c in s.chunks)
        line = f"  {sid:4d} {s.idstr} #{s.instance_id} v{s.version_id} [{kinds}] {size} bytes"
        if isinstance(s.body, RamState):
            ram = s.body
            line += (f"; blocks {', '.join(f'{k}=0x{v:x}' for k, v in ram.blocks.items())}; {ram.page_records} page + "
                     f"{ram.zero_records} zero records; {ram.pages_seen()}/{ram.pages_total()} pages sent")
        elif isinstance(s.body, StructValue):
            line += f"; {len(s.body.fields)} field entries, subsections {[x.name for x in s.body.subsections]}"
        yield line


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python3 -m ppcmig.analyze_stream",
        description="Decode a QEMU migration stream by the rules of QEMU's scripts/analyze-migration.py "
                    "(an independent reimplementation; see tests/QEMU_DEVIATIONS.md A1-A4).")
    p.add_argument("file", help="the stream (e.g. written by ppcmig-engine run --save-stream)")
    p.add_argument("-d", "--dump", choices=["state", "desc", "summary"], default="state",
                   help="state: decoded sections (the script's -d state); desc: the vmdesc trailer; summary: text")
    p.add_argument("-m", "--memory", action="store_true", help="include RAM contents in the state dump")
    p.add_argument("--strict", action="store_true",
                   help="also apply the checks QEMU's loader makes and the script does not")
    args = p.parse_args(argv)
    try:
        data = Path(args.file).read_bytes()
    except OSError as e:
        print(f"analyze_stream: {e}", file=sys.stderr)
        return 2
    try:
        if args.dump == "desc":
            # As the script: the trailer, the header checks, no section walk.
            trailer = locate_vmdesc(data)
            _read_header(data, trailer, args.strict)
            text = json.dumps(trailer.desc, indent=4, separators=(",", ": "))
        else:
            a = analyze(data, strict=args.strict, memory=args.memory)
            for w in a.warnings():
                print(f"analyze_stream: {args.file}: warning: {w}", file=sys.stderr)
            text = ("\n".join(summary_lines(a)) if args.dump == "summary"
                    else json.dumps(a.state_dict(), indent=4, separators=(",", ": ")))
    except StreamError as e:
        print(f"analyze_stream: {args.file}: {e}", file=sys.stderr)
        return 1
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        sys.stdout = open(os.devnull, "w")
    return 0

if __name__ == "__main__":
    sys.exit(main())
