"""RVTools' per-VM tabs beyond vInfo: vCPU (CPU use in MHz), vPartition (disk used inside the guest), vDisk (disks).

- vCPU: `Overall` is the MHz a VM uses, `Max` the MHz its vCPUs can have (vCPUs x the host's
  nominal clock); `Overall / Max` is the VM's own CPU use, better than a share of its host's.
- vPartition: `Consumed` per guest partition, summed per VM: the disk the guest actually uses,
  the in-use figure when disks are sized on use (vInfo's `In Use` also counts swap and snapshot
  files, and a thick disk in full).
- vDisk: `Capacity` per virtual disk, summed per VM: the provisioned disks without vInfo's swap
  file (which equals the VM's memory), the figure when disks are sized as provisioned.

Each figure replaces vInfo's for the VMs the tab lists; rows that cannot be read are skipped and
counted in the notes, never fatal (vInfo remains the VM's record).
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Workload
from planner.input_errors import InputProblem
from planner.io.inventory import TO_GB, InventorySheet

Rows = list[tuple[int, Workload]]


def per_vm_sum(sheet: InventorySheet, *candidates: str) -> tuple[dict[str, float], int]:
    """Per VM name, the sum of a size column converted to GB, and how many rows could not be read."""
    vm, size = sheet.find("vm"), sheet.find(*candidates)
    if vm is None or size is None:
        return {}, 0
    unit = sheet.unit_of(size, "mib")
    factor = TO_GB["mib" if unit == "mb" else unit]  # vSphere's "MB" are mebibytes
    out: dict[str, float] = {}
    unread = 0
    for row, cells in sheet.rows:
        seen: list[InputProblem] = []
        name = sheet.text(cells, vm)
        value = sheet.number(cells, row, size, seen, False)
        if not name or seen or value is None or value < 0:
            unread += bool(name)
            continue
        out[name] = out.get(name, 0.0) + value * factor
    return out, unread


def cpu_use_pct(sheet: InventorySheet) -> tuple[dict[str, float], int]:
    """Per VM name, its CPU use as % of what its vCPUs can have (`Overall / Max` MHz, at most 100)."""
    vm, overall, most = sheet.find("vm"), sheet.find("overall", "overall mhz"), sheet.find("max", "max mhz")
    if vm is None or overall is None or most is None:
        return {}, 0
    out, unread = {}, 0
    for row, cells in sheet.rows:
        seen: list[InputProblem] = []
        name = sheet.text(cells, vm)
        used, total = (sheet.number(cells, row, i, seen, False) for i in (overall, most))
        if not name or seen or not total or total < 0 or used is None or used < 0:
            unread += bool(name)
            continue
        out[name] = min(100.0, 100.0 * used / total)
    return out, unread


def _unread(unread: int, tab: str) -> str:
    return f"; {unread} {tab} rows unreadable, ignored" if unread else ""


def with_cpu_use(rows: Rows, sheet: InventorySheet | None) -> tuple[Rows, str | None]:
    """The VMs with their own CPU use from vCPU (Overall / Max MHz), and a note saying how many."""
    if sheet is None:
        return rows, None
    pcts, unread = cpu_use_pct(sheet)
    out = [(row, replace(w, cpu_usage_pct=pcts[w.name]) if w.name in pcts else w) for row, w in rows]
    found = sum(1 for _, w in rows if w.name in pcts)
    return out, f"CPU use of {found} VMs from vCPU (Overall / Max MHz), used by sizing = demand" + _unread(unread, "vCPU")


def with_disks(
    rows: Rows, partitions: InventorySheet | None, disks: InventorySheet | None, by_use: bool
) -> tuple[Rows, str | None]:
    """The VMs' disk from vPartition (used in the guest, when sized on use) or vDisk (capacity, when provisioned)."""
    sheet, tab = (partitions, "vPartition") if by_use else (disks, "vDisk")
    if sheet is None:
        return rows, None
    sizes, unread = per_vm_sum(sheet, *(_CONSUMED if by_use else _CAPACITY))
    out = [(row, replace(w, storage_gb=sizes[w.name]) if w.name in sizes else w) for row, w in rows]
    found = sum(1 for _, w in rows if w.name in sizes)
    what = "used inside the guest (Consumed)" if by_use else "provisioned disks (Capacity, without the swap file)"
    return out, f"disk of {found} VMs from {tab}: {what}, summed per VM" + _unread(unread, tab)


_CONSUMED = ("consumed mib", "consumed mb", "consumed")
_CAPACITY = ("capacity mib", "capacity mb", "capacity")
