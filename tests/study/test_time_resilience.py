"""Packing by time with failures to survive: restarts are checked in every time bucket too."""

from __future__ import annotations

import numpy as np

from planner.checker import check_plan
from planner.io.reader import estate_from_rows
from planner.study.pipeline import run_study
from planner.usage import UsageHistory

MONDAY = int(np.datetime64("2026-11-02T00:00:00", "s").astype(np.int64))


def test_time_aware_plan_survives_a_failure_checked_per_bucket() -> None:
    """Eight anti-correlated workloads, N+1: every failure set restarts its replicas on survivors whose
    load, bucket by bucket, stays within the ceiling (the checker re-checks each survivor plan)."""
    day = np.arange(96) < 48
    cpu = np.array([np.where(day, 90, 10) if i % 2 == 0 else np.where(day, 10, 90) for i in range(8)], dtype=float)
    names = tuple(f"w{i}" for i in range(8))
    h = UsageHistory(names, MONDAY, 900, cpu, np.full_like(cpu, 50.0), (False,) * 8, (False,) * 8, source="planted")
    workloads = [["name", "cpu_cores", "memory_gb", "platform"]] + [[n, 8, 8, "vm"] for n in names]
    servers = [["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"], ["S", 16, 256, 1000, 10000]]
    rows = [["setting", "value"], ["sizing", "percentile"], ["packing", "time_aware"], ["overhead_profile", "none"],
            ["max_utilization_pct", 100], ["comfort_factor", 1.0], ["ha_failures", 1], ["time_limit_s", 10]]  # fmt: skip
    study = run_study(estate_from_rows(workloads, servers, rows, usage=h))
    assert study.resilience is not None and study.resilience.survived
    assert check_plan(study.estate, study.overhead, study.result.plan) == []
    assert 2 < len(study.result.plan.servers) <= 4  # by time 2 carry the load; N+1 adds room for a failure
