"""Large-neighbourhood search: empty a few servers and re-pack their bundles optimally.

Each step frees the bundles of k servers (the emptiest one and others, partly at random),
and asks CP-SAT, on the same model as the full solve (so every rule holds), for the
cheapest set of at most k new servers that carries them. A cheaper re-pack replaces the
old servers; so does one of equal cost that concentrates load (sum of load squared grows),
which is how a server is drained over several steps until it can be removed. k grows while
sub-problems are settled and shrinks when they time out. Small sub-models solve in
milliseconds where the full model needs minutes.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from ortools.sat.python import cp_model

from planner.solver.clock import Clock
from planner.solver.cpsat import ModelBuilder
from planner.solver.greedy import Assignment
from planner.solver.problem import Problem

ImproveFn = Callable[[Assignment], None]
STEP_WORK, ASSIGN_WORK = 0.02, 2e-5  # work charged per step for Python-side model building (deterministic runs)


def _loads(problem: Problem, a: Assignment) -> list[float]:
    fill = [0.0] * len(a.servers)
    for i, (s, kind) in a.placed.items():
        m = a.servers[s][0]
        cap = problem.capacities[m]
        fp = problem.items[i].footprints[kind]
        fill[s] += max(fp[k] / max(1, cap[k]) for k in range(3))
    return fill


def _size(problem: Problem, b: int, m: int) -> int:
    """A bundle's share of a model's server, per mille, in its tightest resource."""
    cap = problem.capacities[m]
    return round(1000 * max(problem.bundle_min[b][k] / max(1, cap[k]) for k in range(3)))


def _spread(problem: Problem, a: Assignment) -> int:
    """Sum over servers of load squared (per mille): higher means load is more concentrated."""
    load: dict[int, int] = {}
    for b, s in {(problem.items[i].bundle, s) for i, (s, _) in a.placed.items()}:
        load[s] = load.get(s, 0) + _size(problem, b, a.servers[s][0])
    return sum(v * v for v in load.values())


def canonical(problem: Problem, a: Assignment) -> Assignment:
    """The same plan with servers ordered by their smallest bundle index (what symmetry breaking keeps)."""
    first: dict[int, int] = {}
    for i, (s, _) in a.placed.items():
        b = problem.items[i].bundle
        first[s] = min(first.get(s, b), b)
    order = sorted(first, key=first.__getitem__)
    index = {s: n for n, s in enumerate(order)}
    return Assignment([a.servers[s] for s in order], {i: (index[s], k) for i, (s, k) in a.placed.items()})


def _choose(problem: Problem, a: Assignment, k: int, rng: random.Random) -> list[int]:
    fill = _loads(problem, a)
    servers = list(range(len(a.servers)))
    if rng.random() < 0.5:  # the emptiest server and its least-filled peers, with noise
        ranked = sorted(servers, key=lambda s: fill[s] * (0.7 + 0.6 * rng.random()))
        return ranked[:k]
    chosen = [min(servers, key=lambda s: fill[s] + 0.05 * rng.random())]
    chosen += rng.sample([s for s in servers if s != chosen[0]], min(k - 1, len(servers) - 1))
    return chosen


def _repack(
    problem: Problem, a: Assignment, chosen: list[int], clock: Clock, seconds: float, workers: int, seed: int
) -> tuple[Assignment | None, bool]:
    """A better re-pack of the chosen servers' bundles (None if neither cheaper nor more concentrated),
    and whether the sub-problem was settled (solved to optimality or shown infeasible)."""

    chosen_set = set(chosen)
    freed_items = [i for i, (s, _) in a.placed.items() if s in chosen_set]
    bundles = sorted({problem.items[i].bundle for i in freed_items})
    kept_counts = [0] * len(problem.capacities)
    for s, (m, _) in enumerate(a.servers):
        if s not in chosen_set:
            kept_counts[m] += 1
    pools = []
    for m, limit in enumerate(problem.max_counts):
        room = len(chosen) if limit is None else max(0, min(len(chosen), limit - kept_counts[m]))
        pools.append(room)
    old_cost = sum(problem.costs[a.servers[s][0]] for s in chosen)
    sub = canonical(
        problem,
        Assignment([a.servers[s] for s in chosen], {i: (chosen.index(a.placed[i][0]), a.placed[i][1]) for i in freed_items}),
    )
    builder = ModelBuilder(problem, pools, bundles, hard=True)
    model = builder.build()
    builder.add_hint(sub)
    # Lexicographic: CAPEX first; at equal CAPEX, load pushed onto the first slots so that the
    # last one drains (sum of load squared grows), which is how a server is eventually emptied.
    model.add(builder.capex_expr() <= old_cost)
    slots = len(builder.servers)
    weight = {s: slots - s for s in range(slots)}
    terms = [weight[s] * _size(problem, b, builder.servers[s][0]) * v for (b, s), v in builder.assign.items()]
    scale = 1 + sum(weight[s] * _size(problem, b, builder.servers[s][0]) for (b, s) in builder.assign)
    model.minimize(scale * builder.capex_expr() - cp_model.LinearExpr.sum(terms))
    solver = cp_model.CpSolver()
    clock.configure(solver, seconds, workers, seed)
    status = solver.solve(model)
    clock.charge(solver)
    clock.charge_work(STEP_WORK + ASSIGN_WORK * len(builder.assign))  # building the model, in work units
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status == cp_model.INFEASIBLE
    new = builder.extract(solver)
    kept = [s for s in range(len(a.servers)) if s not in chosen_set]
    index = {s: n for n, s in enumerate(kept)}
    servers = [a.servers[s] for s in kept] + new.servers
    placed = {i: (index[s], kind) for i, (s, kind) in a.placed.items() if s not in chosen_set}
    placed.update({i: (len(kept) + s, kind) for i, (s, kind) in new.placed.items()})
    proven = status == cp_model.OPTIMAL
    new_cost = new.cost(problem)
    if new_cost > old_cost or (new_cost == old_cost and _spread(problem, new) <= _spread(problem, sub)):
        return None, proven
    return canonical(problem, Assignment(servers, placed)), proven


def improve(
    problem: Problem,
    start: Assignment,
    *,
    time_limit_s: float,
    clock: Clock | None = None,
    bound: int = 0,
    workers: int = 2,
    seed: int = 0,
    stop: threading.Event | None = None,
    on_improve: ImproveFn | None = None,
) -> Assignment:
    """Improve a complete plan by re-packing neighbourhoods until the time limit, the bound or `stop`."""
    rng = random.Random(seed)
    best = canonical(problem, start)
    clock = clock or Clock(time_limit_s, deterministic=False)
    deadline = clock.elapsed() + time_limit_s
    k, step_s, failures = 3, 0.5, 0
    while len(best.servers) > 1 and best.cost(problem) > bound:
        left = min(deadline - clock.elapsed(), clock.remaining())
        if left < 0.2 or (stop is not None and stop.is_set()):
            break
        chosen = _choose(problem, best, min(k, len(best.servers)), rng)
        better, proven = _repack(problem, best, chosen, clock, min(step_s, left), workers, rng.randrange(1 << 30))
        if better is not None:
            best, failures = better, 0
            if on_improve is not None:
                on_improve(best)
        else:
            failures += 1
        if proven:  # the neighbourhood was settled quickly: look wider
            k = min(k + 1, 12, len(best.servers))
        elif better is None:
            k = max(2, k - 1)
        if failures > 40 + 4 * len(best.servers):  # every region tried many times without gain
            break
    return best
