"""``python -m loader`` is ``cd2``."""

import sys

from loader.cli import main

sys.exit(main())
