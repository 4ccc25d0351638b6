"""`python -m benchmarks.sample_reference [--limits 30 300]`: the sample estate's best plan and bound over time,
at the dashboard's limit and in a long reference run, so the gap is read right: which side moves, the plan or
the bound. Plan only (no business case); deterministic runs; printed, never asserted.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from planner.data import SAMPLE_ESTATE
from planner.io.reader import read_estate
from planner.plan import ProgressPoint
from planner.study.pipeline import run_study

CHECKPOINTS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600)  # seconds at which the run's figures are printed


def run(limit: float) -> list[ProgressPoint]:
    """One plan of the sample at `limit` seconds, with every progress report."""
    estate = read_estate(SAMPLE_ESTATE)
    estate = replace(estate, settings=replace(estate.settings, time_limit_s=limit, business_case=False))
    points: list[ProgressPoint] = []
    study = run_study(estate, progress=points.append)
    print(f"limit {limit:g} s: {study.summary.servers} servers, {study.result.capex:,.0f}, bound {study.result.lower_bound:,.0f}")
    return points


def at(points: list[ProgressPoint], seconds: float) -> tuple[float | None, float | None]:
    """The best plan and bound known `seconds` into a run."""
    seen = [p for p in points if p.seconds <= seconds]
    best = next((p.best_cost for p in reversed(seen) if p.best_cost is not None), None)
    bound = next((p.bound for p in reversed(seen) if p.bound is not None), None)
    return best, bound


def main(argv: list[str] | None = None) -> int:
    """Print best plan, bound and gap at each checkpoint of each run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sample_reference")
    parser.add_argument("--limits", type=float, nargs="+", default=[30.0, 300.0])
    args = parser.parse_args(argv)
    for limit in args.limits:
        points = run(limit)
        for t in (c for c in CHECKPOINTS if c <= limit):
            best, bound = at(points, t)
            gap = "-" if not best or bound is None else f"{100 * (best - bound) / best:.1f}%"
            shown = [f"{v:>12,.0f}" if v is not None else f"{'-':>12}" for v in (best, bound)]
            print(f"  {t:5g} s  best {shown[0]}  bound {shown[1]}  gap {gap}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
