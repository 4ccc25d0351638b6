"""An input file as editable rows: the dashboard's editors hold these, and `estate_from_rows` reads them back."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from planner.domain import Settings
from planner.input_errors import InputError, InputProblem
from planner.io.columns import WORKLOAD_COLUMNS
from planner.io.exclusions import exclude_bad_rows, excluded_table
from planner.io.intake import file_kind
from planner.io.inventory import detect
from planner.io.reader import HOST_FIELDS, importer_for
from planner.io.sheets import read_tables


def load_rows(
    path: str | Path, mapping: Mapping[str, str] | None = None, import_settings: Settings | None = None
) -> dict[str, list[list[object]]]:
    """The Workloads, Servers and Settings sheets of a file as header + data rows (for editing).

    An inventory (RVTools, Azure Migrate, a mapped CSV) is converted to the native Workloads
    sheet under `import_settings` (default settings if None); what the import did is under the
    key "notes", today's hosts under "hosts".
    Blank rows are left out; raises InputError when the file cannot be read or converted.
    """
    path = Path(path)
    problems: list[InputProblem] = []
    kind = file_kind(path)
    tables = read_tables(path, problems, kind)
    if problems:
        raise InputError(problems)
    rows: dict[str, list[list[object]]] = {
        name: [list(table.originals), *([*cells[: len(table.originals)]] for _, cells in table.rows)]
        for name, table in tables.items()
        if name in ("workloads", "servers", "settings")
    }
    importer = importer_for(detect(tables, kind == "csv", mapping), tables, mapping)
    if importer is not None:
        imported = importer(import_settings or Settings(), problems)
        problems, excluded, imported = exclude_bad_rows(problems, imported)
        if problems:
            raise InputError(problems)
        rows["excluded"] = excluded_table(excluded)
        header = [c.name for c in WORKLOAD_COLUMNS]
        extras = list(dict.fromkeys(k for _, w in imported.workloads for k, _ in w.extra))
        rows["workloads"] = [header + extras] + [
            [getattr(w, c) for c in header] + [dict(w.extra).get(k) for k in extras] for _, w in imported.workloads
        ]
        rows["notes"] = [["note"], *([n] for n in [f"imported from {imported.format}", *imported.notes])]  # type: ignore[list-item]
        rows["hosts"] = [list(HOST_FIELDS), *([getattr(h, f) for f in HOST_FIELDS] for h in imported.hosts)]
    return rows
