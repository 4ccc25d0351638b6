"""The planner's version, from the installed distribution's metadata (one place for the CLI, sweeps and reports)."""

from __future__ import annotations

from importlib import metadata

try:
    VERSION = metadata.version("consolidation-planner")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    VERSION = "0+unknown"
