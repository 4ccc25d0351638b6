"""RVTools exports: VMs from vInfo (lift and shift, in vCPUs, their allocation holding the guest OS), hosts from vHost."""

from __future__ import annotations

from collections.abc import Mapping

from planner.domain import Settings, Workload
from planner.input_errors import InputProblem
from planner.io.inventory import (
    ELIGIBILITY,
    TO_GB,
    UNIT_NAMES,
    Imported,
    InventorySheet,
    at_columns,
    existing_vm,
    inventory_workload,
    os_family,
    truthy,
)
from planner.io.vhost import host_key, read_hosts, share_host_use, unmatched_note, with_host_cpu
from planner.io.vtabs import with_consumed_memory, with_cpu_use, with_disks
from planner.profiles.loading import load_legacy_os


def rvtools(
    info: InventorySheet,
    host: InventorySheet | None,
    settings: Settings,
    problems: list[InputProblem],
    tabs: Mapping[str, InventorySheet] | None = None,
) -> Imported:
    """Workloads from an RVTools vInfo table, today's hosts from vHost, and per-VM figures from the tabs present:
    consumed memory (vMemory), CPU use (vCPU), disk used in the guest (vPartition) or provisioned (vDisk)."""

    c = {
        "VM": info.find("vm"),
        "CPUs": info.find("cpus", "num cpu"),
        "Memory": info.find("memory", "memory mib", "memory mb"),
    }
    power, template = info.find("powerstate", "power state"), info.find("template")
    provisioned = info.find("provisioned mib", "provisioned mb", "provisioned")
    in_use = info.find("in use mib", "in use mb", "in use")
    os_cols = [
        info.find("os according to the vmware tools"),
        info.find("os according to the configuration file"),
        info.find("os"),
    ]
    host_col, cluster, datacenter = info.find("host"), info.find("cluster"), info.find("datacenter")
    zone = info.find("zone", "security zone", "network zone")  # a custom attribute, when the estate keeps one
    cpu_pct, mem_pct = info.find("cpu usage %", "cpu usage"), info.find("memory usage %", "memory usage")
    notes: list[str] = []
    out: list[tuple[int, Workload]] = []
    if not info.require(problems, **c):
        return Imported("RVTools", info.sheet, out, (), notes)
    mem_unit = info.unit_of(c["Memory"], "mib")  # type: ignore[arg-type]
    mem_unit = "mib" if mem_unit == "mb" else mem_unit  # vSphere's "MB" are mebibytes
    by_use = settings.storage_basis == "in_use" or settings.sizing == "demand"
    disk = in_use if by_use and in_use is not None else provisioned
    disk_unit = "mib" if disk is None else info.unit_of(disk, "mib")
    disk_unit = "mib" if disk_unit == "mb" else disk_unit
    templates = powered_off = other_os = 0
    off_storage_gb = 0.0  # what excluded powered-off VMs still hold on disk
    legacy_rules, legacy = load_legacy_os(), 0
    seen: dict[str, int] = {}
    names: dict[int, str] = {}
    for row, cells in info.rows:
        if template is not None and truthy(info.cell(cells, template)):
            templates += 1
            continue
        state = info.text(cells, power).lower()
        if power is not None and state and state != "poweredon":
            powered_off += 1
            if not settings.include_powered_off:
                size_off = info.number(cells, row, disk, [], False) if disk is not None else None
                off_storage_gb += (size_off or 0.0) * TO_GB[disk_unit]
                continue
        name = info.text(cells, c["VM"])
        names[row] = name
        if not name:
            problems.append(InputProblem(info.sheet, row, info.originals[c["VM"]], "a value is required"))  # type: ignore[index]
            continue
        if name in seen:
            problems.append(InputProblem(info.sheet, row, "VM", f"duplicate name {name!r} (first at row {seen[name]})"))
            continue
        seen[name] = row
        cpus = info.number(cells, row, c["CPUs"], problems, True)
        mem = info.number(cells, row, c["Memory"], problems, True)
        size = info.number(cells, row, disk, problems, False)
        usage = [info.number(cells, row, i, problems, False) for i in (cpu_pct, mem_pct)]
        if cpus is None or mem is None:
            continue
        os_text = next((info.text(cells, i) for i in os_cols if i is not None and info.text(cells, i)), "")
        family = os_family(os_text)
        other_os += family is None
        vm, eligibility = existing_vm(cpus, os_text, legacy_rules)
        legacy += family is not None and eligibility.startswith("never")  # unknown OSes have their own note
        extra = [(label, info.text(cells, i)) for label, i in (("Cluster", cluster), ("Datacenter", datacenter)) if i is not None]
        if os_text:
            extra.append(("OS as reported", os_text))
        extra.append((ELIGIBILITY, eligibility))
        w = inventory_workload(
            info.sheet,
            row,
            problems,
            name=name,
            memory_gb=mem * TO_GB[mem_unit],
            storage_gb=(size or 0.0) * TO_GB[disk_unit],
            current_host=host_key(info.text(cells, host_col)) or None,
            site=_site(info, cells, cluster, datacenter, settings.site_level),
            zone=info.text(cells, zone) or None,
            extra=tuple((k, v) for k, v in extra if v),
            cpu_usage_pct=usage[0],
            memory_usage_pct=usage[1],
            **vm,
        )
        if w is not None:
            out.append((row, w))
    notes.append(f"RVTools {info.sheet}: {len(info.rows)} rows; {templates} templates skipped")
    verb = "included (include_powered_off=yes)" if settings.include_powered_off else "excluded (include_powered_off=no)"
    held = (
        f"; they still hold {off_storage_gb / 1024:,.1f} TB of disk"
        if off_storage_gb and not settings.include_powered_off
        else ""
    )
    notes.append(f"{powered_off} powered-off or suspended VMs {verb}{held}")
    notes.append(
        f"memory read as {UNIT_NAMES[mem_unit]}, disk ({'in use' if disk == in_use else 'provisioned'}) as "
        f"{UNIT_NAMES[disk_unit]}, converted to GB (GiB)"
    )
    if other_os:
        notes.append(f"{other_os} VMs whose OS is neither Windows nor Linux (or unknown) are planned as VMs only")
    if legacy:
        notes.append(f"{legacy} VMs run an end-of-life or 32-bit OS (models/reference/legacy_os.toml): never containers")
    notes.append("allocations hold each VM's guest OS: as a VM nothing is added for it; as a container it is taken out")
    cpu_header, mem_header = info.originals[c["CPUs"]], info.originals[c["Memory"]]  # type: ignore[index]
    at_columns(problems, {"vcpus": cpu_header, "cpu_cores": cpu_header, "memory_gb": mem_header})
    hosts = read_hosts(host, problems) if host is not None else ()
    out, shared = share_host_use(with_host_cpu(out, hosts), hosts)
    unmatched = unmatched_note(out, hosts)
    tabs = tabs or {}
    out, consumed = with_consumed_memory(out, tabs.get("vmemory"))  # a VM's own figure over its host's estimate
    out, cpu_use = with_cpu_use(out, tabs.get("vcpu"))
    out, disks = with_disks(out, tabs.get("vpartition"), tabs.get("vdisk"), by_use)
    notes += [n for n in (unmatched, consumed, cpu_use, disks) if n]
    if shared:
        notes.append(
            f"{shared} VMs without their own use figures: use estimated from their host's (vHost CPU and memory "
            "usage %), shared in proportion to allocation"
        )
    return Imported("RVTools", info.sheet, out, hosts, notes, names)


def _site(info: InventorySheet, cells: list[object], cluster: int | None, datacenter: int | None, level: str) -> str | None:
    """An RVTools row's site: its Datacenter or its Cluster per `site_level`, else the other one."""
    first, second = (datacenter, cluster) if level == "datacenter" else (cluster, datacenter)
    return next((info.text(cells, i) for i in (first, second) if i is not None and info.text(cells, i)), None)
