"""``python -m renderworker``: see renderworker.cli.

The render worker lives in its own environment (``.venv-render``, with torch; see
docs/architecture.md, "Two interpreters"). Started from an interpreter without torch — e.g.
the web side's ``.venv`` — it hands over to ``.venv-render`` when that exists, so
``python -m renderworker render ...`` works from the repository root either way.
"""

import importlib.util
import os
import sys
from pathlib import Path

RENDER_PYTHON = Path(__file__).resolve().parent.parent / ".venv-render" / "bin" / "python"

if importlib.util.find_spec("torch") is None and RENDER_PYTHON.exists() and Path(sys.executable).resolve() != RENDER_PYTHON.resolve():
    os.execv(str(RENDER_PYTHON), [str(RENDER_PYTHON), "-m", "renderworker", *sys.argv[1:]])

from renderworker.cli import main  # noqa: E402

sys.exit(main())
