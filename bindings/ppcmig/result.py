"""The runner's result (engine/src/runner/README.md, "Result") and its human explanation."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["Result", "ResultError", "RESULT_FORMAT"]

RESULT_FORMAT = "ppcmig-result"


class ResultError(ValueError):
    """The runner returned something that is not a result of the known format."""


def _hex(v: Any) -> str:
    return f"0x{v:x}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def _num(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def _tail(text: Any, lines: int = 4) -> list[str]:
    return str(text).rstrip("\n").splitlines()[-lines:] if text else []


@dataclass(frozen=True)
class Result:
    """One scenario's outcome: the verdict, the one-line summary, the per-verdict ``details``, both
    runs' end states, the streams, and how to reproduce it (``replay_command``)."""

    name: str
    verdict: str
    summary: str
    hop: int | None
    details: Mapping[str, Any]
    reference: Mapping[str, Any] | None
    migrated: Mapping[str, Any] | None
    streams: list[Mapping[str, Any]]
    warnings: list[str]
    artifacts: Mapping[str, Any] | None
    digest: str
    raw: str = field(repr=False)
    replay_command: str = ""
    spec: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, raw: str, replay_command: str = "", spec: Mapping[str, Any] | None = None) -> "Result":
        """Parse the runner's result JSON; :class:`ResultError` names what is wrong with it."""
        try:
            d = json.loads(raw)
        except json.JSONDecodeError as e:
            raise ResultError(f"result: not JSON: {e}") from None
        if not isinstance(d, dict) or d.get("format") != RESULT_FORMAT:
            raise ResultError(f"result: expected format {RESULT_FORMAT!r}, got {d.get('format') if isinstance(d, dict) else d!r}")
        for key in ("verdict", "summary", "digest"):
            if not isinstance(d.get(key), str):
                raise ResultError(f"result: /{key}: expected a string")
        return cls(name=str(d.get("name", "")), verdict=d["verdict"], summary=d["summary"], hop=d.get("hop"),
                   details=d.get("details") or {}, reference=d.get("reference"), migrated=d.get("migrated"),
                   streams=list(d.get("streams") or []), warnings=list(d.get("warnings") or []),
                   artifacts=d.get("artifacts"), digest=d["digest"], raw=raw, replay_command=replay_command,
                   spec=dict(spec or {}))

    @property
    def details_text(self) -> str:
        """``details`` as JSON text (what ``expect_detail`` is searched in, with the summary)."""
        return json.dumps(self.details, ensure_ascii=False, sort_keys=True)

    @property
    def where(self) -> str:
        """``source``, ``hop 1`` or ``""`` (the side the verdict arose on)."""
        return "" if self.hop is None else f"hop {self.hop}"

    def explain(self) -> str:
        """Several lines for a maintainer: verdict and summary, the details that matter for this
        verdict, both runs' ends, warnings, artifacts and the replay command."""
        head = f"{self.verdict}" + (f" at hop {self.hop}" if self.hop is not None else "")
        out = [f"scenario:  {self.name}", f"verdict:   {head}", f"summary:   {self.summary}"]
        body = _EXPLAIN.get(self.verdict, _explain_generic)(self.details)
        out += [f"  {line}" for line in body]
        for label, run in (("reference", self.reference), ("migrated", self.migrated)):
            if run:
                stop = run.get("stop", "?")
                tb = f" at TB {_num(run['time_base'])}" if "time_base" in run else ""
                line = f" ({run['result_line']})" if run.get("result_line") else ""
                out.append(f"{label + ':':11s}{stop}{tb}{line}")
        for s in self.streams:
            pre = s.get("precopy")
            pre_text = f", pre-copy {pre.get('iterations', '?')} iterations" if isinstance(pre, Mapping) else ""
            sha = str(s.get("sha256", ""))[:16]
            out.append(f"stream:    hop {s.get('hop', '?')}: {_num(s.get('bytes', '?'))} bytes, sha256 {sha}…{pre_text}")
        out += [f"warning:   {w}" for w in self.warnings]
        if self.artifacts:
            out.append(f"artifacts: {self.artifacts.get('dir', '')}")
        if self.replay_command:
            out.append(f"replay:    {self.replay_command}")
        return "\n".join(out)


def _explain_generic(d: Mapping[str, Any]) -> list[str]:
    return [f"{k}: {json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}" for k, v in d.items()]


def _explain_ok(d: Mapping[str, Any]) -> list[str]:
    return _explain_generic(d)


def _explain_refused(d: Mapping[str, Any]) -> list[str]:
    out = [f"{d.get('side', '?')} refused: {d.get('message', '')}"]
    if d.get("hint"):
        out.append(f"hint: {d['hint']}")
    return out + _explain_generic({k: v for k, v in d.items() if k not in ("side", "message", "hint")})


def _explain_load_fail(d: Mapping[str, Any]) -> list[str]:
    out = ["the destination rejected the stream:"]
    out += [f"  {m}" for m in d.get("chain", [])]
    where = [f"{k} {_hex(d[k]) if k == 'offset' else d[k]}" for k in ("section", "instance", "field", "offset", "errno")
             if d.get(k) is not None]
    if where:
        out.append("at " + ", ".join(where))
    return out


def _explain_program_interrupt(d: Mapping[str, Any]) -> list[str]:
    out = [f"vCPU {d.get('vcpu', '?')} took a Program interrupt ({d.get('vector', '0x700')}, "
           f"{d.get('reason', 'reason unknown')}) at tick {_num(d.get('tick', '?'))} that the reference did not"]
    insn = d.get("insn")
    if insn is not None:
        word = f" [{_hex(d['word'])}]" if d.get("word") is not None else ""
        isa = f", ISA {d['isa']}" if d.get("isa") else ""
        out.append(f"instruction: {insn}{word}{isa}")
    regs = [f"{k} {_hex(d[k])}" for k in ("srr0", "srr1", "pcr") if d.get(k) is not None]
    if isinstance(d.get("compat_pvr"), int):
        regs.append(f"compat_pvr 0x{d['compat_pvr']:08x}")
    elif d.get("compat_pvr") is not None:
        regs.append(f"compat_pvr {d['compat_pvr']}")
    if regs:
        out.append(", ".join(regs))
    if d.get("reference_insn_effect"):
        out.append(f"in the reference: {d['reference_insn_effect']}")
    return out


def _explain_divergence(d: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    first = d.get("first")
    if first:
        insn = f": {first['insn']}" if first.get("insn") else ""
        isa = f" (ISA {first['isa']})" if first.get("isa") else ""
        out.append(f"first difference: vCPU {first.get('vcpu', '?')} at tick {_num(first.get('tick', '?'))}, "
                   f"pc {_hex(first.get('pc', '?'))}{insn}{isa}")
        for r in first.get("registers") or []:
            out.append(f"  {r.get('name', '?'):12s} reference {_hex(r.get('reference'))}  migrated {_hex(r.get('migrated'))}")
        for p in first.get("pages") or []:
            out.append(f"  page {_hex(p.get('address'))}+{_hex(p.get('offset'))}: reference {p.get('reference')}  "
                       f"migrated {p.get('migrated')}")
        if first.get("interrupt"):
            i = first["interrupt"]
            out.append(f"  interrupt: reference {i.get('reference')}, migrated {i.get('migrated')}")
    at_resume = d.get("at_resume") or {}
    regs, pages = at_resume.get("registers") or [], at_resume.get("pages") or []
    if regs or pages:
        names = [r.get("name", "?") if isinstance(r, Mapping) else str(r) for r in regs]
        out.append(f"at resume: {len(regs)} register(s) differ{': ' + ', '.join(names[:8]) if names else ''}; "
                   f"{len(pages)} page(s) differ")
    console = d.get("console")
    if console:
        out.append("console, reference ends:")
        out += [f"  | {line}" for line in _tail(console.get("reference_tail"))]
        out.append("console, migrated ends:")
        out += [f"  | {line}" for line in _tail(console.get("migrated_tail"))]
    last = d.get("last_insns") or []
    if last:
        out.append("last instructions of the migrated run:")
        out += [f"  {line}" for line in last[-8:]]
    return out or _explain_generic(d)


def _explain_hang(d: Mapping[str, Any]) -> list[str]:
    out = [f"{d.get('reason', 'no progress')}, at TB {_num(d.get('time_base', '?'))}"]
    if d.get("reference_finished_at") is not None:
        out.append(f"the reference finished at TB {_num(d['reference_finished_at'])}")
    for v in d.get("vcpus") or []:
        out.append(f"  vCPU {v.get('index', '?')}: nip {_hex(v.get('nip'))}, ceded {v.get('ceded')}, dec {_hex(v.get('dec'))}")
    return out


def _explain_crash(d: Mapping[str, Any]) -> list[str]:
    return [f"the engine failed in {d.get('where', '?')}: {d.get('what', '')}",
            "this is an engine bug: the replay command below reproduces it"]


_EXPLAIN = {
    "ok": _explain_ok, "unsupported": _explain_refused, "start_fail": _explain_refused,
    "load_fail": _explain_load_fail, "program_interrupt": _explain_program_interrupt,
    "divergence": _explain_divergence, "hang": _explain_hang, "crash": _explain_crash,
}
