"""Demand growth: servers needed year by year, and when the recommended plan runs out of headroom."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from planner.business.budget import CaseBudget
from planner.checker import check_plan, planned_loads
from planner.domain import Estate
from planner.plan import Plan, status_words
from planner.profiles.overheads import OverheadProfile
from planner.resources import RESOURCES
from planner.study.concurrent import Job, run_studies, warm_start
from planner.study.demand_growth import factors, grown_estate
from planner.study.pipeline import Study

__all__ = ["GrowthYear", "as_placed", "factors", "grown_estate", "growth_rows", "growth_years", "runs_out_year"]


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
    plan_of_year: int = -1  # the year whose plan carries this one at least cost (a later year's carries it too)
    later_plan: Study | None = field(default=None, repr=False, compare=False)  # that plan, when not this year's own


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


def _year_estate(estate: Estate, year: int) -> Estate:
    """The study's estate with demand at `year` of the horizon, sized for that year."""
    at = replace(estate, settings=replace(estate.settings, size_for_year=year))
    return grown_estate(at, year - estate.grown_years)


def _price(study: Study) -> tuple[int, float]:
    return len(study.result.plan.unplaced), round(study.result.objective_value, 2)


def monotonic(solved: dict[int, Study], overhead: OverheadProfile) -> dict[int, tuple[Study, int]]:
    """Each year's cheapest plan among its own and any later year's that passes the checker on its demand.

    With demand that only grows, a later year's plan carries every earlier year too; a shorter
    solve for an earlier year must not claim more servers than a later year needs. Returns, per year,
    the plan and the year it was found for.
    """
    years = sorted(solved)
    best = {y: (solved[y], y) for y in years}
    growing = all(solved[years[0]].estate.settings.growth_pct(r) >= 0 for r in RESOURCES)
    if not growing:
        return best
    for y in reversed(years[:-1]):
        later, found = best[y + 1] if y + 1 in best else best[y]
        if _price(later) < _price(solved[y]) and not check_plan(solved[y].estate, overhead, later.result.plan):
            best[y] = (later, found)
    return best


def growth_years(
    study: Study,
    *,
    budget: CaseBudget,
    stop: threading.Event | None = None,
) -> list[GrowthYear]:
    """Years 0..N: each year's demand solved (with every rule and ha_failures), and the current plan checked.

    The year the study is sized for (`size_for_year`) is the study itself; each year's figure is the
    cheapest plan that carries it, its own or a later year's, so the table never shrinks as demand grows.
    """
    estate, overhead, plan = study.estate, study.overhead, study.result.plan
    grown = {year: _year_estate(estate, year) for year in range(estate.settings.years + 1)}
    placed = {year: as_placed(e, overhead, plan) for year, e in grown.items()}  # (peak %, fits) as placed today
    solved: dict[int, Study] = {}
    jobs: dict[int, Job] = {}
    for year, e in grown.items():
        if stop is not None and stop.is_set():
            break
        if year == estate.grown_years:
            solved[year] = study
            continue
        limit = budget.limit()
        if limit is None:  # the time limit came first: the years so far stand, the table ends there
            break
        hint = warm_start(e, overhead, plan) if placed[year][1] else None  # the plan still carries the year
        jobs[year] = Job(e, overhead, limit, hint)
    for year, done in run_studies(jobs, stop=stop, deadline=budget.deadline).items():  # side by side
        if isinstance(done, TimeoutError):  # the deadline came first: the table ends before this year
            break
        if isinstance(done, Exception):
            raise done
        solved[year] = done
    solved = {year: solved[year] for year in sorted(solved) if all(y in solved for y in range(year))}
    out = []
    for year, (best, found) in sorted(monotonic(solved, overhead).items()):
        peak, fits = placed[year]
        cpu, memory, storage = factors(estate, year)
        out.append(
            GrowthYear(
                year,
                round(cpu, 4),
                round(memory, 4),
                round(storage, 4),
                best.summary.servers,
                best.result.capex,
                best.result.status,
                peak,
                fits,
                found,
                None if found == year else best,
            )
        )
    return out


def placed_as(years: list[GrowthYear], study: Study) -> list[GrowthYear]:
    """The growth years with the as-placed figures of another plan of the study's estate (one it adopted)."""
    out = []
    for y in years:
        peak, fits = as_placed(_year_estate(study.estate, y.year), study.overhead, study.result.plan)
        out.append(replace(y, peak_util_pct=peak, fits_as_placed=fits))
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
            "solver_status": status_words(y.status),
            "plan_peak_util_pct": y.peak_util_pct,
            "plan_fits_as_placed": "yes" if y.fits_as_placed else "no",
        }
        for y in years
    ]
