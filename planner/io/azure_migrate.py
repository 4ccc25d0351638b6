"""Azure Migrate's import CSV: server name, cores, memory in MB, OS name, disks, and utilization percentages."""

from __future__ import annotations

import re

from planner.domain import Workload
from planner.input_errors import InputProblem
from planner.io.inventory import (
    ELIGIBILITY,
    TO_GB,
    Imported,
    InventorySheet,
    existing_vm,
    inventory_workload,
)
from planner.profiles.loading import load_legacy_os


def azure_migrate(sheet: InventorySheet, problems: list[InputProblem]) -> Imported:
    """Workloads from the Azure Migrate import CSV template."""
    name, cores, mem = sheet.find("server name"), sheet.find("cores"), sheet.find("memory (in mb)")
    os_name = sheet.find("os name")
    disks = [i for i, k in enumerate(sheet.keys) if re.fullmatch(r"disk \d+ size \(in gb\)", k)]
    cpu_pct, mem_pct = sheet.find("cpu utilization percentage"), sheet.find("memory utilization percentage")
    out: list[tuple[int, Workload]] = []
    if not sheet.require(problems, **{"Server name": name, "Cores": cores, "Memory (In MB)": mem}):
        return Imported("Azure Migrate", sheet.sheet, out, (), [])
    assert name is not None
    seen: dict[str, int] = {}
    rules = load_legacy_os()
    names: dict[int, str] = {}
    for row, cells in sheet.rows:
        n = sheet.text(cells, name)
        names[row] = n
        if not n:
            problems.append(InputProblem(sheet.sheet, row, sheet.originals[name], "a value is required"))
            continue
        if n in seen:
            problems.append(
                InputProblem(sheet.sheet, row, sheet.originals[name], f"duplicate name {n!r} (first at row {seen[n]})")
            )
            continue
        seen[n] = row
        c = sheet.number(cells, row, cores, problems, True)
        m = sheet.number(cells, row, mem, problems, True)
        sizes = [sheet.number(cells, row, i, problems, False) for i in disks]
        usage = [sheet.number(cells, row, i, problems, False) for i in (cpu_pct, mem_pct)]
        if c is None or m is None:
            continue
        os_text = sheet.text(cells, os_name)
        vm, eligibility = existing_vm(c, os_text, rules)
        w = inventory_workload(
            sheet.sheet,
            row,
            problems,
            name=n,
            memory_gb=m * TO_GB["mib"],
            storage_gb=sum(s or 0.0 for s in sizes),
            extra=((("OS as reported", os_text),) if os_text else ()) + ((ELIGIBILITY, eligibility),),
            cpu_usage_pct=usage[0],
            memory_usage_pct=usage[1],
            **vm,
        )
        if w is not None:
            out.append((row, w))
    notes = [
        f"Azure Migrate CSV: {len(out)} servers; memory read as MiB, disks as GiB (sum of Disk N size)",
        "cores read as the allocation (vCPUs), which holds each server's guest OS",
    ]
    return Imported("Azure Migrate", sheet.sheet, out, (), notes, names)
