"""Lay validated samples on one grid of equal intervals, repairing what real exports do and saying so.

The grid's interval is the finest any workload is sampled at (each workload's own interval is its
most common step); a workload sampled more coarsely holds each sample for its own interval;
two samples of a workload in one interval keep the larger (never understate a peak); intervals
without a sample stay empty (gaps: left out of percentiles, bridged by the last sample in the
replay). Times given as interval numbers are read as 5-minute intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.input_errors import InputError, InputProblem
from planner.usage import MAX_HISTORY_CELLS, UsageHistory

INDEX_STEP_S = 300  # the interval an interval number stands for: 5 minutes, the common collector default


@dataclass(frozen=True)
class Samples:
    """Validated samples: the workloads' names (sorted), each sample's workload (an index into them) and time,
    and per value column (values, how many were capped over 100%)."""

    names: np.ndarray
    codes: np.ndarray
    times: np.ndarray
    values: dict[str, tuple[np.ndarray, int]]


def _step(times: np.ndarray) -> int:
    """A workload's sampling interval: the most common step between its distinct times (0 with one sample)."""
    ordered = np.sort(times)
    steps = np.diff(ordered)
    steps = steps[steps > 0]
    if not len(steps):
        return 0
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])


def build_history(samples: Samples, label: str, dated: bool, notes: list[str]) -> UsageHistory:
    """The samples on one grid, per workload and value column, with every repair named in the notes."""
    names, codes = samples.names, samples.codes
    times = samples.times.astype(np.int64)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    own = np.array([_step(times[order[bounds[w] : bounds[w + 1]]]) for w in range(len(names))], dtype=np.int64)
    stepped = own[own > 0]
    step = int(stepped.min()) if len(stepped) else (INDEX_STEP_S if dated else 1)
    if not dated and step == 1:
        times, step = times * INDEX_STEP_S, INDEX_STEP_S
        own = own * INDEX_STEP_S
        notes.append("times are interval numbers: read as 5-minute intervals")
    if len(set(stepped.tolist())) > 1:
        notes.append(
            f"mixed sampling intervals ({', '.join(_duration(int(s)) for s in sorted(set(stepped.tolist())))}): laid on a "
            f"{_duration(step)} grid, each coarser sample held for its own interval"
        )
    start = int(times.min())
    intervals = int((times.max() - start) // step) + 1
    if len(names) * intervals > MAX_HISTORY_CELLS:
        message = (
            f"{len(names):,} workloads x {intervals:,} intervals of {_duration(step)} is over the limit of "
            f"{MAX_HISTORY_CELLS:,}: shorten the history or sample it more coarsely"
        )
        raise InputError([InputProblem(label, None, "time", message)])
    offset = times - start
    slot = offset // step
    if np.any(offset % step):
        off = int(np.count_nonzero(offset % step))
        notes.append(f"{off:,} samples off the {_duration(step)} grid: each counted in the interval it falls in")
    cells = codes * intervals + slot
    ordered = np.sort(cells)
    duplicates = int(np.count_nonzero(ordered[1:] == ordered[:-1]))
    if duplicates:
        notes.append(f"{duplicates:,} duplicate samples (one workload, one interval): the larger value kept")
    hold = np.maximum(1, own // step)
    grids = {t: _grid(v, codes, slot, len(names), intervals, hold) for t, (v, _) in samples.values.items()}
    over = sum(c for _, c in samples.values.values())
    if over:
        notes.append(f"{over:,} percentages above 100 capped at 100 (a workload cannot use more than its allocation)")
    cpu, cpu_abs = _unit(grids, "cpu_pct", "cpu_cores_used", len(names), intervals)
    memory, memory_abs = _unit(grids, "memory_pct", "memory_gb_used", len(names), intervals)
    gaps = int(np.count_nonzero(_gaps(cpu)))
    if gaps:
        notes.append(
            f"{gaps:,} intervals without a sample inside workloads' histories: left out of percentiles, bridged in the replay"
        )
    notes.append(
        f"utilization history {label}: {len(names):,} workloads, {len(times):,} samples, "
        f"{intervals:,} intervals of {_duration(step)}"
    )
    return UsageHistory(
        names=tuple(str(n) for n in names),
        start=start,
        step=step,
        cpu=cpu,
        memory=memory,
        cpu_absolute=tuple(bool(a) for a in cpu_abs),
        memory_absolute=tuple(bool(a) for a in memory_abs),
        source=label,
        notes=tuple(notes),
        dated=dated,
    )


def _grid(values: np.ndarray, codes: np.ndarray, slot: np.ndarray, rows: int, intervals: int, hold: np.ndarray) -> np.ndarray:
    """One value column on the grid: the larger of duplicates, each sample held for its workload's interval."""
    grid = np.full((rows, intervals), np.nan)
    seen = ~np.isnan(values)
    np.fmax.at(grid, (codes[seen], slot[seen]), values[seen])
    for w in np.flatnonzero(hold > 1):
        row = grid[w]
        for k in range(1, int(hold[w])):
            shifted = np.concatenate([np.full(k, np.nan), row[:-k]]) if k < intervals else np.full(intervals, np.nan)
            fill = np.isnan(grid[w]) & ~np.isnan(shifted)
            grid[w][fill] = shifted[fill]
    return grid


def _unit(grids: dict[str, np.ndarray], pct: str, absolute: str, rows: int, intervals: int) -> tuple[np.ndarray, np.ndarray]:
    """Per workload its absolute values where it has any, else its percentages; which rows are absolute."""
    by_pct = grids.get(pct, np.full((rows, intervals), np.nan))
    if absolute not in grids:
        return by_pct, np.zeros(rows, dtype=bool)
    by_abs = grids[absolute]
    is_abs = ~np.all(np.isnan(by_abs), axis=1)
    return np.where(is_abs[:, None], by_abs, by_pct), is_abs


def _gaps(grid: np.ndarray) -> np.ndarray:
    """Empty cells between each workload's first and last sample."""
    seen = ~np.isnan(grid)
    first = np.where(seen.any(axis=1), seen.argmax(axis=1), grid.shape[1])
    last = grid.shape[1] - 1 - seen[:, ::-1].argmax(axis=1)
    cols = np.arange(grid.shape[1])
    inside = (cols[None, :] >= first[:, None]) & (cols[None, :] <= last[:, None])
    return inside & ~seen


def _duration(seconds: int) -> str:
    """A step in words: '5 min', '1 h', '30 s'."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
