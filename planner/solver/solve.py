"""The consolidation solver: one function, `solve`, from estate to a SolveResult ready to check.

The search itself is `planner.solver.search.Search` (its `run` reads as the recipe). Packing by
time (`packing = time_aware`, `planner.solver.timed`): the search plans each workload at its peak
bucket (a plan that holds in every bucket by construction, its models, forms and rules chosen by
the full search), then `planner.solver.time_search` empties servers on the full profiles; the
bound is the volume bound bucket by bucket. It receives loaded profiles, never reads a file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from planner.domain import Estate
from planner.plan import Plan, SolveResult, SolveStatus
from planner.profiles.costs import solver_prices
from planner.profiles.overheads import OverheadProfile
from planner.solver.budget import Budget
from planner.solver.clock import WALL_ALLOWANCE, WORK_SHARE, Clock
from planner.solver.problem import build_problem
from planner.solver.progress import ProgressFn
from planner.solver.search import Search
from planner.solver.time_search import fewer_servers
from planner.solver.timed import TimeModel

PEAK_SHARE = 0.4  # of the budget, for the plan at each workload's peak bucket (models, forms, rules: the full search)
BOUND_WORK = 0.5  # counted seconds at most for the bound's small CP-SAT model


def solve(
    estate: Estate,
    overhead: OverheadProfile,
    *,
    prices: Sequence[float] | None = None,
    time_limit_s: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    polish: bool = True,
    deterministic: bool | None = None,
    hint: Plan | None = None,
) -> SolveResult:
    """Find a minimum-cost plan that honours every rule, with a lower bound on its cost.

    `prices` is what one server of each model costs the objective (`planner.profiles.costs.
    solver_prices`; default: its CAPEX, which is all the CAPEX objective needs). Other
    parameters default to the estate's settings. `progress` is called with each new plan or
    bound; setting `stop` ends the search and keeps the best plan so far. With `polish`, time
    left after the CAPEX search trims overhead at equal CAPEX. With `deterministic` (the default),
    the search counts solver work instead of seconds, so a seed fixes the plan; the time limit
    stays a ceiling on the wall clock, and a run it stops first says so (`SolveStatus.CUT_SHORT`).
    `hint`, a plan of this estate (a warm start), is the search's start when it beats the greedy one.
    Returns a SolveResult whose status says how the run ended (`SolveStatus`).
    """
    started = time.monotonic()
    settings = estate.settings
    limit = settings.time_limit_s if time_limit_s is None else time_limit_s
    steady = settings.deterministic if deterministic is None else deterministic
    wall = WALL_ALLOWANCE.get() if steady else 1.0  # solves side by side: a longer ceiling, the same work
    clock = Clock(limit * wall, steady, started, work_budget=WORK_SHARE * limit)
    options: dict[str, object] = {
        "workers": settings.workers if workers is None else workers,
        "seed": settings.seed if seed is None else seed,
        "progress": progress,
        "stop": stop,
        "started": started,
        "hint": hint,
    }
    paid = solver_prices(estate, None) if prices is None else prices
    if settings.packing == "time_aware" and estate.usage is not None:
        return _by_time(estate, overhead, paid, clock, options)
    return Search(estate, overhead, paid, clock, **options).run(polish)  # type: ignore[arg-type]


def _by_time(
    estate: Estate, overhead: OverheadProfile, prices: Sequence[float], clock: Clock, options: dict[str, object]
) -> SolveResult:
    """Packing by time, as a recipe: the bound that holds in every bucket; a plan with each workload at its
    peak bucket (the full search picks its models and forms; it holds by construction); then its servers
    emptied one by one on the full profiles with the time left. The plan is checked in every bucket."""
    model = TimeModel(build_problem(estate, overhead, prices), estate, overhead)
    bound = model.volume_bound(prices, BOUND_WORK)
    clock.charge_work(BOUND_WORK)
    part = clock.share(PEAK_SHARE)
    best = Search(estate, overhead, prices, part, problem=model.peak_problem(), **options)  # type: ignore[arg-type]
    best.run(polish=False)
    clock.absorb(part)
    _empty_servers(best, model, clock, options)
    if model.overloads(best.start):  # never: both steps check every bucket; a bug if it happens
        raise RuntimeError("a plan packed by time overloads a bucket: a bug")
    return _bounded(best.result(), bound, clock, f"{model.buckets:,} time buckets, every one checked")


def _empty_servers(search: Search, model: TimeModel, clock: Clock, options: Mapping[str, object]) -> None:
    """The time left spent emptying servers of the plan, checked in every bucket (`time_search`)."""
    stop = options["stop"] if isinstance(options["stop"], threading.Event) else None
    if clock.remaining() <= 0.1 or (stop is not None and stop.is_set()):
        return
    wall = clock.wall_left() if clock.deterministic else min(clock.wall_left(), clock.remaining())
    budget = Budget(time.monotonic() + wall, clock.remaining() if clock.deterministic else None, stop=stop)
    found = fewer_servers(model, search.start, budget)
    clock.charge_work(budget.spent)
    if budget.left() <= 0 and budget.work is not None and budget.spent < budget.work:
        clock.mark_cut()
    if search.cost(found) < search.cost(search.start):
        search.adopt(found, "servers emptied by time")


def _bounded(result: SolveResult, bound: float, clock: Clock, said: str) -> SolveResult:
    """A result with the bound that holds in every bucket (the search's own was for the peak problem, a
    restriction), its status optimal only when the plan meets that bound."""
    lower = min(result.objective_value, bound) if not result.plan.unplaced else min(result.lower_bound, bound)
    status = result.status
    if status == SolveStatus.OPTIMAL and result.objective_value > lower + 1e-6:
        status = SolveStatus.CUT_SHORT if clock.cut_short() else SolveStatus.FEASIBLE
    elif status in (SolveStatus.FEASIBLE, SolveStatus.CUT_SHORT) and result.objective_value <= lower + 1e-6 and lower > 0:
        status = SolveStatus.OPTIMAL
    method = f"{result.method} ({said})"
    return replace(result, lower_bound=lower, status=status, seconds=time.monotonic() - clock.started, method=method)
