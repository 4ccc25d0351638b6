"""Placement rules, stated once: which placement kind a replica takes on which server, and which replicas
may not share a server.

The solver (problem tables, first fit, CP-SAT, patterns), the failure repair and the independent
checker all decide "may this replica go on this server" with these functions, so a rule cannot
mean one thing to the solver and another to the checker. The checker stays independent of the
solver: it recomputes every load and applies these rules to the plan as written.

What a new placement rule touches, in order:
1. `planner/domain.py`: the field on `Workload` (or `ServerModel`, `Settings`), checked in
   `__post_init__`; `planner/io/columns.py`: its column, default and aliases.
2. This module: the predicate (a new conflict key, kind or mode condition).
3. `planner/solver/problem.py`: the integer tables the searches read (conflicts, bundles, kinds);
   `planner/solver/cpsat.py`: the CP-SAT constraint (one `_add_*` method).
4. Searches that build plans outside CP-SAT honour it through the problem tables
   (`solver/greedy.py`, `solver/packing/patterns.py` when dealing replicas to slots).
5. `planner/study/resilience.py`: restarts after a failure (through `conflict_keys`,
   `kind_fits_mode`); `planner/checker.py`: the independent check and its message.
6. Tests: one that holds, one just infeasible, one edge case (tests/test_solver.py,
   tests/test_checker.py).
"""

from __future__ import annotations

from planner.domain import HostMode, PlacementKind, Workload

ConflictKey = tuple[str, str]  # (rule, name): two replicas on one server may not bring the same key

SPREAD = "replica spread"
ANTI_AFFINITY = "anti-affinity group"

_FORM_KINDS: dict[str, tuple[PlacementKind, ...]] = {
    "vm": (PlacementKind.VM,),
    "container": (PlacementKind.CONTAINER_IN_VM, PlacementKind.CONTAINER_BARE),
    "isolated_container": (PlacementKind.CONTAINER_ISOLATED,),
}


def conflict_keys(workload: Workload) -> tuple[ConflictKey, ...]:
    """The keys a replica of this workload brings to its server: its name when it has several replicas
    (replicas spread over servers), and its anti-affinity group. Two replicas whose keys meet may not
    share a server. In this order, always (constraints are built in it)."""
    keys = [(SPREAD, workload.name)] if workload.replicas > 1 else []
    if workload.anti_affinity_group is not None:
        keys.append((ANTI_AFFINITY, workload.anti_affinity_group))
    return tuple(keys)


def container_host_mode(os_name: str) -> str:
    """The host mode of a bare-metal container host for one OS."""
    return HostMode.CONTAINER_HOST_WINDOWS if os_name == "windows" else HostMode.CONTAINER_HOST_LINUX


def kind_fits_mode(kind: str, os_name: str, mode: str) -> bool:
    """May a replica of this OS take this placement kind on a server in this host mode?

    A hypervisor host runs VMs, and containers in a container-host VM; a bare-metal container
    host runs containers (isolated ones too) of its own OS only.
    """
    if mode == HostMode.HYPERVISOR:
        return kind in (PlacementKind.VM, PlacementKind.CONTAINER_IN_VM)
    return kind in (PlacementKind.CONTAINER_BARE, PlacementKind.CONTAINER_ISOLATED) and mode == container_host_mode(os_name)


def kinds_of_form(form: str) -> tuple[PlacementKind, ...]:
    """The placement kinds a plan's form ('vm', 'container', 'isolated_container') can take."""
    return _FORM_KINDS[form]


def form_of(kind: str) -> str:
    """The plan's form of a placement kind: 'vm' or 'container'."""
    return "vm" if kind == PlacementKind.VM else "container"


def placement_kind(form: str, mode: str) -> PlacementKind:
    """The kind a replica of this form takes on a server in this mode (a container: in a VM or bare)."""
    if form == "vm":
        return PlacementKind.VM
    if form == "isolated_container":
        return PlacementKind.CONTAINER_ISOLATED
    return PlacementKind.CONTAINER_IN_VM if mode == HostMode.HYPERVISOR else PlacementKind.CONTAINER_BARE


def form_fits_mode(form: str, os_name: str, mode: str) -> bool:
    """May a replica of this form and OS run on a server in this host mode?"""
    return any(kind_fits_mode(kind, os_name, mode) for kind in kinds_of_form(form))
