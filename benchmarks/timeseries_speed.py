"""Speed of the history path: 1,000 workloads with a week of 5-minute samples, read, sized and packed by time.

    python -m benchmarks.timeseries_speed [--workloads 1000] [--days 7] [--time-limit 30]

Generates a seeded estate and its history as a CSV (2 million samples: office-hours, nightly and
bursty workloads), then times each step: reading and validating the history, sizing, the solve
(packing by time within the dashboard's default 30 s), and the replay. The solve's time is the
limit's business; what is measured is what surrounds it, and the ratio of the whole to the limit.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner.io.reader import estate_from_rows
from planner.io.usage import read_usage
from planner.study.pipeline import run_study

START = np.datetime64("2026-11-02T00:00")
CATALOG = [["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"], ["2U-64c-1T", 64, 1024, 8000, 25000]]


def history_csv(path: Path, workloads: int, days: int, seed: int = 3) -> list[str]:
    """Write a long-format history (5-minute samples) and return the workload names."""
    rng = np.random.default_rng(seed)
    steps = days * 288
    times = START + np.arange(steps) * np.timedelta64(5, "m")
    hour = (np.arange(steps) % 288) / 12
    office, night = ((hour >= 8) & (hour < 18)).astype(float), ((hour >= 1) & (hour < 5)).astype(float)
    names = [f"vm-{i:05d}" for i in range(workloads)]
    kind = rng.integers(0, 3, workloads)
    base = rng.uniform(3, 15, workloads)[:, None]
    activity = np.where(kind[:, None] == 0, office, np.where(kind[:, None] == 1, night, rng.random((workloads, steps)) < 0.03))
    cpu = np.clip(base + rng.uniform(30, 70, workloads)[:, None] * activity + rng.normal(0, 2, (workloads, steps)), 0, 100)
    memory = np.clip(40 + 20 * activity + rng.normal(0, 1, (workloads, steps)), 0, 100)
    frame = pd.DataFrame(
        {
            "workload": np.repeat(names, steps),
            "time": np.tile(np.datetime_as_string(times, unit="m"), workloads),
            "cpu_pct": cpu.ravel().round(1),
            "memory_pct": memory.ravel().round(1),
        }
    )
    frame.to_csv(path, index=False)
    return names


def main() -> None:
    """Time each step and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", type=int, default=1000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "usage.csv"
        started = time.monotonic()
        names = history_csv(path, args.workloads, args.days)
        print(f"generated {args.workloads:,} workloads x {args.days * 288:,} intervals ({path.stat().st_size / 2**20:.0f} MB) "
              f"in {time.monotonic() - started:.1f}s")  # fmt: skip
        started = time.monotonic()
        history = read_usage(path, known=names)
        read_s = time.monotonic() - started
    rng = np.random.default_rng(5)
    rows = [["name", "vcpus", "memory_gb", "platform"]] + [
        [n, int(v), int(4 * v), "vm"] for n, v in zip(names, rng.choice([1, 2, 4, 8], len(names)), strict=True)
    ]
    settings = [["setting", "value"], ["sizing", "percentile"], ["packing", "time_aware"],
                ["time_limit_s", args.time_limit], ["business_case", "no"]]  # fmt: skip
    started = time.monotonic()
    estate = estate_from_rows(rows, CATALOG, settings, usage=history)
    size_s = time.monotonic() - started
    started = time.monotonic()
    study = run_study(estate)
    solve_s = time.monotonic() - started
    r = study.result
    print(f"read and validate the history  {read_s:6.1f}s")
    print(f"size by percentile, buckets    {size_s:6.1f}s")
    print(f"solve, check, replay           {solve_s:6.1f}s  (limit {args.time_limit:g}s; {solve_s / args.time_limit:.2f}x)")
    print(
        f"plan: {len(r.plan.servers)} servers, bound {r.lower_bound / 25000:.1f}, {r.status.label}; "
        f"{study.summary.replay_verdict}"
    )


if __name__ == "__main__":
    main()
