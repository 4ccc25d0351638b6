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
from dataclasses import dataclass, field, replace

from planner.domain import CurrentHost, DomainError, Workload
from planner.input_errors import InputProblem
from planner.io.columns import Column
from planner.profiles.lifecycle import LegacyOs, legacy_reason

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
    names: dict[int, str] = field(default_factory=dict)  # each data row's name, for rows left out


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


def existing_vm(vcpus: float, os_text: str, rules: Sequence[LegacyOs]) -> tuple[dict[str, object], str]:
    """The fields every importer gives an existing VM, and its container eligibility in words.

    Its CPUs are vCPUs (sizing derives its cores), its allocation holds its guest OS, and it is
    planned lift and shift: a VM, unless the study lets the containerizable ones become containers.
    """
    family = os_family(os_text)
    eligibility = container_eligibility(os_text, family, rules)
    fields: dict[str, object] = {
        "cpu_cores": vcpus,
        "vcpus": vcpus,
        "includes_guest_os": True,
        "containerizable": eligibility == ELIGIBLE,
        "os": family or "linux",
        "platform": "vm",
    }
    return fields, eligibility


def inventory_workload(sheet: str, row: int, problems: list[InputProblem], **fields: object) -> Workload | None:
    """A workload from one row, or None with the problem recorded at the row."""
    try:
        return Workload(**fields)  # type: ignore[arg-type]
    except DomainError as exc:
        problems.append(InputProblem(sheet, row, None, str(exc)))
        return None


def at_columns(problems: list[InputProblem], columns: Mapping[str, str]) -> None:
    """Name the export's column (`columns`: our field -> their header) on problems that name one of our fields."""
    for k, p in enumerate(problems):
        named = [header for field, header in columns.items() if p.column is None and f": {field} " in p.message]
        if named:
            problems[k] = replace(p, column=named[0])


def truthy(value: object) -> bool:
    return str(value).strip().lower() in ("true", "yes", "1", "x")


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
    names: dict[int, str] = {}
    for row, cells in sheet.rows:
        n = sheet.text(cells, index["name"])
        names[row] = n
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
    return Imported("mapped CSV", sheet.sheet, out, (), notes, names)


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
