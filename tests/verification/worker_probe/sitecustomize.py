"""Loaded by the test's render worker (PYTHONPATH): at exit, write the names of every module
the process has imported to $KILN_MODULES_FILE, so a test can check that Django is not one."""

import atexit
import os
import sys


def _write_modules() -> None:
    target = os.environ.get("KILN_MODULES_FILE")
    if target:
        with open(target, "w") as handle:
            handle.write("\n".join(sorted(sys.modules)))


atexit.register(_write_modules)
