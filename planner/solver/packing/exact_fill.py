"""Exact-fill patterns: a plan at the volume bound, or a proof that there is none, for plain vector
packing where servers hold a few large items.

At a target of m servers the estate leaves slack_r = m * room_r - (total size in r) in each
resource r, and since no server can be over-full, every server of a plan with m servers wastes
at most slack_r of r. Where the volume bound is tight (triplet instances: every server of the
optimum exactly full in every resource) that leaves few candidate servers: every set of up to
three items whose waste is within the slack in every resource is enumerated with numpy (the
third item looked up by size, as in a join), and a set-partitioning model over those patterns
(CP-SAT: each item shape covered exactly its count, at most m patterns) finds the plan. When no
server can hold four items the patterns are all there are, so a model with no solution proves
that m servers do not suffice: the bound rises by one. Local search cannot find these plans
(near the bound the slack is spread thin over many servers); the pattern model sees them whole.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.solver.budget import halted_by
from planner.solver.clock import Clock
from planner.solver.greedy import Assignment
from planner.solver.packing.onedim import plain_sizes, to_assignment
from planner.solver.problem import Problem

MAX_TYPES = 1_500  # distinct item shapes above which the pair table is too large
MAX_CANDIDATES = 3_000_000  # third-item candidates (pairs x sizes within the slack) worth checking
MAX_PATTERNS = 20_000  # patterns above which the partitioning model is too large to pay
CHUNK = 200_000  # third-item candidates checked at a time
Pattern = tuple[int, ...]  # shape indices, in increasing order, repeated for a shape used twice


@dataclass(frozen=True)
class Shapes:
    """An estate's distinct item shapes (rows of sizes), how many items have each, and the items."""

    sizes: np.ndarray
    demand: np.ndarray
    members: list[list[int]]  # positions (in the caller's item list) of each shape's items
    room: np.ndarray


def shapes_of(sizes: list[tuple[int, ...]], room: tuple[int, ...]) -> Shapes:
    """Items grouped by shape."""
    members: dict[tuple[int, ...], list[int]] = {}
    for j, size in enumerate(sizes):
        members.setdefault(size, []).append(j)
    keys = list(members)
    return Shapes(
        np.array(keys, dtype=np.int64).reshape(len(keys), len(room)),
        np.array([len(members[k]) for k in keys], dtype=np.int64),
        [members[k] for k in keys],
        np.array(room, dtype=np.int64),
    )


def slack_at(shapes: Shapes, target: int) -> np.ndarray:
    """What `target` servers leave unused in each resource (negative: they cannot hold the estate)."""
    return target * shapes.room - (shapes.sizes * shapes.demand[:, None]).sum(axis=0)


def fill_patterns(shapes: Shapes, slack: np.ndarray) -> list[Pattern] | None:
    """Every set of one to three items that fits a server and wastes at most `slack` of each
    resource, or None when there would be too many to model."""
    sizes, demand, room = shapes.sizes, shapes.demand, shapes.room
    n = len(sizes)
    if n > MAX_TYPES or (slack < 0).any():
        return None
    waste = room - sizes
    found: list[Pattern] = [(int(i),) for i in np.nonzero(((waste >= 0) & (waste <= slack)).all(axis=1))[0]]
    first, second = np.triu_indices(n)
    keep = demand[first] >= 1 + (first == second)
    first, second = first[keep], second[keep]
    left = room - sizes[first] - sizes[second]
    fits = (left >= 0).all(axis=1)
    first, second, left = first[fits], second[fits], left[fits]
    two = (left <= slack).all(axis=1)
    found += [(int(a), int(b)) for a, b in zip(first[two], second[two], strict=True)]
    # The third item: its size lies in [left - slack, left] in every resource; look it up by the
    # resource whose window is narrowest, then check the others, a chunk of pairs at a time so
    # that a slack too wide to pay is given up early.
    pivot = int(np.argmin(slack / np.maximum(1, room)))
    order = np.argsort(sizes[:, pivot], kind="stable")
    ranked = sizes[order, pivot]
    low = np.searchsorted(ranked, left[:, pivot] - slack[pivot], "left")
    counts = np.searchsorted(ranked, left[:, pivot], "right") - low
    if int(counts.sum()) > MAX_CANDIDATES:
        return None
    ends = np.cumsum(counts)
    begin = 0
    while begin < len(first) and len(found) <= MAX_PATTERNS:
        end = max(begin + 1, int(np.searchsorted(ends, ends[begin] - counts[begin] + CHUNK, "right")))
        part = slice(begin, end)
        total = int(counts[part].sum())
        pair = np.repeat(np.arange(begin, end), counts[part])
        offset = np.arange(total) - np.repeat(np.cumsum(counts[part]) - counts[part], counts[part])
        third = order[np.repeat(low[part], counts[part]) + offset]
        rest = left[pair]
        ok = ((sizes[third] <= rest) & (sizes[third] >= rest - slack)).all(axis=1) & (third >= second[pair])
        a, b, c = first[pair][ok], second[pair][ok], third[ok]
        uses = 1 + (b == c) + (a == c)  # how often the third shape occurs (a <= b <= c)
        ok = demand[c] >= uses
        found += [(int(x), int(y), int(z)) for x, y, z in zip(a[ok], b[ok], c[ok], strict=True)]
        begin = end
    return found if len(found) <= MAX_PATTERNS else None


def holds_at_most_three(shapes: Shapes) -> bool:
    """True when no server can hold four items: in some resource the four smallest overflow it."""
    if int(shapes.demand.sum()) < 4:
        return True
    for r in range(len(shapes.room)):
        smallest = np.sort(np.repeat(shapes.sizes[:, r], np.minimum(shapes.demand, 4)))[:4]
        if int(smallest.sum()) > shapes.room[r]:
            return True
    return False


Var = TypeVar("Var")


def _uses(shapes: Shapes, patterns: list[Pattern]) -> tuple[list[Counter[int]], list[int]]:
    """Each pattern's count of each shape, and how many servers of it the demand allows at most."""
    counted = [Counter(p) for p in patterns]
    return counted, [min(int(shapes.demand[t]) // k for t, k in uses.items()) for uses in counted]


def _cover(shapes: Shapes, counted: list[Counter[int]], amounts: list[Var]) -> list[list[tuple[int, Var]]]:
    """Per shape, the (items per server, amount variable) of every pattern that holds it."""
    cover: list[list[tuple[int, Var]]] = [[] for _ in shapes.demand]
    for uses, x in zip(counted, amounts, strict=True):
        for t, k in uses.items():
            cover[t].append((k, x))
    return cover


def partition_model(shapes: Shapes, patterns: list[Pattern], target: int) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """At most `target` servers of the given patterns covering every item exactly once."""
    model = cp_model.CpModel()
    counted, most = _uses(shapes, patterns)
    amounts = [model.new_bool_var("") if m == 1 else model.new_int_var(0, m, "") for m in most]
    for t, terms in enumerate(_cover(shapes, counted, amounts)):
        if shapes.demand[t] == 1 and all(k == 1 for k, _ in terms):
            model.add_exactly_one([x for _, x in terms])
        else:
            model.add(sum(k * x for k, x in terms) == int(shapes.demand[t]))
    model.add(sum(amounts) <= target)
    # Implied by the count, but stated so that propagation sees it: the servers' waste in each
    # resource adds up to at most the slack.
    slack = slack_at(shapes, target)
    padded = np.full((len(patterns), 3), -1)  # shape indices, -1 for an empty place (a zero row)
    for j, p in enumerate(patterns):
        padded[j, : len(p)] = p
    sizes = np.vstack([shapes.sizes, np.zeros(len(shapes.room), dtype=np.int64)])
    waste = shapes.room - sizes[padded].sum(axis=1)  # per pattern and resource
    for r in range(len(shapes.room)):
        if waste[:, r].any():
            model.add(sum(int(w) * x for w, x in zip(waste[:, r], amounts, strict=True) if w) <= int(slack[r]))
    return model, amounts


def to_bins(shapes: Shapes, patterns: list[Pattern], amounts: list[int]) -> list[list[int]]:
    """Servers (positions in the caller's item list) from how many of each pattern are used."""
    left = [list(m) for m in shapes.members]
    bins = []
    for pattern, count in zip(patterns, amounts, strict=True):
        for _ in range(count):
            bins.append([left[t].pop() for t in pattern])
    return bins


def partition_mip(
    shapes: Shapes,
    patterns: list[Pattern],
    target: int,
    seconds: float,
    stop: threading.Event | None = None,
    nodes: int | None = None,
    timed_out: Callable[[], None] | None = None,
) -> list[int] | None:
    """How many servers of each pattern a plan of at most `target` servers uses, found by SCIP's
    LP-based branch and bound on the `partition_model` partitioning, or None.

    On the exact covers of 500-item triplets (~1,700 patterns) CP-SAT on one worker settles 2 of 10
    in 10 s and SCIP 10 of 10 in 50 s (0.7-46 s each), so SCIP takes over what CP-SAT leaves. Only
    its plans are used, checked in integers; an infeasibility it reports is not taken as a proof.
    With `nodes`, SCIP stops after that many branch-and-bound nodes (single-threaded: the same result
    on any machine) and `seconds` is only a ceiling; `timed_out` is called when the ceiling came first."""
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        return None
    counted, most = _uses(shapes, patterns)
    amounts = [solver.IntVar(0, m, "") for m in most]
    for t, terms in enumerate(_cover(shapes, counted, amounts)):
        solver.Add(solver.Sum([k * x for k, x in terms]) == int(shapes.demand[t]))
    solver.Add(solver.Sum(amounts) <= target)
    solver.SetTimeLimit(max(1, int(seconds * 1000)))
    solver.SetNumThreads(1)
    if nodes is not None:
        solver.SetSolverSpecificParametersAsString(f"limits/nodes = {max(1, nodes)}\n")
    with halted_by(stop, solver.InterruptSolve):
        status = solver.Solve()
    ceiling = nodes is not None and solver.wall_time() >= 0.99 * seconds * 1000  # the wall clock came first
    if ceiling and timed_out is not None and status != pywraplp.Solver.OPTIMAL and not (stop is not None and stop.is_set()):
        timed_out()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    values = [round(x.solution_value()) for x in amounts]
    covered = np.zeros(len(shapes.demand), dtype=np.int64)
    for uses, v in zip(counted, values, strict=True):
        for t, k in uses.items():
            covered[t] += k * v
    ok = min(values, default=0) >= 0 and sum(values) <= target and (covered == shapes.demand).all()
    return values if ok else None


RunModel = Callable[[cp_model.CpModel], tuple[int, cp_model.CpSolver]]


class Fill(NamedTuple):
    """What the exact-fill step found at a target: servers (or None), the bound in servers it
    proves, and whether CP-SAT ran out of time on a model likely to hold the plan (no server holds
    four items, or the items are exactly three per server, as in triplet instances): worth more search."""

    bins: list[list[int]] | None
    proven: int
    unsettled: bool = False


def fill_at(sizes: list[tuple[int, ...]], room: tuple[int, ...], target: int, run: RunModel) -> Fill:
    """Servers (positions in `sizes`) for `target` servers where the patterns give them, and the
    bound in servers proven: `target`, or one more when the model has no solution and the patterns
    are all there are. `run` solves a CP-SAT model within the caller's limits: (status, solver)."""
    shapes = shapes_of(sizes, room)
    if len(sizes) > 3 * target:  # more items than servers of three can hold
        return Fill(None, max(target, -(-len(sizes) // 3)) if holds_at_most_three(shapes) else target)
    patterns = fill_patterns(shapes, slack_at(shapes, target))
    if patterns is None:
        return Fill(None, target)
    model, amounts = partition_model(shapes, patterns, target)
    status, solver = run(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Fill(to_bins(shapes, patterns, [int(solver.value(x)) for x in amounts]), target)
    if status == cp_model.INFEASIBLE and holds_at_most_three(shapes):
        return Fill(None, target + 1)
    # worth more search where the patterns hold every plan, or every server must average three items
    exact = holds_at_most_three(shapes) or len(sizes) == 3 * target
    return Fill(None, target, status == cp_model.UNKNOWN and exact)


def plan_at_bound(problem: Problem, start: Assignment, target: int, run: RunModel) -> tuple[Assignment | None, int, bool]:
    """`fill_at` for a plain-packing estate, in the resources that bind, from the plan `start`:
    (a plan or None, the bound proven, unsettled)."""
    items, kinds, sizes, room = plain_sizes(problem, start)
    bins, proven, unsettled = fill_at(sizes, room, target, run)
    return (None if bins is None else to_assignment(problem, items, kinds, bins)), proven, unsettled


def mip_plan_at_bound(
    problem: Problem,
    start: Assignment,
    target: int,
    seconds: float,
    stop: threading.Event | None = None,
    nodes: int | None = None,
    timed_out: Callable[[], None] | None = None,
) -> Assignment | None:
    """A plan of `target` servers from the exact-fill patterns by SCIP's branch and bound (`partition_mip`), or None."""
    items, kinds, sizes, room = plain_sizes(problem, start)
    shapes = shapes_of(sizes, room)
    patterns = None if len(sizes) > 3 * target else fill_patterns(shapes, slack_at(shapes, target))
    if patterns is None:
        return None
    amounts = partition_mip(shapes, patterns, target, seconds, stop, nodes, timed_out)
    return None if amounts is None else to_assignment(problem, items, kinds, to_bins(shapes, patterns, amounts))


MIP_NODES_PER_WORK_SECOND = 200  # SCIP's branch-and-bound nodes per second of work (deterministic runs)


def mip_within(
    problem: Problem, start: Assignment, target: int, clock: Clock, budget: float, stop: threading.Event | None
) -> Assignment | None:
    """`mip_plan_at_bound` within `budget` of the clock's unit: in deterministic runs counted in SCIP's nodes (the
    wall clock only a ceiling, and a cut when it comes first), else in seconds."""
    if not clock.deterministic:
        return mip_plan_at_bound(problem, start, target, budget, stop)
    nodes = int(MIP_NODES_PER_WORK_SECOND * budget)
    filled = mip_plan_at_bound(problem, start, target, clock.wall_left(), stop, nodes, clock.mark_cut)
    clock.charge_work(budget)
    return filled
