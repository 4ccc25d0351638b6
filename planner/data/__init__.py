"""Bundled data: overhead, platform and cost profiles, and the sample estate.

In a source checkout they live at the top (`models/`, `sample_data/`); an installed wheel carries
them here as package data (`planner/data/models`, `planner/data/sample`)."""

from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parent.parent


def _bundled(packaged: str, checkout: str) -> Path:
    """The installed package's copy when there is one, else the source checkout's folder."""
    inside = _HERE / packaged
    return inside if inside.is_dir() else _CHECKOUT / checkout


MODELS_DIR = Path(os.environ.get("PLANNER_MODELS_DIR") or _bundled("models", "models"))
SAMPLE_DIR = _bundled("sample", "sample_data")
SAMPLE_ESTATE = SAMPLE_DIR / "estate.xlsx"
SAMPLE_SERVERS = SAMPLE_DIR / "servers.csv"
SAMPLE_USAGE = SAMPLE_DIR / "usage.csv"  # a week of the sample estate's measured use, hourly
