"""Packing by time on public utilization traces: allocation vs per-workload percentile vs time-aware.

    python -m benchmarks.timeseries [--trace google|planetlab|both] [--time-limit 60] [--limit N]

Traces (../shared/benchdata/timeseries, see its README): Google-derived CPU and memory of 1,600
machines and PlanetLab CPU of 1,052 VMs, 24 hours of 5-minute samples each. The traces give use in
percent of each machine's allocation but no allocation: sizes are drawn by a seeded generator
(stated below) and the same sizes serve every method. Each method plans the first 18 hours
(216 intervals) and is replayed on them and on the 6 hours held out. Printed per method: servers,
gap to the lower bound, intervals (of the planned and of the held-out history) in which any
server went over 100% of its capacity, and seconds.
"""

from __future__ import annotations

import argparse
import io
import tarfile
import time
from pathlib import Path

import numpy as np

from planner.io.reader import estate_from_rows
from planner.study.pipeline import run_study
from planner.study.replay import replay_plan
from planner.usage import UsageHistory

TRACES = Path(__file__).resolve().parents[1].parent / "shared" / "benchdata" / "timeseries"
FILES = {"google": "google-cluster-vms-5min.tar.gz", "planetlab": "planetlab-20110303.tar.gz"}
START = 1_293_840_000  # 2011-01-01 00:00 UTC: the traces' own dates are not given per sample
PLANNED = 216  # intervals planned on (18 hours); the rest of the day is held out
VCPUS = (1, 2, 4, 8)  # drawn with SIZE_WEIGHTS, seed 7: a typical VM estate's t-shirt sizes
GB_PER_VCPU = (1, 2, 4)
SIZE_WEIGHTS = (0.2, 0.4, 0.3, 0.1)
SERVER = ["2U-64c-1T", 64, 1024, 8000, 25000]  # a current two-socket host, memory-rich as virtual hosts are
CATALOG = [["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"], SERVER]
METHODS = (
    ("allocation", {"sizing": "allocation", "packing": "independent"}),
    ("percentile", {"sizing": "percentile", "packing": "independent"}),
    ("time-aware", {"sizing": "percentile", "packing": "time_aware"}),
)


def load_trace(name: str, limit: int | None) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """Machine names and their CPU (and memory) percent per interval, read from the archive."""
    names, cpu, memory = [], [], []
    with tarfile.open(TRACES / FILES[name]) as archive:
        members = sorted((m for m in archive.getmembers() if m.isfile()), key=lambda m: m.name)
        for m in members[:limit]:
            data = np.loadtxt(io.BytesIO(archive.extractfile(m).read()), ndmin=2)  # type: ignore[union-attr]
            names.append(Path(m.name).name)
            cpu.append(data[:, 0])
            if data.shape[1] > 1:
                memory.append(data[:, 1])
    return names, np.array(cpu), np.array(memory) if memory else None


def history(names: list[str], cpu: np.ndarray, memory: np.ndarray | None, cols: slice, label: str) -> UsageHistory:
    """A history of some intervals of the trace (memory absent: memory stays at the allocation)."""
    part_cpu = cpu[:, cols]
    part_memory = np.full_like(part_cpu, np.nan) if memory is None else memory[:, cols]
    first = cols.start or 0
    return UsageHistory(
        names=tuple(names),
        start=START + 300 * first,
        step=300,
        cpu=part_cpu,
        memory=part_memory,
        cpu_absolute=(False,) * len(names),
        memory_absolute=(False,) * len(names),
        source=label,
    )


def workloads(names: list[str], seed: int = 7) -> list[list[object]]:
    """The Workloads table: seeded t-shirt sizes (the traces give none)."""
    rng = np.random.default_rng(seed)
    vcpus = rng.choice(VCPUS, size=len(names), p=SIZE_WEIGHTS)
    gb = vcpus * rng.choice(GB_PER_VCPU, size=len(names))
    rows: list[list[object]] = [["name", "cpu_cores", "memory_gb", "storage_gb", "platform"]]
    return rows + [[n, int(c), int(m), 40, "vm"] for n, c, m in zip(names, vcpus, gb, strict=True)]


def run(trace: str, time_limit: float, limit: int | None) -> None:
    """Plan one trace three ways and print them side by side."""
    names, cpu, memory = load_trace(trace, limit)
    planned = history(names, cpu, memory, slice(0, PLANNED), f"{trace} hours 0-18")
    later = history(names, cpu, memory, slice(PLANNED, cpu.shape[1]), f"{trace} hours 18-24")
    table = workloads(names)
    print(f"\n{trace}: {len(names)} machines, {cpu.shape[1]} intervals; planned on {PLANNED}, held out {cpu.shape[1] - PLANNED}")
    print(f"{'method':<12}{'servers':>8}{'gap %':>8}{'over 100% (planned)':>21}{'over 100% (held out)':>22}{'seconds':>9}")
    counts = {}
    for label, settings in METHODS:
        chosen = {**settings, "time_limit_s": time_limit, "business_case": "no"}
        rows = [["setting", "value"], *([k, v] for k, v in chosen.items())]
        estate = estate_from_rows(table, CATALOG, rows, usage=planned)
        started = time.monotonic()
        study = run_study(estate)
        seconds = time.monotonic() - started
        held = estate_from_rows(table, CATALOG, rows, usage=later)
        replay_later = replay_plan(held, study.overhead, study.result.plan, later.source)
        r, on_plan = study.result, study.replay
        gap = 100 * (r.cost - r.lower_bound) / r.cost if r.cost else 0.0
        over_plan = on_plan.intervals - on_plan.held if on_plan else 0
        over_later = replay_later.intervals - replay_later.held
        counts[label] = len(r.plan.servers)
        print(f"{label:<12}{len(r.plan.servers):>8}{gap:>8.1f}{over_plan:>21}{over_later:>22}{seconds:>9.1f}")
    saving = 100 * (1 - counts["time-aware"] / counts["percentile"])
    print(f"time-aware needs {saving:.1f}% fewer servers than per-workload percentile sizing (both at the 95th percentile)")


def main() -> None:
    """Run the benchmark on the traces present."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", choices=("google", "planetlab", "both"), default="both")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--limit", type=int, help="machines per trace (default: all)")
    args = parser.parse_args()
    if not TRACES.is_dir():
        print(f"no traces at {TRACES}: nothing to run")
        return
    for trace in ("google", "planetlab") if args.trace == "both" else (args.trace,):
        run(trace, args.time_limit, args.limit)


if __name__ == "__main__":
    main()
