"""Demand growth: servers needed year by year, and when the recommended plan runs out of headroom."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from planner.checker import planned_loads
from planner.domain import Estate
from planner.plan import Plan
from planner.profiles.overheads import OverheadProfile
from planner.resources import RESOURCES
from planner.study.pipeline import Study, run_study


@dataclass(frozen=True)
class GrowthYear:
    """One year of the horizon: demand factors, what a fresh plan needs, and how the current plan copes."""

    year: int
    cpu_factor: float
    memory_factor: float
    storage_factor: float
    servers_needed: int
    capex_needed: float
    status: str
    peak_util_pct: float  # the current placement under the grown demand: highest load, % of raw capacity
    fits_as_placed: bool  # every server of the current plan stays within its ceilings


def factors(estate: Estate, year: int) -> tuple[float, float, float]:
    """Demand multipliers per resource after `year` years of compound growth."""
    s = estate.settings
    return tuple((1 + s.growth_pct(r) / 100.0) ** year for r in RESOURCES)  # type: ignore[return-value]


def grown_estate(estate: Estate, year: int) -> Estate:
    """The estate with every workload's demand grown for `year` years."""
    cpu, memory, storage = factors(estate, year)
    workloads = tuple(
        replace(w, cpu_cores=w.cpu_cores * cpu, memory_gb=w.memory_gb * memory, storage_gb=w.storage_gb * storage)
        for w in estate.workloads
    )
    usage = None if estate.usage is None else estate.usage.scaled(cpu, memory)
    return replace(estate, workloads=workloads, usage=usage)


def as_placed(estate: Estate, overhead: OverheadProfile, plan: Plan) -> tuple[float, bool]:
    """The plan's placement under this estate's demand: peak load % of capacity, and whether it fits the ceilings."""
    loads = planned_loads(estate, overhead, plan)
    peak, fits = 0.0, True
    for s in plan.servers:
        model = estate.server_model(s.model)
        usable = estate.usable_capacity(model)
        load = loads[s.server_id]
        fits = fits and load.fits_in(usable, 1e-6)
        peak = max(peak, *(100 * load.get(r) / estate.effective_capacity(model).get(r) for r in RESOURCES))
    return round(peak, 1), fits


def growth_years(
    study: Study,
    *,
    time_limit_s: float,
    stop: threading.Event | None = None,
) -> list[GrowthYear]:
    """Years 0..N: each year's demand solved afresh (with every rule and ha_failures) and the current plan checked.

    Year 0 is the study itself.
    """

    estate, overhead, plan = study.estate, study.overhead, study.result.plan
    out = []
    for year in range(estate.settings.years + 1):
        if stop is not None and stop.is_set():
            break
        grown = grown_estate(estate, year)
        if year > 0:
            study = run_study(grown, overhead=overhead, time_limit_s=time_limit_s, stop=stop)
        peak, fits = as_placed(grown, overhead, plan)
        cpu, memory, storage = factors(estate, year)
        out.append(
            GrowthYear(
                year,
                round(cpu, 4),
                round(memory, 4),
                round(storage, 4),
                study.summary.servers,
                study.result.capex,
                study.result.status,
                peak,
                fits,
            )
        )
    return out


def runs_out_year(years: list[GrowthYear]) -> int | None:
    """The first year the current placement breaks a utilization ceiling; None if it lasts the horizon."""
    return next((y.year for y in years if not y.fits_as_placed), None)


def growth_rows(years: list[GrowthYear], plan_servers: int) -> list[dict[str, object]]:
    """The Growth sheet: one row per year."""
    return [
        {
            "year": y.year,
            "cpu_demand_x": y.cpu_factor,
            "memory_demand_x": y.memory_factor,
            "storage_demand_x": y.storage_factor,
            "servers_needed": y.servers_needed,
            "servers_to_add": max(0, y.servers_needed - plan_servers),
            "capex_needed": y.capex_needed,
            "solver_status": y.status,
            "plan_peak_util_pct": y.peak_util_pct,
            "plan_fits_as_placed": "yes" if y.fits_as_placed else "no",
        }
        for y in years
    ]
