#!/usr/bin/python3
"""Cost of the standard cell of the differential runner, in cells per second per core.

The standard cell (issue 5): the cas_boot guest on pseries with 256 MiB of RAM, migrated after
1,000,000 instructions and compared for 1,000,000 more — a reference run that never migrates and
a migrated run (save, load on a fresh destination, resume), compared chunk by chunk. One thread,
the in-process runner (``ppcmig._ppcmig.run_scenario``), best of --repeat batches of --cells.

Peers measured in the same run: the cell's own parts (the fixed cost of a cell whose runs are
1,000 instructions long: two machines, one stream saved and loaded, the comparisons; and the
execution of the same guest for 3,000,000 instructions, which is what the cell executes), the
cell isolated as ``ppcmig scenario run`` runs it (a ``ppcmig-engine run-scenario`` process per
cell) and QEMU: qemu-system-ppc64 -M pseries (TCG) booting the same guest image to its power-off, one run
and no migration. Ratios > 1 mean the cell is cheaper than the peer.

Usage: benchmarks/cell_cost.py [--build-dir build] [--cells 40] [--repeat 3] [--no-qemu]
Target: >= 50 cells per second per core.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 50.0


def spec(elf: Path, at: int, budget: int) -> str:
    return json.dumps({"guest": {"elf": str(elf), "params": {"rounds": 0}},
                       "source": {"build": "head", "options": "-machine pseries -cpu POWER9 -m 256M"},
                       "hops": [{"at_insns": at, "build": "head"}], "budget_insns": budget})


def best_rate(run, text: str, cells: int, repeat: int) -> float:
    """Cells per second, best of `repeat` batches of `cells` (the first cell warms caches)."""
    run(text)
    best = 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(cells):
            run(text)
        best = max(best, cells / (time.perf_counter() - t))
    return best


def qemu_boot_seconds(elf: Path, repeat: int) -> float | None:
    """Best wall time of qemu-system-ppc64 running the guest (its default rounds) to power-off."""
    if shutil.which("qemu-system-ppc64") is None:
        print("QEMU peer skipped: qemu-system-ppc64 not installed")
        return None
    cmd = ["qemu-system-ppc64", "-M", "pseries,x-vof=on", "-cpu", "POWER9", "-m", "256M", "-nodefaults",
           "-display", "none", "-serial", "stdio", "-kernel", str(elf)]
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        dt = time.perf_counter() - t
        if "RESULT PASS" not in p.stdout:
            print(f"QEMU peer skipped: the guest did not pass under QEMU ({p.stdout[-200:]!r} {p.stderr[-200:]!r})")
            return None
        best = dt if best is None else min(best, dt)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "build")
    ap.add_argument("--cells", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-qemu", action="store_true")
    ns = ap.parse_args()
    sys.path.insert(0, str(ns.build_dir / "python"))
    from ppcmig import _ppcmig  # noqa: E402  (the build's module)

    elf = ns.build_dir / "guests" / "cas_boot.elf"
    if not elf.exists():
        print(f"{elf} is missing: build the guests first (cmake --build {ns.build_dir})", file=sys.stderr)
        return 2
    cell = spec(elf, 1_000_000, 2_000_000)
    verdict = json.loads(_ppcmig.run_scenario(cell))["verdict"]
    if verdict != "ok":
        print(f"the standard cell should be ok, got {verdict}", file=sys.stderr)
        return 1
    rate = best_rate(_ppcmig.run_scenario, cell, ns.cells, ns.repeat)
    fixed = best_rate(_ppcmig.run_scenario, spec(elf, 1_000, 2_000), ns.cells, ns.repeat)
    # Execution alone: one in-process run of 3,000,000 instructions with nothing to compare
    # (a hop at the very end of the budget), i.e. what the cell executes.
    exec_only = best_rate(_ppcmig.run_scenario, spec(elf, 2_999_000, 3_000_000), ns.cells, ns.repeat)
    # The same cell isolated, as `ppcmig scenario run` runs it: one engine process per cell.
    engine = ns.build_dir / "bin" / "ppcmig-engine"
    with tempfile.TemporaryDirectory() as tmp:
        spec_file = Path(tmp) / "cell.json"
        spec_file.write_text(cell)

        def isolated(_: str) -> None:
            subprocess.run([str(engine), "run-scenario", str(spec_file)], check=True, capture_output=True)

        isolated_rate = best_rate(isolated, cell, ns.cells, ns.repeat)
    print(f"standard cell (cas_boot, 1M + 1M instructions, 256 MiB, reference + migrated): "
          f"{rate:.1f} cells/s/core ({1000 / rate:.1f} ms per cell); target >= {TARGET:.0f}")
    print(f"  fixed cost (machines, stream, comparisons; 1k-instruction runs): {1000 / fixed:.1f} ms "
          f"({(1000 / fixed) / (1000 / rate):.0%} of a cell)")
    print(f"  execution floor (3M instructions, same machine, one stream at the end): {1000 / exec_only:.1f} ms "
          f"(cell / floor = {exec_only / rate:.2f})")
    print(f"  isolated (one ppcmig-engine run-scenario process per cell, as `ppcmig scenario run`): "
          f"{isolated_rate:.1f} cells/s/core ({1000 / isolated_rate:.1f} ms; process cost "
          f"{1000 / isolated_rate - 1000 / rate:.1f} ms)")
    if not ns.no_qemu:
        q = qemu_boot_seconds(ns.build_dir / "guests" / "cas_boot.elf", ns.repeat)
        if q is not None:
            print(f"  QEMU peer: qemu-system-ppc64 TCG boots cas_boot to power-off (one run, no migration) in "
                  f"{q * 1000:.0f} ms; one cell = {1 / rate / q:.3f} of it (QEMU / cell = {q * rate:.0f}x)")
    print("PASS" if rate >= TARGET else "BELOW TARGET")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
