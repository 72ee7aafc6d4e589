"""Conformance corpus (tests/conformance/*.c): every program, big- and little-endian, -O0 and -O2,
built with Debian's cross compilers at test time and run on the engine and under qemu-user; stdout
bytes and exit codes must be identical. Skips only when a cross compiler or qemu is not installed."""
from __future__ import annotations

import pytest

from ppcmig import conformance as conf

VARIANTS = conf.variants()


def test_corpus_is_present() -> None:
    assert len(conf.programs()) >= 12, f"expected the conformance corpus in {conf.source_dir()}"


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.id for v in VARIANTS])
def test_engine_matches_qemu(variant: conf.Variant) -> None:
    missing = conf.missing_tools([variant.endian])
    if missing:
        pytest.skip("; ".join(missing))
    res = conf.run_case(variant)
    assert res.status != "error", res.message
    assert res.passed, conf.failure_report(res)


def test_failure_report_shows_diff_and_exit_codes() -> None:
    v = conf.Variant("example", "be", "O2")
    res = conf.CaseResult(v, "fail", conf.RunOutput(132, b"a\nb\n", fault="program interrupt at 0x10"),
                          conf.RunOutput(7, b"a\nc\n"), message="differs")
    text = conf.failure_report(res)
    assert "exit code: engine 132, qemu 7" in text
    assert "program interrupt at 0x10" in text
    assert "-c" in text and "+b" in text and "--- qemu stdout" in text
