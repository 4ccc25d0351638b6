"""Deterministic by default: the same study twice gives the same plan, also on a loaded machine; the wall clock
caps the wait, and a run it cuts short says so in its status."""

from __future__ import annotations

import subprocess
import sys
import time

from conftest import estate, wl

from planner.data import SAMPLE_ESTATE
from planner.io.reader import read_estate
from planner.plan import SolveStatus
from planner.solver.clock import WORK_SHARE, Clock
from planner.study.pipeline import run_study


def _fingerprint(study: object) -> tuple[object, ...]:
    plan = study.result.plan  # type: ignore[attr-defined]
    return (
        study.result.capex,  # type: ignore[attr-defined]
        tuple((s.server_id, s.model) for s in plan.servers),
        tuple(sorted((p.workload, p.replica, p.server_id, p.form) for p in plan.placements)),
    )


def test_the_same_study_twice_gives_the_same_plan_even_under_load() -> None:
    """Default settings, the sample estate: one run alone, one beside a CPU hog; identical plans unless one says cut short."""
    sample = read_estate(SAMPLE_ESTATE, overrides={"time_limit_s": "8", "business_case": "no"})
    assert sample.settings.deterministic  # the default
    quiet = run_study(sample)
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        loaded = run_study(sample)
    finally:
        hog.kill()
        hog.wait()
    statuses = {quiet.result.status, loaded.result.status}
    if SolveStatus.CUT_SHORT in statuses:  # the machine was too slow for the work: the status must say so
        assert "cut short" in SolveStatus.CUT_SHORT.label
    else:
        assert _fingerprint(quiet) == _fingerprint(loaded)


def test_a_deterministic_run_past_its_ceiling_is_cut_short() -> None:
    """A clock whose wall ceiling passed with work left says so; one whose work is done is not cut short."""
    late = Clock(2.0, deterministic=True, started=time.monotonic() - 5)
    assert late.remaining() == 0.0 and late.cut_short()
    done = Clock(2.0, deterministic=True)
    done.charge_work(WORK_SHARE * 2.0)
    assert done.remaining() <= 0 and not done.cut_short()
    wall = Clock(2.0, deterministic=False, started=time.monotonic() - 5)
    assert wall.remaining() < 0 and not wall.cut_short()  # the wall clock is its contract


def test_a_cut_short_solve_reports_it() -> None:
    """A solve whose time limit is far too small for its work ends cut short, with a checked plan all the same."""
    from planner.checker import check_plan
    from planner.profiles.loading import load_profile
    from planner.solver.solve import solve

    e = estate([wl(f"w{i}", 1 + i % 7, 1 + i % 5) for i in range(300)], deterministic=True)
    result = solve(e, load_profile("none"), time_limit_s=0.01)
    assert result.status in (SolveStatus.CUT_SHORT, SolveStatus.OPTIMAL)
    assert check_plan(e, load_profile("none"), result.plan) == []
