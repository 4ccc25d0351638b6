"""Read a plan workbook written by the planner back into a Plan (to re-check or compare plans)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from planner.io.headers import from_words
from planner.plan import Placement, Plan, PlannedServer, UnplacedReplica


def _rows(book: object, sheet: str) -> list[dict[str, object]]:
    rows = list(book[sheet].iter_rows(values_only=True))  # type: ignore[index]
    if not rows:
        return []
    header = [from_words(str(h)) for h in rows[0]]  # headers in words (or keys, in older plan workbooks)
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def _int(value: object) -> int:
    return int(str(value).strip()) if not isinstance(value, int | float) else int(value)


def read_plan(path: str | Path) -> Plan:
    """The servers, placements and unplaced replicas of a plan workbook."""
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [
            PlannedServer(str(r["server_id"]), str(r["model"]), str(r["mode"]), str(r.get("site") or ""))
            for r in _rows(book, "Servers")
        ]
        servers = tuple(s for s in rows if s.mode != "spare")
        spares = tuple(s for s in rows if s.mode == "spare")
        placements = tuple(
            Placement(str(r["workload"]), _int(r["replica"]), str(r["server_id"]), str(r["form"]), str(r.get("why") or ""))  # type: ignore[arg-type]
            for r in _rows(book, "Placements")
        )
        unplaced = tuple(
            UnplacedReplica(str(r["workload"]), _int(r["replica"]), str(r["reason"]))  # type: ignore[arg-type]
            for r in _rows(book, "Unplaced")
        )
    finally:
        book.close()
    return Plan(servers, placements, unplaced, spares)
