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
