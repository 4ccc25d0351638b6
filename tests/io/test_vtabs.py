"""RVTools vCPU, vPartition and vDisk tabs: each VM's own CPU use and disk replace vInfo's, bad rows never fatal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import REPO, SERVER_HEADER, write_book
from openpyxl import load_workbook

from planner.io.reader import read_estate

sys.path.insert(0, str(REPO / "sample_data"))
from make_rvtools import write_v4

MIB = 2**20 / 2**30


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return write_book(tmp_path / "c.xlsx", {"Servers": [SERVER_HEADER, ["M", 64, 1024, 8000, 10000, 500, 1, None]]})


def _tab(path: Path, name: str) -> list[list[object]]:
    book = load_workbook(path, read_only=True)
    rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    book.close()
    return rows


def _per_vm(rows: list[list[object]], column: str) -> dict[str, float]:
    head, out = rows[0], {}
    for r in rows[1:]:
        out[str(r[0])] = out.get(str(r[0]), 0.0) + float(r[head.index(column)])  # type: ignore[arg-type]
    return out


def test_vm_tabs_give_each_vm_its_own_use_and_disk(tmp_path: Path, catalog: Path) -> None:
    """CPU use is Overall / Max MHz; disk is the guest's consumed space on use, the disks' capacity as provisioned."""
    path = write_v4(tmp_path / "rv.xlsx")
    cpu = _tab(path, "vCPU")
    pct = {str(r[0]): 100 * float(r[5]) / float(r[4]) for r in cpu[1:]}  # type: ignore[arg-type]
    consumed, capacity = _per_vm(_tab(path, "vPartition"), "Consumed MiB"), _per_vm(_tab(path, "vDisk"), "Capacity MiB")
    by_use = read_estate(path, servers_path=catalog, overrides={"storage_basis": "in_use"})
    provisioned = read_estate(path, servers_path=catalog)
    for w in by_use.workloads:
        assert w.cpu_usage_pct == pytest.approx(pct[w.name])
        assert w.storage_gb == pytest.approx(consumed[w.name] * MIB)
    for w in provisioned.workloads:
        assert w.storage_gb == pytest.approx(capacity[w.name] * MIB)
    assert any("disk of 31 VMs from vPartition" in n for n in by_use.notes)
    assert any("disk of 31 VMs from vDisk" in n for n in provisioned.notes)


def test_unreadable_tab_rows_are_counted_and_the_vm_keeps_its_vinfo_figures(tmp_path: Path, catalog: Path) -> None:
    """A vCPU row with text for MHz is skipped and counted; that VM keeps its host-shared use; nothing is lost."""
    path = write_v4(tmp_path / "rv.xlsx")
    before = read_estate(path, servers_path=catalog)
    book = load_workbook(path)
    sheet = book["vCPU"]
    first = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "poweredOn" and not row[2].value)
    name = first[0].value
    first[5].value = "n/a"
    book.save(path)
    after = read_estate(path, servers_path=catalog)
    assert len(after.workloads) == len(before.workloads)
    assert any("1 vCPU rows unreadable, ignored" in n for n in after.notes)
    assert next(w for w in after.workloads if w.name == name).cpu_usage_pct is not None  # its host's estimate
    assert not after.excluded
