"""A stand-in for ``_ppcmig.run_scenario`` that speaks the JSON contract of
engine/src/runner/README.md without running anything, for tests of the Python layer.

The verdict comes from ``$PPCMIG_FAKE_VERDICTS`` (JSON: {substring of the scenario name: verdict};
default ``ok``), so subprocesses and pytest-xdist workers see the same fake. ``install()`` puts it
on the module (tests monkeypatch instead) and points $PPCMIG_ENGINE at fake_engine.py, its
counterpart for isolated runs.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

DETAILS: dict[str, dict[str, Any]] = {
    "ok": {},
    "unsupported": {"side": "destination", "message": "unknown machine type 'pseries-2.9'"},
    "start_fail": {"side": "destination", "message": "cap-htm=on is not supported", "hint": "use cap-htm=off"},
    "load_fail": {"chain": ["Failed to load cpu:insns_flags", "error while loading state for instance 0x0 of device 'cpu'",
                            "load of migration failed: Invalid argument"],
                  "section": "cpu", "instance": 0, "field": "insns_flags", "offset": 4660, "errno": -22},
    "program_interrupt": {"vcpu": 0, "tick": 1000123, "vector": "0x700", "srr0": 66048, "srr1": 0x8000000000081000,
                          "reason": "illegal instruction", "insn": "popcntd r3,r4", "word": 0x7C8303F4, "isa": "2.06",
                          "pcr": 0xE, "compat_pvr": 0x0F000003, "reference_insn_effect": "r3 = 0x20"},
    "divergence": {"at_resume": {"registers": [{"name": "dec", "reference": 1, "migrated": 2}], "pages": []},
                   "first": {"vcpu": 0, "tick": 1000500, "pc": 0x10400, "insn": "mfdec r3", "word": 0x7C7602A6,
                             "isa": "2.00", "registers": [{"name": "r3", "reference": 0x100, "migrated": 0x200}],
                             "pages": [], "interrupt": None},
                   "console": None, "last_insns": ["10400: mfdec r3"]},
    "hang": {"reason": "all vCPUs idle with no timer armed", "time_base": 2000000, "reference_finished_at": 1500000,
             "vcpus": [{"index": 0, "nip": 0x10500, "ceded": True, "dec": 0xFFFFFFFF}]},
    "crash": {"what": "std::out_of_range: vector", "where": "hop 0"},
}


def _verdict(name: str) -> str:
    table = json.loads(os.environ.get("PPCMIG_FAKE_VERDICTS", "{}"))
    for key in sorted(table, key=len, reverse=True):
        if key == name or key in name:
            return table[key]
    return "ok"


def run_scenario(spec_json: str) -> str:
    spec = json.loads(spec_json)
    verdict = _verdict(spec["name"])
    what = json.dumps({k: v for k, v in spec.items() if k != "artifacts"}, sort_keys=True)
    run = {"stop": "poweroff", "time_base": 1500000, "console": "RESULT PASS\n", "result_line": "RESULT PASS",
           "state_sha256": hashlib.sha256(what.encode()).hexdigest()}
    result: dict[str, Any] = {
        "format": "ppcmig-result", "format_version": 1, "name": spec["name"], "verdict": verdict,
        "summary": f"fake {verdict}" + (": Failed to load cpu:insns_flags" if verdict == "load_fail" else ""),
        "hop": None if verdict == "ok" else 0, "details": DETAILS[verdict],
        "reference": run, "migrated": run if verdict == "ok" else {**run, "result_line": None},
        "streams": [{"hop": i, "bytes": 1234, "sha256": "ab" * 32, "precopy": None} for i, _ in enumerate(spec["hops"])],
        "warnings": [], "artifacts": None,
    }
    body = {k: v for k, v in result.items() if k not in ("artifacts", "digest")}
    # The digest covers the spec too (less its artifacts), as a deterministic runner's would.
    body["spec"] = {k: v for k, v in spec.items() if k != "artifacts"}
    result["digest"] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    if spec.get("artifacts"):
        out = Path(spec["artifacts"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "scenario.json").write_text(json.dumps(spec, indent=2) + "\n")
        result["artifacts"] = {"dir": str(out), "files": ["scenario.json"]}
    return json.dumps(result)


def builds() -> list[str]:
    return ["2.6", "2.7", "2.7.1", "2.8-compat-rfc", "2.8", "2.9", "2.10", "4.2", "head"]


FAKE_ENGINE = Path(__file__).resolve().parent / "fake_engine.py"


def install() -> None:
    """Put the fake on ``ppcmig._ppcmig`` (for a conftest of a subprocess test run)."""
    from ppcmig import _ppcmig

    _ppcmig.run_scenario = run_scenario  # type: ignore[attr-defined]
    os.environ["PPCMIG_ENGINE"] = str(FAKE_ENGINE)  # isolated runs: the same fake in a process
