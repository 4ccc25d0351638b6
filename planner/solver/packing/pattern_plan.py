"""The pattern search's plan: column generation over shape classes (`patterns`), then the pattern counts
realised as servers, the concrete replicas dealt to the patterns' slots server by server so that
replica spread and anti-affinity hold, and the rest placed first fit."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from planner.solver.clock import Clock
from planner.solver.greedy import Assignment, Packer, open_server
from planner.solver.packing.patterns import (
    Classes,
    ColumnGeneration,
    Pattern,
    _sorted_members,
    dive,
    initial_patterns,
    shape_classes,
)
from planner.solver.problem import Problem, vec_fits


def realise(problem: Problem, classes: Classes, counts: dict[Pattern, int], model_order: list[int]) -> Assignment:
    """Concrete servers for pattern counts: bundles dealt to slots so that no rule breaks.

    Slots of a class are dealt server by server in rotation, bundles with a conflict first, each
    to the first slot whose server holds nothing it conflicts with. A bundle left over goes to the
    first server with room (first fit), or to a new server.
    """
    packer = Packer()
    slots: dict[int, list[tuple[int, int]]] = {}  # class -> [(server, option)]
    for pattern, n in sorted(counts.items(), key=lambda kv: (kv[0].model, kv[0].mode, kv[0].counts)):
        for _ in range(n):
            s = packer.add_server(open_server(problem, pattern.model, pattern.mode))
            for (c, o), k in pattern.counts:
                slots.setdefault(c, []).extend([(s, o)] * k)
    leftovers: list[int] = []
    for c in sorted(classes.members, key=lambda c: min(classes.members[c])):
        free = _interleave(slots.get(c, []))
        bundles = sorted(classes.members[c], key=lambda b: (not problem.bundle_conflicts[b], b))
        for b in bundles:
            conflicts = problem.bundle_conflicts[b]
            if conflicts:
                pick = next((n for n, (s, _) in enumerate(free) if not packer.servers[s].conflicts & conflicts), None)
            else:
                pick = len(free) - 1 if free else None  # any slot will do: take the last, in O(1)
            if pick is None:
                leftovers.append(b)
                continue
            s, o = free.pop(pick)
            members = _sorted_members(problem, problem.bundles[b])
            option = classes.options[c, packer.servers[s].mode][o]
            packer.commit(problem, s, list(zip(members, option.kinds, strict=True)))
            if not vec_fits(packer.servers[s].load, problem.capacities[packer.servers[s].model]):
                raise RuntimeError(f"pattern for server {s} overflows its capacity: a bug")
    packer.start_at.clear()
    packer.pack(problem, sorted(leftovers), model_order, "containers_first", False)
    used = sorted({s for s, _ in packer.result.placed.values()})
    index = {s: n for n, s in enumerate(used)}
    return Assignment([packer.result.servers[s] for s in used], {i: (index[s], k) for i, (s, k) in packer.result.placed.items()})


def _interleave(slots: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Slots reordered so that consecutive ones sit on different servers where possible."""
    by_server: dict[int, list[tuple[int, int]]] = {}
    for slot in slots:
        by_server.setdefault(slot[0], []).append(slot)
    rounds = itertools.zip_longest(*by_server.values())
    return [slot for row in rounds for slot in row if slot is not None]


@dataclass(frozen=True)
class PatternResult:
    """A plan from the pattern master (or None), its valid lower bound in objective units, and
    whether column generation converged (the bound is then the LP optimum)."""

    plan: Assignment | None
    bound: int
    converged: bool
    columns: int


def pattern_search(
    problem: Problem,
    active: list[int],
    start: Assignment | None,
    pools: list[int],
    model_orders: list[list[int]],
    *,
    clock: Clock,
    seconds: float,
    seed: int = 0,
    dive_too: bool = False,
) -> PatternResult:
    """Column generation for the bound, then a plan: the whole part of the LP solution as
    servers, the rest packed first fit (the fractional part is at most one server per class, so
    on large estates this is within a fraction of a percent of the bound). With `dive_too`
    (estates whose shapes do not repeat), a dive uses the second half of the time as well."""
    classes = shape_classes(problem, active)
    cg = ColumnGeneration(problem, classes, pools, initial_patterns(problem, classes, start))
    began = clock.elapsed()
    cg.run(clock, (0.4 if dive_too else 0.8) * seconds, seed)
    slack = 1e-6 + 1e-7 * abs(cg.bound)  # floating-point error of the LP duals, relative to the objective
    bound = math.ceil(cg.bound - slack) if cg.bound > 0 else 0
    whole = {p: math.floor(v + 1e-6) for p, v in cg.solution.items() if v >= 1 - 1e-6}
    candidates = [whole]
    if dive_too:
        dived = dive(cg, clock, seconds - (clock.elapsed() - began), seed)
        candidates += [dived] if dived is not None else []
    best: Assignment | None = None
    for counts, order in itertools.product(candidates, model_orders):
        plan = realise(problem, classes, counts, order)
        if best is None or plan.cost(problem) < best.cost(problem):
            best = plan
    return PatternResult(best, bound, cg.converged, len(cg.patterns))
