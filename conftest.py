"""Root conftest: the ppcmig pytest plugin (scenario files as test items) for every pytest run in
this repository. The built package is put on the path first, as tests/python/conftest.py does,
so that running pytest by hand needs no PYTHONPATH."""
from __future__ import annotations

import os
import sys
from pathlib import Path

_python = Path(os.environ.get("PPCMIG_BUILD_DIR", Path(__file__).resolve().parent / "build")) / "python"
if str(_python) not in sys.path and _python.is_dir():
    sys.path.insert(0, str(_python))

pytest_plugins = ["ppcmig.pytest_plugin"]
