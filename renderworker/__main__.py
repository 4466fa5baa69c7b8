"""``python -m renderworker``: see renderworker.cli."""

import sys

from renderworker.cli import main

sys.exit(main())
