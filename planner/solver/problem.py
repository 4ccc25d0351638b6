"""The packing problem in integers, built once from an estate and an overhead profile.

Resources are solved in thousandths (millicores, 1/1000 GB): SCALE below. Footprints
are rounded up and usable capacities down, so any plan that fits in integers also
fits in exact arithmetic and passes the independent checker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from planner.domain import Estate, HostMode, PlacementKind, ServerModel, Workload
from planner.profiles.costs import solver_prices
from planner.profiles.footprints import container_host_vm, host_reserve, placement_footprint
from planner.profiles.overheads import OverheadProfile
from planner.profiles.platforms import platform_forms, runs_mode
from planner.resources import RESOURCES
from planner.rules import ConflictKey, conflict_keys, container_host_mode, form_of, kinds_of_form

SCALE = 1000  # integer units per core and per GB
BARRED = 10**15  # the reserve of a model in a mode its platforms exclude: no server has room for it
Vec = tuple[int, int, int]


def scale_up(value: float) -> int:
    """A demand in integer units, rounded up (never understate a load)."""
    return math.ceil(round(value * SCALE, 6))


def scale_down(value: float) -> int:
    """A capacity in integer units, rounded down (never overstate room)."""
    return math.floor(round(value * SCALE, 6))


def vec_up(res: object) -> Vec:
    """A Resources as an integer vector, rounded up."""
    return tuple(scale_up(res.get(r)) for r in RESOURCES)  # type: ignore[attr-defined,return-value]


def vec_add(a: Vec, b: Vec) -> Vec:
    """Component-wise sum of two integer vectors."""
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def vec_sub(a: Vec, b: Vec) -> Vec:
    """Component-wise difference of two integer vectors."""
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def vec_fits(load: Vec, capacity: Vec) -> bool:
    """True when no component of load exceeds capacity."""
    return load[0] <= capacity[0] and load[1] <= capacity[1] and load[2] <= capacity[2]


def engine_kinds(form: str) -> tuple[str, ...]:
    """The solver's placement kinds for a plan form: an isolated container packs like a bare-metal one
    (its own footprint, on a bare-metal container host of its OS)."""
    if form == "isolated_container":
        return (PlacementKind.CONTAINER_BARE,)
    return kinds_of_form(form)


@dataclass(frozen=True)
class Item:
    """One replica to place, with its integer footprint for each placement kind it may take."""

    index: int
    workload: Workload
    replica: int
    footprints: dict[str, Vec]
    bundle: int = -1
    isolated: bool = False  # its container kind is an isolated container (own kernel), not a shared-kernel one

    @property
    def kinds(self) -> tuple[str, ...]:
        """The placement kinds this replica may take."""
        return tuple(self.footprints)

    @property
    def forms(self) -> tuple[str, ...]:
        """The solver's forms ('vm', 'container') this replica may take."""
        return tuple(dict.fromkeys(form_of(k) for k in self.footprints))

    def plan_form(self, kind: str) -> str:
        """The plan's form of this replica in a placement kind: vm, container or isolated_container."""
        return "isolated_container" if self.isolated and kind == PlacementKind.CONTAINER_BARE else form_of(kind)


def min_footprint(item: Item) -> Vec:
    """The smallest footprint of an item per resource over its kinds (for sizes and bounds)."""
    fps = list(item.footprints.values()) or [(0, 0, 0)]
    return (min(f[0] for f in fps), min(f[1] for f in fps), min(f[2] for f in fps))


def bundle_minimum(items: list[Item], bundle: list[int]) -> Vec:
    """The smallest footprint of a bundle per resource: its members' smallest footprints summed."""
    least = [min_footprint(items[i]) for i in bundle]
    return (sum(f[0] for f in least), sum(f[1] for f in least), sum(f[2] for f in least))


@dataclass
class Problem:
    """Everything the greedy and the CP-SAT model need, in integers, with lookup tables."""

    estate: Estate
    overhead: OverheadProfile
    items: list[Item]
    bundles: list[list[int]]
    bundle_names: list[str]
    conflicts: list[tuple[str, list[int]]]
    capacities: list[Vec]
    costs: list[int]
    reserves: dict[str, list[Vec]]  # host reserve per mode and server model (a model barred from a mode: above capacity)
    container_vms: dict[str, Vec]
    modes: tuple[str, ...]
    max_counts: list[int | None]
    bundle_conflicts: list[set[int]] = field(default_factory=list)
    self_conflicting: set[int] = field(default_factory=set)
    bundle_min: list[Vec] = field(default_factory=list)
    bundle_class: list[int] = field(default_factory=list)
    barred: dict[str, str] = field(default_factory=dict)  # workload -> why it can take no form on the study's platforms

    @property
    def hypervisor(self) -> str:
        """The hypervisor type of the study."""
        return self.estate.settings.hypervisor

    def min_reserve(self) -> Vec:
        """The smallest host reserve per resource over the modes in play and the models allowed them."""
        rs = [self.reserve(k, m) for k in self.modes for m in range(len(self.capacities)) if self.allows(k, m)]
        rs = rs or [(0, 0, 0)]
        return (min(r[0] for r in rs), min(r[1] for r in rs), min(r[2] for r in rs))

    def reserve(self, mode: str, m: int) -> Vec:
        """The host reserve of server model m in a mode."""
        return self.reserves[mode][m]

    def allows(self, mode: str, m: int) -> bool:
        """True when server model m may run this mode (its platforms list it and its reserve fits)."""
        return vec_fits(self.reserves[mode][m], self.capacities[m])


def shape_key(items: list[Item], bundle: list[int]) -> tuple[object, ...]:
    """What makes two bundles interchangeable on a server: each member's OS and footprints."""
    return tuple(sorted((items[i].workload.os, tuple(sorted(items[i].footprints.items()))) for i in bundle))


def bundle_classes(items: list[Item], bundles: list[list[int]]) -> list[int]:
    """A shape class per bundle: bundles with equal shape keys share a class, numbered in bundle order."""
    ids: dict[tuple[object, ...], int] = {}
    return [ids.setdefault(shape_key(items, b), len(ids)) for b in bundles]


def _bundles(items: list[Item]) -> tuple[list[list[int]], list[str]]:
    """Group replicas that must share a server: copy k of every member of an affinity group."""
    groups: dict[tuple[str, int], list[int]] = {}
    bundles: list[list[int]] = []
    names: list[str] = []
    for item in items:
        group = item.workload.affinity_group
        if group is None:
            bundles.append([item.index])
            names.append(f"{item.workload.name}#{item.replica}")
            continue
        key = (group, item.replica)
        if key not in groups:
            groups[key] = []
            bundles.append(groups[key])
            names.append(f"affinity group {group} copy {item.replica}")
        groups[key].append(item.index)
    return bundles, names


def _conflicts(items: list[Item]) -> list[tuple[str, list[int]]]:
    """Sets of replicas that must all be on different servers, each with its rule's name."""
    sets: dict[ConflictKey, list[int]] = {}
    for item in items:
        for key in conflict_keys(item.workload):
            sets.setdefault(key, []).append(item.index)
    return [(f"{rule} {name}", members) for (rule, name), members in sets.items() if len(members) > 1]


def build_problem(estate: Estate, overhead: OverheadProfile, prices: Sequence[float] | None = None) -> Problem:
    """Turn an estate and an overhead profile into the integer packing problem.

    `prices` is what one server of each model costs the objective (default: its CAPEX).
    """
    hv = estate.settings.hypervisor
    items: list[Item] = []
    barred: dict[str, str] = {}
    for w in estate.workloads:
        forms, why = platform_forms(w, estate.settings.forms, overhead)
        if not forms:
            barred[w.name] = why
        isolated = "isolated_container" in forms
        fps = {
            k: vec_up(
                placement_footprint(
                    w, PlacementKind.CONTAINER_ISOLATED if isolated and k == PlacementKind.CONTAINER_BARE else k, overhead, hv
                )
            )
            for f in forms
            for k in engine_kinds(f)
        }
        for r in range(1, w.replicas + 1):
            items.append(Item(len(items), w, r, fps, isolated=isolated))
    bundles, names = _bundles(items)
    # Largest bundles first: the order the greedy packs in and symmetry breaking ranks by.
    capacities = [
        (scale_down(c.cpu_cores), scale_down(c.memory_gb), scale_down(c.storage_gb))
        for c in (estate.usable_capacity(m) for m in estate.server_models)
    ]
    largest = tuple(max(1, max(c[k] for c in capacities)) for k in range(3))

    def size(bundle: list[int]) -> float:
        total = 0.0
        for i in bundle:
            lo = min_footprint(items[i])
            total += max(lo[k] / largest[k] for k in range(3))
        return total

    order = sorted(range(len(bundles)), key=lambda b: (-size(bundles[b]), names[b]))
    bundles = [bundles[b] for b in order]
    names = [names[b] for b in order]
    for b, members in enumerate(bundles):
        for i in members:
            items[i] = replace(items[i], bundle=b)
    os_with_containers = sorted({i.workload.os for i in items if PlacementKind.CONTAINER_BARE in i.footprints})
    modes = (HostMode.HYPERVISOR, *(container_host_mode(o) for o in os_with_containers))
    conflicts = _conflicts(items)
    bundle_conflicts: list[set[int]] = [set() for _ in bundles]
    for c, (_, members) in enumerate(conflicts):
        for i in members:
            bundle_conflicts[items[i].bundle].add(c)
    # A bundle that holds two members of one conflict set can never be placed.
    self_conflicting = {
        items[i].bundle
        for _, members in conflicts
        for i in members
        if sum(1 for j in members if items[j].bundle == items[i].bundle) > 1
    }
    costs = [round(c) for c in (solver_prices(estate, None) if prices is None else prices)]
    if not any(costs):  # all free: minimise the server count instead
        costs = [1] * len(costs)
    return Problem(
        estate=estate,
        overhead=overhead,
        items=items,
        bundles=bundles,
        bundle_names=names,
        conflicts=conflicts,
        capacities=capacities,
        costs=costs,
        reserves={mode: [_reserve(estate, overhead, mode, m) for m in estate.server_models] for mode in modes},
        container_vms={o: vec_up(container_host_vm(o, overhead, hv)) for o in ("linux", "windows")},
        modes=modes,
        max_counts=[m.max_count for m in estate.server_models],
        bundle_conflicts=bundle_conflicts,
        self_conflicting=self_conflicting,
        bundle_min=[bundle_minimum(items, bundle) for bundle in bundles],
        bundle_class=bundle_classes(items, bundles),
        barred=barred,
    )


def _reserve(estate: Estate, overhead: OverheadProfile, mode: str, model: ServerModel) -> Vec:
    """A model's host reserve in a mode, or a reserve above its capacity when its platforms exclude the mode."""
    if not runs_mode(model, mode, overhead, estate.settings.hypervisor):
        return (BARRED, BARRED, BARRED)
    return vec_up(host_reserve(mode, overhead, estate.settings.hypervisor, model.capacity))
