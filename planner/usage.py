"""Utilization over time: a measured history, and the demand over time a plan must carry.

A `UsageHistory` is what a file said, on one grid of equal intervals (`start`, `step`): for each
workload its CPU and memory use per interval, in percent of its allocation or in absolute units
(cores, GB), NaN where it has no sample. `DemandOverTime` is what sizing made of it for the
planned servers: per workload and interval, cores and GB used (for the replay), and per time
bucket the demand to pack (a percentile of the bucket's samples times the comfort factor).

Time buckets (`time_buckets`): `interval` (each sampling interval its own bucket: the percentile
then applies to each *server's* load, as the issue of peaks that do not coincide asks: within its
ceiling, at measured use times the comfort factor, in all but the estate's busiest (100 - p)% of
intervals, and within 100% of its capacity at measured use in those), or `hour_of_day`,
`hour_of_week`, `interval_of_day`, `interval_of_week` (recurring slots: a day or a week folded onto
itself, each workload at its percentile of the slot's samples times the comfort factor).
This module imports numpy and nothing of the project but the limits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

SIZINGS = ("allocation", "demand", "percentile")
MEMORY_SIZINGS = ("history", "allocation")
PACKINGS = ("independent", "time_aware")
TIME_BUCKETS = ("interval", "hour_of_day", "hour_of_week", "interval_of_day", "interval_of_week")
MAX_HISTORY_CELLS = 50_000_000  # workloads x intervals of one history: 400 MB of float64 per resource at most
MAX_BUCKETS = 50_000  # time buckets a plan is checked in (a month of 1-minute samples is 43,200)
DAY, WEEK = 86_400, 604_800


def history_settings_problem(settings: object) -> str | None:
    """Why a Settings' sizing and history settings cannot be taken, or None (checked by Settings)."""
    sizing, packing = getattr(settings, "sizing", None), getattr(settings, "packing", None)
    percentile, window_days = getattr(settings, "percentile", None), getattr(settings, "window_days", None)
    memory_sizing, buckets = getattr(settings, "memory_sizing", None), getattr(settings, "time_buckets", None)
    if sizing not in SIZINGS:
        return f"setting sizing must be one of {', '.join(SIZINGS)}, got {sizing!r}"
    if packing == "time_aware" and sizing != "percentile":
        return "setting packing = time_aware needs sizing = percentile (and a utilization history)"
    for name, value, low, high in (("percentile", percentile, 1.0, 100.0), ("window_days", window_days, 0.0, 3660.0)):
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high or value == 0:
            return f"setting {name} must be a number above {low:g} and at most {high:g}, got {value!r}"
    for name, value, allowed in (
        ("memory_sizing", memory_sizing, MEMORY_SIZINGS),
        ("packing", packing, PACKINGS),
        ("time_buckets", buckets, TIME_BUCKETS),
    ):
        if value not in allowed:
            return f"setting {name} must be one of {', '.join(allowed)}, got {value!r}"
    return None


@dataclass(frozen=True, eq=False)
class UsageHistory:
    """Measured use per workload on one grid: row w of `cpu`/`memory` is workload `names[w]`.

    `cpu_absolute[w]` says row w of `cpu` is in cores used (else percent of the allocation); likewise memory in GB.
    `start` is the first interval's time (seconds since 1970 UTC, or 0 for an interval index), `step` its length.
    """

    names: tuple[str, ...]
    start: int
    step: int
    cpu: np.ndarray
    memory: np.ndarray
    cpu_absolute: tuple[bool, ...]
    memory_absolute: tuple[bool, ...]
    source: str = ""
    notes: tuple[str, ...] = ()
    dated: bool = True  # times are real dates (else seconds or interval indexes from an arbitrary origin)

    @property
    def intervals(self) -> int:
        """Intervals on the grid."""
        return int(self.cpu.shape[1]) if self.cpu.ndim == 2 else 0


@dataclass(frozen=True, eq=False)
class DemandOverTime:
    """What a plan must carry over time, per workload in estate order (flat rows for workloads without history).

    `cpu_cores`/`memory_gb` (workloads x intervals) are measured use in planned cores and GB, for the
    replay; `bucket_cpu`/`bucket_memory` (workloads x buckets) the sized demand per time bucket, for packing.
    """

    names: tuple[str, ...]
    start: int
    step: int
    cpu_cores: np.ndarray
    memory_gb: np.ndarray
    bucket_cpu: np.ndarray
    bucket_memory: np.ndarray
    bucket_labels: tuple[str, ...]
    dated: bool = True
    source: str = ""  # the history's file (and sheet)
    full: np.ndarray | None = None  # per bucket: held at 100% of capacity at measured use (the busiest intervals)

    def at_full(self) -> np.ndarray:
        """Per bucket, True where load is held against 100% of capacity rather than the ceiling."""
        return np.zeros(self.bucket_cpu.shape[1], dtype=bool) if self.full is None else self.full

    @property
    def intervals(self) -> int:
        """Intervals on the grid."""
        return int(self.cpu_cores.shape[1])

    @cached_property
    def rows(self) -> dict[str, int]:
        """Row of each workload by name."""
        return {n: i for i, n in enumerate(self.names)}

    def covering(self, flat: Iterable[tuple[str, float, float]]) -> DemandOverTime:
        """With a flat row (name, cores, GB) for each workload it lacks (added by the study: a control plane)."""
        known = set(self.names)
        extra = [(n, c, m) for n, c, m in flat if n not in known]
        if not extra:
            return self

        def grow(table: np.ndarray, column: int) -> np.ndarray:
            rows = np.array([[row[column]] * table.shape[1] for row in extra], dtype=np.float64)
            return np.vstack([table, rows.reshape(len(extra), table.shape[1])])

        return replace(
            self,
            names=(*self.names, *(n for n, _, _ in extra)),
            cpu_cores=grow(self.cpu_cores, 1),
            memory_gb=grow(self.memory_gb, 2),
            bucket_cpu=grow(self.bucket_cpu, 1),
            bucket_memory=grow(self.bucket_memory, 2),
        )

    def scaled(self, cpu: float, memory: float) -> DemandOverTime:
        """Every workload's demand over time grown by a factor per resource (the growth table's years)."""
        return replace(
            self,
            cpu_cores=self.cpu_cores * cpu,
            memory_gb=self.memory_gb * memory,
            bucket_cpu=self.bucket_cpu * cpu,
            bucket_memory=self.bucket_memory * memory,
        )

    def time_label(self, t: int) -> str:
        """An interval's start in words: a UTC date and time, or its index."""
        if not self.dated:
            return f"interval {t + 1}"
        stamp = np.datetime64(self.start + t * self.step, "s")
        return str(stamp).replace("T", " ")[:16] + " UTC"


def bucket_of(start: int, step: int, intervals: int, scheme: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each interval's bucket under a scheme, and the buckets' labels (in bucket order)."""
    times = start + step * np.arange(intervals, dtype=np.int64)
    if scheme == "interval":
        return np.arange(intervals), tuple(f"interval {t + 1}" for t in range(intervals))
    cycle = DAY if scheme.endswith("_day") else WEEK
    width = 3600 if scheme.startswith("hour") else max(1, step)
    slot = ((times % cycle) // width).astype(np.int64)
    used = np.unique(slot)
    index = np.searchsorted(used, slot)
    per_day = DAY // width
    days = ("Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed")  # 1 Jan 1970 was a Thursday

    def label(s: int) -> str:
        minute = (s % per_day) * width // 60
        clock = f"{minute // 60:02d}:{minute % 60:02d}"
        return clock if cycle == DAY else f"{days[(s // per_day) % 7]} {clock}"

    return index, tuple(label(int(s)) for s in used)


def percentile_by_bucket(values: np.ndarray, index: np.ndarray, buckets: int, q: float) -> np.ndarray:
    """Per row and bucket, the q-th percentile of the row's samples in the bucket (linear interpolation,
    as Excel's PERCENTILE.INC); NaN samples are skipped, a bucket with none takes the row's own percentile."""
    rows = values.shape[0]
    out = np.empty((rows, buckets), dtype=np.float64)
    overall = _nanpercentile(values, q)
    if buckets == values.shape[1] and np.array_equal(index, np.arange(buckets)):
        out[:] = values
    else:
        order = np.argsort(index, kind="stable")
        bounds = np.searchsorted(index[order], np.arange(buckets + 1))
        for b in range(buckets):
            cols = order[bounds[b] : bounds[b + 1]]
            out[:, b] = _nanpercentile(values[:, cols], q)
    missing = np.isnan(out)
    out[missing] = np.broadcast_to(overall[:, None], out.shape)[missing]
    return np.nan_to_num(out, nan=0.0)


def _nanpercentile(values: np.ndarray, q: float) -> np.ndarray:
    """Row-wise percentile ignoring NaN; NaN for a row with no sample."""
    out = np.full(values.shape[0], np.nan)
    if values.shape[1] == 0:
        return out
    seen = ~np.all(np.isnan(values), axis=1)
    if seen.any():
        out[seen] = np.nanpercentile(values[seen], q, axis=1)
    return out
