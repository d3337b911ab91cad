"""``python -m emulator``: the same as ``cd2-emulator``."""

import sys

from emulator.cli import main

sys.exit(main())
