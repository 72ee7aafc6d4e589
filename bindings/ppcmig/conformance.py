"""User-mode conformance: C programs run on the engine and under qemu-user, byte for byte.

Each program in ``tests/conformance/*.c`` is compiled at test time with Debian's cross
compilers for big-endian (``powerpc64-linux-gnu-gcc``, ELFv1) and little-endian
(``powerpc64le-linux-gnu-gcc``, ELFv2) ppc64, at ``-O0`` and ``-O2``, statically linked. Every
variant runs on the engine (``ppcmig.run_user_full``, CPU POWER9) and under
``qemu-ppc64``/``qemu-ppc64le -cpu power9``; stdout bytes and exit codes must be identical.

Binaries are cached in ``<build-dir>/conformance-cache`` under a name derived from the source,
the compiler's version and the flags, so a changed program or toolchain rebuilds by itself.
"""
from __future__ import annotations

import difflib
import functools
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

__all__ = [
    "ENDIANS", "OPTS", "Variant", "RunOutput", "CaseResult", "ToolMissing", "source_dir", "build_dir",
    "cache_dir", "programs", "variants", "missing_tools", "compile_variant", "run_engine", "run_qemu",
    "run_case", "run_all", "failure_report", "engine_speed",
]

ENDIANS = ("be", "le")
OPTS = ("O0", "O2")
#: cross compiler and qemu-user binary per endianness
TOOLS = {
    "be": ("powerpc64-linux-gnu-gcc", "qemu-ppc64"),
    "le": ("powerpc64le-linux-gnu-gcc", "qemu-ppc64le"),
}
CFLAGS = ("-static", "-std=gnu11", "-Wall", "-fno-stack-protector")
LIBS = ("-lm",)
ENGINE_CPU = "POWER9"
QEMU_CPU = "power9"
#: generous instruction budget (stops runaway loops): the largest program retires ~350 million
DEFAULT_MAX_INSNS = 5_000_000_000
DEFAULT_TIMEOUT = 600.0


class ToolMissing(RuntimeError):
    """A cross compiler or qemu-user binary is not installed."""


@dataclass(frozen=True, order=True)
class Variant:
    """One program built one way."""

    program: str
    endian: str  # "be" | "le"
    opt: str  # "O0" | "O2"

    @property
    def id(self) -> str:
        return f"{self.program}-{self.endian}-{self.opt}"

    @property
    def label(self) -> str:
        return f"{self.endian.upper()} -{self.opt}"


@dataclass
class RunOutput:
    """What one run (engine or qemu) produced."""

    exit_code: int
    stdout: bytes
    stderr: bytes = b""
    instructions: int = 0  # engine only
    fault: str = ""  # engine: fatal fault description; qemu: signal name or timeout
    seconds: float = 0.0


@dataclass
class CaseResult:
    """The comparison for one variant. ``status``: "pass", "fail" (engine and qemu differ) or
    "error" (the variant could not be built or run at all)."""

    variant: Variant
    status: str
    engine: RunOutput | None = None
    qemu: RunOutput | None = None
    message: str = ""
    compile_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "pass"


# ---------------------------------------------------------------- locations

def source_dir() -> Path:
    """The repository's ``tests/conformance`` directory."""
    env = os.environ.get("PPCMIG_SOURCE_DIR")
    root = Path(env) if env else Path(__file__).resolve().parents[2]
    return root / "tests" / "conformance"


def build_dir() -> Path:
    """The build directory the ``ppcmig`` package was loaded from."""
    env = os.environ.get("PPCMIG_BUILD_DIR")
    if env:
        return Path(env)
    eng = os.environ.get("PPCMIG_ENGINE")
    if eng:
        return Path(eng).resolve().parent.parent
    from . import _ppcmig  # <build>/python/ppcmig/_ppcmig*.so

    return Path(_ppcmig.__file__).resolve().parents[2]


def cache_dir() -> Path:
    return build_dir() / "conformance-cache"


def programs() -> list[str]:
    """Names (without ``.c``) of the conformance programs, sorted."""
    return sorted(p.stem for p in source_dir().glob("*.c"))


def variants(names: Iterable[str] | None = None, endians: Sequence[str] = ENDIANS,
             opts: Sequence[str] = OPTS) -> list[Variant]:
    """Every (program, endianness, optimisation level) combination, in a stable order."""
    return [Variant(p, e, o) for p in (programs() if names is None else names) for e in endians for o in opts]


# ---------------------------------------------------------------- tools

def missing_tools(endians: Sequence[str] = ENDIANS) -> list[str]:
    """Human-readable descriptions of the missing tools for the given endiannesses."""
    out = []
    for e in endians:
        cc, qemu = TOOLS[e]
        if shutil.which(cc) is None:
            out.append(f"cross compiler {cc} not found (Debian package gcc-{cc.removesuffix('-gcc')})")
        if shutil.which(qemu) is None:
            out.append(f"{qemu} not found (Debian package qemu-user)")
    return out


@functools.lru_cache(maxsize=None)
def _compiler_version(cc: str) -> str:
    try:
        return subprocess.run([cc, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ToolMissing(f"cross compiler {cc} is not usable: {exc}") from exc


def compile_variant(v: Variant, cache: Path | None = None) -> Path:
    """Build ``v`` (or reuse the cached build) and return the executable's path.

    Raises ``ToolMissing`` when the compiler is absent and ``RuntimeError`` with the compiler's
    output when the build fails."""
    cc = TOOLS[v.endian][0]
    if shutil.which(cc) is None:
        raise ToolMissing(f"cross compiler {cc} not found")
    src = source_dir() / f"{v.program}.c"
    flags = [f"-{v.opt}", *CFLAGS]
    key = hashlib.sha256()
    for part in (src.read_bytes(), _compiler_version(cc).encode(), " ".join(flags + list(LIBS)).encode()):
        key.update(part)
        key.update(b"\0")
    out_dir = (cache or cache_dir()) / f"{v.endian}-{v.opt}"
    out = out_dir / f"{v.program}.{key.hexdigest()[:16]}"
    if out.exists():
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    # Build to a private name, then rename: concurrent builders (pytest-xdist) never see a
    # half-written file.
    fd, tmp = tempfile.mkstemp(prefix=f".{v.program}.", dir=out_dir)
    os.close(fd)
    try:
        r = subprocess.run([cc, *flags, str(src), "-o", tmp, *LIBS], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{cc} {' '.join(flags)} {src.name} failed:\n{r.stderr}")
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    # Drop stale builds of the same program/variant.
    for old in out_dir.glob(f"{v.program}.*"):
        if old != out and not old.name.startswith("."):
            old.unlink(missing_ok=True)
    return out


# ---------------------------------------------------------------- running

def run_engine(elf: Path, max_insns: int = DEFAULT_MAX_INSNS) -> RunOutput:
    """Run ``elf`` on the engine (user mode, POWER9)."""
    from . import run_user_full

    t0 = time.perf_counter()
    r = run_user_full(elf, (), ENGINE_CPU, max_insns)
    dt = time.perf_counter() - t0
    return RunOutput(r.exit_code, r.stdout, r.stderr, r.instructions, r.fault, dt)


def run_qemu(elf: Path, endian: str, timeout: float = DEFAULT_TIMEOUT) -> RunOutput:
    """Run ``elf`` under qemu-user; a fatal signal becomes exit code 128+signal, as on the engine."""
    qemu = TOOLS[endian][1]
    if shutil.which(qemu) is None:
        raise ToolMissing(f"{qemu} not found")
    t0 = time.perf_counter()
    try:
        r = subprocess.run([qemu, "-cpu", QEMU_CPU, str(elf)], capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        return RunOutput(124, exc.stdout or b"", exc.stderr or b"", 0, f"timed out after {timeout:.0f} s",
                         time.perf_counter() - t0)
    dt = time.perf_counter() - t0
    code, fault = r.returncode, ""
    if code < 0:
        try:
            fault = f"killed by {signal.Signals(-code).name}"
        except ValueError:
            fault = f"killed by signal {-code}"
        code = 128 - code
    return RunOutput(code, r.stdout, r.stderr, 0, fault, dt)


def run_case(v: Variant, max_insns: int = DEFAULT_MAX_INSNS, timeout: float = DEFAULT_TIMEOUT,
             cache: Path | None = None) -> CaseResult:
    """Build one variant, run it on the engine and under qemu, and compare."""
    t0 = time.perf_counter()
    try:
        elf = compile_variant(v, cache)
    except (ToolMissing, RuntimeError, OSError) as exc:
        return CaseResult(v, "error", message=f"build failed: {exc}")
    ct = time.perf_counter() - t0
    try:
        q = run_qemu(elf, v.endian, timeout)
    except (ToolMissing, OSError) as exc:
        return CaseResult(v, "error", message=str(exc), compile_seconds=ct)
    try:
        e = run_engine(elf, max_insns)
    except Exception as exc:  # noqa: BLE001 - any engine failure is a result to report
        return CaseResult(v, "error", qemu=q, message=f"engine raised {type(exc).__name__}: {exc}",
                          compile_seconds=ct)
    res = CaseResult(v, "pass", e, q, compile_seconds=ct)
    if q.fault:
        res.notes.append(f"qemu: {q.fault}")
    if e.stdout != q.stdout or e.exit_code != q.exit_code:
        res.status = "fail"
        res.message = _summary(e, q)
    return res


def _summary(e: RunOutput, q: RunOutput) -> str:
    parts = []
    if e.exit_code != q.exit_code:
        parts.append(f"exit code engine {e.exit_code} vs qemu {q.exit_code}")
    if e.stdout != q.stdout:
        n = next((i for i, (a, b) in enumerate(zip(e.stdout, q.stdout)) if a != b), min(len(e.stdout), len(q.stdout)))
        line = e.stdout[:n].count(b"\n") + 1
        parts.append(f"stdout differs at byte {n} (line {line}; engine {len(e.stdout)} bytes, qemu {len(q.stdout)})")
    if e.fault:
        parts.append(f"engine: {e.fault}")
    return "; ".join(parts)


def failure_report(res: CaseResult, context: int = 3, max_lines: int = 80) -> str:
    """A readable explanation of a failed case: both exit codes, the engine's fault, and a
    unified diff of stdout (qemu is the expected side)."""
    lines = [f"{res.variant.id}: {res.status}: {res.message}"]
    e, q = res.engine, res.qemu
    if e is not None and q is not None:
        lines.append(f"exit code: engine {e.exit_code}, qemu {q.exit_code}")
        if e.fault:
            lines.append(f"engine fault: {e.fault}")
        if e.stderr:
            lines.append("engine stderr: " + e.stderr.decode("utf-8", "replace")[-1000:])
        if q.fault:
            lines.append(f"qemu: {q.fault}")
        if e.stdout != q.stdout:
            diff = list(difflib.unified_diff(q.stdout.decode("utf-8", "replace").splitlines(),
                                             e.stdout.decode("utf-8", "replace").splitlines(),
                                             "qemu stdout", "engine stdout", n=context, lineterm=""))
            if len(diff) > max_lines:
                diff = diff[:max_lines] + [f"... ({len(diff) - max_lines} more diff lines)"]
            lines.extend(diff)
    return "\n".join(lines)


def _run_case_worker(args: tuple[Variant, int, float, str | None]) -> CaseResult:
    v, max_insns, timeout, cache = args
    return run_case(v, max_insns, timeout, Path(cache) if cache else None)


def run_all(selected: Sequence[Variant] | None = None, jobs: int = 2, max_insns: int = DEFAULT_MAX_INSNS,
            timeout: float = DEFAULT_TIMEOUT,
            progress: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
    """Run many variants on a process pool (``jobs`` workers; the build machines have two cores)
    and return the results in the order of ``selected``.

    Raises ``ToolMissing`` up front when a compiler or qemu needed by ``selected`` is absent."""
    sel = list(variants() if selected is None else selected)
    missing = missing_tools(sorted({v.endian for v in sel}))
    if missing:
        raise ToolMissing("; ".join(missing))
    cache = str(cache_dir())
    # The slower -O0 builds first keeps both workers busy until the end.
    order = sorted(range(len(sel)), key=lambda i: (sel[i].opt != "O0", sel[i].program))
    results: list[CaseResult | None] = [None] * len(sel)
    if jobs <= 1:
        for i in order:
            results[i] = run_case(sel[i], max_insns, timeout, Path(cache))
            if progress:
                progress(results[i])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futs = {pool.submit(_run_case_worker, (sel[i], max_insns, timeout, cache)): i for i in order}
            for fut in as_completed(futs):
                i = futs[fut]
                results[i] = fut.result()
                if progress:
                    progress(results[i])
    return [r for r in results if r is not None]


def engine_speed(results: Iterable[CaseResult]) -> tuple[int, float]:
    """Total guest instructions retired by the engine and the engine's total run time (seconds,
    summed over runs, i.e. single-core time)."""
    insns, secs = 0, 0.0
    for r in results:
        if r.engine is not None:
            insns += r.engine.instructions
            secs += r.engine.seconds
    return insns, secs
