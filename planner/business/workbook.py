"""The plan workbook: a study's report tables and business case as sheets, written to a file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from planner.business.case import business_tables
from planner.business.executive import Executive, executive, summary_blocks, summary_table
from planner.io.outputs import write_atomically
from planner.io.writer import write_plan_workbook, write_summary_json
from planner.study.pipeline import Study
from planner.study.replay import replay_rows
from planner.study.report import Row, assumption_rows, excluded_rows, placement_rows, server_rows, summary_rows, unplaced_rows
from planner.study.sites import site_rows


def plan_tables(study: Study, ex: Executive | None = None) -> dict[str, list[Row]]:
    """The plan workbook's sheets as rows: the executive summary as one table, then the figures and the detail."""
    e, o, r = study.estate, study.overhead, study.result
    return {
        "Summary": summary_table(ex or executive(study)),
        "Details": summary_rows(study.summary, study.baseline),
        **business_tables(study),
        "Placements": placement_rows(e, o, r),
        "Servers": server_rows(e, o, r),
        "Unplaced": unplaced_rows(r),
        **({"Excluded": excluded_rows(e)} if e.excluded else {}),
        **({"Sites": site_rows(r)} if r.sites else {}),
        **({"Replay": replay_sheet(study)} if study.replay or study.held_out else {}),
        "Assumptions": assumption_rows(e, o, study.costs, study.baseline),
    }


def replay_sheet(study: Study) -> list[Row]:
    """The Replay sheet: each server on the history the plan was sized from, then on a later one (`--replay`)."""
    rows: list[Row] = []
    for replay in (study.replay, study.held_out):
        if replay is not None:
            rows += [*replay_rows(replay), {"history": replay.source, "server_id": "verdict", "model": replay.verdict()}]
    return rows


def write_plan_book(
    study: Study, target: str | Path | IO[bytes], ex: Executive, tables: Mapping[str, Sequence[Row]] | None = None
) -> None:
    """The plan workbook of a study, opening on its executive summary, to a path or a binary stream."""
    bars = (("today", float(study.summary.baseline_servers)), ("plan", float(study.summary.servers)))
    book_tables = plan_tables(study, ex) if tables is None else tables
    write_plan_workbook(target, book_tables, cover=summary_blocks(ex), bars=bars, currency=ex.currency)


def export_plan(study: Study, path: str | Path, summary_json: str | Path | None = None, ex: Executive | None = None) -> Path:
    """Write the plan workbook (and optionally the JSON summary), each in one step: never half-written."""
    out = Path(path)
    summary = ex or executive(study)
    write_atomically(out, lambda temp: write_plan_book(study, temp, summary))
    if summary_json is not None:
        write_atomically(summary_json, lambda temp: write_summary_json(temp, study.summary.as_dict()))
    return out
