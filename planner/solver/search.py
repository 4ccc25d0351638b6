"""One search of the consolidation solver: from an integer problem to a SolveResult ready to check.

The steps, each within the time limit (`Search.run` reads as the recipe): a rule-respecting first-fit decreasing
start and the volume/L2 lower bound, with the bound that knows host modes when forms are a choice (`mode_bound.py`),
reported before any search; column generation and local search when the estate is pure 1-D packing
(`packing/onedim.py`); exact-fill patterns and local search when it is plain vector packing (`packing/exact_fill.py`,
`packing/vector_cns.py`); on a mixed estate, that local search on its plain cores (one model and mode, one form per
replica, rules kept: `packing/core.py`) and a fill of cores that mix models, improved by ruin and recreate
(`packing/mixed_core.py`); pattern column generation when shapes repeat (`packing/patterns.py`); large-neighbourhood
search when the full model is large (`lns.py`); then the full CP-SAT model (`cpsat.py`) from the best plan so far,
and a polish that trims overhead at equal CAPEX. Every plan a step adopts is right-sized first (`right_size.py`).
The server pool per model is what first-fit decreasing needs with that model alone: an optimal plan never needs more
of one model than that, so 'optimal' is honest. It receives loaded profiles, never reads a file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from planner.domain import Estate
from planner.plan import Plan, SolveResult, SolveStatus
from planner.profiles.overheads import OverheadProfile
from planner.solver.assemble import diagnose_unplaced, from_plan, to_plan
from planner.solver.bounds import volume_bound
from planner.solver.budget import Budget
from planner.solver.clock import Clock
from planner.solver.cpsat import ModelBuilder, unplaced_penalty
from planner.solver.greedy import Assignment, best_greedy, model_orders, single_model_counts
from planner.solver.lns import improve
from planner.solver.mode_bound import mode_bound
from planner.solver.packing.core import core_search, cores
from planner.solver.packing.exact_fill import mip_within, plan_at_bound
from planner.solver.packing.mixed_core import mixed_search, paying_cut
from planner.solver.packing.onedim import is_one_dimensional, is_plain_packing, one_d_assignment
from planner.solver.packing.pattern_plan import pattern_search
from planner.solver.packing.vector_cns import vector_assignment
from planner.solver.pools import model_size, placeable, server_pools
from planner.solver.problem import Problem, build_problem
from planner.solver.progress import Progress, ProgressFn, run_cpsat
from planner.solver.right_size import right_sized

LNS_THRESHOLD = 4000  # assign variables above which the full model is slow to presolve
BUILD_SECONDS = 4e-5  # seconds to build the full model, per assignment variable
FULL_MODEL_LIMIT = 60_000  # above this the full model costs more to build than it returns in time
MAX_CLASSES = 1_000  # shape classes above which the pattern master's pricing is too slow to pay
DIVE_CLASSES = 300  # distinct shapes up to which diving on the pattern LP fits a short time limit
FILL_SHARE = 0.15  # of the time left, what the exact-fill pattern model may take at each target (it settles fast or not at all)
GREEDY_VISITS_PER_S = 1_000_000  # servers first fit looks at per second, about (2.6 M/s skipping, 0.3 M/s trying)
MODE_BOUND_WORK = 2.0  # counted seconds at most for the bound that knows host modes and forms
MODE_BOUND_SHARE = 0.1  # and at most this share of the limit
CORE_SHARE = 0.5  # of the time left, what the plain cores of a mixed estate may take
MIXED_SHARE = 0.8  # of the cores' share, what the mixed cores take when they go (the single-model cores the rest)
MIP_SHARE = 0.9  # of the time left after the local search, what branch and bound on an unsettled exact-fill model may take


class Search:
    """One solve's state: the problem, the best plan and bound so far, and the time left.

    Each stage improves `start` (the best plan) or `bound` (the best proven lower bound, in
    the problem's integer cost units), and reports through `tracker`.
    """

    start: Assignment  # the best plan so far
    bound: int  # the best proven lower bound, in integer cost units
    tracker: Progress
    pools: list[int]  # servers per model the full model may buy
    single: list[int]  # servers per model first fit needs with that model alone
    hard: bool  # every placeable replica is placed: the plan's cost is comparable with the bound
    plain: bool
    plain_vector: bool
    dim: int | None  # the one binding resource of pure 1-D packing
    mip: bool  # an unsettled exact-fill model goes on to branch and bound
    target: int  # servers the exact-fill step aims at
    size: int  # assignment variables of the full model
    full: bool  # the full model is small enough to build

    def __init__(
        self,
        estate: Estate,
        overhead: OverheadProfile,
        prices: Sequence[float],
        clock: Clock,
        *,
        workers: int,
        seed: int,
        progress: ProgressFn | None,
        stop: threading.Event | None,
        started: float,
        problem: Problem | None = None,
        hint: Plan | None = None,
    ) -> None:
        self.estate, self.prices, self.clock = estate, list(prices), clock
        self.workers, self.seed, self.stop, self.started = workers, seed, stop, started
        self.problem = build_problem(estate, overhead, self.prices) if problem is None else problem
        self.unit = 1.0 if all(float(p).is_integer() for p in self.prices) else 0.01
        if self.unit != 1.0:
            self.problem.costs = [round(p * 100) for p in self.prices]
        self.active, self.reasons = placeable(self.problem)
        self.items = sorted(i for b in self.active for i in self.problem.bundles[b])
        self.progress = progress
        self.method = "first-fit decreasing"
        self.status = int(cp_model.UNKNOWN)
        self.cp_bound = 0
        self.builder: ModelBuilder | None = None
        self.hint = hint

    # --- helpers -------------------------------------------------------------------------

    def remaining(self) -> float:
        """Time (or work) left in the limit."""
        return self.clock.remaining()

    def stopped(self) -> bool:
        """True once the user asked the search to stop."""
        return self.stop is not None and self.stop.is_set()

    def budget(self, seconds: float) -> Budget:
        """A budget of `seconds` in the clock's unit (counted work in deterministic runs), ended by `stop`."""
        wall = self.clock.wall_left() if self.clock.deterministic else seconds
        return Budget(time.monotonic() + wall, seconds if self.clock.deterministic else None, stop=self.stop)

    def cost(self, a: Assignment) -> int:
        """An assignment's cost in integer units."""
        return a.cost(self.problem)

    def adopt(self, found: Assignment, step: str, *, report: bool = True) -> None:
        """Make a better plan the best so far, name its step in the method, and report it (unless the caller will).

        A plan placing fewer replicas, or as many at a higher cost, is never adopted: each step only improves.
        Each server of it first moves to the cheapest model that holds its load (`right_size.py`)."""
        found = right_sized(self.problem, found)
        if not self.improves(found):
            return
        self.start = found
        if step and not self.method.endswith(step):
            self.method += " + " + step
        self.tracker.best = self.cost(found) * self.unit
        if report:
            self.tracker.emit()

    def improves(self, found: Assignment) -> bool:
        """True when a plan places as many replicas as the best so far, at no higher cost (or places more)."""
        return (len(found.placed), -self.cost(found)) >= (len(self.start.placed), -self.cost(self.start))

    def raise_bound(self, bound: int) -> None:
        """Raise the proven lower bound (the caller reports it)."""
        self.bound = max(self.bound, bound)
        self.tracker.floor = max(self.tracker.floor, self.bound * self.unit)
        self.tracker.bound = self.tracker.floor

    # --- the recipe ----------------------------------------------------------------------

    def run(self, polish: bool) -> SolveResult:
        """Every stage in order; each returns at once when it does not apply or time is up."""
        self.first_fit()
        self.one_dimensional()
        self.exact_fill()
        self.vector_search(0.1 if self.mip else 0.5)
        self.branch_and_bound()
        self.plain_cores()
        self.pattern_master()
        self.vector_search(0.5)  # again, from the pattern plan and towards the pattern bound
        self.neighbourhood_search()
        self.full_model(polish)
        return self.result()

    def first_fit(self) -> None:
        """The greedy start, the server pools, and the volume bound: both known before any search."""
        problem, clock = self.problem, self.clock
        self.plain = is_plain_packing(problem, self.items)  # plain packing: the searches below beat more greedy orders
        limit, share = clock.total, 0.05 if self.plain else 0.25
        # deterministic runs bound the greedy variants by counted work (servers looked at), others by the clock
        visits = int(GREEDY_VISITS_PER_S * share * limit) if clock.deterministic else None
        self.start = best_greedy(problem, seconds=None if clock.deterministic else share * limit, visits=visits)
        warm = from_plan(problem, self.hint) if self.hint is not None else None
        if warm is not None and len(warm.placed) >= len(self.start.placed) and self.cost(warm) < self.cost(self.start):
            self.start, self.method = warm, "warm start from the recommended plan"
        self.hard = all(problem.bundles[b][0] in self.start.placed for b in self.active)
        # Pools: with every replica placed, an optimal plan costs no more than the start, which caps each
        # model's count; the single-model first-fit counts tighten that only when the full model is built.
        many = len(problem.capacities) > 1
        self.single = [len(self.start.servers)] if not many and self.hard else [len(problem.items)] * len(problem.capacities)
        self.pools = server_pools(problem, self.start, self.single, self.hard)
        if not self.hard or (many and model_size(self.pools, self.active) <= FULL_MODEL_LIMIT):
            self.single = single_model_counts(problem)
            self.pools = server_pools(problem, self.start, self.single, self.hard)
        self.bound = volume_bound(problem, self.items, self.pools) if self.hard else 0
        if self.hard:  # where forms and modes are a choice, the tighter bound
            share = MODE_BOUND_SHARE * limit
            by_mode, work = mode_bound(problem, self.items, self.pools, min(MODE_BOUND_WORK, share), share)
            self.bound = max(self.bound, by_mode)
            clock.charge_work(work)
        self.tracker = Progress(self.progress, unplaced_penalty(problem, self.pools), self.unit, self.started)
        if self.hard:
            self.tracker.best = self.cost(self.start) * self.unit
            self.tracker.floor = self.tracker.bound = self.bound * self.unit
        self.tracker.emit()
        self.dim = is_one_dimensional(problem, self.items) if self.hard else None
        self.plain_vector = self.hard and self.plain and self.dim is None and problem.costs[0] > 0
        self.mip = False

    def one_dimensional(self) -> None:
        """Pure 1-D packing: the Gilmore-Gomory bound, and diving and local search for a plan at it."""
        if self.dim is None or self.cost(self.start) <= self.bound or self.remaining() <= 0.5:
            return
        budget = self.budget(0.9 * self.remaining())
        flow_plan, flow_bound = one_d_assignment(self.problem, self.items, self.dim, budget, self.seed)
        self.clock.charge_work(budget.spent)
        self.raise_bound(flow_bound * self.problem.costs[0])
        if self.cost(flow_plan) < self.cost(self.start):
            self.adopt(flow_plan, "column generation and local search", report=False)
        self.tracker.emit()

    def _fill(self, model: cp_model.CpModel) -> tuple[int, cp_model.CpSolver]:
        """Run one exact-fill partitioning model within its share of the time left."""
        fill_solver = cp_model.CpSolver()
        self.clock.configure(fill_solver, FILL_SHARE * self.remaining(), self.workers, self.seed)
        status = run_cpsat(fill_solver, model, None, self.stop)
        self.clock.charge(fill_solver)
        return status, fill_solver

    def exact_fill(self) -> None:
        """Plain vector packing near a tight bound: a plan at the bound, or a proof that it is one short.

        Where servers hold a few large items and the bound leaves little slack (triplets: every
        server full), the exact-fill patterns are what finds the plan.
        """
        self.target = -(-self.bound // max(1, self.problem.costs[0]))
        unsettled = False  # CP-SAT ran out of time at `target` on a model likely to hold the plan (see `Fill`)
        while self.plain_vector and self.target < len(self.start.servers) and self.remaining() > 0.5 and not self.stopped():
            filled, proven, unsettled = plan_at_bound(self.problem, self.start, self.target, self._fill)
            if filled is not None:
                self.adopt(filled, "exact-fill patterns", report=False)
            elif proven > self.target:
                self.raise_bound(proven * self.problem.costs[0])
            self.tracker.emit()
            if filled is not None or proven == self.target:
                break
            self.target = proven
        self.mip = unsettled  # an unsettled model goes on to branch and bound

    def vector_search(self, share: float) -> None:
        """Plain vector packing: the consistent neighbourhood search empties servers fastest."""
        if not self.plain_vector or self.cost(self.start) <= self.bound or self.remaining() < 0.5:
            return
        budget = self.budget(share * self.remaining())
        found = vector_assignment(self.problem, self.start, -(-self.bound // self.problem.costs[0]), budget, self.seed)
        self.clock.charge_work(budget.spent)
        if self.cost(found) < self.cost(self.start):
            self.adopt(found, "local search")

    def branch_and_bound(self) -> None:
        """An unsettled exact-fill model (exact covers: 500-item triplets) on SCIP's LP-based branch and bound.

        It runs once the local search has a plan one server above the bound.
        """
        if not self.mip or self.cost(self.start) <= self.bound or self.remaining() <= 1 or self.stopped():
            return
        filled = mip_within(self.problem, self.start, self.target, self.clock, MIP_SHARE * self.remaining(), self.stop)
        if filled is not None:
            self.adopt(filled, "exact-fill patterns by branch and bound")

    def plain_cores(self) -> None:
        """A mixed estate: the best plan of one model in one mode and form (`packing/core.py`), rules kept; first,
        where mixing models pays, that of cores mixing them (`packing/mixed_core.py`), with most of the share."""
        if self.plain or not self.hard or self.cost(self.start) <= self.bound or self.remaining() <= 0 or self.stopped():
            return  # (the cores' first fits take a moment: worth it even when little time is left)
        budget = self.budget(CORE_SHARE * self.remaining())
        single = cores(self.problem, self.active)
        if (cut := paying_cut(self.problem, self.active, single)) is not None:
            mixed = mixed_search(self.problem, cut, self.cost(self.start), budget.part(MIXED_SHARE))
            if mixed is not None and self.cost(mixed) < self.cost(self.start):
                self.adopt(mixed, "mixed-catalog core local search")
        found = core_search(self.problem, single, self.cost(self.start), budget, self.seed)
        self.clock.charge_work(budget.spent)
        if found is not None and self.cost(found) < self.cost(self.start):
            self.adopt(found, "plain-core local search")
        self.pools = server_pools(self.problem, self.start, self.single, self.hard)  # the full model's hint fits them

    def pattern_master(self) -> None:
        """Column generation over shape classes: its bound, and a plan by rounding (repeated shapes) or diving."""
        classes = len({self.problem.bundle_class[b] for b in self.active})
        aggregates = len(self.active) >= 2 * classes  # shapes repeat: rounding the pattern LP is then near-optimal
        diving = not aggregates and classes <= DIVE_CLASSES and self.dim is None  # few distinct shapes, more than 1-D
        if not (self.hard and (aggregates or diving) and self.cost(self.start) > self.bound):
            return
        if classes > MAX_CLASSES or self.remaining() <= 1 or self.stopped():
            return
        found = pattern_search(
            self.problem,
            self.active,
            self.start,
            self.pools,
            model_orders(self.problem),
            clock=self.clock,
            seconds=(0.3 if aggregates else 0.6) * self.remaining(),
            seed=self.seed,
            dive_too=diving,
        )
        self.raise_bound(found.bound)
        if found.plan is not None and self.cost(found.plan) < self.cost(self.start):
            self.adopt(found.plan, "column generation", report=False)
        self.tracker.emit()

    def neighbourhood_search(self) -> None:
        """Large-neighbourhood search when the full model is large: empty a few servers, re-pack them optimally."""
        self.size = size = model_size(self.pools, self.active)  # before LNS, as the full model's decision needs it
        self.full = not self.hard or size <= FULL_MODEL_LIMIT  # a huge model would spend the budget being built
        if not (self.hard and size > LNS_THRESHOLD and self.cost(self.start) > self.bound):
            return

        def improved(a: Assignment) -> None:
            self.tracker.best = self.cost(a) * self.unit
            self.tracker.emit()

        improved_plan = improve(
            self.problem,
            self.start,
            clock=self.clock,
            time_limit_s=(0.6 if self.full else 0.97) * self.remaining(),
            bound=self.bound,
            workers=self.workers,
            seed=self.seed,
            stop=self.stop,
            on_improve=improved,
        )
        if self.improves(improved_plan):
            self.start = improved_plan
        self.method += " + LNS"
        self.pools = server_pools(self.problem, self.start, self.single, self.hard)

    def full_model(self, polish: bool) -> None:
        """The full CP-SAT model from the best plan so far; then, with time left, trim overhead at equal CAPEX."""
        settled = self.hard and self.cost(self.start) <= self.bound  # proven optimal already
        # Building the model costs time too (about 40 us per assignment variable): skip it when that is all there is.
        if not self.full or self.stopped() or settled or self.remaining() <= max(0.2, self.size * BUILD_SECONDS):
            return
        builder = ModelBuilder(self.problem, self.pools, self.active, self.hard)
        model = builder.build()
        builder.add_hint(self.start)
        solver = cp_model.CpSolver()
        # Phase 1 (CAPEX) gets most of the time; the polish phase what is left (at least 15%).
        self.clock.configure(solver, max(0.1, self.remaining() * (0.85 if polish else 1.0)), self.workers, self.seed)
        self.tracker.penalty = builder.penalty
        solver.best_bound_callback = self.tracker.on_bound
        self.status = run_cpsat(solver, model, self.tracker, self.stop)
        self.clock.charge(solver)
        if self.status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
            raise RuntimeError(f"CP-SAT returned {solver.status_name(self.status)} on a model with a known plan: a bug")
        found = builder.extract(solver) if self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
        if found is None or not self.improves(found):
            return
        self.builder, self.cp_bound = builder, int(solver.best_objective_bound)
        self.start = found
        self.method += " + CP-SAT"
        if polish and self.remaining() > 0.5 and not self.stopped():
            self.start = builder.polish(solver, found, self.clock, self.remaining())
            self.method += ", overhead trimmed at equal CAPEX"

    def result(self) -> SolveResult:
        """The best plan as a SolveResult: unplaced replicas diagnosed, bound and status stated honestly."""
        problem, assignment = self.problem, self.start
        max_servers = sum(self.pools)
        for b in self.active:
            if problem.bundles[b][0] not in assignment.placed:
                self.reasons[b] = diagnose_unplaced(problem, b, max_servers)
        placed = sorted(assignment.placed)
        all_placed = len(placed) == len(self.items)
        bound = self.bound if all_placed and self.hard else volume_bound(problem, placed, self.pools)
        if all_placed and self.builder is not None and self.cp_bound < self.builder.penalty:
            bound = max(bound, self.cp_bound)
        plan = to_plan(problem, assignment, self.reasons)
        price = {m.model: p for m, p in zip(self.estate.server_models, self.prices, strict=True)}
        value = sum(price[s.model] for s in plan.servers)
        proven = self.status == cp_model.OPTIMAL or bound >= self.cost(assignment)
        return SolveResult(
            status=self.status_of(proven, plan.placements),
            plan=plan,
            capex=sum(self.estate.server_model(s.model).unit_cost for s in plan.servers),
            lower_bound=min(value, bound * self.unit),
            seconds=time.monotonic() - self.started,
            method=self.method,
            progress=tuple(self.tracker.points),
            objective=self.estate.settings.objective,
            cost=value,
        )

    def status_of(self, proven: bool, placements: Sequence[object]) -> SolveStatus:
        """Optimal when proven; infeasible when replicas exist and none could be placed; else why the search ended."""
        if self.problem.items and not placements:
            return SolveStatus.INFEASIBLE
        if proven:
            return SolveStatus.OPTIMAL
        if self.stopped():
            return SolveStatus.STOPPED
        return SolveStatus.CUT_SHORT if self.clock.cut_short() else SolveStatus.FEASIBLE
