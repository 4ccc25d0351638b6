"""Demand grown by years of compound growth: the plan sized for a later year, and the growth table's years."""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Estate
from planner.resources import RESOURCE_LABELS, RESOURCES


def factors(estate: Estate, years: float) -> tuple[float, float, float]:
    """Demand multipliers per resource after `years` years of compound growth (negative: years back)."""
    s = estate.settings
    return tuple((1 + s.growth_pct(r) / 100.0) ** years for r in RESOURCES)  # type: ignore[return-value]


def grown_estate(estate: Estate, years: int) -> Estate:
    """The estate with every workload's demand grown `years` more years (its `grown_years` counts them)."""
    if years == 0:
        return estate
    cpu, memory, storage = factors(estate, years)
    workloads = tuple(
        replace(w, cpu_cores=w.cpu_cores * cpu, memory_gb=w.memory_gb * memory, storage_gb=w.storage_gb * storage)
        for w in estate.workloads
    )
    usage = None if estate.usage is None else estate.usage.scaled(cpu, memory)
    return replace(estate, workloads=workloads, usage=usage, grown_years=estate.grown_years + years)


def sized_for_year(estate: Estate) -> Estate:
    """The estate as its plan is sized: demand grown to the `size_for_year` setting, with a note saying so."""
    years = estate.settings.size_for_year - estate.grown_years
    if years == 0:
        return estate
    grown = grown_estate(estate, years)
    if estate.settings.size_for_year == 0:
        return grown
    each = ", ".join(
        f"{RESOURCE_LABELS[r]} x{f:.2f}" for r, f in zip(RESOURCES, factors(estate, estate.settings.size_for_year), strict=True)
    )
    note = f"sized for year {estate.settings.size_for_year}: demand grown by {each} (setting size_for_year)"
    return replace(grown, notes=(*grown.notes, note))
