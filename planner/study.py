"""One consolidation study end to end: the library calls the CLI and the dashboard share."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from planner.baseline import Baseline, compute_baseline
from planner.checker import verify_plan
from planner.domain import Estate
from planner.overheads import OverheadModel, load_profile
from planner.plan import SolveResult
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
from planner.solver import ProgressFn, solve
from planner.spares import add_spares
from planner.writer import write_plan_workbook, write_summary_json


@dataclass(frozen=True)
class Study:
    """A solved and checked study: its input, overhead model, result, baseline and summary."""

    estate: Estate
    overhead: OverheadModel
    result: SolveResult
    baseline: Baseline
    summary: Summary


def load_overhead(estate: Estate) -> OverheadModel:
    """The estate's overhead profile with its per-study overrides applied."""
    model = load_profile(estate.settings.overhead_profile)
    return model.with_overrides(dict(estate.settings.overhead_overrides))


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
    result = add_spares(estate, solve(estate, overhead, time_limit_s=time_limit_s, progress=progress, stop=stop))
    verify_plan(estate, overhead, result.plan)
    baseline = compute_baseline(estate)
    return Study(estate, overhead, result, baseline, summarize(estate, overhead, result, baseline))


def plan_tables(study: Study) -> dict[str, list[Row]]:
    """The plan workbook's sheets as rows."""
    e, o, r = study.estate, study.overhead, study.result
    return {
        "Summary": summary_rows(study.summary, study.baseline),
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
