"""One consolidation study end to end: the library calls the CLI and the dashboard share."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from planner.baseline import Baseline, compute_baseline
from planner.checker import PlanCheckError, verify_plan
from planner.domain import Estate
from planner.overheads import OverheadModel
from planner.plan import SolveResult
from planner.platforms import control_plane_workloads, is_control_plane, platform_forms, study_overhead
from planner.report import (
    Row,
    Summary,
    assumption_rows,
    placement_rows,
    server_rows,
    summarize,
    summary_rows,
    unplaced_rows,
)
from planner.resilience import ResilienceReport, assess, check_scenario, enforce_failures
from planner.solver import ProgressFn
from planner.spares import add_spares
from planner.windows import solve_for_tco
from planner.writer import write_plan_workbook, write_summary_json

if TYPE_CHECKING:
    from planner.business import BusinessCase


@dataclass(frozen=True)
class Study:
    """A solved and checked study: its input, overhead model, result, baseline and summary.

    `resilience` is the failure check of the plan (when ha_failures > 0); `case` the business
    case (strategies, TCO, growth), attached by `planner.business.add_business_case`.
    """

    estate: Estate
    overhead: OverheadModel
    result: SolveResult
    baseline: Baseline
    summary: Summary
    resilience: ResilienceReport | None = None
    case: BusinessCase | None = None


def load_overhead(estate: Estate) -> OverheadModel:
    """The estate's overhead model: base profile, hypervisor and container platforms, per-study overrides."""
    return study_overhead(estate.settings)


def prepare_estate(estate: Estate, overhead: OverheadModel) -> Estate:
    """The estate as the study plans it: its hypervisor platform's type, and an orchestrator's control plane.

    The control plane (e.g. three Kubernetes control-plane machines) is added as workloads when
    any workload may run as a container, so the plan carries it like any other load.
    """
    settings = estate.settings
    hv_type = overhead.info.hypervisor_type if overhead.hypervisor_platform else settings.hypervisor
    if hv_type != settings.hypervisor:
        estate = replace(estate, settings=replace(settings, hypervisor=hv_type))
    added = [w for w in control_plane_workloads(overhead) if w.name not in estate.workloads_by_name]
    containers = any(
        f != "vm" for w in estate.workloads if not is_control_plane(w) for f in platform_forms(w, settings.forms, overhead)[0]
    )
    if added and containers:
        note = f"added {added[0].replicas} {added[0].name} machine(s) ({added[0].cpu_cores:g} cores, {added[0].memory_gb:g} GB)"
        estate = replace(estate, workloads=(*estate.workloads, *added), notes=(*estate.notes, note))
    return estate


def run_study(
    estate: Estate,
    *,
    overhead: OverheadModel | None = None,
    time_limit_s: float | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
) -> Study:
    """Solve an estate, check the plan independently, and price it against the baseline.

    Raises PlanCheckError if the plan breaks any rule (a bug: never shown as a plan).
    """
    overhead = overhead or load_overhead(estate)
    estate = prepare_estate(estate, overhead)
    baseline = compute_baseline(estate)
    found = solve_for_tco(estate, overhead, baseline, time_limit_s=time_limit_s, progress=progress, stop=stop)
    return checked_study(estate, overhead, enforce_failures(estate, overhead, add_spares(estate, found)))


def checked_study(estate: Estate, overhead: OverheadModel, result: SolveResult) -> Study:
    """A study of a finished result: the plan and every failure scenario checked, then priced.

    Raises PlanCheckError if the plan breaks any rule.
    """
    verify_plan(estate, overhead, result.plan)
    report = verify_failures(estate, overhead, result)
    baseline = compute_baseline(estate)
    return Study(estate, overhead, result, baseline, summarize(estate, overhead, result, baseline, report), report)


def verify_failures(estate: Estate, overhead: OverheadModel, result: SolveResult) -> ResilienceReport | None:
    """Check every failure scenario of `ha_failures` servers independently.

    Raises PlanCheckError when a survivor plan breaks a rule, or when replicas are stranded
    although the solver did not say the requirement could not be met.
    """
    k = estate.settings.ha_failures
    if k == 0:
        return None
    report = assess(estate, overhead, result.plan, k)
    violations = [v for s in report.scenarios for v in check_scenario(estate, overhead, result.plan, s)]
    if not report.survived and result.failures_met is not False:
        worst = report.worst
        violations.append(f"losing {' + '.join(worst.failed)} strands {len(worst.stranded)} replica(s)")  # type: ignore[union-attr]
    if violations:
        raise PlanCheckError(violations)
    return report


def plan_tables(study: Study) -> dict[str, list[Row]]:
    """The plan workbook's sheets as rows."""
    from planner.business import business_tables  # builds on this module

    e, o, r = study.estate, study.overhead, study.result
    return {
        "Summary": summary_rows(study.summary, study.baseline),
        **business_tables(study),
        "Placements": placement_rows(e, o, r),
        "Servers": server_rows(e, o, r),
        "Unplaced": unplaced_rows(r),
        "Assumptions": assumption_rows(e, o, study.baseline),
    }


def export_plan(study: Study, path: str | Path, summary_json: str | Path | None = None) -> Path:
    """Write the plan workbook (and optionally the JSON summary)."""
    out = Path(path)
    write_plan_workbook(out, plan_tables(study))
    if summary_json is not None:
        write_summary_json(summary_json, study.summary.as_dict())
    return out
