#!/usr/bin/python3
"""Save+load throughput of migration streams: the engine vs its floor and vs QEMU, same run.

Runs build/bin/ppcmig_bench_migration (Google Benchmark: the engine's save_machine / load_machine
on a pseries guest whose RAM holds a fixed mix of zero, text-like, sparse and random pages, and
the floor peer, a zero-page scan plus one memcpy of the RAM), then, as a second peer, QEMU
itself: qemu-system-ppc64 -M pseries with the very same RAM bytes (the image the engine filled,
given as a private file-backed memory backend, prealloc'd so it is resident as the engine's is),
paused (-S), migrated to "exec:cat > /dev/null" (save: QEMU's own total-time) and loaded by a
second QEMU from a saved stream (load: wall time from migrate-incoming to "completed", polled
every 2 ms), into a prealloc'd destination (warm, as the engine's "load") and a fresh one (cold).
Unfilled, QEMU's RAM would be all zero pages and its figure would only measure its zero scan.

Prints both tables and the engine/QEMU throughput ratios (> 1: the engine is faster).

Usage: benchmarks/migration_throughput.py [--build-dir build] [--ram 1G] [--repeat 3] [--no-qemu]
                                          [-- BENCHMARK_ARGS...]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
QEMU = "qemu-system-ppc64"


class QemuUnavailable(Exception):
    """QEMU could not be measured (the reason is printed and the QEMU peer skipped)."""


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper()
    if t and t[-1] in units:
        return int(t[:-1]) * units[t[-1]]
    return int(t) << 20  # QEMU's -m: a bare number is MiB


class Qmp:
    """A minimal QMP client over a unix socket (commands in order; events skipped)."""

    def __init__(self, path: Path, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QemuUnavailable(f"no QMP socket at {path} after {timeout:.0f} s")
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rw")
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self) -> dict[str, Any]:
        line = self.file.readline()
        if not line:
            raise QemuUnavailable("QEMU closed the QMP connection")
        return json.loads(line)

    def cmd(self, name: str, **args: Any) -> Any:
        self.file.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.file.flush()
        while True:
            r = self._read()
            if "event" in r:
                continue
            if "error" in r:
                raise QemuUnavailable(f"{name}: {r['error'].get('desc', r['error'])}")
            return r.get("return")

    def wait_migration(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            r = self.cmd("query-migrate")
            status = r.get("status")
            if status == "completed":
                return r
            if status in ("failed", "cancelled"):
                raise QemuUnavailable(f"migration {status}: {r.get('error-desc', '')}")
            if time.monotonic() > deadline:
                raise QemuUnavailable(f"migration not completed after {timeout:.0f} s (status {status})")
            time.sleep(0.002)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
            self.sock.close()


@contextlib.contextmanager
def qemu(work: Path, ram: int, backend: list[str], extra: list[str], timeout: float) -> Iterator[Qmp]:
    """A paused pseries QEMU with `backend` as its RAM, controlled over QMP; always reaped."""
    sock = work / "qmp.sock"
    sock.unlink(missing_ok=True)
    cmd = [QEMU, "-M", "pseries,memory-backend=ram0", "-cpu", "POWER9", "-m", f"{ram >> 20}M",
           "-object", ",".join(backend), "-nodefaults", "-display", "none", "-S",
           "-qmp", f"unix:{sock},server=on,wait=off", *extra]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    q = None
    try:
        try:
            q = Qmp(sock, timeout)
        except (QemuUnavailable, OSError) as e:
            # QEMU may accept the QMP connection and then exit on a bad configuration.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            if proc.returncode is not None:
                err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
                raise QemuUnavailable(f"{QEMU} exited {proc.returncode}: {err.splitlines()[-1] if err else ''}") from e
            raise QemuUnavailable(f"QMP: {e}") from e
        yield q
    finally:
        if q is not None:
            with contextlib.suppress(QemuUnavailable, OSError, ValueError):
                q.cmd("quit")
            q.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def qemu_peer(bench: Path, ram: int, ram_arg: str, repeat: int, work: Path) -> dict[str, float]:
    """QEMU's save and load figures (GB of guest RAM per second, best of `repeat`)."""
    if shutil.which(QEMU) is None:
        raise QemuUnavailable(f"{QEMU} not installed")
    image = work / "ram.img"
    stream = work / "qemu.stream"
    subprocess.run([str(bench), "--ram", ram_arg, "--write-ram-image", str(image)], check=True)
    # The engine's RAM bytes as QEMU's RAM: a private mapping of the image, touched up front.
    src_backend = ["memory-backend-file", "id=ram0", f"size={ram}", f"mem-path={image}", "share=off", "prealloc=on"]
    timeout = 300.0
    unlimited = {"max-bandwidth": 1 << 50}  # the default (128 MiB/s) would time the limiter
    save_s, stats = [], {}
    for _ in range(repeat):
        with qemu(work, ram, src_backend, [], timeout) as q:
            q.cmd("migrate-set-parameters", **unlimited)
            q.cmd("migrate", uri="exec:cat > /dev/null")
            r = q.wait_migration(timeout)
            save_s.append(r["total-time"] / 1e3)
            stats = r.get("ram", {})
    with qemu(work, ram, src_backend, [], timeout) as q:  # the stream the loads read (untimed)
        q.cmd("migrate-set-parameters", **unlimited)
        q.cmd("migrate", uri=f"exec:cat > {shlex.quote(str(stream))}")
        q.wait_migration(timeout)
    loads: dict[str, list[float]] = {"warm": [], "cold": []}
    for kind, prealloc in (("warm", "on"), ("cold", "off")):
        for _ in range(repeat):
            backend = ["memory-backend-ram", "id=ram0", f"size={ram}", f"prealloc={prealloc}"]
            with qemu(work, ram, backend, ["-incoming", "defer"], timeout) as q:
                t0 = time.perf_counter()
                q.cmd("migrate-incoming", uri=f"exec:cat {shlex.quote(str(stream))}")
                q.wait_migration(timeout)
                loads[kind].append(time.perf_counter() - t0)
    gb = ram / 1e9
    print(f"QEMU ({QEMU}, -M pseries -m {ram >> 20}M, same RAM image): stream {stats.get('transferred', 0) / 1e6:.1f} MB, "
          f"{stats.get('duplicate', 0)} zero pages, {stats.get('normal', 0)} normal pages; best of {repeat}")
    return {"save": gb / min(save_s), "load": gb / min(loads["warm"]), "save+load": gb / (min(save_s) + min(loads["warm"])),
            "load/cold": gb / min(loads["cold"]), "save+load/cold": gb / (min(save_s) + min(loads["cold"]))}


def engine_figures(out_json: Path) -> dict[str, float]:
    data = json.loads(out_json.read_text())
    best: dict[str, float] = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "iteration" or "guest_GB" not in b:
            continue
        name = b["run_name"].removesuffix("/manual_time")
        best[name] = max(best.get(name, 0.0), b["guest_GB"])
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=str(ROOT / "build"))
    ap.add_argument("--ram", default="1G", help="guest RAM (-m), default 1G")
    ap.add_argument("--repeat", type=int, default=3, help="QEMU runs per figure (best is kept)")
    ap.add_argument("--no-qemu", action="store_true", help="skip the QEMU peer")
    ap.add_argument("bench_args", nargs="*", help="after --: passed to ppcmig_bench_migration")
    ns = ap.parse_args()
    bench = Path(ns.build_dir) / "bin" / "ppcmig_bench_migration"
    if not bench.exists():
        print(f"migration_throughput: {bench} not found; build first (cmake --build build)", file=sys.stderr)
        return 2
    try:
        ram = parse_size(ns.ram)
    except ValueError:
        print(f"migration_throughput: --ram {ns.ram}: expected a size such as 1G or 512M", file=sys.stderr)
        return 2
    # Scratch space for the RAM image and QEMU's stream: tmpfs if there is room (no disk I/O).
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and shutil.disk_usage(shm).free > 3 * ram else None
    with tempfile.TemporaryDirectory(prefix="ppcmig-bench-", dir=base) as tmp:
        work = Path(tmp)
        out_json = work / "engine.json"
        r = subprocess.run([str(bench), "--ram", ns.ram, f"--benchmark_out={out_json}", "--benchmark_out_format=json",
                            *ns.bench_args])
        if r.returncode != 0:
            return r.returncode
        engine = engine_figures(out_json)
        if ns.no_qemu:
            print("\nQEMU peer: skipped (--no-qemu)")
            return 0
        print()
        try:
            q = qemu_peer(bench, ram, ns.ram, ns.repeat, work)
        except (QemuUnavailable, subprocess.CalledProcessError, OSError) as e:
            print(f"QEMU peer: skipped ({e})")
            return 0
    print(f"{'':<16}{'engine GB/s':>12}{'QEMU GB/s':>12}{'engine/QEMU':>13}")
    for name in ("save", "load", "save+load", "load/cold", "save+load/cold"):
        if name in engine and name in q:
            print(f"{name:<16}{engine[name]:>12.2f}{q[name]:>12.2f}{engine[name] / q[name]:>13.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
