"""Packing by time: anti-correlated workloads share a server only under time_aware; every plan holds in every bucket."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.checker import check_plan
from planner.io.reader import estate_from_rows
from planner.plan import SolveStatus
from planner.study.pipeline import run_study
from planner.usage import UsageHistory

MONDAY = int(np.datetime64("2026-11-02T00:00:00", "s").astype(np.int64))
SERVERS = [["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"], ["S", 16, 256, 1000, 10000]]


def history(cpu: np.ndarray, memory: np.ndarray | None = None) -> UsageHistory:
    """A 5-minute history of workloads w0, w1, ... in percent of their allocation."""
    n = cpu.shape[0]
    return UsageHistory(
        names=tuple(f"w{i}" for i in range(n)),
        start=MONDAY,
        step=300,
        cpu=cpu.astype(float),
        memory=np.full_like(cpu, 50.0, dtype=float) if memory is None else memory,
        cpu_absolute=(False,) * n,
        memory_absolute=(False,) * n,
        source="planted",
    )


def plan(h: UsageHistory, packing: str, cores: float = 8, **more: object) -> object:
    """A study of len(h.names) workloads of `cores` cores each on 16-core servers, no overheads, 100% ceiling."""
    workloads = [["name", "cpu_cores", "memory_gb", "platform"]] + [[n, cores, 8, "vm"] for n in h.names]
    chosen = {"sizing": "percentile", "packing": packing, "overhead_profile": "none", "max_utilization_pct": 100,
              "comfort_factor": 1.0, "time_limit_s": 10, "business_case": "no", **more}  # fmt: skip
    rows = [["setting", "value"], *([k, v] for k, v in chosen.items())]
    return run_study(estate_from_rows(workloads, SERVERS, rows, usage=h))


def anti_correlated(pairs: int = 4, intervals: int = 288) -> np.ndarray:
    """Half the workloads busy (90%) in the first half of the day, the other half in the second."""
    day = np.arange(intervals) < intervals // 2
    return np.array([np.where(day, 90, 10) if i % 2 == 0 else np.where(day, 10, 90) for i in range(2 * pairs)])


def test_anti_correlated_workloads_share_a_server_only_when_packed_by_time() -> None:
    """Eight 8-core workloads at 95th-percentile 7.2 cores: two per 16-core server independently (4 servers);
    by time a day-busy and a night-busy pair use 8 cores in every interval, so four share a server (2)."""
    h = history(anti_correlated())
    independent = plan(h, "independent")
    by_time = plan(h, "time_aware")
    assert len(independent.result.plan.servers) == 4  # type: ignore[attr-defined]
    assert len(by_time.result.plan.servers) == 2  # type: ignore[attr-defined]
    assert by_time.result.status == SolveStatus.OPTIMAL  # type: ignore[attr-defined]
    for server in by_time.result.plan.servers:  # type: ignore[attr-defined]
        on = [p.workload for p in by_time.result.plan.placements if p.server_id == server.server_id]  # type: ignore[attr-defined]
        assert sum(int(n[1:]) % 2 for n in on) == 2  # two day-busy, two night-busy
    assert by_time.replay.held == by_time.replay.intervals == 288  # type: ignore[attr-defined]


def test_correlated_workloads_gain_nothing_by_time() -> None:
    """Workloads all busy at once: packing by time needs as many servers as independent packing."""
    busy = np.tile(np.where(np.arange(288) < 144, 90, 10), (8, 1))
    h = history(busy)
    assert len(plan(h, "time_aware").result.plan.servers) == len(plan(h, "independent").result.plan.servers) == 4  # type: ignore[attr-defined]


def test_the_busiest_intervals_are_held_at_full_capacity_at_measured_use() -> None:
    """At the 95th percentile, 5% of intervals (the estate's busiest) hold measured use within 100% of capacity,
    the rest use x comfort within the ceiling: a plan never over 100% on its own history."""
    h = history(anti_correlated())
    study = plan(h, "time_aware", comfort_factor=1.3, max_utilization_pct=80)
    demand = study.estate.usage  # type: ignore[attr-defined]
    assert int(demand.at_full().sum()) == int(0.05 * 288)
    assert study.replay.held == 288  # type: ignore[attr-defined]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1), st.integers(3, 9), st.sampled_from(["interval", "hour_of_day"]))
def test_every_time_aware_plan_holds_in_every_bucket(seed: int, n: int, buckets: str) -> None:
    """Property: random histories, any bucket scheme: the plan passes the independent checker (every bucket),
    holds on its own history in every interval, and its bound never exceeds its cost."""
    rng = np.random.default_rng(seed)
    cpu = rng.uniform(0, 100, size=(n, 48)) * rng.uniform(0.2, 1.0, size=(n, 1))
    memory = rng.uniform(10, 90, size=(n, 48))
    h = history(cpu, memory)
    by_time = plan(h, "time_aware", cores=6, time_buckets=buckets, time_limit_s=2)
    assert check_plan(by_time.estate, by_time.overhead, by_time.result.plan) == []  # type: ignore[attr-defined]
    assert by_time.result.lower_bound <= by_time.result.objective_value  # type: ignore[attr-defined]
    if buckets == "interval":  # every interval held: the replay on the same history can never go over 100%
        assert by_time.replay.held == by_time.replay.intervals  # type: ignore[attr-defined]


def test_emptying_servers_merges_complementary_workloads_and_keeps_anti_affinity() -> None:
    """Unit: eight workloads alone on eight servers; emptying on the full profiles leaves 2 servers
    (two day-busy and two night-busy each), and two anti-affine workloads never end up together."""
    from planner.profiles.loading import load_profile
    from planner.solver.budget import Budget
    from planner.solver.greedy import Assignment
    from planner.solver.problem import build_problem
    from planner.solver.time_search import fewer_servers
    from planner.solver.timed import TimeModel

    h = history(anti_correlated())
    workloads = [["name", "cpu_cores", "memory_gb", "platform", "anti_affinity_group"]] + [
        [n, 8, 8, "vm", "pair" if n in ("w0", "w2") else None] for n in h.names
    ]
    rows = [["setting", "value"], ["sizing", "percentile"], ["packing", "time_aware"], ["overhead_profile", "none"],
            ["max_utilization_pct", 100], ["comfort_factor", 1.0]]  # fmt: skip
    estate = estate_from_rows(workloads, SERVERS, rows, usage=h)
    model = TimeModel(build_problem(estate, load_profile("none")), estate, load_profile("none"))
    alone = Assignment([(0, "hypervisor")] * 8, {i: (i, "vm") for i in range(8)})
    found = fewer_servers(model, alone, Budget(float("inf"), 10.0))
    assert len(found.servers) == 2 and not model.overloads(found)
    names = {i: model.base.items[i].workload.name for i in found.placed}
    together = {s for i, (s, _) in found.placed.items() if names[i] in ("w0", "w2")}
    assert len(together) == 2
