"""Overhead profiles: the documented numbers that turn demand into footprint.

A profile is a TOML file holding one table per parameter with its `value`, `reason` and
`source`. A base profile (`models/*.toml`) holds every parameter in PARAMETERS; a platform
profile (`models/platforms/*.toml`: ESXi, Hyper-V, Kubernetes...) holds exactly the numbers
of its kind and replaces them in the base (`compose`). Missing, unknown or negative numbers
are refused with the file and key.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar, Self, TypeVar


def _per_os(stem: str, unit: str, meaning: str) -> dict[str, tuple[str, str]]:
    return {f"{os_name}_{stem}": (unit, meaning.format(os=os_name.capitalize())) for os_name in ("linux", "windows")}


# key -> (unit, what the number means). The order is the order shown to users.
PARAMETERS: dict[str, tuple[str, str]] = {
    **_per_os("guest_cpu_cores", "cores", "CPU a {os} guest OS uses when idle, per VM or container host"),
    **_per_os("guest_memory_gb", "GB", "memory a {os} guest OS uses, per VM or container host"),
    **_per_os("guest_storage_gb", "GB", "disk a {os} OS install takes, per VM or container host"),
    "application_floor_pct": (
        "%",
        "of an existing VM's allocation, the least its application keeps when the guest OS is taken out (as a container)",
    ),
    "vm_memory_overhead_fixed_gb": ("GB", "hypervisor memory per VM, fixed part"),
    "vm_memory_overhead_per_vcpu_gb": ("GB", "hypervisor memory per VM, per virtual CPU"),
    "vm_memory_overhead_pct": ("%", "hypervisor memory per VM, as a percent of the VM's memory"),
    "type1_host_cpu_cores": ("cores", "CPU a type-1 hypervisor reserves on its host"),
    "type1_host_memory_gb": ("GB", "memory a type-1 hypervisor reserves on its host"),
    "type1_host_storage_gb": ("GB", "boot disk of a type-1 hypervisor"),
    "type1_cpu_overhead_pct": ("%", "extra CPU a guest needs under a type-1 hypervisor"),
    "type2_host_cpu_cores": ("cores", "CPU of the host OS and hypervisor application of a type-2 host"),
    "type2_host_memory_gb": ("GB", "memory of the host OS and hypervisor application of a type-2 host"),
    "type2_host_storage_gb": ("GB", "disk of the host OS of a type-2 host"),
    "type2_cpu_overhead_pct": ("%", "extra CPU a guest needs under a type-2 hypervisor"),
    "container_cpu_cores": ("cores", "CPU per container for its runtime shim"),
    "container_memory_gb": ("GB", "memory per container for its runtime shim"),
    "container_storage_gb": ("GB", "disk per container: image layers and writable layer"),
    "engine_cpu_cores": ("cores", "CPU of the container engine, per container host"),
    "engine_memory_gb": ("GB", "memory of the container engine, per container host"),
    "engine_storage_gb": ("GB", "disk of the container engine's image cache, per container host"),
    **_per_os("vm_boot_s", "s", "time to boot a {os} VM"),
    "container_start_s": ("s", "time to start a container"),
    "type1_host_memory_pct": ("%", "memory a type-1 hypervisor reserves on its host, as a percent of the host's memory"),
    "type2_host_memory_pct": ("%", "memory the host OS of a type-2 host reserves, as a percent of the host's memory"),
    **{
        f"node_cpu_reserved_pct_{tier}": ("%", f"CPU a node agent reserves on a container host, {what}")
        for tier, what in (
            ("core_1", "of its first core"),
            ("core_2", "of its second core"),
            ("cores_3_4", "of its third and fourth cores"),
            ("above_4_cores", "of every core above four"),
        )
    },
    **{
        f"node_memory_reserved_pct_{tier}": ("%", f"memory a node agent reserves on a container host, {what}")
        for tier, what in (
            ("first_4gb", "of its first 4 GB"),
            ("4_8gb", "of its next 4 GB"),
            ("8_16gb", "of its next 8 GB"),
            ("16_128gb", "of its next 112 GB"),
            ("above_128gb", "of every GB above 128"),
        )
    },
    "node_eviction_memory_gb": ("GB", "memory a node agent keeps free as its eviction threshold, per container host"),
    "isolated_cpu_cores": ("cores", "CPU per isolated container for its lightweight VM (own kernel)"),
    "isolated_memory_gb": ("GB", "memory per isolated container for its lightweight VM (guest kernel, agent, VMM)"),
    "isolated_storage_gb": ("GB", "disk per isolated container beyond a container's: guest kernel and rootfs image"),
    "isolated_start_s": ("s", "time to start an isolated container (boots its lightweight VM)"),
    "control_plane_nodes": ("nodes", "control-plane machines the orchestrator needs when any container runs"),
    "control_plane_cpu_cores": ("cores", "CPU per control-plane machine"),
    "control_plane_memory_gb": ("GB", "memory per control-plane machine"),
    "control_plane_storage_gb": ("GB", "disk per control-plane machine"),
}
NODE_CPU_TIERS = (("core_1", 1.0), ("core_2", 1.0), ("cores_3_4", 2.0), ("above_4_cores", math.inf))
NODE_MEMORY_TIERS = (("first_4gb", 4.0), ("4_8gb", 4.0), ("8_16gb", 8.0), ("16_128gb", 112.0), ("above_128gb", math.inf))
CONTAINER_KEYS = (
    *(f"container_{r}" for r in ("cpu_cores", "memory_gb", "storage_gb")),
    *(f"engine_{r}" for r in ("cpu_cores", "memory_gb", "storage_gb")),
    *(f"node_cpu_reserved_pct_{t}" for t, _ in NODE_CPU_TIERS),
    *(f"node_memory_reserved_pct_{t}" for t, _ in NODE_MEMORY_TIERS),
    "node_eviction_memory_gb",
    *(f"isolated_{r}" for r in ("cpu_cores", "memory_gb", "storage_gb")),
    "container_start_s",
    "isolated_start_s",
    *(f"control_plane_{r}" for r in ("nodes", "cpu_cores", "memory_gb", "storage_gb")),
)
KINDS = ("base", "hypervisor", "container")
STATUSES = ("current", "discontinued")


def hypervisor_keys(hv_type: str) -> tuple[str, ...]:
    """The numbers a hypervisor platform profile of this type ('type1', 'type2') must hold."""
    own = (f"{hv_type}_host_{r}" for r in ("cpu_cores", "memory_gb", "memory_pct", "storage_gb"))
    shared = ("vm_memory_overhead_fixed_gb", "vm_memory_overhead_per_vcpu_gb", "vm_memory_overhead_pct")
    return (*own, f"{hv_type}_cpu_overhead_pct", *shared, "linux_vm_boot_s", "windows_vm_boot_s")


class ProfileError(ValueError):
    """A profile file that cannot be used, with the file and key in the message."""


@dataclass(frozen=True)
class PlatformInfo:
    """What a profile says about its platform besides numbers.

    `kind`: base (every number), hypervisor or container platform. `hypervisor_type`: type1 or
    type2 (hypervisor platforms). `host_os`: the container host OSes a container platform runs
    on. `isolation`: the runtime that gives a container its own kernel ('' = none, so no
    isolated containers). `status`: current or discontinued.
    """

    kind: str = "base"
    product: str = ""
    hypervisor_type: str = ""
    host_os: tuple[str, ...] = ("linux", "windows")
    isolation: str = ""
    isolation_os: tuple[str, ...] = ("linux", "windows")
    orchestrator: bool = False
    status: str = "current"


@dataclass(frozen=True)
class OverheadNumber:
    """One overhead number with its reason and source, as the profile states them."""

    key: str
    value: float
    reason: str
    source: str
    unit: str = ""


P = TypeVar("P", bound="ProfileNumbers")


@dataclass(frozen=True)
class ProfileNumbers:
    """A loaded, validated profile of documented numbers (value, reason, source); the user may override some.

    Two kinds share this shape: an overhead profile (`OverheadProfile`: what hosting costs a
    server) and a cost profile (`planner.profiles.costs.CostProfile`: what a server costs to
    buy and run).
    """

    name: str
    description: str
    numbers: Mapping[str, OverheadNumber]
    path: str = ""
    overridden: tuple[str, ...] = field(default=())
    parameters: Mapping[str, tuple[str, str]] = field(default_factory=lambda: PARAMETERS, repr=False, compare=False)

    LABEL: ClassVar[str] = "profile"  # how messages name one of its numbers: 'overhead number x'

    def __getitem__(self, key: str) -> float:
        return self.numbers[key].value

    def with_overrides(self, overrides: Mapping[str, float]) -> Self:
        """A copy with some numbers replaced by the user's values (checked like the file's)."""
        numbers = dict(self.numbers)
        for key, value in overrides.items():
            if key not in self.parameters:
                raise ProfileError(f"unknown {self.LABEL} number {key!r}; known: {', '.join(self.parameters)}")
            _check_value(value, f"{self.LABEL} number {key}")
            old = numbers[key]
            numbers[key] = replace(old, value=float(value), reason=f"set by the user (profile: {old.value:g})")
        return replace(self, numbers=numbers, overridden=tuple(sorted({*self.overridden, *overrides})))


@dataclass(frozen=True)
class OverheadProfile(ProfileNumbers):
    """An overhead profile: a base profile, optionally with hypervisor and container platform profiles composed in."""

    info: PlatformInfo = field(default_factory=lambda: PlatformInfo())
    hypervisor_platform: str = ""  # the platform profiles composed into this profile ('' = the base's generic numbers)
    container_platform: str = ""

    LABEL: ClassVar[str] = "overhead"


def _check_value(value: object, where: str) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ProfileError(f"{where}: value must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ProfileError(f"{where}: value must be a finite number, zero or more, got {value}")


def parse_profile(
    data: Mapping[str, object],
    where: str,
    parameters: Mapping[str, tuple[str, str]] = PARAMETERS,
    required: Collection[str] | None = None,
    meta: Collection[str] = (),
    kind: type[P] = OverheadProfile,  # type: ignore[assignment]
) -> P:
    """Validate a profile's parsed TOML: every `required` number (default: all of `parameters`), no other.

    `meta` names the top-level keys besides name and description that the caller reads itself;
    `where` names the file in error messages.
    """
    required = tuple(parameters) if required is None else tuple(required)
    problems: list[str] = []
    numbers: dict[str, OverheadNumber] = {}
    for key, entry in data.items():
        if key in ("name", "description", *meta):
            continue
        if key not in required:
            known = "unknown key" if key not in parameters else "key not part of this kind of profile"
            problems.append(f"{where}: {known} {key!r}")
            continue
        if not isinstance(entry, Mapping) or "value" not in entry:
            problems.append(f"{where}: [{key}] needs a table with value, reason and source")
            continue
        unknown = set(entry) - {"value", "reason", "source"}
        if unknown:
            problems.append(f"{where}: [{key}] has unknown field(s) {', '.join(sorted(unknown))}")
        try:
            _check_value(entry["value"], f"{where}: [{key}]")
        except ProfileError as exc:
            problems.append(str(exc))
            continue
        for text in ("reason", "source"):
            if not str(entry.get(text, "")).strip():
                problems.append(f"{where}: [{key}] needs a {text}")
        numbers[key] = OverheadNumber(
            key, float(entry["value"]), str(entry.get("reason", "")), str(entry.get("source", "")), parameters[key][0]
        )
    problems += [f"{where}: missing number [{key}]" for key in required if key not in data]
    if problems:
        raise ProfileError("; ".join(problems))
    ordered = {key: numbers[key] for key in required}
    return kind(str(data.get("name", "")), str(data.get("description", "")), ordered, where, parameters=parameters)


INFO_KEYS = ("kind", "product", "type", "host_os", "isolation", "isolation_os", "orchestrator", "status")


def _os_list(data: Mapping[str, object], key: str, where: str, default: list[str]) -> list[str]:
    value = data.get(key, default)
    if not isinstance(value, list) or not value or any(o not in ("linux", "windows") for o in value):
        raise ProfileError(f"{where}: {key} must be a list of linux and/or windows, got {value!r}")
    return value


def parse_info(data: Mapping[str, object], where: str, kind: str) -> PlatformInfo:
    """The non-number keys of a profile, checked: a ProfileError names the file and key."""

    def text(key: str, default: str, allowed: tuple[str, ...] = ()) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (allowed and value not in allowed):
            choices = f" one of {', '.join(allowed)}" if allowed else " text"
            raise ProfileError(f"{where}: {key} must be{choices}, got {value!r}")
        return value

    if text("kind", kind, KINDS) != kind:
        raise ProfileError(f"{where}: kind must be {kind!r} here, got {data.get('kind')!r}")
    host_os = _os_list(data, "host_os", where, ["linux", "windows"])
    isolation_os = _os_list(data, "isolation_os", where, host_os)
    orchestrator = data.get("orchestrator", False)
    if not isinstance(orchestrator, bool):
        raise ProfileError(f"{where}: orchestrator must be true or false, got {orchestrator!r}")
    hv_type = text("type", "", ("type1", "type2") if kind == "hypervisor" else ("",))
    return PlatformInfo(
        kind=kind,
        product=text("product", ""),
        hypervisor_type=hv_type,
        host_os=tuple(host_os),
        isolation=text("isolation", ""),
        isolation_os=tuple(isolation_os),
        orchestrator=orchestrator,
        status=text("status", "current", STATUSES),
    )
