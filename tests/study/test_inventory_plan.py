"""An RVTools-shaped estate planned with default settings, checked against a capacity planner's hand calculation.

The estate is what a real export looks like: three clusters (two production, one DMZ), about 4.5
vCPUs per physical core today, Windows and Linux guests with legacy ones among them (Windows
Server 2008 R2, 32-bit 2003, CentOS 6). The planner's hand calculation per cluster, with the
published ratios: cores = vCPUs / 4 over 64 cores x 1.25 (a second thread counts a quarter core)
x 80%; memory = the VMs' memory, with the hypervisor's per-VM overhead, over 768 GB x 80% less the
hypervisor's reserve; servers = the larger, rounded up, plus one (N+1).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import Workbook

from planner.checker import check_plan
from planner.cli import main
from planner.io.reader import read_estate
from planner.profiles.loading import load_profile
from planner.study.pipeline import run_study

CLUSTERS = {"prod-a": 14, "prod-b": 7, "dmz": 3}  # hosts today, 16 cores and 384 GB each
VMS = {"prod-a": 240, "prod-b": 120, "dmz": 50}
SIZES = [(2, 4), (2, 8), (4, 8), (4, 16), (6, 16), (8, 24)]  # (vCPUs, GB): about 4.5 vCPUs per core today
OSES = [
    ("Microsoft Windows Server 2019 (64-bit)", 30),
    ("Microsoft Windows Server 2016 or later (64-bit)", 15),
    ("Microsoft Windows Server 2008 R2 (64-bit)", 10),
    ("Microsoft Windows Server 2003 (32-bit)", 3),
    ("Red Hat Enterprise Linux 8 (64-bit)", 20),
    ("Ubuntu Linux (64-bit)", 15),
    ("CentOS 4/5/6 (64-bit)", 7),
]
VINFO = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "In Use MiB", "Host", "Cluster"]
CATALOG = "model,cpu_cores,memory_gb,storage_gb,unit_cost,threads_per_core\nR-64c-768G,64,768,30720,25000,2\n"


def write_export(path: Path, seed: int = 7) -> Path:
    """An RVTools export (vInfo and vHost sheets) of the estate above."""
    rng = random.Random(seed)
    book = Workbook()
    info = book.active
    info.title = "vInfo"
    info.append([*VINFO, "Datacenter", "OS according to the VMware Tools"])
    host = book.create_sheet("vHost")
    host.append(["Host", "Datacenter", "Cluster", "# CPU", "# Cores", "# Memory", "CPU usage %", "Memory usage %"])
    for cluster, hosts in CLUSTERS.items():
        names = [f"esx-{cluster}-{k:02d}.bank.local" for k in range(hosts)]
        for name in names:
            host.append([name, "dc-1", cluster, 2, 16, 384 * 1024, 35, 60])
        for k in range(VMS[cluster]):
            cpus, gb = rng.choice(SIZES)
            os_name = rng.choices([o for o, _ in OSES], weights=[w for _, w in OSES])[0]
            disk = rng.choice([40, 60, 80]) * 1024
            row = [f"{cluster}-vm{k:03d}", "poweredOn", False, cpus, gb * 1024, disk, disk // 2, rng.choice(names)]
            info.append([*row, cluster, "dc-1", os_name])
    book.save(path)
    return path


def hand_calculation(estate: object, cluster: str) -> int:
    """Servers a planner computes for one cluster from the ratios and the profile's numbers, before N+1."""
    profile = load_profile("default")
    vms = [w for w in estate.workloads if w.site == cluster]  # type: ignore[attr-defined]
    cores = sum(w.vcpus for w in vms) / 4 * (1 + profile["type1_cpu_overhead_pct"] / 100)
    per_vm = [
        w.memory_gb * (1 + profile["vm_memory_overhead_pct"] / 100)
        + profile["vm_memory_overhead_fixed_gb"]
        + profile["vm_memory_overhead_per_vcpu_gb"] * w.vcpus
        for w in vms
    ]
    cpu_servers = cores / (64 * 1.25 * 0.8 - profile["type1_host_cpu_cores"])
    memory_servers = sum(per_vm) / (768 * 0.8 - profile["type1_host_memory_gb"] - 768 * profile["type1_host_memory_pct"] / 100)
    return math.ceil(max(cpu_servers, memory_servers))


@pytest.mark.slow
def test_an_inventory_plans_like_a_capacity_planner(tmp_path: Path) -> None:
    """Default settings: fewer servers than today, every VM a VM, clusters apart, N+1 held, counts as by hand."""
    export, catalog = write_export(tmp_path / "rvtools.xlsx"), tmp_path / "servers.csv"
    catalog.write_text(CATALOG)
    estate = read_estate(export, servers_path=catalog, overrides={"time_limit_s": "5", "business_case": "no"})
    assert estate.settings.ha_failures == 1 and estate.settings.site_level == "cluster"  # the defaults for existing VMs
    legacy = [w for w in estate.workloads if not w.containerizable]
    assert legacy and all(w.platform == "vm" for w in estate.workloads)
    study = run_study(estate)
    plan = study.result.plan
    assert check_plan(study.estate, study.overhead, plan) == []
    assert not plan.unplaced and {p.form for p in plan.placements} == {"vm"}  # lift and shift: every VM stays a VM
    assert study.resilience is not None and study.resilience.survived  # N+1 per cluster
    per_cluster = Counter(s.site for s in (*plan.servers, *plan.spares))
    for cluster in CLUSTERS:
        by_hand = hand_calculation(estate, cluster)
        # N+1 on top of the hand calculation; at most one more where whole VMs do not fill servers exactly
        assert by_hand + 1 <= per_cluster[cluster] <= by_hand + 2, (cluster, by_hand, per_cluster[cluster])
    assert sum(per_cluster.values()) < sum(CLUSTERS.values())  # fewer servers than today's hosts
    summary = study.summary
    today_cores = 16 * sum(CLUSTERS.values())
    assert summary.vcpu_per_core_today == pytest.approx(sum(w.vcpus for w in estate.workloads) / today_cores, abs=0.01)
    assert 4.0 <= summary.vcpu_per_core_today <= 5.0  # the export's shape: 4 to 5 vCPUs per core today
    assert summary.vcpu_per_core_plan is not None and summary.vcpu_per_core_plan < 4  # N+1 and memory leave CPU room


def test_guest_os_is_counted_once_and_shed_as_a_container(tmp_path: Path) -> None:
    """An existing VM's allocation holds its guest OS: a VM adds none; the containerizing strategy sheds it."""
    export, catalog = write_export(tmp_path / "rvtools.xlsx"), tmp_path / "servers.csv"
    catalog.write_text(CATALOG)
    estate = read_estate(export, servers_path=catalog)
    w = next(w for w in estate.workloads if w.containerizable and w.os == "windows")
    from planner.profiles.footprints import container_footprint, vm_footprint

    profile = load_profile("default")
    vm = vm_footprint(w, profile, "type1")
    assert vm.memory_gb == pytest.approx(w.memory_gb * 1.0073 + 0.016 + 0.004 * w.vcpus)  # no guest OS added
    assert vm.storage_gb == pytest.approx(w.storage_gb)
    bare = container_footprint(w, profile, "type1", in_vm=False)
    assert bare.memory_gb == pytest.approx(max(w.memory_gb - 2.0, 0.1 * w.memory_gb) + 0.01)  # Windows guest OS: 2 GB out


@pytest.mark.slow
def test_existing_vms_are_planned_on_shared_storage(tmp_path: Path) -> None:
    """Big VM disks bind on local disks, not on shared storage (existing VMs' default); its total and cost are reported."""
    export, catalog = write_export(tmp_path / "rvtools.xlsx"), tmp_path / "servers.csv"
    catalog.write_text(CATALOG.replace("30720", "1920"))  # servers with 1.9 TB of local disk: ~25 TB of VM disks bind
    limits = {"time_limit_s": "3", "business_case": "no", "ha_failures": "0"}
    shared = read_estate(export, servers_path=catalog, overrides=limits)
    assert shared.settings.storage_pool == "shared"
    local = read_estate(export, servers_path=catalog, overrides={**limits, "storage_pool": "local"})
    on_shared, on_local = run_study(shared), run_study(local)
    assert len(on_shared.result.plan.servers) < len(on_local.result.plan.servers)
    assert on_shared.summary.shared_storage_gb == pytest.approx(sum(w.storage_gb for w in shared.workloads), rel=1e-6)
    assert on_local.summary.shared_storage_gb is None
    per_year = on_shared.summary.shared_storage_cost_per_year  # priced at the cost profile's rate per TB-year
    assert per_year == pytest.approx(
        on_shared.summary.shared_storage_gb / 1024 * on_shared.costs["shared_storage_per_tb_year"], abs=0.01
    )


@pytest.mark.slow
def test_an_inventory_without_a_catalog_plans_on_the_bundled_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No --servers: the bundled current catalog and like-for-like models of today's hosts, said in the notes;
    fewer servers than today, N+1 held, every VM a VM, and the command exits 0."""
    export = write_export(tmp_path / "rvtools.xlsx")
    estate = read_estate(export, overrides={"time_limit_s": "5", "business_case": "no"})
    assert any("no server catalog given" in n and "like-for-like" in n for n in estate.notes)
    assert estate.server_models[0].model.startswith("like-for-like")  # today's shape first: the baseline's price
    study = run_study(estate)
    plan = study.result.plan
    assert check_plan(study.estate, study.overhead, plan) == [] and not plan.unplaced
    assert {p.form for p in plan.placements} == {"vm"}
    assert study.resilience is not None and study.resilience.survived
    assert len(plan.servers) + len(plan.spares) < sum(CLUSTERS.values())
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(export), "--set", "time_limit_s=3", "--set", "business_case=no", "--out", str(out)]) == 0
    assert out.is_file() and "no server catalog given" in capsys.readouterr().out
