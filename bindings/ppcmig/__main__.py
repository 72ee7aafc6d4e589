"""Entry point for ``python -m ppcmig`` (what build/bin/ppcmig runs)."""
from .cli import main

raise SystemExit(main())
