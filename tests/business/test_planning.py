"""One time limit for the whole plan: the main solve and the business case share it, and a deadline skips what is late."""

from __future__ import annotations

import time

import pytest
from conftest import estate, server, wl

from planner.business.budget import MIN_SOLVE_S, CaseBudget
from planner.business.case import build_business_case
from planner.business.planning import (
    CASE_SHARE,
    DEADLINE_SHARE,
    MAIN_SHARE,
    WALL_CLOCK_MAIN_SHARE,
    further_solves,
    plan_with_case,
)
from planner.study.pipeline import run_study


def small(**settings: object):  # type: ignore[no-untyped-def]
    """Four workloads on 10-core servers, three years of growth."""
    return estate([wl(f"w{i}", cpu=4, mem=2) for i in range(4)], [server()], years=3, **settings)


def test_the_shares_leave_room_for_reading_checking_and_writing() -> None:
    """A deterministic solve works 60% of its limit: the main solve and the business case together stay under it."""
    assert 0.6 * (MAIN_SHARE + CASE_SHARE) < DEADLINE_SHARE < 1.0
    assert WALL_CLOCK_MAIN_SHARE + CASE_SHARE <= DEADLINE_SHARE  # on the wall clock a solve uses its whole limit


def test_a_budget_gives_each_solve_its_share_until_the_deadline() -> None:
    """Before the deadline a solve gets its share (or what is left); past it, none starts."""
    assert CaseBudget(3.0).limit() == 3.0
    assert CaseBudget(3.0, time.monotonic() + 60).limit() == 3.0
    left = CaseBudget(30.0, time.monotonic() + 5).limit()
    assert left is not None and MIN_SOLVE_S <= left <= 5
    assert CaseBudget(3.0, time.monotonic() + MIN_SOLVE_S / 2).limit() is None


def test_a_business_case_past_its_deadline_says_what_it_did_not_plan() -> None:
    """Strategies the deadline left no room for are named in their rows; the growth table keeps the study's year."""
    study = run_study(small(business_case=True))
    late = build_business_case(study, budget=CaseBudget(1.0, time.monotonic() - 1))
    case = late.case
    assert case is not None and [y.year for y in case.growth] == [0]
    skipped = [r for r in case.strategies if "time limit was reached" in r.status]
    assert skipped and all(r.servers == 0 for r in skipped)
    assert case.verdict.startswith("Cheapest:")  # the study itself still stands as a strategy


def test_plan_with_case_counts_its_further_solves() -> None:
    """Each strategy unlike the study and each other growth year is one further solve; all are planned in time."""
    e = small(business_case=True, time_limit_s=20.0)
    done = plan_with_case(e)
    assert done.case is not None and further_solves(done) == len(done.case.strategies) - 2 + 3
    assert [y.year for y in done.case.growth] == [0, 1, 2, 3]
    assert not [r for r in done.case.strategies if "time limit was reached" in r.status]
    plain = plan_with_case(small(business_case=False))
    assert plain.case is None and plain.result.plan.servers == done.result.plan.servers


@pytest.mark.parametrize("wanted", [True, False])
def test_plan_with_case_tells_when_the_plan_is_ready(wanted: bool) -> None:
    """`on_plan` hears of the checked plan before the business case (the dashboard shows it then), only with one."""
    heard: list[object] = []
    plan_with_case(small(business_case=wanted), on_plan=heard.append)
    assert len(heard) == (1 if wanted else 0)
