"""The independent checker passes a sound plan and rejects each kind of broken plan."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import estate, server, wl

from planner.checker import PlanCheckError, check_plan, server_loads, verify_plan
from planner.plan import Placement, Plan, PlannedServer, UnplacedReplica
from planner.profiles.overheads import OverheadProfile

E = estate(
    [
        wl("web", cpu=2, mem=2, replicas=2),
        wl("db", cpu=4, mem=4, isolation="strict"),
        wl("api", cpu=1, mem=1, affinity_group="g"),
        wl("cache", cpu=1, mem=1, affinity_group="g", platform="container"),
        wl("dc1", anti_affinity_group="dcs"),
        wl("dc2", anti_affinity_group="dcs"),
        wl("win", os="windows", platform="container"),
    ],
    [server("S", cpu=10, mem=10, storage=100, max_count=3)],
)
S1, S2, S3 = (PlannedServer(f"S-00{i}", "S", "hypervisor") for i in (1, 2, 3))
GOOD = Plan(
    (S1, S2, S3),
    (
        Placement("web", 1, "S-001", "container"),
        Placement("web", 2, "S-002", "container"),
        Placement("db", 1, "S-001", "vm"),
        Placement("api", 1, "S-002", "vm"),
        Placement("cache", 1, "S-002", "container"),
        Placement("dc1", 1, "S-001", "vm"),
        Placement("dc2", 1, "S-002", "vm"),
        Placement("win", 1, "S-003", "container"),
    ),
)


def _swap(plan: Plan, index: int, **changes: object) -> Plan:
    placements = list(plan.placements)
    placements[index] = replace(placements[index], **changes)  # type: ignore[arg-type]
    return replace(plan, placements=tuple(placements))


def test_sound_plan_passes(none_model: OverheadProfile) -> None:
    assert check_plan(E, none_model, GOOD) == []
    verify_plan(E, none_model, GOOD)
    assert server_loads(E, none_model, GOOD)["S-001"].cpu_cores == 2 + 4 + 1


BROKEN = [
    ("replica spread", _swap(GOOD, 1, server_id="S-001"), "replica spread: two replicas of web share a server"),
    ("anti-affinity", _swap(GOOD, 6, server_id="S-001"), "anti-affinity group dcs: dc1, dc2 share server S-001"),
    ("affinity", _swap(GOOD, 4, server_id="S-001"), "affinity group g copy 1: api, cache are not all on one server"),
    ("strict as container", _swap(GOOD, 2, form="container"), "db replica 1 runs as container"),
    ("container-only as VM", _swap(GOOD, 4, form="vm"), "cache replica 1 runs as vm"),
    ("missing replica", replace(GOOD, placements=GOOD.placements[1:]), "web replica 1 is neither placed nor listed"),
    ("duplicate replica", replace(GOOD, placements=(*GOOD.placements, GOOD.placements[0])), "web replica 1 appears 2 times"),
    ("unknown server", _swap(GOOD, 0, server_id="S-009"), "on server S-009, which the plan does not buy"),
    (
        "phantom workload",
        replace(GOOD, placements=(*GOOD.placements, Placement("ghost", 1, "S-001", "vm"))),
        "ghost is in the plan",
    ),
    ("replica out of range", _swap(GOOD, 1, replica=3), "web replica 3 does not exist"),
    (
        "unplaced without reason",
        replace(GOOD, placements=GOOD.placements[1:], unplaced=(UnplacedReplica("web", 1, " "),)),
        "unplaced without a reason",
    ),
    ("VM on bare-metal host", replace(GOOD, servers=(replace(S1, mode="container_host_linux"), S2, S3)), "is a VM on S-001"),
    (
        "Windows container on Linux host",
        replace(GOOD, servers=(S1, S2, replace(S3, mode="container_host_linux"))),
        "windows container on S-003",
    ),
    ("empty server", replace(GOOD, servers=(*GOOD.servers, PlannedServer("S-004", "S", "hypervisor"))), "carries no workload"),
    (
        "max_count",
        replace(
            GOOD,
            servers=(*GOOD.servers, PlannedServer("S-004", "S", "hypervisor")),
            placements=(*GOOD.placements[:-1], replace(GOOD.placements[-1], server_id="S-004")),
        ),
        "server model S: 4 bought but max_count is 3",
    ),
    ("unknown model", replace(GOOD, servers=(replace(S1, model="Z"), S2, S3)), "model 'Z' is not in the catalog"),
    ("duplicate server id", replace(GOOD, servers=(S1, S1, S2, S3)), "server id S-001 appears more than once"),
]


@pytest.mark.parametrize(("kind", "plan", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_plan_is_rejected(none_model: OverheadProfile, kind: str, plan: Plan, message: str | None) -> None:
    violations = check_plan(E, none_model, plan)
    assert violations, f"{kind} not caught"
    if message:
        assert any(message in v for v in violations), violations
    with pytest.raises(PlanCheckError):
        verify_plan(E, none_model, plan)


def test_capacity_violation_names_resource(none_model: OverheadProfile) -> None:
    e = estate([wl("a", cpu=6), wl("b", cpu=6)])
    plan = Plan(
        (PlannedServer("S-001", "S", "hypervisor"),), (Placement("a", 1, "S-001", "vm"), Placement("b", 1, "S-001", "vm"))
    )
    assert check_plan(e, none_model, plan) == ["server S-001: cpu load 12.000 exceeds 10.000 (100% of capacity)"]


def test_container_host_vm_overhead_counted(default_model: OverheadProfile) -> None:
    # Two Linux containers on one hypervisor host pay one container-host VM, not two.
    e = estate([wl("a"), wl("b")], [server(cpu=16, mem=64, storage=500)], overhead_profile="default")
    one = Plan((PlannedServer("S-001", "S", "hypervisor"),), (Placement("a", 1, "S-001", "container"),))
    two = replace(one, placements=(*one.placements, Placement("b", 1, "S-001", "container")))
    delta = server_loads(e, default_model, two)["S-001"].memory_gb - server_loads(e, default_model, one)["S-001"].memory_gb
    assert delta == pytest.approx((1 + 0.01) * 1.0073 + 0.004)  # b's container footprint only
