#!/usr/bin/python3
"""A stand-in for ``ppcmig-engine run-scenario SPEC.json`` (isolated runs) built on fake_runner:
the result of ``fake_runner.run_scenario`` on stdout. Verdicts of ``$PPCMIG_FAKE_VERDICTS`` that
are not verdicts make the process misbehave as an engine could: ``die:SIGNAME`` kills it with
that signal, ``exit:N`` exits N without a result, ``sleep`` never finishes, ``spec_error``
refuses the spec as the engine does (exit 3). With $PPCMIG_FAKE_ENGINE_OLD set it is an engine
that predates run-scenario (exit 2, as ppcmig-engine answers an unknown command)."""
from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fake_runner  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "run-scenario" or os.environ.get("PPCMIG_FAKE_ENGINE_OLD"):
        print(f'ppcmig-engine: unknown command "{argv[0] if argv else ""}"', file=sys.stderr)
        return 2
    text = Path(argv[1]).read_text()
    behaviour = fake_runner._verdict(json.loads(text)["name"])
    if behaviour.startswith("die:"):
        print("fake engine: about to die", file=sys.stderr, flush=True)
        sig = getattr(signal, behaviour[4:])
        signal.signal(sig, signal.SIG_DFL)  # a preloaded sanitizer runtime would catch it otherwise
        os.kill(os.getpid(), sig)
    if behaviour.startswith("exit:"):
        print("fatal: fake engine gives up", file=sys.stderr)
        return int(behaviour[5:])
    if behaviour == "sleep":
        time.sleep(120)
    if behaviour == "spec_error":
        print("scenario spec /hops/0/at_insns: expected a non-negative integer", file=sys.stderr)
        return 3
    print(fake_runner.run_scenario(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
