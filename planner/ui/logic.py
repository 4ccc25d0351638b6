"""Dashboard logic without Streamlit: table conversions, settings, filters and downloads.

app.py renders; everything it computes comes from here or from the library, so it can be
tested without a browser.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence

import pandas as pd

from planner.business.executive import Executive, executive
from planner.business.html_report import report_html
from planner.business.workbook import plan_tables, write_plan_book
from planner.io.columns import SETTINGS
from planner.io.headers import in_words
from planner.io.writer import is_money_column, rows_to_csv
from planner.money import money
from planner.study.pipeline import Study
from planner.study.report import Row

FORM_CHOICES = {"auto": "Let the solver choose", "vm_only": "VMs only", "containers_where_allowed": "Containers where allowed"}
MAX_UPLOAD_MB = 20


def rows_to_frame(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Header + data rows as a DataFrame for an editor (text columns stay text)."""
    if not rows:
        return pd.DataFrame()
    header = [str(h) for h in rows[0]]
    data = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(data, columns=header)
    for name in frame.columns:  # text in a number column: the column as text, so every cell stays editable (and fixable)
        frame[name] = _text_if_mixed(frame[name], blank=None)
    return frame


def _text_if_mixed(column: pd.Series, blank: object) -> pd.Series:
    """A column mixing text and numbers as text (blanks as `blank`); any other column as it is."""
    kinds = {type(v) for v in column if not _blank(v)}
    if str in kinds and len(kinds) > 1:
        return pd.Series([blank if _blank(v) else str(v) for v in column], index=column.index, dtype=object)
    return column


def frame_to_rows(frame: pd.DataFrame) -> list[list[object]]:
    """An edited DataFrame back to header + data rows, with empty cells as None."""

    def clean(value: object) -> object:
        if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
            return None
        return value.item() if hasattr(value, "item") else value

    return [list(frame.columns), *([clean(v) for v in row] for row in frame.itertuples(index=False, name=None))]


def settings_from_rows(rows: Sequence[Sequence[object]]) -> dict[str, object]:
    """The Settings sheet's (setting, value) pairs, keyed by setting name."""
    out: dict[str, object] = {}
    for row in rows[1:]:
        if len(row) >= 2 and row[0] is not None:
            out[str(row[0]).strip().lower()] = row[1]
    return out


def overrides_from_controls(
    controls: Mapping[str, object], profile_numbers: Mapping[str, float], cost_numbers: Mapping[str, float] | None = None
) -> dict[str, str]:
    """Settings the user changed in the dashboard, as --set style overrides.

    Overhead and cost numbers are included only where they differ from their profile's value.
    """
    out: dict[str, str] = {}
    for key, value in controls.items():
        prefix, _, number = key.partition(".")
        if number and prefix in ("overhead", "cost"):
            known = profile_numbers if prefix == "overhead" else (cost_numbers or {})
            if value is not None and (
                number not in known or not math.isclose(float(value), known[number], abs_tol=1e-12)  # type: ignore[arg-type]
            ):
                out[key] = repr(float(value))  # type: ignore[arg-type]
        elif key in SETTINGS and value is not None and (value != "" or key.endswith("_platform") or key.endswith("platforms")):
            out[key] = str(value)
    return out


def filter_placements(rows: Sequence[Row], text: str = "", forms: Sequence[str] = (), models: Sequence[str] = ()) -> list[Row]:
    """Placements matching a search text (any column) and the chosen forms and server models."""
    needle = text.strip().lower()
    out = []
    for row in rows:
        if forms and row.get("form") not in forms:
            continue
        if models and row.get("server_model") not in models:
            continue
        if needle and not any(needle in str(v).lower() for v in row.values()):
            continue
        out.append(row)
    return out


def reason_kind(why: str) -> str:
    """A short label for a placement's form reason (the text before the numbers)."""
    if why.startswith("container:"):
        return "container: smaller than as a VM"
    if why.startswith("VM: this hypervisor host has no"):
        return "VM: a container-host VM would cost more here"
    return why.split(":")[0] if why.startswith("study setting") else why


def why_summary(rows: Sequence[Row]) -> list[Row]:
    """How many replicas got their form for each kind of reason."""
    counts = Counter((str(r.get("form")), reason_kind(str(r.get("why", "")))) for r in rows)
    return [{"form": f, "reason": why, "replicas": n} for (f, why), n in counts.most_common()]


def plan_downloads(study: Study, tables: Mapping[str, list[Row]] | None = None, ex: Executive | None = None) -> dict[str, bytes]:
    """The three downloads: plan workbook, placements CSV and summary JSON (from `tables` when given)."""
    ex = ex or executive(study)
    tables = tables if tables is not None else plan_tables(study, ex)
    book = io.BytesIO()
    write_plan_book(study, book, ex, tables)
    return {
        "plan.xlsx": book.getvalue(),
        "placements.csv": rows_to_csv(tables["Placements"]).encode("utf-8"),
        "summary.json": (json.dumps(study.summary.as_dict(), indent=2, sort_keys=True) + "\n").encode("utf-8"),
        "report.html": report_html(study, ex).encode("utf-8"),
    }


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _shown(v: object, currency: str | None) -> object:
    """A cell as people read it: sums in the currency with separators, other numbers rounded."""
    if _blank(v):
        return None
    if currency is not None and isinstance(v, int | float) and not isinstance(v, bool):
        return money(float(v), currency)
    if isinstance(v, float):
        return round(v, 2)
    return v


def table_frame(rows: Sequence[Row], currency: str = "") -> pd.DataFrame:
    """Report rows as a DataFrame the browser shows: headers in words, sums formatted in `currency`,
    other numbers rounded; a column mixing numbers and text becomes text."""
    frame = pd.DataFrame(list(rows))
    for name in frame.columns:
        money_column = is_money_column(str(name))
        frame[name] = _text_if_mixed(frame[name].map(lambda v, m=money_column: _shown(v, currency if m else None)), blank="")
    frame.columns = [in_words(str(c)) for c in frame.columns]
    return frame
