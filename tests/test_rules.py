"""The placement rules stated once (planner.rules), and the solver, the repair code and the checker using them alike."""

from __future__ import annotations

import pytest
from conftest import estate, server, wl
from hypothesis import given, settings
from strategies import estates

from planner.checker import check_plan
from planner.domain import HostMode, PlacementKind
from planner.plan import Placement, Plan, PlannedServer
from planner.profiles.loading import load_profile
from planner.rules import (
    ANTI_AFFINITY,
    SPREAD,
    conflict_keys,
    form_fits_mode,
    form_of,
    kind_fits_mode,
    kinds_of_form,
    placement_kind,
)
from planner.solver.problem import build_problem

HV, LINUX_HOST, WINDOWS_HOST = HostMode.HYPERVISOR, HostMode.CONTAINER_HOST_LINUX, HostMode.CONTAINER_HOST_WINDOWS


@pytest.mark.parametrize(
    ("kind", "os_name", "mode", "fits"),
    [
        (PlacementKind.VM, "windows", HV, True),  # any OS's VM on a hypervisor
        (PlacementKind.VM, "linux", LINUX_HOST, False),  # no VMs on a bare-metal container host
        (PlacementKind.CONTAINER_IN_VM, "linux", HV, True),  # a container in the host's container-host VM
        (PlacementKind.CONTAINER_IN_VM, "linux", LINUX_HOST, False),  # no container-host VM on bare metal
        (PlacementKind.CONTAINER_BARE, "linux", LINUX_HOST, True),
        (PlacementKind.CONTAINER_BARE, "windows", LINUX_HOST, False),  # a container must match its host's OS
        (PlacementKind.CONTAINER_BARE, "linux", HV, False),
        (PlacementKind.CONTAINER_ISOLATED, "windows", WINDOWS_HOST, True),
        (PlacementKind.CONTAINER_ISOLATED, "windows", HV, False),
    ],
)
def test_kind_fits_mode(kind: str, os_name: str, mode: str, fits: bool) -> None:
    """Which placement kind a replica of an OS may take on a server in each host mode."""
    assert kind_fits_mode(kind, os_name, mode) is fits


def test_forms_kinds_and_back() -> None:
    """A form's kinds map back to the form; a container is placed in a VM on a hypervisor, bare elsewhere."""
    for form in ("vm", "container"):
        assert {form_of(k) for k in kinds_of_form(form)} == {form}
    assert placement_kind("container", HV) == PlacementKind.CONTAINER_IN_VM
    assert placement_kind("container", LINUX_HOST) == PlacementKind.CONTAINER_BARE
    assert placement_kind("isolated_container", WINDOWS_HOST) == PlacementKind.CONTAINER_ISOLATED
    assert form_fits_mode("container", "windows", HV) and not form_fits_mode("container", "windows", LINUX_HOST)
    assert not form_fits_mode("vm", "linux", LINUX_HOST)


def test_conflict_keys() -> None:
    """Replicas bring their name (spread) only when there are several; an anti-affinity group always; in that order."""
    assert conflict_keys(wl("a")) == ()
    assert conflict_keys(wl("a", replicas=3, anti_affinity_group="g")) == ((SPREAD, "a"), (ANTI_AFFINITY, "g"))
    assert conflict_keys(wl("b", anti_affinity_group="g")) == ((ANTI_AFFINITY, "g"),)


def test_checker_applies_the_conflict_rule() -> None:
    """Two members of an anti-affinity group on one server, and two replicas of one workload, are both reported."""
    e = estate([wl("a", anti_affinity_group="g"), wl("b", anti_affinity_group="g"), wl("r", replicas=2)], [server()])
    plan = Plan(
        (PlannedServer("s1", "S", HV),),
        tuple(Placement(n, r, "s1", "vm") for n, r in (("a", 1), ("b", 1), ("r", 1), ("r", 2))),
    )
    found = check_plan(e, load_profile("none"), plan)
    assert "anti-affinity group g: a, b share server s1" in found
    assert "replica spread: two replicas of r share a server" in found


def test_checker_applies_the_mode_rule() -> None:
    """A VM on a bare-metal container host, and a Windows container on a Linux one, are reported."""
    e = estate([wl("v", platform="vm"), wl("c", os="windows", platform="container")], [server()])
    plan = Plan((PlannedServer("s1", "S", LINUX_HOST),), (Placement("v", 1, "s1", "vm"), Placement("c", 1, "s1", "container")))
    found = check_plan(e, load_profile("none"), plan)
    assert "v replica 1 is a VM on s1, a bare-metal container host" in found
    assert "c replica 1 is a windows container on s1, a container_host_linux server" in found


@settings(max_examples=25, deadline=None)
@given(estates())
def test_solver_conflicts_are_the_rule(e: object) -> None:
    """The solver's conflict sets are exactly the replicas grouped by conflict key (where two or more share one)."""
    problem = build_problem(e, load_profile("none"))  # type: ignore[arg-type]
    expected: dict[tuple[str, str], list[int]] = {}
    for item in problem.items:
        for key in conflict_keys(item.workload):
            expected.setdefault(key, []).append(item.index)
    wanted = sorted(sorted(members) for members in expected.values() if len(members) > 1)
    assert sorted(sorted(members) for _, members in problem.conflicts) == wanted
