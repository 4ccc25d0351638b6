"""CPU generations in sizing: cores measured on today's CPUs, converted to cores of the planned servers.

A busy core of a 2013 Xeon does less work than a busy core of a current one. Each side has a
per-core rating (`planner.profiles.cpus.core_rating`: generation IPC x base GHz), and a workload's
measured cores become `cores x its CPU's rating / the planned servers' rating`. The planned side
is the slowest rated model of the catalog, so no model is credited beyond what every model can
give. What converts: measured use (sizing = demand) of VMs given in vCPUs, and the cores of
workloads given in cores with their CPU (a physical server's). A VM's vCPU allocation does not:
the vCPU-per-core ratio already is a planning ratio on the new cores.

Unknown CPUs (no generation matches, or no clock) are converted 1:1 — no credit for a newer
generation — and the notes count and name them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.domain import ServerModel, Workload
from planner.profiles.cpus import CpuGeneration, core_rating
from planner.profiles.loading import load_cpu_generations

SHOWN = 3  # CPU model texts named in a note before '...'


@dataclass
class Ratings:
    """Per-core ratings for one estate: the planned servers' (the slowest rated model), and a cache of CPUs'."""

    generations: tuple[CpuGeneration, ...]
    target: float | None = None
    target_model: str = ""
    unrated_models: list[str] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)  # CPU text -> workloads converted 1:1
    converted: int = 0
    _cache: dict[tuple[str, float | None], float | None] = field(default_factory=dict)

    def of(self, cpu_model: str, ghz: float | None) -> float | None:
        """A CPU's per-core rating (cached), or None when no generation matches or its clock is unknown."""
        key = (cpu_model, ghz)
        if key not in self._cache:
            self._cache[key] = core_rating(cpu_model, ghz, self.generations)
        return self._cache[key]

    def factor(self, w: Workload) -> float:
        """What one of this workload's measured cores is worth in cores of the planned servers (1 when unknown)."""
        if not w.cpu_model or self.target is None:
            return 1.0
        rating = self.of(w.cpu_model, w.cpu_ghz)
        if rating is None:
            self.unknown[w.cpu_model] = self.unknown.get(w.cpu_model, 0) + 1
            return 1.0
        self.converted += 1
        return rating / self.target


def estate_ratings(servers: Sequence[ServerModel], generations: tuple[CpuGeneration, ...] | None = None) -> Ratings:
    """The ratings of one estate: the planned servers' is that of the slowest catalog model with a known CPU."""
    ratings = Ratings(generations if generations is not None else load_cpu_generations())
    rated = []
    for m in servers:
        rating = ratings.of(m.cpu_model, m.cpu_ghz) if m.cpu_model else None
        if rating is None:
            ratings.unrated_models.append(m.model)
        else:
            rated.append((rating, m.model))
    if rated:
        ratings.target, ratings.target_model = min(rated)
    return ratings


def rating_notes(ratings: Ratings, measured_on_cpus: int) -> list[str]:
    """What the conversion between CPU generations did, in the words of the Assumptions sheet."""
    notes = []
    if ratings.target is not None and ratings.converted:
        notes.append(
            f"CPU generations: {ratings.converted} workloads' measured cores converted to cores of the planned servers "
            f"by per-core rating (generation IPC x base GHz, models/reference/cpu_generations.toml); planned cores rated "
            f"{ratings.target:g} ({ratings.target_model}, the slowest rated model)"
        )
    if ratings.target is not None and ratings.unrated_models:
        notes.append(
            f"catalog models with no known CPU (cpu_model, cpu_ghz) are treated as rated {ratings.target:g}: "
            + ", ".join(ratings.unrated_models)
        )
    if ratings.unknown:
        names = sorted(ratings.unknown)
        named = "; ".join(names[:SHOWN]) + ("; ..." if len(names) > SHOWN else "")
        notes.append(
            f"warning: {sum(ratings.unknown.values())} workloads run on CPUs no generation matches ({named}): converted 1:1, "
            "with no credit for a newer generation (add a pattern to models/reference/cpu_generations.toml)"
        )
    if ratings.target is None and measured_on_cpus:
        notes.append(
            f"warning: {measured_on_cpus} workloads name the CPU they run on, but no catalog model names its CPU "
            "(columns cpu_model, cpu_ghz): their cores are not converted between CPU generations (1:1)"
        )
    return notes
