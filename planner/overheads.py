"""Overhead model profiles: the documented numbers that turn demand into footprint.

A profile is a TOML file in `models/` holding one table per parameter with its
`value`, `reason` and `source`. Every parameter in PARAMETERS must be present, none
other may be, and none may be negative: a profile is refused with the file and key.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

MODELS_DIR = Path(os.environ.get("PLANNER_MODELS_DIR", Path(__file__).resolve().parent.parent / "models"))


def _per_os(stem: str, unit: str, meaning: str) -> dict[str, tuple[str, str]]:
    return {f"{os_name}_{stem}": (unit, meaning.format(os=os_name)) for os_name in ("linux", "windows")}


# key -> (unit, what the number means). The order is the order shown to users.
PARAMETERS: dict[str, tuple[str, str]] = {
    **_per_os("guest_cpu_cores", "cores", "CPU a {os} guest OS uses when idle, per VM or container host"),
    **_per_os("guest_memory_gb", "GB", "memory a {os} guest OS uses, per VM or container host"),
    **_per_os("guest_storage_gb", "GB", "disk a {os} OS install takes, per VM or container host"),
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
}


class ProfileError(ValueError):
    """A profile file that cannot be used, with the file and key in the message."""


@dataclass(frozen=True)
class OverheadNumber:
    """One overhead number with its reason and source, as the profile states them."""

    key: str
    value: float
    reason: str
    source: str
    unit: str = ""


@dataclass(frozen=True)
class OverheadModel:
    """A loaded, validated overhead profile; numbers may be overridden by the user."""

    name: str
    description: str
    numbers: Mapping[str, OverheadNumber]
    path: str = ""
    overridden: tuple[str, ...] = field(default=())
    parameters: Mapping[str, tuple[str, str]] = field(default_factory=lambda: PARAMETERS, repr=False, compare=False)

    def __getitem__(self, key: str) -> float:
        return self.numbers[key].value

    def with_overrides(self, overrides: Mapping[str, float]) -> OverheadModel:
        """A copy with some numbers replaced by the user's values (checked like the file's)."""
        numbers = dict(self.numbers)
        for key, value in overrides.items():
            label = "overhead" if self.parameters is PARAMETERS else "cost"
            if key not in self.parameters:
                raise ProfileError(f"unknown {label} number {key!r}; known: {', '.join(self.parameters)}")
            _check_value(value, f"{label} number {key}")
            old = numbers[key]
            numbers[key] = replace(old, value=float(value), reason=f"set by the user (profile: {old.value:g})")
        return replace(self, numbers=numbers, overridden=tuple(sorted({*self.overridden, *overrides})))


def _check_value(value: object, where: str) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ProfileError(f"{where}: value must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ProfileError(f"{where}: value must be a finite number, zero or more, got {value}")


def parse_profile(
    data: Mapping[str, object], where: str, parameters: Mapping[str, tuple[str, str]] = PARAMETERS
) -> OverheadModel:
    """Validate a profile's parsed TOML against `parameters`; `where` names the file in error messages."""
    problems: list[str] = []
    numbers: dict[str, OverheadNumber] = {}
    for key, entry in data.items():
        if key in ("name", "description"):
            continue
        if key not in parameters:
            problems.append(f"{where}: unknown key {key!r}")
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
    problems += [f"{where}: missing number [{key}]" for key in parameters if key not in data]
    if problems:
        raise ProfileError("; ".join(problems))
    ordered = {key: numbers[key] for key in parameters}
    return OverheadModel(str(data.get("name", "")), str(data.get("description", "")), ordered, where, parameters=parameters)


def load_profile(
    name_or_path: str, models_dir: Path | None = None, parameters: Mapping[str, tuple[str, str]] = PARAMETERS
) -> OverheadModel:
    """Load a profile by name from models/ (or by path to a .toml file) and validate it against `parameters`."""
    directory = models_dir or MODELS_DIR
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = directory / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(list_profiles(directory)) or "none"
        raise ProfileError(f"overhead profile {name_or_path!r} not found (profiles in {directory}: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path.name}: not valid TOML: {exc}") from exc
    model = parse_profile(data, path.name, parameters)
    return replace(model, name=model.name or path.stem, path=str(path))


def list_profiles(models_dir: Path | None = None) -> list[str]:
    """Names of the profiles in the models directory."""
    directory = models_dir or MODELS_DIR
    return sorted(p.stem for p in directory.glob("*.toml")) if directory.is_dir() else []
