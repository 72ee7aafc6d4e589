"""Make the built package importable when pytest is run by hand (ctest sets PYTHONPATH itself)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

_build = Path(os.environ.get("PPCMIG_BUILD_DIR", Path(__file__).resolve().parents[2] / "build"))
if str(_build / "python") not in sys.path and (_build / "python").is_dir():
    sys.path.insert(0, str(_build / "python"))
os.environ.setdefault("PPCMIG_ENGINE", str(_build / "bin" / "ppcmig-engine"))
os.environ.setdefault("PPCMIG_BUILD_DIR", str(_build))  # guests for scenarios built by tests in temporary directories


def pytest_configure(config) -> None:  # noqa: ANN001 - pytest's Config
    # test_runner_external.py: an engine built from an earlier commit (minutes once, then cached).
    config.addinivalue_line("markers", "slow: builds or runs something expensive the first time")
