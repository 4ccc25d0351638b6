"""Percentile sizing from a utilization history, and the demand over time that packing by time needs.

As Azure Migrate's performance-based assessment does (Microsoft Learn, "Assessment overview
(migrate to Azure VMs)": a percentile of the samples collected over a performance history, times
a comfort factor): each workload is sized at the `percentile` of its use over the last
`window_days` of its history, times `comfort_factor`, never above its allocation. CPU use is
in busy cores of the CPU it ran on (percent x vCPUs, or cores used), converted to cores of the
planned servers like demand sizing (`planner.io.cpu_rating`); memory in GB (kept at the
allocation with `memory_sizing = allocation`). Workloads without a history keep their
allocation (or their single usage figures under demand-style sizing) and are named.

For `packing = time_aware` the same arithmetic runs per time bucket (`planner.usage`): the
percentile of the bucket's samples in the window, times the comfort factor, capped at the
allocation. The whole history, unscaled, is kept for the replay.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from planner.domain import Settings, Workload
from planner.io.cpu_rating import Ratings
from planner.io.sizing import demand_size
from planner.usage import DemandOverTime, UsageHistory, bucket_of, percentile_by_bucket

FLOOR = 0.01  # cores and GB: the least a workload is sized at (an idle history still runs something)
NAMED = 10  # workloads named in a note before '...'


def size_by_history(
    raw: Sequence[Workload], sized: Sequence[Workload], history: UsageHistory, settings: Settings, ratings: Ratings
) -> tuple[list[Workload], DemandOverTime, list[str]]:
    """Workloads sized at their history's percentile (same order), their demand over time, and notes."""
    rows = {n: i for i, n in enumerate(history.names)}
    intervals = history.intervals
    window = min(intervals, max(1, math.ceil(settings.window_days * 86_400 / history.step)))
    index, labels = bucket_of(history.start, history.step, intervals, settings.time_buckets)
    in_window = index[intervals - window :]
    used_buckets, in_window = np.unique(in_window, return_inverse=True)
    labels = tuple(labels[b] for b in used_buckets)
    cpu = np.empty((len(raw), intervals))
    memory = np.empty((len(raw), intervals))
    bucket_cpu = np.empty((len(raw), len(labels)))
    bucket_memory = np.empty((len(raw), len(labels)))
    out: list[Workload] = []
    measured: list[bool] = []
    raw_cpu, raw_memory = np.empty((len(raw), len(labels))), np.empty((len(raw), len(labels)))
    q, comfort = settings.percentile, settings.comfort_factor
    for i, (w, s) in enumerate(zip(raw, sized, strict=True)):
        r = rows.get(w.name)
        cpu_t = None if r is None else _cpu_used(history, r, w, ratings)
        if cpu_t is None or np.all(np.isnan(cpu_t[intervals - window :])):
            fallback = _fallback(w, s, settings, ratings)
            out.append(fallback)
            measured.append(False)
            cpu[i], memory[i] = fallback.cpu_cores, fallback.memory_gb
            bucket_cpu[i], bucket_memory[i] = fallback.cpu_cores, fallback.memory_gb
            raw_cpu[i], raw_memory[i] = fallback.cpu_cores, fallback.memory_gb
            continue
        assert r is not None  # a workload with a history row (else its cpu_t is None)
        mem_t = _memory_used(history, r, w, settings)
        cpu_cap = (w.vcpus if w.vcpus is not None else w.cpu_cores) * ratings.factor(w)
        recent_cpu = cpu_t[intervals - window :]
        recent_memory = None if mem_t is None else mem_t[intervals - window :]
        flat_memory = w.memory_gb if recent_memory is None else _sized_at(recent_memory, q, comfort, w.memory_gb)
        out.append(_with_size(w, s, _sized_at(recent_cpu, q, comfort, cpu_cap), flat_memory))
        measured.append(True)
        cpu[i] = _bridged(cpu_t)
        memory[i] = w.memory_gb if mem_t is None else _bridged(mem_t)
        per_bucket = (in_window, len(labels), q)
        bucket_cpu[i], raw_cpu[i] = (_bucketed(recent_cpu, *per_bucket, c, cpu_cap) for c in (comfort, 1.0))
        if recent_memory is None:
            bucket_memory[i] = raw_memory[i] = w.memory_gb
        else:
            bucket_memory[i], raw_memory[i] = (_bucketed(recent_memory, *per_bucket, c, w.memory_gb) for c in (comfort, 1.0))
    full = _busiest(raw_cpu, raw_memory, q) if settings.time_buckets == "interval" else None
    if full is not None:  # the busiest intervals: measured use against 100% of capacity, not use x comfort
        bucket_cpu[:, full] = raw_cpu[:, full]
        bucket_memory[:, full] = raw_memory[:, full]
    demand = DemandOverTime(
        names=tuple(w.name for w in raw),
        start=history.start,
        step=history.step,
        cpu_cores=cpu,
        memory_gb=memory,
        bucket_cpu=np.maximum(bucket_cpu, FLOOR),
        bucket_memory=np.maximum(bucket_memory, FLOOR),
        bucket_labels=labels,
        dated=history.dated,
        source=history.source,
        full=full,
    )
    return out, demand, _notes(raw, measured, history, settings, window)


def _busiest(cpu: np.ndarray, memory: np.ndarray, q: float) -> np.ndarray:
    """The (100 - q)% of intervals where the estate is busiest (cores and memory, each relative to its
    own peak): a server's percentile of load is then within its ceiling whatever it holds."""
    cores, gb = cpu.sum(axis=0), memory.sum(axis=0)
    total = cores / max(1e-9, float(cores.max())) + gb / max(1e-9, float(gb.max()))
    full = np.zeros(cpu.shape[1], dtype=bool)
    count = int((100 - q) / 100 * cpu.shape[1])
    if count:
        full[np.argsort(-total, kind="stable")[:count]] = True
    return full


def _cpu_used(history: UsageHistory, r: int, w: Workload, ratings: Ratings) -> np.ndarray:
    """Busy cores per interval, in cores of the planned servers."""
    row = history.cpu[r].astype(np.float64)
    if not history.cpu_absolute[r]:
        row = row / 100 * (w.vcpus if w.vcpus is not None else w.cpu_cores)
    return row * ratings.factor(w)


def _memory_used(history: UsageHistory, r: int, w: Workload, settings: Settings) -> np.ndarray | None:
    """GB in use per interval, or None when memory stays at its allocation (setting, or no memory in the history)."""
    row = history.memory[r].astype(np.float64)
    if settings.memory_sizing == "allocation" or np.all(np.isnan(row)):
        return None
    return row if history.memory_absolute[r] else row / 100 * w.memory_gb


def _sized_at(values: np.ndarray, q: float, comfort: float, cap: float) -> float:
    """The percentile of the samples (linear, as Excel's PERCENTILE.INC) times the comfort factor, within [FLOOR, cap]."""
    seen = values[~np.isnan(values)]
    if not len(seen):
        return cap
    return float(min(cap, max(FLOOR, np.percentile(seen, q) * comfort)))


def _bucketed(values: np.ndarray, index: np.ndarray, buckets: int, q: float, comfort: float, cap: float) -> np.ndarray:
    """Per bucket the percentile of its samples times the comfort factor, capped at the allocation."""
    per = percentile_by_bucket(values[None, :], index, buckets, q)[0]
    return np.minimum(cap, per * comfort)


def _bridged(values: np.ndarray) -> np.ndarray:
    """A series with gaps filled by the last sample (the first samples by the first seen): for the replay."""
    seen = ~np.isnan(values)
    if seen.all():
        return values
    idx = np.where(seen, np.arange(len(values)), 0)
    np.maximum.accumulate(idx, out=idx)
    filled = values[idx]
    first = int(np.argmax(seen))
    filled[:first] = values[first]
    return filled


def _fallback(w: Workload, s: Workload, settings: Settings, ratings: Ratings) -> Workload:
    """A workload without history: its single usage figures when it has them (times the comfort factor), else as sized."""
    if w.cpu_usage_pct is None and w.memory_usage_pct is None:
        return s
    alloc = w.vcpus if w.vcpus is not None else w.cpu_cores
    cpu = demand_size(alloc, w.cpu_usage_pct, settings) * ratings.factor(w) if w.cpu_usage_pct is not None else s.cpu_cores
    memory = demand_size(w.memory_gb, w.memory_usage_pct, settings) if settings.memory_sizing == "history" else w.memory_gb
    return _with_size(w, s, cpu, memory)


def _with_size(w: Workload, s: Workload, cpu: float, memory: float) -> Workload:
    """The sized workload at new cores and memory, its allocation kept for the Placements sheet."""
    allocated = w.cpu_cores if w.vcpus is None else w.vcpus
    label = "allocated cpu_cores" if w.vcpus is None else "allocated vcpus"
    extra = (*s.extra, (label, allocated), ("allocated memory_gb", w.memory_gb))
    return replace(s, cpu_cores=max(FLOOR, cpu), memory_gb=max(FLOOR, memory), extra=extra)


def _notes(raw: Sequence[Workload], measured: list[bool], history: UsageHistory, settings: Settings, window: int) -> list[str]:
    """What percentile sizing did, for the Assumptions sheet."""
    days = window * history.step / 86_400
    memory = "memory too" if settings.memory_sizing == "history" else "memory kept at its allocation (memory_sizing)"
    notes = [
        f"sized by percentile: {sum(measured):,} workloads at the {settings.percentile:g}th percentile of their last "
        f"{days:.3g} days ({window:,} intervals) x comfort factor {settings.comfort_factor:g}, never above the "
        f"allocation; {memory} (Azure Migrate's performance-based sizing)"
    ]
    missing = [w.name for w, m in zip(raw, measured, strict=True) if not m]
    if missing:
        shown = ", ".join(missing[:NAMED]) + (f" and {len(missing) - NAMED} more" if len(missing) > NAMED else "")
        notes.append(
            f"{len(missing):,} workloads without history in the window kept at their allocation (or usage figures): {shown}"
        )
    if settings.packing == "time_aware":
        buckets = settings.time_buckets.replace("_", " ")
        notes.append(f"packed by time: each server's load held in every {buckets} bucket of the window, not at the sum of peaks")
    return [*history.notes, *notes]
