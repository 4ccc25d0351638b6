"""`python -m planner`: the same command as `planner`."""

import sys

from planner.cli import main

sys.exit(main())
