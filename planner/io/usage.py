"""Read a utilization history: long format, one row per workload and sample.

Columns (any order; `--map THEIRS=TARGET` for other names): `workload`, `time` (an ISO timestamp,
seconds, or an interval index), and `cpu_pct`, `memory_pct` (percent of the workload's
allocation) or `cpu_cores_used`, `memory_gb_used` (absolute). A CSV file (`--usage FILE`), an
.xlsx file's `Usage` sheet (or its first sheet), or the input workbook's own `Usage` sheet.
Every malformed cell is an error naming the file, row and column; what is repaired (duplicates,
mixed intervals, gaps, time zones, values over 100%) is said in the history's notes. The grid
itself is built in `planner.io.usage_grid`.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from planner.input_errors import InputError, InputProblem
from planner.io.columns import normalise_header
from planner.io.intake import file_kind, text_encoding
from planner.io.sheets import Table
from planner.io.usage_grid import Samples, build_history
from planner.usage import UsageHistory

MAX_USAGE_BYTES = 1 << 30  # a history file: a month of 5-minute samples for 4,000 workloads is about 1 GB of CSV
MAX_USAGE_ROWS = 20_000_000  # samples in one history
MAX_REPORTED = 30  # problems listed before the rest are counted
TARGETS = ("workload", "time", "cpu_pct", "memory_pct", "cpu_cores_used", "memory_gb_used")
ALIASES = {
    "name": "workload", "vm": "workload", "vm_name": "workload", "object": "workload", "resource": "workload",
    "server": "workload", "timestamp": "time", "date": "time", "datetime": "time", "date_time": "time",
    "interval": "time", "cpu": "cpu_pct", "cpu_%": "cpu_pct", "cpu_usage_%": "cpu_pct", "cpu_usage_pct": "cpu_pct",
    "cpu_usage": "cpu_pct", "memory": "memory_pct", "memory_%": "memory_pct", "mem_pct": "memory_pct",
    "memory_usage_%": "memory_pct", "memory_usage_pct": "memory_pct", "memory_usage": "memory_pct",
    "cpu_cores": "cpu_cores_used", "cores_used": "cpu_cores_used", "memory_gb": "memory_gb_used",
}  # fmt: skip


def read_usage(
    path: str | Path, *, mapping: Mapping[str, str] | None = None, known: Collection[str] | None = None, strict: bool = False
) -> UsageHistory:
    """A history file (.csv/.tsv/.txt, or .xlsx: its Usage sheet, else its first) as a UsageHistory.

    `known` are the estate's workload names: history for others is left out and named in the notes
    (an error with `strict`). Raises InputError naming file, row and column for each malformed cell.
    """
    path = Path(path)
    kind = file_kind(path, MAX_USAGE_BYTES)
    if kind == "csv":
        frame, rows = _csv_frame(path)
        label = path.name
    else:
        frame, rows, label = _xlsx_frame(path)
    return usage_from_frame(frame, rows, label, mapping=mapping, known=known, strict=strict)


def usage_from_table(
    table: Table, *, mapping: Mapping[str, str] | None = None, known: Collection[str] | None = None, strict: bool = False
) -> UsageHistory:
    """The input workbook's own Usage sheet (already read with the other sheets) as a UsageHistory."""
    width = len(table.originals)
    cells = [(list(c) + [None] * width)[:width] for _, c in table.rows]
    frame = pd.DataFrame(cells, columns=table.originals, dtype=object)
    rows = np.array([n for n, _ in table.rows], dtype=np.int64)
    return usage_from_frame(frame, rows, table.sheet, mapping=mapping, known=known, strict=strict)


def _csv_frame(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """A CSV's cells as text (row numbers as a spreadsheet shows them), at most MAX_USAGE_ROWS."""
    encoding = text_encoding(path)
    try:
        with path.open(newline="", encoding=encoding) as handle:
            sample = handle.read(65536)
        try:
            sep = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        except csv.Error:
            sep = ","
        frame = pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding=encoding, nrows=MAX_USAGE_ROWS + 1
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError([InputProblem(path.name, None, None, f"not a readable CSV history ({exc})")]) from exc
    if len(frame) > MAX_USAGE_ROWS:
        raise InputError([InputProblem(path.name, MAX_USAGE_ROWS + 2, None, f"more than {MAX_USAGE_ROWS:,} samples")])
    return frame, np.arange(2, len(frame) + 2, dtype=np.int64)


def _xlsx_frame(path: Path) -> tuple[pd.DataFrame, np.ndarray, str]:
    """An .xlsx history: its Usage sheet, else its first sheet; the header is its first row."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        name = next((n for n in names if n.strip().lower() == "usage"), names[0] if names else None)
        if name is None:
            raise InputError([InputProblem(path.name, None, None, "the workbook has no sheet")])
        cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=MAX_USAGE_ROWS + 1)
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own kinds for damaged files
        raise InputError([InputProblem(path.name, None, None, f"not a readable .xlsx history ({exc})")]) from exc
    label = f"{path.name}, sheet {name}"
    if not cells:
        raise InputError([InputProblem(label, None, None, "the history has no samples: the sheet is empty")])
    header = ["" if h is None else str(h).strip() for h in cells[0]]
    body = [(list(r) + [None] * len(header))[: len(header)] for r in cells[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object).replace("", None)
    return frame, np.arange(2, len(body) + 2, dtype=np.int64), label


def _columns(frame: pd.DataFrame, label: str, mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Our target name -> the file's column, from the mapping, the aliases and our own names."""
    theirs = {str(k).strip().lower(): v for k, v in (mapping or {}).items() if v in TARGETS}
    found: dict[str, str] = {}
    for original in frame.columns:
        text = str(original).strip()
        target = theirs.get(text.lower())
        if target is None:
            key = normalise_header(text)
            target = key if key in TARGETS else ALIASES.get(key)
        if target is not None and target not in found:
            found[target] = original
    missing = [t for t in ("workload", "time") if t not in found]
    if not ({"cpu_pct", "cpu_cores_used"} & found.keys()):
        missing.append("cpu_pct (or cpu_cores_used)")
    if missing:
        message = f"required column missing: {', '.join(missing)} (use --map THEIRS=TARGET for other names)"
        raise InputError([InputProblem(label, 1, None, message)])
    return found


def usage_from_frame(
    frame: pd.DataFrame,
    rows: np.ndarray,
    label: str,
    *,
    mapping: Mapping[str, str] | None = None,
    known: Collection[str] | None = None,
    strict: bool = False,
) -> UsageHistory:
    """Validate a long-format history and lay it on one grid; every malformed cell an error with its row and column.

    Text columns are factorised first (a history repeats its names and times millions of times): each
    distinct value is parsed once."""
    columns = _columns(frame, label, mapping)
    texts = {t: _factorised(frame[c]) for t, c in columns.items()}
    blank = np.logical_and.reduce([_blank(codes, uniques) for codes, uniques in texts.values()])
    if blank.all():
        raise InputError([InputProblem(label, None, None, "the history has no samples")])
    texts = {t: (codes[~blank], uniques) for t, (codes, uniques) in texts.items()}
    rows = rows[~blank]
    problems: list[InputProblem] = []
    codes, uniques = texts["workload"]
    _report(problems, label, rows[_blank(codes, uniques)], columns["workload"], "a sample needs its workload's name")
    times, dated, time_notes = _times(*texts["time"], rows, label, columns["time"], problems)
    values = {t: _values(*texts[t], rows, label, columns[t], t, problems) for t in TARGETS[2:] if t in columns}
    if problems:
        raise InputError(_capped(problems))
    keep = np.ones(len(rows), dtype=bool)
    notes = list(time_notes)
    if known is not None:
        keep, unknown = _known(codes, uniques, rows, set(known), label, columns["workload"], strict)
        notes += unknown
    kept = codes[keep]
    order = sorted(np.unique(kept).tolist(), key=lambda c: uniques[c])  # workloads by name
    remap = np.zeros(len(uniques), dtype=np.int64)
    remap[order] = np.arange(len(order))
    samples = Samples(
        names=uniques[order],
        codes=remap[kept],
        times=times[keep],
        values={t: (v[0][keep], v[1]) for t, v in values.items()},
    )
    return build_history(samples, label, dated, notes)


def _factorised(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column as codes into its distinct values, stripped text ('' for a blank cell: code -1 maps to it)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    text = np.array(["" if v is None else str(v).strip() for v in uniques] + [""], dtype=object)
    return np.where(codes < 0, len(text) - 1, codes), text


def _blank(codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
    """Cells left empty (or holding only spaces, or a spreadsheet's None/nan)."""
    return np.isin(uniques, ["", "None", "nan"])[codes]


def _times(
    codes: np.ndarray, uniques: np.ndarray, rows: np.ndarray, label: str, header: str, problems: list[InputProblem]
) -> tuple[np.ndarray, bool, list[str]]:
    """Seconds per sample (UTC epoch for dates), whether they are dates, and what was assumed of them."""
    text = pd.Series(uniques)
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    used = np.zeros(len(uniques), dtype=bool)
    used[np.unique(codes)] = True
    if not np.isnan(numbers[used]).any():
        bad = ~np.isfinite(numbers) | (numbers < 0)
        _report(problems, label, rows[bad[codes]], header, "a time must be a date, or seconds or an interval number of 0 or more")
        return np.floor(np.nan_to_num(numbers)).astype(np.int64)[codes], False, []
    stamps = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    bad = stamps.isna().to_numpy()
    said = "not a time: give an ISO date and time (2026-11-02 14:05:00+01:00), or seconds"
    _report(problems, label, rows[bad[codes]], header, said)
    if bad[used].any():
        return np.zeros(len(codes), dtype=np.int64), True, []
    seconds = ((stamps - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).fillna(0).to_numpy(dtype=np.int64)
    zone = text.str.extract(r"(Z|[+-]\d\d:?\d\d)$", expand=False)
    notes = []
    naive = int(np.count_nonzero(zone.isna().to_numpy()[codes]))
    if naive:
        notes.append(f"{naive:,} times carried no time zone: read as UTC")
    if zone[used].dropna().replace({"Z": "+00:00"}).str.replace(":", "").nunique() > 1:
        notes.append("times in several time zones (or across a daylight-saving change): all converted to UTC")
    return seconds[codes], True, notes


def _values(
    codes: np.ndarray, uniques: np.ndarray, rows: np.ndarray, label: str, header: str, target: str, problems: list[InputProblem]
) -> tuple[np.ndarray, int]:
    """A value column as floats (NaN where blank), and how many percentages were over 100 (capped)."""
    text = pd.Series(uniques).str.rstrip("%").str.strip()
    blank = _blank(np.arange(len(uniques)), uniques)
    parsed = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float)
    numbers = parsed[codes]
    blank_cells = blank[codes]
    _report(problems, label, rows[~blank_cells & np.isnan(numbers)], header, f"{target} must be a number")
    _report(problems, label, rows[np.isinf(numbers)], header, f"{target} must be finite")
    _report(problems, label, rows[numbers < 0], header, f"{target} must be 0 or more")
    over = 0
    if target.endswith("_pct"):
        _report(problems, label, rows[numbers > 1000], header, f"{target} above 1000%: not a percentage of the allocation")
        over = int(np.sum(numbers > 100))
        numbers = np.minimum(numbers, 100.0)
    return numbers, over


def _known(
    codes: np.ndarray, uniques: np.ndarray, rows: np.ndarray, known: set[str], label: str, header: str, strict: bool
) -> tuple[np.ndarray, list[str]]:
    """Which samples name a workload of the estate; the others named in a note (an error when strict)."""
    keep = np.array([u in known for u in uniques], dtype=bool)[codes]
    if keep.all():
        return keep, []
    unknown = sorted(set(uniques[codes[~keep]].tolist()))
    first = int(rows[~keep][0])
    if strict:
        raise InputError([InputProblem(label, first, header, f"workload {uniques[codes[~keep][0]]!r} is not in the estate")])
    shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
    return keep, [f"history of {len(unknown)} workloads not in the estate left out ({label}, first at row {first}): {shown}"]


def _report(problems: list[InputProblem], label: str, rows: np.ndarray, header: str, message: str) -> None:
    """One problem per offending row."""
    for row in rows[: MAX_REPORTED + 1]:
        problems.append(InputProblem(label, int(row), header, message))


def _capped(problems: list[InputProblem]) -> list[InputProblem]:
    """The first problems, sorted by row, and a count of the rest."""
    problems = sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
    if len(problems) <= MAX_REPORTED:
        return problems
    rest = len(problems) - MAX_REPORTED
    return [*problems[:MAX_REPORTED], InputProblem(problems[0].sheet, None, None, f"and {rest:,} more problems")]
