"""Sweeps: grid parsing and its errors, scenario estates, the Pareto front, resume, cancel and failure."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from conftest import random_book
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from planner.cli import main
from planner.domain import DomainError
from planner.input_errors import InputError
from planner.io.reader import read_estate
from planner.sweeps.cluster import read_results, run_sweep, write_sweep
from planner.sweeps.grid import SOLVED, Grid, Scenario, best_row, check_grid, pareto_front, parse_grid, read_grid, scenario_estate


def test_grid_values_lists_and_ranges_make_every_combination() -> None:
    grid = parse_grid({"hypervisor": ["type1", "type2"], "max_utilization_pct": {"from": 60, "to": 90, "step": 10}, "seed": 3})
    assert grid.keys == ["hypervisor", "max_utilization_pct", "seed"]
    assert dict(grid.axes)["max_utilization_pct"] == (60, 70, 80, 90)
    scenarios = grid.scenarios()
    assert grid.size == len(scenarios) == 8
    assert scenarios[0].values == (("hypervisor", "type1"), ("max_utilization_pct", 60), ("seed", 3))
    assert scenarios[-1].label == "S008" and scenarios[-1].value("hypervisor") == "type2"
    assert parse_grid({"memory_max_utilization_pct": {"from": 0.5, "to": 1.0, "step": 0.25}}).axes[0][1] == (0.5, 0.75, 1.0)


@pytest.mark.parametrize(
    ("data", "column", "words"),
    [
        ({"hypervisr": ["type1"]}, "hypervisr", "unknown setting"),
        ({"hypervisor": ["type3"]}, "hypervisor", "type3"),
        ({"max_utilization_pct": {"from": 90, "to": 60}}, "max_utilization_pct", "from <= to"),
        ({"max_utilization_pct": {"start": 1}}, "max_utilization_pct", "a range is"),
        ({"ha_failures": []}, "ha_failures", "at least one value"),
        ({"ha_failures": [1, 1]}, "ha_failures", "listed twice"),
        ({"growth_year": [-1]}, "growth_year", "0 to 30"),
        ({"sizing": ["demand"]}, "sizing", "when the workbook is read"),
        ({"overhead_profile": ["nope"]}, "overhead_profile", "no overhead profile"),
        ({"overhead.vm_memory_overhead_pct": ["lots"]}, "overhead.vm_memory_overhead_pct", ""),
    ],
)
def test_grid_problems_name_the_file_and_key(data: dict[str, object], column: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_grid(data, "grid.yaml")
    problem = err.value.problems[0]
    assert (problem.sheet, problem.column) == ("grid.yaml", column)
    assert words in problem.message


def test_grid_file_syntax_and_catalog_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("hypervisor: [type1\nseed: 1\n")
    with pytest.raises(InputError, match=r"bad\.yaml.*not valid YAML"):
        read_grid(bad)
    with pytest.raises(InputError, match="a grid is a mapping"):
        parse_grid(["type1"])
    estate = read_estate(random_book(tmp_path / "e.xlsx", 5))
    with pytest.raises(InputError, match="no server model 'huge'"):
        check_grid(parse_grid({"server_model": ["small", "huge"]}), estate)


def test_scenario_estate_applies_settings_catalog_and_growth(tmp_path: Path) -> None:
    estate = read_estate(random_book(tmp_path / "e.xlsx", 10))
    sc = Scenario(0, (("server_model", "large"), ("growth_year", 2), ("ha_failures", 1), ("overhead.vm_memory_overhead_pct", 5)))
    scen = scenario_estate(estate, sc)
    assert [m.model for m in scen.server_models] == ["large"]
    assert scen.settings.ha_failures == 1 and ("vm_memory_overhead_pct", 5.0) in scen.settings.overhead_overrides
    assert scen.workloads[0].cpu_cores == pytest.approx(estate.workloads[0].cpu_cores * 1.1**2)
    assert scenario_estate(estate, Scenario(0, (("server_model", "all"),))).server_models == estate.server_models
    with pytest.raises(DomainError):  # each value is valid alone; together they clash
        scenario_estate(estate, Scenario(0, (("ha_failures", 11),)))


ROW = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["optimal", "feasible", "failed"]),
        "cost": st.integers(1, 20).map(float),
        "ha_failures": st.integers(0, 2),
        "ceiling_pct": st.sampled_from([60.0, 70.0, 80.0]),
        "unplaced": st.sampled_from([0, 0, 0, 2]),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ROW, max_size=25))
def test_pareto_front_is_exactly_the_undominated_finished_rows(rows: list[dict[str, object]]) -> None:
    front = set(pareto_front(rows))
    ok = [i for i, r in enumerate(rows) if r["status"] != "failed" and not r["unplaced"]]

    def dominates(a: dict[str, object], b: dict[str, object]) -> bool:
        no_worse = a["cost"] <= b["cost"] and a["ha_failures"] >= b["ha_failures"] and a["ceiling_pct"] <= b["ceiling_pct"]  # type: ignore[operator]
        return no_worse and (a["cost"], a["ha_failures"], a["ceiling_pct"]) != (b["cost"], b["ha_failures"], b["ceiling_pct"])

    assert front <= set(ok)
    for i in ok:
        assert (i in front) == (not any(dominates(rows[j], rows[i]) for j in ok))
    best = best_row(rows)
    assert (best is None) == (not any(r["status"] != "failed" for r in rows))


def test_local_sweep_writes_table_pareto_and_best_plan_then_resumes(tmp_path: Path) -> None:
    estate = read_estate(random_book(tmp_path / "e.xlsx", 24, settings={"deterministic": "yes", "time_limit_s": 1}))
    grid = parse_grid({"server_model": ["small", "large"], "ha_failures": [0, 1]})
    results = tmp_path / "s.results.jsonl"
    seen: list[str] = []
    run = run_sweep(estate, grid, results, workers=2, on_row=lambda r, i: seen.append(str(r.rows[i]["scenario"])))
    assert sorted(seen) == ["S001", "S002", "S003", "S004"] and run.resumed == 0
    assert all(r is not None and r["status"] in SOLVED for r in run.rows)  # a cut-short plan is checked too
    best = write_sweep(tmp_path / "s.xlsx", grid, run, estate)
    assert best == tmp_path / "s-best-plan.xlsx" and best.exists()
    book = load_workbook(tmp_path / "s.xlsx", read_only=True)
    assert book.sheetnames == ["Scenarios", "Pareto", "Grid"]
    table = list(book["Scenarios"].iter_rows(values_only=True))
    header = list(table[0])
    assert len(table) == 5 and {"server_model", "ha_failures", "servers", "capex", "tco", "lower_bound", "gap_pct"} <= set(header)
    winners = [r for r in table[1:] if r[header.index("best")] == "yes"]
    assert len(winners) == 1
    assert min(r[header.index("cost")] for r in table[1:]) == winners[0][header.index("cost")]
    book.close()
    again = run_sweep(estate, grid, results, workers=1)  # everything finished: nothing is solved again
    assert again.resumed == 4 and again.where == "" and again.rows == run.rows
    assert len(read_results(results)) == 4


def test_cancelled_and_failed_scenarios_are_reported_and_the_rest_go_on(tmp_path: Path) -> None:
    estate = read_estate(random_book(tmp_path / "e.xlsx", 16, settings={"time_limit_s": 1}))
    broken = tmp_path / "broken.toml"
    broken.write_text("this is not = a profile [")
    grid = parse_grid({"overhead_profile": ["default", str(broken)], "ha_failures": [0, 1]})
    results = tmp_path / "r.jsonl"
    run = run_sweep(estate, grid, results, workers=2)
    status = {r["scenario"]: r["status"] for r in run.rows if r is not None}
    assert status["S001"] in SOLVED and status["S002"] in SOLVED
    assert status["S003"] == status["S004"] == "failed"
    assert "broken.toml" in str(run.rows[2]["error"]) or "profile" in str(run.rows[2]["error"])  # type: ignore[index]
    assert len(read_results(results)) == 2  # failed scenarios are not kept: a re-run tries them again

    stop = threading.Event()
    grid2 = parse_grid({"ha_failures": [0, 1], "max_utilization_pct": [60, 70, 80]})
    results2 = tmp_path / "c.jsonl"

    def first_then_stop(r: object, i: int) -> None:
        stop.set()

    run2 = run_sweep(estate, grid2, results2, workers=1, on_row=first_then_stop, stop=stop)
    statuses = [r["status"] for r in run2.rows if r is not None]
    assert "cancelled" in statuses and len(statuses) == 6
    kept = len(read_results(results2))
    resumed = run_sweep(estate, grid2, results2, workers=2)
    assert resumed.resumed == kept and all(r["status"] in SOLVED for r in resumed.rows)  # type: ignore[index]


def test_cli_sweep_end_to_end_with_sites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = random_book(tmp_path / "e.xlsx", 30, sites=("east", "west"), settings={"time_limit_s": 1})
    grid = tmp_path / "g.yaml"
    grid.write_text("# two scenarios\nmax_utilization_pct: [70, 80]\n")
    out = tmp_path / "sweep.xlsx"
    assert main(["sweep", str(book), "--grid", str(grid), "--out", str(out), "--workers", "2"]) == 0
    err = capsys.readouterr()
    assert "2/2" in err.err and "best plan written" in err.out
    book_out = load_workbook(out, read_only=True)
    assert "Sites" in book_out.sheetnames
    sites = list(book_out["Sites"].iter_rows(values_only=True))
    assert {r[1] for r in sites[1:]} == {"east", "west"} and len(sites) == 5
    plan = load_workbook(tmp_path / "sweep-best-plan.xlsx", read_only=True)
    assert "Sites" in plan.sheetnames
    rows = json.loads("[" + ",".join((tmp_path / "sweep.results.jsonl").read_text().splitlines()) + "]")
    assert [r["sites"] for r in rows] == [2, 2]
    bad = tmp_path / "bad.yaml"
    bad.write_text("server_model: [nope]\n")
    assert main(["sweep", str(book), "--grid", str(bad), "--out", str(out)]) == 2
    assert "no server model 'nope'" in capsys.readouterr().err


def test_grid_objects_are_plain_values() -> None:
    grid = Grid((("seed", (1, 2)),))
    assert [s.key("x") for s in grid.scenarios()] == [s.key("x") for s in grid.scenarios()]
    assert grid.scenarios()[0].key("x") != grid.scenarios()[0].key("y")


def test_a_scenarios_overall_ceiling_overrides_per_resource_ceilings(tmp_path: Path) -> None:
    """The dashboard sets cpu/memory/storage ceilings from its sliders; a grid's max_utilization_pct must still
    vary them (else its scenarios come out identical), while a resource ceiling the grid sets itself wins."""
    from dataclasses import replace

    base = read_estate(random_book(tmp_path / "e.xlsx", 5))
    pinned = replace(base, settings=replace(base.settings, cpu_max_utilization_pct=80.0, memory_max_utilization_pct=80.0))
    low = scenario_estate(pinned, Scenario(0, (("max_utilization_pct", 60),)))
    assert low.settings.utilization_pct("cpu_cores") == low.settings.utilization_pct("memory_gb") == 60.0
    own = scenario_estate(pinned, Scenario(0, (("max_utilization_pct", 60), ("cpu_max_utilization_pct", 90))))
    assert own.settings.utilization_pct("cpu_cores") == 90.0 and own.settings.utilization_pct("memory_gb") == 60.0
