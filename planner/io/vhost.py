"""Today's hosts from an RVTools vHost sheet, matched to their VMs, and per-VM use shared from host use.

vInfo and vHost often spell one host differently (an FQDN in one, the short name in the other,
different case), so hosts are matched by their short, lower-case name (`host_key`). VMs whose
host vHost does not list are counted and named in the notes: the baseline and the estimate of
their use cannot draw on their host.
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import CurrentHost, Workload
from planner.input_errors import InputProblem
from planner.io.inventory import TO_GB, InventorySheet

SHOWN = 5  # host names named in a note before '...'


def host_key(name: str) -> str:
    """A host name as vInfo and vHost both match it: lower case, domain dropped ('ESX01.corp.local' -> 'esx01')."""
    return name.strip().lower().split(".")[0]


def share_host_use(rows: list[tuple[int, Workload]], hosts: tuple[CurrentHost, ...]) -> tuple[list[tuple[int, Workload]], int]:
    """Per-VM use estimated from host use where a VM has none: a host's used cores (memory) are
    shared among its VMs in proportion to their vCPUs (memory), so the estimate adds up to the host's."""
    by_name = {h.name: h for h in hosts}
    alloc_cpu: dict[str, float] = {}
    alloc_mem: dict[str, float] = {}
    for _, w in rows:
        if w.current_host in by_name:
            alloc_cpu[w.current_host] = alloc_cpu.get(w.current_host, 0.0) + w.cpu_cores  # type: ignore[index]
            alloc_mem[w.current_host] = alloc_mem.get(w.current_host, 0.0) + w.memory_gb  # type: ignore[index]
    out, shared = [], 0
    for row, w in rows:
        h = by_name.get(w.current_host or "")
        if h is None or (w.cpu_usage_pct is not None or w.memory_usage_pct is not None):
            out.append((row, w))
            continue
        cpu = None if h.cpu_usage_pct is None else min(100.0, h.cpu_usage_pct * h.cpu_cores / alloc_cpu[h.name])
        mem = None if h.memory_usage_pct is None else min(100.0, h.memory_usage_pct * h.memory_gb / alloc_mem[h.name])
        shared += cpu is not None or mem is not None
        out.append((row, replace(w, cpu_usage_pct=cpu, memory_usage_pct=mem)))
    return out, shared


def read_hosts(sheet: InventorySheet, problems: list[InputProblem]) -> tuple[CurrentHost, ...]:
    """Today's hosts from vHost (name as `host_key`, cores, memory, use), each problem at its cell."""
    name, cores, mem = sheet.find("host"), sheet.find("# cores", "cores"), sheet.find("# memory", "memory")
    cpu_pct, mem_pct = sheet.find("cpu usage %"), sheet.find("memory usage %")
    vendor, model = sheet.find("vendor"), sheet.find("model")
    cpu_model, speed = sheet.find("cpu model", "cpu type"), sheet.find("speed", "cpu speed", "speed mhz")
    if not sheet.require(problems, Host=name, **{"# Cores": cores, "# Memory": mem}):
        return ()
    unit = sheet.unit_of(mem, "mib")  # type: ignore[arg-type]
    unit = "mib" if unit == "mb" else unit
    hosts = []
    for row, cells in sheet.rows:
        n = sheet.text(cells, name)
        c = sheet.number(cells, row, cores, problems, True)
        m = sheet.number(cells, row, mem, problems, True)
        if not n or c is None or m is None:
            continue
        usage = [sheet.number(cells, row, i, problems, False) for i in (cpu_pct, mem_pct, speed)]
        hosts.append(
            CurrentHost(
                host_key(n),
                c,
                m * TO_GB[unit],
                usage[0],
                usage[1],
                sheet.text(cells, vendor),
                sheet.text(cells, model),
                sheet.text(cells, cpu_model),
                usage[2] or None,
            )
        )
    return tuple(hosts)


def with_host_cpu(rows: list[tuple[int, Workload]], hosts: tuple[CurrentHost, ...]) -> list[tuple[int, Workload]]:
    """Each VM with its host's CPU (model text and clock), the CPU its use is measured on."""
    by_name = {h.name: h for h in hosts if h.cpu_model}
    out = []
    for row, w in rows:
        h = by_name.get(w.current_host or "")
        if h is not None and w.cpu_model is None:
            ghz = h.cpu_mhz / 1000 if h.cpu_mhz else None
            w = replace(w, cpu_model=h.cpu_model, cpu_ghz=ghz)
        out.append((row, w))
    return out


def unmatched_note(rows: list[tuple[int, Workload]], hosts: tuple[CurrentHost, ...]) -> str | None:
    """A note counting and naming the VMs whose host vHost does not list (None when every host matches)."""
    listed = {h.name for h in hosts}
    missing = sorted({w.current_host for _, w in rows if w.current_host and w.current_host not in listed})
    if not hosts or not missing:
        return None
    vms = sum(1 for _, w in rows if w.current_host in missing)
    named = ", ".join(missing[:SHOWN]) + (", ..." if len(missing) > SHOWN else "")
    return (
        f"warning: {vms} VMs run on {len(missing)} host(s) vHost does not list ({named}): matched by short name and case, "
        "still no match; their host's use is not shared to them"
    )
