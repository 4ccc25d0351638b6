"""The replay proof: a plan run against a history, counted against a hand-computed case."""

from __future__ import annotations

import numpy as np

from planner.io.reader import estate_from_rows
from planner.plan import Placement, Plan, PlannedServer
from planner.profiles.loading import load_profile
from planner.study.replay import replay_later, replay_plan, replay_rows
from planner.usage import UsageHistory

MONDAY = int(np.datetime64("2026-11-02T00:00:00", "s").astype(np.int64))


def estate_with(cpu_pct: list[list[float]], ceiling: float = 80) -> object:
    """Two 10-core workloads on 16-core servers (no overheads), sized by allocation, with a 5-minute history."""
    names = ("a", "b")
    h = UsageHistory(
        names=names,
        start=MONDAY,
        step=300,
        cpu=np.array(cpu_pct, dtype=float),
        memory=np.full((2, len(cpu_pct[0])), 10.0),
        cpu_absolute=(False, False),
        memory_absolute=(False, False),
        source="hand.csv",
    )
    workloads = [["name", "cpu_cores", "memory_gb"], ["a", 10, 10], ["b", 10, 10]]
    servers = [["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"], ["S", 16, 100, 100, 1000]]
    rows = [["setting", "value"], ["overhead_profile", "none"], ["max_utilization_pct", ceiling]]
    return estate_from_rows(workloads, servers, rows, usage=h)


ONE_SERVER = Plan(
    servers=(PlannedServer("s1", "S", "hypervisor"),),
    placements=(Placement("a", 1, "s1", "vm"), Placement("b", 1, "s1", "vm")),
)


def test_replay_counts_match_a_hand_computed_case() -> None:
    """a+b cores per interval: 4, 17, 20, 15 of 16 -> 25%, 106.25%, 125%, 93.75% of capacity: over the
    80% ceiling (12.8 cores) in 3 intervals, over 100% in 2; the peak 125% cpu at 00:10."""
    estate = estate_with([[20, 90, 100, 50], [20, 80, 100, 100]])
    replay = replay_plan(estate, load_profile("none"), ONE_SERVER, "hand.csv")  # type: ignore[arg-type]
    (server,) = replay.servers
    assert (server.over_ceiling, server.over_capacity) == (3, 2)
    assert server.peak_pct == 125.0 and server.peak_resource == "cpu" and server.peak_time == "2026-11-02 00:10 UTC"
    assert replay.held == 2 and replay.within_ceiling == 1 and replay.intervals == 4
    assert "held for 50.00% of 4 intervals" in replay.verdict()


def test_replay_on_a_later_history_and_its_rows() -> None:
    """The same plan on a quieter later month holds throughout; the sheet rows say so per server."""
    estate = estate_with([[20, 90, 100, 50], [20, 80, 100, 100]])
    later = estate_with([[10, 10, 10, 10], [10, 10, 10, 10]])
    replay = replay_later(estate, load_profile("none"), ONE_SERVER, later.usage)  # type: ignore[attr-defined,arg-type]
    assert replay.held == replay.within_ceiling == 4
    (row,) = replay_rows(replay)
    assert row["intervals_over_capacity"] == 0 and row["held_pct"] == 100.0 and row["peak_pct"] == 12.5
