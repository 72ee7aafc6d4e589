"""The ``ppcmig`` command line."""
from __future__ import annotations

import argparse
import sys

from . import disassemble


def _cmd_disasm(ns: argparse.Namespace) -> int:
    data = b"".join(int(w, 16).to_bytes(4, "little" if ns.le else "big") for w in ns.words)
    for insn in disassemble(data, ns.address, ns.le):
        print(f"{insn.address:8x}:\t{insn.text}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    p = argparse.ArgumentParser(prog="ppcmig", description="PowerPC migration-compatibility testing")
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("disasm", help="disassemble hex instruction words")
    d.add_argument("--le", action="store_true")
    d.add_argument("--address", type=lambda s: int(s, 0), default=0)
    d.add_argument("words", nargs="+")
    d.set_defaults(fn=_cmd_disasm)
    ns = p.parse_args(argv)
    return int(ns.fn(ns))


if __name__ == "__main__":
    sys.exit(main())
