"""The CP-SAT model of a consolidation plan: one builder, one small method per rule.

Variables (named the same inside CP-SAT, so its logs read):
  used[s]            server s (model m, position j in m's pool) is bought
  mode[s,k]          server s runs in host mode k (hypervisor or a bare-metal container host)
  assign[b,s]        bundle b (one replica, or copy k of an affinity group) is on server s
  vm[i,s], ct[i,s]   replica i runs on s as a VM / as a container (sum = assign of its bundle)
  host_vm[s,o]       server s (a hypervisor host) runs a container-host VM for OS o
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.domain import PlacementKind
from planner.rules import container_host_mode
from planner.solver.clock import Clock
from planner.solver.greedy import Assignment, fits_empty_server
from planner.solver.problem import Problem


def unplaced_penalty(problem: Problem, pools: list[int]) -> int:
    """Objective cost of one unplaced replica: more than every server in the pool together."""
    return sum(problem.costs[m] * pools[m] for m in range(len(pools))) + 1


class ModelBuilder:
    """Builds the CP-SAT model for the bundles in play on a fixed server pool."""

    def __init__(self, problem: Problem, pools: list[int], active: list[int], hard: bool, symmetry_breaking: bool = True) -> None:
        self.p, self.pools, self.active, self.hard = problem, pools, active, hard
        self.symmetry_breaking = symmetry_breaking  # off only for the textbook baseline in benchmarks
        self.model = cp_model.CpModel()
        self.servers = [(m, j) for m in range(len(pools)) for j in range(pools[m])]
        self.used: dict[int, cp_model.IntVar] = {}
        self.mode: dict[tuple[int, str], cp_model.IntVar] = {}
        self.assign: dict[tuple[int, int], cp_model.IntVar] = {}
        self.vm: dict[tuple[int, int], cp_model.IntVar] = {}
        self.ct: dict[tuple[int, int], cp_model.IntVar] = {}
        self.host_vm: dict[tuple[int, str], cp_model.IntVar] = {}
        self.placed: dict[int, cp_model.IntVar] = {}
        self.penalty = unplaced_penalty(problem, pools)

    def build(self) -> cp_model.CpModel:
        """Add every rule and the objective; return the model."""
        self._add_servers_and_modes()
        self._add_assignment()
        self._add_form_choice()
        self._add_capacity()
        self._add_anti_affinity()
        self._add_symmetry_breaking()
        self._add_objective()
        return self.model

    def _sid(self, s: int) -> str:
        m, j = self.servers[s]
        return f"{self.p.estate.server_models[m].model}#{j}"

    def _add_servers_and_modes(self) -> None:
        """Each bought server runs in exactly one host mode."""
        for s in range(len(self.servers)):
            self.used[s] = self.model.new_bool_var(f"used[{self._sid(s)}]")
            m = self.servers[s][0]
            for k in self.p.modes:
                self.mode[s, k] = self.model.new_bool_var(f"mode[{self._sid(s)},{k}]")
                if not self.p.allows(k, m):
                    self.model.add(self.mode[s, k] == 0)  # the model's platforms exclude this mode
            self.model.add(sum(self.mode[s, k] for k in self.p.modes) == self.used[s])

    def _add_assignment(self) -> None:
        """Every bundle in play on exactly one server (or unplaced, at a penalty, when not hard)."""
        for b in self.active:
            fits = {m: fits_empty_server(self.p, self.p.bundles[b], m) for m in range(len(self.pools))}
            choices = []
            for s, (m, j) in enumerate(self.servers):
                # Symmetry breaking by construction: bundle of rank b only on positions <= b.
                if not fits[m] or (self.symmetry_breaking and j > b):
                    continue
                var = self.model.new_bool_var(f"assign[{self.p.bundle_names[b]},{self._sid(s)}]")
                self.assign[b, s] = var
                self.model.add_implication(var, self.used[s])
                choices.append(var)
            if self.hard:
                self.model.add_exactly_one(choices)
            else:
                self.placed[b] = self.model.new_bool_var(f"placed[{self.p.bundle_names[b]}]")
                self.model.add(sum(choices) == self.placed[b])

    def _add_form_choice(self) -> None:
        """Each replica takes one allowed form; forms need a compatible host mode.

        The CP-SAT encoding of `planner.rules.kind_fits_mode`: a VM needs a hypervisor host; a
        container needs its OS's container-host VM on a hypervisor host, or a bare-metal
        container host of its OS.
        """
        oses = {
            o
            for o in ("linux", "windows")
            if any(
                PlacementKind.CONTAINER_IN_VM in self.p.items[i].footprints and self.p.items[i].workload.os == o
                for b in self.active
                for i in self.p.bundles[b]
            )
        }
        for s in range(len(self.servers)):
            for o in sorted(oses):
                self.host_vm[s, o] = self.model.new_bool_var(f"host_vm[{self._sid(s)},{o}]")
                self.model.add_implication(self.host_vm[s, o], self.mode[s, "hypervisor"])
        for (b, s), on in self.assign.items():
            for i in self.p.bundles[b]:
                item = self.p.items[i]
                forms = item.forms
                vm = on if forms == ("vm",) else None
                ct = on if forms == ("container",) else None
                if len(forms) == 2:
                    vm = self.model.new_bool_var(f"vm[{item.workload.name}#{item.replica},{self._sid(s)}]")
                    ct = self.model.new_bool_var(f"ct[{item.workload.name}#{item.replica},{self._sid(s)}]")
                    self.model.add(vm + ct == on)
                if vm is not None:
                    self.vm[i, s] = vm
                    self.model.add_implication(vm, self.mode[s, "hypervisor"])
                if ct is not None:
                    self.ct[i, s] = ct
                    bare = self.mode.get((s, container_host_mode(item.workload.os)))
                    in_vm = [self.host_vm[s, item.workload.os]] if PlacementKind.CONTAINER_IN_VM in item.footprints else []
                    hosts = in_vm + ([bare] if bare is not None else [])
                    if hosts:
                        self.model.add_bool_or(hosts).only_enforce_if(ct)
                    else:
                        self.model.add(ct == 0)

    def _add_capacity(self) -> None:
        """Load within usable capacity per resource, under the footprints of the server's mode."""
        by_server: dict[int, list[int]] = {}
        for b, s in self.assign:
            by_server.setdefault(s, []).append(b)
        min_res = self.p.min_reserve()
        bundle_min = {b: self.p.bundle_min[b] for b in self.active}
        for s, (m, _) in enumerate(self.servers):
            cap = self.p.capacities[m]
            bundles = by_server.get(s, [])
            items = [i for b in bundles for i in self.p.bundles[b]]
            vms = [(self.p.items[i].footprints["vm"], self.vm[i, s]) for i in items if (i, s) in self.vm]
            cts = [(self.p.items[i], self.ct[i, s]) for i in items if (i, s) in self.ct]
            host_vms = [(self.p.container_vms[o], v) for o in ("linux", "windows") if (v := self.host_vm.get((s, o))) is not None]
            for k in range(3):
                hv = [fp[k] * v for fp, v in vms]
                hv += [
                    it.footprints[PlacementKind.CONTAINER_IN_VM][k] * v
                    for it, v in cts
                    if PlacementKind.CONTAINER_IN_VM in it.footprints
                ]
                hv += [fp[k] * v for fp, v in host_vms]
                self.model.add(sum(hv) + self.p.reserve("hypervisor", m)[k] <= cap[k]).only_enforce_if(self.mode[s, "hypervisor"])
                for mode in self.p.modes[1:]:
                    os_name = mode.removeprefix("container_host_")
                    bare = [it.footprints[PlacementKind.CONTAINER_BARE][k] * v for it, v in cts if it.workload.os == os_name]
                    self.model.add(sum(bare) + self.p.reserve(mode, m)[k] <= cap[k]).only_enforce_if(self.mode[s, mode])
                # Redundant, for a stronger LP relaxation: smallest footprints fit the smallest-reserve room.
                small = [bundle_min[b][k] * self.assign[b, s] for b in bundles]
                self.model.add(sum(small) <= max(0, cap[k] - min_res[k]) * self.used[s])

    def _add_anti_affinity(self) -> None:
        """Replicas of one workload, and members of an anti-affinity group, on different servers."""
        for _, members in self.p.conflicts:
            bundles = sorted({self.p.items[i].bundle for i in members})
            for s in range(len(self.servers)):
                on = [self.assign[b, s] for b in bundles if (b, s) in self.assign]
                if len(on) > 1:
                    self.model.add_at_most_one(on)

    def _add_symmetry_breaking(self) -> None:
        """Servers of one model are bought in pool order (for speed: they are interchangeable)."""
        if not self.symmetry_breaking:
            return
        for s in range(1, len(self.servers)):
            if self.servers[s][0] == self.servers[s - 1][0]:
                self.model.add_implication(self.used[s], self.used[s - 1])

    def _add_objective(self) -> None:
        """Minimise CAPEX; an unplaced replica costs more than every server in the pool."""
        unplaced = [len(self.p.bundles[b]) * (1 - v) for b, v in self.placed.items()]
        self.model.minimize(cp_model.LinearExpr.sum([self.capex_expr(), *(self.penalty * u for u in unplaced)]))

    def capex_expr(self) -> cp_model.LinearExpr:
        """CAPEX of the servers bought, in objective units."""
        return cp_model.LinearExpr.weighted_sum(
            [self.used[s] for s in range(len(self.servers))], [self.p.costs[m] for m, _ in self.servers]
        )

    def footprint_expr(self) -> cp_model.LinearExpr:
        """Total footprint (memory, plus CPU weighted by the catalog's memory per core): the overhead to trim."""
        mem = sum(c[1] for c in self.p.capacities)
        ratio = max(1, round(mem / max(1, sum(c[0] for c in self.p.capacities))))
        terms = []
        for (i, _), var in self.vm.items():
            fp = self.p.items[i].footprints["vm"]
            terms.append((fp[1] + ratio * fp[0]) * var)
        for (i, _), var in self.ct.items():
            fp = self.p.items[i].footprints[PlacementKind.CONTAINER_BARE]
            terms.append((fp[1] + ratio * fp[0]) * var)
        for (_, o), var in self.host_vm.items():
            fp = self.p.container_vms[o]
            terms.append((fp[1] + ratio * fp[0]) * var)
        return cp_model.LinearExpr.sum(terms)

    def polish(self, solver: cp_model.CpSolver, found: Assignment, clock: Clock, seconds: float) -> Assignment:
        """Keep the CAPEX of `found` (the solver's plan), and trim overhead: ties between forms go to the leaner one."""
        capex = int(sum(self.p.costs[m] * solver.boolean_value(self.used[s]) for s, (m, _) in enumerate(self.servers)))
        values = {v.index: solver.boolean_value(v) for v in self._all_vars()}
        self.model.clear_hints()
        for var in self._all_vars():
            self.model.add_hint(var, values[var.index])
        self.model.add(self.capex_expr() <= capex)
        for v in self.placed.values():
            if values[v.index]:
                self.model.add(v == 1)
        self.model.minimize(self.footprint_expr())
        second = cp_model.CpSolver()
        clock.configure(second, seconds, solver.parameters.num_workers, solver.parameters.random_seed)
        status = second.solve(self.model)
        clock.charge(second)
        return self.extract(second) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else found

    def _all_vars(self) -> list[cp_model.IntVar]:
        groups = (self.used, self.mode, self.assign, self.vm, self.ct, self.host_vm, self.placed)
        return list({v.index: v for g in groups for v in g.values()}.values())

    def add_hint(self, start: Assignment) -> None:
        """Hint the canonical first-fit-decreasing plan (positions per model in opening order)."""
        position: dict[int, int] = {}
        seen: dict[int, int] = {}
        for g, (m, _) in enumerate(start.servers):
            position[g] = self.servers.index((m, seen.get(m, 0)))
            seen[m] = seen.get(m, 0) + 1
        modes = {position[g]: mode for g, (_, mode) in enumerate(start.servers)}
        for s in range(len(self.servers)):
            self.model.add_hint(self.used[s], s in modes)
            for k in self.p.modes:
                self.model.add_hint(self.mode[s, k], modes.get(s) == k)
        where = {i: (position[g], kind) for i, (g, kind) in start.placed.items()}
        vms = {(s, self.p.items[i].workload.os) for i, (s, kind) in where.items() if kind == PlacementKind.CONTAINER_IN_VM}
        for (s, o), var in self.host_vm.items():
            self.model.add_hint(var, (s, o) in vms)
        for (b, s), var in self.assign.items():
            self.model.add_hint(var, where.get(self.p.bundles[b][0], (None,))[0] == s)
        for (i, s), var in self.vm.items():
            if len(self.p.items[i].forms) == 2:  # single-form replicas reuse assign[b,s]
                self.model.add_hint(var, where.get(i) == (s, "vm"))
        for (i, s), var in self.ct.items():
            if len(self.p.items[i].forms) == 2:
                placed_here = i in where and where[i][0] == s
                self.model.add_hint(var, placed_here and where[i][1] != "vm")
        for b, var in self.placed.items():
            self.model.add_hint(var, self.p.bundles[b][0] in start.placed)

    def extract(self, solver: cp_model.CpSolver) -> Assignment:
        """Read the solution back as an Assignment."""
        result = Assignment()
        index: dict[int, int] = {}
        for s in range(len(self.servers)):
            if solver.boolean_value(self.used[s]):
                mode = next(k for k in self.p.modes if solver.boolean_value(self.mode[s, k]))
                index[s] = len(result.servers)
                result.servers.append((self.servers[s][0], mode))
        for (b, s), var in self.assign.items():
            if not solver.boolean_value(var):
                continue
            hv = result.servers[index[s]][1] == "hypervisor"
            for i in self.p.bundles[b]:
                as_vm = (i, s) in self.vm and solver.boolean_value(self.vm[i, s])
                kind = "vm" if as_vm else (PlacementKind.CONTAINER_IN_VM if hv else PlacementKind.CONTAINER_BARE)
                result.placed[i] = (index[s], kind)
        return result
