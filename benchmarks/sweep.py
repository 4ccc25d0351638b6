"""`python -m benchmarks.sweep [--scenarios 64] [--workloads 300] [--out results-sweep.csv]`

The same scenario sweep on an embedded local Dask cluster with 1 worker, then 2 workers, in
one command: the speed-up is the ratio of the two runs' seconds, and both runs must agree on
every scenario's figures (the limit counts solver work, so results do not depend on the load).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from benchmarks.instances import generated_estate
from planner.sweeps.cluster import run_sweep
from planner.sweeps.grid import SOLVED, Grid, parse_grid

AXES = {  # 4 x 2 x 2 x 4 = 64 scenarios; fewer are taken from the front of the grid
    "max_utilization_pct": [65, 70, 75, 80],
    "hypervisor": ["type1", "type2"],
    "ha_failures": [0, 1],
    "growth_year": [0, 1, 2, 3],
}
FIGURES = ("status", "servers", "capex", "cost", "lower_bound", "unplaced")


def grid_of(scenarios: int) -> Grid:
    """The benchmark grid, cut to about `scenarios` scenarios by shortening the last axes."""
    axes: dict[str, list[object]] = {}
    left = scenarios
    for key, values in AXES.items():
        take = max(1, min(len(values), left))
        axes[key] = values[:take]  # type: ignore[assignment]
        left = max(1, left // take)
    return parse_grid(axes, "benchmark grid")


def measure(scenarios: int, workloads: int, limit_s: float, worker_counts: tuple[int, ...] = (1, 2)) -> list[dict[str, object]]:
    """Run the sweep once per worker count; rows of seconds, speed-up and agreement with the first run."""
    base = generated_estate(workloads, time_limit_s=limit_s).estate(limit_s)
    estate = replace(base, settings=replace(base.settings, deterministic=True, business_case=False))
    grid = grid_of(scenarios)
    out: list[dict[str, object]] = []
    first: list[tuple[object, ...]] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in worker_counts:
            started = time.monotonic()
            run = run_sweep(estate, grid, Path(tmp) / f"run-{n}.jsonl", workers=n)
            seconds = time.monotonic() - started
            figures = [tuple(r.get(k) for k in FIGURES) if r else None for r in run.rows]
            first = first or figures
            out.append(
                {
                    "date": date.today().isoformat(),
                    "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                    "scenarios": grid.size,
                    "workloads": workloads,
                    "limit_s": limit_s,
                    "workers": n,
                    "seconds": round(seconds, 1),
                    "speedup": round(float(out[0]["seconds"]) / seconds, 2) if out else 1.0,
                    "finished": sum(1 for r in run.rows if r and r["status"] in SOLVED),
                    "same_results": figures == first,
                }
            )
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the sweep benchmark and print (and optionally write) its table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep", description=__doc__)
    parser.add_argument("--scenarios", type=int, default=64)
    parser.add_argument("--workloads", type=int, default=300)
    parser.add_argument("--limit", type=float, default=2.0, help="solver limit per scenario (deterministic units)")
    parser.add_argument("--out", help="CSV file to write")
    args = parser.parse_args(argv)
    rows = measure(args.scenarios, args.workloads, args.limit)
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    if args.out:
        with open(args.out, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=keys)
            writer.writeheader()
            writer.writerows(rows)
    return 0 if all(r["same_results"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
