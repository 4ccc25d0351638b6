"""Reading profile files: the one module of the planner that opens overhead, platform and cost profiles.

A study loads its profiles here once (`study_overhead`, `estate_costs`) and hands the loaded
objects down; nothing below (the solver, the checker) reads a file. Each file is parsed once
per process and content: `read_toml` keeps the parsed TOML keyed by path, size and
modification time, so the strategies, growth years and sites of one study, and the scenarios
of a sweep, share one read. `READS` counts the files actually read, by path.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import replace
from pathlib import Path

from planner.data import MODELS_DIR
from planner.domain import Estate, Settings
from planner.profiles.catalog import Catalog, parse_catalog
from planner.profiles.costs import COST_PARAMETERS, CostProfile
from planner.profiles.cpus import CpuGeneration, parse_generations
from planner.profiles.lifecycle import LegacyOs, parse_legacy_os
from planner.profiles.overheads import (
    CONTAINER_KEYS,
    INFO_KEYS,
    PARAMETERS,
    OverheadProfile,
    ProfileError,
    hypervisor_keys,
    parse_info,
    parse_profile,
)
from planner.profiles.platforms import compose
from planner.profiles.power import ServerPower, parse_power

READS: Counter[str] = Counter()
_PARSED: dict[tuple[str, int, int], dict[str, object]] = {}


def read_toml(path: Path) -> dict[str, object]:
    """A profile file's TOML (parsed once per content), or a ProfileError naming the file.

    The parsed dict is shared by every caller: read it, never change it.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _PARSED:
        READS[key[0]] += 1
        try:
            _PARSED[key] = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"{path.name}: not valid TOML: {exc}") from exc
    return _PARSED[key]


def _path(name_or_path: str, directory: Path) -> Path:
    """A profile's file: a path ending in .toml as given, else NAME.toml in `directory`."""
    path = Path(name_or_path)
    return path if path.suffix == ".toml" else directory / f"{name_or_path}.toml"


def load_profile(name_or_path: str, models_dir: Path | None = None) -> OverheadProfile:
    """An overhead profile by name from models/ (or by path to a .toml file), validated."""
    directory = models_dir or MODELS_DIR
    path = _path(name_or_path, directory)
    if not path.is_file():
        known = ", ".join(list_profiles(directory)) or "none"
        raise ProfileError(f"overhead profile {name_or_path!r} not found (profiles in {directory}: {known})")
    data = read_toml(path)
    info = parse_info(data, path.name, "base")
    profile: OverheadProfile = parse_profile(data, path.name, PARAMETERS, meta=INFO_KEYS)
    return replace(profile, name=profile.name or path.stem, path=str(path), info=info)


def list_profiles(models_dir: Path | None = None) -> list[str]:
    """Names of the profiles in the models directory."""
    directory = models_dir or MODELS_DIR
    return sorted(p.stem for p in directory.glob("*.toml")) if directory.is_dir() else []


COSTS_DIR = MODELS_DIR / "costs"


def load_costs(name_or_path: str = "default") -> CostProfile:
    """A cost profile from models/costs/ (or a .toml path), validated like an overhead profile."""
    path = _path(name_or_path, COSTS_DIR)
    if not path.is_file():
        known = ", ".join(list_cost_profiles()) or "none"
        raise ProfileError(f"cost profile {name_or_path!r} not found (profiles in {COSTS_DIR}: {known})")
    profile: CostProfile = parse_profile(read_toml(path), path.name, COST_PARAMETERS, kind=CostProfile)
    return replace(profile, name=profile.name or path.stem, path=str(path))


def list_cost_profiles() -> list[str]:
    """Names of the cost profiles in models/costs/."""
    return list_profiles(COSTS_DIR)


def estate_costs(estate: Estate) -> CostProfile:
    """The estate's cost profile with its `cost.KEY` overrides applied."""
    s = estate.settings
    return load_costs(s.cost_profile).with_overrides(dict(s.cost_overrides))


PLATFORMS_DIR = MODELS_DIR / "platforms"


def list_platforms(kind: str | None = None, directory: Path | None = None) -> list[str]:
    """Names of the platform profiles (of one kind: 'hypervisor' or 'container', or all)."""
    folder = directory or PLATFORMS_DIR
    names = sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
    if kind is None:
        return names
    return [n for n in names if read_toml(folder / f"{n}.toml").get("kind") == kind]


def platform_product(name: str, directory: Path | None = None) -> str:
    """The product a platform profile describes, in words ('VMware vSphere ESXi 8'); its name if it gives none."""
    path = (directory or PLATFORMS_DIR) / f"{name}.toml"
    product = read_toml(path).get("product") if path.is_file() else None
    return str(product) if product else name


def load_platform(name_or_path: str, directory: Path | None = None) -> OverheadProfile:
    """A platform profile by name (models/platforms/NAME.toml) or path, validated for its kind."""
    folder = directory or PLATFORMS_DIR
    path = _path(name_or_path, folder)
    if not path.is_file():
        known = ", ".join(list_platforms(directory=folder)) or "none"
        raise ProfileError(f"platform profile {name_or_path!r} not found (platforms in {folder}: {known})")
    data = read_toml(path)
    kind = data.get("kind")
    if kind not in ("hypervisor", "container"):
        raise ProfileError(f"{path.name}: kind must be 'hypervisor' or 'container', got {kind!r}")
    info = parse_info(data, path.name, str(kind))
    required = hypervisor_keys(info.hypervisor_type) if kind == "hypervisor" else CONTAINER_KEYS
    profile: OverheadProfile = parse_profile(data, path.name, PARAMETERS, required, INFO_KEYS)
    return replace(profile, name=profile.name or path.stem, path=str(path), info=info)


def study_overhead(settings: Settings) -> OverheadProfile:
    """The study's overhead profile: base profile, its platforms, then the user's overrides."""
    base = load_profile(settings.overhead_profile)
    hv = load_platform(settings.hypervisor_platform) if settings.hypervisor_platform else None
    ct = load_platform(settings.container_platform) if settings.container_platform else None
    for model, kind in ((hv, "hypervisor"), (ct, "container")):
        if model is not None and model.info.kind != kind:
            raise ProfileError(f"setting {kind}_platform: {model.name!r} is a {model.info.kind} platform, not a {kind} platform")
    return compose(base, hv, ct).with_overrides(dict(settings.overhead_overrides))


def hypervisor_type(settings: Settings) -> str:
    """The hypervisor type a study runs: its hypervisor platform's, else the `hypervisor` setting."""
    if not settings.hypervisor_platform:
        return settings.hypervisor
    return load_platform(settings.hypervisor_platform).info.hypervisor_type or settings.hypervisor


REFERENCE_DIR = MODELS_DIR / "reference"


def load_legacy_os(path: Path | None = None) -> tuple[LegacyOs, ...]:
    """The OS lifecycle rules (models/reference/legacy_os.toml, or a file given), validated."""
    path = path or REFERENCE_DIR / "legacy_os.toml"
    if not path.is_file():
        raise ProfileError(f"OS lifecycle file {path} not found")
    return parse_legacy_os(read_toml(path), path.name)


def load_cpu_generations(path: Path | None = None) -> tuple[CpuGeneration, ...]:
    """The CPU generations and their per-core IPC (models/reference/cpu_generations.toml, or a file given)."""
    path = path or REFERENCE_DIR / "cpu_generations.toml"
    if not path.is_file():
        raise ProfileError(f"CPU generations file {path} not found")
    return parse_generations(read_toml(path), path.name)


def load_server_power(path: Path | None = None) -> ServerPower:
    """Servers' idle and full-load draw by CPU generation (models/reference/server_power.toml, or a file given)."""
    path = path or REFERENCE_DIR / "server_power.toml"
    if not path.is_file():
        raise ProfileError(f"server power file {path} not found")
    return parse_power(read_toml(path), path.name)


CATALOG_PATH = MODELS_DIR / "catalog" / "current.toml"


def load_catalog(path: Path | None = None) -> Catalog:
    """The bundled current-generation catalog (models/catalog/current.toml, or a file given), validated."""
    path = path or CATALOG_PATH
    if not path.is_file():
        raise ProfileError(f"server catalog file {path} not found")
    catalog = parse_catalog(read_toml(path), path.name)
    return replace(catalog, path=str(path))
