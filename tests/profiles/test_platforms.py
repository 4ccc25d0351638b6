"""Platform profiles: validation, footprints against the cited tables, isolated containers, per-server platforms."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.business.strategies import strategy_keys
from planner.checker import check_plan
from planner.domain import Estate, ServerModel, Settings, Workload
from planner.plan import Placement
from planner.profiles.footprints import container_footprint, container_host_vm, host_reserve, isolated_footprint, vm_footprint
from planner.profiles.loading import list_platforms, load_platform, load_profile, study_overhead
from planner.profiles.overheads import ProfileError
from planner.profiles.platforms import compose, node_reserve, vm_node_reserve
from planner.resources import Resources
from planner.study.pipeline import run_study

NAMED = ("esxi", "hyperv", "kvm", "xen", "citrix", "workstation", "virtualbox", "parallels")
NAMED += ("docker", "podman", "lxc", "rkt", "kubernetes", "swarm")
RAW = load_profile("none")  # no guest OS: a footprint minus the demand is the platform's own overhead


def on(*platforms: str) -> object:
    """The raw base with these platform profiles composed in."""
    hv = next((load_platform(p) for p in platforms if load_platform(p).info.kind == "hypervisor"), None)
    ct = next((load_platform(p) for p in platforms if load_platform(p).info.kind == "container"), None)
    return compose(RAW, hv, ct)


def vm_overhead_mb(platform: str, vcpus: int, memory_gb: float) -> float:
    w = Workload("w", vcpus, memory_gb)
    return (vm_footprint(w, on(platform), "type1").memory_gb - memory_gb) * 1024  # type: ignore[arg-type]


def test_every_named_platform_has_a_profile_with_sources() -> None:
    assert set(NAMED) <= set(list_platforms())
    for name in NAMED:
        model = load_platform(name)
        assert model.info.product and model.description
        assert all(n.source.strip() and n.reason.strip() for n in model.numbers.values()), name
    assert load_platform("rkt").info.status == "discontinued"
    assert {load_platform(n).info.hypervisor_type for n in ("workstation", "virtualbox", "parallels")} == {"type2"}


@pytest.mark.parametrize(
    ("vcpus", "memory_gb", "table_mb"),
    [(1, 0.25, 20.29), (8, 0.25, 48.16), (1, 1, 25.90), (4, 4, 60.67), (1, 16, 139.62), (8, 16, 168.60)],
)
def test_esxi_per_vm_overhead_follows_vmware_table(vcpus: int, memory_gb: float, table_mb: float) -> None:
    # vSphere Resource Management, 'Overhead Memory on Virtual Machines' (Table 6-1): the fit stays within 3 MB
    assert vm_overhead_mb("esxi", vcpus, memory_gb) == pytest.approx(table_mb, abs=3.0)


def test_hyperv_per_vm_overhead_is_32_mb_then_8_mb_per_gb() -> None:
    for gb in (1, 4, 9, 64):
        assert vm_overhead_mb("hyperv", 2, gb) == pytest.approx(32 + 8 * (gb - 1), abs=0.2)


def test_kvm_per_vm_overhead_follows_kubevirt_formula() -> None:
    # QEMU 30 MiB + video 32 MiB + I/O thread 8 MiB + 8 MiB per vCPU + guest memory / 512
    for vcpus, gb in ((2, 9), (8, 64)):
        assert vm_overhead_mb("kvm", vcpus, gb) == pytest.approx(70 + 8 * vcpus + gb * 1024 / 512, rel=0.01)


@pytest.mark.parametrize("platform", ["xen", "citrix"])
def test_xen_per_vm_overhead_follows_xapi_shadow_formula(platform: str) -> None:
    # xapi Memory_model: 1 + 1 MiB + (256 pages per vCPU + 2 pages per MiB) of 4 KiB
    for vcpus, gb in ((2, 9), (16, 128)):
        pages = 256 * vcpus + 2 * gb * 1024
        assert vm_overhead_mb(platform, vcpus, gb) == pytest.approx(2 + pages * 4 / 1024, rel=0.01)


def test_host_reserves_by_hand() -> None:
    host = Resources(32, 256, 2000)
    assert host_reserve("hypervisor", on("citrix"), "type1", host).memory_gb == pytest.approx(1 + 0.05 * 256)  # type: ignore[arg-type]
    assert host_reserve("hypervisor", on("xen"), "type1", host).memory_gb == pytest.approx(1 + 0.008 * 256)  # type: ignore[arg-type]
    assert host_reserve("hypervisor", on("esxi"), "type1", host).memory_gb == pytest.approx(4)  # type: ignore[arg-type]
    work = host_reserve("hypervisor", on("workstation"), "type2", host)  # type: ignore[arg-type]
    assert (work.cpu_cores, work.memory_gb, work.storage_gb) == pytest.approx((1, 4, 65.2))


def test_kubelet_reserve_follows_gke_tiers() -> None:
    k8s = on("kubernetes")
    # 150 GiB node: 25% of 4 + 20% of 4 + 10% of 8 + 6% of 112 + 2% of 22, + 100 MiB eviction (GKE's calculator: 9.86)
    assert node_reserve(k8s, 32, 150).memory_gb == pytest.approx(1 + 0.8 + 0.8 + 6.72 + 0.44 + 0.1)  # type: ignore[arg-type]
    assert node_reserve(k8s, 32, 150).cpu_cores == pytest.approx(0.06 + 0.01 + 0.01 + 0.0025 * 28)  # type: ignore[arg-type]
    bare = host_reserve("container_host_linux", k8s, "type1", Resources(32, 128, 1000))  # type: ignore[arg-type]
    engine = k8s["engine_memory_gb"]  # type: ignore[index]
    assert bare.memory_gb == pytest.approx(engine + 1 + 0.8 + 0.8 + 6.72 + 0.1)
    assert node_reserve(on("docker"), 32, 128) == Resources(0, 0, 0)  # type: ignore[arg-type]


@given(st.floats(0, 2048), st.floats(0, 512))
def test_container_host_vm_reserve_line_never_below_the_tiers(memory_gb: float, cores: float) -> None:
    k8s = on("kubernetes")
    fixed, share = vm_node_reserve(k8s)  # type: ignore[arg-type]
    exact = node_reserve(k8s, cores, memory_gb)  # type: ignore[arg-type]
    assert fixed.memory_gb + share.memory_gb * memory_gb >= exact.memory_gb - 1e-9
    assert fixed.cpu_cores + share.cpu_cores * cores >= exact.cpu_cores - 1e-9


def test_container_in_vm_pays_the_kubelet_share() -> None:
    w = Workload("w", 2, 8)
    plain = container_footprint(w, on("esxi", "docker"), "type1", in_vm=True)  # type: ignore[arg-type]
    kube = container_footprint(w, on("esxi", "kubernetes"), "type1", in_vm=True)  # type: ignore[arg-type]
    assert kube.memory_gb > plain.memory_gb
    assert container_host_vm("linux", on("esxi", "kubernetes"), "type1").memory_gb > 1.0  # type: ignore[arg-type]


def test_isolated_container_is_a_fraction_of_a_vm() -> None:
    w = Workload("w", 2, 8, 20, isolation="strict")
    model = compose(load_profile("default"), load_platform("esxi"), load_platform("kubernetes"))
    iso = isolated_footprint(w, model)
    assert iso.memory_gb == pytest.approx(8 + 0.012 + 0.16)  # demand + pod shim + Kata's 160 MiB
    assert iso.memory_gb < vm_footprint(w, model, "type1").memory_gb - 0.8  # a full VM also pays a guest OS


def _profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    base = (Path(load_platform("esxi").path)).read_text()
    path.write_text(base + text)
    return path


def test_platform_profiles_are_validated_naming_file_and_key(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"mine.toml: unknown key 'warp_factor'"):
        load_platform(str(_profile(tmp_path, '\n[warp_factor]\nvalue = 1\nreason = "x"\nsource = "y"\n')))
    with pytest.raises(ProfileError, match=r"not part of this kind of profile 'container_memory_gb'"):
        load_platform(str(_profile(tmp_path, '\n[container_memory_gb]\nvalue = 1\nreason = "x"\nsource = "y"\n')))
    text = Path(load_platform("kvm").path).read_text().replace("value = 0.0078", "value = -1.0")
    (tmp_path / "neg.toml").write_text(text)
    with pytest.raises(ProfileError, match=r"neg.toml: \[vm_memory_overhead_per_vcpu_gb\]: value must be"):
        load_platform(str(tmp_path / "neg.toml"))
    cut = Path(load_platform("docker").path).read_text().split("[engine_storage_gb]")[0]
    (tmp_path / "cut.toml").write_text(cut)
    with pytest.raises(ProfileError, match=r"cut.toml: missing number \[engine_storage_gb\]"):
        load_platform(str(tmp_path / "cut.toml"))
    with pytest.raises(ProfileError, match="is a hypervisor platform, not a container platform"):
        study_overhead(Settings(container_platform="esxi"))


MIXED = (
    *(Workload(f"web{i}", 2, 4, 20) for i in range(16)),
    *(Workload(f"win{i}", 4, 16, 80, os="windows", platform="vm") for i in range(5)),
    *(Workload(f"sec{i}", 2, 8, 20, isolation="strict") for i in range(4)),
)
CATALOG = (
    ServerModel("esx", 32, 256, 4000, 12000, platforms=("esxi",)),
    ServerModel("k8s", 32, 128, 2000, 8000, platforms=("kubernetes",)),
)


def test_per_server_platform_choice_mixes_esxi_hosts_and_kubernetes_nodes() -> None:
    settings = Settings(hypervisor_platform="esxi", container_platform="kubernetes", time_limit_s=10, business_case=False)
    study = run_study(Estate(MIXED, CATALOG, settings))
    plan = study.result.plan
    modes = Counter((s.model, s.mode) for s in plan.servers)
    assert set(modes) == {("esx", "hypervisor"), ("k8s", "container_host_linux")}
    forms = {p.workload: p.form for p in plan.placements}
    assert all(forms[f"win{i}"] == "vm" for i in range(5))
    assert {forms[f"sec{i}"] for i in range(4)} <= {"vm", "isolated_container"}
    assert any(w.name == "kubernetes control plane" for w in study.estate.workloads)  # three control-plane machines
    assert study.baseline.servers == len(MIXED)  # the control plane ran nowhere today
    assert not check_plan(study.estate, study.overhead, plan)
    # the checker refuses a bare-metal container host on a model that lists only ESXi
    bad = replace(plan, servers=tuple(replace(s, model="esx") if s.model == "k8s" else s for s in plan.servers))
    assert any("lists platforms esxi" in v for v in check_plan(study.estate, study.overhead, bad))


def test_isolated_containers_where_the_platform_offers_them() -> None:
    ws = tuple(Workload(f"sec{i}", 2, 8, 20, isolation="strict") for i in range(6))
    servers = (ServerModel("s", 32, 128, 2000, 8000),)
    kube = Settings(container_platform="kubernetes", forms="containers_where_allowed", time_limit_s=5)
    study = run_study(Estate(ws, servers, kube))
    assert {p.form for p in study.result.plan.placements if p.workload.startswith("sec")} == {"isolated_container"}
    lxc = run_study(Estate(ws, servers, replace(kube, container_platform="lxc")))
    assert {p.form for p in lxc.result.plan.placements} == {"vm"}  # LXC isolates nothing: strict ones fall back to VMs
    # a VM server cannot hold an isolated container: the checker names it
    plan = study.result.plan
    hv = replace(plan, servers=tuple(replace(s, mode="hypervisor") for s in plan.servers))
    assert any("isolated linux container" in v for v in check_plan(study.estate, study.overhead, hv))


def test_platform_that_runs_no_windows_containers_keeps_windows_as_vms_or_names_why() -> None:
    ws = (Workload("iis", 2, 4, 40, os="windows"), Workload("winsvc", 2, 4, 40, os="windows", platform="container"))
    study = run_study(Estate(ws, (ServerModel("s", 32, 128, 2000, 8000),), Settings(container_platform="podman", time_limit_s=5)))
    placed = {p.workload: p for p in study.result.plan.placements}
    assert placed["iis"].form == "vm" and "does not run this workload's OS" in placed["iis"].why
    assert [u.workload for u in study.result.plan.unplaced] == ["winsvc"]
    assert "linux containers only, not windows" in study.result.plan.unplaced[0].reason


def test_strategy_comparison_compares_platforms() -> None:
    settings = Settings(
        hypervisor_platform="esxi", container_platform="kubernetes", compare_platforms=("kvm", "docker"), time_limit_s=6
    )
    from planner.business.case import add_business_case

    estate = Estate(MIXED[:12], (replace(CATALOG[0], platforms=()), replace(CATALOG[1], platforms=())), settings)
    assert strategy_keys(estate)[-2:] == ["platform:kvm", "platform:docker"]
    study = add_business_case(run_study(estate))
    rows = {r.key: r for r in study.case.strategies}  # type: ignore[union-attr]
    assert rows["platform:kvm"].label.startswith("on Linux KVM")
    assert rows["platform:docker"].servers >= 1 and rows["platform:kvm"].servers >= 1
    # Docker has no control plane: its plan carries three fewer machines' worth of load than Kubernetes'
    assert (
        rows["platform:docker"].overheads["workload demand"].memory_gb
        < rows["recommended"].overheads["workload demand"].memory_gb
    )


def test_isolated_container_placement_form_is_checked() -> None:
    ws = (Workload("a", 1, 2),)
    study = run_study(Estate(ws, (ServerModel("s", 16, 64, 500, 1),), Settings(container_platform="kubernetes", time_limit_s=3)))
    plan = study.result.plan
    forged = replace(plan, placements=tuple(replace(p, form="isolated_container") for p in plan.placements))
    assert any("forbid" in v for v in check_plan(study.estate, study.overhead, forged))
    assert isinstance(plan.placements[0], Placement)


def test_workbook_platform_columns_and_settings_read_back_and_refused_by_name(tmp_path: Path) -> None:
    from conftest import GOOD_WORKLOADS, write_book

    from planner.input_errors import InputError
    from planner.io.reader import read_estate

    servers = [
        ["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost", "platforms"],
        ["esx", 32, 256, 4000, 12000, "ESXi; kubernetes"],
        ["k8s", 32, 128, 2000, 8000, None],
    ]
    settings = [["setting", "value"], ["hypervisor_platform", "hyperv"], ["compare_platforms", "kvm, docker"]]
    e = read_estate(write_book(tmp_path / "ok.xlsx", {"Workloads": GOOD_WORKLOADS, "Servers": servers, "Settings": settings}))
    assert e.server_models[0].platforms == ("esxi", "kubernetes") and e.server_models[1].platforms == ()
    assert e.settings.hypervisor_platform == "hyperv" and e.settings.compare_platforms == ("kvm", "docker")
    servers[2][5] = "vmware"
    settings += [["container_platform", "esxi"]]
    with pytest.raises(InputError) as err:
        read_estate(write_book(tmp_path / "bad.xlsx", {"Workloads": GOOD_WORKLOADS, "Servers": servers, "Settings": settings}))
    where = {(p.sheet, p.row, p.column): p.message for p in err.value.problems}
    assert "unknown platform 'vmware'" in where["Servers", 3, "platforms"]
    assert "no container platform 'esxi'" in where["Settings", 4, "value"]
