"""CPU generations: a per-core rating, so measured use on an old CPU converts to cores of a new one.

A core's rating is its generation's work per clock (`ipc`, a 2012 Xeon E5 "Sandy Bridge" core =
1.00) times its base clock in GHz. The generations, their patterns and sources live in
`models/reference/cpu_generations.toml`, loaded by `planner.profiles.loading.load_cpu_generations`.
A CPU no pattern matches has no rating: the sizing then converts it 1:1 and says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from planner.profiles.overheads import ProfileError
from planner.profiles.tables import check_pattern, entries

GHZ = re.compile(r"@\s*([0-9]+(?:\.[0-9]+)?)\s*ghz", re.IGNORECASE)
MAX_GHZ = 10.0  # no server CPU's base clock comes near it: a larger figure is a unit mistake (MHz)


@dataclass(frozen=True)
class CpuGeneration:
    """One CPU generation: its work per clock against a Sandy Bridge core, the model texts it covers, its source."""

    name: str
    year: int
    ipc: float
    patterns: tuple[str, ...]
    source: str

    def matches(self, cpu_model: str) -> bool:
        """True when a CPU model text (as an inventory or a catalog gives it) is of this generation."""
        return any(re.search(p, cpu_model, re.IGNORECASE) for p in self.patterns)


def parse_generations(data: dict[str, object], where: str) -> tuple[CpuGeneration, ...]:
    """The generations of a CPU reference file, checked: a ProfileError names the file and the entry."""
    out = []
    for n, entry in entries(data, "generation", ("name", "year", "ipc", "patterns", "source"), where):
        ipc, patterns, year = entry["ipc"], entry["patterns"], entry["year"]
        if isinstance(year, bool) or not isinstance(year, int):
            raise ProfileError(f"{where}: [[generation]] entry {n}: year must be a whole number")
        if isinstance(ipc, bool) or not isinstance(ipc, int | float) or not 0.1 <= ipc <= 10:
            raise ProfileError(f"{where}: [[generation]] entry {n}: ipc must be a number from 0.1 to 10")
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
            raise ProfileError(f"{where}: [[generation]] entry {n}: patterns must be a list of regular expressions")
        for p in patterns:
            check_pattern(p, f"{where}: [[generation]] entry {n}")
        out.append(CpuGeneration(str(entry["name"]), year, float(ipc), tuple(patterns), str(entry["source"])))
    return tuple(out)


def generation_of(cpu_model: str, generations: Sequence[CpuGeneration]) -> CpuGeneration | None:
    """The generation a CPU model text belongs to (the first that matches), or None when unknown."""
    return next((g for g in generations if g.matches(cpu_model)), None) if cpu_model.strip() else None


def base_ghz(cpu_model: str, ghz: float | None) -> float | None:
    """A CPU's base clock: the figure given, else the '@ 2.80GHz' in its model text, else None."""
    if ghz is not None:
        return ghz
    found = GHZ.search(cpu_model)
    return float(found.group(1)) if found else None


def core_rating(cpu_model: str, ghz: float | None, generations: Sequence[CpuGeneration]) -> float | None:
    """A core's rating (Sandy Bridge GHz-equivalents): its generation's IPC x its base GHz; None when unknown."""
    generation = generation_of(cpu_model, generations)
    clock = base_ghz(cpu_model, ghz)
    if generation is None or clock is None or not 0 < clock <= MAX_GHZ:
        return None
    return round(generation.ipc * clock, 4)
