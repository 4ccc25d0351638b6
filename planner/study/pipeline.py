"""One consolidation study end to end: the library calls the CLI and the dashboard share."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from planner.checker import PlanCheckError, verify_plan
from planner.domain import Estate
from planner.plan import Plan, ProgressPoint, SolveResult
from planner.profiles.costs import CostProfile, model_prices
from planner.profiles.loading import estate_costs, study_overhead
from planner.profiles.overheads import OverheadProfile
from planner.profiles.platforms import control_plane_workloads, is_control_plane, platform_forms
from planner.sites import at_site, planned_per_site, site_estate, site_plan, sites_of, split_estate
from planner.solver.progress import ProgressFn
from planner.study.baseline import Baseline, compute_baseline
from planner.study.demand_growth import sized_for_year
from planner.study.licensing import solve_for_tco
from planner.study.replay import Replay, replay_plan
from planner.study.report import (
    Summary,
    summarize,
)
from planner.study.resilience import ResilienceReport, assess, check_scenario, enforce_failures
from planner.study.sites import merge_reports, merge_results
from planner.study.spares import add_spares

if TYPE_CHECKING:
    from planner.business.case import BusinessCase


@dataclass(frozen=True)
class Study:
    """A solved and checked study: its input, overhead profile, result, baseline and summary.

    `resilience` is the failure check of the plan (when ha_failures > 0); `case` the business
    case (strategies, TCO, growth), attached by `planner.business.add_business_case`.
    """

    estate: Estate
    overhead: OverheadProfile
    costs: CostProfile
    result: SolveResult
    baseline: Baseline
    summary: Summary
    resilience: ResilienceReport | None = None
    case: BusinessCase | None = None
    replay: Replay | None = None  # the plan replayed on the history it was sized from
    held_out: Replay | None = None  # and on a later history (`--replay`)


def load_overhead(estate: Estate) -> OverheadProfile:
    """The estate's overhead profile: base profile, hypervisor and container platforms, per-study overrides."""
    return study_overhead(estate.settings)


def prepare_estate(estate: Estate, overhead: OverheadProfile, site: str = "") -> Estate:
    """The estate as the study plans it: its hypervisor platform's type, and an orchestrator's control plane.

    The control plane (e.g. three Kubernetes control-plane machines) is added as workloads when
    any workload may run as a container, so the plan carries it like any other load; each site
    of a per-site plan gets its own.
    """
    settings = estate.settings
    hv_type = overhead.info.hypervisor_type if overhead.hypervisor_platform else settings.hypervisor
    if hv_type != settings.hypervisor:
        estate = replace(estate, settings=replace(settings, hypervisor=hv_type))
    added = [at_site(w, site) if site else w for w in control_plane_workloads(overhead)]
    added = [w for w in added if w.name not in estate.workloads_by_name]
    containers = any(
        f != "vm" for w in estate.workloads if not is_control_plane(w) for f in platform_forms(w, settings.forms, overhead)[0]
    )
    if added and containers:
        note = f"added {added[0].replicas} {added[0].name} machine(s) ({added[0].cpu_cores:g} cores, {added[0].memory_gb:g} GB)"
        estate = replace(estate, workloads=(*estate.workloads, *added), notes=(*estate.notes, note))
    if estate.usage is not None:  # workloads the study added run flat over time
        estate = replace(estate, usage=estate.usage.covering((w.name, w.cpu_cores, w.memory_gb) for w in estate.workloads))
    return estate


def run_study(
    estate: Estate,
    *,
    overhead: OverheadProfile | None = None,
    costs: CostProfile | None = None,
    time_limit_s: float | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    hint: Plan | None = None,
) -> Study:
    """Solve an estate, check the plan independently, and price it against the baseline.

    The profiles are loaded here, once, unless given; everything below receives them. `hint`, a plan
    of this estate planned as one site, is the search's warm start where it beats its own start.
    Raises PlanCheckError if the plan breaks any rule (a bug: never shown as a plan).
    """
    estate = sized_for_year(estate)  # demand grown to the year the plan is sized for (size_for_year)
    overhead = overhead or load_overhead(estate)
    costs = costs or estate_costs(estate)
    parts: list[SitePart] = []
    started = time.monotonic()
    bought: Counter[str] = Counter()  # servers of each model bought by the sites solved so far
    for site, part in split_estate(estate):
        stopped = bool(parts) and stop is not None and stop.is_set()  # the sites left get a brief solve each
        shown = _shifted(progress, parts, started) if progress is not None and parts else progress
        limit = 0.5 if stopped else time_limit_s
        part = within_max_counts(part, bought)
        warm = hint if site == "" else None  # a plan of the whole estate warms only an estate planned as one
        done = solve_site(
            site, part, overhead, costs, time_limit_s=limit, progress=shown, stop=None if stopped else stop, hint=warm
        )
        bought.update(s.model for s in (*done[2].plan.servers, *done[2].plan.spares))
        parts.append(done)
    return merged_study(estate, overhead, costs, parts)


SitePart = tuple[str, Estate, SolveResult]


def within_max_counts(part: Estate, bought: Counter[str]) -> Estate:
    """A site's estate whose catalog allows each model only what earlier sites left of its `max_count`."""
    if not bought:
        return part
    models = tuple(
        m if m.max_count is None else replace(m, max_count=max(0, m.max_count - bought[m.model])) for m in part.server_models
    )
    return replace(part, server_models=models)


def solve_site(
    site: str,
    estate: Estate,
    overhead: OverheadProfile,
    costs: CostProfile,
    *,
    time_limit_s: float | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    hint: Plan | None = None,
) -> SitePart:
    """One site's plan (or the whole estate's, site ''): prepared, solved, spares added, failures enforced.

    Not yet checked: `merged_study` checks the plan of every site together.
    """
    prepared = prepare_estate(estate, overhead, site)
    baseline = compute_baseline(prepared)
    found = solve_for_tco(prepared, overhead, costs, baseline, time_limit_s=time_limit_s, progress=progress, stop=stop, hint=hint)
    prices = model_prices(prepared, costs)
    return site, prepared, enforce_failures(prepared, overhead, add_spares(prepared, overhead, found, prices), prices)


def merged_study(estate: Estate, overhead: OverheadProfile, costs: CostProfile, parts: list[SitePart]) -> Study:
    """The checked study of the sites' plans merged into one (raises PlanCheckError on any broken rule)."""
    if len(parts) == 1 and not parts[0][0]:
        return checked_study(parts[0][1], overhead, costs, parts[0][2])
    first = parts[0][1]
    notes = [*estate.notes, *(f"site {site}: {n}" for site, e, _ in parts for n in e.notes)]
    merged = replace(
        estate,
        workloads=tuple(w for _, e, _ in parts for w in e.workloads),
        settings=first.settings,
        notes=tuple(notes),
    )
    return checked_study(merged, overhead, costs, merge_results(parts))


def _shifted(progress: ProgressFn, parts: list[SitePart], started: float) -> ProgressFn:
    """Progress of the next site, reported as the whole estate's: the finished sites' figures added."""
    best = sum(r.objective_value for _, _, r in parts)
    bound = sum(r.lower_bound for _, _, r in parts)

    def report(point: ProgressPoint) -> None:
        progress(
            ProgressPoint(
                time.monotonic() - started,
                None if point.best_cost is None else best + point.best_cost,
                None if point.bound is None else bound + point.bound,
            )
        )

    return report


def checked_study(estate: Estate, overhead: OverheadProfile, costs: CostProfile, result: SolveResult) -> Study:
    """A study of a finished result: the plan and every failure scenario checked, then priced.

    Raises PlanCheckError if the plan breaks any rule.
    """
    if estate.usage is not None:  # workloads the study added (a control plane) run flat over time
        estate = replace(estate, usage=estate.usage.covering((w.name, w.cpu_cores, w.memory_gb) for w in estate.workloads))
    verify_plan(estate, overhead, result.plan)
    report = verify_failures(estate, overhead, result)
    baseline = compute_baseline(estate)
    summary = summarize(estate, overhead, result, baseline, report, costs)
    replay = replay_plan(estate, overhead, result.plan, estate.usage.source) if estate.usage is not None else None
    if replay is not None:
        summary = replace(
            summary,
            replay_intervals=replay.intervals,
            replay_held_pct=round(replay.held_pct, 3),
            replay_within_ceiling_pct=round(100 * replay.within_ceiling / max(1, replay.intervals), 3),
            replay_verdict=replay.verdict(),
        )
    return Study(estate, overhead, costs, result, baseline, summary, report, replay=replay)


def verify_failures(estate: Estate, overhead: OverheadProfile, result: SolveResult) -> ResilienceReport | None:
    """Check every failure scenario of `ha_failures` servers independently.

    Raises PlanCheckError when a survivor plan breaks a rule, or when replicas are stranded
    although the solver did not say the requirement could not be met.
    """
    k = estate.settings.ha_failures
    if k == 0:
        return None
    if planned_per_site(estate):  # each site must survive its own losses: nothing restarts at another site
        pairs = [(site_estate(estate, site), site_plan(estate, result.plan, site)) for site in sites_of(estate)]
    else:
        pairs = [(estate, result.plan)]
    reports = [assess(e, overhead, p, k) for e, p in pairs]
    violations = [
        v for (e, p), r in zip(pairs, reports, strict=True) for s in r.scenarios for v in check_scenario(e, overhead, p, s)
    ]
    report = merge_reports(reports)
    if not report.survived and result.failures_met is not False:
        worst = report.worst
        violations.append(f"losing {' + '.join(worst.failed)} strands {len(worst.stranded)} replica(s)")  # type: ignore[union-attr]
    if violations:
        raise PlanCheckError(violations)
    return report
