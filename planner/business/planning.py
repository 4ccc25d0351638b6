"""A whole plan within the time limit: the main solve, then the business case's solves, one ceiling for all.

`time_limit_s` bounds the whole command (CLI, API and dashboard alike). With the business case, the
main solve gets MAIN_SHARE of it and the business case's further solves (each strategy, each growth
year) share CASE_SHARE equally; the rest is for reading, checking and writing. Each share is fixed by
the limit, not by the clock, so the same input gives the same plan; a deadline at the limit skips
what a slow machine could not reach, and the business case says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from planner.business.budget import MIN_SOLVE_S, CaseBudget
from planner.business.case import build_business_case
from planner.business.strategies import strategy_estate, strategy_keys
from planner.domain import Estate
from planner.plan import ProgressPoint
from planner.profiles.overheads import OverheadProfile
from planner.study.pipeline import Study, run_study

MAIN_SHARE = 0.9  # of the time limit, for the main solve with a business case (deterministic: it works 60% of it)
WALL_CLOCK_MAIN_SHARE = 0.5  # the same on the wall clock (`deterministic = no`), where a solve uses all of its limit
CASE_SHARE = 0.4  # of the time limit, shared equally by the business case's further solves
DEADLINE_SHARE = 0.95  # no further solve starts past this share of the limit


def further_solves(study: Study) -> int:
    """How many solves the business case adds: each strategy other than the study's own, each other growth year."""
    e = study.estate
    strategies = sum(1 for key in strategy_keys(e) if strategy_estate(e, key).settings != e.settings)
    return strategies + e.settings.years  # the horizon's years 0..N, less the one the study is sized for


def plan_with_case(
    estate: Estate,
    *,
    overhead: OverheadProfile | None = None,
    progress: Callable[[ProgressPoint], None] | None = None,
    stop: threading.Event | None = None,
    on_plan: Callable[[Study], None] | None = None,
    business_case: bool | None = None,
) -> Study:
    """Solve, check and price the estate; then, when asked, its business case; all within `time_limit_s`.

    `on_plan` receives the checked plan before the business case is built (the dashboard shows it).
    """
    started = time.monotonic()
    limit = estate.settings.time_limit_s
    wanted = estate.settings.business_case if business_case is None else business_case
    share = (MAIN_SHARE if estate.settings.deterministic else WALL_CLOCK_MAIN_SHARE) if wanted else 1.0
    study = run_study(estate, overhead=overhead, time_limit_s=limit * share, progress=progress, stop=stop)
    if not wanted or (stop is not None and stop.is_set()):
        return study
    if on_plan is not None:
        on_plan(study)
    budget = CaseBudget(max(MIN_SOLVE_S, limit * CASE_SHARE / max(1, further_solves(study))), started + limit * DEADLINE_SHARE)
    return build_business_case(study, budget=budget, stop=stop)
