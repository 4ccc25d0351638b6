"""Inventory rows that cannot be sized are left out and named, nothing else lost; strict mode refuses them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from openpyxl import Workbook, load_workbook

from planner.input_errors import InputError
from planner.io.reader import read_estate
from planner.io.rows import load_rows

CATALOG = "model,cpu_cores,memory_gb,storage_gb,unit_cost,threads_per_core\nR-64c-768G,64,768,30720,25000,2\n"
HEADER = [
    "VM",
    "Powerstate",
    "Template",
    "CPUs",
    "Memory",
    "Provisioned MiB",
    "Host",
    "Cluster",
    "OS according to the VMware Tools",
]
GOOD = ["Microsoft Windows Server 2019 (64-bit)", "Red Hat Enterprise Linux 8 (64-bit)"]


def export(path: Path) -> Path:
    """An RVTools vInfo sheet of 8 good VMs and 4 broken rows (rows 3, 5, 7 and 9 as Excel shows them)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "vInfo"
    sheet.append(HEADER)
    broken = {
        3: ("blank", None, None),  # blank CPUs and Memory: the second real export's failure
        5: ("negative", 2, -4096),  # negative memory
        7: ("text", "four", 8192),  # text in a number column
        9: ("zero", 0, 8192),  # zero CPUs
    }
    good = 0
    for row in range(2, 14):
        if row in broken:
            name, cpus, mem = broken[row]
        else:
            name, cpus, mem, good = f"vm-{good:02d}", 2 + good % 3, 4096 * (1 + good % 4), good + 1
        sheet.append([name, "poweredOn", False, cpus, mem, 40 * 1024, "esx-01", "prod", GOOD[row % 2]])
    book.save(path)
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    catalog = tmp_path / "servers.csv"
    catalog.write_text(CATALOG)
    return export(tmp_path / "rvtools.xlsx"), catalog


def test_bad_rows_are_left_out_and_named(files: tuple[Path, Path]) -> None:
    """Each broken row is excluded with its VM, row, column and reason; every good VM is read."""
    rv, catalog = files
    estate = read_estate(rv, servers_path=catalog)
    assert len(estate.workloads) == 8
    assert [(e.name, e.row, e.column) for e in estate.excluded] == [
        ("blank", 3, "CPUs"),
        ("negative", 5, "Memory"),
        ("text", 7, "CPUs"),
        ("zero", 9, "CPUs"),
    ]
    assert "a value is required" in estate.excluded[0].reason and "Memory" in estate.excluded[0].reason
    assert "memory" in estate.excluded[1].reason.lower() and "four" in estate.excluded[2].reason
    assert any("left out" in n for n in estate.notes)


def test_strict_mode_refuses_every_bad_row(files: tuple[Path, Path]) -> None:
    """With strict, each broken row is an input error at its row, as before."""
    rv, catalog = files
    with pytest.raises(InputError) as err:
        read_estate(rv, servers_path=catalog, strict=True)
    assert sorted({p.row for p in err.value.problems}) == [3, 5, 7, 9]


def test_the_dashboard_rows_carry_the_exclusions(files: tuple[Path, Path]) -> None:
    """The dashboard's converted rows keep the good VMs and list the rows left out."""
    rows = load_rows(files[0])
    assert len(rows["workloads"]) == 1 + 8
    assert [r[0] for r in rows["excluded"][1:]] == ["blank", "negative", "text", "zero"]


@pytest.mark.slow
def test_cli_plans_the_rest_warns_and_writes_the_excluded_sheet(files: tuple[Path, Path], tmp_path: Path) -> None:
    """`planner plan` exits 0 with a warning naming each row and an Excluded sheet; --strict exits 2."""
    rv, catalog = files
    out = tmp_path / "plan.xlsx"
    base = [sys.executable, "-m", "planner", "plan", str(rv), "--servers", str(catalog), "--out", str(out), "--plan-only"]
    run = subprocess.run([*base, "--time-limit", "3"], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert "4 row(s) left out" in run.stderr and "row 3 (blank)" in run.stderr
    sheet = load_workbook(out, read_only=True)["Excluded"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["blank", "negative", "text", "zero"]
    strict = subprocess.run([*base, "--strict"], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert strict.returncode == 2 and "row 3" in strict.stderr


def test_hosts_match_across_fqdn_short_name_and_case(tmp_path: Path) -> None:
    """vInfo's FQDNs match vHost's short upper-case names; a VM on a host vHost lacks is counted and named."""
    book = Workbook()
    info = book.active
    info.title = "vInfo"
    info.append(HEADER)
    for k, host in enumerate(["esx-01.bank.local", "ESX-01.BANK.LOCAL", "esx-02.bank.local", "bovmprod3-01"]):
        info.append([f"vm{k}", "poweredOn", False, 2, 4096, 40 * 1024, host, "prod", GOOD[0]])
    vhost = book.create_sheet("vHost")
    vhost.append(["Host", "# Cores", "# Memory", "CPU usage %", "Memory usage %"])
    vhost.append(["ESX-01", 16, 256 * 1024, 40, 50])
    vhost.append(["esx-02.bank.local", 16, 256 * 1024, 40, 50])
    book.save(tmp_path / "rv.xlsx")
    (tmp_path / "s.csv").write_text(CATALOG)
    estate = read_estate(tmp_path / "rv.xlsx", servers_path=tmp_path / "s.csv")
    assert {w.name: w.current_host for w in estate.workloads} == {
        "vm0": "esx-01",
        "vm1": "esx-01",
        "vm2": "esx-02",
        "vm3": "bovmprod3-01",
    }
    assert sorted(h.name for h in estate.hosts) == ["esx-01", "esx-02"]
    matched = [w for w in estate.workloads if w.cpu_usage_pct is not None]
    assert sorted(w.name for w in matched) == ["vm0", "vm1", "vm2"]  # host use shared to the three matched VMs
    warning = next(n for n in estate.notes if n.startswith("warning"))
    assert "1 VMs run on 1 host(s) vHost does not list (bovmprod3-01)" in warning


def test_vmemory_gives_each_vm_its_own_memory_use(tmp_path: Path) -> None:
    """RVTools vMemory's Consumed / Size becomes a VM's memory use, which demand sizing plans on."""
    book = Workbook()
    info = book.active
    info.title = "vInfo"
    info.append(HEADER)
    info.append(["vm0", "poweredOn", False, 4, 8192, 40 * 1024, "esx-01", "prod", GOOD[0]])
    info.append(["vm1", "poweredOn", False, 2, 4096, 40 * 1024, "esx-01", "prod", GOOD[1]])
    memory = book.create_sheet("vMemory")
    memory.append(["VM", "Size MiB", "Consumed", "Active"])
    memory.append(["vm0", 8192, 4096, 1024])
    memory.append(["vm1", 4096, "n/a", 100])  # unreadable: vm1 keeps no memory figure
    book.save(tmp_path / "rv.xlsx")
    (tmp_path / "s.csv").write_text(CATALOG)
    by_use = read_estate(tmp_path / "rv.xlsx", servers_path=tmp_path / "s.csv", overrides={"sizing": "demand"})
    vm0, vm1 = by_use.workload("vm0"), by_use.workload("vm1")
    assert vm0.memory_gb == pytest.approx(8 * 0.5 * 1.3)  # 50% consumed x comfort 1.3
    assert vm1.memory_gb == pytest.approx(4)  # no figure: its allocation
    assert any("memory use of 1 VMs from vMemory" in n and "1 vMemory rows unreadable" in n for n in by_use.notes)
