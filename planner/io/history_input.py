"""The utilization history of a study: from `--usage FILE`, the workbook's Usage sheet, or the dashboard.

Read once the estate's workloads are known (history of other workloads is left out and named),
and applied after flat sizing: `sizing = percentile` needs it; other sizings note that one was given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from planner.domain import Settings, Workload
from planner.input_errors import InputError, InputProblem
from planner.io.cpu_rating import Ratings
from planner.io.history_sizing import size_by_history
from planner.io.sheets import Table
from planner.io.usage import read_usage, usage_from_table
from planner.usage import DemandOverTime, UsageHistory

UsageSource = UsageHistory | str | Path | None


def load_history(
    source: UsageSource, table: Table | None, names: Sequence[str], mapping: Mapping[str, str] | None, strict: bool
) -> UsageHistory | None:
    """The history given (a file wins over the workbook's Usage sheet), restricted to the estate's workloads."""
    if isinstance(source, UsageHistory):
        return source
    if source is not None:
        return read_usage(source, mapping=mapping, known=names, strict=strict)
    if table is not None and table.rows:
        return usage_from_table(table, mapping=mapping, known=names, strict=strict)
    return None


def with_history(
    raw: Sequence[Workload],
    sized: list[Workload],
    ratings: Ratings,
    settings: Settings,
    history: UsageHistory | None,
) -> tuple[list[Workload], DemandOverTime | None, list[str]]:
    """Workloads sized by their history when `sizing = percentile`, the demand over time (for the replay
    under any sizing), and notes."""
    if history is None:
        if settings.sizing != "percentile":
            return sized, None, []
        message = "sizing = percentile needs a utilization history: give --usage FILE, or a Usage sheet in the workbook"
        raise InputError([InputProblem("Settings", None, "sizing", message)])
    by_history, demand, notes = size_by_history(raw, sized, history, settings, ratings)
    if settings.sizing == "percentile":
        return by_history, demand, notes
    said = f"a utilization history was given ({history.source}): the plan is replayed on it; sizing = percentile would size by it"
    return sized, demand, [*history.notes, said]  # its buckets unused: packing by time needs percentile sizing
