"""The known-optimum benchmark's estates: exactly tiled, valid ordinary workbooks, their optimum a true lower bound."""

from __future__ import annotations

from pathlib import Path

from benchmarks.known_optimum import MODELS, TARGET, workload_rows, write_workbook
from planner.io.reader import read_estate
from planner.study.pipeline import run_study


def test_the_construction_fills_the_target_model_exactly() -> None:
    """Cores and memory sum to `optimum` target servers, and the target is the cheapest per core and per GB."""
    for optimum, seed in ((7, 1), (40, 2), (251, 3), (2500, 11)):
        rows = workload_rows(optimum, seed)
        assert sum(int(r[1]) * int(r[7]) for r in rows) == optimum * TARGET[0]
        assert sum(int(r[2]) * int(r[7]) for r in rows) == optimum * TARGET[1]
        assert all(int(r[1]) >= 1 and int(r[2]) >= 4 for r in rows)
    per_core = [m[4] / m[1] for m in MODELS]
    per_gb = [m[4] / m[2] for m in MODELS]
    assert per_core[0] == min(per_core) and per_gb[0] == min(per_gb)


def test_the_workbook_is_ordinary_and_no_plan_beats_the_optimum(tmp_path: Path) -> None:
    """The workbook validates like a user's; a plan costs at least the optimum and its bound never exceeds it."""
    book = write_workbook(tmp_path / "estate.xlsx", 6, 5, 5.0)
    estate = read_estate(book)
    assert len(estate.server_models) == 3 and any(w.replicas == 2 for w in estate.workloads)
    study = run_study(estate)
    optimum = 6 * MODELS[0][4]
    assert study.result.capex >= optimum - 1e-6 and study.result.lower_bound <= optimum + 1e-6
    assert not study.result.plan.unplaced


def test_the_plain_cores_reach_the_optimum_neighbourhood(tmp_path: Path) -> None:
    """On 40 tiled servers (VM or container, replicas, three models) the plan is within one server of the
    optimum and below first fit: the mixed estate's searches run (deterministic: counted work, not seconds)."""
    book = write_workbook(tmp_path / "estate.xlsx", 40, 7, 20.0)
    study = run_study(read_estate(book))
    optimum = 40 * MODELS[0][4]
    assert not study.result.plan.unplaced and "plain-core local search" in study.result.method
    assert optimum <= study.result.capex <= optimum + MODELS[0][4]
    assert study.result.lower_bound >= 0.99 * optimum
