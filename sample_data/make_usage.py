"""Regenerate sample_data/usage.csv: a week of measured use of the sample estate, every hour.

The patterns a capacity planner sees in a real estate: web and API tiers busy in office hours
and quiet at night and at weekends, batch jobs busy at night, databases with a daytime plateau
and a nightly backup, tools mostly idle with short bursts, Windows services flat. CPU in percent
of each workload's cores, memory in percent of its memory (steadier than CPU, as caches fill).
Seeded: the same file every run. Run: `python sample_data/make_usage.py`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from planner.io.reader import read_estate

HERE = Path(__file__).resolve().parent
START = np.datetime64("2026-11-02T00:00")  # a Monday
STEP_MIN = 60
DAYS = 7


def shape(name: str, hours: np.ndarray, weekday: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(base %, amplitude %, 0..1 activity) of a workload by its role, over the week's intervals."""
    office = ((hours >= 8) & (hours < 18) & weekday).astype(float)
    night = ((hours >= 1) & (hours < 5)).astype(float)
    if name.startswith("batch"):
        return 5.0, 75.0, night
    if any(part in name for part in ("-web", "-api", "iis-app", "-worker")):
        return 8.0, 55.0, office
    if name.startswith("db-"):
        return 20.0, 40.0, np.maximum(0.7 * office, night)
    if name.startswith("tool"):
        return 3.0, 60.0, np.zeros_like(hours, dtype=float)
    return 15.0, 10.0, office


def main() -> None:
    """Write usage.csv beside this script."""
    rng = np.random.default_rng(11)
    estate = read_estate(HERE / "estate.xlsx")
    times = START + np.arange(DAYS * 24 * 60 // STEP_MIN) * np.timedelta64(STEP_MIN, "m")
    hours = (times - times.astype("datetime64[D]")).astype("timedelta64[h]").astype(int)
    weekday = ((times.astype("datetime64[D]").astype(int) + 3) % 7) < 5  # 1970-01-01 was a Thursday
    stamps = [f"{t}Z" for t in times]
    with (HERE / "usage.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["workload", "time", "cpu_pct", "memory_pct"])
        for w in estate.workloads:
            base, amplitude, activity = shape(w.name, hours, weekday)
            if w.name.startswith("tool"):  # short bursts at random moments
                activity = (rng.random(len(times)) < 0.02).astype(float)
            cpu = base + amplitude * activity * rng.uniform(0.7, 1.0) + rng.normal(0, 2.0, len(times))
            memory = 40 + 25 * activity * rng.uniform(0.5, 1.0) + rng.normal(0, 1.0, len(times))
            for stamp, c, m in zip(stamps, np.clip(cpu, 0.5, 100), np.clip(memory, 5, 100), strict=True):
                out.writerow([w.name, stamp, f"{c:.1f}", f"{m:.1f}"])


if __name__ == "__main__":
    main()
