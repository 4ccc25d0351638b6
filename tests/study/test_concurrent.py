"""Studies solved side by side and warm-started: the same plans as one after another, a plan read
back as the search's start, and a deadline that stops what it leaves no time for."""

from __future__ import annotations

import random
import time
from dataclasses import replace

from conftest import estate, server, wl

from planner.business.case import add_business_case
from planner.domain import Estate
from planner.profiles.loading import load_profile
from planner.solver.assemble import from_plan, to_plan
from planner.solver.problem import build_problem
from planner.solver.solve import solve
from planner.study.concurrent import Job, run_studies, warm_start
from planner.study.pipeline import run_study

NONE = load_profile("none")
OSES = ["linux", "windows"]


def _mixed(n: int, seed: int = 2, **settings: object) -> Estate:
    """Workloads of several shapes that may be VMs or containers, on two models."""
    rng = random.Random(seed)
    workloads = [
        wl(
            f"w{k}",
            cpu=rng.choice([1, 2, 3, 4]),
            mem=rng.choice([2, 4, 8, 16]),
            platform="any",
            os=rng.choice(["linux", "windows"]),
        )
        for k in range(n)
    ]
    models = [server("Big", 16, 64, 2000, 100), server("Small", 8, 32, 1000, 60)]
    return estate(workloads, models, overhead_profile="none", **settings)


def test_a_plan_read_back_is_the_same_assignment() -> None:
    """A solved plan read back (from_plan) costs what it cost and places every replica where it was."""
    e = _mixed(30)
    result = solve(e, NONE, time_limit_s=2, polish=False)
    problem = build_problem(e, NONE)
    again = from_plan(problem, result.plan)
    assert again is not None and to_plan(problem, again, {}).placements == result.plan.placements
    assert again.cost(problem) == round(result.capex)


def test_a_plan_with_a_form_the_estate_forbids_is_no_warm_start() -> None:
    """Containers in the plan, VMs only in the estate: not read back, not offered as a warm start."""
    e = _mixed(20)
    result = solve(e, NONE, time_limit_s=2, polish=False)
    assert any(p.form == "container" for p in result.plan.placements)
    vms = replace(e, settings=replace(e.settings, forms="vm_only"))
    assert from_plan(build_problem(vms, NONE), result.plan) is None
    assert warm_start(vms, NONE, result.plan) is None and warm_start(e, NONE, result.plan) is result.plan


def test_a_warm_started_search_is_never_worse_than_its_hint() -> None:
    """Given a good plan, a search with almost no time keeps at least that plan."""
    e = _mixed(40)
    good = solve(e, NONE, time_limit_s=5, polish=False)
    quick = solve(e, NONE, time_limit_s=0.2, polish=False, hint=good.plan)
    assert quick.capex <= good.capex and not quick.plan.unplaced


def test_side_by_side_gives_the_plans_of_one_after_another() -> None:
    """Three studies solved two at a time: each plan is the one its solve alone gives (deterministic)."""
    jobs = {k: Job(_mixed(25, seed=k), NONE, 2.0) for k in range(3)}
    together = run_studies(jobs)
    for k, job in jobs.items():
        alone = run_study(job.estate, overhead=NONE, time_limit_s=job.time_limit_s)
        done = together[k]
        assert not isinstance(done, Exception)
        assert done.result.plan.placements == alone.result.plan.placements


def test_a_solve_the_deadline_leaves_no_time_for_is_not_started() -> None:
    """Past the deadline a job is not solved: it says so, and the others are unaffected."""
    done = run_studies({"late": Job(_mixed(10), NONE, 2.0)}, deadline=time.monotonic() - 1)
    assert isinstance(done["late"], TimeoutError) and "time limit" in str(done["late"])


def test_growth_years_solved_side_by_side_never_shrink() -> None:
    """The growth table, its years solved two at a time, needs no fewer servers as demand grows."""
    years = 2
    e = _mixed(30, business_case=True, years=years, time_limit_s=4)
    study = add_business_case(run_study(e, overhead=NONE))
    assert study.case is not None
    counts = [y.servers_needed for y in study.case.growth]
    assert len(counts) == years + 1 and counts == sorted(counts)
