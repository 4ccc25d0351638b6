"""The Python API, for notebooks and scripts: the same library calls the CLI and the dashboard make.

    from planner import read_estate, plan_estate, plan_tables, write_plan
    estate = read_estate("sample_data/estate.xlsx", settings={"time_limit_s": 20})
    # with a history: read_estate(..., usage="sample_data/usage.csv", settings={"sizing": "percentile",
    #                 "packing": "time_aware"}); study.replay then says how the plan would have held
    study = plan_estate(estate)                # solved, checked, priced; the business case too
    tables = plan_tables(study)                # {"Summary": DataFrame, "Placements": ..., ...}
    write_plan(study, "plan.xlsx")             # the plan workbook, as `planner plan` writes it

Every study returned has passed the independent checker; input problems raise `InputError`
with every problem's sheet, row and column (`err.problems`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from planner.business.planning import plan_with_case
from planner.business.workbook import export_plan
from planner.business.workbook import plan_tables as plan_rows
from planner.domain import Estate
from planner.io.reader import read_estate as read_input
from planner.plan import ProgressPoint
from planner.study.pipeline import Study


def read_estate(
    path: str | Path,
    *,
    servers: str | Path | None = None,
    settings: Mapping[str, object] | None = None,
    mapping: Mapping[str, str] | None = None,
    strict: bool = False,
    usage: str | Path | None = None,
) -> Estate:
    """Read and validate an input file: a planner workbook, a workloads CSV, or an inventory export.

    `servers` is a server catalog (.csv or .xlsx) for inputs without one; `settings` overrides the
    workbook's Settings (any key `--set` takes, e.g. {"ha_failures": 1}); `mapping` maps a CSV's
    columns to ours ({"RAM (MB)": "memory_mb"}). An inventory's rows that cannot be sized are
    left out, each with its reason (`estate.excluded`), unless `strict`. `usage` is a utilization
    history (.csv or .xlsx) for percentile sizing, packing by time and the replay (else the
    workbook's Usage sheet, if any). Raises InputError listing every problem.
    """
    overrides = {key: str(value) for key, value in (settings or {}).items()}
    mapped = dict(mapping) if mapping else None
    return read_input(path, servers_path=servers, overrides=overrides, mapping=mapped, strict=strict, usage=usage)


def plan_estate(
    estate: Estate,
    *,
    business_case: bool | None = None,
    time_limit_s: float | None = None,
    progress: Callable[[ProgressPoint], None] | None = None,
    stop: threading.Event | None = None,
) -> Study:
    """Plan an estate: solve, check independently, price against today; then the business case.

    `business_case` defaults to the estate's setting; `time_limit_s` to its `time_limit_s`, a ceiling
    for the whole call (the business case shares it).
    `progress` receives each better plan or bound; setting `stop` keeps the best plan so far.
    """
    if time_limit_s is not None:
        estate = replace(estate, settings=replace(estate.settings, time_limit_s=time_limit_s))
    return plan_with_case(estate, progress=progress, stop=stop, business_case=business_case)


def plan_tables(study: Study) -> dict[str, pd.DataFrame]:
    """The plan workbook's sheets as pandas DataFrames, keyed by sheet name."""
    return {name: pd.DataFrame(rows) for name, rows in plan_rows(study).items()}


def write_plan(study: Study, path: str | Path, summary_json: str | Path | None = None) -> Path:
    """Write the plan workbook (and the JSON summary when asked); returns the workbook's path."""
    return export_plan(study, path, summary_json)
