"""The consolidation solver: one function, `solve`, from estate to a SolveResult ready to check.

The steps, each within the time limit: a rule-respecting first-fit decreasing start and the
volume/L2 lower bound (reported before any search); column generation and local search when
the estate is pure 1-D packing (`planner/onedim.py`); exact-fill patterns and local search when
it is plain vector packing (`planner/exact_fill.py`, `planner/vector_cns.py`); pattern column
generation when shapes repeat (`planner/patterns.py`); large-neighbourhood search when the full
model is large; then the full CP-SAT model (`planner/model.py`) from the best plan so far, and
a polish that trims overhead at equal CAPEX. The server pool per model is what first-fit
decreasing needs with that model alone: an optimal plan never needs more of one model than
that, so 'optimal' is honest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from planner.assemble import diagnose_unplaced, to_plan
from planner.bounds import volume_bound
from planner.budget import Budget, halted_by
from planner.clock import Clock
from planner.costs import solver_costs
from planner.domain import Estate
from planner.exact_fill import mip_plan_at_bound, plan_at_bound
from planner.greedy import Assignment, best_greedy, fits_empty_server, model_orders, single_model_counts
from planner.lns import improve
from planner.model import ModelBuilder, unplaced_penalty
from planner.onedim import is_one_dimensional, is_plain_packing, one_d_assignment
from planner.overheads import OverheadModel
from planner.patterns import pattern_search
from planner.plan import ProgressPoint, SolveResult
from planner.problem import Problem, build_problem
from planner.vector_cns import vector_assignment

ProgressFn = Callable[[ProgressPoint], None]


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports (elapsed, best cost, bound) on each new plan and each better bound."""

    def __init__(self, report: ProgressFn | None, penalty: int, unit: float, start: float) -> None:
        super().__init__()
        self.report, self.penalty, self.unit, self.start = report, penalty, unit, start
        self.points: list[ProgressPoint] = []
        self.best: float | None = None
        self.bound: float | None = None
        self.floor = 0.0  # a bound known before the search (the volume bound)

    def _emit(self) -> None:
        point = ProgressPoint(time.monotonic() - self.start, self.best, self.bound)
        self.points.append(point)
        if self.report is not None:
            self.report(point)

    def on_solution_callback(self) -> None:
        self.best = (int(self.objective_value) % self.penalty) * self.unit
        self._emit()

    def on_bound(self, bound: float) -> None:
        if bound < self.penalty:
            self.bound = max(bound * self.unit, self.floor)
            self._emit()


def _placeable(problem: Problem) -> tuple[list[int], dict[int, str]]:
    """Bundles that can be placed at all, and the reason for each that cannot."""
    active, reasons = [], {}
    for b, bundle in enumerate(problem.bundles):
        if b in problem.self_conflicting or not fits_empty_server(problem, bundle):
            reasons[b] = diagnose_unplaced(problem, b, 0)
        else:
            active.append(b)
    return active, reasons


def _pools(problem: Problem, start: Assignment, single: list[int], hard: bool) -> list[int]:
    """Servers per model the model may buy: enough for an optimal plan, and no more."""
    pools = []
    for m, limit_m in enumerate(problem.max_counts):
        cap = single[m] if limit_m is None else min(limit_m, single[m])
        if hard and problem.costs[m] > 0:  # an optimal plan costs no more than the start
            cap = min(cap, start.cost(problem) // problem.costs[m])
        pools.append(max(start.count(m), cap))
    return pools


def _model_size(problem: Problem, pools: list[int], active: list[int]) -> int:
    """Number of assign[b,s] variables the full model would have (after symmetry breaking)."""
    return sum(min(p, b + 1) for b in active for p in pools)


def _run(solver: cp_model.CpSolver, model: cp_model.CpModel, tracker: _Progress | None, stop: threading.Event | None) -> int:
    """Solve, ending the search when `stop` is set; returns the CP-SAT status."""
    with halted_by(stop, solver.stop_search):
        return int(solver.solve(model, tracker))


def _budget(clock: Clock, seconds: float, stop: threading.Event | None) -> Budget:
    """A budget of `seconds` in the clock's unit (counted work in deterministic runs), ended by `stop`."""
    wall = clock.wall_left() if clock.deterministic else seconds
    return Budget(time.monotonic() + wall, seconds if clock.deterministic else None, stop=stop)


LNS_THRESHOLD = 4000  # assign variables above which the full model is slow to presolve
BUILD_SECONDS = 4e-5  # seconds to build the full model, per assignment variable
FULL_MODEL_LIMIT = 60_000  # above this the full model costs more to build than it returns in time
MAX_CLASSES = 1_000  # shape classes above which the pattern master's pricing is too slow to pay
DIVE_CLASSES = 300  # distinct shapes up to which diving on the pattern LP fits a short time limit
FILL_SHARE = 0.15  # of the time left, what the exact-fill pattern model may take at each target (it settles fast or not at all)
MIP_SHARE = 0.9  # of the time left after the local search, what branch and bound on an unsettled exact-fill model may take


def solve(
    estate: Estate,
    overhead: OverheadModel,
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    polish: bool = True,
    deterministic: bool | None = None,
) -> SolveResult:
    """Find a minimum-CAPEX plan that honours every rule, with a lower bound on its cost.

    Parameters default to the estate's settings. `progress` is called with each new
    plan or bound; setting `stop` ends the search and keeps the best plan so far.
    With `polish`, time left after the CAPEX search trims overhead at equal CAPEX. With
    `deterministic`, the limit counts solver work instead of seconds, so a seed fixes the plan.
    Returns a SolveResult whose status is 'optimal' (proven) or 'feasible'.
    """
    started = time.monotonic()
    settings = estate.settings
    limit = settings.time_limit_s if time_limit_s is None else time_limit_s
    workers = settings.workers if workers is None else workers
    seed = settings.seed if seed is None else seed
    clock = Clock(limit, settings.deterministic if deterministic is None else deterministic, started)
    problem = build_problem(estate, overhead)
    prices = solver_costs(estate)
    unit = 1.0 if all(float(p).is_integer() for p in prices) else 0.01
    if unit != 1.0:
        problem.costs = [round(p * 100) for p in prices]
    active, reasons = _placeable(problem)
    all_items = sorted(i for b in active for i in problem.bundles[b])
    plain = is_plain_packing(problem, all_items)  # plain packing: the searches below beat more greedy orders
    start = best_greedy(problem, seconds=None if clock.deterministic else (0.05 if plain else 0.25) * limit)
    hard = all(problem.bundles[b][0] in start.placed for b in active)
    # Pools: with every replica placed, an optimal plan costs no more than the start, which caps each
    # model's count; the single-model first-fit counts tighten that only when the full model is built.
    single = [len(start.servers)] if len(problem.capacities) == 1 and hard else [len(problem.items)] * len(problem.capacities)
    pools = _pools(problem, start, single, hard)
    if not hard or (len(single) > 1 and _model_size(problem, pools, active) <= FULL_MODEL_LIMIT):
        single = single_model_counts(problem)
        pools = _pools(problem, start, single, hard)
    start_bound = volume_bound(problem, all_items, pools) if hard else 0
    tracker = _Progress(progress, unplaced_penalty(problem, pools), unit, started)
    if hard:  # the start plan and the volume bound are both known before any search
        tracker.best = start.cost(problem) * unit
        tracker.floor = tracker.bound = start_bound * unit
    tracker._emit()
    method = "first-fit decreasing"

    remaining = clock.remaining

    dim = is_one_dimensional(problem, all_items) if hard else None
    if dim is not None and start.cost(problem) > start_bound and remaining() > 0.5:
        # Pure 1-D packing: the Gilmore-Gomory bound, and diving and local search for a plan at it.
        budget = _budget(clock, 0.9 * remaining(), stop)
        flow_plan, flow_bound = one_d_assignment(problem, all_items, dim, budget, seed)
        clock.charge_work(budget.spent)
        start_bound = max(start_bound, flow_bound * problem.costs[0])
        tracker.floor = max(tracker.floor, start_bound * unit)
        tracker.bound = tracker.floor
        if flow_plan.cost(problem) < start.cost(problem):
            start, method = flow_plan, method + " + column generation and local search"
            tracker.best = start.cost(problem) * unit
        tracker._emit()
    plain_vector = hard and plain and dim is None and problem.costs[0] > 0

    def local_search(start: Assignment, bound: int, share: float, method: str) -> tuple[Assignment, str]:
        """Plain vector packing: the consistent neighbourhood search empties servers fastest."""
        if start.cost(problem) <= bound or remaining() < 0.5:
            return start, method
        budget = _budget(clock, share * remaining(), stop)
        found = vector_assignment(problem, start, -(-bound // problem.costs[0]), budget, seed)
        clock.charge_work(budget.spent)
        if found.cost(problem) >= start.cost(problem):
            return start, method
        tracker.best = found.cost(problem) * unit
        tracker._emit()
        return found, method if method.endswith("local search") else method + " + local search"

    def run_fill(model: cp_model.CpModel) -> tuple[int, cp_model.CpSolver]:
        fill_solver = cp_model.CpSolver()
        clock.configure(fill_solver, FILL_SHARE * remaining(), workers, seed)
        status = _run(fill_solver, model, None, stop)
        clock.charge(fill_solver)
        return status, fill_solver

    # Where servers hold a few large items and the bound leaves little slack (triplets: every server
    # full), the exact-fill patterns give a plan at the bound, or prove that the bound is one short.
    target = -(-start_bound // max(1, problem.costs[0]))
    unsettled = False  # CP-SAT ran out of time at `target` on a model likely to hold the plan (see `Fill`)
    while plain_vector and target < len(start.servers) and remaining() > 0.5 and not (stop is not None and stop.is_set()):
        filled, proven, unsettled = plan_at_bound(problem, start, target, run_fill)
        if filled is not None:
            start, method = filled, method + " + exact-fill patterns"
            tracker.best = start.cost(problem) * unit
        elif proven > target:
            start_bound = proven * problem.costs[0]
            tracker.floor = tracker.bound = start_bound * unit
        tracker._emit()
        if filled is not None or proven == target:
            break
        target = proven
    # An unsettled exact-fill model (exact covers of ~1,700 patterns: 500-item triplets) goes on to
    # SCIP's LP-based branch and bound once the local search has a plan one server above the bound.
    # Wall-clock runs only: SCIP has no deterministic time limit.
    mip = unsettled and not clock.deterministic
    if plain_vector:
        start, method = local_search(start, start_bound, 0.1 if mip else 0.5, method)
    if mip and start.cost(problem) > start_bound and remaining() > 1 and not (stop is not None and stop.is_set()):
        filled = mip_plan_at_bound(problem, start, target, MIP_SHARE * remaining(), stop)
        if filled is not None:
            start, method = filled, method + " + exact-fill patterns by branch and bound"
            tracker.best = start.cost(problem) * unit
            tracker._emit()
    classes = len({problem.bundle_class[b] for b in active})
    aggregates = len(active) >= 2 * classes  # shapes repeat: rounding the pattern LP is then near-optimal
    # Few, distinct shapes in more than one dimension: dive on the pattern LP (1-D has its own search).
    diving = not aggregates and classes <= DIVE_CLASSES and dim is None
    if hard and (aggregates or diving) and start.cost(problem) > start_bound and classes <= MAX_CLASSES and remaining() > 1:
        # The pattern master gives the column-generation bound and a plan: on large estates within a
        # fraction of a percent of it, at the cost of a few hundred shapes; on small ones by diving.
        share = 0.3 if aggregates else 0.6
        found_p = pattern_search(
            problem,
            active,
            start,
            pools,
            model_orders(problem),
            clock=clock,
            seconds=share * remaining(),
            seed=seed,
            dive_too=diving,
        )
        if found_p.bound > start_bound:
            start_bound = found_p.bound
            tracker.floor = tracker.bound = start_bound * unit
        if found_p.plan is not None and found_p.plan.cost(problem) < start.cost(problem):
            start, method = found_p.plan, method + " + column generation"
            tracker.best = start.cost(problem) * unit
        tracker._emit()
    if plain_vector:  # again, from the pattern plan and towards the pattern bound
        start, method = local_search(start, start_bound, 0.5, method)
    size = _model_size(problem, pools, active)
    full_model = not hard or size <= FULL_MODEL_LIMIT  # a huge model would spend the budget being built
    if hard and size > LNS_THRESHOLD and start.cost(problem) > start_bound:

        def improved(a: Assignment) -> None:
            tracker.best = a.cost(problem) * unit
            tracker._emit()

        start = improve(
            problem,
            start,
            clock=clock,
            time_limit_s=(0.6 if full_model else 0.97) * remaining(),
            bound=start_bound,
            workers=workers,
            seed=seed,
            stop=stop,
            on_improve=improved,
        )
        method += " + LNS"
        pools = _pools(problem, start, single, hard)
    stopped = stop is not None and stop.is_set()
    status, found, builder, solver = int(cp_model.UNKNOWN), None, None, cp_model.CpSolver()
    settled = hard and start.cost(problem) <= start_bound  # proven optimal already
    # Building the model costs time too (about 40 us per assignment variable): skip it when that is all there is.
    if full_model and not stopped and not settled and remaining() > max(0.2, size * BUILD_SECONDS):
        builder = ModelBuilder(problem, pools, active, hard)
        model = builder.build()
        builder.add_hint(start)
        # Phase 1 (CAPEX) gets most of the time; the polish phase what is left (at least 15%).
        clock.configure(solver, max(0.1, remaining() * (0.85 if polish else 1.0)), workers, seed)
        tracker.penalty = builder.penalty
        solver.best_bound_callback = tracker.on_bound
        status = _run(solver, model, tracker, stop)
        clock.charge(solver)
    cp_bound = 0
    if builder is not None and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = builder.extract(solver)
    if (
        builder is not None
        and found is not None
        and (len(found.placed), -found.cost(problem)) >= (len(start.placed), -start.cost(problem))
    ):
        assignment, method, cp_bound = found, method + " + CP-SAT", int(solver.best_objective_bound)
        if polish and remaining() > 0.5 and not (stop is not None and stop.is_set()):
            assignment = builder.polish(solver, found, clock, remaining())
            method += ", overhead trimmed at equal CAPEX"
    elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
        assignment = start
    else:
        raise RuntimeError(f"CP-SAT returned {solver.status_name(status)} on a model with a known plan: a bug")
    max_servers = sum(pools)
    for b in active:
        if problem.bundles[b][0] not in assignment.placed:
            reasons[b] = diagnose_unplaced(problem, b, max_servers)
    placed_items = sorted(assignment.placed)
    all_placed = len(placed_items) == len(all_items)
    bound = start_bound if all_placed and hard else volume_bound(problem, placed_items, pools)
    if all_placed and builder is not None and cp_bound < builder.penalty:
        bound = max(bound, cp_bound)
    cost = assignment.cost(problem)
    optimal = status == cp_model.OPTIMAL or bound >= cost
    plan = to_plan(problem, assignment, reasons)
    capex = sum(estate.server_model(s.model).unit_cost for s in plan.servers)
    price = {m.model: p for m, p in zip(estate.server_models, prices, strict=True)}
    value = sum(price[s.model] for s in plan.servers)
    return SolveResult(
        status="optimal" if optimal else "feasible",
        plan=plan,
        capex=capex,
        lower_bound=min(value, bound * unit),
        seconds=time.monotonic() - started,
        method=method,
        progress=tuple(tracker.points),
        objective=settings.objective,
        cost=value,
    )
