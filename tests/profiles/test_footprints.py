"""Footprints for each form and hypervisor type, against values computed by hand from the default profile."""

import pytest

from planner.domain import Workload
from planner.profiles.footprints import container_footprint, container_host_vm, host_reserve, vm_footprint
from planner.profiles.overheads import OverheadProfile
from planner.resources import Resources

W = Workload("app", cpu_cores=2, memory_gb=8, storage_gb=50)
HOST = Resources(32, 256, 2000)  # a server's raw capacity
WIN = Workload("iis", cpu_cores=1.5, memory_gb=4, storage_gb=10, os="windows")


def test_linux_vm_type1(default_model: OverheadProfile) -> None:
    fp = vm_footprint(W, default_model, "type1")
    # cpu (2 + 0.1 guest) * 1.03; memory (8 + 1) * 1.0073 + 0.016 + 2 vCPU * 0.004; storage 50 + 20
    assert fp.cpu_cores == pytest.approx(2.1 * 1.03)
    assert fp.memory_gb == pytest.approx(9 * 1.0073 + 0.016 + 0.008)
    assert fp.storage_gb == pytest.approx(70)


def test_windows_vm_type2_rounds_vcpus_up(default_model: OverheadProfile) -> None:
    fp = vm_footprint(WIN, default_model, "type2")
    # cpu (1.5 + 0.25) * 1.10; memory (4 + 2) * 1.0073 + 0.016 + 2 vCPUs * 0.004; storage 10 + 40
    assert fp.cpu_cores == pytest.approx(1.75 * 1.10)
    assert fp.memory_gb == pytest.approx(6 * 1.0073 + 0.016 + 0.008)
    assert fp.storage_gb == pytest.approx(50)


def test_container_bare_metal_and_in_vm(default_model: OverheadProfile) -> None:
    bare = container_footprint(W, default_model, "type1", in_vm=False)
    assert (bare.cpu_cores, bare.memory_gb, bare.storage_gb) == pytest.approx((2.01, 8.01, 50.5))
    inside = container_footprint(W, default_model, "type2", in_vm=True)
    # cpu 2.01 * 1.10; memory 8.01 * 1.0073 + 2 cores * 0.004
    assert inside.cpu_cores == pytest.approx(2.01 * 1.10)
    assert inside.memory_gb == pytest.approx(8.01 * 1.0073 + 0.008)
    assert inside.storage_gb == pytest.approx(50.5)


def test_container_host_vm_and_host_reserves(default_model: OverheadProfile) -> None:
    vm = container_host_vm("linux", default_model, "type1")
    # guest (0.1, 1, 20) + engine (0.1, 0.25, 10), virtualized
    assert vm.cpu_cores == pytest.approx(0.2 * 1.03)
    assert vm.memory_gb == pytest.approx(1.25 * 1.0073 + 0.016)
    assert vm.storage_gb == pytest.approx(30)
    assert host_reserve("hypervisor", default_model, "type1", HOST).memory_gb == pytest.approx(4)
    assert host_reserve("hypervisor", default_model, "type2", HOST).storage_gb == pytest.approx(64)
    win = host_reserve("container_host_windows", default_model, "type1", HOST)
    assert (win.cpu_cores, win.memory_gb, win.storage_gb) == pytest.approx((0.35, 2.25, 50))


def test_type2_costs_more_than_type1(default_model: OverheadProfile) -> None:
    assert vm_footprint(W, default_model, "type2").cpu_cores > vm_footprint(W, default_model, "type1").cpu_cores
    assert (
        host_reserve("hypervisor", default_model, "type2", HOST).cpu_cores
        > host_reserve("hypervisor", default_model, "type1", HOST).cpu_cores
    )


def test_none_profile_is_raw_demand(none_model: OverheadProfile) -> None:
    for fp in (vm_footprint(W, none_model, "type1"), container_footprint(W, none_model, "type2", in_vm=True)):
        assert (fp.cpu_cores, fp.memory_gb, fp.storage_gb) == (2, 8, 50)
