"""The business case of a study: strategies side by side, TCO, growth and resilience, as tables.

Built after the recommended plan is solved and checked; every further plan (each strategy,
each year of growth) is solved and checked the same way, within a share of the time limit.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace

from planner.business.budget import CaseBudget
from planner.business.growth import GrowthYear, growth_rows, growth_years, placed_as, runs_out_year
from planner.business.strategies import (
    StrategyRow,
    failed_row,
    opened_to_containers,
    strategy_estate,
    strategy_keys,
    strategy_label,
    strategy_row,
    strategy_rows,
    today_row,
    verdict,
)
from planner.checker import check_plan
from planner.domain import Estate
from planner.profiles.costs import CostProfile
from planner.resources import RESOURCE_LABELS, RESOURCES
from planner.study.concurrent import Job, run_studies, warm_start
from planner.study.pipeline import Study, checked_study
from planner.study.recovery import recovery
from planner.study.resilience import ResilienceReport
from planner.study.tco import Tco, compute_tco, tco_rows

Row = dict[str, object]


@dataclass(frozen=True)
class BusinessCase:
    """Strategies, TCO, growth and resilience of one study."""

    strategies: tuple[StrategyRow, ...]
    verdict: str
    tco: Tco
    costs: CostProfile
    growth: tuple[GrowthYear, ...]
    runs_out_year: int | None
    plan_servers: int


def side_time_limit(study: Study) -> float:
    """Seconds each further solve of the business case may take: a sixth of the study's limit, 2 to 20."""
    return max(2.0, min(20.0, study.estate.settings.time_limit_s / 6))


def _same_platforms(estate: Estate, variant: Estate) -> bool:
    """True when a strategy keeps the study's hypervisor type and platforms (so its overheads and prices)."""
    s, v = estate.settings, variant.settings
    return (v.hypervisor_platform, v.container_platform, v.hypervisor) == (
        s.hypervisor_platform,
        s.container_platform,
        s.hypervisor,
    )


def _narrower(study: Study, key: str) -> bool:
    """True when the strategy only restricts the study's own choices (same hypervisor, fewer forms)."""
    variant = strategy_estate(study.estate, key)
    s, v = study.estate.settings, variant.settings
    # vm_only also turns container-only workloads into VMs, which 'auto' forbids: not narrower
    narrower_forms = v.forms == s.forms or (s.forms == "auto" and v.forms == "containers_where_allowed")
    # opening lift-and-shift VMs to containers widens the study's choices: never adopted as the recommendation
    opened = key == "containers" and opened_to_containers(study.estate) is not study.estate
    return _same_platforms(study.estate, variant) and narrower_forms and not opened


def no_worse_than(study: Study, strategy: Study) -> Study:
    """A strategy's study, or the recommended plan under the strategy when the strategy allows that plan
    and it places more or costs less: a strategy solved in a share of the time never shows worse than
    a plan it allows (same platforms and hypervisor, so the same prices)."""
    main, own = study.result, strategy.result
    if main.plan.unplaced or (not own.plan.unplaced and main.objective_value >= own.objective_value - 1e-6):
        return strategy
    if check_plan(strategy.estate, strategy.overhead, main.plan):
        return strategy
    note = "the recommended plan, which this strategy allows, beats what its own search found"
    result = replace(main, method=f"{main.method}; {note}", notes=(*main.notes, note))
    return checked_study(strategy.estate, strategy.overhead, strategy.costs, result)


def _price(study: Study, tco: Tco) -> tuple[int, float]:
    objective = study.estate.settings.objective
    return len(study.result.plan.unplaced), round(tco.plan_total if objective == "tco" else study.result.capex, 2)


def build_business_case(
    study: Study,
    *,
    time_limit_s: float | None = None,
    stop: threading.Event | None = None,
    budget: CaseBudget | None = None,
) -> Study:
    """The study with its business case: the other strategies and the growth years solved, all priced.

    Each further solve takes `time_limit_s` (default `side_time_limit`), or what `budget` allows: a
    solve its deadline leaves no room for is skipped and named. The solves run side by side
    (`study/concurrent.py`); a strategy on the study's platforms starts from the recommended plan when
    it allows that plan. A strategy that only narrows the study's choices yields a plan the study
    could have chosen; if it is cheaper (a short solve can find what the study's did not), the study
    adopts it.
    """
    budget = budget or CaseBudget(side_time_limit(study) if time_limit_s is None else time_limit_s)
    years, study = _growth(study, budget, stop)
    e = study.estate
    costs = study.costs
    solved: dict[str, Study] = {}
    failed: dict[str, str] = {}  # a strategy that cannot be planned is reported in its row; the main plan stands
    keys = strategy_keys(e)
    jobs: dict[str, Job] = {}
    for key in keys:
        variant = strategy_estate(e, key)
        if variant.settings == e.settings:
            solved[key] = study  # the study itself is this strategy: no second solve
            continue
        limit = budget.limit()
        if limit is None:
            failed[key] = "not planned: the time limit was reached first (raise time_limit_s)"
            continue
        if _same_platforms(e, variant):  # the same overhead and prices: warm-started from the recommended plan
            jobs[key] = Job(variant, study.overhead, limit, warm_start(variant, study.overhead, study.result.plan))
        else:  # another platform or hypervisor type composes its own overhead profile
            jobs[key] = Job(variant, None, limit)
    for key, done in run_studies(jobs, stop=stop, deadline=budget.deadline).items():  # side by side
        if isinstance(done, Exception):
            if not isinstance(done, TimeoutError):
                logging.getLogger("planner").warning("strategy %s failed", key, exc_info=done)
            failed[key] = str(done) if isinstance(done, TimeoutError) else f"{type(done).__name__}: {done}"[:300]
        else:
            solved[key] = no_worse_than(study, done) if jobs[key].hint is not None else done  # hint: the plan is allowed
    keys = [k for k in keys if k not in failed]
    tcos = {k: compute_tco(s.estate, s.result.plan, s.baseline, costs, s.overhead) for k, s in solved.items()}
    mine = [k for k in keys if solved[k] is study]
    own = tcos[mine[0]] if mine else compute_tco(e, study.result.plan, study.baseline, costs, study.overhead)
    better = [
        k
        for k in keys
        if _narrower(study, k)
        and _price(solved[k], tcos[k]) < _price(study, own)
        and not check_plan(e, study.overhead, solved[k].result.plan)
    ]
    if better:
        k = min(better, key=lambda k: _price(solved[k], tcos[k]))
        r = solved[k].result
        note = f"adopted from the '{strategy_label(k)}' strategy, which found a cheaper plan the free choice allows"
        study = checked_study(e, study.overhead, study.costs, replace(r, method=f"{r.method}; {note}", notes=(*r.notes, note)))
        own = compute_tco(e, study.result.plan, study.baseline, costs, study.overhead)
        solved["recommended"], tcos["recommended"] = study, own
    tco = own
    rows = [today_row(study, tco, costs)] + [strategy_row(k, solved[k], tcos[k], costs) for k in keys]
    rows += [failed_row(k, why) for k, why in failed.items()]
    return replace(
        study,
        case=BusinessCase(
            strategies=tuple(rows),
            verdict=verdict(rows, e.settings.objective, owned=e.settings.baseline_hardware == "owned"),
            tco=tco,
            costs=costs,
            growth=tuple(years),
            runs_out_year=runs_out_year(years),
            plan_servers=len(study.result.plan.servers) + len(study.result.plan.spares),
        ),
    )


def _growth(study: Study, budget: CaseBudget, stop: threading.Event | None) -> tuple[list[GrowthYear], Study]:
    """The growth years, and the study: adopting a later year's plan when it carries the study's year for less."""
    try:
        years = growth_years(study, budget=budget, stop=stop)
    except Exception:  # the growth table is a side result: the plan stands without it
        logging.getLogger("planner").warning("growth years failed", exc_info=True)
        return [], study
    own = next((y for y in years if y.year == study.estate.grown_years), None)
    if own is None or own.plan_of_year == own.year or own.later_plan is None:
        return years, study
    r = own.later_plan.result
    note = f"adopted from the year-{own.plan_of_year} growth plan, which carries this year's demand for less"
    adopted = checked_study(
        study.estate, study.overhead, study.costs, replace(r, method=f"{r.method}; {note}", notes=(*r.notes, note))
    )
    return placed_as(years, adopted), adopted


def add_business_case(study: Study, *, stop: threading.Event | None = None) -> Study:
    """The study with its business case, when the `business_case` setting asks for one."""
    if not study.estate.settings.business_case:
        return study
    return build_business_case(study, stop=stop)


def resilience_rows(study: Study) -> list[Row]:
    """The Resilience sheet: the requirement, the worst failure and each failure set checked."""
    e, o, plan = study.estate, study.overhead, study.result.plan
    report: ResilienceReport | None = study.resilience
    largest, count, seconds = recovery(e, o, plan)
    rows: list[Row] = [
        {"item": "servers that may fail at once (ha_failures)", "value": e.settings.ha_failures},
        {"item": "largest server (most workloads)", "value": largest},
        {"item": "workloads on it", "value": count},
        {"item": f"time to restart them elsewhere, {e.settings.restart_parallel} at a time (s)", "value": seconds},
    ]
    if report is None:
        rows.append({"item": "failure check", "value": "not asked for (set ha_failures to 1 or more)"})
        return rows
    rows += [
        {"item": "failure sets possible", "value": report.total},
        {"item": "failure sets checked", "value": len(report.scenarios)},
        {"item": "every checked failure survived", "value": "yes" if report.survived else "no"},
    ]
    rows += [{"item": "note", "value": n} for n in report.notes]
    worst = report.worst
    if worst is not None:
        rows += [
            {"item": "worst failure", "value": " + ".join(worst.failed)},
            {"item": "replicas restarted in the worst failure", "value": len(worst.moves)},
            {"item": "replicas stranded in the worst failure", "value": len(worst.stranded)},
            {"item": "highest survivor load after it, % of capacity", "value": worst.peak_util_pct},
        ]
        rows += [
            {
                "item": f"room left on the survivors under the ceilings, {RESOURCE_LABELS[r]}",
                "value": round(worst.room_left.get(r), 1),
            }
            for r in RESOURCES
        ]
    return rows


def scenario_rows(study: Study) -> list[Row]:
    """Each failure set checked, heaviest first."""
    report = study.resilience
    if report is None:
        return []
    ordered = sorted(report.scenarios, key=lambda s: (-len(s.stranded), -s.peak_util_pct))
    return [
        {
            "failed_servers": " + ".join(s.failed),
            "replicas_restarted": len(s.moves),
            "replicas_stranded": len(s.stranded),
            "peak_util_pct": s.peak_util_pct,
            "survived": "yes" if s.survived else "no",
        }
        for s in ordered
    ]


def business_tables(study: Study) -> dict[str, list[Row]]:
    """The business-case sheets: Strategies, TCO, Growth and Resilience (those the study has)."""
    tables: dict[str, list[Row]] = {}
    case = study.case
    if case is not None:
        tables["Strategies"] = [*strategy_rows(list(case.strategies)), {"strategy": "verdict", "status": case.verdict}]
        tco = case.tco
        payback = "" if tco.payback_month is None else tco.payback_month
        tables["TCO"] = [
            *tco_rows(tco),
            {"line": "payback month", "total": payback},
            {"line": "baseline hardware", "total": study.estate.settings.baseline_hardware},
        ]
        growth = growth_rows(list(case.growth), case.plan_servers)
        ran_out = case.runs_out_year
        growth.append({"year": "runs out", "solver_status": "never in the horizon" if ran_out is None else f"year {ran_out}"})
        tables["Growth"] = growth
    tables["Resilience"] = resilience_rows(study)
    if study.resilience is not None:
        tables["Failures"] = scenario_rows(study)
    return tables
