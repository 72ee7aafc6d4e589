#!/usr/bin/python3
"""Engine vs qemu-user speed on compute programs, measured in the same run.

For each program in benchmarks/programs/*.c (built -O2 -static for big- and little-endian), runs
it on the engine (`ppcmig-engine user --stats`) and under qemu-ppc64 / qemu-ppc64le, best of N,
checks both print the same output, and reports guest MIPS (retired instructions counted by the
engine / engine wall time) and the time ratio engine/qemu.

Usage: benchmarks/user_speed.py [--build-dir build] [--repeat 3] [--endian be|le|both] [PROGRAM...]
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(src: Path, out: Path, le: bool) -> Path:
    cc = "powerpc64le-linux-gnu-gcc" if le else "powerpc64-linux-gnu-gcc"
    exe = out / f"{src.stem}.{'le' if le else 'be'}"
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        subprocess.run([cc, "-O2", "-static", "-o", str(exe), str(src), "-lm"], check=True)
    return exe


def timed(cmd: list[str], repeat: int) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    best = float("inf")
    proc = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    assert proc is not None
    return best, proc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=str(ROOT / "build"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--endian", choices=["be", "le", "both"], default="both")
    ap.add_argument("programs", nargs="*")
    ns = ap.parse_args()
    engine = Path(ns.build_dir) / "bin" / "ppcmig-engine"
    if not engine.exists():
        print(f"user_speed: {engine} not found; run scripts/setup.sh first", file=sys.stderr)
        return 2
    out = Path(ns.build_dir) / "bench"
    out.mkdir(exist_ok=True)
    srcs = sorted((ROOT / "benchmarks" / "programs").glob("*.c"))
    if ns.programs:
        srcs = [s for s in srcs if s.stem in ns.programs]
    ends = {"be": [False], "le": [True], "both": [False, True]}[ns.endian]
    print(f"{'program':<14}{'end':<4}{'guest insns':>14}{'engine s':>10}{'MIPS':>9}{'qemu s':>9}{'ratio':>8}  output")
    ratios, mips_all = [], []
    failed = False
    for src in srcs:
        for le in ends:
            exe = build(src, out, le)
            te, pe = timed([str(engine), "user", "--stats", str(exe)], ns.repeat)
            tq, pq = timed(["qemu-ppc64le" if le else "qemu-ppc64", str(exe)], ns.repeat)
            m = re.search(rb"(\d+) instructions retired", pe.stderr)
            insns = int(m.group(1)) if m else 0
            same = pe.stdout == pq.stdout and pe.returncode == pq.returncode
            failed |= not same
            mips = insns / te / 1e6
            ratios.append(te / tq)
            mips_all.append(mips)
            print(f"{src.stem:<14}{'le' if le else 'be':<4}{insns:>14,}{te:>10.3f}{mips:>9.1f}{tq:>9.3f}{te / tq:>8.2f}  "
                  f"{'same' if same else 'DIFFERENT'}")
    if ratios:
        gm = 1.0
        for r in ratios:
            gm *= r
        gm **= 1 / len(ratios)
        print(f"geometric mean ratio engine/qemu: {gm:.2f}   median MIPS: {sorted(mips_all)[len(mips_all) // 2]:.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
