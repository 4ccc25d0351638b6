"""`python -m benchmarks.known_optimum [--sizes 1000 10000] [--limit 60]`: estates that look like real ones,
written as ordinary workbooks, whose optimum is known by construction; the whole `planner plan` command is
timed, and the gap to the optimum and to the bound is printed over time beside first-fit decreasing.

Construction: a target model (64 cores, 512 GB) is the cheapest per core and per GB of three; the
workloads are cut from `optimum` copies of it, each copy exactly filled in both resources by 3 to 6
workloads (whole cores, memory in 4 GB steps). Any plan's cost is at least the cores it buys times
the cheapest price per core, which is the total demand at the target's price: `optimum` target
servers, reached only by the construction's tiling. The estate looks like an ordinary one: Linux
and Windows workloads that may run as VMs or containers (`platform = any`), some with two replicas
(spread over servers, as replicas are; the twin sits in another copy), raw packing (overhead
profile `none`, 100% ceiling) so the construction's arithmetic holds. Ratios and counts, no asserts.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.methods import run_ffd
from planner.io.reader import read_estate
from planner.io.writer import write_plan_workbook

TARGET = (64, 512)  # cores, GB of the model the optimum uses
MODELS = [  # model, cores, GB, storage, price: the target is cheapest per core and per GB
    ("T-64c-512G", 64, 512, 4000, 10_000.0),
    ("S-32c-256G", 32, 256, 2000, 6_000.0),
    ("L-96c-768G", 96, 768, 6000, 16_000.0),
]
HEADER = ["name", "cpu_cores", "memory_gb", "storage_gb", "os", "platform", "isolation", "replicas"]


def _cut(total: int, parts: int, step: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` positive multiples of `step`, at random."""
    units = total // step
    cuts = sorted(rng.sample(range(1, units), parts - 1))
    return [step * (b - a) for a, b in zip([0, *cuts], [*cuts, units], strict=True)]


def _fill(cores: int, gb: int, parts: int, rng: random.Random) -> list[tuple[int, int]]:
    """(cores, GB) cut into `parts` pieces (whole cores, 4 GB steps) that sum to it exactly."""
    return list(zip(_cut(cores, parts, 1, rng), _cut(gb, parts, 4, rng), strict=True))


def workload_rows(optimum: int, seed: int) -> list[list[object]]:
    """The workloads, cut from `optimum` exactly filled copies of the target model.

    Copies come in pairs: the first's first piece is also the second's (a two-replica workload, its
    replicas on two servers), and the rest of the second copy is cut from what that piece leaves.
    """
    rng = random.Random(seed)
    rows: list[list[object]] = []
    shared: tuple[int, int] | None = None  # the twin piece of the pair being cut
    for g in range(optimum):
        if shared is None:
            pieces = _fill(TARGET[0], TARGET[1], rng.randint(3, 6), rng)
            twin = g + 1 < optimum
            shared = pieces[0] if twin else None
            first = 2 if twin else 1
        else:  # the second copy of a pair: the twin's second replica, and the rest cut from what it leaves
            cores, gb = TARGET[0] - shared[0], TARGET[1] - shared[1]
            pieces = _fill(cores, gb, min(rng.randint(2, 5), cores, gb // 4), rng)
            shared, first = None, 1
        for i, (cores, gb) in enumerate(pieces):
            os_name = "windows" if rng.random() < 0.3 else "linux"
            rows.append([f"app-{g:05d}-{i}", cores, gb, 20, os_name, "any", "shared", first if i == 0 else 1])
    return rows


def write_workbook(path: Path, optimum: int, seed: int, time_limit: float) -> Path:
    """An ordinary planner workbook of the construction (written by the planner's own sheet writer)."""
    settings = {
        "overhead_profile": "none",
        "max_utilization_pct": 100,
        "storage_pool": "shared",
        "baseline": "one_per_workload",
        "time_limit_s": time_limit,
        "business_case": "no",
    }
    sheets = {
        "Workloads": [dict(zip(HEADER, row, strict=True)) for row in workload_rows(optimum, seed)],
        "Servers": [dict(zip(("model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"), m, strict=True)) for m in MODELS],
        "Settings": [{"setting": k, "value": v} for k, v in settings.items()],
    }
    write_plan_workbook(path, sheets, words=False)
    return path


def run_command(book: Path, out: Path) -> tuple[float, int, float, float]:
    """`planner plan` on the workbook, timed whole: seconds, servers, CAPEX and the bound it printed."""
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "planner.cli", "plan", str(book), "--out", str(out), "--quiet"], check=True)
    seconds = time.monotonic() - began
    details = {r[2]: r[1] for r in load_workbook(out, read_only=True)["Details"].iter_rows(min_row=2, values_only=True)}
    return seconds, int(details["servers"]), float(details["capex"]), float(details["lower_bound"])


def measure(optimum: int, limit: float, seed: int = 11) -> dict[str, object]:
    """One estate: the command's plan against the optimum and its own bound, and first-fit decreasing."""
    with tempfile.TemporaryDirectory() as folder:
        book = write_workbook(Path(folder) / "estate.xlsx", optimum, seed, limit)
        seconds, servers, capex, bound = run_command(book, Path(folder) / "plan.xlsx")
        ffd = run_ffd(read_estate(book))
    best = optimum * MODELS[0][4]
    return {
        "workloads": sum(1 for _ in workload_rows(optimum, seed)),
        "optimum servers": optimum,
        "plan servers": servers,
        "gap to optimum %": round(100 * (capex - best) / best, 2),
        "gap to bound %": round(100 * (capex - bound) / capex, 2) if capex else 0.0,
        "FFD servers": ffd.servers,
        "FFD gap %": round(100 * ((ffd.capex or 0) - best) / best, 2),
        "command s": round(seconds, 1),
        "limit s": limit,
    }


def main(argv: list[str] | None = None) -> int:
    """Print one line per estate size."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.known_optimum")
    parser.add_argument("--optima", type=int, nargs="+", default=[250, 2500], help="optimum servers of each estate")
    parser.add_argument("--limit", type=float, nargs="+", default=[60.0, 120.0], help="time limit per estate")
    args = parser.parse_args(argv)
    limits = args.limit + [args.limit[-1]] * (len(args.optima) - len(args.limit))
    for optimum, limit in zip(args.optima, limits, strict=False):
        print(measure(optimum, limit), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
