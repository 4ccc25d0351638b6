"""RVTools' per-VM tabs beyond vInfo: vMemory, vCPU (use), vPartition (disk used inside the guest), vDisk (disks).

- vMemory: `Consumed` (host memory the VM holds) of its `Size`: the VM's own memory use.
- vCPU: `Overall` is the MHz a VM uses, `Max` the MHz its vCPUs can have (vCPUs x the host's
  nominal clock); `Overall / Max` is the VM's own CPU use, better than a share of its host's.
- vPartition: `Consumed` per guest partition, summed per VM: the disk the guest actually uses,
  the in-use figure when disks are sized on use (vInfo's `In Use` also counts swap and snapshot
  files, and a thick disk in full).
- vDisk: `Capacity` per virtual disk, summed per VM: the provisioned disks without vInfo's swap
  file (which equals the VM's memory), the figure when disks are sized as provisioned.

Each figure replaces vInfo's (or the estimate shared out of the host's use) for the VMs the tab
lists; rows that cannot be read are skipped and counted in the notes, never fatal (vInfo remains
the VM's record).
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Workload
from planner.input_errors import InputProblem
from planner.io.inventory import TO_GB, InventorySheet

Rows = list[tuple[int, Workload]]
Figures = tuple[dict[str, float], int]  # per VM name, and how many rows could not be read

_SIZE = ("size mib", "size mb", "size")
_CONSUMED = ("consumed mib", "consumed mb", "consumed")
_CAPACITY = ("capacity mib", "capacity mb", "capacity")


def per_vm_rows(sheet: InventorySheet, *columns: tuple[str, ...]) -> tuple[list[tuple[str, list[float]]], int]:
    """Each readable row's VM name and its numbers in the given columns (each found by its candidate headers, none
    negative), and how many named rows could not be read; nothing when a column is missing."""
    vm, found = sheet.find("vm"), [sheet.find(*candidates) for candidates in columns]
    if vm is None or None in found:
        return [], 0
    out: list[tuple[str, list[float]]] = []
    unread = 0
    for row, cells in sheet.rows:
        seen: list[InputProblem] = []
        name = sheet.text(cells, vm)
        values = [sheet.number(cells, row, i, seen, False) for i in found]
        if not name or seen or any(v is None or v < 0 for v in values):
            unread += bool(name)
            continue
        out.append((name, [v for v in values if v is not None]))
    return out, unread


def use_pct(sheet: InventorySheet, used: tuple[str, ...], total: tuple[str, ...]) -> Figures:
    """Per VM name, one column as % of another (at most 100); a zero total counts as unreadable."""
    rows, unread = per_vm_rows(sheet, used, total)
    out = {}
    for name, (part, whole) in rows:
        if whole:
            out[name] = min(100.0, 100.0 * part / whole)
        else:
            unread += 1
    return out, unread


def per_vm_sum(sheet: InventorySheet, *candidates: str) -> Figures:
    """Per VM name, the sum of a size column converted to GB (a VM has one row per disk or partition)."""
    rows, unread = per_vm_rows(sheet, candidates)
    if not rows:
        return {}, unread
    unit = sheet.unit_of(sheet.find(*candidates), "mib")  # type: ignore[arg-type]
    factor = TO_GB["mib" if unit == "mb" else unit]  # vSphere's "MB" are mebibytes
    out: dict[str, float] = {}
    for name, (value,) in rows:
        out[name] = out.get(name, 0.0) + value * factor
    return out, unread


def _applied(rows: Rows, figures: Figures, field: str, said: str, tab: str) -> tuple[Rows, str]:
    """The VMs with their figure set on `field`, and the note: how many, from where, what could not be read."""
    values, unread = figures
    out = [(row, replace(w, **{field: values[w.name]}) if w.name in values else w) for row, w in rows]  # type: ignore[arg-type]
    found = sum(1 for _, w in rows if w.name in values)
    return out, said.format(found=found) + (f"; {unread} {tab} rows unreadable, ignored" if unread else "")


def with_consumed_memory(rows: Rows, sheet: InventorySheet | None) -> tuple[Rows, str | None]:
    """The VMs with their own consumed memory as memory use (vMemory Consumed / Size), and a note."""
    if sheet is None:
        return rows, None
    said = "memory use of {found} VMs from vMemory (Consumed / Size), used by sizing = demand"
    return _applied(rows, use_pct(sheet, ("consumed",), _SIZE), "memory_usage_pct", said, "vMemory")


def with_cpu_use(rows: Rows, sheet: InventorySheet | None) -> tuple[Rows, str | None]:
    """The VMs with their own CPU use from vCPU (Overall / Max MHz), and a note saying how many."""
    if sheet is None:
        return rows, None
    said = "CPU use of {found} VMs from vCPU (Overall / Max MHz), used by sizing = demand"
    return _applied(rows, use_pct(sheet, ("overall", "overall mhz"), ("max", "max mhz")), "cpu_usage_pct", said, "vCPU")


def with_disks(
    rows: Rows, partitions: InventorySheet | None, disks: InventorySheet | None, by_use: bool
) -> tuple[Rows, str | None]:
    """The VMs' disk from vPartition (used in the guest, when sized on use) or vDisk (capacity, when provisioned)."""
    sheet, tab = (partitions, "vPartition") if by_use else (disks, "vDisk")
    if sheet is None:
        return rows, None
    what = "used inside the guest (Consumed)" if by_use else "provisioned disks (Capacity, without the swap file)"
    figures = per_vm_sum(sheet, *(_CONSUMED if by_use else _CAPACITY))
    return _applied(rows, figures, "storage_gb", f"disk of {{found}} VMs from {tab}: {what}, summed per VM", tab)
