"""`python -m benchmarks.many_shapes [--sizes 10000 100000] [--limits 60 600]`: large estates whose shapes
hardly repeat, with rules: the plan's gap to its bound over time, beside first-fit decreasing, and the
process's peak memory. Each size runs in a fresh process (its own peak). Printed, never asserted.

Construction: sizes drawn from a skewed spread (cores in quarter cores from 0.25 to 24, memory per core
from 1 to 16 GB in half-GB steps), so that thousands of shapes appear; Linux and Windows; VM only, any
form, or containers only; 2 or 3 replicas for a quarter of them, anti-affinity groups for 5%; three
server models; the default overhead profile and an 80% ceiling.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

from planner.domain import Estate, ServerModel, Settings, Workload
from planner.plan import ProgressPoint
from planner.study.pipeline import run_study

MODELS = (
    ServerModel("1U-32c-256G", 32, 256, 3840, 9800),
    ServerModel("2U-64c-512G", 64, 512, 7680, 17500),
    ServerModel("2U-96c-1T", 96, 1024, 15360, 31000),
)


def many_shapes_estate(n: int, seed: int = 5, time_limit_s: float = 60) -> Estate:
    """`n` workloads whose shapes hardly repeat, with replicas, anti-affinity and mixed forms."""
    rng = random.Random(seed)
    workloads = []
    for k in range(n):
        cores = min(24.0, max(0.25, round(rng.lognormvariate(0.6, 0.8) * 4) / 4))
        gb = max(0.5, round(cores * rng.uniform(1, 16) * 2) / 2)
        strict = rng.random() < 0.08
        workloads.append(
            Workload(
                f"w{k:06d}",
                cores,
                gb,
                rng.choice([20, 40, 80, 200]),
                os="windows" if rng.random() < 0.25 else "linux",
                platform="vm" if strict or rng.random() < 0.2 else rng.choice(["any", "any", "container"]),
                isolation="strict" if strict else "shared",
                replicas=rng.choices([1, 2, 3], weights=[75, 20, 5])[0],
                anti_affinity_group=f"aa{rng.randrange(max(1, n // 20))}" if rng.random() < 0.05 else None,
            )
        )
    settings = Settings(time_limit_s=time_limit_s, business_case=False)
    return Estate(tuple(workloads), MODELS, settings, source=f"many shapes {n}")


def at(points: list[ProgressPoint], seconds: float) -> tuple[float | None, float | None]:
    """The best plan and bound known `seconds` into a run."""
    seen = [p for p in points if p.seconds <= seconds]
    best = next((p.best_cost for p in reversed(seen) if p.best_cost is not None), None)
    bound = next((p.bound for p in reversed(seen) if p.bound is not None), None)
    return best, bound


def measure(n: int, limit: float) -> dict[str, object]:
    """One estate planned in this process: shapes, plan, bound, gap over time, first fit, peak memory."""
    estate = many_shapes_estate(n, time_limit_s=limit)
    shapes = len({(w.cpu_cores, w.memory_gb, w.storage_gb, w.os, w.platform, w.isolation) for w in estate.workloads})
    points: list[ProgressPoint] = []
    began = time.monotonic()
    study = run_study(estate, progress=points.append)
    seconds = time.monotonic() - began
    first = points[0].best_cost if points else None
    over_time = {}
    for t in (5, 10, 30, 60, 120, 300, 600):
        if t <= limit:
            best, bound = at(points, t)
            over_time[f"gap at {t} s %"] = round(100 * (best - bound) / best, 2) if best and bound is not None else None
    result = study.result
    return {
        "workloads": n,
        "replicas": sum(w.replicas for w in estate.workloads),
        "shapes": shapes,
        "servers": study.summary.servers,
        "plan": round(result.objective_value),
        "bound": round(result.lower_bound),
        "gap %": round(100 * (result.objective_value - result.lower_bound) / result.objective_value, 2),
        "first fit": round(first) if first else None,
        **over_time,
        "method": result.method,
        "seconds": round(seconds, 1),
        "limit s": limit,
        "peak MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    """Each size in a fresh process (its own memory peak); one JSON line per size."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.many_shapes")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--limits", type=float, nargs="+", default=[60.0, 600.0])
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # the child process's own run
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.sizes[0], args.limits[0])), flush=True)
        return 0
    limits = args.limits + [args.limits[-1]] * (len(args.sizes) - len(args.limits))
    for n, limit in zip(args.sizes, limits, strict=False):
        cmd = [sys.executable, "-m", "benchmarks.many_shapes", "--one", "--sizes", str(n), "--limits", str(limit)]
        subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
