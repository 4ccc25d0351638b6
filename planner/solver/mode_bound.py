"""A lower bound that knows host modes and forms: the cheapest purchase of servers per model and mode
whose room covers, per resource, what the replicas need in the forms they take there.

The volume bound (`bounds.py`) gives every replica its smallest footprint and every server its
smallest reserve, as if one server could be a hypervisor and a container host at once. Here each
replica takes one placement kind (chosen by the model, counted per shape class), and the demand of
each kind must fit in the servers of the modes that run it: VMs and containers in VMs on
hypervisor hosts (with a container-host VM for each OS on each server that runs them, counted),
bare-metal containers on container hosts of their OS. Every plan satisfies these sums, so the
optimum of this small integer model, or CP-SAT's proven bound on it, is a valid lower bound; on a
mixed estate it is much tighter, because the modes' servers are whole numbers each.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.domain import HostMode, PlacementKind
from planner.rules import kind_fits_mode
from planner.solver.bounds import min_servers, proven_bound
from planner.solver.problem import Problem, vec_sub

Shape = tuple[str, tuple[tuple[str, tuple[int, int, int]], ...]]  # OS and footprint per kind
Terms = list[tuple[int, Any]]  # a sum of coefficient x variable
MAX_SHAPES = 3_000  # shape classes above which the integer model takes longer to build than its bound is worth
MAX_LP_SHAPES = 150_000  # above this many, not even the LP relaxation is built
LP_WORK_PER_SHAPE = 2e-4  # nominal seconds per shape class of the LP relaxation (deterministic runs; measured)


class _Integer:
    """The bound model in CP-SAT: whole servers, CP-SAT's proven bound."""

    def __init__(self, work_s: float) -> None:
        self.model, self.work_s = cp_model.CpModel(), work_s

    def var(self, high: int, name: str) -> Any:
        return self.model.new_int_var(0, high, name)

    def add(self, constraint: Any) -> None:
        self.model.add(constraint)

    def total(self, terms: Terms, scale: float = 1.0) -> Any:
        return cp_model.LinearExpr.weighted_sum([v for _, v in terms], [c for c, _ in terms])

    def solve(self, objective: Any) -> tuple[int, float]:
        self.model.minimize(objective)
        return proven_bound(self.model, self.work_s, ceiling=10)


class _Relaxed:
    """The same model's LP relaxation in GLOP (fractional servers): weaker, but built and solved on
    estates with tens of thousands of shapes; its optimum is a valid bound."""

    def __init__(self, shapes: int, work_s: float) -> None:
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.work, self.work_s = LP_WORK_PER_SHAPE * shapes, work_s  # its nominal work, charged whatever it takes

    def var(self, high: int, name: str) -> Any:
        return self.solver.NumVar(0, high, name)

    def add(self, constraint: Any) -> None:
        self.solver.Add(constraint)

    def total(self, terms: Terms, scale: float = 1.0) -> Any:
        """The sum, its coefficients divided by `scale` (a resource's rows near 1: GLOP stays stable)."""
        return self.solver.Sum([(c / scale) * v for c, v in terms])

    def solve(self, objective: Any) -> tuple[int, float]:
        self.solver.Minimize(objective)
        self.solver.SetTimeLimit(int(1000 * 10 * max(1.0, self.work_s)))  # a safety net on a very slow machine
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return 0, self.work
        return max(0, math.ceil(self.solver.Objective().Value() * (1 - 1e-9) - 1e-6)), self.work


def _shapes(problem: Problem, items: list[int]) -> Counter[Shape]:
    """Replicas counted per shape: OS and footprint per kind."""
    return Counter((problem.items[i].workload.os, tuple(sorted(problem.items[i].footprints.items()))) for i in items)


def mode_bound(
    problem: Problem, items: list[int], pools: list[int], work_s: float, relaxed_work_s: float = 0.0
) -> tuple[int, float]:
    """The cheapest purchase (objective units) covering the replicas' demand in the modes that run their forms,
    and the counted seconds it took; 0 when the model proves nothing in `work_s` (0 is always valid), and
    (0, 0) without a model when forms and modes are no choice (the volume bound is then as good). Up to
    MAX_SHAPES shape classes the integer model (CP-SAT) within `work_s`, above that its LP relaxation (GLOP),
    built only when its expected work fits in `relaxed_work_s`."""
    choice = len(problem.modes) > 1 or any(len(problem.items[i].footprints) > 1 for i in items)
    shapes = _shapes(problem, items) if choice else Counter()
    if not 0 < len(shapes) <= MAX_LP_SHAPES:
        return 0, 0.0
    if len(shapes) > MAX_SHAPES and LP_WORK_PER_SHAPE * len(shapes) > relaxed_work_s:
        return 0, 0.0
    model = _Integer(work_s) if len(shapes) <= MAX_SHAPES else _Relaxed(len(shapes), relaxed_work_s)
    pairs = [(m, mode) for m in range(len(pools)) for mode in problem.modes if problem.allows(mode, m)]
    count = {(m, mode): model.var(pools[m], f"servers[{m},{mode}]") for m, mode in pairs}
    for m in range(len(pools)):
        model.add(sum(count[m, mode] for mode in problem.modes if (m, mode) in count) <= pools[m])
    demand: dict[str, list[Terms]] = {mode: [[], [], []] for mode in problem.modes}
    in_vm: dict[str, list[Terms]] = {}
    for s, ((shape_os, kinds), n) in enumerate(sorted(shapes.items())):
        takes = []
        for kind, fp in kinds:
            mode = next((md for md in problem.modes if kind_fits_mode(kind, shape_os, md)), None)
            if mode is None:
                continue
            x = model.var(n, f"takes[{s},{kind}]")
            takes.append(x)
            for k in range(3):
                demand[mode][k].append((fp[k], x))
            if kind == PlacementKind.CONTAINER_IN_VM:
                vm_load = in_vm.setdefault(shape_os, [[], [], []])
                for k in range(3):
                    vm_load[k].append((fp[k], x))
        model.add(sum(takes) == n)
    _cover(problem, model, count, demand, in_vm, pools)
    model.add(sum(count.values()) >= min_servers(problem, items))
    return model.solve(sum(problem.costs[m] * v for (m, _), v in count.items()))


def _cover(
    problem: Problem,
    model: _Integer | _Relaxed,
    count: dict[tuple[int, str], Any],
    demand: dict[str, list[Terms]],
    in_vm: dict[str, list[Terms]],
    pools: list[int],
) -> None:
    """Each mode's servers cover its demand per resource; containers in VMs need a container-host VM per OS and server."""
    hosts_vm = {}
    for os_name, load in sorted(in_vm.items()):
        vm = problem.container_vms[os_name]
        with_vm = {m: model.var(pools[m], f"container_vm[{m},{os_name}]") for m, mode in count if mode == HostMode.HYPERVISOR}
        for m, v in with_vm.items():
            model.add(v <= count[m, HostMode.HYPERVISOR])
        hosts_vm[os_name] = (vm, with_vm)
        for k in range(3):  # the containers of this OS fit in the servers that hold its container-host VM
            room = {m: _room(problem, m, HostMode.HYPERVISOR)[k] - vm[k] for m in with_vm}
            scale = max([1, *room.values()])
            model.add(model.total([(max(0, room[m]), v) for m, v in with_vm.items()], scale) >= model.total(load[k], scale))
    for mode in problem.modes:
        for k in range(3):
            need = list(demand[mode][k])
            if mode == HostMode.HYPERVISOR:
                need += [(vm[k], v) for vm, with_vm in hosts_vm.values() for v in with_vm.values()]
            offered = [(max(0, _room(problem, m, md)[k]), v) for (m, md), v in count.items() if md == mode]
            scale = max([1, *(c for c, _ in offered)])
            model.add(model.total(offered, scale) >= model.total(need, scale))


def _room(problem: Problem, m: int, mode: str) -> tuple[int, int, int]:
    """What one server of model m offers its replicas in a mode."""
    return vec_sub(problem.capacities[m], problem.reserve(mode, m))
