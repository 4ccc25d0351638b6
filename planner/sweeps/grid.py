"""Scenario sweeps: a grid of settings, every combination a scenario, and the figures that compare them.

A grid is a YAML mapping of setting names to a value, a list of values, or a range
(`{from: 60, to: 90, step: 10}`). Besides the settings of the Settings sheet it takes
`server_model` (buy only this catalog model; `all` for the whole catalog) and
`growth_year` (plan the demand grown for that many years). Each value is validated
as the Settings sheet would be, and a bad one is reported with the grid file and key.
This module solves nothing: `planner.cluster` runs the scenarios.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml

from planner.business.growth import grown_estate
from planner.domain import DomainError, Estate
from planner.input_errors import InputError, InputProblem
from planner.io.columns import SETTINGS
from planner.io.reader import setting_values
from planner.plan import SolveStatus
from planner.resources import RESOURCES
from planner.version import VERSION

ALL_MODELS = "all"
SPECIAL_KEYS = ("server_model", "growth_year")
SOLVED = tuple(s.value for s in SolveStatus if s.has_plan)  # statuses of a scenario with a checked plan
# Settings that act when a file is read (sizing, forms by source, which disks): one sweep per value.
READ_TIME = (
    "sizing",
    "comfort_factor",
    "demand_floor_pct",
    "include_powered_off",
    "site_level",
    "vcpu_per_core",
    "containerize",
    "storage_basis",
)
MAX_SCENARIOS = 10_000
Row = dict[str, object]


@dataclass(frozen=True)
class Scenario:
    """One combination of grid values, with a key that stays the same across runs of the same grid."""

    index: int
    values: tuple[tuple[str, object], ...]

    @property
    def label(self) -> str:
        """A short name for tables: S001, S002..."""
        return f"S{self.index + 1:03d}"

    def key(self, fingerprint: str) -> str:
        """The scenario's identity in a results file: its values and the input it was solved on."""
        text = json.dumps([fingerprint, [[k, str(v)] for k, v in sorted(self.values)]])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def value(self, key: str, default: object = None) -> object:
        """This scenario's value of one grid key."""
        return dict(self.values).get(key, default)


@dataclass(frozen=True)
class Grid:
    """Grid axes in file order: (key, values)."""

    axes: tuple[tuple[str, tuple[object, ...]], ...]
    source: str = "grid"

    @property
    def keys(self) -> list[str]:
        """The grid's keys, in file order."""
        return [k for k, _ in self.axes]

    def scenarios(self) -> list[Scenario]:
        """Every combination, the last axis varying fastest."""
        combos = itertools.product(*(values for _, values in self.axes))
        return [Scenario(i, tuple(zip(self.keys, combo, strict=True))) for i, combo in enumerate(combos)]

    @property
    def size(self) -> int:
        """Number of scenarios."""
        return math.prod(len(v) for _, v in self.axes)


def _range(spec: Mapping[str, object], where: str, key: str, problems: list[InputProblem]) -> tuple[object, ...]:
    unknown = set(spec) - {"from", "to", "step"}
    if unknown or "from" not in spec or "to" not in spec:
        problems.append(InputProblem(where, None, key, "a range is {from: A, to: B, step: S} (step optional, default 1)"))
        return ()
    low, high, step = spec["from"], spec["to"], spec.get("step", 1)
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (low, high, step)) or step <= 0 or high < low:  # type: ignore[operator]
        message = f"range from {low} to {high} step {step}: numbers with from <= to, step > 0"
        problems.append(InputProblem(where, None, key, message))
        return ()
    count = math.floor((high - low) / step + 1e-9) + 1  # type: ignore[operator]
    whole = all(isinstance(x, int) for x in (low, high, step))
    return tuple(low + i * step if whole else round(low + i * step, 10) for i in range(count))  # type: ignore[operator]


def parse_grid(data: object, where: str = "grid") -> Grid:
    """A grid from parsed YAML; raises InputError naming the file and key of each problem."""
    problems: list[InputProblem] = []
    if not isinstance(data, Mapping) or not data:
        raise InputError([InputProblem(where, None, None, "a grid is a mapping of setting names to values, lists or ranges")])
    axes: list[tuple[str, tuple[object, ...]]] = []
    for raw_key, spec in data.items():
        key = str(raw_key).strip()
        if isinstance(spec, Mapping):
            values = _range(spec, where, key, problems)
        elif isinstance(spec, list):
            values = tuple(spec)
        else:
            values = (spec,)
        if not values and not any(p.column == key for p in problems):
            problems.append(InputProblem(where, None, key, "give at least one value"))
        if len(set(map(str, values))) != len(values):
            problems.append(InputProblem(where, None, key, "a value is listed twice"))
        problems += _value_problems(key, values, where)
        axes.append((key, values))
    grid = Grid(tuple(axes), where)
    if not problems and grid.size > MAX_SCENARIOS:
        problems.append(InputProblem(where, None, None, f"{grid.size:,} scenarios: at most {MAX_SCENARIOS:,} per sweep"))
    if problems:
        raise InputError(problems)
    return grid


def _value_problems(key: str, values: Sequence[object], where: str) -> list[InputProblem]:
    """Problems of one axis's values, as the Settings sheet would report them."""
    if key == "server_model":
        bad = [v for v in values if not isinstance(v, str) or not v.strip()]
        return [InputProblem(where, None, key, f"a server model name, got {v!r}") for v in bad]
    if key == "growth_year":
        bad = [v for v in values if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 30]
        return [InputProblem(where, None, key, f"a whole number of years from 0 to 30, got {v!r}") for v in bad]
    if key in READ_TIME:
        return [InputProblem(where, None, key, f"{key} acts when the workbook is read: run one sweep per value (--set)")]
    if key not in SETTINGS and not key.startswith(("overhead.", "cost.")):
        known = ", ".join([*SPECIAL_KEYS, *SETTINGS])
        return [InputProblem(where, None, key, f"unknown setting {key!r}; known: {known}")]
    problems: list[InputProblem] = []
    setting_values([(where, None, key, v) for v in values], problems)
    return [replace(p, row=None, column=key) for p in problems]


def read_grid(path: str | Path) -> Grid:
    """Read a grid YAML file (raises InputError naming the file on a syntax or value problem)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([InputProblem(path.name, None, None, f"cannot read the grid: {exc.strerror}")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [InputProblem(path.name, None if mark is None else mark.line + 1, None, f"not valid YAML: {exc}")]
        ) from exc
    return parse_grid(data, path.name)


def check_grid(grid: Grid, estate: Estate) -> None:
    """Problems only the estate can tell: server models the catalog lacks, growth beyond the horizon."""
    models = [m.model for m in estate.server_models]
    problems = [
        InputProblem(grid.source, None, "server_model", f"no server model {v!r} in the catalog; models: {', '.join(models)}")
        for k, values in grid.axes
        if k == "server_model"
        for v in values
        if v != ALL_MODELS and v not in models
    ]
    if problems:
        raise InputError(problems)


def scenario_estate(estate: Estate, scenario: Scenario) -> Estate:
    """The estate under a scenario's settings, catalog and growth year (DomainError when they clash).

    A scenario's `max_utilization_pct` is the ceiling of every resource whose own ceiling the scenario does
    not set (the dashboard sets all three from its sliders: the grid's overall ceiling must still vary them)."""
    settings_pairs = [(k, v) for k, v in scenario.values if k not in SPECIAL_KEYS]
    problems: list[InputProblem] = []
    values, overrides, cost_overrides = setting_values([("grid", None, k, v) for k, v in settings_pairs], problems)
    if problems:
        raise DomainError("; ".join(p.message for p in problems))
    s = estate.settings
    if "max_utilization_pct" in values:  # the scenario's overall ceiling applies to every resource it does not set itself
        for resource in ("cpu", "memory", "storage"):
            values.setdefault(f"{resource}_max_utilization_pct", None)
    settings = replace(
        s,
        **values,  # type: ignore[arg-type]
        overhead_overrides=tuple(sorted({**dict(s.overhead_overrides), **overrides}.items())),
        cost_overrides=tuple(sorted({**dict(s.cost_overrides), **cost_overrides}.items())),
    )
    out = replace(estate, settings=settings)
    model = scenario.value("server_model", ALL_MODELS)
    if model != ALL_MODELS:
        out = replace(out, server_models=tuple(m for m in estate.server_models if m.model == model))
    return grown_estate(out, int(scenario.value("growth_year", 0)))  # type: ignore[call-overload]


def fingerprint(estate: Estate) -> str:
    """A digest of what a scenario's result depends on: the planner's version, the estate's workloads, catalog,
    hosts and settings (a new version may plan differently, so earlier results are not resumed across versions)."""
    text = repr((VERSION, estate.workloads, estate.server_models, estate.hosts, estate.settings))
    digest = hashlib.sha256(text.encode())
    if estate.usage is not None:  # the history too: its arrays, not their (abridged) repr
        for table in (estate.usage.cpu_cores, estate.usage.memory_gb, estate.usage.bucket_cpu, estate.usage.bucket_memory):
            digest.update(np.ascontiguousarray(table).tobytes())
        digest.update(repr((estate.usage.names, estate.usage.start, estate.usage.step, estate.usage.source)).encode())
    return digest.hexdigest()[:16]


def ceiling_pct(estate: Estate) -> float:
    """The highest utilization ceiling of any resource: the headroom a scenario keeps."""
    return max(estate.settings.utilization_pct(r) for r in RESOURCES)


def pareto_front(rows: Sequence[Row]) -> list[int]:
    """Indexes of the rows no other row beats on cost, failures tolerated and utilization ceiling.

    Only finished rows with every replica placed compete; fewer servers' worth of cost, more
    failures tolerated and a lower ceiling (more headroom) are better.
    """
    points = [
        (i, float(r["cost"]), -int(r["ha_failures"]), float(r["ceiling_pct"]))  # type: ignore[call-overload,arg-type]
        for i, r in enumerate(rows)
        if r.get("status") in SOLVED and not r.get("unplaced")
    ]

    def beats(a: tuple[int, float, int, float], b: tuple[int, float, int, float]) -> bool:
        return all(x <= y for x, y in zip(a[1:], b[1:], strict=True)) and a[1:] != b[1:]

    return [p[0] for p in points if not any(beats(q, p) for q in points)]


def best_row(rows: Sequence[Row]) -> int | None:
    """Index of the best finished scenario: fewest unplaced replicas, then the lowest cost."""
    done = [
        (int(r["unplaced"]), float(r["cost"]), i)  # type: ignore[call-overload,arg-type]
        for i, r in enumerate(rows)
        if r.get("status") in SOLVED
    ]
    return min(done)[2] if done else None


FIGURES = ("status", "servers", "spare_servers", "capex", "tco", "cost", "savings_pct", "lower_bound", "gap_pct", "unplaced")
MORE = ("vms", "containers", "ha_failures", "ceiling_pct", "sites", "seconds", "error")


def sweep_tables(grid: Grid, rows: Sequence[Row | None], info: Mapping[str, object]) -> dict[str, list[Row]]:
    """The sweep workbook: Scenarios (one row each), Pareto (the front), Sites (per scenario and site), Grid."""
    scenarios = grid.scenarios()
    filled = [
        r if r is not None else {"scenario": s.label, **dict(s.values), "status": "not run"}
        for s, r in zip(scenarios, rows, strict=True)
    ]
    front = set(pareto_front(filled))
    best = best_row(filled)
    table = []
    for i, r in enumerate(filled):
        row: Row = {"scenario": r["scenario"], **{k: r.get(k) for k in grid.keys}}
        row.update({k: r.get(k, "") for k in (*FIGURES, *MORE)})
        row["pareto"] = "yes" if i in front else ""
        row["best"] = "yes" if i == best else ""
        table.append(row)
    pareto = sorted((table[i] for i in front), key=lambda r: (-int(r["ha_failures"]), float(r["ceiling_pct"]), float(r["cost"])))  # type: ignore[call-overload,arg-type]
    sites = [
        {"scenario": r["scenario"], **site}
        for r in filled
        for site in r.get("site_rows") or []  # type: ignore[attr-defined]
    ]
    grid_rows: list[Row] = [{"key": k, "values": ", ".join(map(str, v))} for k, v in grid.axes]
    grid_rows += [{"key": "scenarios", "values": len(filled)}]
    grid_rows += [{"key": k, "values": v} for k, v in info.items()]
    counts = Counter(str(r["status"]) for r in filled)
    grid_rows += [{"key": f"status {k}", "values": n} for k, n in sorted(counts.items())]
    return {"Scenarios": table, "Pareto": pareto, **({"Sites": sites} if sites else {}), "Grid": grid_rows}


def default_grid(estate: Estate) -> str:
    """A first grid for an estate: each catalog model alone and all together, two ceilings, 0 or 1 failure."""
    models = ", ".join([ALL_MODELS, *(m.model for m in estate.server_models[:3])])
    return (
        "# setting: a value, a list of values, or {from: A, to: B, step: S}; every combination is a scenario\n"
        f"server_model: [{models}]\n"
        "max_utilization_pct: [70, 80]\n"
        "ha_failures: [0, 1]\n"
    )


def scenario_diff(a: Row, b: Row, keys: Sequence[str]) -> list[Row]:
    """Two scenarios side by side: their grid values, then their figures, each marked when they differ."""
    out: list[Row] = []
    for item in (*keys, *FIGURES, "vms", "containers", "sites", "seconds"):
        x, y = a.get(item, ""), b.get(item, "")
        out.append(
            {"item": item, f"A: {a['scenario']}": x, f"B: {b['scenario']}": y, "differs": "yes" if str(x) != str(y) else ""}
        )
    return out
