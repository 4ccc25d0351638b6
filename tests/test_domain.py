"""Domain objects refuse impossible values with a sentence naming the entity."""

import pytest

from planner.domain import DomainError, Estate, ServerModel, Settings, Workload
from planner.resources import Resources


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cpu_cores": 0}, "workload w: cpu_cores must be more than zero"),  # zero demand
        ({"memory_gb": -1}, "workload w: memory_gb must be more than zero"),  # negative demand
        ({"storage_gb": float("nan")}, "workload w: storage_gb must be a finite number"),  # NaN
        ({"os": "solaris"}, "workload w: os must be one of linux, windows"),  # unknown OS
        ({"replicas": 0}, "replicas must be a whole number from 1 to 10,000"),  # no copies
        ({"isolation": "strict", "platform": "container"}, "strict isolation requires a VM"),  # contradiction
    ],
)
def test_workload_refuses(kwargs: dict, message: str) -> None:
    base = {"name": "w", "cpu_cores": 1, "memory_gb": 1}
    with pytest.raises(DomainError, match=message):
        Workload(**{**base, **kwargs})


def test_allowed_forms_follow_rules_and_policy() -> None:
    assert Workload("a", 1, 1).allowed_forms() == ("vm", "container")
    # strict isolation needs its own kernel: a VM or an isolated container
    assert Workload("a", 1, 1, isolation="strict").allowed_forms() == ("vm", "isolated_container")
    assert Workload("a", 1, 1, isolation="strict").allowed_forms("containers_where_allowed") == ("isolated_container",)
    assert Workload("a", 1, 1, platform="isolated_container").allowed_forms() == ("isolated_container",)
    assert Workload("a", 1, 1, platform="isolated_container").allowed_forms("vm_only") == ("vm",)
    assert Workload("a", 1, 1, platform="container").allowed_forms() == ("container",)
    assert Workload("a", 1, 1).allowed_forms("vm_only") == ("vm",)
    assert Workload("a", 1, 1).allowed_forms("containers_where_allowed") == ("container",)
    assert Workload("a", 1, 1, platform="vm").allowed_forms("containers_where_allowed") == ("vm",)


def test_server_model_and_settings_refuse() -> None:
    with pytest.raises(DomainError, match="server model X: cpu_cores"):
        ServerModel("X", 0, 1, 1, 1)
    with pytest.raises(DomainError, match="max_count"):
        ServerModel("X", 1, 1, 1, 1, max_count=-1)
    with pytest.raises(DomainError, match="at most 100"):
        Settings(max_utilization_pct=120)
    with pytest.raises(DomainError, match="hypervisor"):
        Settings(hypervisor="type3")


def test_estate_refuses_duplicates_and_empty_catalog() -> None:
    m = ServerModel("M", 4, 4, 4, 1)
    with pytest.raises(DomainError, match="unique"):
        Estate((Workload("a", 1, 1), Workload("a", 1, 1)), (m,))
    with pytest.raises(DomainError, match="at least one server model"):
        Estate((Workload("a", 1, 1),), ())


def test_usable_capacity_per_resource_ceiling() -> None:
    m = ServerModel("M", 10, 100, 1000, 1)
    e = Estate((), (m,), Settings(max_utilization_pct=80, memory_max_utilization_pct=90))
    assert e.usable_capacity(m) == Resources(8, 90, 800)


def test_resources_arithmetic() -> None:
    a, b = Resources(1, 2, 3), Resources(0.5, 1, 1)
    assert a + b == Resources(1.5, 3, 4)
    assert a - b == Resources(0.5, 1, 2)
    assert b.fits_in(a) and not a.fits_in(b)


def test_usable_storage_by_pool() -> None:
    """Local disks under the ceiling; shared storage never binds; HCI: raw over the replication factor, less the slack."""
    model = ServerModel("m", 64, 512, 10_000, 1)
    local = Estate((), (model,), Settings(max_utilization_pct=80))
    assert local.usable_capacity(model).storage_gb == pytest.approx(8_000)
    shared = Estate((), (model,), Settings(max_utilization_pct=80, storage_pool="shared"))
    assert shared.usable_capacity(model).storage_gb >= 1e8
    hci = Estate((), (model,), Settings(max_utilization_pct=80, storage_pool="hci"))
    assert hci.usable_capacity(model).storage_gb == pytest.approx(10_000 / 2 * 0.75)  # RF2, 25% slack, no 80% on top
    rf3 = Estate((), (model,), Settings(storage_pool="hci", hci_replication_factor=3, hci_slack_pct=30))
    assert rf3.usable_capacity(model).storage_gb == pytest.approx(10_000 / 3 * 0.7)
    with pytest.raises(DomainError, match="hci_replication_factor"):
        Settings(hci_replication_factor=4)


def test_effective_cpu_counts_threads_at_their_weight() -> None:
    """A 64-core, 2-thread server carries 64 x 1.25 cores at the default weight; memory overcommit scales memory."""
    model = ServerModel("m", 64, 512, 1000, 1, threads_per_core=2)
    e = Estate((), (model,), Settings(memory_overcommit=1.5))
    assert e.effective_capacity(model).cpu_cores == pytest.approx(80) and e.effective_capacity(model).memory_gb == 768
    assert e.usable_capacity(model).cpu_cores == pytest.approx(64)  # 80% ceiling
