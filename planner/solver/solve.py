"""The consolidation solver: one function, `solve`, from estate to a SolveResult ready to check.

The search itself is `planner.solver.search.Search` (its `run` reads as the recipe). Packing by
time (`packing = time_aware`) runs it in rounds over a growing set of time buckets
(`planner.solver.timed`): each round's plan is checked in every bucket, the buckets it overloads
join the next round, and the plan returned holds in all of them, with the best bound any round
proved (each round is a relaxation of the whole). It receives loaded profiles, never reads a file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from planner.domain import Estate
from planner.plan import SolveResult, SolveStatus
from planner.profiles.costs import solver_prices
from planner.profiles.overheads import OverheadProfile
from planner.solver.budget import Budget
from planner.solver.clock import Clock
from planner.solver.problem import build_problem
from planner.solver.progress import ProgressFn
from planner.solver.search import Search
from planner.solver.time_search import fewer_servers
from planner.solver.timed import TimeModel

ROUNDS = 12  # rounds of bucket generation at most
ROUND_SHARE = 0.1  # of the budget left, what one round takes: enough for a first plan; emptying servers improves it
PEAK_SHARE = 0.1  # of the budget, for the plan at each workload's peak bucket (it holds by construction)
EMPTY_SHARE = 0.3  # of what is left then, for emptying its servers on the full profiles
ROUNDS_UNTIL = 0.3  # rounds start only while this share of the whole budget is left (the rest empties servers)
MAX_ACTIVE = 48  # buckets held explicitly at most: beyond, each round's greedy costs more than it returns


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
) -> SolveResult:
    """Find a minimum-cost plan that honours every rule, with a lower bound on its cost.

    `prices` is what one server of each model costs the objective (`planner.profiles.costs.
    solver_prices`; default: its CAPEX, which is all the CAPEX objective needs). Other
    parameters default to the estate's settings. `progress` is called with each new plan or
    bound; setting `stop` ends the search and keeps the best plan so far. With `polish`, time
    left after the CAPEX search trims overhead at equal CAPEX. With `deterministic` (the default),
    the search counts solver work instead of seconds, so a seed fixes the plan; the time limit
    stays a ceiling on the wall clock, and a run it stops first says so (`SolveStatus.CUT_SHORT`).
    Returns a SolveResult whose status says how the run ended (`SolveStatus`).
    """
    started = time.monotonic()
    settings = estate.settings
    limit = settings.time_limit_s if time_limit_s is None else time_limit_s
    clock = Clock(limit, settings.deterministic if deterministic is None else deterministic, started)
    options: dict[str, object] = {
        "workers": settings.workers if workers is None else workers,
        "seed": settings.seed if seed is None else seed,
        "progress": progress,
        "stop": stop,
        "started": started,
    }
    paid = solver_prices(estate, None) if prices is None else prices
    if settings.packing == "time_aware" and estate.usage is not None:
        return _by_time(estate, overhead, paid, clock, options)
    return Search(estate, overhead, paid, clock, **options).run(polish)  # type: ignore[arg-type]


def _by_time(
    estate: Estate, overhead: OverheadProfile, prices: Sequence[float], clock: Clock, options: dict[str, object]
) -> SolveResult:
    """Packing by time, as a recipe: a plan that holds by construction (each workload at its peak bucket),
    servers emptied on the full profiles; then rounds over a growing set of buckets for a better plan and
    the bound, while time allows; the best plan emptied again with the time left."""
    model = TimeModel(build_problem(estate, overhead, prices), estate, overhead)
    part = clock.share(PEAK_SHARE)
    best = Search(estate, overhead, prices, part, problem=model.peak_problem(), **options)  # type: ignore[arg-type]
    best.run(polish=False)
    clock.absorb(part)
    _empty_servers(best, model, clock, options, EMPTY_SHARE)
    active, bound = model.first_buckets(), 0.0
    for _ in range(ROUNDS):
        if clock.remaining() <= ROUNDS_UNTIL * clock.total or _stopped(options) or len(active) > MAX_ACTIVE:
            break
        part = clock.share(ROUND_SHARE)
        search = Search(estate, overhead, prices, part, problem=model.relaxation(active), **options)  # type: ignore[arg-type]
        result = search.run(polish=False)
        clock.absorb(part)
        bound = max(bound, 0.0 if result.plan.unplaced else result.lower_bound)  # each round is a relaxation
        over = model.overloads(search.start)
        if not over:
            if best.improves(search.start):
                best.adopt(search.start, "time buckets")
            break
        active = sorted({*active, *model.worst_buckets(over, active)})
    _empty_servers(best, model, clock, options, 1.0)
    return _bounded(best.result(), bound, clock, f"time buckets: {len(active):,} of {model.buckets:,} held explicitly")


def _stopped(options: Mapping[str, object]) -> bool:
    stop = options["stop"]
    return isinstance(stop, threading.Event) and stop.is_set()


def _empty_servers(search: Search, model: TimeModel, clock: Clock, options: Mapping[str, object], share: float) -> None:
    """A share of the time left spent emptying servers of the plan, checked in every bucket (`time_search`)."""
    if clock.remaining() <= 0.1 or _stopped(options):
        return
    stop = options["stop"]
    wall = clock.wall_left() if clock.deterministic else min(clock.wall_left(), share * clock.remaining())
    work = share * clock.remaining() if clock.deterministic else None
    budget = Budget(time.monotonic() + wall, work, stop=stop if isinstance(stop, threading.Event) else None)
    found = fewer_servers(model, search.start, budget)
    clock.charge_work(budget.spent)
    if budget.left() <= 0 and work is not None and budget.spent < work:
        clock.mark_cut()
    if search.cost(found) < search.cost(search.start):
        search.adopt(found, "servers emptied by time")


def _bounded(result: SolveResult, bound: float, clock: Clock, said: str) -> SolveResult:
    """A result with the best bound the relaxations proved, its status optimal only when the plan meets it."""
    lower = min(result.objective_value, bound) if not result.plan.unplaced else result.lower_bound
    status = result.status
    if status == SolveStatus.OPTIMAL and result.objective_value > lower + 1e-6:
        status = SolveStatus.CUT_SHORT if clock.cut_short() else SolveStatus.FEASIBLE
    elif status == SolveStatus.FEASIBLE and result.objective_value <= lower + 1e-6 and lower > 0:
        status = SolveStatus.OPTIMAL
    method = f"{result.method} ({said}; every bucket checked)"
    return replace(result, lower_bound=lower, status=status, seconds=time.monotonic() - clock.started, method=method)
