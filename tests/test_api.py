"""The Python API for notebooks: read_estate, plan_estate, plan_tables and write_plan, importable from `planner`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import GOOD_SERVERS, REPO, WORKLOAD_HEADER, write_book

import planner
from planner import plan_tables, read_estate
from planner.api import plan_estate, write_plan
from planner.checker import check_plan
from planner.input_errors import InputError
from planner.plan import SolveStatus

SAMPLE = REPO / "sample_data" / "estate.xlsx"


def test_api_plans_the_sample_and_gives_dataframes(tmp_path: Path) -> None:
    """The README's notebook example: a checked plan, its sheets as DataFrames, and the workbook written."""
    estate = read_estate(SAMPLE, settings={"time_limit_s": 5, "business_case": "no"})
    study = plan_estate(estate)
    assert study.result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE, SolveStatus.CUT_SHORT)  # a checked plan
    assert check_plan(study.estate, study.overhead, study.result.plan) == []
    tables = plan_tables(study)
    assert {"Summary", "Placements", "Servers", "Unplaced", "Assumptions"} <= set(tables)
    assert all(isinstance(t, pd.DataFrame) for t in tables.values())
    placements = tables["Placements"]
    assert len(placements) == sum(w.replicas for w in study.estate.workloads) - len(study.result.plan.unplaced)
    assert {"workload", "replica", "server_id", "form", "why"} <= set(placements.columns)
    out = write_plan(study, tmp_path / "plan.xlsx", tmp_path / "summary.json")
    assert "Placements" in openpyxl.load_workbook(out, read_only=True).sheetnames
    assert (tmp_path / "summary.json").read_text().startswith("{")


def test_api_settings_override_the_workbook() -> None:
    """Settings given to read_estate replace the workbook's, as `--set` does."""
    estate = read_estate(SAMPLE, settings={"max_utilization_pct": 70, "ha_failures": 1})
    assert estate.settings.max_utilization_pct == 70 and estate.settings.ha_failures == 1


def test_api_reports_every_input_problem(tmp_path: Path) -> None:
    """A bad workbook raises InputError with each problem's sheet, row and column."""
    bad = write_book(tmp_path / "bad.xlsx", {"Workloads": [WORKLOAD_HEADER, ["a", -1, 2]], "Servers": GOOD_SERVERS})
    with pytest.raises(InputError) as err:
        read_estate(bad)
    assert [(p.sheet, p.row, p.column) for p in err.value.problems] == [("Workloads", 2, "cpu_cores")]


def test_api_without_the_business_case_and_with_it() -> None:
    """business_case=False plans once; True adds the strategies, TCO and growth years."""
    estate = read_estate(SAMPLE, settings={"time_limit_s": 2, "years": 1})
    assert plan_estate(estate, business_case=False).case is None
    case = plan_estate(estate, business_case=True).case
    assert case is not None and case.strategies and case.tco.years == 1


def test_importing_planner_stays_light() -> None:
    """`import planner` loads neither the solver nor pandas until the API is used."""
    code = "import sys, planner; print('ortools' in sys.modules, 'pandas' in sys.modules, planner.__version__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    solver, frames, version = done.stdout.split()
    assert (solver, frames) == ("False", "False")
    assert version == planner.__version__ != "0+unknown"


def test_unknown_api_name_is_an_attribute_error() -> None:
    """A name the API does not have fails as Python's own attribute error would."""
    with pytest.raises(AttributeError, match="no attribute 'solve_everything'"):
        planner.solve_everything  # noqa: B018


def test_the_readme_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python API example runs as written (shorter limits, the sample by its full path)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API") :]
    code = section[section.index("```python") + len("```python") : section.index("```", section.index("```python") + 9)]
    assert "plan_estate(estate)" in code and "write_plan(study" in code
    code = code.replace('"sample_data/estate.xlsx"', repr(str(SAMPLE))).replace(
        '"time_limit_s": 20', '"time_limit_s": 2, "years": 1'
    )
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "plan.xlsx").is_file()


def test_api_plans_by_time_from_a_history() -> None:
    """read_estate(..., usage=...) sizes by percentile and packs by time; the study carries the replay."""
    estate = read_estate(
        SAMPLE,
        usage=SAMPLE.parent / "usage.csv",
        settings={"time_limit_s": 5, "sizing": "percentile", "packing": "time_aware"},
    )
    study = plan_estate(estate, business_case=False)
    assert study.replay is not None and study.replay.held == study.replay.intervals == 168
    assert study.summary.replay_verdict == study.replay.verdict()
