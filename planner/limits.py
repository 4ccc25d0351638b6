"""Upper limits on everything an input can ask for, so that no file can make the planner allocate without bound.

Each limit is far above any real estate (the largest two-socket server has a few hundred cores
and a few TB of memory; the largest estates a few hundred thousand workloads; packing benchmarks
use abstract sizes up to millions) and far below what would overflow the solver's integers or
exhaust memory or time: counts (replicas, spares, servers) bound what is allocated, sizes what
is computed. A value over its limit is an input error at its cell, raised
before anything is built from it.
"""

from __future__ import annotations

import re

# Workloads
MAX_WORKLOAD_CORES = 10_000_000.0  # cores (or vCPUs) of one workload (packing benchmarks use abstract units)
MAX_WORKLOAD_MEMORY_GB = 1e9
MAX_STORAGE_GB = 1e12  # for a workload or a server
MAX_REPLICAS = 10_000  # copies of one workload
MAX_TOTAL_REPLICAS = 1_000_000  # replicas of a whole estate
MAX_RATIO = 64.0  # vCPUs per core, overcommit ratios
# Server models
MAX_SERVER_CORES = 10_000_000.0
MAX_SERVER_MEMORY_GB = 1e9
MAX_MONEY = 1e12  # any price or cost
MAX_WATTS = 1_000_000.0
MAX_RACK_UNITS = 100.0
MAX_COUNT = 1_000_000  # servers of one model, spares
MAX_SOCKETS = 64
MAX_GHZ = 10.0
# Settings
MAX_TIME_LIMIT_S = 86_400.0  # a day
MAX_WORKERS = 64
MAX_SPARES = 1_000
MAX_YEARS = 50
MAX_PCT = 10_000.0  # growth and other percentages that may exceed 100
# Text
MAX_NAME = 255  # characters of a name (workload, model, site, zone, group): well under Excel's 32,767 cut
MAX_TEXT = 1_000  # characters of any other text cell
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what a terminal could act on (tab and newline apart)
IN_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # every control character, tab and newline included: none in a cell


def text_problem(text: str, limit: int = MAX_TEXT) -> str | None:
    """Why a text cannot be taken (control characters, length), or None."""
    if IN_TEXT.search(text):
        return "control characters (newline, tab, escape...) are not allowed in text"
    if len(text) > limit:
        return f"text longer than {limit:,} characters"
    return None


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters shown as '?' (no escape sequence reaches it)."""
    return CONTROL.sub("?", text)
