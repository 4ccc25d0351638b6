"""Inventory imports: RVTools (both header generations, .xlsx and vInfo .csv), Azure Migrate, mapped CSV,
unit conversion, demand sizing, and a round trip that loses no workload."""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import pytest
from conftest import REPO, SERVER_HEADER, write_book

from planner.business.workbook import export_plan
from planner.domain import Settings
from planner.input_errors import InputError
from planner.io.planfile import read_plan
from planner.io.reader import estate_from_rows, read_estate
from planner.io.rows import load_rows
from planner.io.sizing import demand_size
from planner.study.baseline import compute_baseline
from planner.study.pipeline import run_study

sys.path.insert(0, str(REPO / "sample_data"))
from make_rvtools import write_v3, write_v4

CATALOG = [SERVER_HEADER, ["M1", 32, 256, 4000, 10000, 500, 1, None], ["M2", 64, 512, 8000, 18000, 800, 2, None]]
MIB = 2**20 / 2**30


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return write_book(tmp_path / "catalog.xlsx", {"Servers": CATALOG})


def _rows(path: Path, sheet: str) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    book.close()
    header_at = next(i for i, r in enumerate(rows) if r and r[0] in ("VM", "Host"))  # below a title block
    return rows[header_at:]


@pytest.mark.parametrize("writer", [write_v3, write_v4])
def test_rvtools_versions_import_alike(tmp_path: Path, catalog: Path, writer) -> None:  # type: ignore[no-untyped-def]
    path = writer(tmp_path / "rv.xlsx")
    vinfo = _rows(path, "vInfo")
    head = vinfo[0]
    col = {h: i for i, h in enumerate(head)}
    data = vinfo[1:]
    templates = [r for r in data if r[col["Template"]]]
    off = [r for r in data if not r[col["Template"]] and r[col["Powerstate"]] != "poweredOn"]
    estate = read_estate(path, servers_path=catalog)
    assert len(estate.workloads) == len(data) - len(templates) - len(off)
    assert any(f"{len(templates)} templates skipped" in n for n in estate.notes)
    assert any(f"{len(off)} powered-off or suspended VMs excluded" in n for n in estate.notes)
    # Memory and disk are MiB in both versions ("MB" labels in 3.x): 4096 -> 4 GB.
    first = next(r for r in data if not r[col["Template"]] and r[col["Powerstate"]] == "poweredOn")
    w = estate.workload(first[col["VM"]])
    assert w.memory_gb == pytest.approx(first[col["Memory"]] * MIB)
    disk = next(h for h in head if str(h).startswith("Provisioned"))
    if writer is write_v4:  # 4.x carries vDisk: the disks' capacity, without vInfo's swap file
        vdisk = _rows(path, "vDisk")
        assert w.storage_gb == pytest.approx(sum(r[4] for r in vdisk[1:] if r[0] == w.name) * MIB)
    else:
        assert w.storage_gb == pytest.approx(first[col[disk]] * MIB)
    assert w.current_host == first[col["Host"]]
    # Other OSes are VM-only; Windows and Linux map to their families.
    os_col = col.get("OS according to the VMware Tools", col["OS according to the configuration file"])
    for r in data:
        if r[col["VM"]] in estate.workloads_by_name:
            text = str(r[os_col] or r[col["OS according to the configuration file"]])
            wl = estate.workload(r[col["VM"]])
            if "Windows" in text:
                assert wl.os == "windows"
            elif "Solaris" in text or "FreeBSD" in text:
                assert wl.platform == "vm"
    # The baseline is the real host count of vHost, hidden sheet or not.
    hosts = _rows(path, "vHost")[1:]
    assert len(estate.hosts) == len(hosts)
    assert compute_baseline(estate).servers == len(hosts)
    assert estate.hosts[0].memory_gb == pytest.approx(hosts[0][5] * MIB)


def test_powered_off_vms_are_included_on_request(tmp_path: Path, catalog: Path) -> None:
    path = write_v3(tmp_path / "rv.xlsx")
    base = read_estate(path, servers_path=catalog)
    more = read_estate(path, servers_path=catalog, overrides={"include_powered_off": "yes"})
    off = next(int(n.split()[0]) for n in base.notes if "powered-off" in n)
    assert len(more.workloads) == len(base.workloads) + off
    assert off > 0


def test_rvtools_vinfo_csv_and_errors_point_at_the_foreign_cell(tmp_path: Path, catalog: Path) -> None:
    path = tmp_path / "RVTools_tabvInfo.csv"
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "OS according to the VMware Tools"])
        out.writerow(["a", "poweredOn", "False", 2, 8192, 51200, "Ubuntu Linux (64-bit)"])
        out.writerow(["b", "poweredOn", "False", "four", 4096, 1024, "Microsoft Windows Server 2022 (64-bit)"])
    left_out = read_estate(path, servers_path=catalog)  # by default the row is left out, named
    assert [(e.name, e.row, e.column) for e in left_out.excluded] == [("b", 3, "CPUs")]
    with pytest.raises(InputError) as err:
        read_estate(path, servers_path=catalog, strict=True)
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (3, "CPUs") and "RVTools_tabvInfo.csv" in problem.sheet
    path.write_text(path.read_text().replace("four", "4"))
    estate = read_estate(path, servers_path=catalog)
    assert estate.workload("a").memory_gb == 8 and estate.workload("a").storage_gb == 50
    assert estate.workload("b").os == "windows"


def test_azure_migrate_csv_with_demand_sizing(tmp_path: Path, catalog: Path) -> None:
    path = tmp_path / "azure.csv"
    header = [
        "*Server Name",
        "IP addresses",
        "*Cores",
        "*Memory (In MB)",
        "*OS name",
        "CPU utilization percentage",
        "Memory utilization percentage",
        "Number of disks",
        "Disk 1 size (In GB)",
        "Disk 2 size (In GB)",
    ]
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerow(["app01", "10.0.0.1", 8, 16384, "Windows Server 2019", 20, 50, 2, 100, 200])
        out.writerow(["app02", "", 4, 8192, "Red Hat Enterprise Linux 8", "", "", 1, 64, ""])
        out.writerow(["app03", "", 2, 4096, "IBM AIX 7.2", 5, 90, 1, 40, ""])
    allocation = read_estate(path, servers_path=catalog)
    a = allocation.workload("app01")
    # Azure Migrate's cores are the allocation (vCPUs): 8 vCPUs at the default 4 per core are 2 physical cores
    assert (a.vcpus, a.cpu_cores, a.memory_gb, a.storage_gb, a.os) == (8, 2, 16, 300, "windows")
    assert a.includes_guest_os and a.containerizable and a.platform == "vm"  # lift and shift: stays a VM
    assert allocation.workload("app03").platform == "vm" and not allocation.workload("app03").containerizable  # AIX
    demand = read_estate(path, servers_path=catalog, overrides={"sizing": "demand", "comfort_factor": "1.5"})
    d1, d2, d3 = (demand.workload(n) for n in ("app01", "app02", "app03"))
    assert d1.cpu_cores == pytest.approx(8 * 0.30) and d1.memory_gb == pytest.approx(16 * 0.75)  # 20% x 1.5, 50% x 1.5
    assert (d2.cpu_cores, d2.memory_gb) == (1, 8)  # no measurements: allocation, 4 vCPUs at 4 per core
    assert d3.cpu_cores == pytest.approx(2 * 0.25) and d3.memory_gb == pytest.approx(4.0)  # floor 25%; cap 100%


def test_demand_size_bounds() -> None:
    s = Settings(comfort_factor=1.3, demand_floor_pct=25)
    assert demand_size(10, None, s) == 10
    assert demand_size(10, 50, s) == pytest.approx(6.5)
    assert demand_size(10, 1, s) == pytest.approx(2.5)
    assert demand_size(10, 95, s) == 10


def test_mapped_csv_converts_units_and_names_their_columns(tmp_path: Path, catalog: Path) -> None:
    path = tmp_path / "cmdb.csv"
    path.write_text('Host Name;vCPU;RAM (MB);Disk (TB);Platform\nsrv1;2;8000;0.5;Windows 2019\nsrv2;1;"2,048";1;SLES 15\n')
    mapping = {"Host Name": "name", "vCPU": "cpu_cores", "RAM (MB)": "memory_mb", "Disk (TB)": "storage_tb", "Platform": "os"}
    estate = read_estate(path, servers_path=catalog, mapping=mapping)
    s1, s2 = estate.workload("srv1"), estate.workload("srv2")
    assert s1.memory_gb == pytest.approx(8000e6 / 2**30) and s1.storage_gb == pytest.approx(0.5e12 / 2**30)
    assert s1.os == "windows" and s2.os == "linux" and s2.memory_gb == pytest.approx(2048e6 / 2**30)
    path.write_text(path.read_text().replace("srv2;1;", "srv2;one;"))
    left_out = read_estate(path, servers_path=catalog, mapping=mapping)  # the row is left out, named
    assert [(e.name, e.row, e.column) for e in left_out.excluded] == [("srv2", 3, "vCPU")]
    with pytest.raises(InputError) as err:
        read_estate(path, servers_path=catalog, mapping=mapping, strict=True)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "vCPU")]
    with pytest.raises(InputError) as err:
        read_estate(path, servers_path=catalog, mapping={**mapping, "Nope": "name", "vCPU": "cores"})
    messages = " ".join(p.message for p in err.value.problems)
    assert "no such column" in messages and "unknown target 'cores'" in messages


def test_round_trip_import_plan_export_reimport_loses_nothing(tmp_path: Path, catalog: Path) -> None:
    path = write_v4(tmp_path / "rv.xlsx")
    estate = read_estate(path, servers_path=catalog, overrides={"time_limit_s": "5", "include_powered_off": "yes"})
    study = run_study(estate)
    out = export_plan(study, tmp_path / "plan.xlsx")
    plan = read_plan(out)
    accounted = {(p.workload, p.replica) for p in plan.placements} | {(u.workload, u.replica) for u in plan.unplaced}
    assert accounted == {(w.name, 1) for w in estate.workloads}
    # The dashboard path: the converted rows rebuild the same estate, hosts and notes included.
    rows = load_rows(path)
    again = estate_from_rows(rows["workloads"], CATALOG, hosts=rows["hosts"], notes=rows["notes"])
    assert {w.name for w in again.workloads} == {w.name for w in read_estate(path, servers_path=catalog).workloads}
    assert len(again.hosts) == len(estate.hosts) and any("templates skipped" in n for n in again.notes)
    assert all(math.isfinite(w.memory_gb) for w in again.workloads)


def test_disks_as_provisioned_or_in_use_and_powered_off_disks_reported(tmp_path: Path, catalog: Path) -> None:
    """storage_basis picks RVTools' provisioned or in-use column; excluded powered-off VMs' disks are reported."""
    path = write_v4(tmp_path / "rv.xlsx")
    provisioned = read_estate(path, servers_path=catalog)
    in_use = read_estate(path, servers_path=catalog, overrides={"storage_basis": "in_use"})
    assert sum(w.storage_gb for w in in_use.workloads) < sum(w.storage_gb for w in provisioned.workloads)
    assert any("disk (in use)" in n for n in in_use.notes) and any("disk (provisioned)" in n for n in provisioned.notes)
    off = next(n for n in provisioned.notes if "powered-off" in n)
    assert "still hold" in off and "TB of disk" in off


def test_read_time_settings_cannot_be_swept() -> None:
    """A grid over a setting that acts when the file is read (the vCPU ratio) is refused, not silently ignored."""
    from planner.sweeps.grid import parse_grid

    with pytest.raises(InputError, match="acts when the workbook is read"):
        parse_grid({"vcpu_per_core": [2, 4]})


def test_legacy_os_count_leaves_out_unknown_oses(tmp_path: Path, catalog: Path) -> None:
    """The end-of-life note counts only Windows/Linux VMs on a legacy OS; unknown OSes have their own note."""
    estate = read_estate(write_v3(tmp_path / "rv.xlsx"), servers_path=catalog)
    eligibility = [str(dict(w.extra)["container eligibility"]) for w in estate.workloads]
    unknown = sum(e.startswith("never: the OS is neither") for e in eligibility)
    legacy = sum(e.startswith("never") for e in eligibility) - unknown
    assert unknown > 0 and legacy > 0
    assert f"{legacy} VMs run an end-of-life or 32-bit OS" in " ".join(estate.notes)
    assert f"{unknown} VMs whose OS is neither Windows nor Linux" in " ".join(estate.notes)
