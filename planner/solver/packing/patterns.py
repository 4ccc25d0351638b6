"""Column generation over shape classes: the pattern bound and a plan for large estates.

Real estates repeat a few hundred shapes (t-shirt sizes, replicas). Bundles with the same
shape (`Problem.bundle_class`) are interchangeable for capacity, so the master problem counts
servers by *pattern*: a server model, a host mode, and how many bundles of each class it
carries in which form. It is Gilmore and Gomory's cutting-stock formulation, extended to
vector packing, several server models, host modes and the container-host VM:

  master   min sum_p cost_p x_p   s.t.  sum_p a_cp x_p >= n_c (each class),  sum_{p of m} x_p <= U_m
  pricing  per (model, mode), a multi-dimensional knapsack solved exactly with CP-SAT

Its LP value, or when pricing is stopped early the Lagrangian bound
LP_dual + sum_m N_m min(0, best reduced cost of m), is a valid lower bound on CAPEX: replica
spread and anti-affinity are relaxed, which can only lower it. The integer master over the
columns found (price-and-branch) gives server counts; `pattern_plan.realise` then assigns the concrete
bundles to the servers so that every rule holds, and first fit places what a rule turned away.
The cost of 100,000 workloads with a few hundred shapes is that of a few hundred.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.domain import PlacementKind
from planner.rules import kind_fits_mode
from planner.solver.clock import Clock
from planner.solver.greedy import Assignment
from planner.solver.problem import Problem, Vec, vec_add, vec_fits

MAX_OPTIONS = 16  # kind combinations kept per bundle class and mode
PRICING_WORK, MASTER_WORK = 0.015, 1e-6  # work charged for Python-side model building (deterministic runs)


@dataclass(frozen=True)
class Option:
    """One way a bundle of a class sits on a server in one mode: members' kinds (in shape-key order),
    their total footprint, and the OSes whose container-host VM it needs."""

    kinds: tuple[str, ...]
    load: Vec
    needs_vm: frozenset[str]


@dataclass(frozen=True)
class Pattern:
    """A server's content: model, host mode, and (class, option) -> count."""

    model: int
    mode: str
    counts: tuple[tuple[tuple[int, int], int], ...]

    def covers(self) -> dict[int, int]:
        """Bundles of each class this pattern carries."""
        out: dict[int, int] = {}
        for (c, _), n in self.counts:
            out[c] = out.get(c, 0) + n
        return out


@dataclass
class Classes:
    """Shape classes of the bundles in play: members, options per mode, and per-server caps."""

    members: dict[int, list[int]]
    options: dict[tuple[int, str], list[Option]]
    per_server: dict[int, int]
    exact: bool  # False when some class had too many kind combinations to list (bound not valid)


def _sorted_members(problem: Problem, bundle: list[int]) -> list[int]:
    return sorted(bundle, key=lambda i: (problem.items[i].workload.os, tuple(sorted(problem.items[i].footprints.items()))))


def _options(problem: Problem, bundle: list[int], mode: str) -> tuple[list[Option], bool]:
    members = _sorted_members(problem, bundle)
    per_member = [
        [k for k in problem.items[i].footprints if kind_fits_mode(k, problem.items[i].workload.os, mode)] for i in members
    ]
    if any(not kinds for kinds in per_member):
        return [], True
    options: dict[tuple[Vec, frozenset[str]], Option] = {}
    combos = itertools.product(*per_member)
    exact = True
    for n, kinds in enumerate(combos):
        if n >= MAX_OPTIONS:
            exact = False
            break
        load: Vec = (0, 0, 0)
        for i, k in zip(members, kinds, strict=True):
            load = vec_add(load, problem.items[i].footprints[k])
        vms = frozenset(
            problem.items[i].workload.os for i, k in zip(members, kinds, strict=True) if k == PlacementKind.CONTAINER_IN_VM
        )
        options.setdefault((load, vms), Option(tuple(kinds), load, vms))
    kept = [
        o
        for o in options.values()
        if not any(p.needs_vm <= o.needs_vm and vec_fits(p.load, o.load) and p.load != o.load for p in options.values())
    ]
    return kept, exact


def shape_classes(problem: Problem, active: list[int]) -> Classes:
    """Group the bundles in play by shape class and list each class's options per host mode."""
    members: dict[int, list[int]] = {}
    for b in active:
        members.setdefault(problem.bundle_class[b], []).append(b)
    options: dict[tuple[int, str], list[Option]] = {}
    exact = True
    for c, bundles in members.items():
        for mode in problem.modes:
            opts, ok = _options(problem, problem.bundles[bundles[0]], mode)
            exact &= ok
            if opts:
                options[c, mode] = opts
    per_server = {}
    for c, bundles in members.items():
        shared = set.intersection(*(problem.bundle_conflicts[b] for b in bundles))
        per_server[c] = 1 if shared else len(bundles)  # one conflict set holds them all: one per server
    return Classes(members, options, per_server, exact)


def _actual(problem: Problem, bundle: list[int], kinds: dict[int, str]) -> Option:
    members = _sorted_members(problem, bundle)
    load: Vec = (0, 0, 0)
    for i in members:
        load = vec_add(load, problem.items[i].footprints[kinds[i]])
    vms = frozenset(problem.items[i].workload.os for i in members if kinds[i] == PlacementKind.CONTAINER_IN_VM)
    return Option(tuple(kinds[i] for i in members), load, vms)


def pattern_of(
    problem: Problem, classes: Classes, server: tuple[int, str], bundles: list[int], kinds: dict[int, str]
) -> Pattern | None:
    """The pattern of a planned server (each bundle's kinds, or an option that dominates them);
    None when a kind mix has no listed option that dominates it."""
    m, mode = server
    counts: dict[tuple[int, int], int] = {}
    for b in bundles:
        c = problem.bundle_class[b]
        actual = _actual(problem, problem.bundles[b], kinds)
        opts = classes.options.get((c, mode), [])
        fits = [n for n, o in enumerate(opts) if o.needs_vm <= actual.needs_vm and vec_fits(o.load, actual.load)]
        if not fits:
            return None
        o = next((n for n in fits if opts[n].kinds == actual.kinds), fits[0])
        counts[c, o] = counts.get((c, o), 0) + 1
    return Pattern(m, mode, tuple(sorted(counts.items())))


def initial_patterns(problem: Problem, classes: Classes, start: Assignment | None) -> list[Pattern]:
    """Columns to start from: the start plan's servers, and one server per bundle of each class."""
    patterns: dict[Pattern, None] = {}
    if start is not None:
        on: dict[int, list[int]] = {}
        kinds: dict[int, str] = {}
        for i, (s, kind) in start.placed.items():
            kinds[i] = kind
            b = problem.items[i].bundle
            if problem.bundles[b][0] == i:
                on.setdefault(s, []).append(b)
        for s, bundles in on.items():
            p = pattern_of(problem, classes, start.servers[s], bundles, kinds)
            if p is not None:
                patterns[p] = None
    for c in classes.members:
        best: tuple[int, Pattern] | None = None
        for m, cap in enumerate(problem.capacities):
            for mode in problem.modes:
                for o, opt in enumerate(classes.options.get((c, mode), [])):
                    load = vec_add(problem.reserve(mode, m), opt.load)
                    for os_name in opt.needs_vm:
                        load = vec_add(load, problem.container_vms[os_name])
                    if vec_fits(load, cap) and (best is None or problem.costs[m] < best[0]):
                        best = (problem.costs[m], Pattern(m, mode, (((c, o), 1),)))
        if best is not None:
            patterns[best[1]] = None
    return list(patterns)


def _pricing(
    problem: Problem,
    classes: Classes,
    need: dict[int, int],
    m: int,
    mode: str,
    duals: dict[int, float],
    clock: Clock,
    seconds: float,
    seed: int,
) -> tuple[Pattern | None, float]:
    """The most valuable pattern for (model, mode) and an upper bound on any such pattern's value (sum of duals)."""
    cap, reserve = problem.capacities[m], problem.reserve(mode, m)
    room = tuple(cap[k] - reserve[k] for k in range(3))
    if any(r < 0 for r in room):
        return None, 0.0
    model = cp_model.CpModel()
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    for c, n in need.items():
        if duals.get(c, 0.0) <= 1e-9 or n <= 0:
            continue
        for o, opt in enumerate(classes.options.get((c, mode), [])):
            most = min(classes.per_server[c], n, *(room[k] // opt.load[k] for k in range(3) if opt.load[k] > 0))
            if most > 0:
                y[c, o] = model.new_int_var(0, most, f"y[{c},{o}]")
    if not y:
        return None, 0.0
    vm_os = sorted({os_name for (c, o) in y for os_name in classes.options[c, mode][o].needs_vm})
    z = {os_name: model.new_bool_var(f"host_vm[{os_name}]") for os_name in vm_os}
    for k in range(3):
        terms = [classes.options[c, mode][o].load[k] * v for (c, o), v in y.items()]
        terms += [problem.container_vms[os_name][k] * v for os_name, v in z.items()]
        model.add(sum(terms) <= room[k])
    for c in {c for c, _ in y}:
        model.add(sum(v for (d, _), v in y.items() if d == c) <= min(classes.per_server[c], need[c]))
    for (c, o), v in y.items():
        for os_name in classes.options[c, mode][o].needs_vm:
            model.add(v == 0).only_enforce_if(~z[os_name])
    model.maximize(sum(duals[c] * v for (c, _), v in y.items()))
    solver = cp_model.CpSolver()
    clock.configure(solver, max(0.05, seconds), 1, seed)
    status = solver.solve(model)
    clock.charge(solver)
    clock.charge_work(PRICING_WORK)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, math.inf  # stopped before any solution: no bound on the pattern's value is known
    counts = tuple(sorted(((c, o), solver.value(v)) for (c, o), v in y.items() if solver.value(v) > 0))
    value = sum(duals[c] * n for (c, _), n in counts)
    return Pattern(m, mode, counts), max(value, float(solver.best_objective_bound))


@dataclass
class ColumnGeneration:
    """The pattern master: the columns found, the best valid bound, and the last LP solution."""

    problem: Problem
    classes: Classes
    pools: list[int]
    patterns: list[Pattern]
    bound: float = 0.0
    converged: bool = False
    solution: dict[Pattern, float] = field(default_factory=dict)
    need: dict[int, int] = field(default_factory=dict)  # bundles per class still to cover (all, unless diving)

    def __post_init__(self) -> None:
        self.pools = list(self.pools)  # a dive lowers them: never the caller's list
        self.need = self.need or {c: len(bs) for c, bs in self.classes.members.items()}

    def _master(
        self,
    ) -> tuple[pywraplp.Solver, list[pywraplp.Variable], dict[int, pywraplp.Constraint], list[pywraplp.Constraint]]:
        """The LP master over the columns found so far (GLOP: deterministic, with duals)."""
        solver = pywraplp.Solver.CreateSolver("GLOP")
        x = [solver.NumVar(0, self.pools[p.model], "") for p in self.patterns]
        cover = {c: solver.Constraint(n, solver.infinity()) for c, n in self.need.items() if n > 0}
        limit = [solver.Constraint(0, pool) for pool in self.pools]
        objective = solver.Objective()
        for var, p in zip(x, self.patterns, strict=True):
            for c, n in p.covers().items():
                if c in cover:
                    cover[c].SetCoefficient(var, n)
            limit[p.model].SetCoefficient(var, 1)
            objective.SetCoefficient(var, self.problem.costs[p.model])
        objective.SetMinimization()
        return solver, x, cover, limit

    def run(self, clock: Clock, seconds: float, seed: int = 0, rounds: int | None = None) -> None:
        """Generate columns until no pattern prices out, `rounds` are done or the budget is spent.

        The bound is kept only while `need` is the whole demand (not inside a dive)."""
        deadline = clock.elapsed() + seconds
        seen = set(self.patterns)
        need = self.need
        whole = all(need[c] == len(bs) for c, bs in self.classes.members.items())
        combos = [(m, mode) for m in range(len(self.pools)) if self.pools[m] > 0 for mode in self.problem.modes]
        done = 0
        while clock.elapsed() < deadline and clock.remaining() > 0 and (rounds is None or done < rounds):
            done += 1
            solver, x, cover, limit = self._master()
            clock.charge_work(MASTER_WORK * len(self.patterns) * len(cover))
            if solver.Solve() != pywraplp.Solver.OPTIMAL:
                return
            self.solution = {p: v.solution_value() for p, v in zip(self.patterns, x, strict=True) if v.solution_value() > 1e-9}
            duals = {c: max(0.0, ct.dual_value()) for c, ct in cover.items()}
            mu = [min(0.0, ct.dual_value()) for ct in limit]
            dual_value = sum(d * need[c] for c, d in duals.items())
            dual_value += sum(u * pool for u, pool in zip(mu, self.pools, strict=True))
            added, worst = 0, [0.0] * len(self.pools)
            for m, mode in combos:
                left = deadline - clock.elapsed()
                if left <= 0:
                    return
                pattern, most = _pricing(self.problem, self.classes, need, m, mode, duals, clock, min(left, 2.0), seed)
                worst[m] = min(worst[m], self.problem.costs[m] - mu[m] - most)  # no (m, mode) pattern prices lower
                if pattern is not None and pattern.counts and pattern not in seen:
                    value = sum(duals[c] * n for c, n in pattern.covers().items())
                    if self.problem.costs[m] - mu[m] - value < -1e-6:
                        seen.add(pattern)
                        self.patterns.append(pattern)
                        added += 1
            if whole and self.classes.exact and all(math.isfinite(w) for w in worst):
                # Lagrangian: at most pools[m] servers of model m, each with reduced cost >= worst[m]
                self.bound = max(self.bound, dual_value + sum(pool * w for pool, w in zip(self.pools, worst, strict=True)))
            if added == 0:
                self.converged = whole and all(w >= -1e-6 for w in worst)  # -inf: pricing stopped early
                return


def dive(cg: ColumnGeneration, clock: Clock, seconds: float, seed: int = 0, rounds: int = 3) -> dict[Pattern, int] | None:
    """Diving: take the whole part of the LP solution as servers (or, when nothing is whole, its
    largest pattern once), re-price the residual demand a few rounds, repeat until all is covered.
    Returns the servers taken as pattern counts (when the budget runs out first, those taken so
    far: `realise` packs the rest first fit), or None without any LP solution."""
    deadline = clock.elapsed() + seconds
    full_need, full_pools = dict(cg.need), list(cg.pools)
    taken: dict[Pattern, int] = {}
    try:
        while any(n > 0 for n in cg.need.values()):
            if clock.elapsed() > deadline or clock.remaining() <= 0:
                return taken or None
            cg.run(clock, max(0.01, deadline - clock.elapsed()), seed, rounds=rounds)
            if not cg.solution:
                return taken or None
            step = {p: math.floor(v + 1e-6) for p, v in cg.solution.items() if v >= 1 - 1e-6}
            if not step:
                useful = {p: sum(min(n, cg.need.get(c, 0)) for c, n in p.covers().items()) for p in cg.solution}
                best = max(cg.solution, key=lambda q: (cg.solution[q], useful[q], -cg.patterns.index(q)))
                step = {best: 1}
            for p, n in step.items():
                taken[p] = taken.get(p, 0) + n
                cg.pools[p.model] = max(0, cg.pools[p.model] - n)
                for c, k in p.covers().items():
                    cg.need[c] = max(0, cg.need[c] - k * n)
            cg.solution = {}
        return taken
    finally:
        cg.need, cg.pools = full_need, full_pools
