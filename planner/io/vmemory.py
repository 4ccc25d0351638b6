"""RVTools' vMemory tab: each VM's consumed memory, a measured figure for demand sizing.

vInfo rarely carries a VM's memory use; vMemory does: `Consumed` (host memory the VM holds) of
its `Size`. Under `sizing = demand` a VM is then sized on its own consumed memory rather than on
an estimate shared out of its host's use. Unreadable rows are skipped and counted in the notes.
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Workload
from planner.input_errors import InputProblem
from planner.io.inventory import InventorySheet


def consumed_pct(sheet: InventorySheet) -> tuple[dict[str, float], int]:
    """Per VM name, consumed memory as % of its size (at most 100), and how many rows could not be read."""
    vm, size, consumed = sheet.find("vm"), sheet.find("size mib", "size mb", "size"), sheet.find("consumed")
    if vm is None or size is None or consumed is None:
        return {}, 0
    out, unread = {}, 0
    for row, cells in sheet.rows:
        seen: list[InputProblem] = []
        name = sheet.text(cells, vm)
        total, used = (sheet.number(cells, row, i, seen, False) for i in (size, consumed))
        if not name or seen or not total or used is None:
            unread += bool(name)
            continue
        out[name] = min(100.0, 100.0 * used / total)
    return out, unread


def with_consumed_memory(
    rows: list[tuple[int, Workload]], sheet: InventorySheet | None
) -> tuple[list[tuple[int, Workload]], str | None]:
    """The VMs with their own consumed memory as memory use, and a note saying how many (None without vMemory)."""
    if sheet is None:
        return rows, None
    pcts, unread = consumed_pct(sheet)
    out = [(row, replace(w, memory_usage_pct=pcts[w.name]) if w.name in pcts else w) for row, w in rows]
    found = sum(1 for _, w in rows if w.name in pcts)
    note = f"memory use of {found} VMs from vMemory (Consumed / Size), used by sizing = demand"
    return out, note + (f"; {unread} vMemory rows unreadable, ignored" if unread else "")
