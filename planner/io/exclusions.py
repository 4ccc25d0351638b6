"""Inventory rows that cannot be sized are left out with their reason, not fatal.

A real export holds a few broken rows (a VM with blank CPUs, text in a number column); one
of them must not stop a plan of eight hundred VMs. Each problem found in an inventory's data
rows leaves that row out as an `ExcludedRow` (VM name, sheet, row, column, reason), shown in the
plan's Excluded sheet, the CLI and the dashboard. Structural problems (a missing column, a bad
mapping) stay errors, and `strict` makes every row problem an error again.
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import ExcludedRow
from planner.input_errors import InputProblem
from planner.io.inventory import Imported


def exclude_bad_rows(
    problems: list[InputProblem], imported: Imported
) -> tuple[list[InputProblem], tuple[ExcludedRow, ...], Imported]:
    """The problems left as errors, the rows left out, and the import without those rows."""
    by_row: dict[int, list[InputProblem]] = {}
    for p in problems:
        if _in_data_row(p, imported):
            by_row.setdefault(p.row, []).append(p)  # type: ignore[arg-type]
    if not by_row:
        return problems, (), imported
    excluded = tuple(
        ExcludedRow(
            imported.names.get(row, ""),
            imported.sheet,
            row,
            found[0].column or "",
            "; ".join(f"{p.column}: {p.message}" if p.column else p.message for p in found),
        )
        for row, found in sorted(by_row.items())
    )
    errors = [p for p in problems if not _in_data_row(p, imported)]
    kept = [(row, w) for row, w in imported.workloads if row not in by_row]
    note = f"{len(excluded)} rows of {imported.sheet} left out, each with its reason (Excluded sheet); strict mode refuses them"
    return errors, excluded, replace(imported, workloads=kept, notes=[*imported.notes, note])


def _in_data_row(problem: InputProblem, imported: Imported) -> bool:
    """True for a problem in one of the import's data rows (not its header, not another sheet)."""
    return problem.sheet == imported.sheet and problem.row in imported.names


def excluded_rows(rows: list[list[object]] | None) -> tuple[ExcludedRow, ...]:
    """Excluded rows carried as a table (header + rows), as `load_rows` hands them to the dashboard."""
    return tuple(ExcludedRow(str(r[0]), str(r[1]), int(str(r[2])), str(r[3]), str(r[4])) for r in (rows or [])[1:])


EXCLUDED_HEADER = ["workload", "sheet", "row", "column", "reason"]


def excluded_table(excluded: tuple[ExcludedRow, ...]) -> list[list[object]]:
    """Excluded rows as a table (header + rows)."""
    return [list(EXCLUDED_HEADER), *([e.name, e.sheet, e.row, e.column, e.reason] for e in excluded)]
