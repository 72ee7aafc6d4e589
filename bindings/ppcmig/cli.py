"""The ``ppcmig`` command line."""
from __future__ import annotations

import argparse
import sys

from . import disassemble
from .cli_scenarios import add_scenario_commands


def _cmd_disasm(ns: argparse.Namespace) -> int:
    data = b"".join(int(w, 16).to_bytes(4, "little" if ns.le else "big") for w in ns.words)
    for insn in disassemble(data, ns.address, ns.le):
        print(f"{insn.address:8x}:\t{insn.text}")
    return 0


def _cmd_demo(ns: argparse.Namespace) -> int:
    """The main job for now: the user-mode conformance corpus, engine against qemu-user."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from . import conformance as conf

    console = Console()
    if not console.is_terminal:  # a log file: room for the whole table
        console = Console(width=150)
    names = ns.program or conf.programs()
    unknown = sorted(set(names) - set(conf.programs()))
    if unknown:
        console.print(f"[red]unknown program(s): {', '.join(unknown)}[/] (have: {', '.join(conf.programs())})")
        return 2
    endians = conf.ENDIANS if ns.endian == "both" else (ns.endian,)
    opts = conf.OPTS if ns.opt == "both" else (ns.opt,)
    selected = conf.variants(names, endians, opts)
    missing = conf.missing_tools(endians)
    if missing:
        for m in missing:
            console.print(f"[red]missing tool:[/] {m}")
        console.print("conformance: not run (install the tools above, e.g. with scripts/setup.sh)")
        return 2

    console.print(f"ppcmig conformance: {len(names)} programs x {len(endians)} byte orders x {len(opts)} "
                  f"optimisation levels = {len(selected)} runs, engine (POWER9) vs qemu-user (-cpu power9), "
                  f"{ns.jobs} jobs; builds cached in {conf.cache_dir()}")
    t0 = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as prog:
        task = prog.add_task("running", total=len(selected))

        def step(r: conf.CaseResult) -> None:
            prog.update(task, advance=1, description=f"{r.variant.id}: {r.status}")

        results = conf.run_all(selected, jobs=ns.jobs, max_insns=ns.max_insns, progress=step)
    wall = time.perf_counter() - t0

    table = Table(title="engine vs qemu-user: stdout bytes and exit code")
    table.add_column("program")
    table.add_column("variant")
    table.add_column("result")
    table.add_column("exit", justify="right")
    table.add_column("stdout", justify="right")
    table.add_column("instructions", justify="right")
    table.add_column("engine s", justify="right")
    table.add_column("qemu s", justify="right")
    table.add_column("note", overflow="fold", max_width=60)
    for r in results:
        e, q = r.engine, r.qemu
        mark = {"pass": "[green]match[/]", "fail": "[red]mismatch[/]"}.get(r.status, "[red]error[/]")
        exit_col = f"{e.exit_code}" if e and q and e.exit_code == q.exit_code else (
            f"{e.exit_code if e else '-'}/{q.exit_code if q else '-'}")
        table.add_row(r.variant.program, r.variant.label, mark, exit_col,
                      f"{len(q.stdout)}" if q else "-", f"{e.instructions:,}" if e else "-",
                      f"{e.seconds:.2f}" if e else "-", f"{q.seconds:.2f}" if q else "-",
                      "" if r.passed else r.message)
    console.print(table)

    if ns.verbose:
        for r in results:
            if not r.passed:
                console.rule(r.variant.id)
                console.print(conf.failure_report(r), markup=False, highlight=False)

    insns, secs = conf.engine_speed(results)
    if secs > 0:
        console.print(f"engine speed: {insns:,} guest instructions in {secs:.2f} s of engine time = "
                      f"{insns / secs / 1e6:.1f} MIPS per core (information only; wall time {wall:.1f} s)")
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    style = "green" if failed == 0 else "red"
    console.print(f"[{style}]conformance: {passed} passed, {failed} failed[/]")
    return 0 if failed == 0 else 1


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    p = argparse.ArgumentParser(prog="ppcmig", description="PowerPC migration-compatibility testing")
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("disasm", help="disassemble hex instruction words")
    d.add_argument("--le", action="store_true")
    d.add_argument("--address", type=lambda s: int(s, 0), default=0)
    d.add_argument("words", nargs="+")
    d.set_defaults(fn=_cmd_disasm)
    m = sub.add_parser("demo", help="the user-mode conformance corpus compared with qemu-user (the first main job)")
    m.add_argument("-j", "--jobs", type=int, default=2, help="parallel runs (default 2)")
    m.add_argument("-p", "--program", action="append", help="only this program (repeatable)")
    m.add_argument("--endian", choices=("be", "le", "both"), default="both")
    m.add_argument("--opt", choices=("O0", "O2", "both"), default="both")
    m.add_argument("--max-insns", type=int, default=5_000_000_000, help="engine instruction budget per run")
    m.add_argument("-v", "--verbose", action="store_true", help="print a diff for every mismatch")
    m.set_defaults(fn=_cmd_demo)
    add_scenario_commands(sub)
    ns = p.parse_args(argv)
    return int(ns.fn(ns))


if __name__ == "__main__":
    sys.exit(main())
