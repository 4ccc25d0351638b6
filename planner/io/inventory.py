"""Inventories as exported by the tools estates use: RVTools, Azure Migrate, any CSV with a mapping.

Each importer turns a foreign table into workloads, checking every cell where it sits (the
foreign sheet, row and column name), converting units explicitly, and saying in `notes`
what it skipped and why. Units: this tool's GB is the binary gigabyte (GiB), as servers and
hypervisors report memory. vSphere reports mebibytes, which RVTools labels "MB" in older
versions and "MiB" in newer ones: both are read as MiB. Azure Migrate's "MB" is read the
same way; its disk sizes are in GB (GiB). A mapped CSV says its units in the target name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from planner.domain import CurrentHost, DomainError, Settings, Workload
from planner.input_errors import InputProblem
from planner.io.columns import Column
from planner.profiles.lifecycle import LegacyOs, legacy_reason
from planner.profiles.loading import load_legacy_os

GIB = 2**30
UNIT_NAMES = {"mib": "MiB", "mb": "MB", "gb": "GB", "gib": "GiB", "tb": "TB", "tib": "TiB"}
TO_GB = {"mib": 2**20 / GIB, "mb": 1e6 / GIB, "gb": 1.0, "gib": 1.0, "tb": 1e12 / GIB, "tib": 2**40 / GIB}
LINUX = ("linux", "ubuntu", "centos", "red hat", "rhel", "suse", "sles", "debian", "rocky", "alma", "photon", "coreos", "fedora")

# Targets a mapped CSV column may take (unit-suffixed sizes are converted to GB).
MAP_TARGETS = (
    "name",
    "cpu_cores",
    "vcpus",
    *(f"memory_{u}" for u in TO_GB),
    *(f"storage_{u}" for u in TO_GB),
    "os",
    "platform",
    "isolation",
    "replicas",
    "affinity_group",
    "anti_affinity_group",
    "current_host",
    "cpu_usage_pct",
    "memory_usage_pct",
    "site",
)

Parse = Callable[[object, Column, tuple[str, int, str], list[InputProblem]], object]


def norm(header: object) -> str:
    """A foreign header folded for matching: lower case, no '*' markers, single spaces."""
    return " ".join(str(header or "").replace("*", " ").strip().lower().split())


@dataclass(frozen=True)
class Imported:
    """Workloads read from an inventory, with their rows, today's hosts and what was done."""

    format: str
    sheet: str
    workloads: list[tuple[int, Workload]]
    hosts: tuple[CurrentHost, ...]
    notes: list[str]


def os_family(text: object) -> str | None:
    """'windows', 'linux', or None for anything else (such workloads can only be VMs)."""
    t = str(text or "").lower()
    if "windows" in t:
        return "windows"
    if any(k in t for k in LINUX):
        return "linux"
    return None


class InventorySheet:
    """One foreign table: finds columns by candidate headers and parses cells where they sit."""

    def __init__(self, sheet: str, originals: list[str], rows: list[tuple[int, list[object]]], parse: Parse) -> None:
        self.sheet, self.originals, self.rows, self.parse = sheet, originals, rows, parse
        self.keys = [norm(h) for h in originals]

    def find(self, *candidates: str) -> int | None:
        """Index of the first column whose folded header is one of the candidates, tried in order."""
        for cand in candidates:
            for i, key in enumerate(self.keys):
                if key == cand:
                    return i
        return None

    def unit_of(self, index: int, default: str) -> str:
        """The unit a size column's header names: 'mib', 'mb', 'gib', 'gb', 'tib', 'tb', else the default."""
        words = re.findall(r"[a-z]+", self.keys[index])
        return next((w for w in reversed(words) if w in TO_GB), default)

    def cell(self, cells: list[object], index: int | None) -> object:
        return cells[index] if index is not None and index < len(cells) else None

    def number(
        self, cells: list[object], row: int, index: int | None, problems: list[InputProblem], required: bool
    ) -> float | None:
        """A number from a cell, problems recorded at (sheet, row, original header)."""
        if index is None:
            return None
        col = Column(self.originals[index], "number", required, None, "")
        value = self.parse(self.cell(cells, index), col, (self.sheet, row, self.originals[index]), problems)
        return None if value is None else float(value)  # type: ignore[arg-type]

    def text(self, cells: list[object], index: int | None) -> str:
        value = self.cell(cells, index)
        return "" if value is None else str(value).strip()

    def require(self, problems: list[InputProblem], **columns: int | None) -> bool:
        missing = [name for name, index in columns.items() if index is None]
        for name in missing:
            problems.append(InputProblem(self.sheet, None, name, "required column is missing"))
        return not missing


ELIGIBILITY = "container eligibility"  # the extra column saying whether an imported VM may become a container
ELIGIBLE = "eligible: a current Windows or Linux OS"


def container_eligibility(os_text: str, family: str | None, rules: Sequence[LegacyOs]) -> str:
    """Whether an imported VM may become a container, in words: eligible, or never and why."""
    if family is None:
        return "never: the OS is neither Windows nor Linux, or unknown"
    reason = legacy_reason(os_text, rules)
    return ELIGIBLE if reason is None else f"never: {reason}"


def inventory_workload(sheet: str, row: int, problems: list[InputProblem], **fields: object) -> Workload | None:
    try:
        return Workload(**fields)  # type: ignore[arg-type]
    except DomainError as exc:
        problems.append(InputProblem(sheet, row, None, str(exc)))
        return None


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("true", "yes", "1", "x")


def rvtools(info: InventorySheet, host: InventorySheet | None, settings: Settings, problems: list[InputProblem]) -> Imported:
    """Workloads from an RVTools vInfo table, and today's hosts from vHost when present."""
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
    disk = in_use if settings.sizing == "demand" and in_use is not None else provisioned
    disk_unit = "mib" if disk is None else info.unit_of(disk, "mib")
    disk_unit = "mib" if disk_unit == "mb" else disk_unit
    templates = powered_off = other_os = 0
    legacy_rules, legacy = load_legacy_os(), 0
    seen: dict[str, int] = {}
    for row, cells in info.rows:
        if template is not None and _truthy(info.cell(cells, template)):
            templates += 1
            continue
        state = info.text(cells, power).lower()
        if power is not None and state and state != "poweredon":
            powered_off += 1
            if not settings.include_powered_off:
                continue
        name = info.text(cells, c["VM"])
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
        eligibility = container_eligibility(os_text, family, legacy_rules)
        legacy += eligibility.startswith("never")
        extra = [(label, info.text(cells, i)) for label, i in (("Cluster", cluster), ("Datacenter", datacenter)) if i is not None]
        if os_text:
            extra.append(("OS as reported", os_text))
        extra.append((ELIGIBILITY, eligibility))
        w = inventory_workload(
            info.sheet,
            row,
            problems,
            name=name,
            cpu_cores=cpus,
            vcpus=cpus,
            includes_guest_os=True,
            containerizable=eligibility == ELIGIBLE,
            memory_gb=mem * TO_GB[mem_unit],
            storage_gb=(size or 0.0) * TO_GB[disk_unit],
            os=family or "linux",
            platform="vm",  # lift and shift: a VM stays a VM unless the study says otherwise
            current_host=info.text(cells, host_col) or None,
            site=_site(info, cells, cluster, datacenter, settings.site_level),
            zone=info.text(cells, zone) or None,
            extra=tuple((k, v) for k, v in extra if v),
            cpu_usage_pct=usage[0],
            memory_usage_pct=usage[1],
        )
        if w is not None:
            out.append((row, w))
    notes.append(f"RVTools {info.sheet}: {len(info.rows)} rows; {templates} templates skipped")
    verb = "included (include_powered_off=yes)" if settings.include_powered_off else "excluded (include_powered_off=no)"
    notes.append(f"{powered_off} powered-off or suspended VMs {verb}")
    notes.append(
        f"memory read as {UNIT_NAMES[mem_unit]}, disk ({'in use' if disk == in_use else 'provisioned'}) as "
        f"{UNIT_NAMES[disk_unit]}, converted to GB (GiB)"
    )
    if other_os:
        notes.append(f"{other_os} VMs whose OS is neither Windows nor Linux (or unknown) are planned as VMs only")
    if legacy:
        notes.append(f"{legacy} VMs run an end-of-life or 32-bit OS (models/reference/legacy_os.toml): never containers")
    notes.append("allocations hold each VM's guest OS: as a VM nothing is added for it; as a container it is taken out")
    hosts = _hosts(host, problems) if host is not None else ()
    out, shared = _share_host_use(out, hosts)
    if shared:
        notes.append(
            f"{shared} VMs without their own use figures: use estimated from their host's (vHost CPU and memory "
            "usage %), shared in proportion to allocation"
        )
    return Imported("RVTools", info.sheet, out, hosts, notes)


def _share_host_use(rows: list[tuple[int, Workload]], hosts: tuple[CurrentHost, ...]) -> tuple[list[tuple[int, Workload]], int]:
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


def _hosts(sheet: InventorySheet, problems: list[InputProblem]) -> tuple[CurrentHost, ...]:
    name, cores, mem = sheet.find("host"), sheet.find("# cores", "cores"), sheet.find("# memory", "memory")
    cpu_pct, mem_pct = sheet.find("cpu usage %"), sheet.find("memory usage %")
    vendor, model = sheet.find("vendor"), sheet.find("model")
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
        usage = [sheet.number(cells, row, i, problems, False) for i in (cpu_pct, mem_pct)]
        hosts.append(CurrentHost(n, c, m * TO_GB[unit], usage[0], usage[1], sheet.text(cells, vendor), sheet.text(cells, model)))
    return tuple(hosts)


def mapped_csv(sheet: InventorySheet, mapping: Mapping[str, str], problems: list[InputProblem]) -> Imported:
    """Workloads from any CSV, its columns mapped to ours (`their header -> target`)."""
    index: dict[str, int] = {}
    for theirs, target in mapping.items():
        i = sheet.find(norm(theirs))
        if target not in MAP_TARGETS:
            problems.append(InputProblem("--map", None, theirs, f"unknown target {target!r}; targets: {', '.join(MAP_TARGETS)}"))
        elif i is None:
            problems.append(
                InputProblem(sheet.sheet, 1, theirs, "the mapping names this column, but the file has no such column")
            )
        else:
            index[target] = i
    mem = next((t for t in index if t.startswith("memory_")), None)
    disk = next((t for t in index if t.startswith("storage_")), None)
    out: list[tuple[int, Workload]] = []
    if (
        not sheet.require(
            problems, name=index.get("name"), cpu_cores=index.get("cpu_cores", index.get("vcpus")), memory=index.get(mem or "")
        )
        or problems
    ):
        return Imported("mapped CSV", sheet.sheet, out, (), [])
    text_fields = ("os", "platform", "isolation", "affinity_group", "anti_affinity_group", "current_host", "site")
    cpu_target = "cpu_cores" if "cpu_cores" in index else "vcpus"
    seen: dict[str, int] = {}
    for row, cells in sheet.rows:
        n = sheet.text(cells, index["name"])
        if not n or n in seen:
            message = "a value is required" if not n else f"duplicate name {n!r} (first at row {seen[n]})"
            problems.append(InputProblem(sheet.sheet, row, sheet.originals[index["name"]], message))
            continue
        seen[n] = row
        nums = {
            t: sheet.number(cells, row, index.get(t), problems, t in (mem, cpu_target))
            for t in ("cpu_cores", "vcpus", mem, disk, "replicas", "cpu_usage_pct", "memory_usage_pct")
            if t
        }
        cores = nums["cpu_cores"] if nums["cpu_cores"] is not None else nums["vcpus"]
        if cores is None or nums[mem] is None:  # type: ignore[index]
            continue
        fields: dict[str, object] = {t: sheet.text(cells, index[t]).lower() or None for t in text_fields if t in index}
        for key in ("affinity_group", "anti_affinity_group", "current_host", "site"):
            if key in index:
                fields[key] = sheet.text(cells, index[key]) or None
        for key in ("os", "platform", "isolation"):
            if fields.get(key) is None:
                fields.pop(key, None)
        if "os" in fields and fields["os"] not in ("linux", "windows"):
            family = os_family(fields["os"])
            fields["platform"] = "vm" if family is None else fields.get("platform", "any")
            fields["os"] = family or "linux"
        w = inventory_workload(
            sheet.sheet,
            row,
            problems,
            name=n,
            cpu_cores=cores,
            vcpus=nums["vcpus"],
            includes_guest_os=nums["vcpus"] is not None,  # an existing VM's allocation holds its guest OS
            memory_gb=nums[mem] * TO_GB[mem.split("_")[1]],  # type: ignore[index,operator,union-attr]
            storage_gb=(nums.get(disk or "") or 0.0) * (TO_GB[disk.split("_")[1]] if disk else 1.0),
            replicas=int(nums.get("replicas") or 1),
            cpu_usage_pct=nums.get("cpu_usage_pct"),
            memory_usage_pct=nums.get("memory_usage_pct"),
            **fields,
        )
        if w is not None:
            out.append((row, w))
    notes = [f"mapped CSV: {', '.join(f'{k} -> {v}' for k, v in mapping.items())}; sizes converted to GB (GiB) by their unit"]
    return Imported("mapped CSV", sheet.sheet, out, (), notes)


def _site(info: InventorySheet, cells: list[object], cluster: int | None, datacenter: int | None, level: str) -> str | None:
    """An RVTools row's site: its Datacenter or its Cluster per `site_level`, else the other one."""
    first, second = (datacenter, cluster) if level == "datacenter" else (cluster, datacenter)
    return next((info.text(cells, i) for i in (first, second) if i is not None and info.text(cells, i)), None)


def detect(tables: Mapping[str, object], is_csv: bool, mapping: Mapping[str, str] | None) -> str:
    """The input's format: 'native', 'rvtools', 'azure_migrate' or 'mapped'."""
    if mapping:
        return "mapped"
    if "vinfo" in tables:
        return "rvtools"
    table = tables.get("workloads")
    if not is_csv or table is None:
        return "native"
    keys = {norm(h) for h in table.originals}  # type: ignore[attr-defined]
    if {"server name", "cores", "memory (in mb)"} <= keys:
        return "azure_migrate"
    if {"vm", "cpus"} <= keys and ("powerstate" in keys or "template" in keys):
        return "rvtools"
    return "native"
